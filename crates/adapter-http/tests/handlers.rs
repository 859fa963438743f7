//! Handler tests with generated mocks of the use cases (domain's `mocks` feature): every error a use case can
//! return reaches the client with the contract's status, `code` and detail (API.md §2.3), through a real
//! route, with no store behind it.

use actix_web::test::{TestRequest, call_service, init_service, read_body};
use actix_web::web;
use adapter_http::{AppState, HttpConfig, RateLimiter, Readiness, ReplicaStatus, build_app, openapi};
use async_trait::async_trait;
use chrono::NaiveDate;
use domain::Error;
use domain::model::{BookingId, Email, GuestId, Role, User, UserId};
use domain::ports::{MockIdempotencyStore, MockTokenIssuer, MockWebhookVerifier, SystemClock};
use domain::services::{MockAuthUseCases, MockBookingUseCases, MockCatalogUseCases, MockHistoryUseCases};
use serde_json::Value;
use std::sync::Arc;

struct AlwaysReady;

#[async_trait]
impl Readiness for AlwaysReady {
    async fn ready(&self) -> bool {
        true
    }
}

fn guest() -> User {
    User {
        id: UserId(7),
        email: Email::parse("guest@example.com").unwrap(),
        password_hash: String::new(),
        name: None,
        date_of_birth: None,
        gender: None,
        roles: vec![Role::Guest],
    }
}

fn state(bookings: MockBookingUseCases) -> AppState {
    let mut auth = MockAuthUseCases::new();
    auth.expect_authenticate().returning(|_| Ok(guest()));
    AppState {
        auth: Arc::new(auth),
        catalog: Arc::new(MockCatalogUseCases::new()),
        bookings: Arc::new(bookings),
        history: Arc::new(MockHistoryUseCases::new()),
        idempotency: Arc::new(MockIdempotencyStore::new()),
        simulated: None,
        webhooks: Arc::new(MockWebhookVerifier::new()),
        tokens: Arc::new(MockTokenIssuer::new()),
        clock: Arc::new(SystemClock),
        readiness: Arc::new(AlwaysReady),
        config: Arc::new(HttpConfig { rate_limit_per_minute: 0, ..HttpConfig::default() }),
        metrics: None,
    }
}

/// Every error variant, with the status, code and detail API.md §2.3 gives it.
fn table() -> Vec<(Error, u16, &'static str, &'static str)> {
    let day = NaiveDate::from_ymd_opt(2027, 3, 1).unwrap();
    vec![
        (
            Error::InvalidDateRange("End date must not be before start date"),
            400,
            "invalid_date_range",
            "End date must not be before start date",
        ),
        (Error::DateInPast, 400, "date_in_past", "Check-in date cannot be in the past"),
        (Error::StayTooLong(30), 400, "stay_too_long", "Stay cannot exceed 30 nights"),
        (Error::InvalidPriceRange, 400, "invalid_price_range", "min_price must not exceed max_price"),
        (Error::HotelNotActive, 400, "hotel_not_active", "Hotel is not accepting bookings"),
        (Error::TooManyGuests(4), 400, "too_many_guests", "This booking allows at most 4 guests"),
        (Error::AmountOutOfRange, 400, "amount_out_of_range", "Booking amount is outside the payable range"),
        (Error::EmailAlreadyRegistered, 400, "email_already_registered", "Email already registered"),
        (Error::InvalidSignature, 400, "invalid_signature", "Invalid signature"),
        (Error::InvalidPayload, 400, "invalid_payload", "Invalid payload"),
        (Error::NotAuthenticated, 401, "not_authenticated", "Not authenticated"),
        (Error::InvalidToken, 401, "invalid_token", "Could not validate credentials"),
        (Error::TokenExpired, 401, "token_expired", "Token has expired"),
        (Error::InvalidCredentials, 401, "invalid_credentials", "Invalid email or password"),
        (Error::InvalidRefreshToken, 401, "invalid_refresh_token", "Invalid refresh token"),
        (Error::RefreshTokenReused, 401, "refresh_token_reused", "Refresh token has already been used"),
        (Error::Forbidden, 403, "forbidden", "Insufficient permissions"),
        (Error::NotOwner, 403, "not_owner", "You don't own this hotel"),
        (Error::HotelNotFound("Hotel not found: 3".into()), 404, "hotel_not_found", "Hotel not found: 3"),
        (Error::RoomNotFound("Room not found: 4".into()), 404, "room_not_found", "Room not found: 4"),
        (Error::BookingNotFound(BookingId(42)), 404, "booking_not_found", "Booking not found: 42"),
        (Error::GuestNotFound(GuestId(5)), 404, "guest_not_found", "Guest not found: 5"),
        (Error::PaymentSessionNotFound, 404, "payment_session_not_found", "Payment session not found"),
        (Error::RoomUnavailable, 409, "room_unavailable", "Room is not available for the selected dates"),
        (
            Error::InvalidBookingState("Booking cannot proceed to payment".into()),
            409,
            "invalid_booking_state",
            "Booking cannot proceed to payment",
        ),
        (Error::BookingExpired, 409, "booking_expired", "Booking hold has expired"),
        (Error::HasActiveBookings("Room has active bookings"), 409, "has_active_bookings", "Room has active bookings"),
        (
            Error::InventoryConflict(day),
            409,
            "inventory_conflict",
            "total_count cannot be lower than booked plus reserved rooms on 2027-03-01",
        ),
        (Error::LimitExceeded("Too many active holds"), 409, "limit_exceeded", "Too many active holds"),
        (
            Error::IdempotencyKeyInUse,
            409,
            "idempotency_key_in_use",
            "A request with this Idempotency-Key is still being processed",
        ),
        (
            Error::IdempotencyKeyReused,
            422,
            "idempotency_key_reused",
            "Idempotency-Key was already used with a different request",
        ),
        (
            Error::TooManyLoginAttempts { retry_after_secs: 60 },
            429,
            "too_many_login_attempts",
            "Too many failed login attempts; try again later",
        ),
        (Error::PaymentGateway, 502, "payment_gateway_error", "Payment provider error"),
        (Error::Unavailable, 503, "service_unavailable", "Service unavailable"),
        (Error::Internal("database said: secret detail".into()), 500, "internal", "Internal server error"),
    ]
}

#[actix_web::test]
async fn every_use_case_error_answers_its_contract_code() {
    for (error, status, code, detail) in table() {
        let mut bookings = MockBookingUseCases::new();
        let returned = error.clone();
        bookings.expect_get().times(1).returning(move |user, id| {
            assert_eq!((user.id, id), (UserId(7), BookingId(42)), "the handler passes the caller and the parsed id");
            Err(returned.clone())
        });
        let app =
            init_service(build_app(web::Data::new(state(bookings)), web::Data::new(RateLimiter::new(0)), openapi()))
                .await;
        let req = TestRequest::get().uri("/bookings/42").insert_header(("Authorization", "Bearer t")).to_request();
        let res = call_service(&app, req).await;
        assert_eq!(res.status().as_u16(), status, "{error:?}");
        if status == 401 {
            assert!(res.headers().contains_key("www-authenticate"), "{error:?}");
        }
        if status == 429 {
            assert_eq!(res.headers().get("retry-after").and_then(|v| v.to_str().ok()), Some("60"));
        }
        let body: Value = serde_json::from_slice(&read_body(res).await).unwrap();
        assert_eq!((body["code"].as_str(), body["detail"].as_str()), (Some(code), Some(detail)), "{error:?}");
        assert!(body["request_id"].as_str().is_some_and(|r| !r.is_empty()));
        assert!(!body.to_string().contains("secret detail"), "no internal text reaches the client");
    }
}

#[actix_web::test]
async fn a_validation_error_from_a_use_case_keeps_the_422_shape() {
    let mut bookings = MockBookingUseCases::new();
    bookings
        .expect_get()
        .returning(|_, _| Err(Error::validation(&["body", "rooms_count"], "rooms_count out of range", "out_of_range")));
    let app =
        init_service(build_app(web::Data::new(state(bookings)), web::Data::new(RateLimiter::new(0)), openapi())).await;
    let req = TestRequest::get().uri("/bookings/42").insert_header(("Authorization", "Bearer t")).to_request();
    let res = call_service(&app, req).await;
    assert_eq!(res.status().as_u16(), 422);
    let body: Value = serde_json::from_slice(&read_body(res).await).unwrap();
    assert_eq!(body["code"], "validation_error");
    assert_eq!(body["errors"][0]["loc"], serde_json::json!(["body", "rooms_count"]));
    assert_eq!(body["errors"][0]["type"], "out_of_range");
}

/// A primary that is up, with a read replica in the given state.
struct WithReplica(Option<ReplicaStatus>);

#[async_trait]
impl Readiness for WithReplica {
    async fn ready(&self) -> bool {
        true
    }
    fn read_replica(&self) -> Option<ReplicaStatus> {
        self.0
    }
}

#[actix_web::test]
async fn ready_reports_the_replica_lag_and_only_the_read_path_turns_unready() {
    let get = |replica: Option<ReplicaStatus>, uri: &'static str| async move {
        let st = AppState { readiness: Arc::new(WithReplica(replica)), ..state(MockBookingUseCases::new()) };
        let app = init_service(build_app(web::Data::new(st), web::Data::new(RateLimiter::new(0)), openapi())).await;
        let res = call_service(&app, TestRequest::get().uri(uri).to_request()).await;
        let status = res.status().as_u16();
        (status, serde_json::from_slice::<Value>(&read_body(res).await).unwrap())
    };
    use serde_json::json;
    // Without a read replica both answer exactly API.md's body.
    assert_eq!(get(None, "/ready").await, (200, json!({"status": "ready"})));
    assert_eq!(get(None, "/ready/read").await, (200, json!({"status": "ready"})));
    // A replica within its threshold: both ready, with the lag.
    let fine = ReplicaStatus { lag_ms: Some(12), max_lag_ms: 5000, serving_reads: true };
    let body = json!({"status": "ready", "read_replica": {"lag_ms": 12, "max_lag_ms": 5000, "serving_reads": true}});
    assert_eq!(get(Some(fine), "/ready").await, (200, body.clone()));
    assert_eq!(get(Some(fine), "/ready/read").await, (200, body));
    // Past it (or silent): /ready stays 200 and says so; /ready/read answers 503.
    for lag_ms in [Some(6000), None] {
        let lagging = ReplicaStatus { lag_ms, max_lag_ms: 5000, serving_reads: false };
        let (s, b) = get(Some(lagging), "/ready").await;
        assert_eq!((s, &b["read_replica"]["serving_reads"]), (200, &json!(false)));
        assert_eq!(b["read_replica"]["lag_ms"], json!(lag_ms));
        let (s, b) = get(Some(lagging), "/ready/read").await;
        assert_eq!(
            (s, b["code"].as_str(), b["detail"].as_str()),
            (503, Some("service_unavailable"), Some("Read replica lagging"))
        );
    }
}
