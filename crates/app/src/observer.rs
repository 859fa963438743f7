//! The booking service's facts as Prometheus metrics and alerts (the domain reports, the app counts).

use domain::model::{BookingId, BookingStatus, RefundStatus};
use domain::ports::BookingObserver;

/// Counts `booking_transitions_total{to}` and `refunds_total{outcome}`; a refund that failed for good is
/// logged at error level (it must be settled by hand).
pub struct MetricsObserver;

impl BookingObserver for MetricsObserver {
    fn transition(&self, to: BookingStatus) {
        metrics::counter!("booking_transitions_total", "to" => to.as_str()).increment(1);
    }

    fn refund(&self, booking_id: BookingId, status: RefundStatus) {
        let outcome = match status {
            RefundStatus::Succeeded => "succeeded",
            RefundStatus::Pending => "retry",
            RefundStatus::Failed => {
                tracing::error!(booking_id = booking_id.get(), "refund failed for good; refund by hand");
                "failed"
            }
        };
        metrics::counter!("refunds_total", "outcome" => outcome).increment(1);
    }
}
