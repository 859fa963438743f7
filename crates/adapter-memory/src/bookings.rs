//! Bookings: holds, the state machine with its inventory effects, checkout attempts and the sweeper.
//! Provider events and refunds are in `payments.rs`.

use crate::InMemoryStore;
use crate::state::{BookingRow, State, paged};
use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use domain::model::{
    Booking, BookingAction, BookingStatus, HoldRequest, InventoryEffect, Page, Paged, RefundStatus, Transition,
};
use domain::model::{BookingId, EventActor, GuestId, HotelId, UserId};
use domain::plan::{HoldFacts, TransitionPlan, plan_hold};
use domain::ports::{
    Actor, BookingRepository, EventOutcome, PaymentEvent, PaymentRefund, PaymentSession, RefundAttempt, Transitioned,
};
use domain::pricing::PricingPolicy;
use domain::{Error, Result};
use std::collections::{BTreeSet, HashSet};

impl State {
    /// The booking `id` if `actor` may write it (another user's booking reads as missing).
    fn owned_row(&self, id: BookingId, user_id: Option<UserId>) -> Result<&BookingRow> {
        match self.bookings.get(&id) {
            Some(row) if user_id.is_none_or(|u| row.booking.user_id == u) => Ok(row),
            _ => Err(Error::BookingNotFound(id)),
        }
    }

    /// Plans `action` on booking `id` with the domain's planner and writes the plan. The caller answers
    /// `plan.fail_after_commit` after the writes (they are kept, as a committed transaction would be).
    pub fn act(&mut self, id: BookingId, action: BookingAction, now: DateTime<Utc>) -> Result<TransitionPlan> {
        let b = self.booking_row(id)?.booking.clone();
        let nights = if b.needs_nights(action, now) { self.stay_nights(b.room_id, &b.stay()) } else { Vec::new() };
        let plan = b.apply(action, now, &nights)?;
        self.write_plan(id, &plan, now)?;
        Ok(plan)
    }

    /// Writes a plan's steps in order.
    pub fn write_plan(&mut self, id: BookingId, plan: &TransitionPlan, now: DateTime<Utc>) -> Result<()> {
        for t in &plan.steps {
            self.write_step(id, *t, now)?;
        }
        if let Some(settlement) = plan.settlement {
            let b = &mut self.booking_row_mut(id)?.booking;
            b.penalty_amount = Some(settlement.penalty);
            b.refund_amount = Some(settlement.refund);
        }
        Ok(())
    }

    /// One step: the inventory effect on every night (all or none), then the booking row.
    fn write_step(&mut self, id: BookingId, t: Transition, now: DateTime<Utc>) -> Result<()> {
        let mut b = self.booking_row(id)?.booking.clone();
        if b.status != t.from {
            return Err(Error::internal(format!("booking {id} is {} while the plan expects {}", b.status, t.from)));
        }
        let n = b.rooms_count;
        match t.effect {
            InventoryEffect::None => {}
            InventoryEffect::ReleaseReserved => self.shift_counts(&b, 0, -n)?,
            InventoryEffect::ReservedToBooked => self.shift_counts(&b, n, -n)?,
            InventoryEffect::ReleaseBooked => self.shift_counts(&b, -n, 0)?,
            InventoryEffect::Rehold => self.shift_counts(&b, n, 0)?,
        }
        let before = b.clone();
        b.status = t.to;
        if t.to == BookingStatus::PaymentsPending && t.from != BookingStatus::PaymentsPending {
            // A new checkout attempt; its session is stored later by `store_payment_session`.
            b.payment_attempt += 1;
            b.payment_started_at = Some(now);
            b.payment_session_id = None;
            b.payment_session_url = None;
        }
        if t.to == BookingStatus::Confirmed && t.from != BookingStatus::Confirmed {
            b.confirmed_at = Some(now);
        }
        if t.to == BookingStatus::Cancelled && t.from != BookingStatus::Cancelled {
            b.cancelled_at = Some(now);
        }
        if !t.to.is_hold() {
            b.expires_at = None;
        }
        if t.refund {
            b.refund_status = Some(RefundStatus::Pending);
            b.refund_attempts = 0;
        }
        if b != before {
            b.updated_at = now;
        }
        let row = self.booking_row_mut(id)?;
        row.booking = b;
        if t.refund {
            row.refund_clock = Some(now);
        }
        Ok(())
    }

    fn hold(&mut self, req: HoldRequest, policy: &PricingPolicy) -> Result<Booking> {
        self.saw(req.now);
        let hotel = self.hotels.get(&req.hotel_id).cloned();
        let room = self.rooms.get(&req.room_id).cloned();
        let active_holds = self
            .bookings
            .values()
            .filter(|r| r.booking.user_id == req.user_id && r.booking.effective_status(req.now).is_hold())
            .count();
        let facts = HoldFacts {
            hotel_active: hotel.as_ref().map(|h| h.active),
            room_hotel_id: room.as_ref().map(|r| r.hotel_id),
            active_holds: i64::try_from(active_holds).unwrap_or(i64::MAX),
            nights: self.stay_nights(req.room_id, &req.stay),
            room_capacity: room.as_ref().map_or(0, |r| r.capacity),
            departure_closed: self.departure_closed(req.room_id, &req.stay),
        };
        let plan = plan_hold(&req, &facts, policy)?;
        let (Some(hotel), Some(room)) = (hotel, room) else {
            return Err(Error::internal("planned a hold without rows"));
        };
        let amount = plan.price.total;
        let booking = Booking {
            id: self.ids.booking(),
            hotel_id: hotel.id,
            room_id: room.id,
            user_id: req.user_id,
            rooms_count: req.rooms_count,
            check_in_date: req.stay.check_in(),
            check_out_date: req.stay.check_out(),
            status: BookingStatus::Reserved,
            amount,
            subtotal: plan.price.subtotal,
            charges: plan.price.lines,
            adults: plan.adults,
            currency: req.currency,
            nights: i32::try_from(req.stay.nights()).map_err(Error::internal)?,
            created_at: req.now,
            updated_at: req.now,
            expires_at: Some(req.expires_at),
            guests: Vec::new(),
            payment_attempt: 0,
            payment_started_at: None,
            payment_session_id: None,
            payment_session_url: None,
            payment_intent_id: None,
            refund_status: None,
            refund_id: None,
            refund_attempts: 0,
            confirmed_at: None,
            cancelled_at: None,
            rate_plan_id: req.rate_plan_id,
            time_zone: req.time_zone,
            cancellation_policy: req.cancellation_policy,
            cancel_deadline: req.cancel_deadline,
            penalty_amount: None,
            refund_amount: None,
            hotel_name: hotel.name.clone(),
            room_type: room.kind.clone(),
        };
        self.shift_counts(&booking, 0, plan.reserve)?;
        let row = BookingRow { booking, guest_ids: BTreeSet::new(), refund_clock: None };
        let view = self.view(&row);
        self.bookings.insert(view.id, row);
        Ok(view)
    }

    fn list(
        &self,
        pred: impl Fn(&Booking) -> bool,
        status: Option<BookingStatus>,
        now: DateTime<Utc>,
        page: Page,
    ) -> Paged<Booking> {
        let rows = self
            .bookings
            .values()
            .rev()
            .filter(|r| pred(&r.booking) && status.is_none_or(|s| r.booking.effective_status(now) == s))
            .map(|r| self.view(r));
        paged(rows, page)
    }

    fn add_guests(
        &mut self,
        id: BookingId,
        user_id: UserId,
        guest_ids: Vec<GuestId>,
        now: DateTime<Utc>,
    ) -> Result<Booking> {
        self.saw(now);
        let b = self.owned_row(id, Some(user_id))?.booking.clone();
        let plan = b.apply(BookingAction::AddGuests, now, &[])?;
        if let Some(e) = plan.fail_after_commit.clone() {
            self.write_plan(id, &plan, now)?;
            return Err(e);
        }
        let live: HashSet<GuestId> =
            guest_ids.iter().copied().filter(|g| self.guests.get(g).is_some_and(|x| x.is_live_of(b.user_id))).collect();
        let capacity = self.rooms.get(&b.room_id).map_or(0, |r| r.capacity);
        let mut view = b.clone();
        view.guests = self.view_of(id)?.guests;
        view.check_guests(&guest_ids, &live, capacity)?;
        self.write_plan(id, &plan, now)?;
        let row = self.booking_row_mut(id)?;
        let before = row.guest_ids.len();
        row.guest_ids.extend(guest_ids.iter().copied());
        if row.guest_ids.len() > before {
            row.booking.updated_at = now;
        }
        self.view_of(id)
    }

    fn start_payment(
        &mut self,
        id: BookingId,
        user_id: UserId,
        now: DateTime<Utc>,
        provisional_expiry: DateTime<Utc>,
    ) -> Result<Transitioned> {
        self.saw(now);
        let from = self.owned_row(id, Some(user_id))?.booking.status;
        let plan = self.act(id, BookingAction::StartPayment, now)?;
        if let Some(e) = plan.fail_after_commit {
            return Err(e);
        }
        if plan.changed() {
            self.booking_row_mut(id)?.booking.expires_at = Some(provisional_expiry);
        }
        Ok(Transitioned { booking: self.view_of(id)?, from, changed: plan.changed() })
    }

    fn store_payment_session(
        &mut self,
        id: BookingId,
        attempt: i32,
        session: PaymentSession,
        now: DateTime<Utc>,
    ) -> Result<Option<Booking>> {
        self.saw(now);
        let Some(row) = self.bookings.get_mut(&id) else { return Ok(None) };
        let b = &mut row.booking;
        if b.status != BookingStatus::PaymentsPending || b.payment_attempt != attempt {
            return Ok(None);
        }
        b.payment_session_id = Some(session.id);
        b.payment_session_url = Some(session.url);
        b.expires_at = Some(session.expires_at);
        b.updated_at = now;
        self.view_of(id).map(Some)
    }

    fn abort_payment(&mut self, id: BookingId, attempt: i32, hold_minutes: i64, now: DateTime<Utc>) -> Result<()> {
        self.saw(now);
        let Some(row) = self.bookings.get_mut(&id) else { return Ok(()) };
        let b = &mut row.booking;
        if b.status == BookingStatus::PaymentsPending && b.payment_attempt == attempt {
            b.status = BookingStatus::GuestsAdded;
            b.expires_at = Some(b.created_at + Duration::minutes(hold_minutes));
            b.updated_at = now;
        }
        Ok(())
    }

    fn expire_due(&mut self, now: DateTime<Utc>, limit: i64) -> Result<Vec<Booking>> {
        self.saw(now);
        let mut due: Vec<(DateTime<Utc>, BookingId)> = self
            .bookings
            .values()
            .filter_map(|r| {
                let b = &r.booking;
                b.expires_at.filter(|e| b.status.is_hold() && *e <= now).map(|e| (e, b.id))
            })
            .collect();
        due.sort();
        let mut expired = Vec::new();
        for (_, id) in due.into_iter().take(usize::try_from(limit).unwrap_or(0)) {
            if self.act(id, BookingAction::HoldTimeout, now)?.changed() {
                expired.push(self.view_of(id)?);
            }
        }
        Ok(expired)
    }
}

#[async_trait]
impl BookingRepository for InMemoryStore {
    async fn hold(&self, req: HoldRequest, policy: PricingPolicy) -> Result<Booking> {
        self.write(EventActor::User(req.user_id), req.now, |st| st.hold(req, &policy))
    }

    async fn booking(&self, id: BookingId) -> Result<Option<Booking>> {
        self.with(|st| Ok(st.bookings.get(&id).map(|r| st.view(r))))
    }

    async fn bookings_of_user(
        &self,
        user_id: UserId,
        status: Option<BookingStatus>,
        now: DateTime<Utc>,
        page: Page,
    ) -> Result<Paged<Booking>> {
        self.with(|st| Ok(st.list(|b| b.user_id == user_id, status, now, page)))
    }

    async fn bookings_of_hotel(
        &self,
        hotel_id: HotelId,
        status: Option<BookingStatus>,
        now: DateTime<Utc>,
        page: Page,
    ) -> Result<Paged<Booking>> {
        self.with(|st| Ok(st.list(|b| b.hotel_id == hotel_id, status, now, page)))
    }

    async fn transition(
        &self,
        id: BookingId,
        actor: Actor,
        action: BookingAction,
        now: DateTime<Utc>,
        _hold_minutes: i64,
    ) -> Result<Transitioned> {
        // `_hold_minutes` is not needed here: no transition of `decide` re-opens a hold (only
        // `abort_payment` does, and it gets the value itself).
        let by = actor.user_id.map_or(EventActor::System, EventActor::User);
        self.write(by, now, |st| {
            st.saw(now);
            let from = st.owned_row(id, actor.user_id)?.booking.status;
            let plan = st.act(id, action, now)?;
            match plan.fail_after_commit {
                Some(e) => Err(e),
                None => Ok(Transitioned { booking: st.view_of(id)?, from, changed: plan.changed() }),
            }
        })
    }

    async fn add_guests(
        &self,
        id: BookingId,
        user_id: UserId,
        guest_ids: Vec<GuestId>,
        now: DateTime<Utc>,
    ) -> Result<Booking> {
        self.write(EventActor::User(user_id), now, |st| st.add_guests(id, user_id, guest_ids, now))
    }

    async fn start_payment(
        &self,
        id: BookingId,
        user_id: UserId,
        now: DateTime<Utc>,
        provisional_expiry: DateTime<Utc>,
    ) -> Result<Transitioned> {
        self.write(EventActor::User(user_id), now, |st| st.start_payment(id, user_id, now, provisional_expiry))
    }

    async fn store_payment_session(
        &self,
        id: BookingId,
        attempt: i32,
        session: PaymentSession,
        now: DateTime<Utc>,
    ) -> Result<Option<Booking>> {
        self.with(|st| st.store_payment_session(id, attempt, session, now))
    }

    async fn abort_payment(&self, id: BookingId, attempt: i32, hold_minutes: i64, now: DateTime<Utc>) -> Result<()> {
        self.write(EventActor::System, now, |st| st.abort_payment(id, attempt, hold_minutes, now))
    }

    async fn apply_payment_event(&self, event: PaymentEvent, now: DateTime<Utc>) -> Result<EventOutcome> {
        self.write(EventActor::Provider, now, |st| st.apply_payment_event(event, now))
    }

    async fn expire_due(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<Booking>> {
        self.write(EventActor::System, now, |st| st.expire_due(now, limit))
    }

    async fn pending_refunds(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<Booking>> {
        self.with(|st| {
            st.saw(now);
            Ok(st.pending_refunds(now, limit))
        })
    }

    async fn record_refund(
        &self,
        id: BookingId,
        attempt: RefundAttempt,
        max_attempts: i32,
        now: DateTime<Utc>,
    ) -> Result<Option<RefundStatus>> {
        self.write(EventActor::System, now, |st| st.record_refund(id, attempt, max_attempts, now))
    }

    async fn pending_payment_refunds(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<PaymentRefund>> {
        self.with(|st| Ok(st.pending_payment_refunds(now, limit)))
    }

    async fn record_payment_refund(
        &self,
        id: i64,
        attempt: RefundAttempt,
        max_attempts: i32,
        now: DateTime<Utc>,
    ) -> Result<Option<RefundStatus>> {
        self.write(EventActor::System, now, |st| {
            st.saw(now);
            Ok(st.record_payment_refund(id, attempt, max_attempts, now))
        })
    }
}
