//! Refund retries: the due queues and the result of each attempt.

use super::*;
use domain::plan::{MAX_BACKOFF_EXPONENT, refund_outcome};

impl PgStore {
    pub(super) async fn pending_refunds_tx(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<Booking>> {
        let mut conn = self.conn().await?;
        let q = format!(
            "SELECT {BOOKING_COLS} FROM {BOOKING_FROM} WHERE b.refund_status = 'PENDING'
               AND (b.refund_attempts = 0 OR b.updated_at + make_interval(secs => power(2, least(b.refund_attempts, {MAX_BACKOFF_EXPONENT}))) <= $1)
             ORDER BY b.id LIMIT $2"
        );
        let rows = crate::prepared::sql(q)
            .bind::<Timestamptz, _>(now)
            .bind::<BigInt, _>(limit)
            .load::<BookingRow>(&mut conn)
            .await
            .map_err(db_error)?;
        rows.into_iter().map(Booking::try_from).collect()
    }

    pub(super) async fn record_refund_tx(
        &self,
        id: BookingId,
        attempt: RefundAttempt,
        max_attempts: i32,
        now: DateTime<Utc>,
    ) -> Result<Option<RefundStatus>> {
        #[derive(QueryableByName)]
        struct Row {
            #[diesel(sql_type = Nullable<Text>)]
            refund_status: Option<String>,
            #[diesel(sql_type = Integer)]
            refund_attempts: i32,
        }
        let status = tx!(self, |c| {
            let row =
                crate::prepared::sql("SELECT refund_status, refund_attempts FROM booking WHERE id = $1 FOR UPDATE")
                    .bind::<BigInt, _>(i64::from(id))
                    .get_result::<Row>(c)
                    .await
                    .optional()?;
            let Some(row) = row.filter(|r| r.refund_status.as_deref() == Some(RefundStatus::Pending.as_str())) else {
                return Ok(None);
            };
            let attempts = row.refund_attempts + 1;
            let status = refund_outcome(attempt.refund_id().is_some(), attempts, max_attempts);
            crate::prepared::sql(
                "UPDATE booking SET refund_status = $2, refund_attempts = $3, refund_id = COALESCE($4, refund_id),
                    updated_at = $5 WHERE id = $1",
            )
            .bind::<BigInt, _>(i64::from(id))
            .bind::<Text, _>(status.as_str())
            .bind::<Integer, _>(attempts)
            .bind::<Nullable<Text>, _>(attempt.refund_id())
            .bind::<Timestamptz, _>(now)
            .execute(c)
            .await?;
            Ok::<_, TxError>(Some(status))
        })?;
        Ok(status)
    }

    pub(super) async fn pending_payment_refunds_tx(
        &self,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<PaymentRefund>> {
        #[derive(QueryableByName)]
        struct Row {
            #[diesel(sql_type = BigInt)]
            id: i64,
            #[diesel(sql_type = BigInt)]
            booking_id: i64,
            #[diesel(sql_type = Nullable<Text>)]
            payment_intent_id: Option<String>,
            #[diesel(sql_type = Nullable<Text>)]
            session_id: Option<String>,
            #[diesel(sql_type = Numeric)]
            amount: rust_decimal::Decimal,
            #[diesel(sql_type = Text)]
            idempotency_key: String,
        }
        let mut conn = self.conn().await?;
        // The SQL twin of `domain::plan::refund_due`, with the domain's exponent cap.
        let rows = crate::prepared::sql(format!(
            "SELECT id, booking_id, payment_intent_id, session_id, amount, idempotency_key FROM payment_refund
             WHERE status = 'PENDING'
               AND (last_attempt_at IS NULL
                    OR last_attempt_at + make_interval(secs => power(2, least(attempts, {MAX_BACKOFF_EXPONENT}))) <= $1)
             ORDER BY id LIMIT $2"
        ))
        .bind::<Timestamptz, _>(now)
        .bind::<BigInt, _>(limit)
        .load::<Row>(&mut conn)
        .await
        .map_err(db_error)?;
        rows.into_iter()
            .map(|r| {
                Ok(PaymentRefund {
                    id: r.id,
                    booking_id: BookingId(r.booking_id),
                    payment_intent: r.payment_intent_id,
                    session_id: r.session_id,
                    amount: money(r.amount)?,
                    idempotency_key: r.idempotency_key,
                })
            })
            .collect()
    }

    pub(super) async fn record_payment_refund_tx(
        &self,
        id: i64,
        attempt: RefundAttempt,
        max_attempts: i32,
        now: DateTime<Utc>,
    ) -> Result<Option<RefundStatus>> {
        #[derive(QueryableByName)]
        struct Row {
            #[diesel(sql_type = Text)]
            status: String,
            #[diesel(sql_type = Integer)]
            attempts: i32,
            #[diesel(sql_type = BigInt)]
            booking_id: i64,
        }
        let result = tx!(self, |c| {
            let row = crate::prepared::sql(
                "SELECT status, attempts, booking_id FROM payment_refund WHERE id = $1 FOR UPDATE",
            )
            .bind::<BigInt, _>(id)
            .get_result::<Row>(c)
            .await
            .optional()?;
            let Some(row) = row.filter(|r| r.status == RefundStatus::Pending.as_str()) else { return Ok(None) };
            let attempts = row.attempts + 1;
            let status = refund_outcome(attempt.refund_id().is_some(), attempts, max_attempts);
            crate::prepared::sql(
                "UPDATE payment_refund SET status = $2, attempts = $3, refund_id = COALESCE($4, refund_id),
                    last_attempt_at = $5 WHERE id = $1",
            )
            .bind::<BigInt, _>(id)
            .bind::<Text, _>(status.as_str())
            .bind::<Integer, _>(attempts)
            .bind::<Nullable<Text>, _>(attempt.refund_id())
            .bind::<Timestamptz, _>(now)
            .execute(c)
            .await?;
            Ok::<_, TxError>(Some((status, row.booking_id)))
        })?;
        Ok(result.map(|(s, _)| s))
    }
}
