//! Provider events (exactly-once, API.md §4.4.6) and the refund retry queue.

use crate::state::{PaymentRefundRow, ProcessedEvent, State};
use chrono::{DateTime, Duration, Utc};
use domain::model::{Booking, BookingAction, BookingStatus, InventoryEffect, PaidEvent, RefundStatus};
use domain::ports::{EventOutcome, PaymentEvent, PaymentEventKind, PaymentRefund};
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
            ProcessedEvent { event_type: event.event_type, booking_id, outcome: outcome.label(), received_at: now };
        self.webhook_events.insert(event.event_id, record);
        Ok(outcome)
    }

    /// The booking an event is about: by session id, else by the booking id it carries.
    fn event_booking(&self, event: &PaymentEvent) -> Option<i64> {
        let by_session = event.session_id.as_deref().and_then(|sid| {
            self.bookings.values().find(|r| r.booking.payment_session_id.as_deref() == Some(sid)).map(|r| r.booking.id)
        });
        by_session.or_else(|| event.booking_id.filter(|id| self.bookings.contains_key(id)))
    }

    fn event_outcome(&mut self, event: &PaymentEvent, now: DateTime<Utc>) -> Result<(Option<i64>, EventOutcome)> {
        let Some(kind) = event.kind else { return Ok((event.booking_id, EventOutcome::Ignored)) };
        let Some(id) = self.event_booking(event) else { return Ok((event.booking_id, EventOutcome::Unmatched)) };
        let b = &self.booking_row(id)?.booking;
        let amount_ok = event.amount_minor.is_none_or(|a| a == b.amount.minor());
        let currency_ok = event.currency.as_deref().is_none_or(|c| c.eq_ignore_ascii_case(&b.currency));
        if !amount_ok || !currency_ok {
            return Ok((Some(id), EventOutcome::Unmatched));
        }
        // Whether the event is about the booking's current checkout session (an event without a session
        // id can only be about the current one).
        let current_session = match (&event.session_id, &b.payment_session_id) {
            (None, _) => true,
            (Some(e), Some(c)) => e == c,
            (Some(_), None) => false,
        };
        let outcome = match kind {
            PaymentEventKind::Paid => self.paid(id, event, now)?,
            PaymentEventKind::Failed | PaymentEventKind::Expired if !current_session => EventOutcome::NoEffect,
            PaymentEventKind::Failed => self.closed(id, BookingAction::PaymentFailed, now)?,
            PaymentEventKind::Expired => self.closed(id, BookingAction::SessionExpired, now)?,
            PaymentEventKind::AwaitingAsync => {
                let row = self.booking_row_mut(id)?;
                if current_session && row.booking.status == BookingStatus::PaymentsPending {
                    // The customer completed checkout; the money settles later, so the hold must not lapse.
                    row.booking.expires_at = None;
                    row.booking.updated_at = now;
                }
                EventOutcome::NoEffect
            }
        };
        Ok((Some(id), outcome))
    }

    /// Money was taken: it is never ignored.
    fn paid(&mut self, id: i64, event: &PaymentEvent, now: DateTime<Utc>) -> Result<EventOutcome> {
        match self
            .booking_row(id)?
            .booking
            .classify_payment(event.session_id.as_deref(), event.payment_intent.as_deref())
        {
            PaidEvent::Redelivery => return Ok(EventOutcome::NoEffect),
            // Money taken twice: keep the booking, refund the extra money on its own record and key.
            PaidEvent::ExtraPayment => return self.queue_payment_refund(id, event),
            PaidEvent::First => {}
        }
        let acted = self.act(id, BookingAction::PaymentSucceeded, now)?;
        let Some(t) = acted.applied else { return Ok(EventOutcome::NoEffect) };
        self.record_payment(id, event);
        let b = self.view_of(id)?;
        Ok(match t.effect {
            _ if acted.rehold_failed || t.refund => EventOutcome::RefundQueued(b),
            InventoryEffect::Rehold => EventOutcome::LateRehold(b),
            _ => EventOutcome::Confirmed(b),
        })
    }

    /// Remembers which session and payment intent took the money (refunds target them).
    fn record_payment(&mut self, id: i64, event: &PaymentEvent) {
        if let Some(row) = self.bookings.get_mut(&id) {
            if let Some(sid) = &event.session_id {
                row.booking.payment_session_id = Some(sid.clone());
            }
            if let Some(pi) = &event.payment_intent {
                row.booking.payment_intent_id = Some(pi.clone());
            }
        }
    }

    /// Queues the refund of an extra payment of a confirmed booking (once per paid session).
    fn queue_payment_refund(&mut self, id: i64, event: &PaymentEvent) -> Result<EventOutcome> {
        let booking = self.view_of(id)?;
        let key = format!("refund-booking-{id}-{}", event.session_id.as_deref().unwrap_or(&event.event_id));
        if self.payment_refunds.values().any(|r| r.refund.idempotency_key == key) {
            return Ok(EventOutcome::NoEffect);
        }
        let refund = PaymentRefund {
            id: self.payment_refunds.keys().next_back().copied().unwrap_or(0) + 1,
            booking_id: id,
            payment_intent: event.payment_intent.clone(),
            session_id: event.session_id.clone(),
            amount: booking.amount,
            idempotency_key: key,
        };
        let row =
            PaymentRefundRow { refund: refund.clone(), status: RefundStatus::Pending, attempts: 0, last_attempt: None };
        self.payment_refunds.insert(refund.id, row);
        Ok(EventOutcome::DuplicatePayment { booking, refund })
    }

    /// PENDING extra-payment refunds whose backoff has passed, by id.
    pub fn pending_payment_refunds(&self, now: DateTime<Utc>, limit: i64) -> Vec<PaymentRefund> {
        self.payment_refunds
            .values()
            .filter(|r| {
                r.status == RefundStatus::Pending
                    && r.last_attempt.is_none_or(|t| t + Duration::seconds(1i64 << r.attempts.clamp(0, 30)) <= now)
            })
            .take(limit.max(0) as usize)
            .map(|r| r.refund.clone())
            .collect()
    }

    /// Records one attempt of a PENDING extra-payment refund.
    pub fn record_payment_refund(
        &mut self,
        id: i64,
        result: std::result::Result<String, ()>,
        max_attempts: i32,
        now: DateTime<Utc>,
    ) {
        if let Some(r) = self.payment_refunds.get_mut(&id).filter(|r| r.status == RefundStatus::Pending) {
            r.attempts += 1;
            r.last_attempt = Some(now);
            r.status = match result {
                Ok(_) => RefundStatus::Succeeded,
                Err(()) if r.attempts >= max_attempts => RefundStatus::Failed,
                Err(()) => RefundStatus::Pending,
            };
        }
    }

    /// The current session failed or expired.
    fn closed(&mut self, id: i64, action: BookingAction, now: DateTime<Utc>) -> Result<EventOutcome> {
        let acted = self.act(id, action, now)?;
        let b = self.view_of(id)?;
        Ok(match (acted.applied, b.status) {
            (Some(_), BookingStatus::Cancelled) => EventOutcome::Cancelled(b),
            (Some(_), BookingStatus::Expired) => EventOutcome::Expired(b),
            (None, BookingStatus::Expired) if acted.expired_first => EventOutcome::Expired(b),
            _ => EventOutcome::NoEffect,
        })
    }

    /// PENDING refunds whose backoff (`2^attempts` seconds after the last attempt) has passed, by id.
    pub fn pending_refunds(&self, now: DateTime<Utc>, limit: i64) -> Vec<Booking> {
        self.bookings
            .values()
            .filter(|r| {
                let b = &r.booking;
                let last = r.refund_clock.unwrap_or(b.updated_at);
                let backoff = Duration::seconds(1i64 << b.refund_attempts.clamp(0, 30));
                b.refund_status == Some(RefundStatus::Pending) && last + backoff <= now
            })
            .take(usize::try_from(limit).unwrap_or(0))
            .map(|r| self.view(r))
            .collect()
    }

    /// Records one refund attempt of a PENDING refund; anything else is left alone.
    pub fn record_refund(&mut self, id: i64, result: std::result::Result<String, ()>, max_attempts: i32) -> Result<()> {
        let at = self.latest_now;
        let row = self.bookings.get_mut(&id).ok_or(Error::BookingNotFound(id))?;
        let b = &mut row.booking;
        if b.refund_status != Some(RefundStatus::Pending) {
            return Ok(());
        }
        match result {
            Ok(refund_id) => {
                b.refund_id = Some(refund_id);
                b.refund_status = Some(RefundStatus::Succeeded);
            }
            Err(()) => {
                b.refund_attempts += 1;
                if b.refund_attempts >= max_attempts {
                    b.refund_status = Some(RefundStatus::Failed);
                }
            }
        }
        if let Some(at) = at {
            b.updated_at = at;
            row.refund_clock = Some(at);
        }
        Ok(())
    }
}
