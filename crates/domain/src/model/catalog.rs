//! Hotels, room types and nightly inventory.

use super::{Money, Patch};
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;

/// A hotel as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Hotel {
    pub id: i64,
    pub name: String,
    pub city: Option<String>,
    pub photos: Option<Vec<String>>,
    pub amenities: Option<Vec<String>>,
    pub contact_phone: Option<String>,
    pub contact_email: Option<String>,
    pub contact_address: Option<String>,
    pub active: bool,
    pub owner_id: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Validated fields of a new hotel.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NewHotel {
    pub name: String,
    pub city: Option<String>,
    pub photos: Option<Vec<String>>,
    pub amenities: Option<Vec<String>>,
    pub contact_phone: Option<String>,
    pub contact_email: Option<String>,
    pub contact_address: Option<String>,
}

/// Partial update of a hotel.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HotelPatch {
    pub name: Option<String>,
    pub city: Patch<Option<String>>,
    pub photos: Patch<Option<Vec<String>>>,
    pub amenities: Patch<Option<Vec<String>>>,
    pub contact_phone: Patch<Option<String>>,
    pub contact_email: Patch<Option<String>>,
    pub contact_address: Patch<Option<String>>,
}

/// A room type of a hotel.
#[derive(Debug, Clone, PartialEq)]
pub struct Room {
    pub id: i64,
    pub hotel_id: i64,
    pub kind: String,
    pub base_price: Money,
    pub photos: Option<Vec<String>>,
    pub amenities: Option<Vec<String>>,
    pub total_count: i32,
    pub capacity: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Validated fields of a new room type.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRoom {
    pub kind: String,
    pub base_price: Money,
    pub photos: Option<Vec<String>>,
    pub amenities: Option<Vec<String>>,
    pub total_count: i32,
    pub capacity: i32,
}

/// Partial update of a room type.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RoomPatch {
    pub kind: Option<String>,
    pub base_price: Option<Money>,
    pub photos: Patch<Option<Vec<String>>>,
    pub amenities: Patch<Option<Vec<String>>>,
    pub total_count: Option<i32>,
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
    pub id: i64,
    pub hotel_id: i64,
    pub room_id: i64,
    pub date: NaiveDate,
    pub book_count: i32,
    pub reserved_count: i32,
    pub total_count: i32,
    pub surge_factor: Decimal,
    pub price: Money,
    pub closed: bool,
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
    pub night: InventoryNight,
    pub city: String,
}

/// Changes applied to every row of an inclusive date range.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct InventoryPatch {
    pub surge_factor: Option<Decimal>,
    pub price: Option<Money>,
    pub closed: Option<bool>,
    pub total_count: Option<i32>,
}

/// Search sort order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SearchSort {
    #[default]
    PriceAsc,
    PriceDesc,
    Name,
}

/// A validated search.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchQuery {
    pub city: String,
    pub stay: super::StayDates,
    pub rooms_count: i32,
    pub guests: Option<i32>,
    pub min_price: Option<Money>,
    pub max_price: Option<Money>,
    pub sort: SearchSort,
    pub page: super::Page,
}

/// One search hit.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchHit {
    pub id: i64,
    pub name: String,
    pub city: Option<String>,
    pub photos: Option<Vec<String>>,
    pub amenities: Option<Vec<String>>,
    pub min_price: Money,
}

/// A room type with its availability and quote for an optional stay.
#[derive(Debug, Clone, PartialEq)]
pub struct RoomSummary {
    pub room: Room,
    pub available: Option<bool>,
    pub total_price: Option<Money>,
}

/// A hotel with its room types and, for a stay, each room's nights.
#[derive(Debug, Clone, PartialEq)]
pub struct HotelListing {
    pub hotel: Hotel,
    pub rooms: Vec<(Room, Vec<InventoryNight>)>,
}

/// Revenue report over check-in dates.
#[derive(Debug, Clone, PartialEq)]
pub struct HotelReport {
    pub hotel_id: i64,
    pub total_bookings: i64,
    pub total_revenue: Money,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub avg_revenue: Money,
}
