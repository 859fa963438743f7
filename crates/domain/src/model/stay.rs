//! Stays: the nights `[check_in, check_out)`, validated in the order of the contract.

use crate::Error;
use chrono::{Duration, NaiveDate};

/// How far ahead a stay may end, in days from today.
pub const BOOKING_HORIZON_DAYS: i64 = 365;

/// A validated stay. Exists only if check-out is after check-in, check-in is not in the past, the stay
/// is at most `max_nights` long and ends within the booking horizon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StayDates {
    check_in: NaiveDate,
    check_out: NaiveDate,
}

impl StayDates {
    /// Validates a stay against `today` (UTC) and the configured maximum length.
    pub fn new(check_in: NaiveDate, check_out: NaiveDate, today: NaiveDate, max_nights: u32) -> Result<Self, Error> {
        if check_out <= check_in {
            return Err(Error::InvalidDateRange("Check-out date must be after check-in date"));
        }
        if check_in < today {
            return Err(Error::DateInPast);
        }
        if (check_out - check_in).num_days() > i64::from(max_nights) {
            return Err(Error::StayTooLong(max_nights));
        }
        if check_out > today + Duration::days(BOOKING_HORIZON_DAYS) {
            return Err(Error::InvalidDateRange("Dates are beyond the booking horizon"));
        }
        Ok(StayDates { check_in, check_out })
    }
    /// Rebuilds a stay already validated (e.g. read back from storage).
    pub fn from_stored(check_in: NaiveDate, check_out: NaiveDate) -> Self {
        StayDates { check_in, check_out }
    }
    /// First night.
    pub fn check_in(&self) -> NaiveDate {
        self.check_in
    }
    /// Departure day (not a night of the stay).
    pub fn check_out(&self) -> NaiveDate {
        self.check_out
    }
    /// Number of nights.
    pub fn nights(&self) -> i64 {
        (self.check_out - self.check_in).num_days()
    }
    /// Every night of the stay, in order.
    pub fn each_night(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.check_in.iter_days().take_while(move |d| *d < self.check_out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn rules_in_order() {
        let today = d("2026-06-01");
        assert_eq!(
            StayDates::new(d("2026-05-01"), d("2026-05-01"), today, 30),
            Err(Error::InvalidDateRange("Check-out date must be after check-in date"))
        );
        assert_eq!(StayDates::new(d("2026-05-01"), d("2026-05-03"), today, 30), Err(Error::DateInPast));
        assert_eq!(StayDates::new(d("2026-06-01"), d("2026-07-02"), today, 30), Err(Error::StayTooLong(30)));
        assert_eq!(
            StayDates::new(d("2027-05-30"), d("2027-06-02"), today, 30),
            Err(Error::InvalidDateRange("Dates are beyond the booking horizon"))
        );
        let s = StayDates::new(d("2026-06-01"), d("2026-06-04"), today, 30).unwrap();
        assert_eq!(s.nights(), 3);
        assert_eq!(s.each_night().count(), 3);
        assert!(StayDates::new(d("2027-05-29"), d("2027-06-01"), today, 30).is_ok());
    }
}

/// What a guest asks to book or quote: a room type of a hotel for a stay, on a rate plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StayRequest {
    /// The hotel.
    pub hotel_id: super::HotelId,
    /// One of its room types.
    pub room_id: super::RoomId,
    /// The first night.
    pub check_in: NaiveDate,
    /// The departure day.
    pub check_out: NaiveDate,
    /// Rooms on every night (1..=10).
    pub rooms_count: i32,
    /// The rate plan (default: the room's default plan).
    pub rate_plan_id: Option<super::RatePlanId>,
    /// Adults staying, for person-based taxes (default: one per room; at most capacity × rooms).
    pub adults: Option<i32>,
}

impl StayRequest {
    /// A request on the default plan with one adult per room.
    pub fn new(
        hotel_id: super::HotelId,
        room_id: super::RoomId,
        check_in: NaiveDate,
        check_out: NaiveDate,
        rooms_count: i32,
    ) -> Self {
        StayRequest { hotel_id, room_id, check_in, check_out, rooms_count, rate_plan_id: None, adults: None }
    }
}
