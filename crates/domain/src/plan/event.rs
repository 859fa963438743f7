//! The provider-event planner: what a verified payment event does to the booking it names.

use super::TransitionPlan;
use crate::Error;
use crate::model::{Booking, BookingAction, BookingId, BookingStatus, InventoryNight, PaidEvent};
use crate::ports::{EventOutcome, PaymentEvent, PaymentEventKind, PaymentRefund};
use chrono::{DateTime, Utc};

/// What an event's transition amounts to, once applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventResult {
    /// A held booking was paid: now CONFIRMED, its rooms moved reserved → booked (outcome `confirmed`).
    Confirmed,
    /// An EXPIRED booking was paid and its rooms re-held: now CONFIRMED (outcome `late_rehold`).
    LateRehold,
    /// The payment must be given back: a CANCELLED booking was paid, or a late payment found no room to
    /// re-hold (outcome `refund_queued`).
    RefundQueued,
    /// The payment failed: PAYMENTS_PENDING → CANCELLED, hold released (outcome `cancelled`).
    Cancelled,
    /// The checkout session expired: PAYMENTS_PENDING → EXPIRED, hold released (outcome `expired`).
    Expired,
    /// The event changed nothing (outcome `ignored`).
    NoEffect,
}

impl EventResult {
    /// The port's outcome for the booking as reloaded after the writes.
    pub fn outcome(self, booking: Booking) -> EventOutcome {
        match self {
            EventResult::Confirmed => EventOutcome::Confirmed(booking),
            EventResult::LateRehold => EventOutcome::LateRehold(booking),
            EventResult::RefundQueued => EventOutcome::RefundQueued(booking),
            EventResult::Cancelled => EventOutcome::Cancelled(booking),
            EventResult::Expired => EventOutcome::Expired(booking),
            EventResult::NoEffect => EventOutcome::NoEffect,
        }
    }
}

/// The writes a provider event makes.
#[derive(Debug, Clone, PartialEq)]
pub enum EventPlan {
    /// The amount or currency does not match the booking's frozen quote: never applied.
    Unmatched,
    /// Nothing to write (a redelivery, an event of another session, or one that does not apply).
    NoEffect,
    /// Money taken a second time: insert a refund record with this key (unless the key exists: then nothing).
    ExtraPayment {
        /// The provider idempotency key of the refund, unique per paid session.
        key: String,
    },
    /// The customer completed checkout and the money settles later: clear the hold deadline.
    ClearDeadline,
    /// Record the paying session and intent (when `record_payment`), then apply the transition plan.
    Apply {
        /// Store the event's session id and payment intent on the booking first.
        record_payment: bool,
        /// The status and inventory writes.
        plan: TransitionPlan,
        /// What it amounts to.
        result: EventResult,
    },
}

/// Plans a verified provider event for booking `b` (loaded under its lock, found by the event's session id or
/// booking id). `nights` are the stay's locked rows when [`Booking::needs_nights`] asks for them.
///
/// ```
/// # use domain::plan::*;
/// # use domain::ports::*;
/// # fn demo(b: &domain::model::Booking, ev: &PaymentEvent, now: chrono::DateTime<chrono::Utc>) -> Result<(), domain::Error> {
/// match plan_event(b, ev, now, &[])? {
///     EventPlan::Apply { plan, .. } => { /* write plan.steps */ }
///     EventPlan::ExtraPayment { key } => { /* insert the refund record under `key` */ }
///     _ => {}
/// }
/// # Ok(()) }
/// ```
pub fn plan_event(
    b: &Booking,
    ev: &PaymentEvent,
    now: DateTime<Utc>,
    nights: &[InventoryNight],
) -> Result<EventPlan, Error> {
    let Some(kind) = ev.kind else { return Ok(EventPlan::NoEffect) };
    let amount_ok = ev.amount_minor.is_none_or(|a| a == b.amount.minor());
    let currency_ok = ev.currency.as_deref().is_none_or(|c| c.eq_ignore_ascii_case(b.currency.as_str()));
    if !amount_ok || !currency_ok {
        return Ok(EventPlan::Unmatched);
    }
    let current_session = ev.session_id.is_none() || ev.session_id == b.payment_session_id;
    match kind {
        PaymentEventKind::Paid => match b.classify_payment(ev.session_id.as_deref(), ev.payment_intent.as_deref()) {
            PaidEvent::Redelivery => Ok(EventPlan::NoEffect),
            PaidEvent::ExtraPayment => Ok(EventPlan::ExtraPayment { key: extra_refund_key(b.id, ev) }),
            PaidEvent::First => {
                let plan = b.apply(BookingAction::PaymentSucceeded, now, nights)?;
                let result = match plan.final_status() {
                    _ if plan.queues_refund() => EventResult::RefundQueued,
                    Some(BookingStatus::Confirmed) if plan.reholds() => EventResult::LateRehold,
                    Some(BookingStatus::Confirmed) => EventResult::Confirmed,
                    _ => EventResult::NoEffect,
                };
                Ok(EventPlan::Apply { record_payment: true, plan, result })
            }
        },
        PaymentEventKind::AwaitingAsync => Ok(
            if current_session
                && b.status == BookingStatus::PaymentsPending
                && b.effective_status(now) != BookingStatus::Expired
            {
                EventPlan::ClearDeadline
            } else {
                EventPlan::NoEffect
            },
        ),
        PaymentEventKind::Failed | PaymentEventKind::Expired if !current_session => Ok(EventPlan::NoEffect),
        PaymentEventKind::Failed | PaymentEventKind::Expired => {
            let action = if kind == PaymentEventKind::Failed {
                BookingAction::PaymentFailed
            } else {
                BookingAction::SessionExpired
            };
            let plan = b.apply(action, now, nights)?;
            let result = match (plan.changed(), plan.final_status()) {
                (true, Some(BookingStatus::Cancelled)) => EventResult::Cancelled,
                (true, Some(BookingStatus::Expired)) => EventResult::Expired,
                _ => EventResult::NoEffect,
            };
            Ok(EventPlan::Apply { record_payment: false, plan, result })
        }
    }
}

/// The refund key of an extra payment: one per paid session (the event id when the provider sent none).
pub fn extra_refund_key(booking_id: BookingId, ev: &PaymentEvent) -> String {
    format!("refund-booking-{booking_id}-{}", ev.session_id.as_deref().unwrap_or(&ev.event_id))
}

/// The refund record of an extra payment of `b`, once stored with `id`.
pub fn extra_refund(id: i64, b: &Booking, ev: &PaymentEvent, key: String) -> PaymentRefund {
    PaymentRefund {
        id,
        booking_id: b.id,
        payment_intent: ev.payment_intent.clone(),
        session_id: ev.session_id.clone(),
        amount: b.amount,
        idempotency_key: key,
    }
}

/// The provider idempotency key of a booking's own refund.
pub fn booking_refund_key(booking_id: BookingId) -> String {
    format!("refund-booking-{booking_id}")
}
