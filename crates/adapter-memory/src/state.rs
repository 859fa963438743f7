//! The tables and the helpers several ports share.

use chrono::{DateTime, NaiveDate, Utc};
use domain::model::{
    Booking, BookingId, Guest, GuestId, Hotel, HotelId, InventoryNight, Page, Paged, RatePlan, RatePlanId,
    RefreshTokenRecord, Room, RoomId, StayDates, User, UserId,
};
use domain::ports::SimulatedSession;
use domain::{Error, Result};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// All data of the store.
#[derive(Debug, Default)]
pub(crate) struct State {
    pub ids: Ids,
    /// The latest `now` any call has passed in; stands in for the clock in the few ports that take none.
    pub latest_now: Option<DateTime<Utc>>,
    pub users: BTreeMap<UserId, User>,
    /// Normalised email → user id (the unique index).
    pub emails: HashMap<String, UserId>,
    pub refresh_tokens: HashMap<String, RefreshRow>,
    pub login_throttle: HashMap<String, Throttle>,
    pub guests: BTreeMap<GuestId, GuestRow>,
    pub hotels: BTreeMap<HotelId, Hotel>,
    pub rooms: BTreeMap<RoomId, Room>,
    /// Keyed by (room id, date): the `UNIQUE (room_id, date)` index, iterable in date order per room.
    pub inventory: BTreeMap<(RoomId, NaiveDate), InventoryNight>,
    pub bookings: BTreeMap<BookingId, BookingRow>,
    pub webhook_events: HashMap<String, ProcessedEvent>,
    pub idempotency: HashMap<(UserId, String), IdempotencyRow>,
    pub sessions: HashMap<String, SimulatedSession>,
    /// Refunds of extra payments, by id (the `payment_refund` table).
    pub payment_refunds: BTreeMap<i64, PaymentRefundRow>,
    /// Rate plans by id (the `rate_plan` table).
    pub rate_plans: BTreeMap<RatePlanId, RatePlan>,
    /// The outbox (the `outbox_event` table), in `seq` order, and its sequence.
    pub events: Vec<domain::model::StoredEvent>,
    pub event_seq: i64,
    /// Each booking's status and refund status as its last event recorded them.
    pub booking_marks: HashMap<BookingId, (domain::model::BookingStatus, Option<domain::model::RefundStatus>)>,
    /// Each extra-payment refund's status as its last event recorded it.
    pub payment_refund_marks: HashMap<i64, domain::model::RefundStatus>,
}

/// One extra-payment refund and its retry state.
#[derive(Debug, Clone)]
pub(crate) struct PaymentRefundRow {
    pub refund: domain::ports::PaymentRefund,
    pub status: domain::model::RefundStatus,
    pub attempts: i32,
    pub last_attempt: Option<DateTime<Utc>>,
}

/// Identity counters, one per table.
#[derive(Debug, Default)]
pub(crate) struct Ids {
    user: i64,
    guest: i64,
    hotel: i64,
    room: i64,
    inventory: i64,
    booking: i64,
    rate_plan: i64,
}

macro_rules! next_id {
    ($($name:ident: $ty:ty),*) => {
        impl Ids {
            $(
                pub fn $name(&mut self) -> $ty {
                    self.$name += 1;
                    <$ty>::from(self.$name)
                }
            )*
        }
    };
}
next_id!(
    user: UserId,
    guest: GuestId,
    hotel: HotelId,
    room: RoomId,
    inventory: i64,
    booking: BookingId,
    rate_plan: RatePlanId
);

/// A stored refresh token.
#[derive(Debug, Clone)]
pub(crate) struct RefreshRow {
    pub record: RefreshTokenRecord,
    pub rotated_at: Option<DateTime<Utc>>,
    pub replaced_by: Option<String>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Failed logins of one email in the current fixed window.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Throttle {
    pub window_started_at: DateTime<Utc>,
    pub failures: i32,
}

/// A saved guest; deleted guests stay (bookings keep showing them).
#[derive(Debug, Clone)]
pub(crate) struct GuestRow {
    pub guest: Guest,
    pub deleted_at: Option<DateTime<Utc>>,
}

impl GuestRow {
    pub fn is_live_of(&self, user_id: UserId) -> bool {
        self.deleted_at.is_none() && self.guest.user_id == user_id
    }
}

/// A stored booking. `booking.guests` is always empty here; the links live in `guest_ids`.
#[derive(Debug, Clone)]
pub(crate) struct BookingRow {
    pub booking: Booking,
    pub guest_ids: BTreeSet<GuestId>,
    /// When the pending refund was queued or last attempted: the base of the retry backoff.
    pub refund_clock: Option<DateTime<Utc>>,
}

/// A processed provider event (dedup record).
#[derive(Debug, Clone)]
#[allow(dead_code)] // kept for parity with the `processed_webhook_event` table; read only when debugging
pub(crate) struct ProcessedEvent {
    pub event_type: String,
    pub booking_id: Option<BookingId>,
    /// What the event did (the table stores its spelling; the memory store keeps the value).
    pub outcome: domain::ports::EventOutcome,
    pub received_at: DateTime<Utc>,
}

/// A stored Idempotency-Key.
#[derive(Debug, Clone)]
pub(crate) struct IdempotencyRow {
    pub method: String,
    pub path: String,
    pub fingerprint: Vec<u8>,
    pub created_at: DateTime<Utc>,
    pub state: IdempotencyState,
}

#[derive(Debug, Clone)]
pub(crate) enum IdempotencyState {
    InFlight { locked_until: DateTime<Utc> },
    Completed { status: u16, body: Vec<u8> },
}

/// One page of `items` (already in order) and the number of items before paging.
pub(crate) fn paged<T>(items: impl IntoIterator<Item = T>, page: Page) -> Paged<T> {
    let all: Vec<T> = items.into_iter().collect();
    let total = i64::try_from(all.len()).unwrap_or(i64::MAX);
    let offset = usize::try_from(page.offset).unwrap_or(0);
    let limit = usize::try_from(page.limit).unwrap_or(0);
    Paged { items: all.into_iter().skip(offset).take(limit).collect(), total }
}

impl State {
    /// Remembers the latest time seen (see [`State::latest_now`]).
    pub fn saw(&mut self, now: DateTime<Utc>) {
        if self.latest_now.is_none_or(|t| t < now) {
            self.latest_now = Some(now);
        }
    }

    /// Inventory rows of a room with `from ≤ date < to`, by date.
    pub fn nights(&self, room_id: RoomId, from: NaiveDate, to: NaiveDate) -> impl Iterator<Item = &InventoryNight> {
        let range = if from < to { Some((room_id, from)..(room_id, to)) } else { None };
        range.into_iter().flat_map(move |r| self.inventory.range(r).map(|(_, night)| night))
    }

    /// The rows of a stay's nights, by date (missing nights are absent).
    pub fn stay_nights(&self, room_id: RoomId, stay: &StayDates) -> Vec<InventoryNight> {
        self.nights(room_id, stay.check_in(), stay.check_out()).cloned().collect()
    }

    /// Whether the room's row dated the stay's check-out date is closed to departure.
    pub fn departure_closed(&self, room_id: RoomId, stay: &StayDates) -> bool {
        self.inventory.get(&(room_id, stay.check_out())).is_some_and(|n| n.restrictions.closed_to_departure)
    }

    /// Rows of a room dated `check_in..=check_out`: the stay's nights and the departure date's row.
    pub fn stay_rows(&self, room_id: RoomId, stay: &StayDates) -> Vec<InventoryNight> {
        self.inventory.range((room_id, stay.check_in())..=(room_id, stay.check_out())).map(|(_, n)| n.clone()).collect()
    }

    /// Adds `d_book` and `d_reserved` on every night of a booking's stay, all or nothing. Every night must
    /// exist and end within `0 ≤ book`, `0 ≤ reserved`, `book + reserved ≤ total` (the table's CHECKs).
    pub fn shift_counts(&mut self, booking: &Booking, d_book: i32, d_reserved: i32) -> Result<()> {
        let stay = booking.stay();
        let mut changed = Vec::new();
        for date in stay.each_night() {
            let key = (booking.room_id, date);
            let night = self
                .inventory
                .get(&key)
                .ok_or_else(|| Error::Internal(format!("booking {}: no inventory row on {date}", booking.id)))?;
            let book = night.book_count + d_book;
            let reserved = night.reserved_count + d_reserved;
            if book < 0 || reserved < 0 || book + reserved > night.total_count {
                return Err(Error::Internal(format!(
                    "booking {}: inventory counts out of range on {date}",
                    booking.id
                )));
            }
            changed.push((key, book, reserved));
        }
        for (key, book, reserved) in changed {
            if let Some(night) = self.inventory.get_mut(&key) {
                night.book_count = book;
                night.reserved_count = reserved;
            }
        }
        Ok(())
    }

    /// The booking row `id`.
    pub fn booking_row(&self, id: BookingId) -> Result<&BookingRow> {
        self.bookings.get(&id).ok_or(Error::BookingNotFound(id))
    }

    /// The booking row `id`, mutable.
    pub fn booking_row_mut(&mut self, id: BookingId) -> Result<&mut BookingRow> {
        self.bookings.get_mut(&id).ok_or(Error::BookingNotFound(id))
    }

    /// A booking as the ports return it: linked guests (deleted ones included) by id, and the current
    /// hotel name and room type.
    pub fn view(&self, row: &BookingRow) -> Booking {
        let mut b = row.booking.clone();
        b.guests = row.guest_ids.iter().filter_map(|id| self.guests.get(id)).map(|g| g.guest.clone()).collect();
        if let Some(h) = self.hotels.get(&b.hotel_id) {
            b.hotel_name = h.name.clone();
        }
        if let Some(r) = self.rooms.get(&b.room_id) {
            b.room_type = r.kind.clone();
        }
        b
    }

    /// The view of booking `id`.
    pub fn view_of(&self, id: BookingId) -> Result<Booking> {
        Ok(self.view(self.booking_row(id)?))
    }

    /// Deletes bookings (which must have ended) with their guest links and simulated sessions.
    /// Before deleting a hotel or a room type: refuses while a booking matching `pred` is active (`active`) or
    /// is owed a refund (`refunds`), else deletes the matching bookings (ended ones go with their rooms).
    pub fn clear_bookings(
        &mut self,
        pred: impl Fn(&Booking) -> bool + Copy,
        now: DateTime<Utc>,
        active: &'static str,
        refunds: &'static str,
    ) -> Result<()> {
        let (bookings, any_active) = self.bookings_where(pred, now);
        if any_active {
            return Err(Error::HasActiveBookings(active));
        }
        if self.refunds_owed(pred) {
            return Err(Error::HasActiveBookings(refunds));
        }
        self.delete_bookings(&bookings);
        Ok(())
    }

    pub fn delete_bookings(&mut self, ids: &[BookingId]) {
        for id in ids {
            self.bookings.remove(id);
        }
        self.sessions.retain(|_, s| !ids.contains(&s.booking_id));
    }

    /// Whether a booking matching `pred` still owes a refund (PENDING, or FAILED awaiting an operator).
    pub fn refunds_owed(&self, pred: impl Fn(&Booking) -> bool) -> bool {
        self.bookings.values().any(|r| {
            pred(&r.booking)
                && matches!(
                    r.booking.refund_status,
                    Some(domain::model::RefundStatus::Pending | domain::model::RefundStatus::Failed)
                )
        })
    }

    /// Ids of the bookings matching `pred`, and whether any of them is still active.
    pub fn bookings_where(&self, pred: impl Fn(&Booking) -> bool, now: DateTime<Utc>) -> (Vec<BookingId>, bool) {
        let mut active = false;
        let ids = self
            .bookings
            .values()
            .filter(|r| pred(&r.booking))
            .map(|r| {
                active |= r.booking.effective_status(now).is_active();
                r.booking.id
            })
            .collect();
        (ids, active)
    }
}
