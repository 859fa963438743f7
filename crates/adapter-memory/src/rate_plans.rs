//! Rate plans of the in-memory store: the `rate_plan` table and its rules (codes unique per room type, the
//! default plan kept active and undeletable, no delete while a booking on the plan is active).

use crate::catalog::room_missing;
use crate::state::State;
use chrono::{DateTime, Utc};
use domain::model::{HotelId, NewRatePlan, RatePlan, RatePlanId, RatePlanPatch, Room, RoomId};
use domain::{Error, Result};

fn plan_missing(id: RatePlanId) -> Error {
    Error::RatePlanNotFound(format!("Rate plan not found: {id}"))
}

impl State {
    /// Stores a rate plan of `room` (refusing a code the room already uses).
    pub fn insert_rate_plan(
        &mut self,
        room: &Room,
        plan: NewRatePlan,
        is_default: bool,
        now: DateTime<Utc>,
    ) -> Result<RatePlan> {
        if self.rate_plans.values().any(|p| p.room_id == room.id && p.code == plan.code) {
            return Err(Error::RatePlanCodeTaken);
        }
        let stored = RatePlan {
            id: self.ids.rate_plan(),
            hotel_id: room.hotel_id,
            room_id: room.id,
            name: plan.name,
            code: plan.code,
            meal_plan: plan.meal_plan,
            price_rule: plan.price_rule,
            min_stay: plan.min_stay,
            max_stay: plan.max_stay,
            active: plan.active || is_default,
            is_default,
            cancellation_policy: plan.cancellation_policy,
            created_at: now,
            updated_at: now,
        };
        self.rate_plans.insert(stored.id, stored.clone());
        Ok(stored)
    }

    /// Adds a (non-default) plan to a room type.
    pub fn create_rate_plan(&mut self, room_id: RoomId, plan: NewRatePlan, now: DateTime<Utc>) -> Result<RatePlan> {
        self.saw(now);
        let room = self.rooms.get(&room_id).cloned().ok_or_else(|| room_missing(room_id))?;
        self.insert_rate_plan(&room, plan, false, now)
    }

    /// The hotel's plans by room, the default plan first.
    pub fn rate_plans_of_hotel(&self, hotel_id: HotelId) -> Vec<RatePlan> {
        let mut plans: Vec<RatePlan> = self.rate_plans.values().filter(|p| p.hotel_id == hotel_id).cloned().collect();
        plans.sort_by_key(|p| (p.room_id, !p.is_default, p.id));
        plans
    }

    /// Applies a patch (the default plan stays active; codes stay unique per room type).
    pub fn update_rate_plan(&mut self, id: RatePlanId, patch: RatePlanPatch, now: DateTime<Utc>) -> Result<RatePlan> {
        self.saw(now);
        let old = self.rate_plans.get(&id).cloned().ok_or_else(|| plan_missing(id))?;
        if old.is_default && patch.active == Some(false) {
            return Err(Error::DefaultRatePlan);
        }
        if let Some(code) = &patch.code
            && self.rate_plans.values().any(|p| p.room_id == old.room_id && p.id != id && &p.code == code)
        {
            return Err(Error::RatePlanCodeTaken);
        }
        let p = self.rate_plans.get_mut(&id).ok_or_else(|| plan_missing(id))?;
        if let Some(name) = patch.name {
            p.name = name;
        }
        if let Some(code) = patch.code {
            p.code = code;
        }
        p.meal_plan = patch.meal_plan.unwrap_or(p.meal_plan);
        p.price_rule = patch.price_rule.unwrap_or(p.price_rule);
        p.min_stay = patch.min_stay.apply(p.min_stay);
        p.max_stay = patch.max_stay.apply(p.max_stay);
        p.active = patch.active.unwrap_or(p.active);
        p.cancellation_policy = patch.cancellation_policy.apply(p.cancellation_policy);
        p.updated_at = now;
        Ok(p.clone())
    }

    /// Deletes a plan unless it is the default or has an active booking.
    pub fn delete_rate_plan(&mut self, id: RatePlanId, now: DateTime<Utc>) -> Result<()> {
        let plan = self.rate_plans.get(&id).cloned().ok_or_else(|| plan_missing(id))?;
        if plan.is_default {
            return Err(Error::DefaultRatePlan);
        }
        let (_, active) = self.bookings_where(|b| b.rate_plan_id == Some(id), now);
        if active {
            return Err(Error::HasActiveBookings("Rate plan has active bookings"));
        }
        self.rate_plans.remove(&id);
        Ok(())
    }
}
