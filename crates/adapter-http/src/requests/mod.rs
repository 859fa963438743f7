//! Typed inputs: every request body, query string and path of the API as a struct that is at once its OpenAPI
//! schema (`ToSchema` / `IntoParams`) and what its handler consumes. Each struct's `parse` reads it with the strict
//! parser of [`crate::input`] (no coercion, duplicate keys rejected, the exact 422 shapes of API.md §1.4 and
//! §2.1), so the document cannot drift from what is accepted: a field is documented because the parser reads it
//! into the documented struct.
//!
//! Partial updates (API.md §1.4) keep the parser's three states in [`Opt`]: absent (`Keep`), `null`, or a value.
//! Their schemas are nullable and not required.
//!
//! One module per route group; the value schemas and field helpers they share are here.

mod auth;
mod bookings;
mod management;
mod params;
mod queries;
mod rate_plans;
mod settings;
mod users;
mod webhook;

pub use auth::*;
pub use bookings::*;
pub use management::*;
pub use params::*;
pub use queries::*;
pub use rate_plans::*;
pub use settings::*;
pub use users::*;
pub use webhook::*;

use crate::dto::{BookingStatusDto, GenderDto, SearchSortDto};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::extract::id;
use crate::input::{Fields, Opt, Query, invalid, json_integer, parse_json, parse_object};
use actix_web::HttpRequest;
use chrono::NaiveDate;
use domain::model::{
    BookingStatus, Email, Gender, GuestPatch, HotelPatch, InventoryPatch, Money, NewGuest, NewHotel, NewRoom,
    PASSWORD_MAX, PASSWORD_MIN, Page, Patch, ProfilePatch, RoomPatch,
};
use rust_decimal::Decimal;
use serde_json::{Map, Value, json};
use std::borrow::Cow;
use std::collections::HashMap;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, OneOfBuilder, Schema, SchemaFormat, Type};
use utoipa::{IntoParams, PartialSchema, ToSchema};

/// The value of a partial-update field, `None` when absent or `null`.
pub(super) fn value<T>(p: Opt<T>) -> Option<T> {
    match p {
        Patch::Set(v) => v,
        Patch::Keep => None,
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Input value schemas
// ---------------------------------------------------------------------------------------------------------------

/// Regular expression of a money or surge input given as a string.
pub const DECIMAL_INPUT_PATTERN: &str = r"^\d+(\.\d{1,2})?$";

pub(super) fn decimal_input(name: &str, min: f64, exclusive_min: bool, max: f64, example: &str) -> RefOr<Schema> {
    let number = ObjectBuilder::new().schema_type(Type::Number).maximum(Some(max));
    let number = if exclusive_min { number.exclusive_minimum(Some(min)) } else { number.minimum(Some(min)) };
    OneOfBuilder::new()
        .item(ObjectBuilder::new().schema_type(Type::String).pattern(Some(DECIMAL_INPUT_PATTERN)).examples([example]))
        .item(number)
        .description(Some(format!(
            "{name}: a decimal string or a JSON number with at most 2 decimals, read from its literal text (never \
             through binary floating point)."
        )))
        .into()
}

/// Money on input: `> 0` and `≤ 1000000.00`, at most 2 decimals, a string or a number. Schema `MoneyInput`.
pub struct MoneyInput;

impl PartialSchema for MoneyInput {
    fn schema() -> RefOr<Schema> {
        decimal_input("Money (> 0, ≤ 1000000.00)", 0.0, true, 1_000_000.0, "100.50")
    }
}

impl ToSchema for MoneyInput {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("MoneyInput")
    }
}

/// A surge factor on input: `0.10..=10.00`, at most 2 decimals, a string or a number. Schema `SurgeFactorInput`.
pub struct SurgeInput;

impl PartialSchema for SurgeInput {
    fn schema() -> RefOr<Schema> {
        decimal_input("Surge factor (0.10..=10.00)", 0.1, false, 10.0, "1.25")
    }
}

impl ToSchema for SurgeInput {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("SurgeFactorInput")
    }
}

/// A photo: an absolute http(s) URL of at most 2048 characters. Schema `PhotoUrl`.
pub struct PhotoUrl;

impl PartialSchema for PhotoUrl {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::Custom("uri".into())))
            .pattern(Some("^https?://[^/\\s]\\S*$"))
            .max_length(Some(2048))
            .examples(["https://img.example.com/aurora.jpg"])
            .into()
    }
}

impl ToSchema for PhotoUrl {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("PhotoUrl")
    }
}

/// An amenity: 1..=64 characters after trimming. Schema `Amenity`.
pub struct Amenity;

impl PartialSchema for Amenity {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(1))
            .max_length(Some(64))
            .examples(["wifi"])
            .into()
    }
}

impl ToSchema for Amenity {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Amenity")
    }
}
