//! Provider events (exactly-once, API.md §4.4.6) and the refund retry queue.

use crate::state::{PaymentRefundRow, ProcessedEvent, State};
use chrono::{DateTime, Utc};
use domain::model::BookingId;
use domain::model::{Booking, RefundStatus};
use domain::plan::{EventPlan, extra_refund, plan_event, refund_due, refund_outcome};
use domain::ports::{EventOutcome, PaymentEvent, PaymentRefund, RefundAttempt};
use domain::{Error, Result};

impl State {
    /// Records the event id (dedup) and applies the event, in one step.
    pub fn apply_payment_event(&mut self, event: PaymentEvent, now: DateTime<Utc>) -> Result<EventOutcome> {
        self.saw(now);
        if self.webhook_events.contains_key(&event.event_id) {
            return Ok(EventOutcome::Duplicate);
        }
        let (booking_id, outcome) = self.event_outcome(&event, now)?;
        let record =
            ProcessedEvent { event_type: event.event_type, booking_id, outcome: outcome.clone(), received_at: now };
        self.webhook_events.insert(event.event_id, record);
        Ok(outcome)
    }

    /// The booking an event is about: by session id, else by the booking id it carries.
    fn event_booking(&self, event: &PaymentEvent) -> Option<BookingId> {
        let by_session = event.session_id.as_deref().and_then(|sid| {
            self.bookings.values().find(|r| r.booking.payment_session_id.as_deref() == Some(sid)).map(|r| r.booking.id)
        });
        by_session.or_else(|| event.booking_id.filter(|id| self.bookings.contains_key(id)))
    }

    fn event_outcome(&mut self, event: &PaymentEvent, now: DateTime<Utc>) -> Result<(Option<BookingId>, EventOutcome)> {
        if event.kind.is_none() {
            return Ok((event.booking_id, EventOutcome::Ignored));
        }
        let Some(id) = self.event_booking(event) else { return Ok((event.booking_id, EventOutcome::Unmatched)) };
        let b = self.booking_row(id)?.booking.clone();
        let nights = self.stay_nights(b.room_id, &b.stay());
        let outcome = match plan_event(&b, event, now, &nights)? {
            EventPlan::Unmatched => EventOutcome::Unmatched,
            EventPlan::NoEffect => EventOutcome::NoEffect,
            EventPlan::ExtraPayment { key } => self.queue_payment_refund(id, event, key)?,
            EventPlan::ClearDeadline => {
                let row = self.booking_row_mut(id)?;
                row.booking.expires_at = None;
                row.booking.updated_at = now;
                EventOutcome::NoEffect
            }
            EventPlan::Apply { record_payment, plan, result } => {
                if record_payment {
                    self.record_payment(id, event);
                }
                self.write_plan(id, &plan, now)?;
                result.outcome(self.view_of(id)?)
            }
        };
        Ok((Some(id), outcome))
    }

    /// Remembers which session and payment intent took the money (refunds target them).
    fn record_payment(&mut self, id: BookingId, event: &PaymentEvent) {
        if let Some(row) = self.bookings.get_mut(&id) {
            if let Some(sid) = &event.session_id {
                row.booking.payment_session_id = Some(sid.clone());
            }
            if let Some(pi) = &event.payment_intent {
                row.booking.payment_intent_id = Some(pi.clone());
            }
        }
    }

    /// Queues the refund of an extra payment under `key` (once per key).
    fn queue_payment_refund(&mut self, id: BookingId, event: &PaymentEvent, key: String) -> Result<EventOutcome> {
        let booking = self.view_of(id)?;
        if self.payment_refunds.values().any(|r| r.refund.idempotency_key == key) {
            return Ok(EventOutcome::NoEffect);
        }
        let refund_id = self.payment_refunds.keys().next_back().copied().unwrap_or(0) + 1;
        let refund = extra_refund(refund_id, &booking, event, key);
        let row =
            PaymentRefundRow { refund: refund.clone(), status: RefundStatus::Pending, attempts: 0, last_attempt: None };
        self.payment_refunds.insert(refund.id, row);
        Ok(EventOutcome::DuplicatePayment { booking, refund })
    }

    /// PENDING extra-payment refunds whose backoff has passed, by id.
    pub fn pending_payment_refunds(&self, now: DateTime<Utc>, limit: i64) -> Vec<PaymentRefund> {
        self.payment_refunds
            .values()
            .filter(|r| r.status == RefundStatus::Pending && refund_due(r.attempts, r.last_attempt, now))
            .take(limit.max(0) as usize)
            .map(|r| r.refund.clone())
            .collect()
    }

    /// Records one attempt of a PENDING extra-payment refund.
    pub fn record_payment_refund(
        &mut self,
        id: i64,
        attempt: RefundAttempt,
        max_attempts: i32,
        now: DateTime<Utc>,
    ) -> Option<RefundStatus> {
        let r = self.payment_refunds.get_mut(&id).filter(|r| r.status == RefundStatus::Pending)?;
        r.attempts += 1;
        r.last_attempt = Some(now);
        r.status = refund_outcome(attempt.refund_id().is_some(), r.attempts, max_attempts);
        Some(r.status)
    }

    /// PENDING refunds whose backoff (`2^attempts` seconds after the last attempt) has passed, by id.
    pub fn pending_refunds(&self, now: DateTime<Utc>, limit: i64) -> Vec<Booking> {
        self.bookings
            .values()
            .filter(|r| {
                let b = &r.booking;
                let last = r.refund_clock.unwrap_or(b.updated_at);
                b.refund_status == Some(RefundStatus::Pending) && refund_due(b.refund_attempts, Some(last), now)
            })
            .take(usize::try_from(limit).unwrap_or(0))
            .map(|r| self.view(r))
            .collect()
    }

    /// Records one refund attempt of a PENDING refund; anything else is left alone.
    pub fn record_refund(
        &mut self,
        id: BookingId,
        attempt: RefundAttempt,
        max_attempts: i32,
        now: DateTime<Utc>,
    ) -> Result<Option<RefundStatus>> {
        self.saw(now);
        let row = self.bookings.get_mut(&id).ok_or(Error::BookingNotFound(id))?;
        let b = &mut row.booking;
        if b.refund_status != Some(RefundStatus::Pending) {
            return Ok(None);
        }
        b.refund_attempts += 1;
        let status = refund_outcome(attempt.refund_id().is_some(), b.refund_attempts, max_attempts);
        if let Some(refund_id) = attempt.refund_id() {
            b.refund_id = Some(refund_id.to_string());
        }
        b.refund_status = Some(status);
        b.updated_at = now;
        row.refund_clock = Some(now);
        Ok(Some(status))
    }
}
