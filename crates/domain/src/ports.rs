//! Driven ports. Each method is one atomic unit (one database transaction in the PostgreSQL adapter).
//! Every "MUST" here has a test in the shared contract suite (`adapter-memory` and `adapter-postgres`).

use crate::Result;
use crate::model::*;
use crate::pricing::PricingPolicy;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

/// Current time. Tests use a fixed or movable clock.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait Clock: Send + Sync {
    /// Now, in UTC.
    fn now(&self) -> DateTime<Utc>;
    /// Today's UTC date.
    fn today(&self) -> NaiveDate {
        self.now().date_naive()
    }
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// Accounts, refresh-token families and the login throttle.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait UserRepository: Send + Sync {
    /// Inserts a user with roles `[GUEST]`. MUST return `Error::EmailAlreadyRegistered` when the
    /// normalised email exists, also when two signups race (exactly one wins).
    async fn create_user(&self, user: NewUser) -> Result<User>;
    /// The user with this normalised email.
    async fn user_by_email(&self, email: &Email) -> Result<Option<User>>;
    /// The user with this id.
    async fn user_by_id(&self, id: i64) -> Result<Option<User>>;
    /// Applies a profile patch; `None` when the user is gone.
    async fn update_profile(&self, id: i64, patch: ProfilePatch) -> Result<Option<User>>;
    /// Replaces the stored password hash (re-hash on login).
    async fn set_password_hash(&self, id: i64, hash: String) -> Result<()>;
    /// Grants or revokes `HOTEL_MANAGER`; `false` for an unknown email.
    async fn set_manager(&self, email: &Email, manager: bool) -> Result<bool>;

    /// Stores a freshly issued refresh token (a new family at login).
    async fn insert_refresh_token(&self, token: RefreshTokenRecord) -> Result<()>;
    /// Consumes `jti` of `user_id` and stores `next` in the same family, atomically. MUST give exactly one
    /// `Rotated` when the same token is presented concurrently; a token already rotated revokes its whole
    /// family and gives `Reused`; unknown, expired, revoked or foreign tokens give `Invalid`.
    async fn rotate_refresh_token(
        &self,
        jti: &str,
        user_id: i64,
        next: RefreshTokenRecord,
        now: DateTime<Utc>,
    ) -> Result<RotateOutcome>;
    /// Revokes the family of `jti` (logout). Unknown tokens are ignored.
    async fn revoke_refresh_family(&self, jti: &str, now: DateTime<Utc>) -> Result<()>;

    /// Counts one login attempt for `email` *before* its password is checked and returns the attempts of the
    /// current window, this one included. A window older than `window_secs` restarts at `now` with this
    /// attempt. MUST be atomic: N concurrent calls for one email see N distinct counts, so a burst can never
    /// get more password checks than the limit.
    async fn count_login_attempt(&self, email: &Email, now: DateTime<Utc>, window_secs: i64) -> Result<LoginAttempts>;
    /// Clears the failures of `email` (after a success).
    async fn reset_login_failures(&self, email: &Email) -> Result<()>;
}

/// The login attempts of one email in its current lockout window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginAttempts {
    /// Attempts counted in the window, the current one included.
    pub attempts: i32,
    /// When the window started.
    pub window_started_at: DateTime<Utc>,
}

impl LoginAttempts {
    /// Whole seconds (rounded up, at least 1) until the window of `window_secs` ends, when more than
    /// `max_attempts` were made in it; `None` while the attempt may be checked.
    pub fn locked_for(&self, now: DateTime<Utc>, window_secs: i64, max_attempts: i32) -> Option<u64> {
        if max_attempts <= 0 || self.attempts <= max_attempts {
            return None;
        }
        let left = self.window_started_at + chrono::Duration::seconds(window_secs) - now;
        let secs = left.num_seconds() + i64::from(left.subsec_nanos() > 0);
        Some(u64::try_from(secs.max(1)).unwrap_or(1))
    }
}

/// Saved guests of a user.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait GuestRepository: Send + Sync {
    /// Live guests of `user_id`, by id ascending.
    async fn list_guests(&self, user_id: i64, page: Page) -> Result<Paged<Guest>>;
    /// Saves a guest. MUST fail with `Error::LimitExceeded` once the user has `MAX_SAVED_GUESTS` live guests.
    async fn create_guest(&self, user_id: i64, guest: NewGuest) -> Result<Guest>;
    /// Updates a live guest of `user_id`; `None` when missing, deleted or foreign.
    async fn update_guest(&self, user_id: i64, id: i64, patch: GuestPatch) -> Result<Option<Guest>>;
    /// Soft-deletes a live guest of `user_id`; `false` when missing, deleted or foreign.
    async fn delete_guest(&self, user_id: i64, id: i64, now: DateTime<Utc>) -> Result<bool>;
}

/// Hotels, room types, inventory and search.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait CatalogRepository: Send + Sync {
    /// Inserts an inactive hotel owned by `owner_id`.
    async fn create_hotel(&self, owner_id: i64, hotel: NewHotel, now: DateTime<Utc>) -> Result<Hotel>;
    /// A hotel by id.
    async fn hotel(&self, id: i64) -> Result<Option<Hotel>>;
    /// Hotels of an owner by id ascending.
    async fn hotels_of_owner(&self, owner_id: i64, page: Page) -> Result<Paged<Hotel>>;
    /// Applies a patch.
    async fn update_hotel(&self, id: i64, patch: HotelPatch, now: DateTime<Utc>) -> Result<Hotel>;
    /// Sets `active`.
    async fn set_hotel_active(&self, id: i64, active: bool, now: DateTime<Utc>) -> Result<Hotel>;
    /// Deletes the hotel, its ended bookings, rooms and inventory. MUST fail with
    /// `Error::HasActiveBookings` and change nothing while any booking is neither CANCELLED nor EXPIRED.
    async fn delete_hotel(&self, id: i64) -> Result<()>;

    /// Inserts a room type and its inventory window `[today, today+365)` atomically. MUST fail with
    /// `Error::LimitExceeded` when the hotel has `MAX_ROOMS_PER_HOTEL` room types.
    async fn create_room(&self, hotel_id: i64, room: NewRoom, today: NaiveDate, now: DateTime<Utc>) -> Result<Room>;
    /// A room type by id.
    async fn room(&self, id: i64) -> Result<Option<Room>>;
    /// Room types of a hotel by id ascending.
    async fn rooms_of_hotel(&self, hotel_id: i64, page: Page) -> Result<Paged<Room>>;
    /// Updates a room and propagates `base_price`/`total_count` to rows dated ≥ `today` (§4.3.3). MUST fail
    /// with `Error::InventoryConflict(date)` and change nothing if a row would fall below booked + reserved.
    async fn update_room(&self, id: i64, patch: RoomPatch, today: NaiveDate, now: DateTime<Utc>) -> Result<Room>;
    /// Deletes a room type with its ended bookings and inventory. MUST fail with `Error::HasActiveBookings`
    /// while any of its bookings is active.
    async fn delete_room(&self, id: i64) -> Result<()>;

    /// Inventory rows of a room with `start ≤ date ≤ end`, by date, with the hotel's current city.
    async fn inventory(
        &self,
        room_id: i64,
        start: NaiveDate,
        end: Option<NaiveDate>,
        page: Page,
    ) -> Result<Paged<InventoryView>>;
    /// Applies `patch` to every existing row in `[start, end]` in one transaction, rows locked in date
    /// order. MUST fail with `Error::InventoryConflict(date)` and change nothing when a new total would be
    /// below booked + reserved. Returns the rows of the range.
    async fn patch_inventory(
        &self,
        room_id: i64,
        start: NaiveDate,
        end: NaiveDate,
        patch: InventoryPatch,
    ) -> Result<Vec<InventoryView>>;
    /// A hotel with all its room types (by id) and, when `stay` is given, each room's nights of the stay (by
    /// date) — the public hotel page in as few round trips as possible. `None` when the hotel does not exist.
    async fn hotel_listing(&self, hotel_id: i64, stay: Option<StayDates>) -> Result<Option<HotelListing>>;
    /// Inventory nights of a room for a stay, by date (missing nights are absent).
    async fn stay_nights(&self, room_id: i64, stay: StayDates) -> Result<Vec<InventoryNight>>;
    /// Tops up every room's window through `today + 364` with the room's current values, never touching
    /// existing rows. Returns the number of rows inserted.
    async fn extend_inventory_window(&self, today: NaiveDate) -> Result<u64>;

    /// Active hotels in `city` (case-insensitive equality) with one room type available for the whole stay
    /// (§4.4.3), priced by `policy` as of `today`.
    async fn search(&self, query: SearchQuery, policy: PricingPolicy, today: NaiveDate) -> Result<Paged<SearchHit>>;
    /// CONFIRMED bookings of a hotel with check-in in `[start, end]`: (count, Σ amount).
    async fn report(&self, hotel_id: i64, start: NaiveDate, end: NaiveDate) -> Result<(i64, Money)>;
}

/// How a booking write is guarded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    /// `Some(user)`: the booking must belong to this user, else `BookingNotFound`.
    pub user_id: Option<i64>,
}

/// What a transition call did.
#[derive(Debug, Clone, PartialEq)]
pub struct Transitioned {
    /// The booking after the call.
    pub booking: Booking,
    /// The status before the call.
    pub from: BookingStatus,
    /// Whether anything changed.
    pub changed: bool,
}

/// Bookings, their state transitions and inventory effects.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait BookingRepository: Send + Sync {
    /// In one transaction: checks the hotel (404 / inactive), the room (404), the user's hold cap, locks the
    /// stay's nights in date order, checks availability (every night present, open, `available ≥ n`),
    /// prices them with `policy` from the locked rows, checks the payable bounds and applies
    /// `reserved += n`. MUST NOT oversell: N concurrent holds on the last unit give exactly one success.
    async fn hold(&self, req: HoldRequest, policy: PricingPolicy) -> Result<Booking>;
    /// A booking by id (with guests and hotel/room names).
    async fn booking(&self, id: i64) -> Result<Option<Booking>>;
    /// Bookings of a user by id descending, optionally by (persisted) status.
    async fn bookings_of_user(
        &self,
        user_id: i64,
        status: Option<BookingStatus>,
        now: DateTime<Utc>,
        page: Page,
    ) -> Result<Paged<Booking>>;
    /// Bookings of a hotel by id descending, optionally by status.
    async fn bookings_of_hotel(
        &self,
        hotel_id: i64,
        status: Option<BookingStatus>,
        now: DateTime<Utc>,
        page: Page,
    ) -> Result<Paged<Booking>>;
    /// Applies `action` under a row lock on the booking: first, a hold past its deadline is expired (and
    /// committed) — then client actions fail with `BookingExpired`. Otherwise the state machine decides, and
    /// the status compare-and-set and the inventory effect commit together. MUST move inventory exactly once
    /// however many callers race.
    async fn transition(
        &self,
        id: i64,
        actor: Actor,
        action: BookingAction,
        now: DateTime<Utc>,
        hold_minutes: i64,
    ) -> Result<Transitioned>;
    /// addGuests: guards like `transition(AddGuests)`, then checks every guest is a live guest of the
    /// booking's user (first failing id → `GuestNotFound`), the capacity (`TooManyGuests`), links them.
    async fn add_guests(&self, id: i64, user_id: i64, guest_ids: Vec<i64>, now: DateTime<Utc>) -> Result<Booking>;
    /// Starts a payment attempt: GUESTS_ADDED → PAYMENTS_PENDING, `payment_attempt += 1`,
    /// `payment_started_at = now`, provisional `expires_at`. From PAYMENTS_PENDING returns the booking as is.
    async fn start_payment(
        &self,
        id: i64,
        user_id: i64,
        now: DateTime<Utc>,
        provisional_expiry: DateTime<Utc>,
    ) -> Result<Transitioned>;
    /// Stores the created session if the booking is still PAYMENTS_PENDING at `attempt`.
    async fn store_payment_session(
        &self,
        id: i64,
        attempt: i32,
        session: PaymentSession,
        now: DateTime<Utc>,
    ) -> Result<Option<Booking>>;
    /// Provider failure: PAYMENTS_PENDING at `attempt` → GUESTS_ADDED with `expires_at = created_at + hold`.
    async fn abort_payment(&self, id: i64, attempt: i32, hold_minutes: i64, now: DateTime<Utc>) -> Result<()>;
    /// Applies a provider event exactly once: records `event_id` (a duplicate → `Duplicate`, no effect), finds
    /// the booking by session id, else by `booking_id`, row-locked, checks the amount, and applies the state
    /// machine including the late-payment rule. All in one transaction.
    async fn apply_payment_event(&self, event: PaymentEvent, now: DateTime<Utc>) -> Result<EventOutcome>;
    /// Expires up to `limit` holds with `expires_at ≤ now`, each in its own transaction, skipping rows locked
    /// by another instance. Returns the expired bookings (to close their provider sessions).
    async fn expire_due(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<Booking>>;
    /// Bookings with `refund_status = PENDING` whose backoff (`2^refund_attempts` seconds after the last
    /// attempt) has passed, for the refund retry loop.
    async fn pending_refunds(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<Booking>>;
    /// Records a refund attempt: success stores `refund_id` and SUCCEEDED; failure counts the attempt and
    /// marks FAILED once `max_attempts` is reached.
    async fn record_refund(&self, id: i64, result: std::result::Result<String, ()>, max_attempts: i32) -> Result<()>;
    /// Refunds of extra payments (`EventOutcome::DuplicatePayment`) still PENDING whose backoff
    /// (`2^attempts` seconds after the last attempt) has passed.
    async fn pending_payment_refunds(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<PaymentRefund>>;
    /// Records one attempt of an extra-payment refund, like `record_refund`.
    async fn record_payment_refund(
        &self,
        id: i64,
        result: std::result::Result<String, ()>,
        max_attempts: i32,
        now: DateTime<Utc>,
    ) -> Result<()>;
}

/// A created checkout session.
#[derive(Debug, Clone, PartialEq)]
pub struct PaymentSession {
    pub id: String,
    pub url: String,
    pub expires_at: DateTime<Utc>,
}

/// A provider event, already verified and parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct PaymentEvent {
    /// Provider event id (dedup key).
    pub event_id: String,
    /// Provider event type, recorded as is.
    pub event_type: String,
    /// What it means for the booking; `None` for types that are only recorded.
    pub kind: Option<PaymentEventKind>,
    /// The checkout session id.
    pub session_id: Option<String>,
    /// `metadata.booking_id` or `client_reference_id`.
    pub booking_id: Option<i64>,
    /// `amount_total` in minor units, when present.
    pub amount_minor: Option<i64>,
    /// Lower- or upper-case currency, when present.
    pub currency: Option<String>,
    /// The payment intent, when present.
    pub payment_intent: Option<String>,
}

/// A refund owed for a payment that is not the booking's own: a second paid session of a booking already
/// confirmed through another one. Kept apart from the booking's refund (`Booking::refund_status`).
#[derive(Debug, Clone, PartialEq)]
pub struct PaymentRefund {
    pub id: i64,
    pub booking_id: i64,
    pub payment_intent: Option<String>,
    pub session_id: Option<String>,
    pub amount: Money,
    /// `refund-booking-{id}-{session}`: one refund per extra payment.
    pub idempotency_key: String,
}

/// Booking-relevant meaning of a provider event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentEventKind {
    /// Money was taken.
    Paid,
    /// Completed but unpaid (asynchronous method): waits for the outcome.
    AwaitingAsync,
    /// The payment failed or the simulated session was cancelled.
    Failed,
    /// The session expired.
    Expired,
}

/// What applying a provider event did (recorded as `outcome`).
#[derive(Debug, Clone, PartialEq)]
pub enum EventOutcome {
    Duplicate,
    Confirmed(Booking),
    LateRehold(Booking),
    RefundQueued(Booking),
    /// Another session of an already confirmed booking was paid: the booking stays confirmed and this extra
    /// payment is refunded on its own.
    DuplicatePayment {
        booking: Booking,
        refund: PaymentRefund,
    },
    Cancelled(Booking),
    Expired(Booking),
    /// A listed event that changed nothing (already applied, or does not apply).
    NoEffect,
    Ignored,
    Unmatched,
}

/// A checkout to create at the provider.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckoutRequest {
    pub booking_id: i64,
    pub amount: Money,
    pub currency: String,
    pub check_in_date: NaiveDate,
    pub check_out_date: NaiveDate,
    pub customer_email: String,
    pub hotel_name: String,
    pub expires_at: DateTime<Utc>,
    /// `booking-{id}-checkout-{attempt}`.
    pub idempotency_key: String,
}

/// A full refund to request.
#[derive(Debug, Clone, PartialEq)]
pub struct RefundRequest {
    pub booking_id: i64,
    pub payment_intent: Option<String>,
    pub session_id: Option<String>,
    pub amount: Money,
    /// `refund-booking-{id}`.
    pub idempotency_key: String,
}

/// Provider failures.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaymentError {
    #[error("declined: {0}")]
    Declined(String),
    #[error("retryable: {0}")]
    Retryable(String),
    #[error("permanent: {0}")]
    Permanent(String),
}

/// The payment provider (Stripe, or the simulated gateway).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait PaymentGateway: Send + Sync {
    /// Creates a checkout session. Never called inside a database transaction.
    async fn create_checkout(&self, req: CheckoutRequest) -> std::result::Result<PaymentSession, PaymentError>;
    /// Expires an open session (best effort; already closed sessions are fine).
    async fn expire_session(&self, session_id: &str) -> std::result::Result<(), PaymentError>;
    /// Requests a full refund; returns the provider's refund id.
    async fn refund(&self, req: RefundRequest) -> std::result::Result<String, PaymentError>;
}

/// The fencing token of one in-flight claim of an Idempotency-Key: the instant its lease ends (microsecond
/// precision, as stored). A takeover after the lease lapsed gets a later one, so a request that outlived its
/// lease can be told from the one that took the key over.
pub type Lease = DateTime<Utc>;

/// Outcome of starting an idempotent request.
#[derive(Debug, Clone, PartialEq)]
pub enum IdempotencyStart {
    /// First time (or a lapsed lease taken over): execute, then complete or release with this lease.
    Proceed { lease: Lease },
    /// Completed before: replay this status and body.
    Replay { status: u16, body: Vec<u8> },
    /// Another request with this key is in flight.
    InUse,
    /// The key was used with another request.
    Mismatch,
}

/// Stored Idempotency-Key records (§4.3.7).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait IdempotencyStore: Send + Sync {
    /// Claims `(user_id, key)` with a lease, or reports what was stored. Keys older than 24 h are new.
    async fn start(
        &self,
        user_id: i64,
        key: &str,
        method: &str,
        path: &str,
        fingerprint: Vec<u8>,
        now: DateTime<Utc>,
    ) -> Result<IdempotencyStart>;
    /// Stores the response of the claimed key. MUST act only while `lease` is still the key's in-flight lease
    /// (fencing): `false` and no change when another request took the key over or it is already completed.
    async fn complete(&self, user_id: i64, key: &str, lease: Lease, status: u16, body: Vec<u8>) -> Result<bool>;
    /// Releases the claim (5xx responses are not stored). MUST act only while `lease` is the in-flight lease.
    async fn release(&self, user_id: i64, key: &str, lease: Lease) -> Result<()>;
}

/// Sessions of the simulated gateway.
#[derive(Debug, Clone, PartialEq)]
pub struct SimulatedSession {
    pub id: String,
    pub booking_id: i64,
    pub amount: Money,
    pub currency: String,
    pub status: String,
    pub expires_at: DateTime<Utc>,
}

/// Storage of the simulated gateway's sessions.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait SimulatedSessionStore: Send + Sync {
    /// Stores a new OPEN session.
    async fn insert_session(&self, session: SimulatedSession) -> Result<()>;
    /// A session by id.
    async fn session(&self, id: &str) -> Result<Option<SimulatedSession>>;
    /// Compare-and-set of the status: `true` if it was `from`.
    async fn set_session_status(&self, id: &str, from: &str, to: &str) -> Result<bool>;
}

/// Password hashing (argon2id); runs off the async executor.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait PasswordHasher: Send + Sync {
    /// A PHC string for `password`.
    async fn hash(&self, password: String) -> Result<String>;
    /// Whether `password` matches `hash`; `needs_rehash` for legacy hashes.
    async fn verify(&self, password: String, hash: String) -> Result<PasswordCheck>;
}

/// Result of a password verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordCheck {
    pub valid: bool,
    pub needs_rehash: bool,
}

/// Claims of a verified access token.
#[derive(Debug, Clone, PartialEq)]
pub struct AccessClaims {
    pub user_id: i64,
}

/// Claims of a verified refresh token.
#[derive(Debug, Clone, PartialEq)]
pub struct RefreshClaims {
    pub user_id: i64,
    pub jti: String,
}

/// An issued token pair.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenPair {
    pub access_token: String,
    pub refresh_token: String,
    pub access_expires_in: i64,
    pub refresh: RefreshTokenRecord,
}

/// Issues and verifies JWTs.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait TokenIssuer: Send + Sync {
    /// Issues an access token and a refresh token of `family_id`.
    fn issue(&self, user: &User, family_id: &str, now: DateTime<Utc>) -> Result<TokenPair>;
    /// Verifies an access token: `InvalidToken` or `TokenExpired`.
    fn verify_access(&self, token: &str, now: DateTime<Utc>) -> Result<AccessClaims>;
    /// Verifies a refresh token: `InvalidRefreshToken` on any failure.
    fn verify_refresh(&self, token: &str, now: DateTime<Utc>) -> Result<RefreshClaims>;
    /// A fresh random id (refresh families).
    fn new_id(&self) -> String;
}

/// Verifies and parses provider webhooks (signature first, then payload).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait WebhookVerifier: Send + Sync {
    /// `Error::InvalidSignature` for a missing, malformed, stale or unmatched signature; `Error::InvalidPayload`
    /// when a correctly signed body is not an event object.
    fn verify(&self, payload: &[u8], signature: Option<String>, now: DateTime<Utc>) -> Result<PaymentEvent>;
}
