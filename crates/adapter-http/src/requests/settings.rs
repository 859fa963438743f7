//! A hotel's local settings in create and update bodies: time zone, currency, check-in/out times and the
//! cancellation policy. Absent fields take the defaults on create (`UTC`, the deployment's `CURRENCY`, 15:00,
//! 11:00, free cancellation until check-in) and keep the hotel's values on update; `null` is the same as absent.

use super::*;
use chrono::NaiveTime;
use domain::model::{
    CancellationPolicy, Currency, MAX_FREE_HOURS, MAX_TAX_RULES, Penalty, TaxKind, TaxRule, TimeZone, parse_clock_time,
};

/// The settings read from a body (each `None` when absent or `null`).
#[derive(Debug, Default)]
pub struct HotelSettings {
    pub time_zone: Option<TimeZone>,
    pub currency: Option<Currency>,
    pub check_in_time: Option<NaiveTime>,
    pub check_out_time: Option<NaiveTime>,
    pub cancellation_policy: Option<CancellationPolicy>,
    pub taxes: Option<Vec<TaxRule>>,
}

/// Reads the settings of `f`; their errors join `f`'s.
pub(super) fn settings(f: &mut Fields<'_>) -> ApiResult<HotelSettings> {
    let time_zone = match value(f.opt_str("time_zone", 1, 64)?) {
        Some(name) => {
            let tz = TimeZone::parse(&name);
            if tz.is_none() {
                f.push("time_zone", "Input should be an IANA time zone name such as Europe/Lisbon", "time_zone");
            }
            tz
        }
        None => None,
    };
    let currency = match value(f.opt_str("currency", 3, 3)?) {
        Some(code) if code.len() == 3 => {
            let c = Currency::parse(&code);
            if c.is_none() {
                f.push("currency", "Input should be a supported ISO 4217 currency with 2 minor digits", "currency");
            }
            c
        }
        _ => None,
    };
    let time = |f: &mut Fields<'_>, name: &str| -> ApiResult<Option<NaiveTime>> {
        Ok(match value(f.opt_str(name, 5, 5)?) {
            Some(s) if s.len() == 5 => {
                let t = parse_clock_time(&s);
                if t.is_none() {
                    f.push(name, "Input should be a time in the format HH:MM", "time_type");
                }
                t
            }
            _ => None,
        })
    };
    let check_in_time = time(f, "check_in_time")?;
    let check_out_time = time(f, "check_out_time")?;
    let cancellation_policy = policy(f)?;
    let taxes = taxes(f)?;
    Ok(HotelSettings { time_zone, currency, check_in_time, check_out_time, cancellation_policy, taxes })
}

/// `taxes`: a list of at most 20 rules (absent or `null` → `None`; `[]` removes every rule).
pub(super) fn taxes(f: &mut Fields<'_>) -> ApiResult<Option<Vec<TaxRule>>> {
    let Patch::Set(Some(items)) = f.opt_object_list("taxes")? else { return Ok(None) };
    if items.len() > MAX_TAX_RULES {
        f.push("taxes", format!("List should have at most {MAX_TAX_RULES} items after validation"), "too_long");
        return Ok(None);
    }
    let mut rules = Vec::with_capacity(items.len());
    for (i, m) in items.into_iter().enumerate() {
        let mut prefix = f.child_prefix("taxes");
        prefix.push(i.to_string());
        let mut p = Fields::nested(m, prefix);
        let name = p.req_str("name", 1, 100)?;
        let kind = match p.opt_enum(
            "kind",
            TaxKind::parse,
            "'PERCENT', 'PER_ROOM_PER_NIGHT', 'PER_PERSON_PER_NIGHT' or 'PER_STAY'",
        )? {
            Patch::Set(Some(k)) => k,
            _ => {
                p.push("kind", "Field required", "missing");
                TaxKind::PerStay
            }
        };
        let max = if kind == TaxKind::Percent { Decimal::ONE_HUNDRED } else { Decimal::from(10_000) };
        let value = match value(p.opt_decimal("value", Decimal::ZERO, true, max)?) {
            Some(v) => v,
            None => {
                p.push("value", "Field required", "missing");
                Decimal::ONE
            }
        };
        let included = value_bool(p.opt_bool("included")?);
        f.absorb(p);
        rules.push(TaxRule { name, kind, value: value.normalize(), included });
    }
    Ok(Some(rules))
}

fn value_bool(v: Patch<Option<bool>>) -> bool {
    matches!(v, Patch::Set(Some(true)))
}

/// `cancellation_policy`: absent or `null` → `None`.
pub(super) fn policy(f: &mut Fields<'_>) -> ApiResult<Option<CancellationPolicy>> {
    let prefix = f.child_prefix("cancellation_policy");
    let Patch::Set(Some(m)) = f.opt_object("cancellation_policy")? else { return Ok(None) };
    let mut p = Fields::nested(m, prefix);
    let kind = p.req_str("type", 1, 32)?;
    let out = match kind.as_str() {
        "NON_REFUNDABLE" => {
            for extra in ["free_cancellation_hours", "penalty", "penalty_nights", "penalty_percent"] {
                if m.get(extra).is_some_and(|v| !v.is_null()) {
                    p.push(extra, "Not allowed for a NON_REFUNDABLE policy", "extra_forbidden");
                }
            }
            Some(CancellationPolicy::NonRefundable)
        }
        "FREE_CANCELLATION" => {
            let hours = p.req_int("free_cancellation_hours", 0, i64::from(MAX_FREE_HOURS))?;
            let penalty = match p.req_str("penalty", 1, 32)?.as_str() {
                "FULL" => Some(Penalty::Full),
                "FIRST_NIGHTS" => {
                    let n = p.req_int("penalty_nights", 1, 365)?;
                    Some(Penalty::FirstNights(u32::try_from(n).unwrap_or(1)))
                }
                "PERCENT" => {
                    let pct = value(p.opt_decimal("penalty_percent", Decimal::ZERO, false, Decimal::ONE_HUNDRED)?);
                    match pct {
                        Some(d) => Some(Penalty::Percent(d)),
                        None => {
                            p.push("penalty_percent", "Field required", "missing");
                            None
                        }
                    }
                }
                _ => {
                    p.push("penalty", "Input should be 'FULL', 'FIRST_NIGHTS' or 'PERCENT'", "enum");
                    None
                }
            };
            penalty.map(|penalty| CancellationPolicy::Refundable {
                free_hours: u32::try_from(hours).unwrap_or(0),
                penalty,
            })
        }
        _ => {
            p.push("type", "Input should be 'FREE_CANCELLATION' or 'NON_REFUNDABLE'", "enum");
            None
        }
    };
    f.absorb(p);
    Ok(out.filter(CancellationPolicy::is_valid))
}
