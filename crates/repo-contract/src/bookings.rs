//! `BookingRepository`: holds, the state machine and its inventory effects, guests, lists.
//!
//! Long on purpose: one scenario per test, each spelling out its timeline and counts in full.

use crate::StoreFactory;
use crate::fixtures::*;
use chrono::Duration;
use domain::Error;
use domain::model::*;
use domain::ports::{Actor, Transitioned};
use domain::pricing::{PricingPolicy, Strategy};
use std::collections::HashSet;

/// A hold reserves `n` on every night (not the check-out day), freezes the quote and stores the booking.
pub async fn hold_reserves_and_prices_the_stay(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let s = fx.setup(5).await;
    fx.patch_night(
        &s.room,
        fx.day(11),
        InventoryPatch { surge_factor: Some(dec("1.25")), ..InventoryPatch::default() },
    )
    .await;
    let b = fx.hold(&s.guest, &s.room, fx.day(10), 3, 2).await;
    assert_eq!((b.hotel_id, b.room_id, b.user_id), (s.hotel.id, s.room.id, s.guest.id));
    assert_eq!((b.check_in_date, b.check_out_date, b.nights, b.rooms_count), (fx.day(10), fx.day(13), 3, 2));
    assert_eq!((b.status, b.amount, b.currency.as_str()), (BookingStatus::Reserved, money(65_000), "USD"));
    assert_eq!((b.created_at, b.expires_at), (fx.now, Some(fx.mins(15))));
    assert_eq!((b.hotel_name.as_str(), b.room_type.as_str(), b.guests.clone()), ("Grand", "Double", vec![]));
    assert_eq!((b.payment_attempt, b.payment_started_at, b.payment_session_id.clone()), (0, None, None));
    assert_eq!((b.payment_session_url.clone(), b.payment_intent_id.clone()), (None, None));
    assert_eq!((b.refund_status, b.refund_id.clone(), b.refund_attempts), (None, None, 0));
    assert_eq!((b.confirmed_at, b.cancelled_at), (None, None));
    assert_eq!(fx.s.bookings.booking(b.id).await.unwrap(), Some(b.clone()));
    assert_eq!(fx.counts(&s.room, fx.day(9), 5).await, vec![(0, 0), (0, 2), (0, 2), (0, 2), (0, 0)]);

    // The quote uses the policy as of the request's day; occupancy counts the rooms held before this one.
    let urgent =
        fx.s.bookings
            .hold(fx.hold_req(&s.guest, &s.room, fx.day(1), 1, 1), PricingPolicy::new(&[Strategy::Urgency], []));
    assert_eq!(urgent.await.unwrap().amount, money(11_500));
    let occupancy = PricingPolicy::new(&[Strategy::Occupancy], []);
    let first = fx.s.bookings.hold(fx.hold_req(&s.guest, &s.room, fx.day(20), 1, 4), occupancy.clone()).await.unwrap();
    assert_eq!(first.amount, money(40_000), "0 of 5 taken before this quote");
    let second = fx.s.bookings.hold(fx.hold_req(&s.guest, &s.room, fx.day(20), 1, 1), occupancy).await.unwrap();
    assert_eq!(second.amount, money(12_000), "4 of 5 taken: × 1.20");
    assert_eq!(fx.counts(&s.room, fx.day(20), 1).await, vec![(0, 5)]);
}

/// Hotel 404, room 404 (missing or another hotel's), inactive hotel, unavailable, amount bounds — in that
/// order, and a failed hold changes nothing.
pub async fn hold_errors_in_order_change_nothing(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let owner = fx.manager("owner").await;
    let u = fx.user("guest").await;
    let sleepy = fx.hotel(&owner, "Sleepy", Some("Lisbon"), false).await;
    let room = fx.room(&sleepy, "Double", 10_000, 5, 2).await;
    let other = fx.hotel(&owner, "Other", Some("Lisbon"), true).await;
    let foreign_room = fx.room(&other, "Double", 10_000, 5, 2).await;
    let hold = |req: HoldRequest| fx.s.bookings.hold(req, plain());
    let base = fx.hold_req(&u, &room, fx.day(10), 2, 1);
    let no_hotel = absent(other.id);
    let no_room = absent(foreign_room.id);

    let req = HoldRequest { hotel_id: no_hotel, room_id: no_room, ..base.clone() };
    assert_err(hold(req).await, Error::HotelNotFound(format!("Hotel not found: {no_hotel}")));
    let req = HoldRequest { room_id: no_room, ..base.clone() };
    assert_err(hold(req).await, Error::RoomNotFound(format!("Room not found: {no_room}")));
    let req = HoldRequest { room_id: foreign_room.id, ..base.clone() };
    assert_err(hold(req).await, Error::RoomNotFound(format!("Room not found: {}", foreign_room.id)));
    fx.close(&room, fx.day(11)).await;
    assert_err(hold(base.clone()).await, Error::HotelNotActive);

    fx.s.catalog.set_hotel_active(sleepy.id, true, fx.now).await.unwrap();
    assert_err(hold(base.clone()).await, Error::RoomUnavailable);
    assert_err(hold(fx.hold_req(&u, &room, fx.day(363), 3, 1)).await, Error::RoomUnavailable);
    assert_err(hold(fx.hold_req(&u, &room, fx.day(1), 1, 6)).await, Error::RoomUnavailable);

    let cheap = fx.room(&sleepy, "Cheap", 50, 5, 2).await;
    assert_err(hold(fx.hold_req(&u, &cheap, fx.day(1), 1, 1)).await, Error::AmountOutOfRange);
    fx.close(&cheap, fx.day(1)).await;
    assert_err(hold(fx.hold_req(&u, &cheap, fx.day(1), 1, 1)).await, Error::RoomUnavailable);
    assert_eq!(hold(fx.hold_req(&u, &cheap, fx.day(2), 2, 1)).await.unwrap().amount, money(100), "1.00 is payable");
    let lavish = fx.room(&sleepy, "Lavish", 100_000_000, 5, 2).await;
    assert_err(hold(fx.hold_req(&u, &lavish, fx.day(1), 1, 1)).await, Error::AmountOutOfRange);
    let top = fx.room(&sleepy, "Top", 99_999_999, 5, 2).await;
    assert_eq!(hold(fx.hold_req(&u, &top, fx.day(1), 1, 1)).await.unwrap().amount, MAX_PAYABLE);

    assert_eq!(fx.counts(&room, fx.day(1), 12).await, vec![(0, 0); 12]);
    assert_eq!(fx.counts(&cheap, fx.day(1), 1).await, vec![(0, 0)]);
    assert_eq!(fx.counts(&lavish, fx.day(1), 1).await, vec![(0, 0)]);
    let listed = fx.s.bookings.bookings_of_user(u.id, None, fx.now, Page::DEFAULT).await.unwrap();
    assert_eq!(listed.total, 2, "only the two successful holds exist");
}

/// The cap counts the user's unexpired RESERVED / GUESTS_ADDED / PAYMENTS_PENDING bookings and is checked
/// before availability.
pub async fn hold_cap_counts_unexpired_holds(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let s = fx.setup(10).await;
    let u = &s.guest;
    let capped = |day: i64, at: chrono::DateTime<chrono::Utc>| HoldRequest {
        max_active_holds: 2,
        now: at,
        expires_at: at + Duration::minutes(15),
        ..fx.hold_req(u, &s.room, fx.day(day), 1, 1)
    };
    let hold = |req: HoldRequest| fx.s.bookings.hold(req, plain());
    let too_many = Error::LimitExceeded("Too many active holds");

    let b1 = hold(capped(10, fx.now)).await.unwrap();
    let b2 = hold(capped(11, fx.now)).await.unwrap();
    assert_err(hold(capped(12, fx.now)).await, too_many.clone());
    fx.close(&s.room, fx.day(13)).await;
    assert_err(hold(capped(13, fx.now)).await, too_many.clone());
    let other = fx.user("other").await;
    hold(HoldRequest { user_id: other.id, ..capped(12, fx.now) }).await.unwrap();

    fx.by(u, b1.id, BookingAction::Cancel, fx.now).await.unwrap();
    let b3 = hold(capped(12, fx.now)).await.unwrap();
    assert_err(hold(capped(14, fx.now)).await, too_many.clone());
    fx.system(b2.id, BookingAction::PaymentSucceeded, fx.now).await.unwrap();
    hold(capped(14, fx.now)).await.unwrap();
    assert_err(hold(capped(15, fx.now)).await, too_many.clone());

    // PAYMENTS_PENDING counts as a hold too.
    fx.to_pending(u, &b3, "cs_cap").await;
    assert_err(hold(capped(15, fx.now)).await, too_many.clone());

    // Holds past their deadline no longer count, even before the sweeper persists the expiry.
    let later = fx.mins(40);
    hold(capped(15, later)).await.unwrap();
    hold(capped(16, later)).await.unwrap();
    assert_err(hold(capped(17, later)).await, too_many);
}

/// 50 simultaneous holds for the last 3 units: exactly 3 bookings, reserved exactly 3 on every night.
pub async fn concurrent_holds_never_oversell(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let s = fx.setup(3).await;
    let mut users = Vec::new();
    for i in 0..50 {
        users.push(fx.user(&format!("racer{i}")).await);
    }
    let results = race(50, |i| {
        let bookings = fx.s.bookings.clone();
        let req = fx.hold_req(&users[i], &s.room, fx.day(10), 2, 1);
        async move { bookings.hold(req, plain()).await }
    })
    .await;
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 3);
    for r in &results {
        if let Err(e) = r {
            assert_eq!(*e, Error::RoomUnavailable);
        }
    }
    assert_eq!(fx.counts(&s.room, fx.day(9), 4).await, vec![(0, 0), (0, 3), (0, 3), (0, 0)]);
    let listed = fx.s.bookings.bookings_of_hotel(s.hotel.id, None, fx.now, Page::DEFAULT).await.unwrap();
    assert_eq!(listed.total, 3);
}

/// Simultaneous holds of one user never exceed the cap.
pub async fn concurrent_holds_respect_the_cap(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let s = fx.setup(20).await;
    let results = race(10, |_| {
        let bookings = fx.s.bookings.clone();
        let req = HoldRequest { max_active_holds: 3, ..fx.hold_req(&s.guest, &s.room, fx.day(10), 1, 1) };
        async move { bookings.hold(req, plain()).await }
    })
    .await;
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 3);
    for r in &results {
        if let Err(e) = r {
            assert_eq!(*e, Error::LimitExceeded("Too many active holds"));
        }
    }
    assert_eq!(fx.counts(&s.room, fx.day(10), 1).await, vec![(0, 3)]);
}

/// Cancel: holds release their rooms; confirmed stays before check-in release and queue a full refund;
/// other users' bookings are invisible; terminal states refuse.
pub async fn cancel_rules(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let s = fx.setup(5).await;
    let stranger = fx.user("stranger").await;
    let b = fx.hold(&s.guest, &s.room, fx.day(10), 2, 2).await;
    assert_err(fx.by(&stranger, b.id, BookingAction::Cancel, fx.now).await, Error::BookingNotFound(b.id));
    assert_err(
        fx.by(&s.guest, absent(b.id), BookingAction::Cancel, fx.now).await,
        Error::BookingNotFound(absent(b.id)),
    );
    assert_eq!(fx.booking(b.id).await.status, BookingStatus::Reserved);

    let t = fx.by(&s.guest, b.id, BookingAction::Cancel, fx.secs(1)).await.unwrap();
    assert_eq!((t.from, t.changed, t.booking.status), (BookingStatus::Reserved, true, BookingStatus::Cancelled));
    assert_eq!((t.booking.cancelled_at, t.booking.expires_at, t.booking.refund_status), (Some(fx.secs(1)), None, None));
    assert_eq!(fx.booking(b.id).await, t.booking);
    assert_eq!(fx.counts(&s.room, fx.day(10), 2).await, vec![(0, 0), (0, 0)]);
    assert_err(
        fx.by(&s.guest, b.id, BookingAction::Cancel, fx.secs(2)).await,
        Error::InvalidBookingState("Booking cannot be cancelled in status CANCELLED".into()),
    );

    let c = fx.hold(&s.guest, &s.room, fx.day(10), 1, 1).await;
    let t = fx.system(c.id, BookingAction::PaymentSucceeded, fx.secs(1)).await.unwrap();
    assert_eq!(
        (t.booking.status, t.booking.confirmed_at, t.booking.expires_at),
        (BookingStatus::Confirmed, Some(fx.secs(1)), None)
    );
    assert_eq!(fx.counts(&s.room, fx.day(10), 1).await, vec![(1, 0)]);
    let t = fx.by(&s.guest, c.id, BookingAction::Cancel, fx.secs(2)).await.unwrap();
    assert_eq!((t.from, t.changed, t.booking.status), (BookingStatus::Confirmed, true, BookingStatus::Cancelled));
    assert_eq!((t.booking.refund_status, t.booking.cancelled_at), (Some(RefundStatus::Pending), Some(fx.secs(2))));
    assert_eq!(fx.counts(&s.room, fx.day(10), 1).await, vec![(0, 0)]);

    let today = fx.hold(&s.guest, &s.room, fx.today, 1, 1).await;
    fx.system(today.id, BookingAction::PaymentSucceeded, fx.now).await.unwrap();
    assert_err(
        fx.by(&s.guest, today.id, BookingAction::Cancel, fx.now).await,
        Error::InvalidBookingState("Confirmed bookings can only be cancelled before the check-in date".into()),
    );
    assert_eq!(fx.booking(today.id).await.status, BookingStatus::Confirmed);
    assert_eq!(fx.counts(&s.room, fx.today, 1).await, vec![(1, 0)]);

    let p = fx.pending(&s.guest, &s.room, fx.day(20), "cs_cancel").await;
    let t = fx.by(&s.guest, p.id, BookingAction::Cancel, fx.now).await.unwrap();
    assert_eq!(
        (t.from, t.booking.status, t.booking.refund_status),
        (BookingStatus::PaymentsPending, BookingStatus::Cancelled, None)
    );
    assert_eq!(fx.counts(&s.room, fx.day(20), 2).await, vec![(0, 0), (0, 0)]);
}

/// A hold past `expires_at` is expired (status EXPIRED, rooms released once, committed) before a client
/// action fails with `BookingExpired`; system actions then see EXPIRED.
pub async fn overdue_hold_expires_before_client_actions(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let s = fx.setup(10).await;
    let keeper = HoldRequest { expires_at: fx.mins(120), ..fx.hold_req(&s.guest, &s.room, fx.day(10), 2, 1) };
    fx.s.bookings.hold(keeper, plain()).await.unwrap();
    let b = fx.hold(&s.guest, &s.room, fx.day(10), 2, 2).await;
    let late = fx.mins(16);

    assert_err(fx.by(&s.guest, b.id, BookingAction::Cancel, late).await, Error::BookingExpired);
    let stored = fx.booking(b.id).await;
    assert_eq!((stored.status, stored.expires_at), (BookingStatus::Expired, None));
    assert_eq!(fx.counts(&s.room, fx.day(10), 2).await, vec![(0, 1), (0, 1)]);
    assert_err(fx.by(&s.guest, b.id, BookingAction::Cancel, late).await, Error::BookingExpired);
    assert_err(fx.s.bookings.add_guests(b.id, s.guest.id, vec![], late).await, Error::BookingExpired);
    assert_eq!(fx.counts(&s.room, fx.day(10), 2).await, vec![(0, 1), (0, 1)], "released once");

    // The deadline itself counts as passed.
    let at = fx.hold(&s.guest, &s.room, fx.day(30), 1, 1).await;
    assert_err(fx.by(&s.guest, at.id, BookingAction::Cancel, fx.mins(15)).await, Error::BookingExpired);
    let before = fx.hold(&s.guest, &s.room, fx.day(31), 1, 1).await;
    fx.by(&s.guest, before.id, BookingAction::Cancel, fx.mins(15) - Duration::seconds(1)).await.unwrap();

    let g = fx.saved_guest(&s.guest, "Ann").await;
    let c = fx.hold(&s.guest, &s.room, fx.day(12), 1, 1).await;
    assert_err(fx.s.bookings.add_guests(c.id, s.guest.id, vec![g.id], late).await, Error::BookingExpired);
    let c = fx.booking(c.id).await;
    assert_eq!((c.status, c.guests.len()), (BookingStatus::Expired, 0));
    assert_eq!(fx.counts(&s.room, fx.day(12), 1).await, vec![(0, 0)]);

    let d = fx.hold(&s.guest, &s.room, fx.day(13), 1, 1).await;
    fx.s.bookings.add_guests(d.id, s.guest.id, vec![g.id], fx.now).await.unwrap();
    assert_err(
        fx.s.bookings.start_payment(d.id, s.guest.id, late, late + Duration::minutes(32)).await,
        Error::BookingExpired,
    );
    let d = fx.booking(d.id).await;
    assert_eq!((d.status, d.payment_attempt), (BookingStatus::Expired, 0));
    assert_eq!(fx.counts(&s.room, fx.day(13), 1).await, vec![(0, 0)]);

    let e = fx.hold(&s.guest, &s.room, fx.day(14), 1, 1).await;
    let t = fx.system(e.id, BookingAction::HoldTimeout, late).await.unwrap();
    assert_eq!((t.from, t.changed, t.booking.status), (BookingStatus::Reserved, true, BookingStatus::Expired));
    let t = fx.system(e.id, BookingAction::HoldTimeout, late).await.unwrap();
    assert_eq!((t.from, t.changed, t.booking.status), (BookingStatus::Expired, false, BookingStatus::Expired));
    assert_eq!(fx.counts(&s.room, fx.day(14), 1).await, vec![(0, 0)]);
}

/// The same action raced 8 times on one booking moves inventory once.
pub async fn concurrent_identical_transitions_apply_once(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let s = fx.setup(10).await;
    let b1 = fx.hold(&s.guest, &s.room, fx.day(10), 2, 2).await;
    let b2 = fx.hold(&s.guest, &s.room, fx.day(10), 2, 2).await;
    let b3 = fx.hold(&s.guest, &s.room, fx.day(10), 2, 2).await;
    let (repo, now) = (fx.s.bookings.clone(), fx.now);
    let run = |id: BookingId, actor: Actor, action: BookingAction| {
        let repo = repo.clone();
        race(8, move |_| {
            let bookings = repo.clone();
            async move { bookings.transition(id, actor, action, now, 15).await }
        })
    };

    let cancels = run(b1.id, Actor { user_id: Some(s.guest.id) }, BookingAction::Cancel).await;
    let ok: Vec<&Transitioned> = cancels.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(ok.len(), 1, "{cancels:?}");
    assert_eq!((ok[0].from, ok[0].changed), (BookingStatus::Reserved, true));
    for r in cancels.iter().filter(|r| r.is_err()) {
        assert_eq!(
            r.as_ref().unwrap_err(),
            &Error::InvalidBookingState("Booking cannot be cancelled in status CANCELLED".into())
        );
    }

    for (b, action, to) in [
        (&b2, BookingAction::PaymentSucceeded, BookingStatus::Confirmed),
        (&b3, BookingAction::HoldTimeout, BookingStatus::Expired),
    ] {
        let results: Vec<Transitioned> =
            run(b.id, Actor { user_id: None }, action).await.into_iter().map(|r| r.unwrap()).collect();
        let winners: Vec<&Transitioned> = results.iter().filter(|t| t.changed).collect();
        assert_eq!(winners.len(), 1, "{action:?}: {results:?}");
        assert_eq!(winners[0].from, BookingStatus::Reserved);
        for t in results.iter().filter(|t| !t.changed) {
            assert_eq!((t.from, t.booking.status), (to, to));
        }
        assert_eq!(fx.booking(b.id).await.status, to);
    }
    assert_eq!(fx.counts(&s.room, fx.day(10), 2).await, vec![(2, 0), (2, 0)]);
}

/// Cancel, HoldTimeout and PaymentSucceeded raced on each of 20 bookings: exactly one transition takes the
/// hold, and the counts match the final statuses (booked = confirmed bookings, nothing left reserved).
pub async fn concurrent_cancel_timeout_and_payment(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let s = fx.setup(20).await;
    let mut ids = Vec::new();
    for _ in 0..20 {
        ids.push(fx.hold(&s.guest, &s.room, fx.day(10), 2, 1).await.id);
    }
    let results = race(60, |i| {
        let bookings = fx.s.bookings.clone();
        let id = ids[i / 3];
        let (actor, action) = match i % 3 {
            0 => (Actor { user_id: Some(s.guest.id) }, BookingAction::Cancel),
            1 => (Actor { user_id: None }, BookingAction::HoldTimeout),
            _ => (Actor { user_id: None }, BookingAction::PaymentSucceeded),
        };
        let now = fx.now;
        async move { bookings.transition(id, actor, action, now, 15).await }
    })
    .await;

    let mut confirmed = 0;
    for (k, id) in ids.iter().enumerate() {
        let mine = &results[k * 3..k * 3 + 3];
        let takers = mine.iter().filter(|r| matches!(r, Ok(t) if t.changed && t.from.is_hold())).count();
        assert_eq!(takers, 1, "booking {id}: {mine:?}");
        assert!(mine[1].is_ok() && mine[2].is_ok(), "system actions never fail: {mine:?}");
        if let Err(e) = &mine[0] {
            assert_eq!(*e, Error::BookingExpired, "cancel can only lose to the timeout");
        }
        let b = fx.booking(*id).await;
        match b.status {
            BookingStatus::Confirmed => {
                confirmed += 1;
                assert_eq!(b.refund_status, None);
            }
            BookingStatus::Cancelled => assert_eq!(b.refund_status, Some(RefundStatus::Pending), "paid, then refunded"),
            other => panic!("booking {id} ended {other}"),
        }
    }
    assert_eq!(fx.counts(&s.room, fx.day(10), 2).await, vec![(confirmed, 0), (confirmed, 0)]);
}

/// addGuests links live guests of the booking's user (duplicates collapse, union with earlier links),
/// checks capacity × rooms, fails on the first bad id without linking anything, and keeps deleted guests.
pub async fn add_guests_rules(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let s = fx.setup(10).await;
    let u = &s.guest;
    let other = fx.user("other").await;
    let add = |id: BookingId, user: UserId, guests: Vec<GuestId>| fx.s.bookings.add_guests(id, user, guests, fx.now);
    let g1 = fx.saved_guest(u, "G1").await;
    let g2 = fx.saved_guest(u, "G2").await;
    let g3 = fx.saved_guest(u, "G3").await;
    let gx = fx.saved_guest(&other, "GX").await;
    let gd = fx.saved_guest(u, "GD").await;
    assert!(fx.s.guests.delete_guest(u.id, gd.id, fx.now).await.unwrap());

    let b = fx.hold(u, &s.room, fx.day(10), 1, 1).await;
    let got = add(b.id, u.id, vec![g2.id, g1.id, g2.id]).await.unwrap();
    assert_eq!((got.status, got.guests.clone()), (BookingStatus::GuestsAdded, vec![g1.clone(), g2.clone()]));
    assert_eq!(fx.booking(b.id).await, got);
    assert_err(add(b.id, u.id, vec![g3.id]).await, Error::TooManyGuests(2));
    assert_eq!(add(b.id, u.id, vec![g1.id]).await.unwrap().guests, vec![g1.clone(), g2.clone()]);
    assert_err(add(b.id, other.id, vec![gx.id]).await, Error::BookingNotFound(b.id));

    let b2 = fx.hold(u, &s.room, fx.day(10), 1, 2).await;
    assert_err(add(b2.id, u.id, vec![g1.id, gx.id, gd.id]).await, Error::GuestNotFound(gx.id));
    assert_err(add(b2.id, u.id, vec![gd.id, gx.id]).await, Error::GuestNotFound(gd.id));
    assert_err(add(b2.id, u.id, vec![absent(gx.id)]).await, Error::GuestNotFound(absent(gx.id)));
    let unchanged = fx.booking(b2.id).await;
    assert_eq!((unchanged.status, unchanged.guests.len()), (BookingStatus::Reserved, 0));
    let got = add(b2.id, u.id, vec![g3.id, g1.id, g2.id]).await.unwrap();
    assert_eq!(got.guests, vec![g1.clone(), g2.clone(), g3.clone()]);
    assert!(fx.s.guests.delete_guest(u.id, g3.id, fx.now).await.unwrap());
    assert_eq!(fx.booking(b2.id).await.guests, vec![g1.clone(), g2.clone(), g3.clone()], "deleted guests stay shown");
    let listed = fx.s.bookings.bookings_of_user(u.id, None, fx.now, Page::DEFAULT).await.unwrap();
    assert_eq!(listed.items.iter().find(|x| x.id == b2.id).unwrap().guests.len(), 3);

    // A new capacity applies to later checks.
    let patch = RoomPatch { capacity: Some(1), ..RoomPatch::default() };
    fx.s.catalog.update_room(s.room.id, patch, fx.today, fx.now).await.unwrap();
    let b3 = fx.hold(u, &s.room, fx.day(10), 1, 1).await;
    assert_err(add(b3.id, u.id, vec![g1.id, g2.id]).await, Error::TooManyGuests(1));

    fx.system(b.id, BookingAction::PaymentSucceeded, fx.now).await.unwrap();
    assert_err(
        add(b.id, u.id, vec![g1.id]).await,
        Error::InvalidBookingState("Guests cannot be added to a booking in status CONFIRMED".into()),
    );
    let p = fx.pending(u, &s.room, fx.day(20), "cs_guests").await;
    assert_err(
        add(p.id, u.id, vec![g1.id]).await,
        Error::InvalidBookingState("Guests cannot be added to a booking in status PAYMENTS_PENDING".into()),
    );
    fx.by(u, b3.id, BookingAction::Cancel, fx.now).await.unwrap();
    assert_err(
        add(b3.id, u.id, vec![g1.id]).await,
        Error::InvalidBookingState("Guests cannot be added to a booking in status CANCELLED".into()),
    );
}

/// Lists by id descending with totals; the status filter uses the effective status (a hold past its
/// deadline is EXPIRED for every read, API.md §4.2).
pub async fn booking_lists(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let s = fx.setup(10).await;
    let u = &s.guest;
    let other = fx.user("other").await;
    let b1 = fx.hold(u, &s.room, fx.day(10), 1, 1).await;
    let b2 = fx.hold(u, &s.room, fx.day(10), 1, 1).await;
    let long = HoldRequest { expires_at: fx.mins(60), ..fx.hold_req(u, &s.room, fx.day(10), 1, 1) };
    let b3 = fx.s.bookings.hold(long, plain()).await.unwrap();
    let b4 = fx.hold(&other, &s.room, fx.day(10), 1, 1).await;
    fx.by(u, b1.id, BookingAction::Cancel, fx.now).await.unwrap();
    let ids = |p: Paged<Booking>| (p.items.iter().map(|b| b.id).collect::<Vec<_>>(), p.total);
    let mine = |status, at, page| fx.s.bookings.bookings_of_user(u.id, status, at, page);

    let all = mine(None, fx.now, Page::DEFAULT).await.unwrap();
    assert_eq!(all.items[0], fx.booking(b3.id).await);
    assert_eq!(ids(all), (vec![b3.id, b2.id, b1.id], 3));
    assert_eq!(ids(mine(None, fx.now, page(1, 1)).await.unwrap()), (vec![b2.id], 3));
    assert_eq!(ids(mine(Some(BookingStatus::Cancelled), fx.now, Page::DEFAULT).await.unwrap()), (vec![b1.id], 1));
    assert_eq!(ids(mine(Some(BookingStatus::Reserved), fx.now, Page::DEFAULT).await.unwrap()), (vec![b3.id, b2.id], 2));
    let later = fx.mins(16);
    assert_eq!(ids(mine(Some(BookingStatus::Reserved), later, Page::DEFAULT).await.unwrap()), (vec![b3.id], 1));
    assert_eq!(ids(mine(Some(BookingStatus::Expired), later, Page::DEFAULT).await.unwrap()), (vec![b2.id], 1));

    let hotel = |status| fx.s.bookings.bookings_of_hotel(s.hotel.id, status, fx.now, Page::DEFAULT);
    assert_eq!(ids(hotel(None).await.unwrap()), (vec![b4.id, b3.id, b2.id, b1.id], 4));
    assert_eq!(ids(hotel(Some(BookingStatus::Cancelled)).await.unwrap()), (vec![b1.id], 1));
    let elsewhere = fx.hotel(&s.owner, "Empty", Some("Lisbon"), true).await;
    let none = fx.s.bookings.bookings_of_hotel(elsewhere.id, None, fx.now, Page::DEFAULT).await.unwrap();
    assert_eq!(ids(none), (vec![], 0));
    let ids_of_other: HashSet<BookingId> =
        fx.s.bookings
            .bookings_of_user(other.id, None, fx.now, Page::DEFAULT)
            .await
            .unwrap()
            .items
            .iter()
            .map(|b| b.id)
            .collect();
    assert_eq!(ids_of_other, HashSet::from([b4.id]));
    assert_eq!(fx.s.bookings.booking(absent(b4.id)).await.unwrap(), None);
}
