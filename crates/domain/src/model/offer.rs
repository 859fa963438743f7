//! What the public stay queries read: a room's offer for a quote, and a hotel's availability calendar.

use super::{Hotel, InventoryNight, Money, PriceRule, RatePlan, RatePlanId, Restrictions, Room};
use chrono::NaiveDate;

/// A hotel, one of its room types with that room's rate plans, and the room's rows for a stay (its nights and
/// the row dated the check-out date): everything a quote reads.
#[derive(Debug, Clone, PartialEq)]
pub struct RoomOffer {
    /// The hotel, active or not.
    pub hotel: Hotel,
    /// The room type; `None` when it does not exist or belongs to another hotel.
    pub room: Option<Room>,
    /// The room's rate plans by id.
    pub plans: Vec<RatePlan>,
    /// The room's rows dated `check_in..=check_out`, by date (empty without a stay).
    pub nights: Vec<InventoryNight>,
}

/// A room type in a calendar, with its default rate plan and its rows of the range.
#[derive(Debug, Clone, PartialEq)]
pub struct CalendarRoom {
    /// The room type.
    pub room: Room,
    /// Its default rate plan, whose prices the calendar shows (`None` only for a room without plans).
    pub rate_plan_id: Option<RatePlanId>,
    /// That plan's price rule ([`PriceRule::BASE`] without a plan).
    pub price_rule: PriceRule,
    /// Its rows of the range, by date (missing nights absent).
    pub nights: Vec<InventoryNight>,
}

/// A hotel with every room type's rows of a date range.
#[derive(Debug, Clone, PartialEq)]
pub struct HotelCalendar {
    /// The hotel, active or not.
    pub hotel: Hotel,
    /// Its room types by id.
    pub rooms: Vec<CalendarRoom>,
}

/// Longest calendar range, in nights.
pub const MAX_CALENDAR_NIGHTS: i64 = 366;

/// One night of one room type in the calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarNight {
    /// The night.
    pub date: NaiveDate,
    /// Rooms free that night (`total − booked − reserved`, never negative).
    pub available: i32,
    /// One room's price that night on the default plan, as a quote would price it now.
    pub price: Money,
    /// Closed (stop-sell).
    pub closed: bool,
    /// The night's restrictions.
    pub restrictions: Restrictions,
    /// The night can be part of a stay of `rooms_count` rooms now: not in the hotel's past, open, and
    /// `available ≥ rooms_count` (arrival and departure restrictions are shown, not applied).
    pub bookable: bool,
}

/// One room type's calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomCalendar {
    /// The room type's id.
    pub room_id: super::RoomId,
    /// Its `type`.
    pub kind: String,
    /// Guests per room.
    pub capacity: i32,
    /// The plan the prices are of.
    pub rate_plan_id: Option<RatePlanId>,
    /// Its nights of the range that exist, by date.
    pub nights: Vec<CalendarNight>,
}
