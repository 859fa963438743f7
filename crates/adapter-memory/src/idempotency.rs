//! Idempotency-Key records (API.md §4.3.7): a 60 s in-flight lease, 24 h retention.

use crate::InMemoryStore;
use crate::state::{IdempotencyRow, IdempotencyState};
use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use domain::Result;
use domain::ports::{IdempotencyStart, IdempotencyStore};

/// How long an in-flight claim blocks other requests with the same key.
const LEASE: Duration = Duration::seconds(60);
/// How long a key is remembered.
const RETENTION: Duration = Duration::hours(24);

#[async_trait]
impl IdempotencyStore for InMemoryStore {
    async fn start(
        &self,
        user_id: i64,
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
                        row.state = IdempotencyState::InFlight { locked_until: now + LEASE };
                        IdempotencyStart::Proceed
                    }
                });
            }
            let row = IdempotencyRow {
                method: method.to_string(),
                path: path.to_string(),
                fingerprint,
                created_at: now,
                state: IdempotencyState::InFlight { locked_until: now + LEASE },
            };
            st.idempotency.insert(id, row);
            Ok(IdempotencyStart::Proceed)
        })
    }

    async fn complete(&self, user_id: i64, key: &str, status: u16, body: Vec<u8>) -> Result<()> {
        self.with(|st| {
            if let Some(row) = st.idempotency.get_mut(&(user_id, key.to_string())) {
                row.state = IdempotencyState::Completed { status, body };
            }
            Ok(())
        })
    }

    async fn release(&self, user_id: i64, key: &str) -> Result<()> {
        self.with(|st| {
            let id = (user_id, key.to_string());
            if matches!(st.idempotency.get(&id), Some(IdempotencyRow { state: IdempotencyState::InFlight { .. }, .. }))
            {
                st.idempotency.remove(&id);
            }
            Ok(())
        })
    }
}
