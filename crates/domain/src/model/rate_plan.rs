//! Rate plans: the ways one room type is sold (flexible, non-refundable, breakfast included…), each priced
//! relative to the room's nightly price, with optional length-of-stay limits and its own cancellation policy.

use super::{CancellationPolicy, HotelId, Money, Patch, RatePlanId, RoomId};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

/// What a rate plan includes besides the room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MealPlan {
    /// `ROOM_ONLY`.
    RoomOnly,
    /// `BREAKFAST`.
    Breakfast,
    /// `HALF_BOARD`.
    HalfBoard,
    /// `FULL_BOARD`.
    FullBoard,
}

impl MealPlan {
    /// Every meal plan, in documentation order.
    pub const ALL: [MealPlan; 4] = [MealPlan::RoomOnly, MealPlan::Breakfast, MealPlan::HalfBoard, MealPlan::FullBoard];
    /// Wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            MealPlan::RoomOnly => "ROOM_ONLY",
            MealPlan::Breakfast => "BREAKFAST",
            MealPlan::HalfBoard => "HALF_BOARD",
            MealPlan::FullBoard => "FULL_BOARD",
        }
    }
    /// Parses the exact upper-case name.
    pub fn parse(s: &str) -> Option<MealPlan> {
        MealPlan::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// How a plan's nightly price follows the room's nightly price (after surge and pricing strategies).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PriceRule {
    /// `nightly × (1 + p / 100)`, `p` in −99.99..=1000 with at most two decimals (−10: a 10 % discount).
    Percent(Decimal),
    /// `nightly + a` per night, `a` in −1000000.00..=1000000.00 (negative: a discount).
    PerNight(Money),
}

/// The cheapest a plan may make one night (one cent): a discount never makes a night free or negative.
pub const MIN_PLAN_NIGHTLY: Money = Money::from_minor(1);

impl PriceRule {
    /// The rule of a room's default plan: the room's own price, unchanged.
    pub const BASE: PriceRule = PriceRule::Percent(Decimal::ZERO);

    /// The plan's price of a night the room sells at `nightly`, rounded half-even to cents, never below
    /// [`MIN_PLAN_NIGHTLY`].
    ///
    /// ```
    /// # use domain::model::*;
    /// # use rust_decimal::Decimal;
    /// let n = Money::from_minor(10_005); // 100.05
    /// assert_eq!(PriceRule::BASE.apply(n), n);
    /// assert_eq!(PriceRule::Percent(Decimal::new(-10, 0)).apply(n), Money::from_minor(9_004)); // 90.045 → 90.04
    /// assert_eq!(PriceRule::PerNight(Money::from_minor(2_500)).apply(n), Money::from_minor(12_505));
    /// assert_eq!(PriceRule::PerNight(Money::from_minor(-20_000)).apply(n), MIN_PLAN_NIGHTLY);
    /// ```
    pub fn apply(&self, nightly: Money) -> Money {
        let p = match self {
            PriceRule::Percent(p) if p.is_zero() => nightly,
            PriceRule::Percent(p) => {
                let d = nightly.to_decimal() * (Decimal::ONE_HUNDRED + *p) / Decimal::ONE_HUNDRED;
                Money::round_half_even(d).unwrap_or(nightly)
            }
            PriceRule::PerNight(a) => Money::from_minor(nightly.minor().saturating_add(a.minor())),
        };
        p.max(MIN_PLAN_NIGHTLY)
    }

    /// Whether the value is in range (see the variants).
    pub fn is_valid(&self) -> bool {
        match self {
            PriceRule::Percent(p) => {
                *p > Decimal::new(-100, 0) && *p <= Decimal::new(1000, 0) && p.normalize().scale() <= 2
            }
            PriceRule::PerNight(a) => a.minor().abs() <= 100_000_000,
        }
    }

    /// Storage spelling: `PERCENT:<p>` or `AMOUNT:<a>` (cents); [`parse`](Self::parse) reads it back.
    pub fn encode(&self) -> String {
        match self {
            PriceRule::Percent(p) => format!("PERCENT:{}", p.normalize()),
            PriceRule::PerNight(a) => format!("AMOUNT:{}", a.minor()),
        }
    }

    /// Reads [`encode`](Self::encode)'s spelling; `None` for anything else or an out-of-range value.
    pub fn parse(s: &str) -> Option<PriceRule> {
        let rule = match s.split_once(':')? {
            ("PERCENT", p) => PriceRule::Percent(p.parse().ok()?),
            ("AMOUNT", a) => PriceRule::PerNight(Money::from_minor(a.parse().ok()?)),
            _ => return None,
        };
        rule.is_valid().then_some(rule)
    }
}

/// A rate plan of a room type.
#[derive(Debug, Clone, PartialEq)]
pub struct RatePlan {
    /// Database id (identity, ≥ 1).
    pub id: RatePlanId,
    /// The room type's hotel.
    pub hotel_id: HotelId,
    /// The room type it sells.
    pub room_id: RoomId,
    /// Display name (1..=255 characters).
    pub name: String,
    /// Short code, unique within the room type (1..=32 characters: letters, digits, `-` and `_`).
    pub code: String,
    /// What is included.
    pub meal_plan: MealPlan,
    /// The price relative to the room's nightly price.
    pub price_rule: PriceRule,
    /// Fewest nights a stay on this plan may have.
    pub min_stay: Option<u32>,
    /// Most nights a stay on this plan may have.
    pub max_stay: Option<u32>,
    /// Whether it can be booked.
    pub active: bool,
    /// The plan every room type gets at creation (the room's own price, the hotel's policy); it cannot be
    /// deleted or deactivated, and bookings without a `rate_plan_id` use it.
    pub is_default: bool,
    /// The plan's own cancellation policy; `None` uses the hotel's.
    pub cancellation_policy: Option<CancellationPolicy>,
    /// When the plan was created.
    pub created_at: DateTime<Utc>,
    /// When the plan last changed.
    pub updated_at: DateTime<Utc>,
}

/// Validated fields of a new rate plan.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRatePlan {
    /// See [`RatePlan::name`].
    pub name: String,
    /// See [`RatePlan::code`].
    pub code: String,
    /// See [`RatePlan::meal_plan`].
    pub meal_plan: MealPlan,
    /// See [`RatePlan::price_rule`].
    pub price_rule: PriceRule,
    /// See [`RatePlan::min_stay`].
    pub min_stay: Option<u32>,
    /// See [`RatePlan::max_stay`].
    pub max_stay: Option<u32>,
    /// See [`RatePlan::active`].
    pub active: bool,
    /// See [`RatePlan::cancellation_policy`].
    pub cancellation_policy: Option<CancellationPolicy>,
}

impl NewRatePlan {
    /// The default plan of a new room type: "Standard", code `STANDARD`, room only, the room's price.
    pub fn standard() -> NewRatePlan {
        NewRatePlan {
            name: "Standard".into(),
            code: "STANDARD".into(),
            meal_plan: MealPlan::RoomOnly,
            price_rule: PriceRule::BASE,
            min_stay: None,
            max_stay: None,
            active: true,
            cancellation_policy: None,
        }
    }
}

/// Partial update of a rate plan.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RatePlanPatch {
    /// A new name.
    pub name: Option<String>,
    /// A new code.
    pub code: Option<String>,
    /// A new meal plan.
    pub meal_plan: Option<MealPlan>,
    /// A new price rule.
    pub price_rule: Option<PriceRule>,
    /// A new minimum stay, or `Set(None)` to remove it.
    pub min_stay: Patch<Option<u32>>,
    /// A new maximum stay, or `Set(None)` to remove it.
    pub max_stay: Patch<Option<u32>>,
    /// Activate or deactivate (the default plan stays active).
    pub active: Option<bool>,
    /// A new policy, or `Set(None)` to use the hotel's.
    pub cancellation_policy: Patch<Option<CancellationPolicy>>,
}

impl RatePlan {
    /// Whether a stay of `nights` nights fits the plan's length-of-stay limits.
    pub fn allows_stay(&self, nights: i64) -> bool {
        self.min_stay.is_none_or(|m| nights >= i64::from(m)) && self.max_stay.is_none_or(|m| nights <= i64::from(m))
    }

    /// Whether a stay of `nights` may be booked on the plan: 409 `rate_plan_inactive` for a deactivated plan,
    /// 409 `stay_restricted` (naming the limit) outside its length-of-stay limits.
    pub fn check_bookable(&self, nights: i64) -> Result<(), crate::Error> {
        if !self.active {
            return Err(crate::Error::RatePlanInactive);
        }
        if !self.allows_stay(nights) {
            let limit = match (self.min_stay, self.max_stay) {
                (Some(min), _) if nights < i64::from(min) => format!("at least {min}"),
                (_, Some(max)) => format!("at most {max}"),
                _ => "a different number of".into(),
            };
            return Err(crate::Error::StayRestricted(format!("Rate plan {} needs {limit} nights", self.code)));
        }
        Ok(())
    }

    /// The policy a booking on this plan freezes: the plan's own, else the hotel's.
    pub fn policy_or(&self, hotel: CancellationPolicy) -> CancellationPolicy {
        self.cancellation_policy.unwrap_or(hotel)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rules_round_half_even_and_never_go_below_a_cent() {
        let n = Money::from_minor(10_000);
        assert_eq!(PriceRule::Percent(Decimal::new(-1250, 2)).apply(n), Money::from_minor(8_750));
        assert_eq!(PriceRule::Percent(Decimal::new(15, 0)).apply(Money::from_minor(3)), Money::from_minor(3)); // 3.45 → 3
        assert_eq!(PriceRule::Percent(Decimal::new(50, 0)).apply(Money::from_minor(5)), Money::from_minor(8)); // 7.5 → 8
        assert_eq!(PriceRule::Percent(Decimal::new(-9999, 2)).apply(Money::from_minor(10)), MIN_PLAN_NIGHTLY);
        assert_eq!(PriceRule::PerNight(Money::from_minor(-10_000)).apply(n), MIN_PLAN_NIGHTLY);
    }

    #[test]
    fn spellings_round_trip_and_ranges_hold() {
        for r in [
            PriceRule::BASE,
            PriceRule::Percent(Decimal::new(-1250, 2)),
            PriceRule::Percent(Decimal::new(1000, 0)),
            PriceRule::PerNight(Money::from_minor(-2_500)),
        ] {
            assert_eq!(PriceRule::parse(&r.encode()), Some(r), "{}", r.encode());
        }
        for bad in ["", "PERCENT:-100", "PERCENT:1000.01", "PERCENT:1.234", "AMOUNT:x", "AMOUNT:100000001", "X:1"] {
            assert_eq!(PriceRule::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn length_of_stay_limits() {
        let plan = RatePlan {
            id: RatePlanId(1),
            hotel_id: HotelId(1),
            room_id: RoomId(1),
            name: "Week".into(),
            code: "WEEK".into(),
            meal_plan: MealPlan::Breakfast,
            price_rule: PriceRule::BASE,
            min_stay: Some(3),
            max_stay: Some(7),
            active: true,
            is_default: false,
            cancellation_policy: Some(CancellationPolicy::NonRefundable),
            created_at: DateTime::<Utc>::MIN_UTC,
            updated_at: DateTime::<Utc>::MIN_UTC,
        };
        assert_eq!(
            (2..=8).map(|n| plan.allows_stay(n)).collect::<Vec<_>>(),
            [false, true, true, true, true, true, false]
        );
        assert_eq!(plan.policy_or(CancellationPolicy::default()), CancellationPolicy::NonRefundable);
        let open = RatePlan { min_stay: None, max_stay: None, cancellation_policy: None, ..plan };
        assert!(open.allows_stay(1) && open.allows_stay(365));
        assert_eq!(open.policy_or(CancellationPolicy::default()), CancellationPolicy::default());
    }

    proptest! {
        /// The base rule is the identity, and a discount never raises a price nor a surcharge lowers it.
        #[test]
        fn rules_move_prices_the_way_they_say(nightly in 1i64..=100_000_000, p in -9_999i64..=100_000) {
            let n = Money::from_minor(nightly);
            prop_assert_eq!(PriceRule::BASE.apply(n), n);
            let rule = PriceRule::Percent(Decimal::new(p, 2));
            let got = rule.apply(n);
            prop_assert!(got >= MIN_PLAN_NIGHTLY);
            if p <= 0 { prop_assert!(got <= n) } else { prop_assert!(got >= n) }
        }
    }
}
