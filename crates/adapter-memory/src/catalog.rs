//! Hotels, room types, their rows' helpers and the catalog queries (the inventory port is in `inventory.rs`).

use crate::InMemoryStore;
use crate::state::{State, paged};
use async_trait::async_trait;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::model::{
    BookingStatus, HOTEL_REFUNDS_OWED, Hotel, HotelListing, HotelPatch, INVENTORY_WINDOW_DAYS, InventoryNight,
    InventoryView, MAX_ROOMS_PER_HOTEL, Money, NewHotel, NewRoom, Page, Paged, ROOM_REFUNDS_OWED, Room, RoomPatch,
    SearchHit, SearchQuery, StayDates,
};
use domain::model::{HotelCalendar, RevenueFacts, RoomOffer};
use domain::model::{
    HotelId, NewRatePlan, RatePlan, RatePlanId, RatePlanPatch, ReportTotals, RoomId, UserId, default_check_in_time,
    default_check_out_time,
};
use domain::ports::{CatalogQueries, CatalogRepository};
use domain::pricing::PricingPolicy;
use domain::{Error, Result};
use rust_decimal::Decimal;

fn hotel_missing(id: HotelId) -> Error {
    Error::HotelNotFound(format!("Hotel not found with id: {id}"))
}

pub(crate) fn room_missing(id: RoomId) -> Error {
    Error::RoomNotFound(format!("Room not found with id: {id}"))
}

pub(crate) fn inventory_room_missing(id: RoomId) -> Error {
    Error::RoomNotFound(format!("Room not found: {id}"))
}

impl State {
    /// Inserts the row of `room` on `date` with the room's current values, unless it exists.
    pub(crate) fn insert_night(&mut self, room: &Room, date: NaiveDate) -> bool {
        if self.inventory.contains_key(&(room.id, date)) {
            return false;
        }
        let night = InventoryNight {
            id: self.ids.inventory(),
            hotel_id: room.hotel_id,
            room_id: room.id,
            date,
            book_count: 0,
            reserved_count: 0,
            total_count: room.total_count,
            surge_factor: Decimal::new(100, 2),
            price: room.base_price,
            closed: false,
            restrictions: Default::default(),
        };
        self.inventory.insert((room.id, date), night);
        true
    }

    /// Fills the window `[today, today + 365)` of a room; returns the rows inserted.
    fn fill_window(&mut self, room: &Room, today: NaiveDate) -> u64 {
        (0..INVENTORY_WINDOW_DAYS).filter(|d| self.insert_night(room, today + Duration::days(*d))).count() as u64
    }

    fn inventory_view(&self, night: &InventoryNight) -> InventoryView {
        let city = self.hotels.get(&night.hotel_id).and_then(|h| h.city.clone()).unwrap_or_default();
        InventoryView { night: night.clone(), city, effective_price: Money::ZERO }
    }

    /// Rows of a room with `start ≤ date ≤ end`, by date.
    pub(crate) fn rows_between(&self, room_id: RoomId, start: NaiveDate, end: Option<NaiveDate>) -> Vec<InventoryView> {
        self.inventory
            .range((room_id, start)..=(room_id, end.unwrap_or(NaiveDate::MAX)))
            .map(|(_, night)| self.inventory_view(night))
            .collect()
    }

    fn delete_room_rows(&mut self, room_id: RoomId) {
        self.inventory.retain(|(r, _), _| *r != room_id);
        self.rate_plans.retain(|_, p| p.room_id != room_id);
        self.rooms.remove(&room_id);
    }
}

#[async_trait]
impl CatalogRepository for InMemoryStore {
    async fn create_hotel(&self, owner_id: UserId, hotel: NewHotel, now: DateTime<Utc>) -> Result<Hotel> {
        self.with(|st| {
            st.saw(now);
            let id = st.ids.hotel();
            let stored = Hotel {
                id,
                name: hotel.name,
                city: hotel.city,
                photos: hotel.photos,
                amenities: hotel.amenities,
                contact_phone: hotel.contact_phone,
                contact_email: hotel.contact_email,
                contact_address: hotel.contact_address,
                active: false,
                owner_id,
                time_zone: hotel.time_zone.unwrap_or_default(),
                currency: hotel.currency.unwrap_or_default(),
                check_in_time: hotel.check_in_time.unwrap_or_else(default_check_in_time),
                check_out_time: hotel.check_out_time.unwrap_or_else(default_check_out_time),
                cancellation_policy: hotel.cancellation_policy.unwrap_or_default(),
                taxes: hotel.taxes.unwrap_or_default(),
                created_at: now,
                updated_at: now,
            };
            st.hotels.insert(id, stored.clone());
            st.catalog_events(id, crate::events::Snapshot::default(), now);
            Ok(stored)
        })
    }

    async fn hotel(&self, id: HotelId) -> Result<Option<Hotel>> {
        self.with(|st| Ok(st.hotels.get(&id).cloned()))
    }

    async fn hotels_of_owner(&self, owner_id: UserId, page: Page) -> Result<Paged<Hotel>> {
        self.with(|st| Ok(paged(st.hotels.values().filter(|h| h.owner_id == owner_id).cloned(), page)))
    }

    async fn update_hotel(&self, id: HotelId, patch: HotelPatch, now: DateTime<Utc>) -> Result<Hotel> {
        self.catalog_write(
            |_| Some(id),
            now,
            |st| {
                st.saw(now);
                let h = st.hotels.get_mut(&id).ok_or_else(|| hotel_missing(id))?;
                if let Some(name) = patch.name {
                    h.name = name;
                }
                h.city = patch.city.apply(h.city.take());
                h.photos = patch.photos.apply(h.photos.take());
                h.amenities = patch.amenities.apply(h.amenities.take());
                h.contact_phone = patch.contact_phone.apply(h.contact_phone.take());
                h.contact_email = patch.contact_email.apply(h.contact_email.take());
                h.contact_address = patch.contact_address.apply(h.contact_address.take());
                h.time_zone = patch.time_zone.unwrap_or(h.time_zone);
                if let Some(c) = patch.currency {
                    h.currency = c;
                }
                h.check_in_time = patch.check_in_time.unwrap_or(h.check_in_time);
                h.check_out_time = patch.check_out_time.unwrap_or(h.check_out_time);
                h.cancellation_policy = patch.cancellation_policy.unwrap_or(h.cancellation_policy);
                if let Some(taxes) = patch.taxes {
                    h.taxes = taxes;
                }
                h.updated_at = now;
                Ok(h.clone())
            },
        )
    }

    async fn set_hotel_active(&self, id: HotelId, active: bool, now: DateTime<Utc>) -> Result<Hotel> {
        self.catalog_write(
            |_| Some(id),
            now,
            |st| {
                st.saw(now);
                let h = st.hotels.get_mut(&id).ok_or_else(|| hotel_missing(id))?;
                h.active = active;
                h.updated_at = now;
                Ok(h.clone())
            },
        )
    }

    async fn delete_hotel(&self, id: HotelId, now: DateTime<Utc>) -> Result<()> {
        self.catalog_write(
            |_| Some(id),
            now,
            |st| {
                if !st.hotels.contains_key(&id) {
                    return Err(hotel_missing(id));
                }
                let active = "Hotel has active bookings; deactivate it instead";
                st.clear_bookings(|b| b.hotel_id == id, now, active, HOTEL_REFUNDS_OWED)?;
                let rooms: Vec<RoomId> = st.rooms.values().filter(|r| r.hotel_id == id).map(|r| r.id).collect();
                for room_id in rooms {
                    st.delete_room_rows(room_id);
                }
                st.hotels.remove(&id);
                Ok(())
            },
        )
    }

    async fn create_room(
        &self,
        hotel_id: HotelId,
        room: NewRoom,
        today: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<Room> {
        self.catalog_write(
            |_| Some(hotel_id),
            now,
            |st| {
                st.saw(now);
                if !st.hotels.contains_key(&hotel_id) {
                    return Err(hotel_missing(hotel_id));
                }
                let count = st.rooms.values().filter(|r| r.hotel_id == hotel_id).count();
                if i64::try_from(count).unwrap_or(i64::MAX) >= MAX_ROOMS_PER_HOTEL {
                    return Err(Error::LimitExceeded("A hotel can have at most 100 room types"));
                }
                let stored = Room {
                    id: st.ids.room(),
                    hotel_id,
                    kind: room.kind,
                    base_price: room.base_price,
                    photos: room.photos,
                    amenities: room.amenities,
                    total_count: room.total_count,
                    capacity: room.capacity,
                    created_at: now,
                    updated_at: now,
                };
                st.rooms.insert(stored.id, stored.clone());
                st.insert_rate_plan(&stored, NewRatePlan::standard(), true, now)?;
                st.fill_window(&stored, today);
                Ok(stored)
            },
        )
    }

    async fn room(&self, id: RoomId) -> Result<Option<Room>> {
        self.with(|st| Ok(st.rooms.get(&id).cloned()))
    }

    async fn rooms_of_hotel(&self, hotel_id: HotelId, page: Page) -> Result<Paged<Room>> {
        self.with(|st| Ok(paged(st.rooms.values().filter(|r| r.hotel_id == hotel_id).cloned(), page)))
    }

    async fn update_room(&self, id: RoomId, patch: RoomPatch, today: NaiveDate, now: DateTime<Utc>) -> Result<Room> {
        self.catalog_write(
            |st| st.rooms.get(&id).map(|r| r.hotel_id),
            now,
            |st| {
                st.saw(now);
                let old = st.rooms.get(&id).cloned().ok_or_else(|| room_missing(id))?;
                // Plan every row change first, so a conflict leaves everything untouched.
                let mut plan: Vec<(NaiveDate, Option<Money>, Option<i32>)> = Vec::new();
                for night in st.nights(id, today, NaiveDate::MAX) {
                    let price = patch.base_price.filter(|_| night.price == old.base_price);
                    let total = patch.total_count.filter(|_| night.total_count == old.total_count);
                    if let Some(t) = total
                        && t < night.book_count + night.reserved_count
                    {
                        return Err(Error::InventoryConflict(night.date));
                    }
                    if price.is_some() || total.is_some() {
                        plan.push((night.date, price, total));
                    }
                }
                for (date, price, total) in plan {
                    if let Some(night) = st.inventory.get_mut(&(id, date)) {
                        night.price = price.unwrap_or(night.price);
                        night.total_count = total.unwrap_or(night.total_count);
                    }
                }
                let room = st.rooms.get_mut(&id).ok_or_else(|| room_missing(id))?;
                if let Some(kind) = patch.kind {
                    room.kind = kind;
                }
                room.base_price = patch.base_price.unwrap_or(room.base_price);
                room.photos = patch.photos.apply(room.photos.take());
                room.amenities = patch.amenities.apply(room.amenities.take());
                room.total_count = patch.total_count.unwrap_or(room.total_count);
                room.capacity = patch.capacity.unwrap_or(room.capacity);
                room.updated_at = now;
                Ok(room.clone())
            },
        )
    }

    async fn delete_room(&self, id: RoomId, now: DateTime<Utc>) -> Result<()> {
        self.catalog_write(
            |st| st.rooms.get(&id).map(|r| r.hotel_id),
            now,
            |st| {
                if !st.rooms.contains_key(&id) {
                    return Err(room_missing(id));
                }
                st.clear_bookings(|b| b.room_id == id, now, "Room has active bookings", ROOM_REFUNDS_OWED)?;
                st.delete_room_rows(id);
                Ok(())
            },
        )
    }

    async fn create_rate_plan(&self, room_id: RoomId, plan: NewRatePlan, now: DateTime<Utc>) -> Result<RatePlan> {
        self.catalog_write(
            |st| st.rooms.get(&room_id).map(|r| r.hotel_id),
            now,
            |st| st.create_rate_plan(room_id, plan, now),
        )
    }

    async fn rate_plan(&self, id: RatePlanId) -> Result<Option<RatePlan>> {
        self.with(|st| Ok(st.rate_plans.get(&id).cloned()))
    }

    async fn rate_plans_of_hotel(&self, hotel_id: HotelId) -> Result<Vec<RatePlan>> {
        self.with(|st| Ok(st.rate_plans_of_hotel(hotel_id)))
    }

    async fn update_rate_plan(&self, id: RatePlanId, patch: RatePlanPatch, now: DateTime<Utc>) -> Result<RatePlan> {
        self.catalog_write(
            |st| st.rate_plans.get(&id).map(|p| p.hotel_id),
            now,
            |st| st.update_rate_plan(id, patch, now),
        )
    }

    async fn delete_rate_plan(&self, id: RatePlanId, now: DateTime<Utc>) -> Result<()> {
        self.catalog_write(|st| st.rate_plans.get(&id).map(|p| p.hotel_id), now, |st| st.delete_rate_plan(id, now))
    }
}

#[async_trait]
impl CatalogQueries for InMemoryStore {
    async fn hotel_listing(&self, hotel_id: HotelId, stay: Option<StayDates>) -> Result<Option<HotelListing>> {
        self.with(|st| {
            let Some(hotel) = st.hotels.get(&hotel_id).cloned() else { return Ok(None) };
            let mut rooms: Vec<Room> = st.rooms.values().filter(|r| r.hotel_id == hotel_id).cloned().collect();
            rooms.sort_by_key(|r| r.id);
            let rooms = rooms
                .into_iter()
                .map(|r| {
                    let nights = stay.map(|s| st.stay_rows(r.id, &s)).unwrap_or_default();
                    (r, nights)
                })
                .collect();
            Ok(Some(HotelListing { hotel, rooms, plans: st.rate_plans_of_hotel(hotel_id) }))
        })
    }

    async fn search(&self, query: SearchQuery, policy: PricingPolicy, now: DateTime<Utc>) -> Result<Paged<SearchHit>> {
        self.with(|st| Ok(crate::search::search(st, &query, &policy, now)))
    }

    async fn report(&self, hotel_id: HotelId, start: NaiveDate, end: NaiveDate) -> Result<ReportTotals> {
        self.with(|st| {
            let mut t = ReportTotals::default();
            let overflow = || Error::internal("revenue overflow");
            for row in st.bookings.values() {
                let b = &row.booking;
                if b.hotel_id != hotel_id || !(start..=end).contains(&b.check_in_date) {
                    continue;
                }
                if b.status == BookingStatus::Confirmed {
                    t.bookings += 1;
                    t.revenue = t.revenue.checked_add(b.amount).ok_or_else(overflow)?;
                } else if let (BookingStatus::Cancelled, Some(p)) = (b.status, b.penalty_amount) {
                    t.penalties = t.penalties.checked_add(p).ok_or_else(overflow)?;
                }
            }
            Ok(t)
        })
    }

    async fn room_offer(
        &self,
        hotel_id: HotelId,
        room_id: RoomId,
        stay: Option<StayDates>,
    ) -> Result<Option<RoomOffer>> {
        self.with(|st| Ok(st.room_offer(hotel_id, room_id, stay)))
    }

    async fn calendar(&self, hotel_id: HotelId, from: NaiveDate, to: NaiveDate) -> Result<Option<HotelCalendar>> {
        self.with(|st| Ok(st.calendar(hotel_id, from, to)))
    }

    async fn revenue(&self, hotel_id: HotelId, start: NaiveDate, end: NaiveDate) -> Result<RevenueFacts> {
        self.with(|st| Ok(st.revenue(hotel_id, start, end)))
    }

    async fn hotel_ids(&self, after: HotelId, limit: i64) -> Result<Vec<HotelId>> {
        let limit = usize::try_from(limit.clamp(1, 10_000)).unwrap_or(1);
        let above = (std::ops::Bound::Excluded(after), std::ops::Bound::Unbounded);
        self.with(|st| Ok(st.hotels.range(above).map(|(id, _)| *id).take(limit).collect()))
    }
}
