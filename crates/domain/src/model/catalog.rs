//! Hotels, room types and nightly inventory.

use super::{CancellationPolicy, Currency, HotelId, Money, Patch, RoomId, TaxRule, TimeZone, UserId};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use rust_decimal::Decimal;

/// A hotel as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Hotel {
    /// Database id (identity, ≥ 1).
    pub id: HotelId,
    /// Display name (1..=255 characters).
    pub name: String,
    /// The city search matches (case-insensitive equality); a hotel without one never appears in search.
    pub city: Option<String>,
    /// Photo URLs: at most 20, each an absolute http(s) URL of ≤ 2048 characters.
    pub photos: Option<Vec<String>>,
    /// Amenity labels: at most 50, each 1..=64 characters.
    pub amenities: Option<Vec<String>>,
    /// Contact phone (1..=50 characters).
    pub contact_phone: Option<String>,
    /// Contact e-mail (address syntax, ≤ 254 characters).
    pub contact_email: Option<String>,
    /// Postal address (1..=500 characters).
    pub contact_address: Option<String>,
    /// Whether the hotel takes new bookings and shows in search and `/info`; new hotels start inactive.
    pub active: bool,
    /// The manager who created it, the only one who may manage it.
    pub owner_id: UserId,
    /// Its IANA time zone: every date rule of the hotel uses its local date.
    pub time_zone: TimeZone,
    /// What it charges in (upper-case ISO 4217); bookings freeze it.
    pub currency: Currency,
    /// Local check-in time (the free-cancellation deadline counts back from it).
    pub check_in_time: NaiveTime,
    /// Local check-out time.
    pub check_out_time: NaiveTime,
    /// The cancellation policy new bookings freeze.
    pub cancellation_policy: CancellationPolicy,
    /// Taxes and fees new bookings are priced with (at most 20, in this order).
    pub taxes: Vec<TaxRule>,
    /// When the hotel was created.
    pub created_at: DateTime<Utc>,
    /// When the hotel last changed.
    pub updated_at: DateTime<Utc>,
}

/// Validated fields of a new hotel.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NewHotel {
    /// Display name (1..=255 characters).
    pub name: String,
    /// The city search matches (1..=255 characters).
    pub city: Option<String>,
    /// At most 20 absolute http(s) URLs, each ≤ 2048 characters.
    pub photos: Option<Vec<String>>,
    /// At most 50 labels, each 1..=64 characters.
    pub amenities: Option<Vec<String>>,
    /// `contact_info.phone` (1..=50 characters).
    pub contact_phone: Option<String>,
    /// `contact_info.email` (address syntax, ≤ 254 characters).
    pub contact_email: Option<String>,
    /// `contact_info.address` (1..=500 characters).
    pub contact_address: Option<String>,
    /// The hotel's zone (default `UTC`).
    pub time_zone: Option<TimeZone>,
    /// The hotel's currency (default: the deployment's `CURRENCY`).
    pub currency: Option<Currency>,
    /// Local check-in time (default 15:00).
    pub check_in_time: Option<NaiveTime>,
    /// Local check-out time (default 11:00).
    pub check_out_time: Option<NaiveTime>,
    /// The cancellation policy (default: free until the check-in time, as API.md).
    pub cancellation_policy: Option<CancellationPolicy>,
    /// Taxes and fees (default none).
    pub taxes: Option<Vec<TaxRule>>,
}

/// Partial update of a hotel.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HotelPatch {
    /// A new name; `None` (absent or `null`) keeps it, as the name is required.
    pub name: Option<String>,
    /// A new city, or `Set(None)` to clear it (the hotel then leaves search).
    pub city: Patch<Option<String>>,
    /// New photo URLs, or `Set(None)` to clear them.
    pub photos: Patch<Option<Vec<String>>>,
    /// New amenities, or `Set(None)` to clear them.
    pub amenities: Patch<Option<Vec<String>>>,
    /// A new `contact_info.phone`; `contact_info: null` clears all three contact fields.
    pub contact_phone: Patch<Option<String>>,
    /// A new `contact_info.email`; `contact_info: null` clears all three contact fields.
    pub contact_email: Patch<Option<String>>,
    /// A new `contact_info.address`; `contact_info: null` clears all three contact fields.
    pub contact_address: Patch<Option<String>>,
    /// A new time zone (existing bookings keep the zone they froze).
    pub time_zone: Option<TimeZone>,
    /// A new currency (existing bookings keep theirs).
    pub currency: Option<Currency>,
    /// A new check-in time.
    pub check_in_time: Option<NaiveTime>,
    /// A new check-out time.
    pub check_out_time: Option<NaiveTime>,
    /// A new cancellation policy (existing bookings keep the one they froze).
    pub cancellation_policy: Option<CancellationPolicy>,
    /// New taxes and fees, replacing the list (existing bookings keep their breakdown).
    pub taxes: Option<Vec<TaxRule>>,
}

/// A room type of a hotel.
#[derive(Debug, Clone, PartialEq)]
pub struct Room {
    /// Database id (identity, ≥ 1).
    pub id: RoomId,
    /// The hotel it belongs to (deleted with it).
    pub hotel_id: HotelId,
    /// The room type's name, `type` on the wire (1..=255 characters).
    pub kind: String,
    /// Nightly price of new inventory rows (> 0, ≤ 1000000.00).
    pub base_price: Money,
    /// Photo URLs, as for hotels.
    pub photos: Option<Vec<String>>,
    /// Amenity labels, as for hotels.
    pub amenities: Option<Vec<String>>,
    /// Rooms of this type (0..=10000): the `total_count` of new inventory rows.
    pub total_count: i32,
    /// Guests per room (1..=20); a booking takes at most `capacity × rooms_count` guests.
    pub capacity: i32,
    /// When the room type was created.
    pub created_at: DateTime<Utc>,
    /// When the room type last changed.
    pub updated_at: DateTime<Utc>,
}

/// Validated fields of a new room type.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRoom {
    /// The room type's name, `type` on the wire (1..=255 characters).
    pub kind: String,
    /// Nightly price of its inventory rows (> 0, ≤ 1000000.00).
    pub base_price: Money,
    /// Photo URLs, as for hotels.
    pub photos: Option<Vec<String>>,
    /// Amenity labels, as for hotels.
    pub amenities: Option<Vec<String>>,
    /// Rooms of this type (0..=10000).
    pub total_count: i32,
    /// Guests per room (1..=20).
    pub capacity: i32,
}

/// Partial update of a room type.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RoomPatch {
    /// A new name; `None` (absent or `null`) keeps it.
    pub kind: Option<String>,
    /// A new base price; replaces `price` on rows dated ≥ today that still hold the old base price.
    pub base_price: Option<Money>,
    /// New photo URLs, or `Set(None)` to clear them.
    pub photos: Patch<Option<Vec<String>>>,
    /// New amenities, or `Set(None)` to clear them.
    pub amenities: Patch<Option<Vec<String>>>,
    /// A new room count; replaces `total_count` on rows dated ≥ today that still hold the old total, and
    /// must stay ≥ booked + reserved there (else `inventory_conflict`).
    pub total_count: Option<i32>,
    /// A new capacity; applies to later addGuests checks.
    pub capacity: Option<i32>,
}

/// Most room types per hotel.
pub const MAX_ROOMS_PER_HOTEL: i64 = 100;
/// 409 detail of a hotel delete refused while one of its ended bookings still owes a refund.
pub const HOTEL_REFUNDS_OWED: &str = "Hotel has bookings with refunds still owed; deactivate it instead";
/// 409 detail of a room delete refused while one of its ended bookings still owes a refund.
pub const ROOM_REFUNDS_OWED: &str = "Room has bookings with refunds still owed";
/// Inventory rows kept ahead: today … today+364.
pub const INVENTORY_WINDOW_DAYS: i64 = 365;

/// One night of one room type.
#[derive(Debug, Clone, PartialEq)]
pub struct InventoryNight {
    /// Database id (identity, ≥ 1).
    pub id: i64,
    /// The room type's hotel (kept on the row for search).
    pub hotel_id: HotelId,
    /// The room type; one row per room type and date.
    pub room_id: RoomId,
    /// The night.
    pub date: NaiveDate,
    /// Rooms booked by CONFIRMED bookings (≥ 0).
    pub book_count: i32,
    /// Rooms held by RESERVED, GUESTS_ADDED and PAYMENTS_PENDING bookings (≥ 0).
    pub reserved_count: i32,
    /// Rooms of this type that night (0..=10000, ≥ `book_count + reserved_count`).
    pub total_count: i32,
    /// Multiplier of `price` (0.10..=10.00, default 1.00).
    pub surge_factor: Decimal,
    /// Nightly price before surge and strategies (> 0, ≤ 1000000.00); starts at the room's base price.
    pub price: Money,
    /// A closed night takes no new holds; existing bookings keep it.
    pub closed: bool,
    /// Minimum/maximum stay, closed to arrival/departure.
    pub restrictions: super::Restrictions,
}

impl InventoryNight {
    /// Rooms still free that night (never negative).
    pub fn available(&self) -> i32 {
        (self.total_count - self.book_count - self.reserved_count).max(0)
    }
    /// Whether `rooms` more can be held that night.
    pub fn can_hold(&self, rooms: i32) -> bool {
        !self.closed && self.available() >= rooms
    }
}

/// An inventory row together with the hotel's current city (for the inventory listing).
#[derive(Debug, Clone, PartialEq)]
pub struct InventoryView {
    /// The inventory row.
    pub night: InventoryNight,
    /// The hotel's current city, `""` when it has none.
    pub city: String,
    /// What one room of this night costs now, at the hotel's local date (set by the service; stores leave
    /// it zero).
    pub effective_price: Money,
}

/// Changes applied to every row of an inclusive date range.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct InventoryPatch {
    /// A new surge factor (0.10..=10.00); `None` keeps each row's.
    pub surge_factor: Option<Decimal>,
    /// A new nightly price (> 0, ≤ 1000000.00); `None` keeps each row's.
    pub price: Option<Money>,
    /// Close or reopen the nights; closing blocks new holds only.
    pub closed: Option<bool>,
    /// A new room count (0..=10000); must stay ≥ booked + reserved on every row, else `inventory_conflict`.
    pub total_count: Option<i32>,
    /// A new minimum stay (1..=365), or `Set(None)` to clear it.
    pub min_stay: Patch<Option<i32>>,
    /// A new maximum stay (1..=365), or `Set(None)` to clear it.
    pub max_stay: Patch<Option<i32>>,
    /// Close or reopen the nights to arrival.
    pub closed_to_arrival: Option<bool>,
    /// Close or reopen the dates to departure.
    pub closed_to_departure: Option<bool>,
}

/// Search sort order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SearchSort {
    /// `price_asc` (the default): by `min_price` ascending, ties on id.
    #[default]
    PriceAsc,
    /// `price_desc`: by `min_price` descending, ties on id.
    PriceDesc,
    /// `name`: by `lower(name)`, ties on id.
    Name,
}

/// A validated search.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchQuery {
    /// The city, trimmed (1..=255 characters), compared case-insensitively with the hotel's current city.
    pub city: String,
    /// The validated nights every qualifying room type must have free.
    pub stay: super::StayDates,
    /// Rooms needed on every night (1..=10, default 1).
    pub rooms_count: i32,
    /// Guests to fit (1..=200): a room type qualifies when `capacity × rooms_count ≥ guests`.
    pub guests: Option<i32>,
    /// Lowest average nightly price a room type may have (> 0, ≤ 1000000.00).
    pub min_price: Option<Money>,
    /// Highest average nightly price a room type may have (> 0, ≤ 1000000.00, ≥ `min_price`).
    pub max_price: Option<Money>,
    /// Result order.
    pub sort: SearchSort,
    /// The page of results to return.
    pub page: super::Page,
}

/// One search hit.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchHit {
    /// The hotel's id.
    pub id: HotelId,
    /// The hotel's name.
    pub name: String,
    /// The hotel's current city.
    pub city: Option<String>,
    /// The hotel's photo URLs.
    pub photos: Option<Vec<String>>,
    /// The hotel's amenities.
    pub amenities: Option<Vec<String>>,
    /// The lowest average one-room nightly price (half-even to cents) among its qualifying room types.
    pub min_price: Money,
    /// The hotel's currency, that of `min_price`.
    pub currency: Currency,
}

/// A room type with its availability and quote for an optional stay.
#[derive(Debug, Clone, PartialEq)]
pub struct RoomSummary {
    /// The room type.
    pub room: Room,
    /// `None` without dates; else whether every night is open with `available ≥ rooms_count` and the stay
    /// breaks no restriction of its arrival or departure night.
    pub available: Option<bool>,
    /// The amount init would quote now; `None` without dates or when the room is unavailable.
    pub total_price: Option<Money>,
    /// The room type's active rate plans (its default plan first), each with its price for the stay.
    pub rate_plans: Vec<RatePlanQuote>,
    /// Why the stay cannot be booked on the default plan (`None` without dates or when it can).
    pub unavailable: Option<crate::plan::Unbookable>,
}

/// A rate plan with what init would charge on it for the asked stay.
#[derive(Debug, Clone, PartialEq)]
pub struct RatePlanQuote {
    /// The plan.
    pub plan: super::RatePlan,
    /// The amount for the stay; `None` without dates, when the room is unavailable or when the stay breaks the
    /// plan's length-of-stay limits.
    pub total_price: Option<Money>,
}

/// A hotel with its room types and, for a stay, each room's nights.
#[derive(Debug, Clone, PartialEq)]
pub struct HotelListing {
    /// The hotel, active or not (the service answers 404 for an inactive one).
    pub hotel: Hotel,
    /// Every room type by id, each with its nights of the stay by date (empty without a stay).
    pub rooms: Vec<(Room, Vec<InventoryNight>)>,
    /// The hotel's rate plans, every status, in `rate_plans_of_hotel`'s order (by room, the default first, then id).
    pub plans: Vec<super::RatePlan>,
}

/// What a store sums for a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReportTotals {
    /// CONFIRMED bookings.
    pub bookings: i64,
    /// Σ `amount` of those bookings.
    pub revenue: Money,
    /// Σ `penalty_amount` of cancelled bookings (kept, so revenue too).
    pub penalties: Money,
}

/// Revenue report over check-in dates.
#[derive(Debug, Clone, PartialEq)]
pub struct HotelReport {
    /// The reported hotel.
    pub hotel_id: HotelId,
    /// CONFIRMED bookings with `start_date ≤ check_in_date ≤ end_date`.
    pub total_bookings: i64,
    /// Σ `amount` of those bookings (zero when there are none).
    pub total_revenue: Money,
    /// First check-in date counted (default: the first day of the current month).
    pub start_date: NaiveDate,
    /// Last check-in date counted (default: today).
    pub end_date: NaiveDate,
    /// `total_revenue / total_bookings`, rounded half-even to cents (zero when there are none).
    pub avg_revenue: Money,
    /// Revenue after refunds: `total_revenue` plus the penalties kept on cancelled bookings of the range.
    pub net_revenue: Money,
}
