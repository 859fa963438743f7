//! The payment provider, its events and refunds.

use crate::model::*;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

/// A created checkout session.
#[derive(Debug, Clone, PartialEq)]
pub struct PaymentSession {
    /// The provider's session id (`sim_cs_…` for the simulated gateway), stored as `payment_session_id`.
    pub id: String,
    /// The hosted checkout page, answered as `session_url`.
    pub url: String,
    /// The session's expiry as the provider returned it; it becomes the booking's `expires_at`.
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
    pub booking_id: Option<BookingId>,
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
    /// Database id of the refund record (identity, ≥ 1).
    pub id: i64,
    /// The booking that was paid twice.
    pub booking_id: BookingId,
    /// The extra payment's intent, which the refund targets.
    pub payment_intent: Option<String>,
    /// The checkout session that took the extra payment.
    pub session_id: Option<String>,
    /// The booking's frozen amount, refunded in full.
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
    /// The event id was processed before: nothing is applied or recorded again.
    Duplicate,
    /// A held booking was paid and is now CONFIRMED (`confirmed`).
    Confirmed(Booking),
    /// An EXPIRED booking was paid and its rooms re-held: now CONFIRMED (`late_rehold`).
    LateRehold(Booking),
    /// The payment cannot be kept (a cancelled booking, or no room to re-hold): a full refund is PENDING
    /// (`refund_queued`).
    RefundQueued(Booking),
    /// Another session of an already confirmed booking was paid: the booking stays confirmed and this extra
    /// payment is refunded on its own.
    DuplicatePayment {
        /// The booking, unchanged.
        booking: Booking,
        /// The refund record queued for the extra payment.
        refund: PaymentRefund,
    },
    /// The payment failed: PAYMENTS_PENDING → CANCELLED, hold released (`cancelled`).
    Cancelled(Booking),
    /// The checkout session expired: PAYMENTS_PENDING → EXPIRED, hold released (`expired`).
    Expired(Booking),
    /// A listed event that changed nothing (already applied, or does not apply).
    NoEffect,
    /// An event type that is only recorded (`ignored`).
    Ignored,
    /// No booking matches, or the amount or currency differs from its frozen quote (`unmatched`, logged).
    Unmatched,
}

/// A checkout to create at the provider.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckoutRequest {
    /// The booking to pay: `metadata.booking_id`, `client_reference_id` and the product name "Booking #{id}".
    pub booking_id: BookingId,
    /// The frozen amount, charged as one line item of `amount × 100` minor units.
    pub amount: Money,
    /// The booking's upper-case currency (sent lower-case).
    pub currency: Currency,
    /// Start of the product description "Room booking from {check_in_date} to {check_out_date}".
    pub check_in_date: NaiveDate,
    /// End of the product description.
    pub check_out_date: NaiveDate,
    /// The user's email, prefilled on the checkout page (`customer_email`).
    pub customer_email: String,
    /// The booked hotel's name (informational: the line item names the booking, not the hotel).
    pub hotel_name: String,
    /// When the session must expire: `payment_started_at + CHECKOUT_SESSION_MINUTES`, identical on a retry.
    pub expires_at: DateTime<Utc>,
    /// `booking-{id}-checkout-{attempt}`.
    pub idempotency_key: String,
}

/// A full refund to request.
#[derive(Debug, Clone, PartialEq)]
pub struct RefundRequest {
    /// The booking whose payment is refunded.
    pub booking_id: BookingId,
    /// The payment to refund; Stripe refunds by payment intent, so it is required there.
    pub payment_intent: Option<String>,
    /// The checkout session that took the payment, when known.
    pub session_id: Option<String>,
    /// The full frozen amount (refunds are never partial).
    pub amount: Money,
    /// `refund-booking-{id}`.
    pub idempotency_key: String,
}

/// Provider failures.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaymentError {
    /// The provider refused the operation (HTTP 402 or a card error); the text is logged, never shown.
    #[error("declined: {0}")]
    Declined(String),
    /// A timeout, network error, 409, 429 or 5xx, or an open circuit breaker: a later retry may succeed.
    #[error("retryable: {0}")]
    Retryable(String),
    /// A request the provider will never accept (another 4xx, bad configuration or parameters, e.g. a refund
    /// without a payment intent).
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
