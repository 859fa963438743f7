//! Use-case services against `adapter-memory` with a fixed clock; the payment gateway is a mockall mock
//! (declared here with `mock!`, so no feature is needed), password hashing and tokens are tiny fakes.

use adapter_memory::InMemoryStore;
use async_trait::async_trait;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::Error;
use domain::model::*;
use domain::ports::*;
use domain::pricing::PricingPolicy;
use domain::services::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

mockall::mock! {
    pub Gateway {}
    #[async_trait]
    impl PaymentGateway for Gateway {
        async fn create_checkout(&self, req: CheckoutRequest) -> Result<PaymentSession, PaymentError>;
        async fn expire_session(&self, session_id: &str) -> Result<(), PaymentError>;
        async fn refund(&self, req: RefundRequest) -> Result<String, PaymentError>;
    }
}

/// A clock that only moves when told to.
struct TestClock(Mutex<DateTime<Utc>>);

impl TestClock {
    fn advance(&self, d: Duration) {
        let mut now = self.0.lock().unwrap();
        *now += d;
    }
}

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

fn start() -> DateTime<Utc> {
    "2026-03-01T10:00:00Z".parse().unwrap()
}

fn day(n: i64) -> NaiveDate {
    start().date_naive() + Duration::days(n)
}

/// The store, the clock, a hotel with one room type (100.00 a night, 5 rooms, capacity 2) and a guest.
struct World {
    store: Arc<InMemoryStore>,
    clock: Arc<TestClock>,
    owner: User,
    guest: User,
    hotel: Hotel,
    room: Room,
}

async fn world() -> World {
    let store = InMemoryStore::shared();
    let clock = Arc::new(TestClock(Mutex::new(start())));
    let now = start();
    let user = |tag: &str| NewUser {
        email: Email::parse(&format!("{tag}@example.com")).unwrap(),
        password_hash: "h:secret-password".into(),
        name: None,
    };
    let owner = UserRepository::create_user(&*store, user("owner")).await.unwrap();
    let guest = UserRepository::create_user(&*store, user("guest")).await.unwrap();
    let new_hotel = NewHotel { name: "Grand".into(), city: Some("Lisbon".into()), ..NewHotel::default() };
    let hotel = store.create_hotel(owner.id, new_hotel, now).await.unwrap();
    let hotel = store.set_hotel_active(hotel.id, true, now).await.unwrap();
    let new_room = NewRoom {
        kind: "Double".into(),
        base_price: Money::from_minor(10_000),
        photos: None,
        amenities: None,
        total_count: 5,
        capacity: 2,
    };
    let room = store.create_room(hotel.id, new_room, now.date_naive(), now).await.unwrap();
    World { store, clock, owner, guest, hotel, room }
}

fn booking_config() -> BookingConfig {
    BookingConfig {
        hold_minutes: 15,
        checkout_session_minutes: 31,
        max_stay_nights: 30,
        max_active_holds: 5,
        currency: Currency::parse("usd").unwrap(),
        refund_max_attempts: 10,
    }
}

impl World {
    fn bookings(&self, gateway: MockGateway) -> BookingService {
        BookingService::new(
            self.store.clone(),
            self.store.clone(),
            Arc::new(gateway),
            self.clock.clone(),
            PricingPolicy::default(),
            booking_config(),
        )
    }

    fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// (book, reserved) on each night from `from`.
    async fn counts(&self, from: NaiveDate, nights: i64) -> Vec<(i32, i32)> {
        let stay = StayDates::from_stored(from, from + Duration::days(nights));
        let rows = self.store.stay_nights(self.room.id, stay).await.unwrap();
        rows.iter().map(|n| (n.book_count, n.reserved_count)).collect()
    }

    async fn saved_guest(&self) -> Guest {
        let g = NewGuest { name: "Ann".into(), gender: Gender::Female, age: Some(30) };
        self.store.create_guest(self.guest.id, g).await.unwrap()
    }

    /// A booking of the guest with a linked guest (GUESTS_ADDED), 2 nights from `check_in`.
    async fn with_guests(&self, svc: &BookingService, check_in: NaiveDate) -> Booking {
        let b = svc
            .init(&self.guest, StayRequest::new(self.hotel.id, self.room.id, check_in, check_in + Duration::days(2), 1))
            .await
            .unwrap();
        let g = self.saved_guest().await;
        svc.add_guests(&self.guest, b.id, vec![g.id]).await.unwrap()
    }
}

/// Records every checkout request and answers with `cs_{n}`.
fn recording_checkout(gw: &mut MockGateway, times: usize) -> Arc<Mutex<Vec<CheckoutRequest>>> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    gw.expect_create_checkout().times(times).returning(move |req| {
        let mut log = log.lock().unwrap();
        log.push(req.clone());
        let id = format!("cs_{}", log.len());
        Ok(PaymentSession { url: format!("https://pay.example/{id}"), id, expires_at: req.expires_at })
    });
    seen
}

fn paid(event_id: &str, b: &Booking, session: &str) -> PaymentEvent {
    PaymentEvent {
        event_id: event_id.into(),
        event_type: "checkout.session.completed".into(),
        kind: Some(PaymentEventKind::Paid),
        session_id: Some(session.into()),
        booking_id: Some(b.id),
        amount_minor: Some(b.amount.minor()),
        currency: Some("usd".into()),
        payment_intent: Some(format!("pi_{event_id}")),
    }
}

#[tokio::test]
async fn init_add_guests_and_checkout_call_the_gateway_once_with_the_attempt_key() {
    let w = world().await;
    let mut gw = MockGateway::new();
    let seen = recording_checkout(&mut gw, 1);
    let svc = w.bookings(gw);

    let b = svc.init(&w.guest, StayRequest::new(w.hotel.id, w.room.id, day(10), day(12), 2)).await.unwrap();
    assert_eq!((b.status, b.amount, b.currency.as_str()), (BookingStatus::Reserved, Money::from_minor(40_000), "USD"));
    assert_eq!(b.expires_at, Some(start() + Duration::minutes(15)));
    assert_eq!(w.counts(day(10), 2).await, vec![(0, 2), (0, 2)]);
    assert_eq!(
        svc.start_payment(&w.guest, b.id).await,
        Err(Error::InvalidBookingState("Booking cannot proceed to payment: add guests first".into()))
    );
    let g = w.saved_guest().await;
    let b = svc.add_guests(&w.guest, b.id, vec![g.id]).await.unwrap();
    assert_eq!((b.status, b.guests.clone()), (BookingStatus::GuestsAdded, vec![g]));

    w.clock.advance(Duration::seconds(30));
    let started = svc.start_payment(&w.guest, b.id).await.unwrap();
    assert_eq!(started.session_url, "https://pay.example/cs_1");
    w.clock.advance(Duration::seconds(30));
    let again = svc.start_payment(&w.guest, b.id).await.unwrap();
    assert_eq!(again, started, "the stored session is returned, no second checkout");

    let calls = seen.lock().unwrap().clone();
    assert_eq!(calls.len(), 1);
    let req = &calls[0];
    assert_eq!(req.idempotency_key, format!("booking-{}-checkout-1", b.id));
    assert_eq!((req.booking_id, req.amount, req.currency.as_str()), (b.id, b.amount, "USD"));
    assert_eq!((req.check_in_date, req.check_out_date), (day(10), day(12)));
    assert_eq!((req.customer_email.as_str(), req.hotel_name.as_str()), ("guest@example.com", "Grand"));
    assert_eq!(req.expires_at, start() + Duration::seconds(30) + Duration::minutes(31));

    let got = svc.get(&w.guest, b.id).await.unwrap();
    assert_eq!((got.status, got.payment_attempt), (BookingStatus::PaymentsPending, 1));
    assert_eq!(got.payment_session_id.as_deref(), Some("cs_1"));
    assert_eq!(got.expires_at, Some(req.expires_at));
}

/// A request that committed PAYMENTS_PENDING and then died before storing the provider's session: the retry
/// reuses the attempt's idempotency key and must send the very same parameters (Stripe rejects a key reused
/// with other ones), so `expires_at` comes from the stored start, not from the clock of the retry.
#[tokio::test]
async fn a_checkout_retry_under_the_same_key_sends_identical_parameters() {
    let w = world().await;
    let mut gw = MockGateway::new();
    let seen = recording_checkout(&mut gw, 1);
    let svc = w.bookings(gw);
    let b = w.with_guests(&svc, day(10)).await;
    let crashed_at = w.now();
    let t = w.store.start_payment(b.id, w.guest.id, crashed_at, crashed_at + Duration::minutes(32)).await.unwrap();
    assert!(t.changed);
    let crashed_request_expiry = crashed_at + Duration::minutes(31);

    w.clock.advance(Duration::seconds(3));
    assert_eq!(
        svc.start_payment(&w.guest, b.id).await,
        Err(Error::InvalidBookingState("Payment session is being created; retry".into())),
        "too early to tell a crash from a slow provider"
    );
    w.clock.advance(Duration::seconds(40));
    svc.start_payment(&w.guest, b.id).await.unwrap();
    let req = seen.lock().unwrap()[0].clone();
    assert_eq!(req.idempotency_key, format!("booking-{}-checkout-1", b.id));
    assert_eq!(req.expires_at, crashed_request_expiry);
    assert_eq!((req.amount, req.currency.as_str(), req.booking_id), (b.amount, "USD", b.id));
}

#[tokio::test]
async fn a_gateway_failure_returns_the_booking_and_the_retry_uses_the_next_attempt() {
    let w = world().await;
    let mut gw = MockGateway::new();
    let keys = Arc::new(Mutex::new(Vec::new()));
    let log = keys.clone();
    let calls = AtomicUsize::new(0);
    gw.expect_create_checkout().times(2).returning(move |req| {
        log.lock().unwrap().push(req.idempotency_key.clone());
        if calls.fetch_add(1, Ordering::SeqCst) == 0 {
            Err(PaymentError::Retryable("timeout".into()))
        } else {
            Ok(PaymentSession { id: "cs_ok".into(), url: "https://pay.example/ok".into(), expires_at: req.expires_at })
        }
    });
    let svc = w.bookings(gw);
    let b = w.with_guests(&svc, day(10)).await;

    assert_eq!(svc.start_payment(&w.guest, b.id).await, Err(Error::PaymentGateway));
    let back = svc.get(&w.guest, b.id).await.unwrap();
    assert_eq!(
        (back.status, back.expires_at),
        (BookingStatus::GuestsAdded, Some(b.created_at + Duration::minutes(15)))
    );
    assert_eq!(w.counts(day(10), 2).await, vec![(0, 1), (0, 1)], "the hold survives the failure");

    let ok = svc.start_payment(&w.guest, b.id).await.unwrap();
    assert_eq!(ok.session_url, "https://pay.example/ok");
    let keys = keys.lock().unwrap().clone();
    assert_eq!(keys, vec![format!("booking-{}-checkout-1", b.id), format!("booking-{}-checkout-2", b.id)]);
}

#[tokio::test]
async fn cancelling_a_pending_checkout_expires_its_session() {
    let w = world().await;
    let mut gw = MockGateway::new();
    recording_checkout(&mut gw, 1);
    gw.expect_expire_session().withf(|sid| sid == "cs_1").times(1).returning(|_| Ok(()));
    let svc = w.bookings(gw);
    let b = w.with_guests(&svc, day(10)).await;
    svc.start_payment(&w.guest, b.id).await.unwrap();

    svc.cancel(&w.guest, b.id).await.unwrap();
    assert_eq!(svc.status(&w.guest, b.id).await.unwrap(), BookingStatus::Cancelled);
    assert_eq!(w.counts(day(10), 2).await, vec![(0, 0), (0, 0)]);
    assert_eq!(
        svc.cancel(&w.guest, b.id).await,
        Err(Error::InvalidBookingState("Booking cannot be cancelled in status CANCELLED".into()))
    );
    let stranger = UserRepository::user_by_id(&*w.store, w.owner.id).await.unwrap().unwrap();
    assert_eq!(svc.cancel(&stranger, b.id).await, Err(Error::BookingNotFound(b.id)));
}

#[tokio::test]
async fn cancelling_a_confirmed_stay_refunds_it_with_the_booking_key_and_retries_on_failure() {
    let w = world().await;
    let mut gw = MockGateway::new();
    recording_checkout(&mut gw, 1);
    gw.expect_expire_session().never();
    let refunds = Arc::new(Mutex::new(Vec::new()));
    let log = refunds.clone();
    let calls = AtomicUsize::new(0);
    gw.expect_refund().times(2).returning(move |req| {
        log.lock().unwrap().push(req);
        if calls.fetch_add(1, Ordering::SeqCst) == 0 {
            Err(PaymentError::Retryable("503".into()))
        } else {
            Ok("re_1".into())
        }
    });
    let svc = w.bookings(gw);
    let b = w.with_guests(&svc, day(10)).await;
    svc.start_payment(&w.guest, b.id).await.unwrap();
    let outcome = svc.handle_payment_event(paid("evt_1", &b, "cs_1")).await.unwrap();
    assert!(matches!(&outcome, EventOutcome::Confirmed(c) if c.status == BookingStatus::Confirmed), "{outcome:?}");
    assert_eq!(svc.handle_payment_event(paid("evt_1", &b, "cs_1")).await.unwrap(), EventOutcome::Duplicate);
    assert_eq!(w.counts(day(10), 2).await, vec![(1, 0), (1, 0)]);

    svc.cancel(&w.guest, b.id).await.unwrap();
    let after = svc.get(&w.guest, b.id).await.unwrap();
    assert_eq!(
        (after.status, after.refund_status, after.refund_attempts),
        (BookingStatus::Cancelled, Some(RefundStatus::Pending), 1)
    );
    assert_eq!(w.counts(day(10), 2).await, vec![(0, 0), (0, 0)]);

    // The sweeper retries after the backoff (2^1 s).
    assert_eq!(svc.sweep().await.expired, 0);
    w.clock.advance(Duration::seconds(2));
    svc.sweep().await;
    let done = svc.get(&w.guest, b.id).await.unwrap();
    assert_eq!((done.refund_status, done.refund_id.as_deref()), (Some(RefundStatus::Succeeded), Some("re_1")));
    let reqs = refunds.lock().unwrap().clone();
    assert_eq!(reqs.len(), 2);
    for r in &reqs {
        assert_eq!(r.idempotency_key, format!("refund-booking-{}", b.id));
        assert_eq!((r.booking_id, r.amount, r.payment_intent.as_deref()), (b.id, b.amount, Some("pi_evt_1")));
        assert_eq!(r.session_id.as_deref(), Some("cs_1"));
    }
}

#[tokio::test]
async fn a_payment_for_a_cancelled_booking_is_refunded_at_once() {
    let w = world().await;
    let mut gw = MockGateway::new();
    recording_checkout(&mut gw, 1);
    gw.expect_expire_session().times(1).returning(|_| Ok(()));
    gw.expect_refund()
        .withf(|r| r.payment_intent.as_deref() == Some("pi_late"))
        .times(1)
        .returning(|_| Ok("re_late".into()));
    let svc = w.bookings(gw);
    let b = w.with_guests(&svc, day(10)).await;
    svc.start_payment(&w.guest, b.id).await.unwrap();
    svc.cancel(&w.guest, b.id).await.unwrap();

    let outcome = svc.handle_payment_event(paid("late", &b, "cs_1")).await.unwrap();
    assert!(matches!(&outcome, EventOutcome::RefundQueued(c) if c.status == BookingStatus::Cancelled), "{outcome:?}");
    let got = svc.get(&w.guest, b.id).await.unwrap();
    assert_eq!((got.refund_status, got.refund_id.as_deref()), (Some(RefundStatus::Succeeded), Some("re_late")));
    assert_eq!(w.counts(day(10), 2).await, vec![(0, 0), (0, 0)]);
}

#[tokio::test]
async fn holds_read_as_expired_after_the_deadline_and_the_sweeper_releases_them() {
    let w = world().await;
    let mut gw = MockGateway::new();
    recording_checkout(&mut gw, 1);
    gw.expect_expire_session().withf(|sid| sid == "cs_1").times(1).returning(|_| Ok(()));
    gw.expect_refund().never();
    let svc = w.bookings(gw);
    let pending = w.with_guests(&svc, day(10)).await;
    svc.start_payment(&w.guest, pending.id).await.unwrap();
    let plain = svc.init(&w.guest, StayRequest::new(w.hotel.id, w.room.id, day(20), day(21), 1)).await.unwrap();

    w.clock.advance(Duration::minutes(16));
    assert_eq!(svc.status(&w.guest, plain.id).await.unwrap(), BookingStatus::Expired, "effective status");
    assert_eq!(svc.status(&w.guest, pending.id).await.unwrap(), BookingStatus::PaymentsPending, "session still open");
    let mine = svc.my_bookings(&w.guest, None, Page::DEFAULT).await.unwrap();
    assert_eq!(
        mine.items.iter().map(|b| (b.id, b.status)).collect::<Vec<_>>(),
        vec![(plain.id, BookingStatus::Expired), (pending.id, BookingStatus::PaymentsPending)]
    );
    assert_eq!(w.counts(day(20), 1).await, vec![(0, 1)], "not released before the sweep");

    assert_eq!(svc.sweep().await.expired, 1);
    assert_eq!(w.counts(day(20), 1).await, vec![(0, 0)]);
    w.clock.advance(Duration::minutes(20));
    assert_eq!(svc.sweep().await.expired, 1, "the checkout session lapsed too");
    assert_eq!(w.counts(day(10), 2).await, vec![(0, 0), (0, 0)]);
    assert_eq!(svc.cancel(&w.guest, pending.id).await, Err(Error::BookingExpired));
    assert_eq!(svc.sweep().await.expired, 0);
}

#[tokio::test]
async fn the_hold_cap_and_the_stay_rules_apply_before_the_store() {
    let w = world().await;
    let svc = w.bookings(MockGateway::new());
    assert_eq!(
        svc.init(&w.guest, StayRequest::new(w.hotel.id, w.room.id, day(-1), day(1), 1)).await,
        Err(Error::DateInPast)
    );
    assert_eq!(
        svc.init(&w.guest, StayRequest::new(w.hotel.id, w.room.id, day(1), day(32), 1)).await,
        Err(Error::StayTooLong(30))
    );
    for i in 0..5 {
        svc.init(&w.guest, StayRequest::new(w.hotel.id, w.room.id, day(i + 1), day(i + 2), 1)).await.unwrap();
    }
    assert_eq!(
        svc.init(&w.guest, StayRequest::new(w.hotel.id, w.room.id, day(10), day(11), 1)).await,
        Err(Error::LimitExceeded("Too many active holds"))
    );
    w.clock.advance(Duration::minutes(15));
    svc.init(&w.guest, StayRequest::new(w.hotel.id, w.room.id, day(10), day(11), 1)).await.unwrap();
}

/// Password "hashes" are `h:{password}`.
struct FakeHasher;

#[async_trait]
impl PasswordHasher for FakeHasher {
    async fn hash(&self, password: String) -> domain::Result<String> {
        Ok(format!("h:{password}"))
    }
    async fn verify(&self, password: String, hash: String) -> domain::Result<PasswordCheck> {
        Ok(PasswordCheck { valid: hash == format!("h:{password}"), needs_rehash: false })
    }
}

/// Tokens are `access:{user}` and `refresh:{user}:{jti}`; jtis count up.
struct FakeTokens(AtomicUsize);

impl TokenIssuer for FakeTokens {
    fn issue(&self, user: &User, family_id: &str, now: DateTime<Utc>) -> domain::Result<TokenPair> {
        let jti = self.new_id();
        let refresh = RefreshTokenRecord {
            jti: jti.clone(),
            family_id: family_id.into(),
            user_id: user.id,
            issued_at: now,
            expires_at: now + Duration::days(7),
        };
        Ok(TokenPair {
            access_token: format!("access:{}", user.id),
            refresh_token: format!("refresh:{}:{jti}", user.id),
            access_expires_in: 1800,
            refresh,
        })
    }
    fn verify_access(&self, token: &str, _now: DateTime<Utc>) -> domain::Result<AccessClaims> {
        let id = token.strip_prefix("access:").and_then(|s| s.parse().ok()).map(UserId).ok_or(Error::InvalidToken)?;
        Ok(AccessClaims { user_id: id })
    }
    fn verify_refresh(&self, token: &str, _now: DateTime<Utc>) -> domain::Result<RefreshClaims> {
        let rest = token.strip_prefix("refresh:").ok_or(Error::InvalidRefreshToken)?;
        let (user, jti) = rest.split_once(':').ok_or(Error::InvalidRefreshToken)?;
        Ok(RefreshClaims { user_id: UserId(user.parse().map_err(|_| Error::InvalidRefreshToken)?), jti: jti.into() })
    }
    fn new_id(&self) -> String {
        format!("id-{}", self.0.fetch_add(1, Ordering::SeqCst))
    }
}

fn auth(w: &World) -> AuthService {
    AuthService::new(
        w.store.clone(),
        w.store.clone(),
        Arc::new(FakeHasher),
        Arc::new(FakeTokens(AtomicUsize::new(0))),
        w.clock.clone(),
        AuthConfig { login_max_failures: 5, login_window_minutes: 15 },
    )
}

#[tokio::test]
async fn login_lockout_counts_failures_in_a_fixed_window() {
    let w = world().await;
    let svc = auth(&w);
    let email = |s: &str| Email::parse(s).unwrap();
    let user = svc.signup(email("Dora@Example.com"), "right-password".into(), None).await.unwrap();
    assert_eq!(svc.signup(email("dora@example.com"), "x".repeat(8), None).await, Err(Error::EmailAlreadyRegistered));

    for _ in 0..5 {
        w.clock.advance(Duration::seconds(10));
        assert_eq!(svc.login(email("dora@example.com"), "wrong".into()).await.err(), Some(Error::InvalidCredentials));
    }
    // Locked even with the right password; the window started at the first failure (10 s in).
    w.clock.advance(Duration::seconds(60));
    let locked = svc.login(email("DORA@example.com"), "right-password".into()).await.err();
    assert_eq!(locked, Some(Error::TooManyLoginAttempts { retry_after_secs: 900 - 100 }));
    // Unknown emails are throttled the same way.
    for _ in 0..5 {
        assert_eq!(svc.login(email("ghost@example.com"), "pw".into()).await.err(), Some(Error::InvalidCredentials));
    }
    assert!(matches!(
        svc.login(email("ghost@example.com"), "pw".into()).await,
        Err(Error::TooManyLoginAttempts { .. })
    ));

    w.clock.advance(Duration::seconds(800));
    let ok = svc.login(email("dora@example.com"), "right-password".into()).await.unwrap();
    assert_eq!(ok.user.id, user.id);
    // A success resets the count: four more failures do not lock.
    for _ in 0..4 {
        assert_eq!(svc.login(email("dora@example.com"), "wrong".into()).await.err(), Some(Error::InvalidCredentials));
    }
    svc.login(email("dora@example.com"), "right-password".into()).await.unwrap();
}

#[tokio::test]
async fn refresh_rotates_within_the_family_and_reuse_revokes_it() {
    let w = world().await;
    let svc = auth(&w);
    let login = svc.login(w.guest.email.clone(), "secret-password".into()).await.unwrap();
    let first = login.tokens.refresh_token.clone();

    w.clock.advance(Duration::seconds(1));
    let second = svc.refresh(&first).await.unwrap().tokens.refresh_token;
    w.clock.advance(Duration::seconds(1));
    let third = svc.refresh(&second).await.unwrap().tokens.refresh_token;

    // An unrelated login (another family) is not affected by the reuse below.
    let other = svc.login(w.guest.email.clone(), "secret-password".into()).await.unwrap().tokens.refresh_token;
    w.clock.advance(Duration::seconds(1));
    assert_eq!(svc.refresh(&first).await.err(), Some(Error::RefreshTokenReused));
    assert_eq!(svc.refresh(&third).await.err(), Some(Error::InvalidRefreshToken), "the family is revoked");
    let next = svc.refresh(&other).await.unwrap().tokens.refresh_token;

    svc.logout(Some(&next)).await.unwrap();
    assert_eq!(svc.refresh(&next).await.err(), Some(Error::InvalidRefreshToken));
    svc.logout(Some("garbage")).await.unwrap();
    svc.logout(None).await.unwrap();
    assert_eq!(svc.authenticate(&login.tokens.access_token).await.unwrap().id, w.guest.id);
}

#[tokio::test]
async fn hotel_info_quotes_what_init_charges_and_reports_average_half_even() {
    let w = world().await;
    let catalog = CatalogService::new(
        w.store.clone(),
        w.store.clone(),
        w.store.clone(),
        w.store.clone(),
        w.clock.clone(),
        PricingPolicy::default(),
        30,
    );
    let svc = w.bookings(MockGateway::new());
    let surge = InventoryPatch { surge_factor: Some("1.25".parse().unwrap()), ..InventoryPatch::default() };
    w.store.patch_inventory(w.room.id, day(11), day(11), surge).await.unwrap();

    let stay = catalog.stay(day(10), day(13)).unwrap();
    let (hotel, rooms) = catalog.hotel_info(w.hotel.id, Some((day(10), day(13))), 2).await.unwrap();
    assert_eq!(hotel.id, w.hotel.id);
    assert_eq!((rooms[0].available, rooms[0].total_price), (Some(true), Some(Money::from_minor(65_000))));
    let b = svc.init(&w.guest, StayRequest::new(w.hotel.id, w.room.id, day(10), day(13), 2)).await.unwrap();
    assert_eq!(b.amount, Money::from_minor(65_000));

    let query = SearchQuery {
        city: "lisbon".into(),
        stay,
        rooms_count: 1,
        guests: None,
        min_price: Some(Money::from_minor(200)),
        max_price: Some(Money::from_minor(100)),
        sort: SearchSort::PriceAsc,
        page: Page::DEFAULT,
    };
    assert_eq!(catalog.search(query.clone()).await, Err(Error::InvalidPriceRange));
    let hits = catalog.search(SearchQuery { min_price: None, max_price: None, ..query }).await.unwrap();
    assert_eq!(
        hits.items.iter().map(|h| (h.id, h.min_price)).collect::<Vec<_>>(),
        vec![(w.hotel.id, Money::from_minor(10_833))]
    );

    // Three confirmed stays of 100.00, 100.00 and 100.01: avg 100.0033… → 100.00.
    let cheap = w
        .store
        .create_room(
            w.hotel.id,
            NewRoom {
                kind: "Odd".into(),
                base_price: Money::from_minor(10_001),
                photos: None,
                amenities: None,
                total_count: 5,
                capacity: 2,
            },
            day(0),
            w.now(),
        )
        .await
        .unwrap();
    let manager = {
        w.store.set_manager(&w.owner.email, true).await.unwrap();
        UserRepository::user_by_id(&*w.store, w.owner.id).await.unwrap().unwrap()
    };
    for (room, d) in [(w.room.id, 1), (w.room.id, 2), (cheap.id, 3)] {
        let b = svc.init(&w.guest, StayRequest::new(w.hotel.id, room, day(d), day(d + 1), 1)).await.unwrap();
        let ev = PaymentEvent { session_id: None, ..paid(&format!("evt-{d}"), &b, "") };
        assert!(matches!(svc.handle_payment_event(ev).await.unwrap(), EventOutcome::Confirmed(_)));
    }
    let report = catalog.report(&manager, w.hotel.id, Some(day(0)), Some(day(5))).await.unwrap();
    assert_eq!(
        (report.total_bookings, report.total_revenue, report.avg_revenue),
        (3, Money::from_minor(30_001), Money::from_minor(10_000))
    );
    assert_eq!(catalog.report(&w.guest, w.hotel.id, None, None).await.err(), Some(Error::Forbidden));
}
