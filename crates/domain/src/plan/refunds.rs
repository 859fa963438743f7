//! Refund retries: when the next attempt is due and what an attempt's result makes of the refund.

use crate::model::RefundStatus;
use chrono::{DateTime, Duration, Utc};

/// Largest backoff exponent: attempts are spaced 1, 2, 4, … seconds apart, at most 2^16 s (about 18 h).
pub const MAX_BACKOFF_EXPONENT: i32 = 16;

/// The wait before the next attempt after `attempts` failed ones (none before the first).
pub fn refund_backoff(attempts: i32) -> Duration {
    if attempts <= 0 { Duration::zero() } else { Duration::seconds(1i64 << attempts.min(MAX_BACKOFF_EXPONENT)) }
}

/// Whether a PENDING refund with `attempts` failed attempts, the last at `last_attempt`, is due at `now`.
pub fn refund_due(attempts: i32, last_attempt: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    match last_attempt {
        None => true,
        Some(at) => attempts <= 0 || at + refund_backoff(attempts) <= now,
    }
}

/// The status after one more attempt: SUCCEEDED on success, FAILED once `max_attempts` have failed.
pub fn refund_outcome(succeeded: bool, attempts_after: i32, max_attempts: i32) -> RefundStatus {
    match (succeeded, attempts_after >= max_attempts) {
        (true, _) => RefundStatus::Succeeded,
        (false, true) => RefundStatus::Failed,
        (false, false) => RefundStatus::Pending,
    }
}
