//! The simulated provider's hosted checkout: page data and the Pay / Cancel buttons, which drive exactly the
//! events a provider webhook would.

use super::BookingService;
use crate::model::{Booking, BookingId};
use crate::ports::*;
use crate::{Error, Result};
use std::sync::Arc;

/// Where the simulated page sends the browser after a button.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimulatedOutcome {
    /// The session's booking: the 303 goes to `{FRONTEND_URL}/booking/{booking_id}/success` or `…/cancel`.
    pub booking_id: BookingId,
}

/// The simulated hosted checkout: its page data and its Pay / Cancel buttons.
///
/// Wired from the store's session and booking ports, the [`BookingService`] (which applies the events) and a
/// [`Clock`]. The session id is the last segment of the `session_url` that `start_payment` answered:
///
/// ```
/// # use adapter_memory::InMemoryStore;
/// # use adapter_stripe::SimulatedGateway;
/// # use chrono::Duration;
/// # use domain::model::*;
/// # use domain::ports::*;
/// # use domain::pricing::PricingPolicy;
/// # use domain::services::{BookingConfig, BookingService, SimulatedCheckout, SimulatedOutcome};
/// # use domain::{Error, Result};
/// # use std::sync::Arc;
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<()> {
/// let store = InMemoryStore::shared();
/// let clock: Arc<dyn Clock> = Arc::new(SystemClock);
/// # let config = BookingConfig {
/// #     hold_minutes: 15,
/// #     checkout_session_minutes: 31,
/// #     max_stay_nights: 30,
/// #     max_active_holds: 5,
/// #     currency: Currency::parse("EUR").ok_or(Error::internal("currency"))?,
/// #     refund_max_attempts: 10,
/// # };
/// let gateway = Arc::new(SimulatedGateway::new(store.clone(), "http://localhost:8000"));
/// let bookings = Arc::new(BookingService::new(
///     store.clone(),
///     store.clone(),
///     gateway,
///     clock.clone(),
///     PricingPolicy::default(),
///     config,
/// ));
/// let checkout = SimulatedCheckout::new(store.clone(), store.clone(), bookings.clone(), clock.clone());
/// # let (now, today) = (clock.now(), clock.today());
/// # let user = |s: &str| -> Result<NewUser> {
/// #     Ok(NewUser { email: Email::parse(s).ok_or(Error::internal("email"))?, password_hash: "-".into(), name: None })
/// # };
/// # let owner = store.create_user(user("owner@example.com")?).await?;
/// # let new_hotel = NewHotel { name: "Harbour View".into(), city: Some("Lisbon".into()), ..NewHotel::default() };
/// # let hotel = store.create_hotel(owner.id, new_hotel, now).await?;
/// # store.set_hotel_active(hotel.id, true, now).await?;
/// # let double = NewRoom {
/// #     kind: "Double".into(),
/// #     base_price: Money::from_minor(12_000),
/// #     photos: None,
/// #     amenities: None,
/// #     total_count: 3,
/// #     capacity: 2,
/// # };
/// # let room = store.create_room(hotel.id, double, today, now).await?;
/// # let guest = store.create_user(user("ann@example.com")?).await?;
/// # let ann = store.create_guest(guest.id, NewGuest { name: "Ann".into(), gender: Gender::Female, age: None }).await?;
/// # let check_in = today + Duration::days(14);
/// # let hold = bookings.init(&guest, StayRequest::new(hotel.id, room.id, check_in, check_in + Duration::days(2), 1)).await?;
/// # bookings.add_guests(&guest, hold.id, vec![ann.id]).await?;
/// let url = bookings.start_payment(&guest, hold.id).await?.session_url;
/// let session_id = url.rsplit('/').next().unwrap_or_default();
///
/// let (session, booking) = checkout.page(session_id).await?;
/// assert_eq!((session.status.as_str(), booking.id), ("OPEN", hold.id));
///
/// // Pay: the same exactly-once path as a paid `checkout.session.completed` webhook.
/// assert_eq!(checkout.complete(session_id).await?, SimulatedOutcome { booking_id: hold.id });
/// assert_eq!(bookings.status(&guest, hold.id).await?, BookingStatus::Confirmed);
/// assert!(matches!(checkout.cancel(session_id).await, Err(Error::InvalidBookingState(_))));
/// # Ok(())
/// # }
/// ```
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
