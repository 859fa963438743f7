//! The simulated provider's hosted checkout: page data and the Pay / Cancel buttons, which drive exactly the
//! events a provider webhook would.

use super::BookingService;
use crate::model::Booking;
use crate::ports::*;
use crate::{Error, Result};
use std::sync::Arc;

/// Where the simulated page sends the browser after a button.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimulatedOutcome {
    pub booking_id: i64,
}

/// The simulated hosted checkout: its page data and its Pay / Cancel buttons.
pub struct SimulatedCheckout {
    store: Arc<dyn SimulatedSessionStore>,
    bookings: Arc<dyn BookingRepository>,
    service: Arc<BookingService>,
    clock: Arc<dyn Clock>,
}

impl SimulatedCheckout {
    /// Wires the simulated checkout.
    pub fn new(
        store: Arc<dyn SimulatedSessionStore>,
        bookings: Arc<dyn BookingRepository>,
        service: Arc<BookingService>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        SimulatedCheckout { store, bookings, service, clock }
    }

    async fn open(&self, id: &str) -> Result<SimulatedSession> {
        let mut s = self.store.session(id).await?.ok_or(Error::PaymentSessionNotFound)?;
        if s.status == "OPEN" && s.expires_at <= self.clock.now() {
            s.status = "EXPIRED".into();
        }
        Ok(s)
    }

    /// The session and its booking, for the page.
    pub async fn page(&self, id: &str) -> Result<(SimulatedSession, Booking)> {
        let s = self.open(id).await?;
        let b = self.bookings.booking(s.booking_id).await?.ok_or(Error::PaymentSessionNotFound)?;
        Ok((s, b))
    }

    fn event(s: &SimulatedSession, kind: PaymentEventKind, suffix: &str) -> PaymentEvent {
        PaymentEvent {
            event_id: format!("sim_evt_{}_{suffix}", s.id),
            event_type: match kind {
                PaymentEventKind::Paid => "checkout.session.completed",
                _ => "checkout.session.async_payment_failed",
            }
            .into(),
            kind: Some(kind),
            session_id: Some(s.id.clone()),
            booking_id: Some(s.booking_id),
            amount_minor: Some(s.amount.minor()),
            currency: Some(s.currency.clone()),
            payment_intent: Some(format!("sim_pi_{}", s.id.trim_start_matches("sim_cs_"))),
        }
    }

    /// Pay: the same as a paid `checkout.session.completed`.
    pub async fn complete(&self, id: &str) -> Result<SimulatedOutcome> {
        let s = self.open(id).await?;
        let out = SimulatedOutcome { booking_id: s.booking_id };
        match s.status.as_str() {
            "OPEN" => {
                if self.store.set_session_status(id, "OPEN", "COMPLETE").await? {
                    self.service.handle_payment_event(Self::event(&s, PaymentEventKind::Paid, "completed")).await?;
                    return Ok(out);
                }
                // Lost a race with another button press: answer as for the state it reached.
                Box::pin(self.complete(id)).await
            }
            "COMPLETE" => Ok(out),
            _ => Err(Error::InvalidBookingState("Payment session is no longer open".into())),
        }
    }

    /// Cancel: the same as `checkout.session.async_payment_failed`.
    pub async fn cancel(&self, id: &str) -> Result<SimulatedOutcome> {
        let s = self.open(id).await?;
        let out = SimulatedOutcome { booking_id: s.booking_id };
        match s.status.as_str() {
            "OPEN" => {
                if self.store.set_session_status(id, "OPEN", "CANCELLED").await? {
                    self.service.handle_payment_event(Self::event(&s, PaymentEventKind::Failed, "cancelled")).await?;
                    return Ok(out);
                }
                Box::pin(self.cancel(id)).await
            }
            "COMPLETE" => Err(Error::InvalidBookingState("Payment session is already complete".into())),
            _ => Ok(out),
        }
    }
}
