//! The hold planner: whether a hold may be taken on the rows loaded under lock, and at what price.

use super::quote::{StayInput, Unbookable, price_stay};
use crate::model::{
    HoldRequest, HotelId, InventoryNight, MAX_PAYABLE, MAX_ROOMS_PER_BOOKING, MIN_PAYABLE, PriceBreakdown, RoomId,
    UserId,
};
use crate::pricing::PricingPolicy;
use crate::{Error, Result};
use chrono::NaiveDate;
use std::collections::HashMap;

/// What the store read for a hold, inside its transaction.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HoldFacts {
    /// `Some(active)` for the requested hotel; `None` when it does not exist.
    pub hotel_active: Option<bool>,
    /// The hotel of the requested room; `None` when the room does not exist.
    pub room_hotel_id: Option<HotelId>,
    /// Guests per room of the requested room (0 when it does not exist).
    pub room_capacity: i32,
    /// The user's unexpired holds, counted under a lock that serialises the user's inits (0 when the cap is
    /// off, see [`HoldRequest::max_active_holds`]).
    pub active_holds: i64,
    /// The stay's nights of the room, locked, in date order.
    pub nights: Vec<InventoryNight>,
    /// The `closed_to_departure` of the room's row dated the check-out date (false without one; not locked).
    pub departure_closed: bool,
}

/// The writes of a hold: `reserved_count += reserve` on every night (guarded by the same availability
/// condition), and a RESERVED booking at the frozen `amount`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoldPlan {
    /// The frozen quote: subtotal, taxes and fees, and the total charged (the booking's `amount`).
    pub price: PriceBreakdown,
    /// Rooms to reserve on every night.
    pub reserve: i32,
    /// Adults frozen on the booking (`rooms_count` when the client gave none).
    pub adults: i32,
}

/// Checks a hold in the contract's order (rooms count, hotel, room, active hotel, adults, hold cap,
/// availability, restrictions, payable amount) and prices it with [`price_stay`](super::price_stay), as a quote
/// does.
///
/// ```
/// # use domain::plan::*;
/// # fn demo(req: &domain::model::HoldRequest, facts: &HoldFacts, policy: &domain::pricing::PricingPolicy) {
/// match plan_hold(req, facts, policy) {
///     Ok(plan) => { /* reserve plan.reserve rooms on each night, insert the booking at plan.amount */ }
///     Err(e) => { /* nothing is written */ }
/// }
/// # }
/// ```
pub fn plan_hold(req: &HoldRequest, facts: &HoldFacts, policy: &PricingPolicy) -> Result<HoldPlan> {
    if !(1..=MAX_ROOMS_PER_BOOKING).contains(&req.rooms_count) {
        return Err(Error::validation(&["body", "rooms_count"], "rooms_count out of range", "out_of_range"));
    }
    let Some(active) = facts.hotel_active else {
        return Err(Error::HotelNotFound(format!("Hotel not found: {}", req.hotel_id)));
    };
    if facts.room_hotel_id != Some(req.hotel_id) {
        return Err(Error::RoomNotFound(format!("Room not found: {}", req.room_id)));
    }
    if !active {
        return Err(Error::HotelNotActive);
    }
    let limit = i64::from(facts.room_capacity) * i64::from(req.rooms_count);
    let adults = req.adults.unwrap_or(req.rooms_count);
    if adults < 1 {
        return Err(Error::validation(&["body", "adults"], "adults must be at least 1", "out_of_range"));
    }
    if i64::from(adults) > limit {
        return Err(Error::TooManyGuests(limit));
    }
    if req.max_active_holds > 0 && facts.active_holds >= req.max_active_holds {
        return Err(Error::LimitExceeded("Too many active holds"));
    }
    let input = StayInput {
        stay: &req.stay,
        rooms_count: req.rooms_count,
        adults,
        today: req.today,
        nights: &facts.nights,
        departure_closed: facts.departure_closed,
        price_rule: &req.price_rule,
        taxes: &req.taxes,
    };
    let priced = price_stay(&input, policy);
    match priced.unbookable {
        None => {}
        Some(Unbookable::Restricted(r)) => return Err(Error::Restricted(r)),
        Some(_) => return Err(Error::RoomUnavailable),
    }
    let Some(price) = priced.breakdown else { return Err(Error::RoomUnavailable) };
    if !(MIN_PAYABLE..=MAX_PAYABLE).contains(&price.total) {
        return Err(Error::AmountOutOfRange);
    }
    Ok(HoldPlan { price, reserve: req.rooms_count, adults })
}

/// Plans holds taken together in one transaction (a store's group commit), in order: each is planned by
/// [`plan_hold`] on its own facts, with the nights' held rooms and the user's hold count as the earlier successful
/// holds of the batch leave them. The facts of every hold are read under the same locks, before any of the batch's
/// writes; a refused hold changes nothing for the ones after it.
pub fn plan_holds(batch: &mut [(&HoldRequest, &PricingPolicy, HoldFacts)]) -> Vec<Result<HoldPlan>> {
    let mut held: HashMap<(RoomId, NaiveDate), i32> = HashMap::new();
    let mut holds: HashMap<UserId, i64> = HashMap::new();
    batch
        .iter_mut()
        .map(|(req, policy, facts)| {
            for n in &mut facts.nights {
                n.reserved_count += held.get(&(n.room_id, n.date)).copied().unwrap_or(0);
            }
            facts.active_holds += holds.get(&req.user_id).copied().unwrap_or(0);
            let plan = plan_hold(req, facts, policy)?;
            for n in &facts.nights {
                *held.entry((n.room_id, n.date)).or_default() += plan.reserve;
            }
            *holds.entry(req.user_id).or_default() += 1;
            Ok(plan)
        })
        .collect()
}
