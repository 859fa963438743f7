//! Idempotency-Key records.

use crate::Result;
use crate::model::UserId;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// The fencing token of one in-flight claim of an Idempotency-Key: the instant its lease ends (microsecond
/// precision, as stored). A takeover after the lease lapsed gets a later one, so a request that outlived its
/// lease can be told from the one that took the key over.
pub type Lease = DateTime<Utc>;

/// Outcome of starting an idempotent request.
#[derive(Debug, Clone, PartialEq)]
pub enum IdempotencyStart {
    /// First time (or a lapsed lease taken over): execute, then complete or release with this lease.
    Proceed {
        /// This claim's fencing token (60 s lease), required by `complete` and `release`.
        lease: Lease,
    },
    /// Completed before: replay this status and body.
    Replay {
        /// The stored HTTP status.
        status: u16,
        /// The exact stored response bytes, replayed with `Idempotent-Replayed: true`.
        body: Vec<u8>,
    },
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
        user_id: UserId,
        key: &str,
        method: &str,
        path: &str,
        fingerprint: Vec<u8>,
        now: DateTime<Utc>,
    ) -> Result<IdempotencyStart>;
    /// Stores the response of the claimed key. MUST act only while `lease` is still the key's in-flight lease
    /// (fencing): `false` and no change when another request took the key over or it is already completed.
    async fn complete(&self, user_id: UserId, key: &str, lease: Lease, status: u16, body: Vec<u8>) -> Result<bool>;
    /// Releases the claim (5xx responses are not stored). MUST act only while `lease` is the in-flight lease.
    async fn release(&self, user_id: UserId, key: &str, lease: Lease) -> Result<()>;
}
