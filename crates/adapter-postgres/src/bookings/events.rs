//! Provider events: deduplicated by event id, planned by the domain, written in the same transaction.

use super::lifecycle::write_plan;
use super::*;

impl PgStore {
    pub(super) async fn apply_payment_event_tx(&self, ev: PaymentEvent, now: DateTime<Utc>) -> Result<EventOutcome> {
        tx!(self, |c| {
            PgStore::set_actor(c, EventActor::Provider).await?;
            let fresh = crate::prepared::sql(
                "INSERT INTO processed_webhook_event (event_id, event_type, outcome, received_at)
                 VALUES ($1, $2, 'ignored', $3) ON CONFLICT (event_id) DO NOTHING",
            )
            .bind::<Text, _>(&ev.event_id)
            .bind::<Text, _>(&ev.event_type)
            .bind::<Timestamptz, _>(now)
            .execute(c)
            .await?;
            if fresh == 0 {
                return Ok(EventOutcome::Duplicate);
            }
            let outcome = decide_event(c, &ev, now).await?;
            let booking_id = match &outcome {
                EventOutcome::Confirmed(b)
                | EventOutcome::LateRehold(b)
                | EventOutcome::RefundQueued(b)
                | EventOutcome::DuplicatePayment { booking: b, .. }
                | EventOutcome::Cancelled(b)
                | EventOutcome::Expired(b) => Some(b.id),
                _ => None,
            };
            crate::prepared::sql(
                "UPDATE processed_webhook_event SET outcome = $2, booking_id = $3 WHERE event_id = $1",
            )
            .bind::<Text, _>(&ev.event_id)
            .bind::<Text, _>(outcome_label(&outcome))
            .bind::<Nullable<BigInt>, _>(booking_id.map(i64::from))
            .execute(c)
            .await?;
            Ok::<_, TxError>(outcome)
        })
    }
}

/// Finds the booking an event is about (by session id, else by the booking id it carries), locks it, asks the
/// planner what the event does and writes that.
async fn decide_event(c: &mut AsyncPgConnection, ev: &PaymentEvent, now: DateTime<Utc>) -> TxResult<EventOutcome> {
    if ev.kind.is_none() {
        return Ok(EventOutcome::Ignored);
    }
    let mut id = None;
    if let Some(sid) = &ev.session_id {
        id = crate::prepared::sql("SELECT id FROM booking WHERE payment_session_id = $1")
            .bind::<Text, _>(sid)
            .get_result::<IdRow>(c)
            .await
            .optional()?
            .map(|r| BookingId(r.id));
    }
    let Some(id) = id.or(ev.booking_id) else { return Ok(EventOutcome::Unmatched) };
    let Some(b) = load(c, id, true).await? else { return Ok(EventOutcome::Unmatched) };
    let nights = if b.needs_nights(BookingAction::PaymentSucceeded, now) && ev.kind == Some(PaymentEventKind::Paid) {
        lock_nights(c, &b).await?
    } else {
        Vec::new()
    };
    match plan_event(&b, ev, now, &nights).map_err(TxError::Domain)? {
        EventPlan::Unmatched => Ok(EventOutcome::Unmatched),
        EventPlan::NoEffect => Ok(EventOutcome::NoEffect),
        EventPlan::ExtraPayment { key } => {
            let row = crate::prepared::sql(
                "INSERT INTO payment_refund (booking_id, payment_intent_id, session_id, amount, idempotency_key)
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
            )
            .bind::<BigInt, _>(i64::from(id))
            .bind::<Nullable<Text>, _>(ev.payment_intent.as_deref())
            .bind::<Nullable<Text>, _>(ev.session_id.as_deref())
            .bind::<Numeric, _>(b.amount.to_decimal())
            .bind::<Text, _>(&key)
            .get_result::<IdRow>(c)
            .await
            .optional()?;
            Ok(match row {
                Some(IdRow { id: refund_id }) => {
                    let refund = extra_refund(refund_id, &b, ev, key);
                    EventOutcome::DuplicatePayment { booking: b, refund }
                }
                None => EventOutcome::NoEffect,
            })
        }
        EventPlan::ClearDeadline => {
            crate::prepared::sql("UPDATE booking SET expires_at = NULL, updated_at = $2 WHERE id = $1")
                .bind::<BigInt, _>(i64::from(id))
                .bind::<Timestamptz, _>(now)
                .execute(c)
                .await?;
            Ok(EventOutcome::NoEffect)
        }
        EventPlan::Apply { record_payment, plan, result } => {
            if record_payment && (ev.payment_intent.is_some() || ev.session_id.is_some()) {
                crate::prepared::sql(
                    "UPDATE booking SET payment_intent_id = COALESCE($2, payment_intent_id),
                        payment_session_id = COALESCE($3, payment_session_id) WHERE id = $1",
                )
                .bind::<BigInt, _>(i64::from(id))
                .bind::<Nullable<Text>, _>(ev.payment_intent.as_deref())
                .bind::<Nullable<Text>, _>(ev.session_id.as_deref())
                .execute(c)
                .await?;
            }
            write_plan(c, &b, &plan, now).await?;
            let after = load(c, id, false).await?.ok_or_else(|| not_found(id))?;
            Ok(result.outcome(after))
        }
    }
}

/// The `processed_webhook_event.outcome` spelling of an outcome (API.md §5).
fn outcome_label(o: &EventOutcome) -> &'static str {
    match o {
        EventOutcome::Duplicate => "duplicate",
        EventOutcome::Confirmed(_) => "confirmed",
        EventOutcome::LateRehold(_) => "late_rehold",
        EventOutcome::RefundQueued(_) | EventOutcome::DuplicatePayment { .. } => "refund_queued",
        EventOutcome::Cancelled(_) => "cancelled",
        EventOutcome::Expired(_) => "expired",
        EventOutcome::NoEffect | EventOutcome::Ignored => "ignored",
        EventOutcome::Unmatched => "unmatched",
    }
}
