//! The planners on their own, with no adapter: plain values in, the writes to make out.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use domain::Error;
use domain::model::*;
use domain::plan::*;
use domain::ports::{PaymentEvent, PaymentEventKind};
use domain::pricing::PricingPolicy;
use rust_decimal::Decimal;
use std::collections::HashSet;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 3, 1, 12, 0, 0).unwrap()
}

fn day(n: i64) -> NaiveDate {
    now().date_naive() + Duration::days(n)
}

fn night(date: NaiveDate, book: i32, reserved: i32, total: i32, closed: bool) -> InventoryNight {
    InventoryNight {
        id: 1,
        hotel_id: HotelId(1),
        room_id: RoomId(2),
        date,
        book_count: book,
        reserved_count: reserved,
        total_count: total,
        surge_factor: Decimal::ONE,
        price: Money::from_minor(10_000),
        closed,
        restrictions: Restrictions::default(),
    }
}

fn nights(from: i64, n: i64, available: i32) -> Vec<InventoryNight> {
    (0..n).map(|i| night(day(from + i), 0, 0, available, false)).collect()
}

fn request(rooms: i32, cap: i64) -> HoldRequest {
    HoldRequest {
        user_id: UserId(7),
        hotel_id: HotelId(1),
        room_id: RoomId(2),
        stay: StayDates::from_stored(day(10), day(12)),
        rooms_count: rooms,
        now: now(),
        expires_at: now() + Duration::minutes(15),
        currency: Currency::parse("USD").unwrap(),
        today: now().date_naive(),
        rate_plan_id: None,
        price_rule: PriceRule::BASE,
        time_zone: domain::model::TimeZone::UTC,
        cancellation_policy: CancellationPolicy::default(),
        cancel_deadline: None,
        max_active_holds: cap,
        adults: None,
        taxes: Vec::new(),
    }
}

fn facts(nights: Vec<InventoryNight>) -> HoldFacts {
    HoldFacts {
        hotel_active: Some(true),
        room_hotel_id: Some(HotelId(1)),
        room_capacity: 2,
        active_holds: 0,
        nights,
        departure_closed: false,
    }
}

fn policy() -> PricingPolicy {
    PricingPolicy::new(&[], [])
}

#[test]
fn hold_checks_in_order_and_prices_the_stay() {
    let ok = plan_hold(&request(2, 5), &facts(nights(10, 2, 3)), &policy()).unwrap();
    assert_eq!(ok, HoldPlan { price: PriceBreakdown::untaxed(Money::from_minor(40_000)), reserve: 2, adults: 2 });

    let err = |req: HoldRequest, f: HoldFacts| plan_hold(&req, &f, &policy()).unwrap_err();
    assert!(matches!(err(request(0, 5), facts(nights(10, 2, 3))), Error::Validation { .. }), "rooms_count below 1");
    assert!(matches!(err(request(11, 5), facts(nights(10, 2, 30))), Error::Validation { .. }), "rooms_count above 10");
    let missing_hotel = HoldFacts { hotel_active: None, ..facts(nights(10, 2, 3)) };
    assert!(matches!(err(request(1, 5), missing_hotel), Error::HotelNotFound(_)));
    let other_room = HoldFacts { room_hotel_id: Some(HotelId(99)), ..facts(nights(10, 2, 3)) };
    assert!(matches!(err(request(1, 5), other_room), Error::RoomNotFound(_)));
    let inactive = HoldFacts { hotel_active: Some(false), ..facts(nights(10, 2, 3)) };
    assert_eq!(err(request(1, 5), inactive), Error::HotelNotActive);
    let capped = HoldFacts { active_holds: 5, ..facts(nights(10, 2, 3)) };
    assert_eq!(err(request(1, 5), capped), Error::LimitExceeded("Too many active holds"));
    let uncapped = HoldFacts { active_holds: 500, ..facts(nights(10, 2, 3)) };
    assert!(plan_hold(&request(1, 0), &uncapped, &policy()).is_ok(), "0 = no cap");
    let mut closed = nights(10, 2, 3);
    closed[1].closed = true;
    assert_eq!(err(request(1, 5), facts(closed)), Error::RoomUnavailable);
    let mut sold = nights(10, 2, 3);
    sold[0].book_count = 2;
    sold[0].reserved_count = 1;
    assert_eq!(err(request(1, 5), facts(sold)), Error::RoomUnavailable);
    assert_eq!(err(request(1, 5), facts(nights(10, 1, 3))), Error::RoomUnavailable, "a night without a row");
    let mut cheap = nights(10, 2, 3);
    for n in &mut cheap {
        n.price = Money::from_minor(10);
    }
    assert_eq!(err(request(1, 5), facts(cheap)), Error::AmountOutOfRange);

    // Adults: one per room by default, at most capacity × rooms (2 × 2 here).
    let adults = |n| HoldRequest { adults: Some(n), ..request(2, 5) };
    assert_eq!(plan_hold(&adults(4), &facts(nights(10, 2, 3)), &policy()).unwrap().adults, 4);
    assert_eq!(err(adults(5), facts(nights(10, 2, 3))), Error::TooManyGuests(4));
    assert!(matches!(err(adults(0), facts(nights(10, 2, 3))), Error::Validation { .. }));

    // Restrictions of the arrival night and the departure date, after availability.
    let mut cta = nights(10, 2, 3);
    cta[0].restrictions.closed_to_arrival = true;
    assert_eq!(err(request(1, 5), facts(cta)), Error::Restricted(Restriction::ClosedToArrival(day(10))));
    let ctd = HoldFacts { departure_closed: true, ..facts(nights(10, 2, 3)) };
    assert_eq!(err(request(1, 5), ctd), Error::Restricted(Restriction::ClosedToDeparture(day(12))));
    let mut min = nights(10, 2, 3);
    min[0].restrictions.min_stay = Some(3);
    assert_eq!(err(request(1, 5), facts(min)), Error::Restricted(Restriction::MinStay { arrival: day(10), min: 3 }));
    let mut sold_and_restricted = nights(10, 2, 3);
    sold_and_restricted[1].closed = true;
    sold_and_restricted[0].restrictions.closed_to_arrival = true;
    assert_eq!(err(request(1, 5), facts(sold_and_restricted)), Error::RoomUnavailable, "availability first");

    // Taxes are priced into the plan: 10 % on top of 400.00, 2.50 per adult and night (4 adults × 2 nights).
    let taxed = HoldRequest {
        taxes: vec![
            TaxRule { name: "VAT".into(), kind: TaxKind::Percent, value: Decimal::new(10, 0), included: false },
            TaxRule {
                name: "City".into(),
                kind: TaxKind::PerPersonPerNight,
                value: Decimal::new(250, 2),
                included: false,
            },
        ],
        ..adults(4)
    };
    let plan = plan_hold(&taxed, &facts(nights(10, 2, 3)), &policy()).unwrap();
    assert_eq!((plan.price.subtotal, plan.price.total), (Money::from_minor(40_000), Money::from_minor(46_000)));
}

#[test]
fn holds_planned_together_see_the_earlier_ones_writes() {
    // Four rooms on nights 10 and 11, 4 on night 12; a batch of holds in order.
    let of = |user: i64, rooms: i32, from: i64, to: i64| HoldRequest {
        user_id: UserId(user),
        stay: StayDates::from_stored(day(from), day(to)),
        ..request(rooms, 2)
    };
    let reqs =
        [of(7, 2, 10, 12), of(8, 3, 10, 12), of(7, 1, 10, 12), of(7, 1, 10, 12), of(8, 1, 11, 13), of(9, 1, 10, 12)];
    let stay_facts = |r: &HoldRequest| {
        let from = (r.stay.check_in() - day(0)).num_days();
        facts(nights(from, r.stay.nights(), 4))
    };
    let policy = policy();
    let mut batch: Vec<_> = reqs.iter().map(|r| (r, &policy, stay_facts(r))).collect();
    let plans = plan_holds(&mut batch);
    let outcome: Vec<_> = plans.iter().map(|p| p.as_ref().map(|p| p.reserve).map_err(Clone::clone)).collect();
    assert_eq!(
        outcome,
        vec![
            Ok(2),                                              // 2 of 4 left
            Err(Error::RoomUnavailable),                        // 3 asked, 2 left: refused, takes nothing
            Ok(1),                                              // user 7's second hold (cap 2)
            Err(Error::LimitExceeded("Too many active holds")), // user 7's third
            Ok(1),                                              // nights 11-12: 1 and 4 left
            Err(Error::RoomUnavailable),                        // night 11 is full now
        ]
    );
    // Each hold was planned on the counts the earlier successful ones left.
    assert_eq!(batch[5].2.nights.iter().map(|n| n.reserved_count).collect::<Vec<_>>(), vec![3, 4]);
    assert_eq!(batch[4].2.nights.iter().map(|n| n.reserved_count).collect::<Vec<_>>(), vec![3, 0]);
    assert_eq!(batch[3].2.active_holds, 2);
}

fn booking(status: BookingStatus) -> Booking {
    Booking {
        id: BookingId(42),
        hotel_id: HotelId(1),
        room_id: RoomId(2),
        user_id: UserId(7),
        rooms_count: 1,
        check_in_date: day(10),
        check_out_date: day(12),
        status,
        amount: Money::from_minor(20_000),
        currency: Currency::parse("USD").unwrap(),
        nights: 2,
        created_at: now(),
        updated_at: now(),
        expires_at: status.is_hold().then(|| now() + Duration::minutes(15)),
        guests: Vec::new(),
        payment_attempt: 1,
        payment_started_at: None,
        payment_session_id: Some("cs_current".into()),
        payment_session_url: None,
        payment_intent_id: None,
        refund_status: None,
        refund_id: None,
        refund_attempts: 0,
        confirmed_at: None,
        cancelled_at: None,
        time_zone: domain::model::TimeZone::UTC,
        cancellation_policy: CancellationPolicy::default(),
        cancel_deadline: CancellationPolicy::default().deadline(
            domain::model::TimeZone::UTC,
            day(10),
            default_check_in_time(),
        ),
        penalty_amount: None,
        refund_amount: None,
        rate_plan_id: None,
        adults: 1,
        subtotal: Money::from_minor(20_000),
        charges: Vec::new(),
        hotel_name: "H".into(),
        room_type: "R".into(),
    }
}

/// A confirmed booking under `policy` in zone `tz` (the deadline frozen as init would).
fn confirmed_under(policy: CancellationPolicy, tz: &str) -> Booking {
    let tz = domain::model::TimeZone::parse(tz).unwrap();
    Booking {
        time_zone: tz,
        cancellation_policy: policy,
        cancel_deadline: policy.deadline(tz, day(10), default_check_in_time()),
        ..booking(BookingStatus::Confirmed)
    }
}

#[test]
fn cancelling_a_confirmed_booking_settles_by_its_frozen_policy() {
    let cancel = |b: &Booking, at: DateTime<Utc>| b.apply(BookingAction::Cancel, at, &[]).unwrap();
    // 24 h free, then half: the deadline is day 9 at 15:00 UTC.
    let half = CancellationPolicy::Refundable { free_hours: 24, penalty: Penalty::Percent(Decimal::new(50, 0)) };
    let b = confirmed_under(half, "UTC");
    let deadline = b.cancel_deadline.unwrap();
    let early = cancel(&b, deadline - Duration::seconds(1));
    assert_eq!(
        early.steps,
        vec![step(BookingStatus::Confirmed, BookingStatus::Cancelled, InventoryEffect::ReleaseBooked, true)]
    );
    assert_eq!(early.settlement, Some(CancellationOutcome { penalty: Money::ZERO, refund: Money::from_minor(20_000) }));
    let late = cancel(&b, deadline);
    assert!(late.queues_refund());
    assert_eq!(
        late.settlement,
        Some(CancellationOutcome { penalty: Money::from_minor(10_000), refund: Money::from_minor(10_000) })
    );

    // Non-refundable: the rooms are released, nothing is refunded (no refund queued), the whole amount is kept.
    let nr = cancel(&confirmed_under(CancellationPolicy::NonRefundable, "UTC"), now());
    assert_eq!(
        nr.steps,
        vec![step(BookingStatus::Confirmed, BookingStatus::Cancelled, InventoryEffect::ReleaseBooked, false)]
    );
    assert!(!nr.queues_refund());
    assert_eq!(nr.settlement, Some(CancellationOutcome { penalty: Money::from_minor(20_000), refund: Money::ZERO }));

    // A payment of a cancelled booking is refunded in full whatever the policy.
    let paid_late =
        Booking { status: BookingStatus::Cancelled, ..confirmed_under(CancellationPolicy::NonRefundable, "UTC") };
    let plan = paid_late.apply(BookingAction::PaymentSucceeded, now(), &[]).unwrap();
    assert_eq!(plan.settlement, Some(CancellationOutcome { penalty: Money::ZERO, refund: Money::from_minor(20_000) }));
    assert!(plan.queues_refund());
}

#[test]
fn cancel_before_check_in_uses_the_hotels_local_date() {
    // Check-in is day 10 (2027-03-11). At 2027-03-10 12:00 UTC it is already 2027-03-11 02:00 in Kiritimati
    // (UTC+14): the stay has begun there, so a confirmed booking can no longer be cancelled; in Pago Pago
    // (UTC−11) it is still 2027-03-10 01:00, so it can.
    let at = Utc.with_ymd_and_hms(2027, 3, 10, 12, 0, 0).unwrap();
    let kiritimati = confirmed_under(CancellationPolicy::default(), "Pacific/Kiritimati");
    assert!(matches!(kiritimati.apply(BookingAction::Cancel, at, &[]), Err(Error::InvalidBookingState(_))));
    let pago_pago = confirmed_under(CancellationPolicy::default(), "Pacific/Pago_Pago");
    let plan = pago_pago.apply(BookingAction::Cancel, at, &[]).unwrap();
    assert_eq!(plan.settlement.map(|s| s.refund), Some(Money::from_minor(20_000)), "before the local check-in time");
}

fn step(from: BookingStatus, to: BookingStatus, effect: InventoryEffect, refund: bool) -> Transition {
    Transition { from, to, effect, refund }
}

#[test]
fn apply_follows_the_state_table_for_every_status_and_action() {
    use BookingStatus as S;
    for status in S::ALL {
        for action in BookingAction::ALL {
            let b = booking(status);
            let planned = b.apply(action, now(), &nights(10, 2, 3));
            let decided = decide(status, action, now().date_naive(), b.check_in_date);
            match (planned, decided) {
                (Ok(p), Ok(Step::Apply(t))) => assert_eq!(p.steps, vec![t], "{status} {action:?}"),
                (Ok(p), Ok(Step::NoEffect)) => assert!(p.steps.is_empty() && !p.changed(), "{status} {action:?}"),
                (Err(a), Err(b)) => assert_eq!(a, b, "{status} {action:?}"),
                (p, d) => panic!("{status} {action:?}: planned {p:?}, decided {d:?}"),
            }
        }
    }
}

#[test]
fn an_overdue_hold_is_expired_first() {
    use BookingStatus as S;
    use InventoryEffect as E;
    let mut b = booking(S::GuestsAdded);
    b.expires_at = Some(now() - Duration::seconds(1));
    let expire = step(S::GuestsAdded, S::Expired, E::ReleaseReserved, false);
    // A client action: the expiry is written, then the call fails.
    for action in [BookingAction::AddGuests, BookingAction::StartPayment, BookingAction::Cancel] {
        let p = b.apply(action, now(), &[]).unwrap();
        assert_eq!((p.steps.clone(), p.fail_after_commit.clone()), (vec![expire], Some(Error::BookingExpired)));
    }
    // The sweeper and provider failures: only the expiry.
    for action in [BookingAction::HoldTimeout, BookingAction::PaymentFailed, BookingAction::SessionExpired] {
        let p = b.apply(action, now(), &[]).unwrap();
        assert_eq!((p.steps, p.fail_after_commit), (vec![expire], None), "{action:?}");
    }
    // A late payment: expire, then re-hold when the released rooms are still free...
    assert!(b.needs_nights(BookingAction::PaymentSucceeded, now()));
    let held = vec![night(day(10), 0, 1, 1, false), night(day(11), 0, 1, 1, false)];
    let p = b.apply(BookingAction::PaymentSucceeded, now(), &held).unwrap();
    assert_eq!(p.steps, vec![expire, step(S::Expired, S::Confirmed, E::Rehold, false)]);
    assert!(p.reholds() && !p.rehold_failed && !p.queues_refund());
    // ...or cancel and refund when someone else took them meanwhile (or a night closed).
    let taken = vec![night(day(10), 1, 1, 1, false), night(day(11), 0, 1, 1, false)];
    let p = b.apply(BookingAction::PaymentSucceeded, now(), &taken).unwrap();
    assert_eq!(p.steps, vec![expire, step(S::Expired, S::Cancelled, E::None, true)]);
    assert!(p.rehold_failed && p.queues_refund());
    let closed = vec![night(day(10), 0, 1, 1, true), night(day(11), 0, 1, 1, false)];
    assert!(b.apply(BookingAction::PaymentSucceeded, now(), &closed).unwrap().rehold_failed);
}

#[test]
fn add_guests_checks_live_guests_and_capacity() {
    let mut b = booking(BookingStatus::Reserved);
    b.rooms_count = 2;
    let g = |ids: &[i64]| ids.iter().copied().map(GuestId).collect::<Vec<_>>();
    let live: HashSet<GuestId> = g(&[1, 2, 3, 4, 5]).into_iter().collect();
    assert_eq!(b.check_guests(&g(&[1, 2]), &live, 2), Ok(()));
    assert_eq!(b.check_guests(&g(&[1, 9, 8]), &live, 2), Err(Error::GuestNotFound(GuestId(9))), "the first missing id");
    assert_eq!(b.check_guests(&g(&[1, 2, 3, 4, 5]), &live, 2), Err(Error::TooManyGuests(4)));
    b.guests = g(&[1, 2, 3])
        .into_iter()
        .map(|id| Guest { id, user_id: UserId(7), name: "G".into(), gender: Gender::Male, age: None })
        .collect();
    assert_eq!(b.check_guests(&g(&[3, 4]), &live, 2), Ok(()), "already linked guests count once");
    assert_eq!(b.check_guests(&g(&[4, 5]), &live, 2), Err(Error::TooManyGuests(4)));
}

fn event(kind: PaymentEventKind, session: &str, intent: &str) -> PaymentEvent {
    PaymentEvent {
        event_id: format!("evt_{session}_{intent}"),
        event_type: "checkout.session.completed".into(),
        kind: Some(kind),
        session_id: Some(session.into()),
        booking_id: Some(BookingId(42)),
        amount_minor: Some(20_000),
        currency: Some("usd".into()),
        payment_intent: Some(intent.into()),
    }
}

#[test]
fn provider_events_are_planned_from_the_booking_alone() {
    use BookingStatus as S;
    use EventResult as R;
    use PaymentEventKind as K;
    let paid =
        |b: &Booking, session: &str, intent: &str| plan_event(b, &event(K::Paid, session, intent), now(), &[]).unwrap();
    let result = |p: EventPlan| match p {
        EventPlan::Apply { result, .. } => result,
        other => panic!("expected Apply, got {other:?}"),
    };

    // The current session paid: confirmed; an earlier session of an unpaid booking confirms too.
    assert_eq!(result(paid(&booking(S::PaymentsPending), "cs_current", "pi_1")), R::Confirmed);
    assert_eq!(result(paid(&booking(S::PaymentsPending), "cs_earlier", "pi_1")), R::Confirmed);
    // A confirmed booking: a redelivery changes nothing; another payment is refunded on its own key.
    let mut confirmed = booking(S::Confirmed);
    confirmed.payment_intent_id = Some("pi_1".into());
    assert_eq!(paid(&confirmed, "cs_current", "pi_1"), EventPlan::NoEffect);
    assert_eq!(
        paid(&confirmed, "cs_other", "pi_2"),
        EventPlan::ExtraPayment { key: "refund-booking-42-cs_other".into() }
    );
    // Cancelled before payment: the first payment is refunded through the booking's own slot...
    assert_eq!(result(paid(&booking(S::Cancelled), "cs_current", "pi_1")), R::RefundQueued);
    // ...and once paid and refunding, a second payment gets its own record (the duplicate-payment fix).
    let mut refunding = booking(S::Cancelled);
    refunding.payment_intent_id = Some("pi_1".into());
    refunding.refund_status = Some(RefundStatus::Pending);
    assert_eq!(paid(&refunding, "cs_current", "pi_1"), EventPlan::NoEffect);
    assert_eq!(
        paid(&refunding, "cs_late", "pi_2"),
        EventPlan::ExtraPayment { key: "refund-booking-42-cs_late".into() }
    );
    // An expired hold paid late re-holds when it fits.
    let expired = booking(S::Expired);
    let p = plan_event(&expired, &event(K::Paid, "cs_current", "pi_1"), now(), &nights(10, 2, 1)).unwrap();
    assert_eq!(result(p), R::LateRehold);
    let p = plan_event(&expired, &event(K::Paid, "cs_current", "pi_1"), now(), &nights(10, 2, 0)).unwrap();
    assert_eq!(result(p), R::RefundQueued);
    // A wrong amount or currency is never applied.
    let mut wrong = event(K::Paid, "cs_current", "pi_1");
    wrong.amount_minor = Some(1);
    assert_eq!(plan_event(&booking(S::PaymentsPending), &wrong, now(), &[]).unwrap(), EventPlan::Unmatched);
    let mut wrong = event(K::Paid, "cs_current", "pi_1");
    wrong.currency = Some("eur".into());
    assert_eq!(plan_event(&booking(S::PaymentsPending), &wrong, now(), &[]).unwrap(), EventPlan::Unmatched);
    // Failures and expiries only for the current session.
    let pending = booking(S::PaymentsPending);
    let failed = plan_event(&pending, &event(K::Failed, "cs_current", "pi_1"), now(), &[]).unwrap();
    assert_eq!(result(failed), R::Cancelled);
    let lapsed = plan_event(&pending, &event(K::Expired, "cs_current", "pi_1"), now(), &[]).unwrap();
    assert_eq!(result(lapsed), R::Expired);
    assert_eq!(plan_event(&pending, &event(K::Failed, "cs_old", "pi_1"), now(), &[]).unwrap(), EventPlan::NoEffect);
    assert_eq!(
        result(plan_event(&confirmed, &event(K::Expired, "cs_current", "pi_1"), now(), &[]).unwrap()),
        R::NoEffect
    );
    // Completed but unpaid: the hold no longer lapses.
    let awaiting = plan_event(&pending, &event(K::AwaitingAsync, "cs_current", "pi_1"), now(), &[]).unwrap();
    assert_eq!(awaiting, EventPlan::ClearDeadline);
    assert_eq!(
        plan_event(&pending, &event(K::AwaitingAsync, "cs_old", "pi_1"), now(), &[]).unwrap(),
        EventPlan::NoEffect
    );
}

#[test]
fn refunds_back_off_exponentially_and_fail_after_the_last_attempt() {
    assert_eq!(refund_backoff(0), Duration::zero());
    assert_eq!(refund_backoff(1), Duration::seconds(2));
    assert_eq!(refund_backoff(3), Duration::seconds(8));
    assert_eq!(refund_backoff(40), Duration::seconds(1 << 16), "capped");
    assert!(refund_due(0, None, now()));
    assert!(refund_due(0, Some(now()), now()), "the first attempt is never delayed");
    assert!(!refund_due(2, Some(now()), now() + Duration::seconds(3)));
    assert!(refund_due(2, Some(now()), now() + Duration::seconds(4)));
    assert_eq!(refund_outcome(true, 10, 10), RefundStatus::Succeeded);
    assert_eq!(refund_outcome(false, 9, 10), RefundStatus::Pending);
    assert_eq!(refund_outcome(false, 10, 10), RefundStatus::Failed);
}
