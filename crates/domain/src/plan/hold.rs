//! The hold planner: whether a hold may be taken on the rows loaded under lock, and at what price.

use crate::model::{HoldRequest, HotelId, InventoryNight, MAX_PAYABLE, MAX_ROOMS_PER_BOOKING, MIN_PAYABLE, Money};
use crate::pricing::{PricingPolicy, stay_is_available};
use crate::{Error, Result};

/// What the store read for a hold, inside its transaction.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HoldFacts {
    /// `Some(active)` for the requested hotel; `None` when it does not exist.
    pub hotel_active: Option<bool>,
    /// The hotel of the requested room; `None` when the room does not exist.
    pub room_hotel_id: Option<HotelId>,
    /// The user's unexpired holds, counted under a lock that serialises the user's inits (0 when the cap is
    /// off, see [`HoldRequest::max_active_holds`]).
    pub active_holds: i64,
    /// The stay's nights of the room, locked, in date order.
    pub nights: Vec<InventoryNight>,
}

/// The writes of a hold: `reserved_count += reserve` on every night (guarded by the same availability
/// condition), and a RESERVED booking at the frozen `amount`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HoldPlan {
    /// The frozen quote.
    pub amount: Money,
    /// Rooms to reserve on every night.
    pub reserve: i32,
}

/// Checks a hold in the contract's order (rooms count, hotel, room, active hotel, hold cap, availability,
/// payable amount) and prices it.
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
    if req.max_active_holds > 0 && facts.active_holds >= req.max_active_holds {
        return Err(Error::LimitExceeded("Too many active holds"));
    }
    if !stay_is_available(&facts.nights, &req.stay, req.rooms_count) {
        return Err(Error::RoomUnavailable);
    }
    let amount = policy.quote_with(&facts.nights, req.rooms_count, req.today, &req.price_rule);
    if !(MIN_PAYABLE..=MAX_PAYABLE).contains(&amount) {
        return Err(Error::AmountOutOfRange);
    }
    Ok(HoldPlan { amount, reserve: req.rooms_count })
}
