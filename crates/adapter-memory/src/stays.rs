//! The stay queries (a quote's room offer, the calendar, the revenue report's facts) over the state.

use crate::state::State;
use chrono::NaiveDate;
use domain::model::{
    BookingStatus, CalendarRoom, HotelCalendar, HotelId, Money, PriceRule, RevenueBooking, RevenueFacts, RoomId,
    RoomOffer, StayDates,
};
use std::collections::BTreeMap;

impl State {
    /// The hotel, the room if it is the hotel's, its plans and its rows of the stay up to the check-out date.
    pub(crate) fn room_offer(&self, hotel_id: HotelId, room_id: RoomId, stay: Option<StayDates>) -> Option<RoomOffer> {
        let hotel = self.hotels.get(&hotel_id).cloned()?;
        let room = self.rooms.get(&room_id).filter(|r| r.hotel_id == hotel_id).cloned();
        let (plans, nights) = match &room {
            Some(r) => (
                self.rate_plans.values().filter(|p| p.room_id == r.id).cloned().collect(),
                stay.map(|s| self.stay_rows(r.id, &s)).unwrap_or_default(),
            ),
            None => (Vec::new(), Vec::new()),
        };
        Some(RoomOffer { hotel, room, plans, nights })
    }

    /// Every room type of the hotel by id with its default plan and its rows of `from..=to`.
    pub(crate) fn calendar(&self, hotel_id: HotelId, from: NaiveDate, to: NaiveDate) -> Option<HotelCalendar> {
        let hotel = self.hotels.get(&hotel_id).cloned()?;
        let rooms = self
            .rooms
            .values()
            .filter(|r| r.hotel_id == hotel_id)
            .map(|r| {
                let plan = self.rate_plans.values().find(|p| p.room_id == r.id && p.is_default);
                CalendarRoom {
                    room: r.clone(),
                    rate_plan_id: plan.map(|p| p.id),
                    price_rule: plan.map_or(PriceRule::BASE, |p| p.price_rule),
                    nights: self.inventory.range((r.id, from)..=(r.id, to)).map(|(_, n)| n.clone()).collect(),
                }
            })
            .collect();
        Some(HotelCalendar { hotel, rooms })
    }

    /// Rooms per night, and the bookings with a night in the range that count in a revenue report.
    pub(crate) fn revenue(&self, hotel_id: HotelId, start: NaiveDate, end: NaiveDate) -> RevenueFacts {
        let mut per_night = BTreeMap::<NaiveDate, i64>::new();
        for n in self.inventory.values().filter(|n| n.hotel_id == hotel_id && (start..=end).contains(&n.date)) {
            *per_night.entry(n.date).or_default() += i64::from(n.total_count);
        }
        let kept = |m: Option<Money>| m.is_some_and(|m| m > Money::ZERO);
        let bookings = self
            .bookings
            .values()
            .map(|row| &row.booking)
            .filter(|b| b.hotel_id == hotel_id && b.check_in_date <= end && b.check_out_date > start)
            .filter(|b| {
                b.status == BookingStatus::Confirmed
                    || (b.status == BookingStatus::Cancelled && (kept(b.penalty_amount) || kept(b.refund_amount)))
            })
            .map(|b| RevenueBooking {
                status: b.status,
                check_in: b.check_in_date,
                check_out: b.check_out_date,
                rooms_count: b.rooms_count,
                price: b.price(),
                penalty: b.penalty_amount,
                refund: b.refund_amount,
            })
            .collect();
        RevenueFacts { rooms_per_night: per_night.into_iter().collect(), bookings }
    }
}
