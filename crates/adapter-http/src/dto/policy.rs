//! Hotel local settings on the wire: the cancellation policy object.

use super::*;

/// `type` of a cancellation policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[schema(as = CancellationPolicyType, example = "FREE_CANCELLATION")]
pub enum PolicyTypeDto {
    /// Free cancellation until `free_cancellation_hours` before the local check-in time, then `penalty`.
    FreeCancellation,
    /// Nothing is refunded on cancel.
    NonRefundable,
}

/// What a cancellation after the free-cancellation deadline keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[schema(as = CancellationPenalty, example = "FIRST_NIGHTS")]
pub enum PenaltyDto {
    /// The first `penalty_nights` nights (at the booking's average nightly amount).
    FirstNights,
    /// `penalty_percent` percent of the amount, rounded half-even to cents.
    Percent,
    /// The whole amount.
    Full,
}

/// A cancellation policy. `FREE_CANCELLATION` needs `free_cancellation_hours` and `penalty` (plus
/// `penalty_nights` for `FIRST_NIGHTS`, `penalty_percent` for `PERCENT`); `NON_REFUNDABLE` takes nothing else.
/// In responses every key is present (`null` when it does not apply).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(as = CancellationPolicy, example = json!({"type": "FREE_CANCELLATION", "free_cancellation_hours": 48,
    "penalty": "FIRST_NIGHTS", "penalty_nights": 1, "penalty_percent": null}))]
pub struct CancellationPolicyDto {
    #[serde(rename = "type")]
    #[schema(rename = "type")]
    pub kind: PolicyTypeDto,
    /// Hours before the hotel's local check-in time when free cancellation ends (0..=8760).
    #[schema(minimum = 0, maximum = 8760, example = 48)]
    pub free_cancellation_hours: Option<u32>,
    pub penalty: Option<PenaltyDto>,
    /// 1..=365.
    #[schema(minimum = 1, maximum = 365)]
    pub penalty_nights: Option<u32>,
    /// 0..=100 with at most 2 decimals, as a decimal string.
    #[schema(value_type = Option<String>, pattern = r"^\d{1,3}(\.\d{1,2})?$", example = "50")]
    pub penalty_percent: Option<String>,
}

impl From<&CancellationPolicy> for CancellationPolicyDto {
    fn from(p: &CancellationPolicy) -> Self {
        match p {
            CancellationPolicy::NonRefundable => CancellationPolicyDto {
                kind: PolicyTypeDto::NonRefundable,
                free_cancellation_hours: None,
                penalty: None,
                penalty_nights: None,
                penalty_percent: None,
            },
            CancellationPolicy::Refundable { free_hours, penalty } => {
                let (kind, nights, percent) = match penalty {
                    Penalty::Full => (PenaltyDto::Full, None, None),
                    Penalty::FirstNights(n) => (PenaltyDto::FirstNights, Some(*n), None),
                    Penalty::Percent(p) => (PenaltyDto::Percent, None, Some(p.normalize().to_string())),
                };
                CancellationPolicyDto {
                    kind: PolicyTypeDto::FreeCancellation,
                    free_cancellation_hours: Some(*free_hours),
                    penalty: Some(kind),
                    penalty_nights: nights,
                    penalty_percent: percent,
                }
            }
        }
    }
}

/// What a rate plan includes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[schema(as = MealPlan, example = "BREAKFAST")]
pub enum MealPlanDto {
    RoomOnly,
    Breakfast,
    HalfBoard,
    FullBoard,
}

impl From<MealPlan> for MealPlanDto {
    fn from(m: MealPlan) -> Self {
        match m {
            MealPlan::RoomOnly => MealPlanDto::RoomOnly,
            MealPlan::Breakfast => MealPlanDto::Breakfast,
            MealPlan::HalfBoard => MealPlanDto::HalfBoard,
            MealPlan::FullBoard => MealPlanDto::FullBoard,
        }
    }
}

/// How a plan's nightly price follows the room's: `PERCENT` (`value` −99.99..=1000: −10 is a 10 % discount) or
/// `AMOUNT` (`value` added to each night, −1000000.00..=1000000.00). Never below 0.01 a night.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(as = PriceRule, example = json!({"type": "PERCENT", "value": "-10"}))]
pub struct PriceRuleDto {
    #[serde(rename = "type")]
    #[schema(rename = "type", pattern = "^(PERCENT|AMOUNT)$", example = "PERCENT")]
    pub kind: String,
    /// A decimal string.
    #[schema(pattern = r"^-?\d+(\.\d{1,2})?$", example = "-10")]
    pub value: String,
}

impl From<&PriceRule> for PriceRuleDto {
    fn from(r: &PriceRule) -> Self {
        match r {
            PriceRule::Percent(p) => PriceRuleDto { kind: "PERCENT".into(), value: p.normalize().to_string() },
            PriceRule::PerNight(a) => PriceRuleDto { kind: "AMOUNT".into(), value: a.to_string() },
        }
    }
}

/// A rate plan of a room type.
#[derive(Serialize, ToSchema)]
#[schema(as = RatePlan)]
pub struct RatePlanResponse {
    #[schema(example = 12)]
    pub id: i64,
    pub hotel_id: i64,
    pub room_id: i64,
    #[schema(example = "Breakfast included")]
    pub name: String,
    #[schema(example = "BB")]
    pub code: String,
    pub meal_plan: MealPlanDto,
    pub price_rule: PriceRuleDto,
    pub min_stay: Option<u32>,
    pub max_stay: Option<u32>,
    pub active: bool,
    /// The room's default plan ("Standard", the room's own price): used when init names no plan; it cannot be
    /// deleted or deactivated.
    pub is_default: bool,
    /// The plan's own policy; `null`: the hotel's.
    pub cancellation_policy: Option<CancellationPolicyDto>,
    #[serde(serialize_with = "ser_ts")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "ser_ts")]
    pub updated_at: DateTime<Utc>,
}

impl From<&RatePlan> for RatePlanResponse {
    fn from(p: &RatePlan) -> Self {
        RatePlanResponse {
            id: p.id.into(),
            hotel_id: p.hotel_id.into(),
            room_id: p.room_id.into(),
            name: p.name.clone(),
            code: p.code.clone(),
            meal_plan: p.meal_plan.into(),
            price_rule: (&p.price_rule).into(),
            min_stay: p.min_stay,
            max_stay: p.max_stay,
            active: p.active,
            is_default: p.is_default,
            cancellation_policy: p.cancellation_policy.as_ref().map(CancellationPolicyDto::from),
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

/// A bookable rate plan on the public hotel page, with its price for the asked stay.
#[derive(Serialize, ToSchema)]
#[schema(as = RatePlanQuote)]
pub struct RatePlanQuoteResponse {
    pub id: i64,
    pub name: String,
    pub code: String,
    pub meal_plan: MealPlanDto,
    pub min_stay: Option<u32>,
    pub max_stay: Option<u32>,
    pub is_default: bool,
    /// The policy a booking on this plan freezes (the plan's, else the hotel's).
    pub cancellation_policy: CancellationPolicyDto,
    /// With dates: what init on this plan would charge now; `null` without dates, when the room is unavailable
    /// or when the stay breaks the plan's length-of-stay limits.
    pub total_price: Option<MoneyStr>,
}

impl RatePlanQuoteResponse {
    pub fn new(q: &RatePlanQuote, hotel_policy: CancellationPolicy) -> Self {
        RatePlanQuoteResponse {
            id: q.plan.id.into(),
            name: q.plan.name.clone(),
            code: q.plan.code.clone(),
            meal_plan: q.plan.meal_plan.into(),
            min_stay: q.plan.min_stay,
            max_stay: q.plan.max_stay,
            is_default: q.plan.is_default,
            cancellation_policy: (&q.plan.policy_or(hotel_policy)).into(),
            total_price: q.total_price.map(MoneyStr::from),
        }
    }
}
