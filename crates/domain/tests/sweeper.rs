//! The sweeper keeps going: a store step that fails or a refund the provider keeps refusing is reported, and
//! the pass still handles every other booking (generated mocks of the ports, no adapter).

use chrono::{Duration, TimeZone, Utc};
use domain::Error;
use domain::model::*;
use domain::ports::*;
use domain::pricing::PricingPolicy;
use domain::services::*;
use std::sync::{Arc, Mutex};

fn refunding(id: i64, intent: &str) -> Booking {
    let now = Utc.with_ymd_and_hms(2027, 3, 1, 12, 0, 0).unwrap();
    Booking {
        id: BookingId(id),
        hotel_id: HotelId(1),
        room_id: RoomId(2),
        user_id: UserId(7),
        rooms_count: 1,
        check_in_date: now.date_naive() + Duration::days(10),
        check_out_date: now.date_naive() + Duration::days(12),
        status: BookingStatus::Cancelled,
        amount: Money::from_minor(20_000),
        currency: Currency::parse("USD").unwrap(),
        nights: 2,
        created_at: now,
        updated_at: now,
        expires_at: None,
        guests: Vec::new(),
        payment_attempt: 1,
        payment_started_at: Some(now),
        payment_session_id: Some(format!("cs_{id}")),
        payment_session_url: None,
        payment_intent_id: Some(intent.into()),
        refund_status: Some(RefundStatus::Pending),
        refund_id: None,
        refund_attempts: 1,
        confirmed_at: Some(now),
        cancelled_at: Some(now),
        time_zone: domain::model::TimeZone::UTC,
        cancellation_policy: CancellationPolicy::default(),
        cancel_deadline: None,
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

#[tokio::test]
async fn a_failing_step_or_refund_never_stops_the_rest_of_the_pass() {
    let mut repo = MockBookingRepository::new();
    repo.expect_expire_due().times(1).returning(|_, _| Err(Error::Unavailable));
    repo.expect_pending_refunds()
        .times(1)
        .returning(|_, _| Ok(vec![refunding(1, "pi_stuck"), refunding(2, "pi_ok"), refunding(3, "pi_last")]));
    let recorded = Arc::new(Mutex::new(Vec::new()));
    let log = recorded.clone();
    repo.expect_record_refund().times(3).returning(move |id, attempt, max, _| {
        log.lock().unwrap().push((id, attempt.clone()));
        // Booking 1 has used up its attempts: this failure is its last.
        Ok(Some(match (attempt, id) {
            (RefundAttempt::Succeeded(_), _) => RefundStatus::Succeeded,
            (RefundAttempt::Failed, BookingId(1)) if max == 10 => RefundStatus::Failed,
            (RefundAttempt::Failed, _) => RefundStatus::Pending,
        }))
    });
    repo.expect_pending_payment_refunds().times(1).returning(|_, _| Err(Error::Unavailable));
    let mut gateway = MockPaymentGateway::new();
    gateway.expect_refund().times(3).returning(|req| match req.payment_intent.as_deref() {
        Some("pi_stuck") => Err(PaymentError::Retryable("provider down for this one".into())),
        _ => Ok(format!("re_{}", req.booking_id)),
    });
    let mut clock = MockClock::new();
    clock.expect_now().returning(|| Utc.with_ymd_and_hms(2027, 3, 1, 13, 0, 0).unwrap());
    let service = BookingService::new(
        Arc::new(repo),
        Arc::new(MockCatalogRepository::new()),
        Arc::new(gateway),
        Arc::new(clock),
        PricingPolicy::default(),
        BookingConfig {
            hold_minutes: 15,
            checkout_session_minutes: 31,
            max_stay_nights: 30,
            max_active_holds: 5,
            currency: Currency::parse("usd").unwrap(),
            refund_max_attempts: 10,
        },
    );
    let report = service.sweep().await;
    assert_eq!(report.expired, 0);
    assert_eq!(report.refunds_succeeded, 2, "the bookings after the stuck one were refunded in the same pass");
    assert_eq!(report.refunds_failed, vec![BookingId(1)]);
    assert_eq!(report.refunds_given_up, vec![BookingId(1)]);
    assert_eq!(report.errors.len(), 2, "{:?}", report.errors);
    let recorded = recorded.lock().unwrap().clone();
    assert_eq!(
        recorded,
        vec![
            (BookingId(1), RefundAttempt::Failed),
            (BookingId(2), RefundAttempt::Succeeded("re_2".into())),
            (BookingId(3), RefundAttempt::Succeeded("re_3".into()))
        ]
    );
}
