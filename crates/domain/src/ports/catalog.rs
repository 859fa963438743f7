//! Hotels, room types, inventory, search and reports.

use crate::Result;
use crate::model::*;
use crate::pricing::PricingPolicy;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

/// Hotels and room types: the manager's writes and the lookups they need.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait CatalogRepository: Send + Sync {
    /// Inserts an inactive hotel owned by `owner_id`.
    async fn create_hotel(&self, owner_id: UserId, hotel: NewHotel, now: DateTime<Utc>) -> Result<Hotel>;
    /// A hotel by id.
    async fn hotel(&self, id: HotelId) -> Result<Option<Hotel>>;
    /// Hotels of an owner by id ascending.
    async fn hotels_of_owner(&self, owner_id: UserId, page: Page) -> Result<Paged<Hotel>>;
    /// Applies a patch.
    async fn update_hotel(&self, id: HotelId, patch: HotelPatch, now: DateTime<Utc>) -> Result<Hotel>;
    /// Sets `active`.
    async fn set_hotel_active(&self, id: HotelId, active: bool, now: DateTime<Utc>) -> Result<Hotel>;
    /// Deletes the hotel, its ended bookings, rooms and inventory. MUST fail with
    /// `Error::HasActiveBookings` and change nothing while any booking is active at `now` (neither CANCELLED
    /// nor EXPIRED, an overdue hold counting as expired) or still owes a refund.
    async fn delete_hotel(&self, id: HotelId, now: DateTime<Utc>) -> Result<()>;
    /// Inserts a room type, its default rate plan ([`NewRatePlan::standard`], `is_default`) and its inventory
    /// window `[today, today+365)` atomically. MUST fail with `Error::LimitExceeded` when the hotel has
    /// `MAX_ROOMS_PER_HOTEL` room types.
    async fn create_room(&self, hotel_id: HotelId, room: NewRoom, today: NaiveDate, now: DateTime<Utc>)
    -> Result<Room>;
    /// A room type by id.
    async fn room(&self, id: RoomId) -> Result<Option<Room>>;
    /// Room types of a hotel by id ascending.
    async fn rooms_of_hotel(&self, hotel_id: HotelId, page: Page) -> Result<Paged<Room>>;
    /// Updates a room and propagates `base_price`/`total_count` to rows dated ≥ `today` (§4.3.3). MUST fail
    /// with `Error::InventoryConflict(date)` and change nothing if a row would fall below booked + reserved.
    async fn update_room(&self, id: RoomId, patch: RoomPatch, today: NaiveDate, now: DateTime<Utc>) -> Result<Room>;
    /// Deletes a room type with its ended bookings and inventory. MUST fail with `Error::HasActiveBookings`
    /// while any of its bookings is active at `now` or still owes a refund.
    async fn delete_room(&self, id: RoomId, now: DateTime<Utc>) -> Result<()>;
    /// Adds a (non-default) rate plan to a room type. MUST fail with `Error::RatePlanCodeTaken` when the room
    /// type already has a plan with this code, and `Error::RoomNotFound` for a missing room.
    async fn create_rate_plan(&self, room_id: RoomId, plan: NewRatePlan, now: DateTime<Utc>) -> Result<RatePlan>;
    /// A rate plan by id.
    async fn rate_plan(&self, id: RatePlanId) -> Result<Option<RatePlan>>;
    /// The rate plans of a hotel's room types, by room id then plan id (the default plan of each room first).
    async fn rate_plans_of_hotel(&self, hotel_id: HotelId) -> Result<Vec<RatePlan>>;
    /// Applies a patch. MUST fail with `Error::RatePlanCodeTaken` on a code clash, `Error::RatePlanNotFound`
    /// for a missing plan, and `Error::DefaultRatePlan` when it would deactivate the default plan.
    async fn update_rate_plan(&self, id: RatePlanId, patch: RatePlanPatch, now: DateTime<Utc>) -> Result<RatePlan>;
    /// Deletes a plan. MUST fail and change nothing with `Error::DefaultRatePlan` for a room's default plan and
    /// `Error::HasActiveBookings` while a booking on it is active at `now`.
    async fn delete_rate_plan(&self, id: RatePlanId, now: DateTime<Utc>) -> Result<()>;
}

/// The daily inventory of room types: listings, patches, the nights of a stay and the rolling window.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait InventoryRepository: Send + Sync {
    /// Inventory rows of a room with `start ≤ date ≤ end`, by date, with the hotel's current city.
    async fn inventory(
        &self,
        room_id: RoomId,
        start: NaiveDate,
        end: Option<NaiveDate>,
        page: Page,
    ) -> Result<Paged<InventoryView>>;
    /// Applies `patch` to every existing row in `[start, end]` in one transaction, rows locked in date
    /// order. MUST fail with `Error::InventoryConflict(date)` and change nothing when a new total would be
    /// below booked + reserved. Returns the rows of the range.
    async fn patch_inventory(
        &self,
        room_id: RoomId,
        start: NaiveDate,
        end: NaiveDate,
        patch: InventoryPatch,
    ) -> Result<Vec<InventoryView>>;
    /// Inventory nights of a room for a stay, by date (missing nights are absent).
    async fn stay_nights(&self, room_id: RoomId, stay: StayDates) -> Result<Vec<InventoryNight>>;
    /// Tops up every room's window through `today + 364`, `today` being its hotel's local date at `now`, with
    /// the room's current values, never touching existing rows: the dates after the room's last night (from
    /// `today` when it has none), so the daily run reads one index entry per room, not the whole window. Returns
    /// the number of rows inserted.
    async fn extend_inventory_window(&self, now: DateTime<Utc>) -> Result<u64>;
}

/// Read-side queries: search, the public hotel page and reports. `app` may serve `search` from a read
/// replica (`DATABASE_READ_URL`); the other two always read the primary.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait CatalogQueries: Send + Sync {
    /// A hotel with all its room types (by id) and, when `stay` is given, each room's rows dated
    /// `check_in..=check_out` (the stay's nights and the departure date's row, by date) — the public hotel page in
    /// as few round trips as possible. `None` when the hotel does not exist.
    async fn hotel_listing(&self, hotel_id: HotelId, stay: Option<StayDates>) -> Result<Option<HotelListing>>;
    /// Active hotels in `city` (case-insensitive equality) with one room type available for the whole stay
    /// (§4.4.3), priced by `policy` as of each hotel's local date at `now`; a hotel whose local date is already
    /// past the check-in date is left out.
    async fn search(&self, query: SearchQuery, policy: PricingPolicy, now: DateTime<Utc>) -> Result<Paged<SearchHit>>;
    /// Bookings of a hotel with check-in in `[start, end]`: the CONFIRMED ones (count, Σ amount) and the
    /// penalties kept on cancelled ones.
    async fn report(&self, hotel_id: HotelId, start: NaiveDate, end: NaiveDate) -> Result<ReportTotals>;
    /// A hotel, one of its room types with the room's rate plans, and (for a stay) the room's rows dated
    /// `check_in..=check_out` — what a quote reads. `None` when the hotel does not exist; `room` is `None` when the
    /// room does not exist or is another hotel's.
    async fn room_offer(
        &self,
        hotel_id: HotelId,
        room_id: RoomId,
        stay: Option<StayDates>,
    ) -> Result<Option<RoomOffer>>;
    /// A hotel's room types by id, each with its default rate plan and its rows dated `from..=to`, in one round
    /// trip. `None` when the hotel does not exist.
    async fn calendar(&self, hotel_id: HotelId, from: NaiveDate, to: NaiveDate) -> Result<Option<HotelCalendar>>;
    /// Several hotels' calendars, each over its own window `(hotel, from, to)`, in one round trip where the store
    /// can (how a read model re-reads the nights a burst of writes changed). Hotels that do not exist are left
    /// out; the order is unspecified. Decorators that cache must pass it through uncached.
    async fn calendars(&self, windows: &[(HotelId, NaiveDate, NaiveDate)]) -> Result<Vec<HotelCalendar>> {
        let mut out = Vec::with_capacity(windows.len());
        for &(id, from, to) in windows {
            if let Some(c) = self.calendar(id, from, to).await? {
                out.push(c);
            }
        }
        Ok(out)
    }
    /// What a revenue report of `[start, end]` (stay nights) sums: Σ `total_count` of the hotel's rows per date,
    /// and its bookings with a night in the range that are CONFIRMED, or CANCELLED with a penalty or a refund.
    async fn revenue(&self, hotel_id: HotelId, start: NaiveDate, end: NaiveDate) -> Result<RevenueFacts>;
    /// Ids of every hotel (any status) greater than `after`, ascending, at most `limit` (1..=10000): how a
    /// replica's read model pages through the whole catalog.
    async fn hotel_ids(&self, after: HotelId, limit: i64) -> Result<Vec<HotelId>>;
}

/// Every catalog port in one (a store implements all three); handy for tests and wiring.
pub trait CatalogStore: CatalogRepository + InventoryRepository + CatalogQueries {}
impl<T: CatalogRepository + InventoryRepository + CatalogQueries> CatalogStore for T {}
