//! Bookings: holds, the state machine with its inventory effects, checkout attempts and the sweeper.
//! Provider events and refunds are in `payments.rs`.

use crate::InMemoryStore;
use crate::state::{BookingRow, State, paged};
use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use domain::model::{
    Booking, BookingAction, BookingStatus, HoldRequest, InventoryEffect, MAX_PAYABLE, MAX_ROOMS_PER_BOOKING,
    MIN_PAYABLE, Page, Paged, RefundStatus, Step, Transition, decide,
};
use domain::ports::{
    Actor, BookingRepository, EventOutcome, PaymentEvent, PaymentRefund, PaymentSession, Transitioned,
};
use domain::pricing::{PricingPolicy, stay_is_available};
use domain::{Error, Result};
use std::collections::BTreeSet;

/// What [`State::act`] did.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Acted {
    /// The persisted status before the call.
    pub from: BookingStatus,
    /// The hold was past its deadline and has been expired first.
    pub expired_first: bool,
    /// The transition applied after that, if any (`to` is CANCELLED when a late re-hold failed).
    pub applied: Option<Transition>,
    /// A late payment could not re-hold the rooms: cancelled and refunded instead.
    pub rehold_failed: bool,
    /// Whether the call changed anything.
    pub changed: bool,
}

impl State {
    /// The booking `id` if `actor` may write it (another user's booking reads as missing).
    fn owned_row(&self, id: i64, user_id: Option<i64>) -> Result<&BookingRow> {
        match self.bookings.get(&id) {
            Some(row) if user_id.is_none_or(|u| row.booking.user_id == u) => Ok(row),
            _ => Err(Error::BookingNotFound(id)),
        }
    }

    /// Expires a hold whose deadline has passed (status EXPIRED, reserved rooms released). Returns whether
    /// it did.
    pub fn expire_if_overdue(&mut self, id: i64, now: DateTime<Utc>) -> Result<bool> {
        let row = self.booking_row(id)?;
        let b = &row.booking;
        if !(b.status.is_hold() && b.expires_at.is_some_and(|e| e <= now)) {
            return Ok(false);
        }
        let t = Transition {
            from: b.status,
            to: BookingStatus::Expired,
            effect: InventoryEffect::ReleaseReserved,
            refund: false,
        };
        self.apply(id, t, now)?;
        Ok(true)
    }

    /// Runs `action` on booking `id`: an overdue hold is expired first (and stays expired even if the
    /// action then fails), then the state machine decides.
    pub fn act(&mut self, id: i64, action: BookingAction, now: DateTime<Utc>) -> Result<Acted> {
        let from = self.booking_row(id)?.booking.status;
        let expired_first = self.expire_if_overdue(id, now)?;
        let b = &self.booking_row(id)?.booking;
        let mut acted = Acted { from, expired_first, applied: None, rehold_failed: false, changed: expired_first };
        if let Step::Apply(t) = decide(b.status, action, now.date_naive(), b.check_in_date)? {
            let (applied, rehold_failed, changed) = self.apply(id, t, now)?;
            acted.applied = Some(applied);
            acted.rehold_failed = rehold_failed;
            acted.changed |= changed;
        }
        Ok(acted)
    }

    /// Applies a permitted transition: the inventory effect (all nights or none), then the booking row.
    /// Returns the transition as applied, whether a late re-hold failed, and whether anything changed.
    pub fn apply(&mut self, id: i64, mut t: Transition, now: DateTime<Utc>) -> Result<(Transition, bool, bool)> {
        let mut b = self.booking_row(id)?.booking.clone();
        let n = b.rooms_count;
        let mut rehold_failed = false;
        match t.effect {
            InventoryEffect::None => {}
            InventoryEffect::ReleaseReserved => self.shift_counts(&b, 0, -n)?,
            InventoryEffect::ReservedToBooked => self.shift_counts(&b, n, -n)?,
            InventoryEffect::ReleaseBooked => self.shift_counts(&b, -n, 0)?,
            InventoryEffect::Rehold => {
                if stay_is_available(&self.stay_nights(b.room_id, &b.stay()), &b.stay(), n) {
                    self.shift_counts(&b, n, 0)?;
                } else {
                    t.to = BookingStatus::Cancelled;
                    t.refund = true;
                    rehold_failed = true;
                }
            }
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
        let queue_refund = t.refund && b.refund_status != Some(RefundStatus::Pending);
        if queue_refund {
            b.refund_status = Some(RefundStatus::Pending);
            b.refund_attempts = 0;
        }
        let changed = b != before;
        if changed {
            b.updated_at = now;
        }
        let row = self.booking_row_mut(id)?;
        row.booking = b;
        if queue_refund {
            row.refund_clock = Some(now);
        }
        Ok((t, rehold_failed, changed))
    }

    fn hold(&mut self, req: HoldRequest, policy: &PricingPolicy) -> Result<Booking> {
        self.saw(req.now);
        if !(1..=MAX_ROOMS_PER_BOOKING).contains(&req.rooms_count) {
            return Err(Error::validation(&["body", "rooms_count"], "rooms_count out of range", "out_of_range"));
        }
        let hotel = self
            .hotels
            .get(&req.hotel_id)
            .ok_or_else(|| Error::HotelNotFound(format!("Hotel not found: {}", req.hotel_id)))?;
        let room = match self.rooms.get(&req.room_id) {
            Some(r) if r.hotel_id == hotel.id => r,
            _ => return Err(Error::RoomNotFound(format!("Room not found: {}", req.room_id))),
        };
        if !hotel.active {
            return Err(Error::HotelNotActive);
        }
        if req.max_active_holds > 0 {
            let holds = self
                .bookings
                .values()
                .filter(|r| r.booking.user_id == req.user_id && r.booking.effective_status(req.now).is_hold())
                .count();
            if i64::try_from(holds).unwrap_or(i64::MAX) >= req.max_active_holds {
                return Err(Error::LimitExceeded("Too many active holds"));
            }
        }
        let nights = self.stay_nights(room.id, &req.stay);
        if !stay_is_available(&nights, &req.stay, req.rooms_count) {
            return Err(Error::RoomUnavailable);
        }
        let amount = policy.quote(&nights, req.rooms_count, req.now.date_naive());
        if !(MIN_PAYABLE..=MAX_PAYABLE).contains(&amount) {
            return Err(Error::AmountOutOfRange);
        }
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
            hotel_name: hotel.name.clone(),
            room_type: room.kind.clone(),
        };
        self.shift_counts(&booking, 0, booking.rooms_count)?;
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

    fn add_guests(&mut self, id: i64, user_id: i64, guest_ids: Vec<i64>, now: DateTime<Utc>) -> Result<Booking> {
        self.saw(now);
        self.owned_row(id, Some(user_id))?;
        self.expire_if_overdue(id, now)?;
        let row = self.booking_row(id)?;
        let b = &row.booking;
        let Step::Apply(t) = decide(b.status, BookingAction::AddGuests, now.date_naive(), b.check_in_date)? else {
            return Err(Error::internal("addGuests without a transition"));
        };
        let mut linked = row.guest_ids.clone();
        for gid in guest_ids {
            if !self.guests.get(&gid).is_some_and(|g| g.is_live_of(b.user_id)) {
                return Err(Error::GuestNotFound(gid));
            }
            linked.insert(gid);
        }
        let capacity = self.rooms.get(&b.room_id).map_or(0, |r| i64::from(r.capacity)) * i64::from(b.rooms_count);
        if i64::try_from(linked.len()).unwrap_or(i64::MAX) > capacity {
            return Err(Error::TooManyGuests(capacity));
        }
        let grew = linked.len() > row.guest_ids.len();
        self.apply(id, t, now)?;
        let row = self.booking_row_mut(id)?;
        row.guest_ids = linked;
        if grew {
            row.booking.updated_at = now;
        }
        self.view_of(id)
    }

    fn start_payment(
        &mut self,
        id: i64,
        user_id: i64,
        now: DateTime<Utc>,
        provisional_expiry: DateTime<Utc>,
    ) -> Result<Transitioned> {
        self.saw(now);
        self.owned_row(id, Some(user_id))?;
        let acted = self.act(id, BookingAction::StartPayment, now)?;
        if acted.applied.is_some() {
            self.booking_row_mut(id)?.booking.expires_at = Some(provisional_expiry);
        }
        Ok(Transitioned { booking: self.view_of(id)?, from: acted.from, changed: acted.changed })
    }

    fn store_payment_session(
        &mut self,
        id: i64,
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

    fn abort_payment(&mut self, id: i64, attempt: i32, hold_minutes: i64, now: DateTime<Utc>) -> Result<()> {
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
        let mut due: Vec<(DateTime<Utc>, i64)> = self
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
            if self.expire_if_overdue(id, now)? {
                expired.push(self.view_of(id)?);
            }
        }
        Ok(expired)
    }
}

#[async_trait]
impl BookingRepository for InMemoryStore {
    async fn hold(&self, req: HoldRequest, policy: PricingPolicy) -> Result<Booking> {
        self.with(|st| st.hold(req, &policy))
    }

    async fn booking(&self, id: i64) -> Result<Option<Booking>> {
        self.with(|st| Ok(st.bookings.get(&id).map(|r| st.view(r))))
    }

    async fn bookings_of_user(
        &self,
        user_id: i64,
        status: Option<BookingStatus>,
        now: DateTime<Utc>,
        page: Page,
    ) -> Result<Paged<Booking>> {
        self.with(|st| Ok(st.list(|b| b.user_id == user_id, status, now, page)))
    }

    async fn bookings_of_hotel(
        &self,
        hotel_id: i64,
        status: Option<BookingStatus>,
        now: DateTime<Utc>,
        page: Page,
    ) -> Result<Paged<Booking>> {
        self.with(|st| Ok(st.list(|b| b.hotel_id == hotel_id, status, now, page)))
    }

    async fn transition(
        &self,
        id: i64,
        actor: Actor,
        action: BookingAction,
        now: DateTime<Utc>,
        _hold_minutes: i64,
    ) -> Result<Transitioned> {
        // `_hold_minutes` is not needed here: no transition of `decide` re-opens a hold (only
        // `abort_payment` does, and it gets the value itself).
        self.with(|st| {
            st.saw(now);
            st.owned_row(id, actor.user_id)?;
            let acted = st.act(id, action, now)?;
            Ok(Transitioned { booking: st.view_of(id)?, from: acted.from, changed: acted.changed })
        })
    }

    async fn add_guests(&self, id: i64, user_id: i64, guest_ids: Vec<i64>, now: DateTime<Utc>) -> Result<Booking> {
        self.with(|st| st.add_guests(id, user_id, guest_ids, now))
    }

    async fn start_payment(
        &self,
        id: i64,
        user_id: i64,
        now: DateTime<Utc>,
        provisional_expiry: DateTime<Utc>,
    ) -> Result<Transitioned> {
        self.with(|st| st.start_payment(id, user_id, now, provisional_expiry))
    }

    async fn store_payment_session(
        &self,
        id: i64,
        attempt: i32,
        session: PaymentSession,
        now: DateTime<Utc>,
    ) -> Result<Option<Booking>> {
        self.with(|st| st.store_payment_session(id, attempt, session, now))
    }

    async fn abort_payment(&self, id: i64, attempt: i32, hold_minutes: i64, now: DateTime<Utc>) -> Result<()> {
        self.with(|st| st.abort_payment(id, attempt, hold_minutes, now))
    }

    async fn apply_payment_event(&self, event: PaymentEvent, now: DateTime<Utc>) -> Result<EventOutcome> {
        self.with(|st| st.apply_payment_event(event, now))
    }

    async fn expire_due(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<Booking>> {
        self.with(|st| st.expire_due(now, limit))
    }

    async fn pending_refunds(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<Booking>> {
        self.with(|st| {
            st.saw(now);
            Ok(st.pending_refunds(now, limit))
        })
    }

    async fn record_refund(&self, id: i64, result: std::result::Result<String, ()>, max_attempts: i32) -> Result<()> {
        self.with(|st| st.record_refund(id, result, max_attempts))
    }

    async fn pending_payment_refunds(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<PaymentRefund>> {
        self.with(|st| Ok(st.pending_payment_refunds(now, limit)))
    }

    async fn record_payment_refund(
        &self,
        id: i64,
        result: std::result::Result<String, ()>,
        max_attempts: i32,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.with(|st| {
            st.saw(now);
            st.record_payment_refund(id, result, max_attempts, now);
            Ok(())
        })
    }
}
