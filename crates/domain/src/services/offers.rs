//! The stay queries of [`CatalogService`]: hotel info with its per-room quotes, quotes, the availability calendar and
//! revenue reports (every one prices a stay through `price_stay`).

use super::CatalogService;
use crate::model::*;
use crate::plan::{StayInput, StayQuote, Unbookable, price_stay};
use crate::{Error, Result};
use chrono::{Datelike, Duration, NaiveDate};

/// A stay that is well-formed enough to read its nights (the dates are validated once the hotel's local date is
/// known, so a missing hotel is 404 before any date error).
pub(super) fn plausible_stay(check_in: NaiveDate, check_out: NaiveDate, max_nights: u32) -> Option<StayDates> {
    (check_in < check_out && (check_out - check_in).num_days() <= i64::from(max_nights))
        .then(|| StayDates::from_stored(check_in, check_out))
}

/// Splits a room's rows dated `check_in..=check_out` into the number of the stay's nights and whether the
/// departure date's row is closed to departure.
pub(super) fn split_departure(nights: &[InventoryNight], stay: &StayDates) -> (usize, bool) {
    let n = nights.iter().take_while(|n| n.date < stay.check_out()).count();
    (n, nights.get(n).is_some_and(|d| d.date == stay.check_out() && d.restrictions.closed_to_departure))
}

impl CatalogService {
    /// Public hotel info with an optional per-room quote (priced as [`quote`](Self::quote) prices, with one
    /// adult per room). A missing or inactive hotel is 404 before any date error.
    pub async fn hotel_info(
        &self,
        id: HotelId,
        dates: Option<(NaiveDate, NaiveDate)>,
        rooms_count: i32,
    ) -> Result<(Hotel, Vec<RoomSummary>)> {
        let plausible = dates.and_then(|(ci, co)| plausible_stay(ci, co, self.max_stay_nights));
        let listing = self.queries.hotel_listing(id, plausible).await?;
        let listing = match listing {
            Some(l) if l.hotel.active => l,
            _ => return Err(Error::HotelNotFound("Hotel not found".into())),
        };
        let today = self.today_at(&listing.hotel);
        let stay = dates.map(|(ci, co)| self.stay_at(ci, co, today)).transpose()?;
        let plans = listing.plans;
        let hotel = listing.hotel;
        let rooms = listing
            .rooms
            .into_iter()
            .map(|(room, rows)| {
                let Some(stay) = &stay else {
                    let rate_plans = plans
                        .iter()
                        .filter(|p| p.room_id == room.id && p.active)
                        .map(|p| RatePlanQuote { plan: p.clone(), total_price: None })
                        .collect();
                    return RoomSummary { room, available: None, total_price: None, rate_plans, unavailable: None };
                };
                let (count, departure) = split_departure(&rows, stay);
                let price = |rule: &PriceRule| {
                    let input = StayInput {
                        stay,
                        rooms_count,
                        adults: rooms_count,
                        today,
                        nights: &rows[..count],
                        departure_closed: departure,
                        price_rule: rule,
                        taxes: &hotel.taxes,
                    };
                    price_stay(&input, &self.policy)
                };
                let default_rule = plans
                    .iter()
                    .find(|p| p.room_id == room.id && p.is_default)
                    .map(|p| p.price_rule)
                    .unwrap_or(PriceRule::BASE);
                let base = price(&default_rule);
                let available = base.unbookable.is_none();
                let total_price = if available { base.breakdown.map(|b| b.total) } else { None };
                let rate_plans = plans
                    .iter()
                    .filter(|p| p.room_id == room.id && p.active)
                    .map(|p| RatePlanQuote {
                        plan: p.clone(),
                        total_price: match available && p.allows_stay(stay.nights()) {
                            true => price(&p.price_rule).breakdown.map(|b| b.total),
                            false => None,
                        },
                    })
                    .collect();
                RoomSummary { room, available: Some(available), total_price, rate_plans, unavailable: base.unbookable }
            })
            .collect();
        Ok((hotel, rooms))
    }

    /// What init would charge now for `req`, line by line, with the cancellation terms, or why it cannot be
    /// booked. 404 for a missing or inactive hotel, a room of another hotel or an unknown plan; the date, rooms
    /// and adults errors of init.
    pub async fn quote(&self, req: StayRequest) -> Result<StayQuote> {
        if !(1..=MAX_ROOMS_PER_BOOKING).contains(&req.rooms_count) {
            return Err(Error::validation(&["query", "rooms_count"], "rooms_count out of range", "out_of_range"));
        }
        let plausible = plausible_stay(req.check_in, req.check_out, self.max_stay_nights);
        let offer = match self.queries.room_offer(req.hotel_id, req.room_id, plausible).await? {
            Some(o) if o.hotel.active => o,
            _ => return Err(Error::HotelNotFound("Hotel not found".into())),
        };
        let Some(room) = offer.room else {
            return Err(Error::RoomNotFound(format!("Room not found: {}", req.room_id)));
        };
        let hotel = offer.hotel;
        let today = self.today_at(&hotel);
        let stay = self.stay_at(req.check_in, req.check_out, today)?;
        let plan = match req.rate_plan_id {
            Some(id) => Some(
                offer
                    .plans
                    .iter()
                    .find(|p| p.id == id)
                    .cloned()
                    .ok_or_else(|| Error::RatePlanNotFound(format!("Rate plan not found: {id}")))?,
            ),
            None => offer.plans.iter().find(|p| p.is_default).cloned(),
        };
        let adults = req.adults.unwrap_or(req.rooms_count);
        if adults < 1 {
            return Err(Error::validation(&["query", "adults"], "adults must be at least 1", "out_of_range"));
        }
        let limit = i64::from(room.capacity) * i64::from(req.rooms_count);
        if i64::from(adults) > limit {
            return Err(Error::TooManyGuests(limit));
        }
        let (count, departure) = split_departure(&offer.nights, &stay);
        let rule = plan.as_ref().map(|p| p.price_rule).unwrap_or(PriceRule::BASE);
        let input = StayInput {
            stay: &stay,
            rooms_count: req.rooms_count,
            adults,
            today,
            nights: &offer.nights[..count],
            departure_closed: departure,
            price_rule: &rule,
            taxes: &hotel.taxes,
        };
        let priced = price_stay(&input, &self.policy);
        let plan_error = match plan.as_ref().map(|p| p.check_bookable(stay.nights())) {
            Some(Err(Error::RatePlanInactive)) => Some(Unbookable::RatePlanInactive),
            Some(Err(e)) => Some(Unbookable::RatePlanStay(e.to_string())),
            _ => None,
        };
        let out_of_range = priced
            .breakdown
            .as_ref()
            .filter(|b| !(MIN_PAYABLE..=MAX_PAYABLE).contains(&b.total))
            .map(|_| Unbookable::AmountOutOfRange);
        let policy = plan.as_ref().map(|p| p.policy_or(hotel.cancellation_policy)).unwrap_or(hotel.cancellation_policy);
        Ok(StayQuote {
            cancel_deadline: policy.deadline(hotel.time_zone, stay.check_in(), hotel.check_in_time),
            cancellation_policy: policy,
            unbookable: plan_error.or(priced.unbookable).or(out_of_range),
            room,
            rate_plan: plan,
            stay,
            rooms_count: req.rooms_count,
            adults,
            nightly: priced.nightly,
            price: priced.breakdown,
            hotel,
        })
    }

    /// The availability calendar of an active hotel, `from..=to` (defaults: the hotel's today, then 30 nights;
    /// at most 366): per room type and night, rooms free, the default plan's price and the restrictions.
    pub async fn calendar(
        &self,
        hotel_id: HotelId,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        rooms_count: i32,
    ) -> Result<(Hotel, NaiveDate, NaiveDate, Vec<RoomCalendar>)> {
        if !(1..=MAX_ROOMS_PER_BOOKING).contains(&rooms_count) {
            return Err(Error::validation(&["query", "rooms_count"], "rooms_count out of range", "out_of_range"));
        }
        // Without `from` the range starts at the hotel's today, unknown until the hotel is read: read from the UTC
        // date a day early (every zone's date is within a day of UTC), then trim.
        let utc_today = self.clock.today();
        let read_from = from.unwrap_or(utc_today - Duration::days(1));
        let read_to = to.unwrap_or(read_from + Duration::days(31));
        if read_to < read_from {
            return Err(Error::InvalidDateRange("End date must not be before start date"));
        }
        if (read_to - read_from).num_days() + 1 > MAX_CALENDAR_NIGHTS + i64::from(from.is_none()) {
            return Err(Error::InvalidDateRange("Date range too long"));
        }
        let cal = match self.queries.calendar(hotel_id, read_from, read_to).await? {
            Some(c) if c.hotel.active => c,
            _ => return Err(Error::HotelNotFound("Hotel not found".into())),
        };
        let today = self.today_at(&cal.hotel);
        let from = from.unwrap_or(today);
        let to = to.unwrap_or(from + Duration::days(29));
        if to < from {
            // Only possible with `to` given and `from` defaulted to a hotel-local today after it.
            return Err(Error::InvalidDateRange("End date must not be before start date"));
        }
        let rooms = cal
            .rooms
            .into_iter()
            .map(|r| {
                let rule = r.price_rule;
                let nights = r
                    .nights
                    .iter()
                    .filter(|n| n.date >= from && n.date <= to)
                    .map(|n| CalendarNight {
                        date: n.date,
                        available: n.available(),
                        price: rule.apply(self.policy.nightly(n, today)),
                        closed: n.closed,
                        restrictions: n.restrictions,
                        bookable: n.date >= today && n.can_hold(rooms_count),
                    })
                    .collect();
                RoomCalendar {
                    room_id: r.room.id,
                    kind: r.room.kind,
                    capacity: r.room.capacity,
                    rate_plan_id: r.rate_plan_id,
                    nights,
                }
            })
            .collect();
        Ok((cal.hotel, from, to, rooms))
    }

    /// The revenue report of a hotel over stay nights `[start, end]` (defaults: the first and last day of the
    /// current month at the hotel; at most 366 days), for its owner.
    pub async fn revenue_report(
        &self,
        manager: &User,
        hotel_id: HotelId,
        start: Option<NaiveDate>,
        end: Option<NaiveDate>,
    ) -> Result<(Hotel, RevenueReport)> {
        let hotel = self.owned_hotel(manager, hotel_id).await?;
        let today = self.today_at(&hotel);
        let first = today.with_day(1).unwrap_or(today);
        let start = start.unwrap_or(first);
        let end = end.unwrap_or_else(|| {
            let next = if start.month() == 12 {
                NaiveDate::from_ymd_opt(start.year() + 1, 1, 1)
            } else {
                NaiveDate::from_ymd_opt(start.year(), start.month() + 1, 1)
            };
            next.map(|n| n - Duration::days(1)).unwrap_or(start)
        });
        if end < start {
            return Err(Error::InvalidDateRange("End date must not be before start date"));
        }
        if (end - start).num_days() + 1 > MAX_REVENUE_DAYS {
            return Err(Error::InvalidDateRange("Date range too long"));
        }
        let facts = self.queries.revenue(hotel_id, start, end).await?;
        Ok((hotel, RevenueReport::build(start, end, &facts)))
    }
}
