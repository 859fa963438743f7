//! Rate plans of a room type: create and update bodies (docs/HOTEL-POLICIES.md).

use super::*;
use crate::dto::{CancellationPolicyDto, MealPlanDto, PriceRuleDto};
use domain::model::{CancellationPolicy, MealPlan, NewRatePlan, PriceRule, RatePlanPatch};

/// `{hotel_id}/rooms/{room_id}/rate-plans/{rate_plan_id}`.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct RatePlanPath {
    #[param(minimum = 1)]
    pub hotel_id: i64,
    #[param(minimum = 1)]
    pub room_id: i64,
    #[param(minimum = 1)]
    pub rate_plan_id: i64,
}

impl RatePlanPath {
    /// The ids in path order; the first invalid one fails.
    pub fn parse(req: &HttpRequest) -> ApiResult<Self> {
        Ok(RatePlanPath {
            hotel_id: id(req, "hotel_id")?,
            room_id: id(req, "room_id")?,
            rate_plan_id: id(req, "rate_plan_id")?,
        })
    }
}

/// `POST /admin/hotels/{hotel_id}/rooms/{room_id}/rate-plans`.
#[derive(ToSchema)]
#[schema(example = json!({"name": "Breakfast included", "code": "BB", "meal_plan": "BREAKFAST",
    "price_rule": {"type": "PERCENT", "value": "12.5"}, "min_stay": 2,
    "cancellation_policy": {"type": "NON_REFUNDABLE"}}))]
pub struct CreateRatePlanRequest {
    #[schema(min_length = 1, max_length = 255)]
    pub name: String,
    /// Unique within the room type: 1..=32 letters, digits, `-` or `_`.
    #[schema(min_length = 1, max_length = 32, pattern = "^[A-Za-z0-9_-]+$")]
    pub code: String,
    /// Default `ROOM_ONLY`.
    #[schema(value_type = Option<MealPlanDto>)]
    pub meal_plan: MealPlan,
    /// Default: the room's own price (`PERCENT` 0).
    #[schema(value_type = Option<PriceRuleDto>)]
    pub price_rule: PriceRule,
    #[schema(minimum = 1, maximum = 365)]
    pub min_stay: Option<u32>,
    /// At least `min_stay`.
    #[schema(minimum = 1, maximum = 365)]
    pub max_stay: Option<u32>,
    /// Default `true`.
    #[schema(value_type = Option<bool>)]
    pub active: bool,
    /// The plan's own policy; absent or `null`: the hotel's.
    #[schema(value_type = Option<CancellationPolicyDto>)]
    pub cancellation_policy: Option<CancellationPolicy>,
}

/// `PUT …/rate-plans/{rate_plan_id}`: absent fields are unchanged; `null` clears `min_stay`, `max_stay` and
/// `cancellation_policy` (then the hotel's applies).
#[derive(ToSchema)]
#[schema(example = json!({"price_rule": {"type": "AMOUNT", "value": "-5.00"}, "max_stay": null}))]
pub struct UpdateRatePlanRequest {
    #[schema(min_length = 1, max_length = 255)]
    pub name: Option<String>,
    #[schema(min_length = 1, max_length = 32, pattern = "^[A-Za-z0-9_-]+$")]
    pub code: Option<String>,
    #[schema(value_type = Option<MealPlanDto>)]
    pub meal_plan: Option<MealPlan>,
    #[schema(value_type = Option<PriceRuleDto>)]
    pub price_rule: Option<PriceRule>,
    #[schema(value_type = Option<u32>, minimum = 1, maximum = 365)]
    pub min_stay: Opt<u32>,
    #[schema(value_type = Option<u32>, minimum = 1, maximum = 365)]
    pub max_stay: Opt<u32>,
    /// The default plan cannot be deactivated (409 `default_rate_plan`).
    pub active: Option<bool>,
    #[schema(value_type = Option<CancellationPolicyDto>)]
    pub cancellation_policy: Opt<CancellationPolicy>,
}

fn code(f: &mut Fields<'_>) -> ApiResult<Opt<String>> {
    let c = f.opt_str("code", 1, 32)?;
    if let Patch::Set(Some(s)) = &c {
        check_code(f, s);
    }
    Ok(c)
}

fn check_code(f: &mut Fields<'_>, code: &str) {
    if !code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        f.push("code", "String should match pattern '^[A-Za-z0-9_-]+$'", "string_pattern_mismatch");
    }
}

fn meal_plan(f: &mut Fields<'_>) -> ApiResult<Opt<MealPlan>> {
    f.opt_enum("meal_plan", MealPlan::parse, "'ROOM_ONLY', 'BREAKFAST', 'HALF_BOARD' or 'FULL_BOARD'")
}

fn price_rule(f: &mut Fields<'_>) -> ApiResult<Option<PriceRule>> {
    let prefix = f.child_prefix("price_rule");
    let Patch::Set(Some(m)) = f.opt_object("price_rule")? else { return Ok(None) };
    let mut p = Fields::nested(m, prefix);
    let kind = p.req_str("type", 1, 16)?;
    let rule = match kind.as_str() {
        "PERCENT" => {
            value(p.opt_decimal("value", Decimal::new(-100, 0), true, Decimal::new(1000, 0))?).map(PriceRule::Percent)
        }
        "AMOUNT" => value(p.opt_decimal("value", Decimal::new(-1_000_000, 0), false, Decimal::new(1_000_000, 0))?)
            .and_then(Money::from_decimal_exact)
            .map(PriceRule::PerNight),
        _ => {
            p.push("type", "Input should be 'PERCENT' or 'AMOUNT'", "enum");
            None
        }
    };
    if rule.is_none() && (kind == "PERCENT" || kind == "AMOUNT") && m.get("value").is_none_or(Value::is_null) {
        p.push("value", "Field required", "missing");
    }
    f.absorb(p);
    Ok(rule.filter(PriceRule::is_valid))
}

fn stay(f: &mut Fields<'_>, name: &str) -> ApiResult<Opt<u32>> {
    Ok(match f.opt_int(name, 1, 365)? {
        Patch::Keep => Patch::Keep,
        Patch::Set(n) => Patch::Set(n.and_then(|n| u32::try_from(n).ok())),
    })
}

/// `cancellation_policy` with its three states: absent (`Keep`), `null`, or a policy.
fn policy_patch(f: &mut Fields<'_>, obj: &Map<String, Value>) -> ApiResult<Opt<CancellationPolicy>> {
    Ok(match obj.get("cancellation_policy") {
        None => Patch::Keep,
        Some(Value::Null) => Patch::Set(None),
        Some(_) => Patch::Set(policy(f)?),
    })
}

fn check_stays(f: &mut Fields<'_>, min: Option<u32>, max: Option<u32>) {
    if let (Some(min), Some(max)) = (min, max)
        && max < min
    {
        f.push("max_stay", format!("Input should be greater than or equal to min_stay ({min})"), "out_of_range");
    }
}

impl CreateRatePlanRequest {
    pub fn parse(obj: &Map<String, Value>) -> ApiResult<Self> {
        let mut f = Fields::new(obj);
        let name = f.req_str("name", 1, 255)?;
        let code = f.req_str("code", 1, 32)?;
        check_code(&mut f, &code);
        let meal_plan = value(meal_plan(&mut f)?).unwrap_or(MealPlan::RoomOnly);
        let price_rule = price_rule(&mut f)?.unwrap_or(PriceRule::BASE);
        let min_stay = value(stay(&mut f, "min_stay")?);
        let max_stay = value(stay(&mut f, "max_stay")?);
        check_stays(&mut f, min_stay, max_stay);
        let active = value(f.opt_bool("active")?).unwrap_or(true);
        let cancellation_policy = value(policy_patch(&mut f, obj)?);
        f.finish()?;
        Ok(CreateRatePlanRequest { name, code, meal_plan, price_rule, min_stay, max_stay, active, cancellation_policy })
    }
}

impl From<CreateRatePlanRequest> for NewRatePlan {
    fn from(r: CreateRatePlanRequest) -> Self {
        NewRatePlan {
            name: r.name,
            code: r.code,
            meal_plan: r.meal_plan,
            price_rule: r.price_rule,
            min_stay: r.min_stay,
            max_stay: r.max_stay,
            active: r.active,
            cancellation_policy: r.cancellation_policy,
        }
    }
}

impl UpdateRatePlanRequest {
    pub fn parse(obj: &Map<String, Value>) -> ApiResult<Self> {
        let mut f = Fields::new(obj);
        let name = value(f.opt_str("name", 1, 255)?);
        let code = value(code(&mut f)?);
        let meal_plan = value(meal_plan(&mut f)?);
        let price_rule = price_rule(&mut f)?;
        let min_stay = stay(&mut f, "min_stay")?;
        let max_stay = stay(&mut f, "max_stay")?;
        if let (Patch::Set(min), Patch::Set(max)) = (&min_stay, &max_stay) {
            check_stays(&mut f, *min, *max);
        }
        let active = value(f.opt_bool("active")?);
        let cancellation_policy = policy_patch(&mut f, obj)?;
        f.finish()?;
        Ok(UpdateRatePlanRequest { name, code, meal_plan, price_rule, min_stay, max_stay, active, cancellation_policy })
    }
}

impl From<UpdateRatePlanRequest> for RatePlanPatch {
    fn from(r: UpdateRatePlanRequest) -> Self {
        RatePlanPatch {
            name: r.name,
            code: r.code,
            meal_plan: r.meal_plan,
            price_rule: r.price_rule,
            min_stay: r.min_stay,
            max_stay: r.max_stay,
            active: r.active,
            cancellation_policy: r.cancellation_policy,
        }
    }
}
