//! The payment provider, its events and refunds.

use crate::model::*;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

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
