//! Refund retries: the due queues and the result of each attempt.

use super::*;

impl PgStore {
    pub(super) async fn pending_refunds_tx(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<Booking>> {
        let mut conn = self.conn().await?;
        let q = format!(
            "SELECT {BOOKING_COLS} FROM {BOOKING_FROM} WHERE b.refund_status = 'PENDING'
               AND (b.refund_attempts = 0 OR b.updated_at + make_interval(secs => power(2, least(b.refund_attempts, 16))) <= $1)
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
        id: i64,
        result: std::result::Result<String, ()>,
        max_attempts: i32,
    ) -> Result<()> {
        let mut conn = self.conn().await?;
        let q = match &result {
            Ok(_) => {
                "UPDATE booking SET refund_status = 'SUCCEEDED', refund_id = $2, refund_attempts = refund_attempts + 1
                      WHERE id = $1 AND refund_status = 'PENDING' AND $3 = $3 RETURNING refund_status AS status"
            }
            Err(_) => {
                "UPDATE booking SET refund_attempts = refund_attempts + 1,
                         refund_status = CASE WHEN refund_attempts + 1 >= $3 THEN 'FAILED' ELSE 'PENDING' END
                       WHERE id = $1 AND refund_status = 'PENDING' AND ($2::text IS NULL OR true)
                       RETURNING refund_status AS status"
            }
        };
        #[derive(QueryableByName)]
        struct Status {
            #[diesel(sql_type = Text)]
            status: String,
        }
        let row = crate::prepared::sql(q)
            .bind::<BigInt, _>(id)
            .bind::<Nullable<Text>, _>(result.as_ref().ok())
            .bind::<Integer, _>(max_attempts)
            .get_result::<Status>(&mut conn)
            .await
            .optional()
            .map_err(db_error)?;
        if let Some(row) = row {
            let outcome = match (result.is_ok(), row.status.as_str()) {
                (true, _) => "succeeded",
                (false, "FAILED") => {
                    tracing::error!(booking_id = id, attempts = max_attempts, "refund failed for good; refund by hand");
                    "failed"
                }
                (false, _) => "retry",
            };
            metrics::counter!("refunds_total", "outcome" => outcome).increment(1);
        }
        Ok(())
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
        let rows = crate::prepared::sql(
            "SELECT id, booking_id, payment_intent_id, session_id, amount, idempotency_key FROM payment_refund
             WHERE status = 'PENDING'
               AND (last_attempt_at IS NULL
                    OR last_attempt_at + make_interval(secs => power(2, least(attempts, 16))) <= $1)
             ORDER BY id LIMIT $2",
        )
        .bind::<Timestamptz, _>(now)
        .bind::<BigInt, _>(limit)
        .load::<Row>(&mut conn)
        .await
        .map_err(db_error)?;
        rows.into_iter()
            .map(|r| {
                Ok(PaymentRefund {
                    id: r.id,
                    booking_id: r.booking_id,
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
        result: std::result::Result<String, ()>,
        max_attempts: i32,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut conn = self.conn().await?;
        let n = crate::prepared::sql(
            "UPDATE payment_refund SET attempts = attempts + 1, last_attempt_at = $4, refund_id = COALESCE($2, refund_id),
                status = CASE WHEN $2 IS NOT NULL THEN 'SUCCEEDED' WHEN attempts + 1 >= $3 THEN 'FAILED' ELSE 'PENDING' END
             WHERE id = $1 AND status = 'PENDING'",
        )
        .bind::<BigInt, _>(id)
        .bind::<Nullable<Text>, _>(result.as_ref().ok())
        .bind::<Integer, _>(max_attempts)
        .bind::<Timestamptz, _>(now)
        .execute(&mut conn)
        .await
        .map_err(db_error)?;
        if n > 0 {
            metrics::counter!("refunds_total", "outcome" => if result.is_ok() { "succeeded" } else { "retry" })
                .increment(1);
        }
        Ok(())
    }
}
