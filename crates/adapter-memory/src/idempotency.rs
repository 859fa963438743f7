//! Idempotency-Key records (API.md §4.3.7): a 60 s in-flight lease, 24 h retention.

use crate::InMemoryStore;
use crate::state::{IdempotencyRow, IdempotencyState};
use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use domain::Result;
use domain::model::UserId;
use domain::ports::{IdempotencyStart, IdempotencyStore, Lease};

/// How long an in-flight claim blocks other requests with the same key.
const LEASE: Duration = Duration::seconds(60);
/// How long a key is remembered.
const RETENTION: Duration = Duration::hours(24);

#[async_trait]
impl IdempotencyStore for InMemoryStore {
    async fn start(
        &self,
        user_id: UserId,
        key: &str,
        method: &str,
        path: &str,
        fingerprint: Vec<u8>,
        now: DateTime<Utc>,
    ) -> Result<IdempotencyStart> {
        self.with(|st| {
            st.saw(now);
            let id = (user_id, key.to_string());
            if let Some(row) = st.idempotency.get_mut(&id)
                && row.created_at + RETENTION > now
            {
                if row.method != method || row.path != path || row.fingerprint != fingerprint {
                    return Ok(IdempotencyStart::Mismatch);
                }
                return Ok(match &row.state {
                    IdempotencyState::Completed { status, body } => {
                        IdempotencyStart::Replay { status: *status, body: body.clone() }
                    }
                    IdempotencyState::InFlight { locked_until } if *locked_until > now => IdempotencyStart::InUse,
                    IdempotencyState::InFlight { .. } => {
                        // A lapsed lease: the first request was abandoned; this one takes over.
                        let lease = lease_end(now);
                        row.state = IdempotencyState::InFlight { locked_until: lease };
                        IdempotencyStart::Proceed { lease }
                    }
                });
            }
            let row = IdempotencyRow {
                method: method.to_string(),
                path: path.to_string(),
                fingerprint,
                created_at: now,
                state: IdempotencyState::InFlight { locked_until: lease_end(now) },
            };
            st.idempotency.insert(id, row);
            Ok(IdempotencyStart::Proceed { lease: lease_end(now) })
        })
    }

    async fn complete(&self, user_id: UserId, key: &str, lease: Lease, status: u16, body: Vec<u8>) -> Result<bool> {
        self.with(|st| match st.idempotency.get_mut(&(user_id, key.to_string())) {
            Some(row) if matches!(row.state, IdempotencyState::InFlight { locked_until } if locked_until == lease) => {
                row.state = IdempotencyState::Completed { status, body };
                Ok(true)
            }
            _ => Ok(false),
        })
    }

    async fn release(&self, user_id: UserId, key: &str, lease: Lease) -> Result<()> {
        self.with(|st| {
            let id = (user_id, key.to_string());
            if matches!(
                st.idempotency.get(&id),
                Some(IdempotencyRow { state: IdempotencyState::InFlight { locked_until }, .. }) if *locked_until == lease
            ) {
                st.idempotency.remove(&id);
            }
            Ok(())
        })
    }
}

/// The end of a lease started at `now`, at the microsecond precision PostgreSQL stores.
fn lease_end(now: DateTime<Utc>) -> Lease {
    let end = now + LEASE;
    DateTime::from_timestamp_micros(end.timestamp_micros()).unwrap_or(end)
}
