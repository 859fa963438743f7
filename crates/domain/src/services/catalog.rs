use super::require_manager;
use crate::model::*;
use crate::ports::*;
use crate::pricing::PricingPolicy;
use crate::{Error, Result};
use chrono::{Datelike, NaiveDate};
use std::sync::Arc;

/// Hotels, rooms, inventory, search, hotel info and reports.
///
/// Wired from a store's three catalog ports (search may read a replica), a [`Clock`], the [`PricingPolicy`]
/// and `MAX_STAY_NIGHTS`. A manager creates a hotel (inactive), activates it and adds a room type, whose
/// 365 inventory nights make it searchable:
///
/// ```
/// # use adapter_memory::InMemoryStore;
/// # use chrono::Duration;
/// # use domain::model::*;
/// # use domain::ports::*;
/// # use domain::pricing::PricingPolicy;
/// # use domain::services::CatalogService;
/// # use domain::{Error, Result};
/// # use std::sync::Arc;
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<()> {
/// let store = InMemoryStore::shared();
/// let clock: Arc<dyn Clock> = Arc::new(SystemClock);
/// let catalog = CatalogService::new(
///     store.clone(), // hotels and room types
///     store.clone(), // inventory
///     store.clone(), // hotel page and reports (the primary)
///     store.clone(), // search (a read replica when configured)
///     clock.clone(),
///     PricingPolicy::default(),
///     30,
/// );
/// # let email = Email::parse("manager@example.com").ok_or(Error::internal("email"))?;
/// # store.create_user(NewUser { email: email.clone(), password_hash: "-".into(), name: None }).await?;
/// # store.set_manager(&email, true).await?;
/// # let manager = store.user_by_email(&email).await?.ok_or(Error::internal("manager"))?;
/// let new_hotel = NewHotel { name: "Harbour View".into(), city: Some("Lisbon".into()), ..NewHotel::default() };
/// let hotel = catalog.create_hotel(&manager, new_hotel).await?;
/// catalog.set_active(&manager, hotel.id, true).await?;
/// let double = NewRoom {
///     kind: "Double".into(),
///     base_price: Money::from_minor(12_000),
///     photos: None,
///     amenities: None,
///     total_count: 3,
///     capacity: 2,
/// };
/// catalog.create_room(&manager, hotel.id, double).await?;
///
/// let check_in = clock.today() + Duration::days(14);
/// let query = SearchQuery {
///     city: "lisbon".into(),
///     stay: catalog.stay(check_in, check_in + Duration::days(2))?,
///     rooms_count: 1,
///     guests: Some(2),
///     min_price: None,
///     max_price: None,
///     sort: SearchSort::PriceAsc,
///     page: Page::DEFAULT,
/// };
/// let found = catalog.search(query).await?;
/// assert_eq!(found.total, 1);
/// assert_eq!(found.items[0].min_price.to_string(), "120.00");
///
/// // Another manager (`other`) gets 403 `not_owner`.
/// # let other = store.create_user(NewUser {
/// #     email: Email::parse("other@example.com").ok_or(Error::internal("email"))?,
/// #     password_hash: "-".into(),
/// #     name: None,
/// # }).await?;
/// # store.set_manager(&other.email, true).await?;
/// # let other = store.user_by_id(other.id).await?.ok_or(Error::internal("other"))?;
/// assert_eq!(catalog.set_active(&other, hotel.id, false).await.err(), Some(Error::NotOwner));
/// # Ok(())
/// # }
/// ```
pub struct CatalogService {
    pub(super) catalog: Arc<dyn CatalogRepository>,
    inventory: Arc<dyn InventoryRepository>,
    pub(super) queries: Arc<dyn CatalogQueries>,
    /// Serves `/hotels/search` only; a read replica when one is configured.
    search: Arc<dyn CatalogQueries>,
    pub(super) clock: Arc<dyn Clock>,
    pub(super) policy: PricingPolicy,
    pub(super) max_stay_nights: u32,
    default_currency: Currency,
}

/// Which "hotel not found" text a route uses.
pub(super) fn hotel_missing(id: HotelId) -> Error {
    Error::HotelNotFound(format!("Hotel not found with id: {id}"))
}

impl CatalogService {
    /// Wires the service. `queries` reads the primary (hotel page, reports); `search` may be a read replica.
    pub fn new(
        catalog: Arc<dyn CatalogRepository>,
        inventory: Arc<dyn InventoryRepository>,
        queries: Arc<dyn CatalogQueries>,
        search: Arc<dyn CatalogQueries>,
        clock: Arc<dyn Clock>,
        policy: PricingPolicy,
        max_stay_nights: u32,
    ) -> Self {
        let default_currency = Currency::default();
        CatalogService { catalog, inventory, queries, search, clock, policy, max_stay_nights, default_currency }
    }

    /// The currency of hotels created without one (the deployment's `CURRENCY`; default USD).
    pub fn with_default_currency(mut self, currency: Currency) -> Self {
        self.default_currency = currency;
        self
    }

    /// Validates the stay of a search (across hotels and zones) against the UTC date, as API.md does; each
    /// hotel then applies its own local date.
    pub fn stay(&self, check_in: NaiveDate, check_out: NaiveDate) -> Result<StayDates> {
        self.stay_at(check_in, check_out, self.clock.today())
    }

    /// Validates a stay against the local date `today` and the configured maximum.
    pub(super) fn stay_at(&self, check_in: NaiveDate, check_out: NaiveDate, today: NaiveDate) -> Result<StayDates> {
        StayDates::new(check_in, check_out, today, self.max_stay_nights)
    }

    /// The hotel's local date now.
    pub(super) fn today_at(&self, hotel: &Hotel) -> NaiveDate {
        hotel.time_zone.today(self.clock.now())
    }

    /// The hotel `id` if `manager` owns it: 404 when missing, 403 `not_owner` otherwise.
    pub async fn owned_hotel(&self, manager: &User, id: HotelId) -> Result<Hotel> {
        require_manager(manager)?;
        let hotel = self.catalog.hotel(id).await?.ok_or_else(|| hotel_missing(id))?;
        if hotel.owner_id != manager.id {
            return Err(Error::NotOwner);
        }
        Ok(hotel)
    }

    /// Creates an inactive hotel owned by the manager.
    pub async fn create_hotel(&self, manager: &User, hotel: NewHotel) -> Result<Hotel> {
        require_manager(manager)?;
        let hotel =
            NewHotel { currency: Some(hotel.currency.unwrap_or_else(|| self.default_currency.clone())), ..hotel };
        self.catalog.create_hotel(manager.id, hotel, self.clock.now()).await
    }

    /// The manager's hotels.
    pub async fn my_hotels(&self, manager: &User, page: Page) -> Result<Paged<Hotel>> {
        require_manager(manager)?;
        self.catalog.hotels_of_owner(manager.id, page).await
    }

    /// Partial update.
    pub async fn update_hotel(&self, manager: &User, id: HotelId, patch: HotelPatch) -> Result<Hotel> {
        self.owned_hotel(manager, id).await?;
        self.catalog.update_hotel(id, patch, self.clock.now()).await
    }

    /// Activates or deactivates (idempotent).
    pub async fn set_active(&self, manager: &User, id: HotelId, active: bool) -> Result<Hotel> {
        self.owned_hotel(manager, id).await?;
        self.catalog.set_hotel_active(id, active, self.clock.now()).await
    }

    /// Deletes a hotel without active bookings.
    pub async fn delete_hotel(&self, manager: &User, id: HotelId) -> Result<()> {
        self.owned_hotel(manager, id).await?;
        self.catalog.delete_hotel(id, self.clock.now()).await
    }

    /// A room of an owned hotel: 404 `room_not_found` when missing or under another hotel.
    pub async fn owned_room(&self, manager: &User, hotel_id: HotelId, room_id: RoomId) -> Result<Room> {
        self.owned_hotel(manager, hotel_id).await?;
        match self.catalog.room(room_id).await? {
            Some(r) if r.hotel_id == hotel_id => Ok(r),
            _ => Err(Error::RoomNotFound(format!("Room not found with id: {room_id}"))),
        }
    }

    /// The rate plans of an owned room type (its default plan first).
    pub async fn rate_plans(&self, manager: &User, hotel_id: HotelId, room_id: RoomId) -> Result<Vec<RatePlan>> {
        self.owned_room(manager, hotel_id, room_id).await?;
        let plans = self.catalog.rate_plans_of_hotel(hotel_id).await?;
        Ok(plans.into_iter().filter(|p| p.room_id == room_id).collect())
    }

    /// One rate plan of an owned room type (404 `rate_plan_not_found` for another room's).
    pub async fn rate_plan(
        &self,
        manager: &User,
        hotel_id: HotelId,
        room_id: RoomId,
        plan_id: RatePlanId,
    ) -> Result<RatePlan> {
        self.owned_room(manager, hotel_id, room_id).await?;
        match self.catalog.rate_plan(plan_id).await? {
            Some(p) if p.room_id == room_id => Ok(p),
            _ => Err(Error::RatePlanNotFound(format!("Rate plan not found: {plan_id}"))),
        }
    }

    /// Adds a rate plan to an owned room type.
    pub async fn create_rate_plan(
        &self,
        manager: &User,
        hotel_id: HotelId,
        room_id: RoomId,
        plan: NewRatePlan,
    ) -> Result<RatePlan> {
        self.owned_room(manager, hotel_id, room_id).await?;
        self.catalog.create_rate_plan(room_id, plan, self.clock.now()).await
    }

    /// Updates a rate plan of an owned room type (the default plan stays active).
    pub async fn update_rate_plan(
        &self,
        manager: &User,
        hotel_id: HotelId,
        room_id: RoomId,
        plan_id: RatePlanId,
        patch: RatePlanPatch,
    ) -> Result<RatePlan> {
        self.rate_plan(manager, hotel_id, room_id, plan_id).await?;
        self.catalog.update_rate_plan(plan_id, patch, self.clock.now()).await
    }

    /// Deletes a rate plan without active bookings (never the default plan).
    pub async fn delete_rate_plan(
        &self,
        manager: &User,
        hotel_id: HotelId,
        room_id: RoomId,
        plan_id: RatePlanId,
    ) -> Result<()> {
        self.rate_plan(manager, hotel_id, room_id, plan_id).await?;
        self.catalog.delete_rate_plan(plan_id, self.clock.now()).await
    }

    /// Creates a room type with its inventory window.
    pub async fn create_room(&self, manager: &User, hotel_id: HotelId, room: NewRoom) -> Result<Room> {
        let hotel = self.owned_hotel(manager, hotel_id).await?;
        self.catalog.create_room(hotel_id, room, self.today_at(&hotel), self.clock.now()).await
    }

    /// Room types of an owned hotel.
    pub async fn rooms(&self, manager: &User, hotel_id: HotelId, page: Page) -> Result<Paged<Room>> {
        self.owned_hotel(manager, hotel_id).await?;
        self.catalog.rooms_of_hotel(hotel_id, page).await
    }

    /// Updates a room type, propagating to future inventory.
    pub async fn update_room(
        &self,
        manager: &User,
        hotel_id: HotelId,
        room_id: RoomId,
        patch: RoomPatch,
    ) -> Result<Room> {
        let hotel = self.owned_hotel(manager, hotel_id).await?;
        self.owned_room(manager, hotel_id, room_id).await?;
        self.catalog.update_room(room_id, patch, self.today_at(&hotel), self.clock.now()).await
    }

    /// Deletes a room type without active bookings.
    pub async fn delete_room(&self, manager: &User, hotel_id: HotelId, room_id: RoomId) -> Result<()> {
        self.owned_room(manager, hotel_id, room_id).await?;
        self.catalog.delete_room(room_id, self.clock.now()).await
    }

    /// The hotel of a room for the inventory routes: 404 "Room not found: {id}", then ownership.
    async fn inventory_hotel(&self, manager: &User, room_id: RoomId) -> Result<Hotel> {
        require_manager(manager)?;
        let room = self
            .catalog
            .room(room_id)
            .await?
            .ok_or_else(|| Error::RoomNotFound(format!("Room not found: {room_id}")))?;
        self.owned_hotel(manager, room.hotel_id).await
    }

    /// Sets each row's effective price at the hotel's local date.
    fn priced(&self, mut rows: Vec<InventoryView>, today: NaiveDate) -> Vec<InventoryView> {
        for v in &mut rows {
            v.effective_price = self.policy.nightly(&v.night, today);
        }
        rows
    }

    /// Inventory rows of a room, `start` defaulting to today.
    pub async fn inventory(
        &self,
        manager: &User,
        room_id: RoomId,
        start: Option<NaiveDate>,
        end: Option<NaiveDate>,
        page: Page,
    ) -> Result<Paged<InventoryView>> {
        let hotel = self.inventory_hotel(manager, room_id).await?;
        let today = self.today_at(&hotel);
        let start = start.unwrap_or(today);
        if let Some(end) = end
            && end < start
        {
            return Err(Error::InvalidDateRange("End date must not be before start date"));
        }
        let p = self.inventory.inventory(room_id, start, end, page).await?;
        Ok(Paged { items: self.priced(p.items, today), total: p.total })
    }

    /// Patches every row of `[start, end]` (defaults: today, start).
    pub async fn patch_inventory(
        &self,
        manager: &User,
        room_id: RoomId,
        start: Option<NaiveDate>,
        end: Option<NaiveDate>,
        patch: InventoryPatch,
    ) -> Result<Vec<InventoryView>> {
        let hotel = self.inventory_hotel(manager, room_id).await?;
        let today = self.today_at(&hotel);
        let start = start.unwrap_or(today);
        let end = end.unwrap_or(start);
        if end < start {
            return Err(Error::InvalidDateRange("End date must not be before start date"));
        }
        if (end - start).num_days() + 1 > 366 {
            return Err(Error::InvalidDateRange("Date range too long"));
        }
        let rows = self.inventory.patch_inventory(room_id, start, end, patch).await?;
        Ok(self.priced(rows, today))
    }

    /// Public search.
    pub async fn search(&self, query: SearchQuery) -> Result<Paged<SearchHit>> {
        if let (Some(min), Some(max)) = (query.min_price, query.max_price)
            && min > max
        {
            return Err(Error::InvalidPriceRange);
        }
        self.search.search(query, self.policy.clone(), self.clock.now()).await
    }

    /// Revenue report of CONFIRMED stays by check-in date (defaults: first of this month … today).
    pub async fn report(
        &self,
        manager: &User,
        hotel_id: HotelId,
        start: Option<NaiveDate>,
        end: Option<NaiveDate>,
    ) -> Result<HotelReport> {
        let hotel = self.owned_hotel(manager, hotel_id).await?;
        let today = self.today_at(&hotel);
        let start = start.unwrap_or_else(|| today.with_day(1).unwrap_or(today));
        let end = end.unwrap_or(today);
        if end < start {
            return Err(Error::InvalidDateRange("End date must not be before start date"));
        }
        let totals = self.queries.report(hotel_id, start, end).await?;
        let (count, revenue) = (totals.bookings, totals.revenue);
        let avg = if count == 0 {
            Money::ZERO
        } else {
            Money::round_half_even(revenue.to_decimal() / rust_decimal::Decimal::from(count)).unwrap_or(Money::ZERO)
        };
        Ok(HotelReport {
            hotel_id,
            total_bookings: count,
            total_revenue: revenue,
            start_date: start,
            end_date: end,
            avg_revenue: avg,
            net_revenue: revenue.checked_add(totals.penalties).unwrap_or(revenue),
        })
    }

    /// Daily maintenance: keep every room's window through its hotel's local today+364.
    pub async fn extend_window(&self) -> Result<u64> {
        self.inventory.extend_inventory_window(self.clock.now()).await
    }
}
