//! Idempotency keys and the simulated gateway's sessions.

use crate::rows::*;
use crate::{PgStore, TxError, db_error, tx};
use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use diesel::OptionalExtension;
use diesel::sql_types::{BigInt, Bytea, Numeric, SmallInt, Text, Timestamptz};
use diesel_async::RunQueryDsl;
use domain::Result;
use domain::model::{BookingId, UserId};
use domain::ports::*;

/// How long an in-flight claim is leased.
const LEASE_SECS: i64 = 60;
/// How long a completed key is replayed.
const RETENTION_HOURS: i64 = 24;

#[async_trait]
impl IdempotencyStore for PgStore {
    async fn start(
        &self,
        user_id: UserId,
        key: &str,
        method: &str,
        path: &str,
        fingerprint: Vec<u8>,
        now: DateTime<Utc>,
    ) -> Result<IdempotencyStart> {
        // Microsecond precision, as stored, so the fencing comparison of complete/release is exact.
        let lease = now + Duration::seconds(LEASE_SECS);
        let lease = DateTime::from_timestamp_micros(lease.timestamp_micros()).unwrap_or(lease);
        tx!(self, |c| {
            let inserted = crate::prepared::sql(
                "INSERT INTO idempotency_key (user_id, key, method, path, fingerprint, state, locked_until, created_at)
                 VALUES ($1, $2, $3, $4, $5, 'IN_FLIGHT', $6, $7) ON CONFLICT (user_id, key) DO NOTHING",
            )
            .bind::<BigInt, _>(i64::from(user_id))
            .bind::<Text, _>(key)
            .bind::<Text, _>(method)
            .bind::<Text, _>(path)
            .bind::<Bytea, _>(&fingerprint)
            .bind::<Timestamptz, _>(lease)
            .bind::<Timestamptz, _>(now)
            .execute(c)
            .await?;
            if inserted == 1 {
                return Ok(IdempotencyStart::Proceed { lease });
            }
            let row = crate::prepared::sql(
                "SELECT method, path, fingerprint, state, locked_until, response_status, response_body, created_at
                 FROM idempotency_key WHERE user_id = $1 AND key = $2 FOR UPDATE",
            )
            .bind::<BigInt, _>(i64::from(user_id))
            .bind::<Text, _>(key)
            .get_result::<IdemRow>(c)
            .await
            .optional()?;
            let Some(row) = row else { return Ok(IdempotencyStart::InUse) };
            let stale = row.created_at + Duration::hours(RETENTION_HOURS) <= now;
            let lapsed = row.state == "IN_FLIGHT" && row.locked_until.is_none_or(|t| t <= now);
            if stale || (lapsed && row.fingerprint == fingerprint) {
                crate::prepared::sql(
                    "UPDATE idempotency_key SET method = $3, path = $4, fingerprint = $5, state = 'IN_FLIGHT',
                        locked_until = $6, response_status = NULL, response_body = NULL, created_at = $7
                     WHERE user_id = $1 AND key = $2",
                )
                .bind::<BigInt, _>(i64::from(user_id))
                .bind::<Text, _>(key)
                .bind::<Text, _>(method)
                .bind::<Text, _>(path)
                .bind::<Bytea, _>(&fingerprint)
                .bind::<Timestamptz, _>(lease)
                .bind::<Timestamptz, _>(now)
                .execute(c)
                .await?;
                return Ok(IdempotencyStart::Proceed { lease });
            }
            if row.fingerprint != fingerprint || row.method != method || row.path != path {
                return Ok(IdempotencyStart::Mismatch);
            }
            Ok::<_, TxError>(match (row.state.as_str(), row.response_status, row.response_body) {
                ("COMPLETED", Some(status), Some(body)) => IdempotencyStart::Replay { status: status as u16, body },
                _ => IdempotencyStart::InUse,
            })
        })
    }

    async fn complete(&self, user_id: UserId, key: &str, lease: Lease, status: u16, body: Vec<u8>) -> Result<bool> {
        let mut conn = self.conn().await?;
        let n = crate::prepared::sql(
            "UPDATE idempotency_key SET state = 'COMPLETED', locked_until = NULL, response_status = $4, response_body = $5
             WHERE user_id = $1 AND key = $2 AND state = 'IN_FLIGHT' AND locked_until = $3",
        )
        .bind::<BigInt, _>(i64::from(user_id))
        .bind::<Text, _>(key)
        .bind::<Timestamptz, _>(lease)
        .bind::<SmallInt, _>(status as i16)
        .bind::<Bytea, _>(body)
        .execute(&mut conn)
        .await
        .map_err(db_error)?;
        Ok(n == 1)
    }

    async fn release(&self, user_id: UserId, key: &str, lease: Lease) -> Result<()> {
        let mut conn = self.conn().await?;
        crate::prepared::sql(
            "DELETE FROM idempotency_key WHERE user_id = $1 AND key = $2 AND state = 'IN_FLIGHT' AND locked_until = $3",
        )
        .bind::<BigInt, _>(i64::from(user_id))
        .bind::<Text, _>(key)
        .bind::<Timestamptz, _>(lease)
        .execute(&mut conn)
        .await
        .map_err(db_error)?;
        Ok(())
    }
}

#[async_trait]
impl SimulatedSessionStore for PgStore {
    async fn insert_session(&self, s: SimulatedSession) -> Result<()> {
        let mut conn = self.conn().await?;
        crate::prepared::sql(
            "INSERT INTO simulated_checkout_session (id, booking_id, amount, currency, status, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind::<Text, _>(&s.id)
        .bind::<BigInt, _>(i64::from(s.booking_id))
        .bind::<Numeric, _>(s.amount.to_decimal())
        .bind::<Text, _>(&s.currency)
        .bind::<Text, _>(&s.status)
        .bind::<Timestamptz, _>(s.expires_at)
        .execute(&mut conn)
        .await
        .map_err(db_error)?;
        Ok(())
    }

    async fn session(&self, id: &str) -> Result<Option<SimulatedSession>> {
        let mut conn = self.conn().await?;
        let row = crate::prepared::sql(
            "SELECT id, booking_id, amount, currency::text AS currency, status, expires_at
             FROM simulated_checkout_session WHERE id = $1",
        )
        .bind::<Text, _>(id)
        .get_result::<SimSessionRow>(&mut conn)
        .await
        .optional()
        .map_err(db_error)?;
        row.map(|r| {
            Ok(SimulatedSession {
                id: r.id,
                booking_id: BookingId(r.booking_id),
                amount: money(r.amount)?,
                currency: r.currency,
                status: r.status,
                expires_at: r.expires_at,
            })
        })
        .transpose()
    }

    async fn set_session_status(&self, id: &str, from: &str, to: &str) -> Result<bool> {
        let mut conn = self.conn().await?;
        let n = crate::prepared::sql("UPDATE simulated_checkout_session SET status = $3 WHERE id = $1 AND status = $2")
            .bind::<Text, _>(id)
            .bind::<Text, _>(from)
            .bind::<Text, _>(to)
            .execute(&mut conn)
            .await
            .map_err(db_error)?;
        Ok(n == 1)
    }
}

impl PgStore {
    /// Housekeeping: prunes idempotency keys > 24 h, webhook events > 30 days, refresh tokens expired > 1 day
    /// and ended login windows. Returns the rows removed.
    pub async fn prune(&self, now: DateTime<Utc>, login_window_secs: i64) -> Result<usize> {
        let mut conn = self.conn().await?;
        let mut n = 0;
        let stmts: [(&str, DateTime<Utc>); 4] = [
            ("DELETE FROM idempotency_key WHERE created_at < $1", now - Duration::hours(RETENTION_HOURS)),
            ("DELETE FROM processed_webhook_event WHERE received_at < $1", now - Duration::days(30)),
            ("DELETE FROM refresh_token WHERE expires_at < $1", now - Duration::days(1)),
            ("DELETE FROM login_throttle WHERE window_started_at < $1", now - Duration::seconds(login_window_secs)),
        ];
        for (q, cutoff) in stmts {
            n += crate::prepared::sql(q).bind::<Timestamptz, _>(cutoff).execute(&mut conn).await.map_err(db_error)?;
        }
        Ok(n)
    }
}
