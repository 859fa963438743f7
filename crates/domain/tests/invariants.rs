//! Property: whatever sequence of holds, client actions, provider events and expiries is applied, every night keeps
//! `0 ≤ book`, `0 ≤ reserved`, `book + reserved ≤ total`, and the counts equal exactly what the bookings account
//! for (holds reserve, confirmed stays book) — so every transition moved the inventory exactly once.
//! Runs the domain's state machine through the in-memory repository (the same contract as PostgreSQL's).

use adapter_memory::InMemoryStore;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::model::*;
use domain::ports::*;
use domain::pricing::PricingPolicy;
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    Hold { offset: i64, nights: i64, rooms: i32 },
    Act { booking: usize, action: BookingAction },
    Pay { booking: usize },
    Wait { minutes: i64 },
    Sweep,
}

fn op() -> impl Strategy<Value = Op> {
    let action = prop_oneof![
        Just(BookingAction::AddGuests),
        Just(BookingAction::Cancel),
        Just(BookingAction::PaymentFailed),
        Just(BookingAction::SessionExpired),
        Just(BookingAction::HoldTimeout),
        Just(BookingAction::PaymentSucceeded),
    ];
    prop_oneof![
        4 => (0i64..4, 1i64..4, 1i32..4).prop_map(|(offset, nights, rooms)| Op::Hold { offset, nights, rooms }),
        4 => (0usize..8, action).prop_map(|(booking, action)| Op::Act { booking, action }),
        2 => (0usize..8).prop_map(|booking| Op::Pay { booking }),
        1 => (1i64..20).prop_map(|minutes| Op::Wait { minutes }),
        1 => Just(Op::Sweep),
    ]
}

async fn run(ops: Vec<Op>) -> Result<(), TestCaseError> {
    let store = InMemoryStore::shared();
    let start: DateTime<Utc> = Utc::now();
    let mut now = start;
    let today = start.date_naive();
    let user = store
        .create_user(NewUser { email: Email::parse("p@example.com").unwrap(), password_hash: "x".into(), name: None })
        .await
        .unwrap();
    let hotel = store.create_hotel(user.id, NewHotel { name: "P".into(), ..NewHotel::default() }, now).await.unwrap();
    store.set_hotel_active(hotel.id, true, now).await.unwrap();
    let room = NewRoom {
        kind: "R".into(),
        base_price: Money::from_minor(10_000),
        photos: None,
        amenities: None,
        total_count: 3,
        capacity: 2,
    };
    let room = store.create_room(hotel.id, room, today, now).await.unwrap();
    let first = today + Duration::days(10);
    let mut ids: Vec<BookingId> = Vec::new();
    for op in ops {
        match op {
            Op::Hold { offset, nights, rooms } => {
                let check_in = first + Duration::days(offset);
                let stay = StayDates::new(check_in, check_in + Duration::days(nights), now.date_naive(), 30).unwrap();
                let req = HoldRequest {
                    user_id: user.id,
                    hotel_id: hotel.id,
                    room_id: room.id,
                    stay,
                    rooms_count: rooms,
                    now,
                    expires_at: now + Duration::minutes(15),
                    currency: Currency::parse("USD").unwrap(),
                    today: now.date_naive(),
                    rate_plan_id: None,
                    price_rule: PriceRule::BASE,
                    time_zone: TimeZone::UTC,
                    cancellation_policy: CancellationPolicy::default(),
                    cancel_deadline: None,
                    max_active_holds: 0,
                    adults: None,
                    taxes: Vec::new(),
                };
                if let Ok(b) = store.hold(req, PricingPolicy::default()).await {
                    ids.push(b.id);
                }
            }
            Op::Act { booking, action } => {
                if let Some(id) = ids.get(booking) {
                    let _ = store.transition(*id, Actor { user_id: None }, action, now, 15).await;
                }
            }
            Op::Pay { booking } => {
                if let Some(id) = ids.get(booking) {
                    let ev = PaymentEvent {
                        event_id: format!("evt-{booking}-{}", now.timestamp_micros()),
                        event_type: "checkout.session.completed".into(),
                        kind: Some(PaymentEventKind::Paid),
                        session_id: None,
                        booking_id: Some(*id),
                        amount_minor: None,
                        currency: None,
                        payment_intent: None,
                    };
                    let _ = store.apply_payment_event(ev, now).await;
                }
            }
            Op::Wait { minutes } => now += Duration::minutes(minutes),
            Op::Sweep => {
                store.expire_due(now, 100).await.unwrap();
            }
        }
        check(&store, room.id, first, &ids).await?;
    }
    Ok(())
}

async fn check(store: &InMemoryStore, room: RoomId, first: NaiveDate, ids: &[BookingId]) -> Result<(), TestCaseError> {
    let stay = StayDates::from_stored(first, first + Duration::days(7));
    let nights = store.stay_nights(room, stay).await.unwrap();
    let mut bookings = Vec::new();
    for id in ids {
        bookings.push(store.booking(*id).await.unwrap().unwrap());
    }
    for n in &nights {
        prop_assert!(n.book_count >= 0 && n.reserved_count >= 0, "{n:?}");
        prop_assert!(n.book_count + n.reserved_count <= n.total_count, "{n:?}");
        let covers = |b: &&Booking| b.check_in_date <= n.date && n.date < b.check_out_date;
        let held: i32 = bookings.iter().filter(covers).filter(|b| b.status.is_hold()).map(|b| b.rooms_count).sum();
        let booked: i32 = bookings
            .iter()
            .filter(covers)
            .filter(|b| b.status == BookingStatus::Confirmed)
            .map(|b| b.rooms_count)
            .sum();
        prop_assert_eq!(n.reserved_count, held, "reserved on {} vs persisted holds", n.date);
        prop_assert_eq!(n.book_count, booked, "booked on {} vs confirmed stays", n.date);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]
    #[test]
    fn inventory_matches_the_bookings_after_any_sequence(ops in proptest::collection::vec(op(), 1..40)) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(run(ops))?;
    }
}
