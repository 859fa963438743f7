//! What the booking service reports as it goes: transitions and refund outcomes, for metrics and alerts.

use crate::model::{BookingId, BookingStatus, RefundStatus};

/// Receives the booking service's facts after each committed change. Implementations only count and log;
/// they never fail and never block (the server's counts them as Prometheus metrics, tests may record them).
pub trait BookingObserver: Send + Sync {
    /// A booking reached status `to` (a new hold is RESERVED; a late payment that re-holds is CONFIRMED).
    fn transition(&self, to: BookingStatus);
    /// A refund attempt was recorded with this resulting status; `Failed` means it will not be retried and
    /// must be settled by hand (alert).
    fn refund(&self, booking_id: BookingId, status: RefundStatus);
}

/// An observer that ignores everything (the default).
pub struct NoopObserver;

impl BookingObserver for NoopObserver {
    fn transition(&self, _to: BookingStatus) {}
    fn refund(&self, _booking_id: BookingId, _status: RefundStatus) {}
}
