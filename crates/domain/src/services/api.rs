//! The use cases the HTTP adapter (or any other driver) calls, as traits: the services implement them, and
//! tests of a driver substitute generated mocks (`mocks` feature: `MockBookingUseCases`, ...).

use super::*;
use crate::Result;
use crate::model::*;
use crate::ports::{EventOutcome, PaymentEvent, SimulatedSession};
use async_trait::async_trait;
use chrono::NaiveDate;

/// Accounts: signup, login, refresh rotation, logout, authentication, profiles and saved guests.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait AuthUseCases: Send + Sync {
    /// See [`AuthService::signup`].
    async fn signup(&self, email: Email, password: String, name: Option<String>) -> Result<User>;
    /// See [`AuthService::login`].
    async fn login(&self, email: Email, password: String) -> Result<LoginResult>;
    /// See [`AuthService::refresh`].
    async fn refresh(&self, token: &str) -> Result<LoginResult>;
    /// See [`AuthService::logout`].
    async fn logout(&self, token: Option<String>) -> Result<()>;
    /// See [`AuthService::authenticate`].
    async fn authenticate(&self, access_token: &str) -> Result<User>;
    /// See [`AuthService::update_profile`].
    async fn update_profile(&self, user: &User, patch: ProfilePatch) -> Result<User>;
    /// See [`AuthService::set_manager`].
    async fn set_manager(&self, email: &Email, manager: bool) -> Result<bool>;
    /// See [`AuthService::guests`].
    async fn guests(&self, user: &User, page: Page) -> Result<Paged<Guest>>;
    /// See [`AuthService::create_guest`].
    async fn create_guest(&self, user: &User, guest: NewGuest) -> Result<Guest>;
    /// See [`AuthService::update_guest`].
    async fn update_guest(&self, user: &User, id: GuestId, patch: GuestPatch) -> Result<Guest>;
    /// See [`AuthService::delete_guest`].
    async fn delete_guest(&self, user: &User, id: GuestId) -> Result<()>;
}

#[async_trait]
impl AuthUseCases for AuthService {
    async fn signup(&self, email: Email, password: String, name: Option<String>) -> Result<User> {
        AuthService::signup(self, email, password, name).await
    }
    async fn login(&self, email: Email, password: String) -> Result<LoginResult> {
        AuthService::login(self, email, password).await
    }
    async fn refresh(&self, token: &str) -> Result<LoginResult> {
        AuthService::refresh(self, token).await
    }
    async fn logout(&self, token: Option<String>) -> Result<()> {
        AuthService::logout(self, token.as_deref()).await
    }
    async fn authenticate(&self, access_token: &str) -> Result<User> {
        AuthService::authenticate(self, access_token).await
    }
    async fn update_profile(&self, user: &User, patch: ProfilePatch) -> Result<User> {
        AuthService::update_profile(self, user, patch).await
    }
    async fn set_manager(&self, email: &Email, manager: bool) -> Result<bool> {
        AuthService::set_manager(self, email, manager).await
    }
    async fn guests(&self, user: &User, page: Page) -> Result<Paged<Guest>> {
        AuthService::guests(self, user, page).await
    }
    async fn create_guest(&self, user: &User, guest: NewGuest) -> Result<Guest> {
        AuthService::create_guest(self, user, guest).await
    }
    async fn update_guest(&self, user: &User, id: GuestId, patch: GuestPatch) -> Result<Guest> {
        AuthService::update_guest(self, user, id, patch).await
    }
    async fn delete_guest(&self, user: &User, id: GuestId) -> Result<()> {
        AuthService::delete_guest(self, user, id).await
    }
}

/// Hotels, room types, inventory, search, the hotel page and reports.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait CatalogUseCases: Send + Sync {
    /// See [`CatalogService::owned_hotel`].
    async fn owned_hotel(&self, manager: &User, id: HotelId) -> Result<Hotel>;
    /// See [`CatalogService::create_hotel`].
    async fn create_hotel(&self, manager: &User, hotel: NewHotel) -> Result<Hotel>;
    /// See [`CatalogService::my_hotels`].
    async fn my_hotels(&self, manager: &User, page: Page) -> Result<Paged<Hotel>>;
    /// See [`CatalogService::update_hotel`].
    async fn update_hotel(&self, manager: &User, id: HotelId, patch: HotelPatch) -> Result<Hotel>;
    /// See [`CatalogService::set_active`].
    async fn set_active(&self, manager: &User, id: HotelId, active: bool) -> Result<Hotel>;
    /// See [`CatalogService::delete_hotel`].
    async fn delete_hotel(&self, manager: &User, id: HotelId) -> Result<()>;
    /// See [`CatalogService::owned_room`].
    async fn owned_room(&self, manager: &User, hotel_id: HotelId, room_id: RoomId) -> Result<Room>;
    /// See [`CatalogService::create_room`].
    async fn create_room(&self, manager: &User, hotel_id: HotelId, room: NewRoom) -> Result<Room>;
    /// See [`CatalogService::rooms`].
    async fn rooms(&self, manager: &User, hotel_id: HotelId, page: Page) -> Result<Paged<Room>>;
    /// See [`CatalogService::update_room`].
    async fn update_room(&self, manager: &User, hotel_id: HotelId, room_id: RoomId, patch: RoomPatch) -> Result<Room>;
    /// See [`CatalogService::delete_room`].
    async fn delete_room(&self, manager: &User, hotel_id: HotelId, room_id: RoomId) -> Result<()>;
    /// See [`CatalogService::rate_plans`].
    async fn rate_plans(&self, manager: &User, hotel_id: HotelId, room_id: RoomId) -> Result<Vec<RatePlan>>;
    /// See [`CatalogService::rate_plan`].
    async fn rate_plan(
        &self,
        manager: &User,
        hotel_id: HotelId,
        room_id: RoomId,
        plan_id: RatePlanId,
    ) -> Result<RatePlan>;
    /// See [`CatalogService::create_rate_plan`].
    async fn create_rate_plan(
        &self,
        manager: &User,
        hotel_id: HotelId,
        room_id: RoomId,
        plan: NewRatePlan,
    ) -> Result<RatePlan>;
    /// See [`CatalogService::update_rate_plan`].
    async fn update_rate_plan(
        &self,
        manager: &User,
        hotel_id: HotelId,
        room_id: RoomId,
        plan_id: RatePlanId,
        patch: RatePlanPatch,
    ) -> Result<RatePlan>;
    /// See [`CatalogService::delete_rate_plan`].
    async fn delete_rate_plan(
        &self,
        manager: &User,
        hotel_id: HotelId,
        room_id: RoomId,
        plan_id: RatePlanId,
    ) -> Result<()>;
    /// See [`CatalogService::inventory`].
    async fn inventory(
        &self,
        manager: &User,
        room_id: RoomId,
        start: Option<NaiveDate>,
        end: Option<NaiveDate>,
        page: Page,
    ) -> Result<Paged<InventoryView>>;
    /// See [`CatalogService::patch_inventory`].
    async fn patch_inventory(
        &self,
        manager: &User,
        room_id: RoomId,
        start: Option<NaiveDate>,
        end: Option<NaiveDate>,
        patch: InventoryPatch,
    ) -> Result<Vec<InventoryView>>;
    /// See [`CatalogService::search`].
    async fn search(&self, query: SearchQuery) -> Result<Paged<SearchHit>>;
    /// See [`CatalogService::hotel_info`].
    async fn hotel_info(
        &self,
        id: HotelId,
        dates: Option<(NaiveDate, NaiveDate)>,
        rooms_count: i32,
    ) -> Result<(Hotel, Vec<RoomSummary>)>;
    /// See [`CatalogService::report`].
    async fn report(
        &self,
        manager: &User,
        hotel_id: HotelId,
        start: Option<NaiveDate>,
        end: Option<NaiveDate>,
    ) -> Result<HotelReport>;
    /// See [`CatalogService::stay`].
    fn stay(&self, check_in: NaiveDate, check_out: NaiveDate) -> Result<StayDates>;
    /// See [`CatalogService::quote`].
    async fn quote(&self, req: StayRequest) -> Result<crate::plan::StayQuote>;
    /// See [`CatalogService::calendar`].
    async fn calendar(
        &self,
        hotel_id: HotelId,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        rooms_count: i32,
    ) -> Result<(Hotel, NaiveDate, NaiveDate, Vec<RoomCalendar>)>;
    /// See [`CatalogService::revenue_report`].
    async fn revenue_report(
        &self,
        manager: &User,
        hotel_id: HotelId,
        start: Option<NaiveDate>,
        end: Option<NaiveDate>,
    ) -> Result<(Hotel, RevenueReport)>;
}

#[async_trait]
impl CatalogUseCases for CatalogService {
    async fn owned_hotel(&self, manager: &User, id: HotelId) -> Result<Hotel> {
        CatalogService::owned_hotel(self, manager, id).await
    }
    async fn create_hotel(&self, manager: &User, hotel: NewHotel) -> Result<Hotel> {
        CatalogService::create_hotel(self, manager, hotel).await
    }
    async fn my_hotels(&self, manager: &User, page: Page) -> Result<Paged<Hotel>> {
        CatalogService::my_hotels(self, manager, page).await
    }
    async fn update_hotel(&self, manager: &User, id: HotelId, patch: HotelPatch) -> Result<Hotel> {
        CatalogService::update_hotel(self, manager, id, patch).await
    }
    async fn set_active(&self, manager: &User, id: HotelId, active: bool) -> Result<Hotel> {
        CatalogService::set_active(self, manager, id, active).await
    }
    async fn delete_hotel(&self, manager: &User, id: HotelId) -> Result<()> {
        CatalogService::delete_hotel(self, manager, id).await
    }
    async fn owned_room(&self, manager: &User, hotel_id: HotelId, room_id: RoomId) -> Result<Room> {
        CatalogService::owned_room(self, manager, hotel_id, room_id).await
    }
    async fn create_room(&self, manager: &User, hotel_id: HotelId, room: NewRoom) -> Result<Room> {
        CatalogService::create_room(self, manager, hotel_id, room).await
    }
    async fn rooms(&self, manager: &User, hotel_id: HotelId, page: Page) -> Result<Paged<Room>> {
        CatalogService::rooms(self, manager, hotel_id, page).await
    }
    async fn update_room(&self, manager: &User, hotel_id: HotelId, room_id: RoomId, patch: RoomPatch) -> Result<Room> {
        CatalogService::update_room(self, manager, hotel_id, room_id, patch).await
    }
    async fn delete_room(&self, manager: &User, hotel_id: HotelId, room_id: RoomId) -> Result<()> {
        CatalogService::delete_room(self, manager, hotel_id, room_id).await
    }
    async fn rate_plans(&self, manager: &User, hotel_id: HotelId, room_id: RoomId) -> Result<Vec<RatePlan>> {
        CatalogService::rate_plans(self, manager, hotel_id, room_id).await
    }
    async fn rate_plan(
        &self,
        manager: &User,
        hotel_id: HotelId,
        room_id: RoomId,
        plan_id: RatePlanId,
    ) -> Result<RatePlan> {
        CatalogService::rate_plan(self, manager, hotel_id, room_id, plan_id).await
    }
    async fn create_rate_plan(
        &self,
        manager: &User,
        hotel_id: HotelId,
        room_id: RoomId,
        plan: NewRatePlan,
    ) -> Result<RatePlan> {
        CatalogService::create_rate_plan(self, manager, hotel_id, room_id, plan).await
    }
    async fn update_rate_plan(
        &self,
        manager: &User,
        hotel_id: HotelId,
        room_id: RoomId,
        plan_id: RatePlanId,
        patch: RatePlanPatch,
    ) -> Result<RatePlan> {
        CatalogService::update_rate_plan(self, manager, hotel_id, room_id, plan_id, patch).await
    }
    async fn delete_rate_plan(
        &self,
        manager: &User,
        hotel_id: HotelId,
        room_id: RoomId,
        plan_id: RatePlanId,
    ) -> Result<()> {
        CatalogService::delete_rate_plan(self, manager, hotel_id, room_id, plan_id).await
    }
    async fn inventory(
        &self,
        manager: &User,
        room_id: RoomId,
        start: Option<NaiveDate>,
        end: Option<NaiveDate>,
        page: Page,
    ) -> Result<Paged<InventoryView>> {
        CatalogService::inventory(self, manager, room_id, start, end, page).await
    }
    async fn patch_inventory(
        &self,
        manager: &User,
        room_id: RoomId,
        start: Option<NaiveDate>,
        end: Option<NaiveDate>,
        patch: InventoryPatch,
    ) -> Result<Vec<InventoryView>> {
        CatalogService::patch_inventory(self, manager, room_id, start, end, patch).await
    }
    async fn search(&self, query: SearchQuery) -> Result<Paged<SearchHit>> {
        CatalogService::search(self, query).await
    }
    async fn hotel_info(
        &self,
        id: HotelId,
        dates: Option<(NaiveDate, NaiveDate)>,
        rooms_count: i32,
    ) -> Result<(Hotel, Vec<RoomSummary>)> {
        CatalogService::hotel_info(self, id, dates, rooms_count).await
    }
    async fn report(
        &self,
        manager: &User,
        hotel_id: HotelId,
        start: Option<NaiveDate>,
        end: Option<NaiveDate>,
    ) -> Result<HotelReport> {
        CatalogService::report(self, manager, hotel_id, start, end).await
    }
    fn stay(&self, check_in: NaiveDate, check_out: NaiveDate) -> Result<StayDates> {
        CatalogService::stay(self, check_in, check_out)
    }
    async fn quote(&self, req: StayRequest) -> Result<crate::plan::StayQuote> {
        CatalogService::quote(self, req).await
    }
    async fn calendar(
        &self,
        hotel_id: HotelId,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        rooms_count: i32,
    ) -> Result<(Hotel, NaiveDate, NaiveDate, Vec<RoomCalendar>)> {
        CatalogService::calendar(self, hotel_id, from, to, rooms_count).await
    }
    async fn revenue_report(
        &self,
        manager: &User,
        hotel_id: HotelId,
        start: Option<NaiveDate>,
        end: Option<NaiveDate>,
    ) -> Result<(Hotel, RevenueReport)> {
        CatalogService::revenue_report(self, manager, hotel_id, start, end).await
    }
}

/// The booking lifecycle: holds, guests, checkout, cancellation, provider events.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait BookingUseCases: Send + Sync {
    /// See [`BookingService::init`].
    async fn init(&self, user: &User, req: StayRequest) -> Result<Booking>;
    /// See [`BookingService::get`].
    async fn get(&self, user: &User, id: BookingId) -> Result<Booking>;
    /// See [`BookingService::my_bookings`].
    async fn my_bookings(&self, user: &User, status: Option<BookingStatus>, page: Page) -> Result<Paged<Booking>>;
    /// See [`BookingService::hotel_bookings`].
    async fn hotel_bookings(
        &self,
        manager: &User,
        hotel_id: HotelId,
        status: Option<BookingStatus>,
        page: Page,
    ) -> Result<Paged<Booking>>;
    /// See [`BookingService::add_guests`].
    async fn add_guests(&self, user: &User, id: BookingId, guest_ids: Vec<GuestId>) -> Result<Booking>;
    /// See [`BookingService::start_payment`].
    async fn start_payment(&self, user: &User, id: BookingId) -> Result<PaymentStart>;
    /// See [`BookingService::cancel`].
    async fn cancel(&self, user: &User, id: BookingId) -> Result<()>;
    /// See [`BookingService::status`].
    async fn status(&self, user: &User, id: BookingId) -> Result<BookingStatus>;
    /// See [`BookingService::handle_payment_event`].
    async fn handle_payment_event(&self, event: PaymentEvent) -> Result<EventOutcome>;
}

#[async_trait]
impl BookingUseCases for BookingService {
    async fn init(&self, user: &User, req: StayRequest) -> Result<Booking> {
        BookingService::init(self, user, req).await
    }
    async fn get(&self, user: &User, id: BookingId) -> Result<Booking> {
        BookingService::get(self, user, id).await
    }
    async fn my_bookings(&self, user: &User, status: Option<BookingStatus>, page: Page) -> Result<Paged<Booking>> {
        BookingService::my_bookings(self, user, status, page).await
    }
    async fn hotel_bookings(
        &self,
        manager: &User,
        hotel_id: HotelId,
        status: Option<BookingStatus>,
        page: Page,
    ) -> Result<Paged<Booking>> {
        BookingService::hotel_bookings(self, manager, hotel_id, status, page).await
    }
    async fn add_guests(&self, user: &User, id: BookingId, guest_ids: Vec<GuestId>) -> Result<Booking> {
        BookingService::add_guests(self, user, id, guest_ids).await
    }
    async fn start_payment(&self, user: &User, id: BookingId) -> Result<PaymentStart> {
        BookingService::start_payment(self, user, id).await
    }
    async fn cancel(&self, user: &User, id: BookingId) -> Result<()> {
        BookingService::cancel(self, user, id).await
    }
    async fn status(&self, user: &User, id: BookingId) -> Result<BookingStatus> {
        BookingService::status(self, user, id).await
    }
    async fn handle_payment_event(&self, event: PaymentEvent) -> Result<EventOutcome> {
        BookingService::handle_payment_event(self, event).await
    }
}

/// The simulated gateway's hosted checkout page and its Pay / Cancel buttons.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait CheckoutUseCases: Send + Sync {
    /// See [`SimulatedCheckout::page`].
    async fn page(&self, id: &str) -> Result<(SimulatedSession, Booking)>;
    /// See [`SimulatedCheckout::complete`].
    async fn complete(&self, id: &str) -> Result<SimulatedOutcome>;
    /// See [`SimulatedCheckout::cancel`].
    async fn cancel(&self, id: &str) -> Result<SimulatedOutcome>;
}

#[async_trait]
impl CheckoutUseCases for SimulatedCheckout {
    async fn page(&self, id: &str) -> Result<(SimulatedSession, Booking)> {
        SimulatedCheckout::page(self, id).await
    }
    async fn complete(&self, id: &str) -> Result<SimulatedOutcome> {
        SimulatedCheckout::complete(self, id).await
    }
    async fn cancel(&self, id: &str) -> Result<SimulatedOutcome> {
        SimulatedCheckout::cancel(self, id).await
    }
}
