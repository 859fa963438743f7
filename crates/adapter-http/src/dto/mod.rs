//! Response DTOs (key order as in API.md §4.2) and their conversions from domain types. Each DTO is also the
//! OpenAPI schema of what it serialises: dates and timestamps are typed (`format: date` / `date-time`), money is
//! the `Money` string schema, enums are the string enums of API.md §1.2. Response keys are never omitted, so the
//! document marks every key of a response schema required (`openapi::ResponseKeysRequired`); `Option` fields are
//! nullable.
//!
//! One module per area (`accounts`, `catalog`, `bookings`, `service`); the value schemas (money, surge, enums) and
//! serialisation helpers they share are here.

mod accounts;
mod bookings;
mod calendar;
mod catalog;
mod history;
mod policy;
mod service;
mod stays;

pub use accounts::*;
pub use bookings::*;
pub use calendar::*;
pub use catalog::*;
pub use history::*;
pub use policy::*;
pub use service::*;
pub use stays::*;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use domain::model::*;
use serde::{Serialize, Serializer};
use std::borrow::Cow;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::{PartialSchema, ToSchema};

/// `2026-11-25T19:26:09.217604Z`. Written field by field (`strftime` re-parses its pattern on every call, and
/// the hot list and calendar answers format thousands of dates).
pub fn ts(t: DateTime<Utc>) -> String {
    use chrono::Timelike;
    let d = t.date_naive();
    if !(0..=9999).contains(&d.year()) {
        return t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string();
    }
    let micros = t.nanosecond().min(999_999_999) / 1000;
    format!("{}T{:02}:{:02}:{:02}.{:06}Z", date(d), t.hour(), t.minute(), t.second(), micros)
}

/// `2026-11-25` (years 0..=9999; others through chrono).
fn date(d: NaiveDate) -> String {
    let (y, m, day) = (d.year(), d.month(), d.day());
    if !(0..=9999).contains(&y) {
        return d.format("%Y-%m-%d").to_string();
    }
    let y = y as u32;
    let digit = |n: u32| char::from(b'0' + (n % 10) as u8);
    let mut s = String::with_capacity(10);
    for c in [digit(y / 1000), digit(y / 100), digit(y / 10), digit(y), '-', digit(m / 10), digit(m), '-'] {
        s.push(c);
    }
    s.push(digit(day / 10));
    s.push(digit(day));
    s
}

fn ser_ts<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&ts(*t))
}

fn ser_ts_opt<S: Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_str(&ts(*t)),
        None => s.serialize_none(),
    }
}

/// `YYYY-MM-DD` in a stack buffer, for years 0..=9999 (`None` otherwise).
fn date_bytes(d: NaiveDate) -> Option<[u8; 10]> {
    let (y, m, day) = (d.year(), d.month(), d.day());
    if !(0..=9999).contains(&y) {
        return None;
    }
    let y = y as u32;
    let digit = |n: u32| b'0' + (n % 10) as u8;
    Some([
        digit(y / 1000),
        digit(y / 100),
        digit(y / 10),
        digit(y),
        b'-',
        digit(m / 10),
        digit(m),
        b'-',
        digit(day / 10),
        digit(day),
    ])
}

/// Appends `"YYYY-MM-DD"` (quoted) to a JSON buffer without allocating.
fn push_date(out: &mut Vec<u8>, d: NaiveDate) {
    out.push(b'"');
    match date_bytes(d) {
        Some(b) => out.extend_from_slice(&b),
        None => out.extend_from_slice(date(d).as_bytes()),
    }
    out.push(b'"');
}

fn ser_date<S: Serializer>(d: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
    // No allocation for the common years: the calendar writes hundreds of dates per answer.
    match date_bytes(*d) {
        Some(b) => s.serialize_str(std::str::from_utf8(&b).unwrap_or_default()),
        None => s.serialize_str(&date(*d)),
    }
}

/// A money amount as the contract writes it (`"100.50"`), without allocating.
fn ser_money<S: Serializer>(m: &Money, s: S) -> Result<S::Ok, S::Error> {
    let mut buf = [0u8; 24];
    let mut i = buf.len();
    let minor = m.minor();
    let mut a = minor.unsigned_abs();
    for k in 0..2 {
        i -= 1;
        buf[i] = b'0' + (a % 10) as u8;
        a /= 10;
        if k == 1 {
            i -= 1;
            buf[i] = b'.';
        }
    }
    loop {
        i -= 1;
        buf[i] = b'0' + (a % 10) as u8;
        a /= 10;
        if a == 0 {
            break;
        }
    }
    if minor < 0 {
        i -= 1;
        buf[i] = b'-';
    }
    s.serialize_str(std::str::from_utf8(&buf[i..]).unwrap_or_default())
}

fn ser_date_opt<S: Serializer>(d: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_str(&date(*d)),
        None => s.serialize_none(),
    }
}

/// The regular expression every money and surge value of a response matches.
pub const MONEY_PATTERN: &str = r"^-?\d+\.\d{2}$";

/// A money amount as the contract writes it: a string with exactly two decimals (`"100.50"`). Schema `Money`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct MoneyStr(pub String);

impl From<Money> for MoneyStr {
    fn from(m: Money) -> Self {
        MoneyStr(m.to_string())
    }
}

impl PartialSchema for MoneyStr {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(MONEY_PATTERN))
            .description(Some("Money: a decimal string with exactly 2 decimals, in the booking currency."))
            .examples(["100.50"])
            .into()
    }
}

impl ToSchema for MoneyStr {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Money")
    }
}

/// A surge factor as the contract writes it: a string with exactly two decimals (`"1.25"`). Schema `SurgeFactor`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct SurgeStr(pub String);

impl PartialSchema for SurgeStr {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(MONEY_PATTERN))
            .description(Some("Surge factor: a decimal string with exactly 2 decimals, 0.10..=10.00."))
            .examples(["1.25"])
            .into()
    }
}

impl ToSchema for SurgeStr {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("SurgeFactor")
    }
}

/// Booking lifecycle status (API.md §1.2, §4.3.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[schema(as = BookingStatus, example = "RESERVED")]
pub enum BookingStatusDto {
    Reserved,
    GuestsAdded,
    PaymentsPending,
    Confirmed,
    Cancelled,
    Expired,
}

impl From<BookingStatus> for BookingStatusDto {
    fn from(s: BookingStatus) -> Self {
        match s {
            BookingStatus::Reserved => BookingStatusDto::Reserved,
            BookingStatus::GuestsAdded => BookingStatusDto::GuestsAdded,
            BookingStatus::PaymentsPending => BookingStatusDto::PaymentsPending,
            BookingStatus::Confirmed => BookingStatusDto::Confirmed,
            BookingStatus::Cancelled => BookingStatusDto::Cancelled,
            BookingStatus::Expired => BookingStatusDto::Expired,
        }
    }
}

/// A user role (API.md §1.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[schema(as = Role, example = "GUEST")]
pub enum RoleDto {
    Guest,
    HotelManager,
}

impl From<Role> for RoleDto {
    fn from(r: Role) -> Self {
        match r {
            Role::Guest => RoleDto::Guest,
            Role::HotelManager => RoleDto::HotelManager,
        }
    }
}

/// Gender of a user or guest (API.md §1.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[schema(as = Gender, example = "FEMALE")]
pub enum GenderDto {
    Male,
    Female,
}

impl From<Gender> for GenderDto {
    fn from(g: Gender) -> Self {
        match g {
            Gender::Male => GenderDto::Male,
            Gender::Female => GenderDto::Female,
        }
    }
}

/// Refund progress of a cancelled or late-paid booking (API.md §1.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[schema(as = RefundStatus, example = "PENDING")]
pub enum RefundStatusDto {
    Pending,
    Succeeded,
    Failed,
}

impl From<RefundStatus> for RefundStatusDto {
    fn from(r: RefundStatus) -> Self {
        match r {
            RefundStatus::Pending => RefundStatusDto::Pending,
            RefundStatus::Succeeded => RefundStatusDto::Succeeded,
            RefundStatus::Failed => RefundStatusDto::Failed,
        }
    }
}

/// Search order (`sort` query option, lower-case).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = SearchSort, example = "price_asc")]
pub enum SearchSortDto {
    PriceAsc,
    PriceDesc,
    Name,
}

impl SearchSortDto {
    /// Every option, in documentation order.
    pub const ALL: [SearchSortDto; 3] = [SearchSortDto::PriceAsc, SearchSortDto::PriceDesc, SearchSortDto::Name];
    /// The query-string spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            SearchSortDto::PriceAsc => "price_asc",
            SearchSortDto::PriceDesc => "price_desc",
            SearchSortDto::Name => "name",
        }
    }
}

impl From<SearchSortDto> for SearchSort {
    fn from(s: SearchSortDto) -> Self {
        match s {
            SearchSortDto::PriceAsc => SearchSort::PriceAsc,
            SearchSortDto::PriceDesc => SearchSort::PriceDesc,
            SearchSortDto::Name => SearchSort::Name,
        }
    }
}

/// `token_type` of a login: always `bearer`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub enum TokenType {
    #[serde(rename = "bearer")]
    Bearer,
}

#[cfg(test)]
mod date_tests {
    use super::*;

    #[test]
    fn dates_and_timestamps_match_the_chrono_patterns() {
        for s in ["2026-01-01", "2026-12-31", "0999-02-03", "9999-12-31", "2024-02-29"] {
            let d: NaiveDate = s.parse().unwrap();
            assert_eq!(date(d), d.format("%Y-%m-%d").to_string());
        }
        #[derive(Serialize)]
        struct W {
            #[serde(serialize_with = "ser_date")]
            d: NaiveDate,
            #[serde(serialize_with = "ser_money")]
            m: Money,
        }
        for (d, m) in [("2026-03-09", 0), ("0001-01-01", 5), ("2027-12-31", -1234), ("2026-07-04", 10_000_000_000)] {
            let day: NaiveDate = d.parse().unwrap();
            let json = serde_json::to_string(&W { d: day, m: Money::from_minor(m) }).unwrap();
            assert_eq!(json, format!("{{\"d\":\"{d}\",\"m\":\"{}\"}}", Money::from_minor(m)));
        }
        for s in ["2026-11-25T19:26:09.217604Z", "2027-01-01T00:00:00Z", "2026-06-30T23:59:59.999999999Z"] {
            let t: DateTime<Utc> = s.parse().unwrap();
            assert_eq!(ts(t), t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(), "{s}");
        }
    }
}
