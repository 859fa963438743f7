//! Strict input parsing: JSON bodies (duplicate keys rejected, no coercion), query strings and path ids, with
//! pydantic-style 422 errors (API.md §1.4, §2.1). The typed inputs of `crate::requests` are read with it.
//!
//! Why one file (~600 lines): the JSON field readers, the query reader and the path-id rule share one error
//! model (`Fields`, `FieldError`, the order of 422 errors); splitting them would duplicate that machinery.

use crate::error::{ApiError, FieldError};
use chrono::NaiveDate;
use domain::model::{Money, Patch};
use rust_decimal::Decimal;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value, json};
use std::str::FromStr;

const NUMBER_TOKEN: &str = "$serde_json::private::Number";

struct Strict(Value);

impl<'de> de::Deserialize<'de> for Strict {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StrictVisitor)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Strict;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("JSON")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Strict, E> {
        Ok(Strict(Value::Bool(v)))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Strict, E> {
        Ok(Strict(Value::Number(v.into())))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Strict, E> {
        Ok(Strict(Value::Number(v.into())))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Strict, E> {
        Number::from_f64(v).map(|n| Strict(Value::Number(n))).ok_or_else(|| E::custom("bad number"))
    }
    fn visit_str<E>(self, v: &str) -> Result<Strict, E> {
        Ok(Strict(Value::String(v.to_string())))
    }
    fn visit_string<E>(self, v: String) -> Result<Strict, E> {
        Ok(Strict(Value::String(v)))
    }
    fn visit_unit<E>(self) -> Result<Strict, E> {
        Ok(Strict(Value::Null))
    }
    fn visit_none<E>(self) -> Result<Strict, E> {
        Ok(Strict(Value::Null))
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Strict, D::Error> {
        de::Deserialize::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Strict, A::Error> {
        let mut v = Vec::new();
        while let Some(Strict(x)) = seq.next_element()? {
            v.push(x);
        }
        Ok(Strict(Value::Array(v)))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Strict, A::Error> {
        let mut m = Map::new();
        while let Some(k) = map.next_key::<String>()? {
            if k == NUMBER_TOKEN {
                let s: String = map.next_value()?;
                let n = Number::from_str(&s).map_err(de::Error::custom)?;
                return Ok(Strict(Value::Number(n)));
            }
            let Strict(v) = map.next_value()?;
            if m.contains_key(&k) {
                return Err(de::Error::custom(format!("duplicate key {k}")));
            }
            m.insert(k, v);
        }
        Ok(Strict(Value::Object(m)))
    }
}

fn loc(parts: &[&str]) -> Vec<Value> {
    parts.iter().map(|p| json!(p)).collect()
}

/// One immediate 422.
pub fn invalid(parts: &[&str], msg: impl Into<String>, kind: &'static str) -> ApiError {
    ApiError::Validation(vec![FieldError::new(loc(parts), msg, kind)])
}

/// Parses a body strictly. Empty → 422 missing at `["body"]`; bad JSON or duplicate keys → `json_invalid`.
pub fn parse_json(bytes: &[u8]) -> Result<Value, ApiError> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(invalid(&["body"], "Field required", "missing"));
    }
    let mut d = serde_json::Deserializer::from_slice(bytes);
    let v = <Strict as de::Deserialize>::deserialize(&mut d)
        .and_then(|v| d.end().map(|_| v))
        .map_err(|e| invalid(&["body"], format!("Invalid JSON: {e}"), "json_invalid"))?;
    Ok(v.0)
}

/// The body as a JSON object.
pub fn parse_object(bytes: &[u8]) -> Result<Map<String, Value>, ApiError> {
    match parse_json(bytes)? {
        Value::Object(m) => Ok(m),
        _ => Err(invalid(&["body"], "Input should be a valid dictionary or object", "object_type")),
    }
}

/// Field readers over a body object. Type and missing errors return at once; range and length errors
/// accumulate and are reported by [`Fields::finish`].
pub struct Fields<'a> {
    map: &'a Map<String, Value>,
    prefix: Vec<String>,
    errors: Vec<FieldError>,
}

/// A value that may be absent (`Keep`), null (`Set(None)`) or given (`Set(Some(v))`).
pub type Opt<T> = Patch<Option<T>>;

impl<'a> Fields<'a> {
    /// Readers over `map` with locations under `body`.
    pub fn new(map: &'a Map<String, Value>) -> Self {
        Fields { map, prefix: vec!["body".into()], errors: Vec::new() }
    }
    /// Readers over a nested object.
    pub fn nested(map: &'a Map<String, Value>, prefix: Vec<String>) -> Self {
        Fields { map, prefix, errors: Vec::new() }
    }
    fn loc(&self, name: &str) -> Vec<Value> {
        // A list index in the prefix (objects inside a list) is a number, as pydantic writes it.
        let item = |p: &String| p.parse::<u64>().map(|n| json!(n)).unwrap_or_else(|_| json!(p));
        self.prefix.iter().map(item).chain(std::iter::once(json!(name))).collect()
    }
    fn fail(&self, name: &str, msg: &str, kind: &'static str) -> ApiError {
        ApiError::Validation(vec![FieldError::new(self.loc(name), msg, kind)])
    }
    /// Records a range or length error.
    pub fn push(&mut self, name: &str, msg: impl Into<String>, kind: &'static str) {
        let l = self.loc(name);
        self.errors.push(FieldError::new(l, msg, kind));
    }
    /// Records a range or length error at an index of a list field.
    pub fn push_at(&mut self, name: &str, index: usize, msg: impl Into<String>, kind: &'static str) {
        let mut l = self.loc(name);
        l.push(json!(index));
        self.errors.push(FieldError::new(l, msg, kind));
    }
    /// Fails with the accumulated errors, if any.
    pub fn finish(self) -> Result<(), ApiError> {
        if self.errors.is_empty() { Ok(()) } else { Err(ApiError::Validation(self.errors)) }
    }
    /// Merges another reader's accumulated errors.
    pub fn absorb(&mut self, other: Fields<'_>) {
        self.errors.extend(other.errors);
    }

    fn get(&self, name: &str) -> Option<&'a Value> {
        self.map.get(name)
    }

    fn required<T>(&self, name: &str, v: Opt<T>) -> Result<T, ApiError> {
        match v {
            Patch::Set(Some(x)) => Ok(x),
            _ => Err(self.fail(name, "Field required", "missing")),
        }
    }

    /// A string (trimmed), checked to have `min..=max` characters.
    pub fn opt_str(&mut self, name: &str, min: usize, max: usize) -> Result<Opt<String>, ApiError> {
        match self.get(name) {
            None => Ok(Patch::Keep),
            Some(Value::Null) => Ok(Patch::Set(None)),
            Some(Value::String(s)) => {
                let t = s.trim().to_string();
                self.check_len(name, &t, min, max);
                Ok(Patch::Set(Some(t)))
            }
            Some(_) => Err(self.fail(name, "Input should be a valid string", "string_type")),
        }
    }
    /// A required string (trimmed).
    pub fn req_str(&mut self, name: &str, min: usize, max: usize) -> Result<String, ApiError> {
        let v = self.opt_str(name, min, max)?;
        self.required(name, v)
    }
    /// A raw (untrimmed) required string, such as a password.
    pub fn req_raw_str(&mut self, name: &str) -> Result<String, ApiError> {
        match self.get(name) {
            None | Some(Value::Null) => Err(self.fail(name, "Field required", "missing")),
            Some(Value::String(s)) => Ok(s.clone()),
            Some(_) => Err(self.fail(name, "Input should be a valid string", "string_type")),
        }
    }
    /// Records a length error when `s` is outside `min..=max` characters.
    pub fn check_len(&mut self, name: &str, s: &str, min: usize, max: usize) {
        let n = s.chars().count();
        if n < min {
            self.push(name, format!("String should have at least {min} character{}", plural(min)), "too_short");
        } else if n > max {
            self.push(name, format!("String should have at most {max} character{}", plural(max)), "too_long");
        }
    }
    /// An integer (no coercion), checked to lie in `min..=max`.
    pub fn opt_int(&mut self, name: &str, min: i64, max: i64) -> Result<Opt<i64>, ApiError> {
        match self.get(name) {
            None => Ok(Patch::Keep),
            Some(Value::Null) => Ok(Patch::Set(None)),
            Some(Value::Number(n)) if json_integer(n).is_some() => match json_integer(n) {
                Some(Ok(v)) => {
                    self.check_range(name, v, min, max);
                    Ok(Patch::Set(Some(v)))
                }
                Some(Err(above)) => {
                    let (msg, v) = if above {
                        (format!("Input should be less than or equal to {max}"), max)
                    } else {
                        (format!("Input should be greater than or equal to {min}"), min)
                    };
                    self.push(name, msg, "out_of_range");
                    Ok(Patch::Set(Some(v)))
                }
                None => Err(self.fail(name, "Input should be a valid integer", "int_type")),
            },
            Some(_) => Err(self.fail(name, "Input should be a valid integer", "int_type")),
        }
    }
    /// A required integer.
    pub fn req_int(&mut self, name: &str, min: i64, max: i64) -> Result<i64, ApiError> {
        let v = self.opt_int(name, min, max)?;
        self.required(name, v)
    }
    fn check_range(&mut self, name: &str, v: i64, min: i64, max: i64) {
        if v < min {
            self.push(name, format!("Input should be greater than or equal to {min}"), "out_of_range");
        } else if v > max {
            self.push(name, format!("Input should be less than or equal to {max}"), "out_of_range");
        }
    }
    /// A boolean.
    pub fn opt_bool(&mut self, name: &str) -> Result<Opt<bool>, ApiError> {
        match self.get(name) {
            None => Ok(Patch::Keep),
            Some(Value::Null) => Ok(Patch::Set(None)),
            Some(Value::Bool(b)) => Ok(Patch::Set(Some(*b))),
            Some(_) => Err(self.fail(name, "Input should be a valid boolean", "bool_type")),
        }
    }
    /// A `YYYY-MM-DD` date.
    pub fn opt_date(&mut self, name: &str) -> Result<Opt<NaiveDate>, ApiError> {
        match self.get(name) {
            None => Ok(Patch::Keep),
            Some(Value::Null) => Ok(Patch::Set(None)),
            Some(Value::String(s)) => {
                parse_date(s).map(|d| Patch::Set(Some(d))).ok_or_else(|| self.fail(name, DATE_MSG, "date_type"))
            }
            Some(_) => Err(self.fail(name, DATE_MSG, "date_type")),
        }
    }
    /// A required date.
    pub fn req_date(&mut self, name: &str) -> Result<NaiveDate, ApiError> {
        let v = self.opt_date(name)?;
        self.required(name, v)
    }
    /// A decimal from a number or a decimal string, with at most 2 places, in `(0, max]` or `[min, max]`.
    pub fn opt_decimal(
        &mut self,
        name: &str,
        min: Decimal,
        min_exclusive: bool,
        max: Decimal,
    ) -> Result<Opt<Decimal>, ApiError> {
        let raw = match self.get(name) {
            None => return Ok(Patch::Keep),
            Some(Value::Null) => return Ok(Patch::Set(None)),
            Some(Value::Number(n)) => n.to_string(),
            Some(Value::String(s)) => s.trim().to_string(),
            Some(_) => {
                return Err(self.fail(
                    name,
                    "Decimal input should be an integer, float, string or Decimal object",
                    "decimal_type",
                ));
            }
        };
        let d =
            parse_decimal(&raw).ok_or_else(|| self.fail(name, "Input should be a valid decimal", "decimal_type"))?;
        if d.scale() > 2 && d.normalize().scale() > 2 {
            self.push(name, "Decimal input should have no more than 2 decimal places", "decimal_places");
        } else if (min_exclusive && d <= min) || (!min_exclusive && d < min) {
            let word = if min_exclusive { "greater than" } else { "greater than or equal to" };
            self.push(name, format!("Input should be {word} {min}"), "out_of_range");
        } else if d > max {
            self.push(name, format!("Input should be less than or equal to {max}"), "out_of_range");
        }
        Ok(Patch::Set(Some(d)))
    }
    /// A money amount (> 0, ≤ 1000000.00, 2 places).
    pub fn opt_money(&mut self, name: &str) -> Result<Opt<Money>, ApiError> {
        Ok(match self.opt_decimal(name, Decimal::ZERO, true, Decimal::from(1_000_000))? {
            Patch::Keep => Patch::Keep,
            Patch::Set(None) => Patch::Set(None),
            Patch::Set(Some(d)) => Patch::Set(Some(Money::from_decimal_exact(d).unwrap_or(Money::ZERO))),
        })
    }
    /// A required money amount.
    pub fn req_money(&mut self, name: &str) -> Result<Money, ApiError> {
        let v = self.opt_money(name)?;
        self.required(name, v)
    }
    /// An upper-case enum value.
    pub fn opt_enum<T>(&mut self, name: &str, parse: fn(&str) -> Option<T>, names: &str) -> Result<Opt<T>, ApiError> {
        match self.get(name) {
            None => Ok(Patch::Keep),
            Some(Value::Null) => Ok(Patch::Set(None)),
            Some(Value::String(s)) => parse(s)
                .map(|v| Patch::Set(Some(v)))
                .ok_or_else(|| self.fail(name, format!("Input should be {names}").as_str(), "enum")),
            Some(_) => Err(self.fail(name, "Input should be a valid string", "string_type")),
        }
    }
    /// A list whose items `item` reads (`None`: not of the item's type, reported at its index as `kind`).
    fn opt_list<T>(
        &mut self,
        name: &str,
        item: impl Fn(&'a Value) -> Option<T>,
        msg: &str,
        kind: &'static str,
    ) -> Result<Opt<Vec<T>>, ApiError> {
        match self.get(name) {
            None => Ok(Patch::Keep),
            Some(Value::Null) => Ok(Patch::Set(None)),
            Some(Value::Array(items)) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, it) in items.iter().enumerate() {
                    let Some(v) = item(it) else {
                        let mut l = self.loc(name);
                        l.push(json!(i));
                        return Err(ApiError::Validation(vec![FieldError::new(l, msg, kind)]));
                    };
                    out.push(v);
                }
                Ok(Patch::Set(Some(out)))
            }
            Some(_) => Err(self.fail(name, "Input should be a valid list", "list_type")),
        }
    }
    /// A list of strings (each trimmed).
    pub fn opt_str_list(&mut self, name: &str) -> Result<Opt<Vec<String>>, ApiError> {
        self.opt_list(
            name,
            |v| v.as_str().map(|s| s.trim().to_string()),
            "Input should be a valid string",
            "string_type",
        )
    }
    /// A list of objects (each reported at its index when it is not one).
    pub fn opt_object_list(&mut self, name: &str) -> Result<Opt<Vec<&'a Map<String, Value>>>, ApiError> {
        self.opt_list(name, Value::as_object, "Input should be a valid dictionary or object", "object_type")
    }
    /// A nested object.
    pub fn opt_object(&mut self, name: &str) -> Result<Opt<&'a Map<String, Value>>, ApiError> {
        match self.get(name) {
            None => Ok(Patch::Keep),
            Some(Value::Null) => Ok(Patch::Set(None)),
            Some(Value::Object(m)) => Ok(Patch::Set(Some(m))),
            Some(_) => Err(self.fail(name, "Input should be a valid dictionary or object", "object_type")),
        }
    }
    /// Location prefix of a nested field.
    pub fn child_prefix(&self, name: &str) -> Vec<String> {
        let mut p = self.prefix.clone();
        p.push(name.to_string());
        p
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

const DATE_MSG: &str = "Input should be a valid date in the format YYYY-MM-DD";

/// Exactly `YYYY-MM-DD`, a valid calendar date.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    if !b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit()) {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// A plain decimal literal (optional sign, digits, optional fraction; exponent allowed for numbers).
pub fn parse_decimal(s: &str) -> Option<Decimal> {
    if s.is_empty() {
        return None;
    }
    if s.contains(['e', 'E']) {
        return Decimal::from_scientific(s).ok();
    }
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    let mut parts = body.splitn(2, '.');
    let int = parts.next().unwrap_or("");
    let frac = parts.next();
    let ok = !int.is_empty()
        && int.bytes().all(|c| c.is_ascii_digit())
        && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|c| c.is_ascii_digit()));
    if !ok {
        return None;
    }
    Decimal::from_str(s).ok()
}

/// Query parameters (the first value of each name wins), with 422s at `["query", name]`.
pub struct Query {
    pairs: Vec<(String, String)>,
    errors: Vec<FieldError>,
}

impl Query {
    /// Parses a raw query string.
    pub fn parse(qs: &str) -> Self {
        let pairs =
            actix_web::web::Query::<Vec<(String, String)>>::from_query(qs).map(|q| q.into_inner()).unwrap_or_default();
        Query { pairs, errors: Vec::new() }
    }
    fn raw(&self, name: &str) -> Option<&str> {
        self.pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
    fn fail(name: &str, msg: &str, kind: &'static str) -> ApiError {
        invalid(&["query", name], msg, kind)
    }
    /// Records a range error.
    pub fn push(&mut self, name: &str, msg: impl Into<String>, kind: &'static str) {
        self.errors.push(FieldError::new(loc(&["query", name]), msg, kind));
    }
    /// Fails with the accumulated errors, if any.
    pub fn finish(&mut self) -> Result<(), ApiError> {
        if self.errors.is_empty() { Ok(()) } else { Err(ApiError::Validation(std::mem::take(&mut self.errors))) }
    }
    /// A string (trimmed) of `min..=max` characters.
    pub fn opt_str(&mut self, name: &str, min: usize, max: usize) -> Option<String> {
        let s = self.raw(name)?.trim().to_string();
        let n = s.chars().count();
        if n < min {
            self.push(name, format!("String should have at least {min} character{}", plural(min)), "too_short");
        } else if n > max {
            self.push(name, format!("String should have at most {max} character{}", plural(max)), "too_long");
        }
        Some(s)
    }
    /// A required string.
    pub fn req_str(&mut self, name: &str, min: usize, max: usize) -> Result<String, ApiError> {
        self.opt_str(name, min, max).ok_or_else(|| Self::fail(name, "Field required", "missing"))
    }
    /// ASCII digits only, in `min..=max`.
    pub fn opt_int(&mut self, name: &str, min: i64, max: i64) -> Result<Option<i64>, ApiError> {
        let Some(s) = self.raw(name) else { return Ok(None) };
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Self::fail(
                name,
                "Input should be a valid integer, unable to parse string as an integer",
                "int_type",
            ));
        }
        let v = s.parse::<i64>().unwrap_or(i64::MAX);
        if v < min {
            self.push(name, format!("Input should be greater than or equal to {min}"), "out_of_range");
        } else if v > max {
            self.push(name, format!("Input should be less than or equal to {max}"), "out_of_range");
        }
        Ok(Some(v))
    }
    /// A `YYYY-MM-DD` date.
    pub fn opt_date(&mut self, name: &str) -> Result<Option<NaiveDate>, ApiError> {
        let Some(s) = self.raw(name) else { return Ok(None) };
        parse_date(s).map(Some).ok_or_else(|| Self::fail(name, DATE_MSG, "date_type"))
    }
    /// A required date.
    pub fn req_date(&mut self, name: &str) -> Result<NaiveDate, ApiError> {
        self.opt_date(name)?.ok_or_else(|| Self::fail(name, "Field required", "missing"))
    }
    /// A money filter (> 0, ≤ 1000000.00, 2 places).
    pub fn opt_money(&mut self, name: &str) -> Result<Option<Money>, ApiError> {
        let Some(s) = self.raw(name) else { return Ok(None) };
        let d = parse_decimal(s.trim())
            .ok_or_else(|| Self::fail(name, "Input should be a valid decimal", "decimal_type"))?;
        if d.normalize().scale() > 2 {
            self.push(name, "Decimal input should have no more than 2 decimal places", "decimal_places");
            return Ok(None);
        }
        if d <= Decimal::ZERO {
            self.push(name, "Input should be greater than 0", "out_of_range");
            return Ok(None);
        }
        if d > Decimal::from(1_000_000) {
            self.push(name, "Input should be less than or equal to 1000000", "out_of_range");
            return Ok(None);
        }
        Ok(Money::from_decimal_exact(d))
    }
    /// A lower-case option among `allowed`.
    pub fn opt_choice(&mut self, name: &str, allowed: &[&str]) -> Result<Option<String>, ApiError> {
        let Some(s) = self.raw(name) else { return Ok(None) };
        if allowed.contains(&s) {
            Ok(Some(s.to_string()))
        } else {
            let names = allowed.iter().map(|a| format!("'{a}'")).collect::<Vec<_>>().join(", ");
            Err(Self::fail(name, &format!("Input should be {names}"), "enum"))
        }
    }
}

/// A JSON integer literal (digits, optional minus; never `1.0` or `1e1`): `Ok` within i64, `Err(true)` above
/// it, `Err(false)` below it; `None` when the number is not an integer literal. Bodies keep the literal text
/// (serde_json `arbitrary_precision`), so integers of any size are told apart from floats.
pub fn json_integer(n: &serde_json::Number) -> Option<Result<i64, bool>> {
    let s = n.to_string();
    let digits = s.strip_prefix('-').unwrap_or(&s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(s.parse::<i64>().map_err(|_| !s.starts_with('-')))
}

/// A path id: ASCII digits, 1..=2^63−1.
pub fn path_id(raw: &str, name: &str) -> Result<i64, ApiError> {
    if raw.is_empty() || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid(
            &["path", name],
            "Input should be a valid integer, unable to parse string as an integer",
            "int_type",
        ));
    }
    match raw.parse::<i64>() {
        Ok(v) if v >= 1 => Ok(v),
        Ok(_) => Err(invalid(&["path", name], "Input should be greater than or equal to 1", "out_of_range")),
        Err(_) => {
            Err(invalid(&["path", name], "Input should be less than or equal to 9223372036854775807", "out_of_range"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_keys_are_rejected() {
        assert!(parse_json(br#"{"a":1,"a":2}"#).is_err());
        assert!(parse_json(br#"{"a":{"b":1,"b":1}}"#).is_err());
        assert!(parse_json(br#"{"a":1,"b":2}"#).is_ok());
    }

    #[test]
    fn integers_are_not_coerced() {
        for bad in [r#"{"n":"12"}"#, r#"{"n":12.0}"#, r#"{"n":1e1}"#, r#"{"n":true}"#] {
            let m = parse_object(bad.as_bytes()).unwrap();
            assert!(Fields::new(&m).req_int("n", 0, 100).is_err(), "{bad}");
        }
        let m = parse_object(br#"{"n":12}"#).unwrap();
        assert_eq!(Fields::new(&m).req_int("n", 0, 100).unwrap(), 12);
    }

    #[test]
    fn money_from_literal_text() {
        let m = parse_object(br#"{"a":100.10,"b":"99.99","c":1.005,"d":0}"#).unwrap();
        let mut f = Fields::new(&m);
        assert_eq!(f.req_money("a").unwrap().minor(), 10010);
        assert_eq!(f.req_money("b").unwrap().minor(), 9999);
        f.req_money("c").unwrap();
        f.req_money("d").unwrap();
        let Err(ApiError::Validation(errs)) = f.finish() else { panic!() };
        assert_eq!(errs.iter().map(|e| e.kind).collect::<Vec<_>>(), ["decimal_places", "out_of_range"]);
    }

    #[test]
    fn dates_are_strict() {
        assert!(parse_date("2026-02-29").is_none());
        assert!(parse_date("2026-2-01").is_none());
        assert!(parse_date("2026-02-01T00:00").is_none());
        assert!(parse_date("2028-02-29").is_some());
    }

    #[test]
    fn path_ids() {
        assert_eq!(path_id("007", "id").unwrap(), 7);
        assert!(path_id("0", "id").is_err());
        assert!(path_id("-1", "id").is_err());
        assert!(path_id("9223372036854775808", "id").is_err());
    }
}
