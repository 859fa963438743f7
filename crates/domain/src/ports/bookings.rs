//! Bookings: holds, transitions, provider events, expiry and refunds.

use super::payments::{EventOutcome, PaymentEvent, PaymentRefund, PaymentSession};
use crate::Result;
use crate::model::*;
use crate::pricing::PricingPolicy;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// How a booking write is guarded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    /// `Some(user)`: the booking must belong to this user, else `BookingNotFound`.
    pub user_id: Option<UserId>,
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
    async fn booking(&self, id: BookingId) -> Result<Option<Booking>>;
    /// Bookings of a user by id descending, optionally by (persisted) status.
    async fn bookings_of_user(
        &self,
        user_id: UserId,
        status: Option<BookingStatus>,
        now: DateTime<Utc>,
        page: Page,
    ) -> Result<Paged<Booking>>;
    /// Bookings of a hotel by id descending, optionally by status.
    async fn bookings_of_hotel(
        &self,
        hotel_id: HotelId,
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
        id: BookingId,
        actor: Actor,
        action: BookingAction,
        now: DateTime<Utc>,
        hold_minutes: i64,
    ) -> Result<Transitioned>;
    /// addGuests: guards like `transition(AddGuests)`, then checks every guest is a live guest of the
    /// booking's user (first failing id → `GuestNotFound`), the capacity (`TooManyGuests`), links them.
    async fn add_guests(
        &self,
        id: BookingId,
        user_id: UserId,
        guest_ids: Vec<GuestId>,
        now: DateTime<Utc>,
    ) -> Result<Booking>;
    /// Starts a payment attempt: GUESTS_ADDED → PAYMENTS_PENDING, `payment_attempt += 1`,
    /// `payment_started_at = now`, provisional `expires_at`. From PAYMENTS_PENDING returns the booking as is.
    async fn start_payment(
        &self,
        id: BookingId,
        user_id: UserId,
        now: DateTime<Utc>,
        provisional_expiry: DateTime<Utc>,
    ) -> Result<Transitioned>;
    /// Stores the created session if the booking is still PAYMENTS_PENDING at `attempt`.
    async fn store_payment_session(
        &self,
        id: BookingId,
        attempt: i32,
        session: PaymentSession,
        now: DateTime<Utc>,
    ) -> Result<Option<Booking>>;
    /// Provider failure: PAYMENTS_PENDING at `attempt` → GUESTS_ADDED with `expires_at = created_at + hold`.
    async fn abort_payment(&self, id: BookingId, attempt: i32, hold_minutes: i64, now: DateTime<Utc>) -> Result<()>;
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
    /// Records a refund attempt of a PENDING refund at `now`, with the status `plan::refund_outcome` gives:
    /// success stores the refund id and SUCCEEDED; failure counts the attempt and marks FAILED once
    /// `max_attempts` is reached. Returns the new status, `None` (and no change) when it was not PENDING.
    async fn record_refund(
        &self,
        id: BookingId,
        attempt: RefundAttempt,
        max_attempts: i32,
        now: DateTime<Utc>,
    ) -> Result<Option<RefundStatus>>;
    /// Refunds of extra payments (`EventOutcome::DuplicatePayment`) still PENDING whose backoff
    /// (`2^attempts` seconds after the last attempt) has passed.
    async fn pending_payment_refunds(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<PaymentRefund>>;
    /// Records one attempt of an extra-payment refund, like `record_refund`.
    async fn record_payment_refund(
        &self,
        id: i64,
        attempt: RefundAttempt,
        max_attempts: i32,
        now: DateTime<Utc>,
    ) -> Result<Option<RefundStatus>>;
}

/// The result of one refund call to the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefundAttempt {
    /// Accepted: the provider's refund id.
    Succeeded(String),
    /// Refused or not answered; retried with backoff until the last attempt.
    Failed,
}

impl RefundAttempt {
    /// The refund id of a success.
    pub fn refund_id(&self) -> Option<&str> {
        match self {
            RefundAttempt::Succeeded(id) => Some(id),
            RefundAttempt::Failed => None,
        }
    }
}
