//! `BookingRepository`: checkout attempts, provider events (exactly once), late payments, the sweeper and
//! the refund queue.
//!
//! Long on purpose: one scenario per test, each spelling out its timeline (events, clocks, counts) in full.

use crate::StoreFactory;
use crate::fixtures::*;
use chrono::Duration;
use domain::Error;
use domain::model::*;
use domain::ports::{EventOutcome, PaymentEvent, PaymentEventKind, PaymentSession, RefundAttempt};
use std::collections::HashSet;

/// A provider event about `session` (and `booking`) that carries the booking's exact amount.
fn event(id: &str, kind: Option<PaymentEventKind>, session: Option<&str>, b: &Booking) -> PaymentEvent {
    PaymentEvent {
        event_id: id.into(),
        event_type: "checkout.session.completed".into(),
        kind,
        session_id: session.map(Into::into),
        booking_id: Some(b.id),
        amount_minor: Some(b.amount.minor()),
        currency: Some("usd".into()),
        payment_intent: Some(format!("pi_{id}")),
    }
}

fn paid(id: &str, session: &str, b: &Booking) -> PaymentEvent {
    event(id, Some(PaymentEventKind::Paid), Some(session), b)
}

fn session(id: &str, fx: &Fx) -> PaymentSession {
    PaymentSession { id: id.into(), url: format!("https://pay.example/{id}"), expires_at: fx.mins(31) }
}

/// start_payment needs GUESTS_ADDED, counts attempts and is a no-op while pending; a session is stored only
/// for the current attempt; a provider failure returns the booking to GUESTS_ADDED.
pub async fn payment_attempts(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let s = fx.setup(5).await;
    let u = &s.guest;
    let repo = &fx.s.bookings;
    let b = fx.hold(u, &s.room, fx.day(10), 2, 1).await;
    assert_err(
        repo.start_payment(b.id, u.id, fx.now, fx.mins(32)).await,
        Error::InvalidBookingState("Booking cannot proceed to payment: add guests first".into()),
    );
    let g = fx.saved_guest(u, "Ann").await;
    repo.add_guests(b.id, u.id, vec![g.id], fx.now).await.unwrap();
    let stranger = fx.user("stranger").await;
    assert_err(repo.start_payment(b.id, stranger.id, fx.now, fx.mins(32)).await, Error::BookingNotFound(b.id));

    let t = repo.start_payment(b.id, u.id, fx.secs(1), fx.mins(32)).await.unwrap();
    assert_eq!(
        (t.from, t.changed, t.booking.status),
        (BookingStatus::GuestsAdded, true, BookingStatus::PaymentsPending)
    );
    assert_eq!((t.booking.payment_attempt, t.booking.payment_started_at), (1, Some(fx.secs(1))));
    assert_eq!((t.booking.expires_at, t.booking.payment_session_url.clone()), (Some(fx.mins(32)), None));
    let again = repo.start_payment(b.id, u.id, fx.secs(2), fx.mins(33)).await.unwrap();
    assert_eq!(
        (again.from, again.changed, again.booking.clone()),
        (BookingStatus::PaymentsPending, false, t.booking.clone())
    );

    assert_eq!(repo.store_payment_session(b.id, 2, session("cs_wrong", &fx), fx.secs(3)).await.unwrap(), None);
    let stored = repo.store_payment_session(b.id, 1, session("cs_1", &fx), fx.secs(3)).await.unwrap().unwrap();
    assert_eq!(
        (stored.payment_session_id.as_deref(), stored.payment_session_url.as_deref()),
        (Some("cs_1"), Some("https://pay.example/cs_1"))
    );
    assert_eq!(
        (stored.status, stored.expires_at, stored.payment_attempt),
        (BookingStatus::PaymentsPending, Some(fx.mins(31)), 1)
    );
    assert_eq!(fx.booking(b.id).await, stored);
    let again = repo.start_payment(b.id, u.id, fx.secs(4), fx.mins(34)).await.unwrap();
    assert_eq!(
        (again.changed, again.booking.payment_session_url.as_deref()),
        (false, Some("https://pay.example/cs_1"))
    );
    repo.abort_payment(b.id, 2, 15, fx.secs(4)).await.unwrap();
    assert_eq!(fx.booking(b.id).await.status, BookingStatus::PaymentsPending, "another attempt's failure");

    let b2 = fx.hold(u, &s.room, fx.day(20), 2, 1).await;
    repo.add_guests(b2.id, u.id, vec![g.id], fx.now).await.unwrap();
    repo.start_payment(b2.id, u.id, fx.secs(1), fx.mins(32)).await.unwrap();
    repo.abort_payment(b2.id, 1, 15, fx.secs(2)).await.unwrap();
    let back = fx.booking(b2.id).await;
    assert_eq!(
        (back.status, back.expires_at, back.payment_attempt),
        (BookingStatus::GuestsAdded, Some(b2.created_at + Duration::minutes(15)), 1)
    );
    assert_eq!(fx.counts(&s.room, fx.day(20), 2).await, vec![(0, 1), (0, 1)], "the hold is kept");
    let t = repo.start_payment(b2.id, u.id, fx.secs(3), fx.mins(33)).await.unwrap();
    assert_eq!((t.changed, t.booking.payment_attempt, t.booking.payment_started_at), (true, 2, Some(fx.secs(3))));
    assert_eq!(repo.store_payment_session(b2.id, 1, session("cs_stale", &fx), fx.secs(4)).await.unwrap(), None);
    let stored = repo.store_payment_session(b2.id, 2, session("cs_2", &fx), fx.secs(4)).await.unwrap().unwrap();
    assert_eq!(stored.payment_session_id.as_deref(), Some("cs_2"));

    fx.system(b2.id, BookingAction::PaymentSucceeded, fx.secs(5)).await.unwrap();
    assert_err(
        repo.start_payment(b2.id, u.id, fx.secs(6), fx.mins(33)).await,
        Error::InvalidBookingState("Booking cannot proceed to payment".into()),
    );
    assert_eq!(repo.store_payment_session(b2.id, 2, session("cs_late", &fx), fx.secs(6)).await.unwrap(), None);
}

/// One event delivered 3 times at once confirms once; distinct events for the paid session confirm once.
pub async fn payment_event_confirms_exactly_once(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let s = fx.setup(5).await;
    let b = fx.pending(&s.guest, &s.room, fx.day(10), "cs_A").await;
    let ev = paid("evt_1", "cs_A", &b);
    let at = fx.secs(1);
    let results = race(3, |_| {
        let repo = fx.s.bookings.clone();
        let ev = ev.clone();
        async move { repo.apply_payment_event(ev, at).await.unwrap() }
    })
    .await;
    let confirmed: Vec<&Booking> =
        results.iter().filter_map(|o| if let EventOutcome::Confirmed(b) = o { Some(b) } else { None }).collect();
    assert_eq!(confirmed.len(), 1, "{results:?}");
    assert_eq!(results.iter().filter(|o| **o == EventOutcome::Duplicate).count(), 2, "{results:?}");
    let c = confirmed[0];
    assert_eq!((c.status, c.confirmed_at, c.expires_at), (BookingStatus::Confirmed, Some(at), None));
    assert_eq!((c.payment_intent_id.as_deref(), c.refund_status), (Some("pi_evt_1"), None));
    assert_eq!(&fx.booking(b.id).await, c);
    assert_eq!(fx.counts(&s.room, fx.day(10), 2).await, vec![(1, 0), (1, 0)]);

    assert_eq!(fx.s.bookings.apply_payment_event(ev.clone(), fx.secs(2)).await.unwrap(), EventOutcome::Duplicate);
    let other_event = paid("evt_2", "cs_A", &b);
    assert_eq!(fx.s.bookings.apply_payment_event(other_event, fx.secs(2)).await.unwrap(), EventOutcome::NoEffect);
    assert_eq!(&fx.booking(b.id).await, c);
    assert_eq!(fx.counts(&s.room, fx.day(10), 2).await, vec![(1, 0), (1, 0)]);

    let b2 = fx.pending(&s.guest, &s.room, fx.day(20), "cs_B").await;
    let results = race(4, |i| {
        let repo = fx.s.bookings.clone();
        let ev = paid(&format!("evt_b{i}"), "cs_B", &b2);
        async move { repo.apply_payment_event(ev, at).await.unwrap() }
    })
    .await;
    assert_eq!(results.iter().filter(|o| matches!(o, EventOutcome::Confirmed(_))).count(), 1, "{results:?}");
    assert_eq!(results.iter().filter(|o| **o == EventOutcome::NoEffect).count(), 3, "{results:?}");
    assert_eq!(fx.counts(&s.room, fx.day(20), 2).await, vec![(1, 0), (1, 0)]);
}

/// Unlisted kinds are ignored, unknown sessions and wrong amounts or currencies are unmatched (and change
/// nothing); the session id wins over the booking id; a booking id alone finds the booking.
pub async fn payment_event_matching(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let s = fx.setup(5).await;
    let repo = &fx.s.bookings;
    let apply = |ev: PaymentEvent| repo.apply_payment_event(ev, fx.secs(1));
    let b = fx.pending(&s.guest, &s.room, fx.day(10), "cs_M").await;

    let ignored = PaymentEvent { event_type: "customer.created".into(), ..event("evt_ign", None, Some("cs_M"), &b) };
    assert_eq!(apply(ignored.clone()).await.unwrap(), EventOutcome::Ignored);
    assert_eq!(apply(ignored).await.unwrap(), EventOutcome::Duplicate);

    let nowhere = PaymentEvent { booking_id: None, ..paid("evt_u1", "cs_nope", &b) };
    assert_eq!(apply(nowhere.clone()).await.unwrap(), EventOutcome::Unmatched);
    assert_eq!(apply(nowhere).await.unwrap(), EventOutcome::Duplicate, "unmatched events are recorded");
    let missing = PaymentEvent { booking_id: Some(absent(b.id)), session_id: None, ..paid("evt_u2", "x", &b) };
    assert_eq!(apply(missing).await.unwrap(), EventOutcome::Unmatched);
    let wrong_amount = PaymentEvent { amount_minor: Some(b.amount.minor() + 1), ..paid("evt_u3", "cs_M", &b) };
    assert_eq!(apply(wrong_amount).await.unwrap(), EventOutcome::Unmatched);
    let wrong_currency = PaymentEvent { currency: Some("eur".into()), ..paid("evt_u4", "cs_M", &b) };
    assert_eq!(apply(wrong_currency).await.unwrap(), EventOutcome::Unmatched);
    assert_eq!(fx.booking(b.id).await.status, BookingStatus::PaymentsPending);
    assert_eq!(fx.counts(&s.room, fx.day(10), 2).await, vec![(0, 1), (0, 1)]);

    // The session decides, even when the booking id names another booking.
    let c = fx.hold(&s.guest, &s.room, fx.day(20), 1, 1).await;
    let by_session =
        PaymentEvent { booking_id: Some(c.id), currency: Some("USD".into()), ..paid("evt_m1", "cs_M", &b) };
    match apply(by_session).await.unwrap() {
        EventOutcome::Confirmed(got) => assert_eq!((got.id, got.status), (b.id, BookingStatus::Confirmed)),
        other => panic!("expected Confirmed, got {other:?}"),
    }
    assert_eq!(fx.booking(c.id).await.status, BookingStatus::Reserved);

    // An unknown session with the booking id: an earlier attempt's session was paid; no amount is fine.
    let d = fx.hold(&s.guest, &s.room, fx.day(30), 2, 2).await;
    let g = fx.saved_guest(&s.guest, "Ann").await;
    repo.add_guests(d.id, s.guest.id, vec![g.id], fx.now).await.unwrap();
    let earlier = PaymentEvent { amount_minor: None, currency: None, ..paid("evt_m2", "cs_earlier", &d) };
    match apply(earlier).await.unwrap() {
        EventOutcome::Confirmed(got) => assert_eq!((got.id, got.status), (d.id, BookingStatus::Confirmed)),
        other => panic!("expected Confirmed, got {other:?}"),
    }
    assert_eq!(fx.counts(&s.room, fx.day(30), 2).await, vec![(2, 0), (2, 0)]);
}

/// Failure cancels and expiry expires a pending checkout (releasing it); events for a stale session or a
/// booking not pending do nothing; an asynchronous payment keeps the hold until it settles.
pub async fn payment_event_failure_expiry_and_async(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let s = fx.setup(5).await;
    let u = &s.guest;
    let apply = |ev: PaymentEvent| fx.s.bookings.apply_payment_event(ev, fx.secs(1));
    let failed = |id: &str, session: Option<&str>, b: &Booking| event(id, Some(PaymentEventKind::Failed), session, b);
    let expired = |id: &str, session: Option<&str>, b: &Booking| event(id, Some(PaymentEventKind::Expired), session, b);

    let b1 = fx.pending(u, &s.room, fx.day(10), "cs_1").await;
    let o = apply(failed("e1", Some("cs_1"), &b1)).await.unwrap();
    assert!(matches!(&o, EventOutcome::Cancelled(b) if b.id == b1.id && b.status == BookingStatus::Cancelled), "{o:?}");
    assert_eq!(fx.booking(b1.id).await.cancelled_at, Some(fx.secs(1)));
    assert_eq!(fx.counts(&s.room, fx.day(10), 2).await, vec![(0, 0), (0, 0)]);

    let b2 = fx.pending(u, &s.room, fx.day(20), "cs_2").await;
    let o = apply(expired("e2", Some("cs_2"), &b2)).await.unwrap();
    assert!(matches!(&o, EventOutcome::Expired(b) if b.id == b2.id && b.status == BookingStatus::Expired), "{o:?}");
    assert_eq!(fx.counts(&s.room, fx.day(20), 2).await, vec![(0, 0), (0, 0)]);

    let b3 = fx.hold(u, &s.room, fx.day(30), 2, 1).await;
    assert_eq!(apply(failed("e3", None, &b3)).await.unwrap(), EventOutcome::NoEffect);
    assert_eq!(apply(expired("e3x", None, &b3)).await.unwrap(), EventOutcome::NoEffect);
    assert_eq!(fx.booking(b3.id).await.status, BookingStatus::Reserved);
    assert_eq!(fx.counts(&s.room, fx.day(30), 2).await, vec![(0, 1), (0, 1)]);

    // Another session of the booking (an abandoned attempt) failing or expiring leaves the live one alone.
    let b4 = fx.pending(u, &s.room, fx.day(40), "cs_4").await;
    assert_eq!(apply(failed("e4", Some("cs_stale"), &b4)).await.unwrap(), EventOutcome::NoEffect);
    assert_eq!(apply(expired("e4x", Some("cs_stale"), &b4)).await.unwrap(), EventOutcome::NoEffect);
    assert_eq!(fx.booking(b4.id).await.status, BookingStatus::PaymentsPending);
    assert_eq!(fx.counts(&s.room, fx.day(40), 2).await, vec![(0, 1), (0, 1)]);

    let b5 = fx.pending(u, &s.room, fx.day(50), "cs_5").await;
    let waiting = event("e5", Some(PaymentEventKind::AwaitingAsync), Some("cs_5"), &b5);
    assert_eq!(apply(waiting).await.unwrap(), EventOutcome::NoEffect);
    let w = fx.booking(b5.id).await;
    assert_eq!((w.status, w.expires_at), (BookingStatus::PaymentsPending, None));
    let swept = fx.s.bookings.expire_due(fx.mins(120), 100).await.unwrap();
    assert!(swept.iter().all(|b| b.id != b5.id), "an awaited payment is not expired");
    assert_eq!(fx.booking(b5.id).await.status, BookingStatus::PaymentsPending);
    let settled =
        PaymentEvent { event_type: "checkout.session.async_payment_succeeded".into(), ..paid("e5b", "cs_5", &b5) };
    assert!(matches!(
        fx.s.bookings.apply_payment_event(settled, fx.mins(121)).await.unwrap(),
        EventOutcome::Confirmed(_)
    ));
    assert_eq!(fx.counts(&s.room, fx.day(50), 2).await, vec![(1, 0), (1, 0)]);
    assert_eq!(apply(failed("e5c", Some("cs_5"), &b5)).await.unwrap(), EventOutcome::NoEffect, "already confirmed");
    assert_eq!(fx.booking(b5.id).await.status, BookingStatus::Confirmed);

    let b6 = fx.pending(u, &s.room, fx.day(60), "cs_6").await;
    let stale = event("e6", Some(PaymentEventKind::AwaitingAsync), Some("cs_other"), &b6);
    assert_eq!(apply(stale).await.unwrap(), EventOutcome::NoEffect);
    assert_eq!(fx.booking(b6.id).await.expires_at, Some(fx.mins(31)));
}

/// Money is never ignored: an expired booking is re-held at its frozen amount when every night is open
/// with room, else cancelled and refunded; a cancelled booking is refunded; a second payment of a booking
/// confirmed through another session is refunded and the booking stays confirmed.
pub async fn late_payment_rules(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let s = fx.setup(1).await;
    let u = &s.guest;
    let other = fx.user("other").await;
    let repo = &fx.s.bookings;

    let b1 = fx.pending(u, &s.room, fx.day(10), "cs_1").await;
    let swept = repo.expire_due(fx.mins(40), 100).await.unwrap();
    assert_eq!(swept.iter().map(|b| (b.id, b.status)).collect::<Vec<_>>(), vec![(b1.id, BookingStatus::Expired)]);
    assert_eq!(fx.counts(&s.room, fx.day(10), 2).await, vec![(0, 0), (0, 0)]);
    match repo.apply_payment_event(paid("e1", "cs_1", &b1), fx.mins(41)).await.unwrap() {
        EventOutcome::LateRehold(b) => {
            assert_eq!((b.id, b.status, b.amount, b.refund_status), (b1.id, BookingStatus::Confirmed, b1.amount, None));
            assert_eq!((b.confirmed_at, b.expires_at), (Some(fx.mins(41)), None));
        }
        o => panic!("expected LateRehold, got {o:?}"),
    }
    assert_eq!(fx.counts(&s.room, fx.day(10), 2).await, vec![(1, 0), (1, 0)]);

    // The last unit went to someone else meanwhile.
    let b2 = fx.pending(u, &s.room, fx.day(20), "cs_2").await;
    repo.expire_due(fx.mins(40), 100).await.unwrap();
    let taker = HoldRequest { expires_at: fx.mins(120), ..fx.hold_req(&other, &s.room, fx.day(20), 1, 1) };
    repo.hold(taker, plain()).await.unwrap();
    match repo.apply_payment_event(paid("e2", "cs_2", &b2), fx.mins(41)).await.unwrap() {
        EventOutcome::RefundQueued(b) => {
            assert_eq!(
                (b.id, b.status, b.refund_status),
                (b2.id, BookingStatus::Cancelled, Some(RefundStatus::Pending))
            );
            assert_eq!(b.cancelled_at, Some(fx.mins(41)));
        }
        o => panic!("expected RefundQueued, got {o:?}"),
    }
    assert_eq!(fx.counts(&s.room, fx.day(20), 2).await, vec![(0, 1), (0, 0)]);

    // A closed night blocks the re-hold too.
    let b3 = fx.pending(u, &s.room, fx.day(30), "cs_3").await;
    repo.expire_due(fx.mins(40), 100).await.unwrap();
    fx.close(&s.room, fx.day(31)).await;
    let o = repo.apply_payment_event(paid("e3", "cs_3", &b3), fx.mins(41)).await.unwrap();
    assert!(matches!(&o, EventOutcome::RefundQueued(b) if b.status == BookingStatus::Cancelled), "{o:?}");
    assert_eq!(fx.counts(&s.room, fx.day(30), 2).await, vec![(0, 0), (0, 0)]);

    // Past its deadline but not yet swept: the same late-payment rule, the hold moves exactly once.
    let b4 = fx.pending(u, &s.room, fx.day(40), "cs_4").await;
    let o = repo.apply_payment_event(paid("e4", "cs_4", &b4), fx.mins(40)).await.unwrap();
    assert!(matches!(&o, EventOutcome::LateRehold(b) if b.status == BookingStatus::Confirmed), "{o:?}");
    assert_eq!(fx.counts(&s.room, fx.day(40), 2).await, vec![(1, 0), (1, 0)]);

    // Paid after the customer cancelled: refunded, nothing re-held.
    let b5 = fx.pending(u, &s.room, fx.day(50), "cs_5").await;
    fx.by(u, b5.id, BookingAction::Cancel, fx.secs(1)).await.unwrap();
    let o = repo.apply_payment_event(paid("e5", "cs_5", &b5), fx.secs(2)).await.unwrap();
    assert!(
        matches!(&o, EventOutcome::RefundQueued(b) if b.status == BookingStatus::Cancelled && b.refund_status == Some(RefundStatus::Pending)),
        "{o:?}"
    );
    assert_eq!(fx.counts(&s.room, fx.day(50), 2).await, vec![(0, 0), (0, 0)]);

    // Confirmed through cs_6, then an abandoned session of the same booking is paid too.
    let b6 = fx.pending(u, &s.room, fx.day(60), "cs_6").await;
    assert!(matches!(
        repo.apply_payment_event(paid("e6", "cs_6", &b6), fx.secs(1)).await.unwrap(),
        EventOutcome::Confirmed(_)
    ));
    let o = repo.apply_payment_event(paid("e6b", "cs_6_old", &b6), fx.secs(2)).await.unwrap();
    let EventOutcome::DuplicatePayment { booking: got, refund } = o else {
        panic!("expected DuplicatePayment, got {o:?}")
    };
    // The booking keeps its confirmation and its own refund slot; the extra payment gets its own refund.
    assert_eq!((got.status, got.refund_status), (BookingStatus::Confirmed, None));
    assert_eq!((refund.booking_id, refund.amount), (b6.id, b6.amount));
    assert_eq!(refund.idempotency_key, format!("refund-booking-{}-cs_6_old", b6.id));
    assert_eq!(fx.counts(&s.room, fx.day(60), 2).await, vec![(1, 0), (1, 0)]);
    assert_eq!(repo.apply_payment_event(paid("e6c", "cs_6", &b6), fx.secs(3)).await.unwrap(), EventOutcome::NoEffect);
    // The same extra session reported again (another event id) is not refunded twice.
    assert_eq!(
        repo.apply_payment_event(paid("e6d", "cs_6_old", &b6), fx.secs(4)).await.unwrap(),
        EventOutcome::NoEffect
    );
    // Its refund is retried with backoff until it succeeds, and never touches the booking.
    let pending = repo.pending_payment_refunds(fx.secs(5), 100).await.unwrap();
    assert_eq!(pending.iter().map(|r| r.id).collect::<Vec<_>>(), vec![refund.id]);
    repo.record_payment_refund(refund.id, RefundAttempt::Failed, 10, fx.secs(5)).await.unwrap();
    assert!(repo.pending_payment_refunds(fx.secs(6), 100).await.unwrap().is_empty(), "backing off (2 s)");
    assert_eq!(repo.pending_payment_refunds(fx.secs(7), 100).await.unwrap().len(), 1);
    repo.record_payment_refund(refund.id, RefundAttempt::Succeeded("re_x".into()), 10, fx.secs(7)).await.unwrap();
    assert!(repo.pending_payment_refunds(fx.secs(3600), 100).await.unwrap().is_empty());
    assert_eq!(repo.booking(b6.id).await.unwrap().unwrap().refund_status, None);
}

/// The sweeper expires due holds only, oldest deadline first, up to `limit`, each exactly once, even when
/// several sweepers run at once.
pub async fn expire_due_releases_each_hold_once(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let s = fx.setup(50).await;
    let u = &s.guest;
    let repo = &fx.s.bookings;
    let sweep = |at, limit| repo.expire_due(at, limit);
    let ids = |v: Vec<Booking>| v.into_iter().map(|b| b.id).collect::<Vec<_>>();

    let b1 = fx.hold(u, &s.room, fx.day(10), 1, 1).await;
    let b2 = repo.hold(HoldRequest { expires_at: fx.mins(20), ..fx.hold_req(u, &s.room, fx.day(10), 1, 1) }, plain());
    let b2 = b2.await.unwrap();
    let b3 = fx.hold(u, &s.room, fx.day(10), 1, 1).await;
    fx.by(u, b3.id, BookingAction::Cancel, fx.now).await.unwrap();
    let b4 = fx.hold(u, &s.room, fx.day(10), 1, 1).await;
    fx.system(b4.id, BookingAction::PaymentSucceeded, fx.now).await.unwrap();
    let b5 = fx.pending(u, &s.room, fx.day(10), "cs_5").await;

    assert_eq!(sweep(fx.mins(14), 100).await.unwrap(), vec![]);
    let first = sweep(fx.mins(16), 100).await.unwrap();
    assert_eq!(
        first.iter().map(|b| (b.id, b.status, b.expires_at)).collect::<Vec<_>>(),
        vec![(b1.id, BookingStatus::Expired, None)]
    );
    assert_eq!(sweep(fx.mins(16), 100).await.unwrap(), vec![]);
    assert_eq!(ids(sweep(fx.mins(40), 100).await.unwrap()), vec![b2.id, b5.id], "by deadline");
    assert_eq!(fx.booking(b5.id).await.status, BookingStatus::Expired);
    assert_eq!(fx.counts(&s.room, fx.day(10), 2).await, vec![(1, 0), (0, 0)]);

    let mut batch = HashSet::new();
    for _ in 0..5 {
        batch.insert(fx.hold(u, &s.room, fx.day(20), 1, 1).await.id);
    }
    let mut seen = HashSet::new();
    for want in [2, 2, 1, 0] {
        let got = ids(sweep(fx.mins(16), 2).await.unwrap());
        assert_eq!(got.len(), want);
        seen.extend(got);
    }
    assert_eq!(seen, batch);

    let mut many = HashSet::new();
    for _ in 0..12 {
        many.insert(fx.hold(u, &s.room, fx.day(30), 1, 1).await.id);
    }
    let at = fx.mins(16);
    let results = race(4, |_| {
        let repo = fx.s.bookings.clone();
        async move { repo.expire_due(at, 100).await.unwrap() }
    })
    .await;
    let all: Vec<BookingId> = results.into_iter().flat_map(ids).collect();
    assert_eq!(all.len(), 12, "each hold expired once: {all:?}");
    assert_eq!(all.into_iter().collect::<HashSet<_>>(), many);
    assert_eq!(fx.counts(&s.room, fx.day(30), 1).await, vec![(0, 0)]);
    assert_eq!(fx.counts(&s.room, fx.day(20), 1).await, vec![(0, 0)]);
}

/// A confirmed booking of the setup's guest, cancelled before check-in: refund PENDING.
async fn refunded_booking(fx: &Fx, s: &Setup, day: i64) -> Booking {
    let b = fx.hold(&s.guest, &s.room, fx.day(day), 1, 1).await;
    fx.system(b.id, BookingAction::PaymentSucceeded, fx.now).await.unwrap();
    let t = fx.by(&s.guest, b.id, BookingAction::Cancel, fx.now).await.unwrap();
    assert_eq!((t.booking.refund_status, t.booking.refund_attempts), (Some(RefundStatus::Pending), 0));
    t.booking
}

/// Refunds are retried after `2^attempts` seconds; success stores the refund id; `max_attempts` failures
/// mark FAILED.
pub async fn refund_queue_and_backoff(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let s = fx.setup(10).await;
    let repo = &fx.s.bookings;
    let refunded = |day: i64| refunded_booking(&fx, &s, day);
    let due =
        |at| async move { repo.pending_refunds(at, 100).await.unwrap().into_iter().map(|b| b.id).collect::<Vec<_>>() };

    let b = refunded(10).await;
    let listed = repo.pending_refunds(fx.now + Duration::milliseconds(1500), 100).await.unwrap();
    assert_eq!(
        listed.iter().map(|x| (x.id, x.refund_status)).collect::<Vec<_>>(),
        vec![(b.id, Some(RefundStatus::Pending))]
    );

    repo.record_refund(b.id, RefundAttempt::Failed, 3, fx.secs(1)).await.unwrap();
    let after = fx.booking(b.id).await;
    assert_eq!(
        (after.refund_status, after.refund_attempts, after.refund_id.clone()),
        (Some(RefundStatus::Pending), 1, None)
    );
    assert_eq!(due(fx.secs(2)).await, vec![], "1 s after the first failed attempt");
    assert_eq!(due(fx.secs(3)).await, vec![b.id], "2^1 s after it");
    assert_eq!(due(fx.mins(60)).await, vec![b.id]);
    repo.record_refund(b.id, RefundAttempt::Failed, 3, fx.mins(60)).await.unwrap();
    assert_eq!(fx.booking(b.id).await.refund_attempts, 2);
    assert_eq!(due(fx.mins(60) + Duration::seconds(3)).await, vec![], "2^2 s after the second");
    assert_eq!(due(fx.mins(120)).await, vec![b.id]);
    repo.record_refund(b.id, RefundAttempt::Failed, 3, fx.mins(120)).await.unwrap();
    let failed = fx.booking(b.id).await;
    assert_eq!((failed.refund_status, failed.refund_attempts), (Some(RefundStatus::Failed), 3));
    assert_eq!(due(fx.mins(240)).await, vec![]);

    let b2 = refunded(11).await;
    repo.record_refund(b2.id, RefundAttempt::Succeeded("re_1".into()), 3, fx.now).await.unwrap();
    let ok = fx.booking(b2.id).await;
    assert_eq!(
        (ok.refund_status, ok.refund_id.as_deref(), ok.status),
        (Some(RefundStatus::Succeeded), Some("re_1"), BookingStatus::Cancelled)
    );
    repo.record_refund(b2.id, RefundAttempt::Failed, 3, fx.now).await.unwrap();
    repo.record_refund(b.id, RefundAttempt::Succeeded("re_late".into()), 3, fx.now).await.unwrap();
    let settled = |b: &Booking| (b.refund_status, b.refund_id.clone(), b.refund_attempts);
    assert_eq!(settled(&fx.booking(b2.id).await), settled(&ok), "a settled refund stays settled");
    assert_eq!(settled(&fx.booking(b.id).await), settled(&failed), "a failed refund stays failed");
    assert_eq!(due(fx.mins(240)).await, vec![]);

    let b3 = refunded(12).await;
    let b4 = refunded(13).await;
    assert_eq!(repo.pending_refunds(fx.mins(240), 1).await.unwrap().len(), 1);
    let mut both = due(fx.mins(240)).await;
    both.sort();
    assert_eq!(both, vec![b3.id, b4.id]);
}

/// A booking paid, cancelled (its refund queued in its own slot), then paid again through another session: the
/// second payment gets its own refund record and key, and the booking keeps the first payment's reference, so
/// both payments end refunded. The same holds for a hold cancelled before any payment and then paid twice.
pub async fn every_payment_of_a_cancelled_booking_is_refunded(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let s = fx.setup(5).await;
    let u = &s.guest;
    let repo = &fx.s.bookings;

    let b = fx.pending(u, &s.room, fx.day(10), "cs_1").await;
    assert!(matches!(
        repo.apply_payment_event(paid("e1", "cs_1", &b), fx.secs(1)).await.unwrap(),
        EventOutcome::Confirmed(_)
    ));
    fx.by(u, b.id, BookingAction::Cancel, fx.secs(2)).await.unwrap();
    let cancelled = fx.booking(b.id).await;
    assert_eq!(
        (cancelled.refund_status, cancelled.payment_intent_id.as_deref()),
        (Some(RefundStatus::Pending), Some("pi_e1"))
    );

    let o = repo.apply_payment_event(paid("e2", "cs_2", &b), fx.secs(3)).await.unwrap();
    let EventOutcome::DuplicatePayment { booking: got, refund } = o else {
        panic!("expected DuplicatePayment, got {o:?}")
    };
    assert_eq!((got.status, got.payment_intent_id.as_deref()), (BookingStatus::Cancelled, Some("pi_e1")));
    assert_eq!((refund.payment_intent.as_deref(), refund.amount), (Some("pi_e2"), b.amount));
    assert_eq!(refund.idempotency_key, format!("refund-booking-{}-cs_2", b.id));
    assert_ne!(refund.idempotency_key, format!("refund-booking-{}", b.id));
    // The booking's own refund is untouched and still targets the first payment.
    let after = fx.booking(b.id).await;
    assert_eq!((after.refund_status, after.payment_intent_id.as_deref()), (Some(RefundStatus::Pending), Some("pi_e1")));
    // Both are retried until they succeed.
    let due: Vec<BookingId> = repo.pending_refunds(fx.secs(4), 100).await.unwrap().iter().map(|b| b.id).collect();
    assert_eq!(due, vec![b.id]);
    let due: Vec<i64> = repo.pending_payment_refunds(fx.secs(4), 100).await.unwrap().iter().map(|r| r.id).collect();
    assert_eq!(due, vec![refund.id]);
    // A redelivery of either payment changes nothing.
    assert_eq!(repo.apply_payment_event(paid("e1b", "cs_1", &b), fx.secs(5)).await.unwrap(), EventOutcome::NoEffect);
    assert_eq!(repo.apply_payment_event(paid("e2b", "cs_2", &b), fx.secs(5)).await.unwrap(), EventOutcome::NoEffect);

    // A hold cancelled before any payment, then paid through two sessions: the first goes to the booking's
    // own refund slot, the second to its own record.
    let h = fx.pending(u, &s.room, fx.day(20), "cs_h1").await;
    fx.by(u, h.id, BookingAction::Cancel, fx.secs(1)).await.unwrap();
    let o = repo.apply_payment_event(paid("h1", "cs_h1", &h), fx.secs(2)).await.unwrap();
    assert!(matches!(&o, EventOutcome::RefundQueued(x) if x.payment_intent_id.as_deref() == Some("pi_h1")), "{o:?}");
    let o = repo.apply_payment_event(paid("h2", "cs_h_old", &h), fx.secs(3)).await.unwrap();
    assert!(
        matches!(&o, EventOutcome::DuplicatePayment { refund, .. } if refund.payment_intent.as_deref() == Some("pi_h2")),
        "{o:?}"
    );
    assert_eq!(fx.booking(h.id).await.payment_intent_id.as_deref(), Some("pi_h1"));
    assert_eq!(fx.counts(&s.room, fx.day(20), 2).await, vec![(0, 0), (0, 0)]);
}
