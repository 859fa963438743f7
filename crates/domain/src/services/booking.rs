//! `BookingService`: the booking use cases (hold, guests, checkout, cancel, provider events, the sweeper).
//!
//! Why one file (~540 lines, a fifth of it rustdoc with a runnable example): every method is a use case of the
//! same aggregate, sharing the service's ports and configuration; the rules themselves live in the planners
//! (`crate::plan`) and the model, so what is here is their orchestration.

use super::require_manager;
use crate::model::*;
use crate::ports::*;
use crate::pricing::PricingPolicy;
use crate::{Error, Result};
use chrono::{DateTime, Duration, Utc};
use std::sync::Arc;

/// Booking rules from configuration.
#[derive(Debug, Clone)]
pub struct BookingConfig {
    /// `HOLD_MINUTES` (15): how long RESERVED and GUESTS_ADDED hold their rooms after init.
    pub hold_minutes: i64,
    /// `CHECKOUT_SESSION_MINUTES` (31, 31..=1440): checkout session lifetime from the start of the attempt.
    pub checkout_session_minutes: i64,
    /// `MAX_STAY_NIGHTS` (30): the longest stay, in nights.
    pub max_stay_nights: u32,
    /// `MAX_ACTIVE_HOLDS_PER_USER` (5): unexpired holds per user; 0 = unlimited.
    pub max_active_holds: i64,
    /// `CURRENCY`: frozen on every new booking.
    pub currency: Currency,
    /// Refund attempts before a refund is marked FAILED (10 in the server).
    pub refund_max_attempts: i32,
}

/// What `payments` returned.
#[derive(Debug, Clone, PartialEq)]
pub struct PaymentStart {
    /// The checkout page to send the customer to, the same on every call while PAYMENTS_PENDING.
    pub session_url: String,
}

/// The booking lifecycle: holds, guests, checkout, cancellation, provider events, expiry and refunds.
///
/// Wired from a store's booking and catalog repositories, a [`PaymentGateway`] (Stripe, or the simulated
/// gateway as here), a [`Clock`], the [`PricingPolicy`] and the [`BookingConfig`]. A hold, its guests,
/// checkout, then a cancellation that releases the rooms:
///
/// ```
/// # use adapter_memory::InMemoryStore;
/// # use adapter_stripe::SimulatedGateway;
/// # use chrono::Duration;
/// # use domain::model::*;
/// # use domain::ports::*;
/// # use domain::pricing::PricingPolicy;
/// # use domain::services::{BookingConfig, BookingService};
/// # use domain::{Error, Result};
/// # use std::sync::Arc;
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<()> {
/// let store = InMemoryStore::shared();
/// let clock: Arc<dyn Clock> = Arc::new(SystemClock);
/// let config = BookingConfig {
///     hold_minutes: 15,
///     checkout_session_minutes: 31,
///     max_stay_nights: 30,
///     max_active_holds: 5,
///     currency: Currency::parse("EUR").ok_or(Error::internal("currency"))?,
///     refund_max_attempts: 10,
/// };
/// let gateway = Arc::new(SimulatedGateway::new(store.clone(), "http://localhost:8000"));
/// let bookings =
///     BookingService::new(store.clone(), store.clone(), gateway, clock.clone(), PricingPolicy::default(), config);
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
/// // `hotel` has a room type at 120.00 a night; `guest` is a signed-up user with saved guest `ann`.
/// let check_in = today + Duration::days(14);
/// let hold = bookings.init(&guest, StayRequest::new(hotel.id, room.id, check_in, check_in + Duration::days(2), 1)).await?;
/// assert_eq!((hold.status, hold.amount.to_string(), hold.nights), (BookingStatus::Reserved, "240.00".into(), 2));
///
/// bookings.add_guests(&guest, hold.id, vec![ann.id]).await?;
/// let checkout = bookings.start_payment(&guest, hold.id).await?;
/// assert!(checkout.session_url.starts_with("http://localhost:8000/payments/simulated/sim_cs_"));
/// assert_eq!(bookings.status(&guest, hold.id).await?, BookingStatus::PaymentsPending);
///
/// bookings.cancel(&guest, hold.id).await?;
/// assert_eq!(bookings.status(&guest, hold.id).await?, BookingStatus::Cancelled);
/// // Another user's booking does not exist for them.
/// assert_eq!(bookings.get(&owner, hold.id).await.err(), Some(Error::BookingNotFound(hold.id)));
/// # Ok(())
/// # }
/// ```
pub struct BookingService {
    bookings: Arc<dyn BookingRepository>,
    catalog: Arc<dyn CatalogRepository>,
    gateway: Arc<dyn PaymentGateway>,
    clock: Arc<dyn Clock>,
    policy: PricingPolicy,
    config: BookingConfig,
    observer: Arc<dyn BookingObserver>,
    /// Where init reads the hotel and the room's plans when set (a replica's read model: no database round trip);
    /// else the catalog repository.
    offers: Option<Arc<dyn CatalogQueries>>,
}

/// The rate plan a hold uses, from a room offer: as [`BookingService`]'s repository reads decide it (the one named,
/// which must be the room's, else the room's default plan; `None` when the room is not the hotel's, for the hold to
/// report).
fn plan_of_offer(offer: Option<RoomOffer>, requested: Option<RatePlanId>) -> Result<Option<RatePlan>> {
    let Some(offer) = offer.filter(|o| o.room.is_some()) else { return Ok(None) };
    match requested {
        Some(id) => match offer.plans.into_iter().find(|p| p.id == id) {
            Some(p) => Ok(Some(p)),
            None => Err(Error::RatePlanNotFound(format!("Rate plan not found: {id}"))),
        },
        None => Ok(offer.plans.into_iter().find(|p| p.is_default)),
    }
}

/// Shows the effective status (a hold past its deadline reads as EXPIRED).
fn present(mut b: Booking, now: DateTime<Utc>) -> Booking {
    b.status = b.effective_status(now);
    b
}

impl BookingService {
    /// Wires the service.
    pub fn new(
        bookings: Arc<dyn BookingRepository>,
        catalog: Arc<dyn CatalogRepository>,
        gateway: Arc<dyn PaymentGateway>,
        clock: Arc<dyn Clock>,
        policy: PricingPolicy,
        config: BookingConfig,
    ) -> Self {
        BookingService {
            bookings,
            catalog,
            gateway,
            clock,
            policy,
            config,
            observer: Arc::new(NoopObserver),
            offers: None,
        }
    }

    /// Init reads the hotel, the room and its rate plans with one [`CatalogQueries::room_offer`] (which a replica's
    /// read model answers from memory) instead of two repository reads. Nothing else changes: the hold re-checks
    /// the hotel, the room and every night under its locks.
    pub fn with_offers(mut self, offers: Arc<dyn CatalogQueries>) -> Self {
        self.offers = Some(offers);
        self
    }

    /// Reports transitions and refund outcomes to `observer` (metrics and alerts; the default ignores them).
    pub fn with_observer(mut self, observer: Arc<dyn BookingObserver>) -> Self {
        self.observer = observer;
        self
    }

    fn observe(&self, t: &Transitioned) {
        if t.changed && t.from != t.booking.status {
            self.observer.transition(t.booking.status);
        }
    }

    /// Holds `rooms_count` rooms for the stay (201 RESERVED), priced as [`CatalogService::quote`] prices it.
    ///
    /// [`CatalogService::quote`]: super::CatalogService::quote
    pub async fn init(&self, user: &User, req: StayRequest) -> Result<Booking> {
        let now = self.clock.now();
        // The hotel's local date decides "in the past" and pricing; a missing hotel is reported by the hold (in
        // the contract's order), so its dates are checked against UTC meanwhile.
        let offer = match &self.offers {
            Some(q) => Some(q.room_offer(req.hotel_id, req.room_id, None).await?),
            None => None,
        };
        let hotel = match &offer {
            Some(o) => o.as_ref().map(|o| o.hotel.clone()),
            None => self.catalog.hotel(req.hotel_id).await?,
        };
        let (tz, currency, policy, check_in_time, taxes) = match hotel {
            Some(h) => (h.time_zone, h.currency, h.cancellation_policy, h.check_in_time, h.taxes),
            None => (
                TimeZone::UTC,
                self.config.currency.clone(),
                CancellationPolicy::default(),
                default_check_in_time(),
                Vec::new(),
            ),
        };
        let today = tz.today(now);
        let stay = StayDates::new(req.check_in, req.check_out, today, self.config.max_stay_nights)?;
        let plan = match offer {
            Some(o) => plan_of_offer(o, req.rate_plan_id)?,
            None => self.rate_plan_for(req.hotel_id, req.room_id, req.rate_plan_id).await?,
        };
        if let Some(p) = &plan {
            p.check_bookable(stay.nights())?;
        }
        let (rate_plan_id, price_rule, policy) = match &plan {
            Some(p) => (Some(p.id), p.price_rule, p.policy_or(policy)),
            None => (None, PriceRule::BASE, policy),
        };
        let hold = HoldRequest {
            user_id: user.id,
            hotel_id: req.hotel_id,
            room_id: req.room_id,
            cancel_deadline: policy.deadline(tz, stay.check_in(), check_in_time),
            stay,
            rooms_count: req.rooms_count,
            now,
            expires_at: now + Duration::minutes(self.config.hold_minutes),
            currency,
            today,
            rate_plan_id,
            price_rule,
            time_zone: tz,
            cancellation_policy: policy,
            max_active_holds: self.config.max_active_holds,
            adults: req.adults,
            taxes,
        };
        let b = self.bookings.hold(hold, self.policy.clone()).await?;
        self.observer.transition(b.status);
        Ok(b)
    }

    /// The rate plan a hold uses: the one named (it must be of the room), else the room's default plan. `None`
    /// when the room does not exist in the hotel (the hold then reports it, in the contract's order) or has no
    /// plan at all.
    async fn rate_plan_for(
        &self,
        hotel_id: HotelId,
        room_id: RoomId,
        requested: Option<RatePlanId>,
    ) -> Result<Option<RatePlan>> {
        match requested {
            Some(id) => match self.catalog.rate_plan(id).await? {
                Some(p) if p.room_id == room_id && p.hotel_id == hotel_id => Ok(Some(p)),
                _ => {
                    // A room missing from the hotel is the hold's error to report, in the contract's order.
                    let room_here = self.catalog.room(room_id).await?.is_some_and(|r| r.hotel_id == hotel_id);
                    if !room_here {
                        return Ok(None);
                    }
                    Err(Error::RatePlanNotFound(format!("Rate plan not found: {id}")))
                }
            },
            None => {
                let plans = self.catalog.rate_plans_of_hotel(hotel_id).await?;
                Ok(plans.into_iter().find(|p| p.room_id == room_id && p.is_default))
            }
        }
    }

    /// One of the caller's bookings (404 for others').
    pub async fn get(&self, user: &User, id: BookingId) -> Result<Booking> {
        match self.bookings.booking(id).await? {
            Some(b) if b.user_id == user.id => Ok(present(b, self.clock.now())),
            _ => Err(Error::BookingNotFound(id)),
        }
    }

    /// The caller's bookings.
    pub async fn my_bookings(&self, user: &User, status: Option<BookingStatus>, page: Page) -> Result<Paged<Booking>> {
        let now = self.clock.now();
        let mut p = self.bookings.bookings_of_user(user.id, status, now, page).await?;
        p.items = p.items.into_iter().map(|b| present(b, now)).collect();
        Ok(p)
    }

    /// A hotel's bookings, for its owner.
    pub async fn hotel_bookings(
        &self,
        manager: &User,
        hotel_id: HotelId,
        status: Option<BookingStatus>,
        page: Page,
    ) -> Result<Paged<Booking>> {
        require_manager(manager)?;
        let hotel = self
            .catalog
            .hotel(hotel_id)
            .await?
            .ok_or_else(|| Error::HotelNotFound(format!("Hotel not found with id: {hotel_id}")))?;
        if hotel.owner_id != manager.id {
            return Err(Error::NotOwner);
        }
        let now = self.clock.now();
        let mut p = self.bookings.bookings_of_hotel(hotel_id, status, now, page).await?;
        p.items = p.items.into_iter().map(|b| present(b, now)).collect();
        Ok(p)
    }

    /// Links saved guests.
    pub async fn add_guests(&self, user: &User, id: BookingId, guest_ids: Vec<GuestId>) -> Result<Booking> {
        let now = self.clock.now();
        let b = self.bookings.add_guests(id, user.id, guest_ids, now).await?;
        Ok(present(b, now))
    }

    /// Starts checkout, or returns the pending session's URL.
    pub async fn start_payment(&self, user: &User, id: BookingId) -> Result<PaymentStart> {
        let now = self.clock.now();
        let minutes = self.config.checkout_session_minutes;
        let provisional = now + Duration::minutes(minutes + 1);
        let t = self.bookings.start_payment(id, user.id, now, provisional).await?;
        self.observe(&t);
        let b = t.booking;
        if !t.changed {
            if let Some(url) = b.payment_session_url.clone() {
                return Ok(PaymentStart { session_url: url });
            }
            let started = b.payment_started_at.unwrap_or(now);
            if now - started < Duration::seconds(15) {
                return Err(Error::InvalidBookingState("Payment session is being created; retry".into()));
            }
        }
        let req = CheckoutRequest {
            booking_id: b.id,
            amount: b.amount,
            currency: b.currency.clone(),
            check_in_date: b.check_in_date,
            check_out_date: b.check_out_date,
            customer_email: user.email.as_str().to_string(),
            hotel_name: b.hotel_name.clone(),
            // Derived from stored state only, so a retry under the same idempotency key (after a crash between
            // the commit and the provider's answer) sends byte-identical parameters, as Stripe requires.
            expires_at: b.payment_started_at.unwrap_or(now) + Duration::minutes(minutes),
            idempotency_key: format!("booking-{}-checkout-{}", b.id, b.payment_attempt),
        };
        match self.gateway.create_checkout(req).await {
            Ok(session) => {
                let (url, sid) = (session.url.clone(), session.id.clone());
                match self.bookings.store_payment_session(b.id, b.payment_attempt, session, self.clock.now()).await? {
                    Some(_) => Ok(PaymentStart { session_url: url }),
                    None => {
                        // The booking moved on (cancelled or expired) while the session was being created.
                        let _ = self.gateway.expire_session(&sid).await;
                        Err(Error::InvalidBookingState("Booking cannot proceed to payment".into()))
                    }
                }
            }
            Err(e) => {
                self.bookings
                    .abort_payment(b.id, b.payment_attempt, self.config.hold_minutes, self.clock.now())
                    .await?;
                let _ = e; // the provider's text is never shown; the HTTP adapter logs the 502
                Err(Error::PaymentGateway)
            }
        }
    }

    /// Cancels; a confirmed stay is refunded in full.
    pub async fn cancel(&self, user: &User, id: BookingId) -> Result<()> {
        let now = self.clock.now();
        let t = self
            .bookings
            .transition(id, Actor { user_id: Some(user.id) }, BookingAction::Cancel, now, self.config.hold_minutes)
            .await?;
        self.observe(&t);
        self.after_transition(&t).await;
        Ok(())
    }

    /// The effective status of one of the caller's bookings.
    pub async fn status(&self, user: &User, id: BookingId) -> Result<BookingStatus> {
        Ok(self.get(user, id).await?.status)
    }

    /// Applies a verified provider event exactly once.
    pub async fn handle_payment_event(&self, event: PaymentEvent) -> Result<EventOutcome> {
        let outcome = self.bookings.apply_payment_event(event, self.clock.now()).await?;
        match &outcome {
            EventOutcome::Confirmed(b) | EventOutcome::LateRehold(b) => {
                self.observer.transition(b.status);
            }
            EventOutcome::Cancelled(b) | EventOutcome::Expired(b) => self.observer.transition(b.status),
            _ => {}
        }
        match &outcome {
            EventOutcome::RefundQueued(b) => {
                self.try_refund(b).await;
            }
            EventOutcome::DuplicatePayment { refund, .. } => {
                self.try_payment_refund(refund).await;
            }
            _ => {}
        }
        Ok(outcome)
    }

    /// Provider side effects after a committed transition: close an open session, refund.
    async fn after_transition(&self, t: &Transitioned) {
        if !t.changed {
            return;
        }
        if t.from == BookingStatus::PaymentsPending
            && let Some(sid) = &t.booking.payment_session_id
        {
            let _ = self.gateway.expire_session(sid).await;
        }
        if t.booking.refund_status == Some(RefundStatus::Pending) {
            self.try_refund(&t.booking).await;
        }
    }

    /// One refund attempt of a booking's own payment; the refund's status afterwards (`None` when it could not
    /// be recorded, or was no longer pending).
    async fn try_refund(&self, b: &Booking) -> Option<RefundStatus> {
        let req = RefundRequest {
            booking_id: b.id,
            payment_intent: b.payment_intent_id.clone(),
            session_id: b.payment_session_id.clone(),
            // The cancel's `amount − penalty`; the whole amount for bookings stored before policies existed.
            amount: b.refund_amount.unwrap_or(b.amount),
            idempotency_key: crate::plan::booking_refund_key(b.id),
        };
        let attempt = match self.gateway.refund(req).await {
            Ok(id) => RefundAttempt::Succeeded(id),
            Err(_) => RefundAttempt::Failed,
        };
        // A failed write is retried on the next pass (the refund stays PENDING); it never stops the others.
        let status = self
            .bookings
            .record_refund(b.id, attempt, self.config.refund_max_attempts, self.clock.now())
            .await
            .unwrap_or(None);
        if let Some(s) = status {
            self.observer.refund(b.id, s);
        }
        status
    }

    /// One refund attempt of an extra payment; its status afterwards, as for [`Self::try_refund`].
    async fn try_payment_refund(&self, r: &PaymentRefund) -> Option<RefundStatus> {
        let req = RefundRequest {
            booking_id: r.booking_id,
            payment_intent: r.payment_intent.clone(),
            session_id: r.session_id.clone(),
            amount: r.amount,
            idempotency_key: r.idempotency_key.clone(),
        };
        let attempt = match self.gateway.refund(req).await {
            Ok(id) => RefundAttempt::Succeeded(id),
            Err(_) => RefundAttempt::Failed,
        };
        let status = self
            .bookings
            .record_payment_refund(r.id, attempt, self.config.refund_max_attempts, self.clock.now())
            .await
            .unwrap_or(None);
        if let Some(s) = status {
            self.observer.refund(r.booking_id, s);
        }
        status
    }

    /// One sweeper pass: expire due holds (closing their sessions) and retry pending refunds. Every step is
    /// independent: a failing store call or a refund the provider keeps refusing is reported and skipped, and
    /// the pass goes on with the next booking.
    pub async fn sweep(&self) -> SweepReport {
        let mut report = SweepReport::default();
        match self.bookings.expire_due(self.clock.now(), 100).await {
            Ok(expired) => {
                for b in &expired {
                    if let Some(sid) = &b.payment_session_id {
                        let _ = self.gateway.expire_session(sid).await;
                    }
                }
                for b in &expired {
                    self.observer.transition(b.status);
                }
                report.expired = expired.len();
            }
            Err(e) => report.errors.push(format!("expire holds: {e}")),
        }
        match self.bookings.pending_refunds(self.clock.now(), 100).await {
            Ok(due) => {
                for b in &due {
                    let status = self.try_refund(b).await;
                    report.count(b.id, status);
                }
            }
            Err(e) => report.errors.push(format!("pending refunds: {e}")),
        }
        match self.bookings.pending_payment_refunds(self.clock.now(), 100).await {
            Ok(due) => {
                for r in &due {
                    let status = self.try_payment_refund(r).await;
                    report.count(r.booking_id, status);
                }
            }
            Err(e) => report.errors.push(format!("pending payment refunds: {e}")),
        }
        report
    }
}

/// What one sweeper pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SweepReport {
    /// Holds expired.
    pub expired: usize,
    /// Refund attempts the provider accepted.
    pub refunds_succeeded: usize,
    /// Bookings whose refund attempt failed this pass (retried later with backoff).
    pub refunds_failed: Vec<BookingId>,
    /// Bookings whose refund failed for the last time this pass (FAILED: refund by hand).
    pub refunds_given_up: Vec<BookingId>,
    /// Store failures, one line each; the rest of the pass still ran.
    pub errors: Vec<String>,
}

impl SweepReport {
    fn count(&mut self, booking_id: BookingId, status: Option<RefundStatus>) {
        match status {
            Some(RefundStatus::Succeeded) => self.refunds_succeeded += 1,
            Some(RefundStatus::Failed) => {
                self.refunds_failed.push(booking_id);
                self.refunds_given_up.push(booking_id);
            }
            Some(RefundStatus::Pending) | None => self.refunds_failed.push(booking_id),
        }
    }
}
