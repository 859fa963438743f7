//! Typed inputs: every request body, query string and path of the API as a struct that is at once its OpenAPI
//! schema (`ToSchema` / `IntoParams`) and what its handler consumes. Each struct's `parse` reads it with the strict
//! parser of [`crate::input`] (no coercion, duplicate keys rejected, the exact 422 shapes of API.md §1.4 and
//! §2.1), so the document cannot drift from what is accepted: a field is documented because the parser reads it
//! into the documented struct.
//!
//! Partial updates (API.md §1.4) keep the parser's three states in [`Opt`]: absent (`Keep`), `null`, or a value.
//! Their schemas are nullable and not required.
//!
//! Why one file (~1070 lines): each typed input sits next to its parser, and the parsers share private field
//! helpers (hotel lists, contact info, money); the planned split is one module per route group.

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
fn value<T>(p: Opt<T>) -> Option<T> {
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

fn decimal_input(name: &str, min: f64, exclusive_min: bool, max: f64, example: &str) -> RefOr<Schema> {
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

// ---------------------------------------------------------------------------------------------------------------
// Auth
// ---------------------------------------------------------------------------------------------------------------

fn email_field(f: &mut Fields<'_>, name: &str) -> ApiResult<Option<Email>> {
    let raw = f.req_str(name, 0, usize::MAX)?;
    let e = Email::parse(&raw);
    if e.is_none() {
        f.push(name, "value is not a valid email address", "email");
    }
    Ok(e)
}

fn bad_email(name: &str) -> ApiError {
    invalid(&["body", name], "value is not a valid email address", "email")
}

/// `POST /auth/signup`. Unknown fields (`roles` included) are ignored.
#[derive(ToSchema)]
#[schema(example = json!({"email": "ada@example.com", "password": "correct horse battery", "name": "Ada Lovelace"}))]
pub struct SignupRequest {
    /// Trimmed and lower-cased before storage and comparison (local part ≤ 64, total ≤ 254).
    #[schema(value_type = String, format = Email, max_length = 254)]
    pub email: Email,
    /// 8..=128 characters, not trimmed.
    #[schema(format = Password, min_length = 8, max_length = 128)]
    pub password: String,
    #[schema(min_length = 1, max_length = 255)]
    pub name: Option<String>,
}

impl SignupRequest {
    pub fn parse(obj: &Map<String, Value>) -> ApiResult<Self> {
        let mut f = Fields::new(obj);
        let email = email_field(&mut f, "email")?;
        let password = f.req_raw_str("password")?;
        let n = password.chars().count();
        if n < PASSWORD_MIN {
            f.push("password", format!("String should have at least {PASSWORD_MIN} characters"), "too_short");
        } else if n > PASSWORD_MAX {
            f.push("password", format!("String should have at most {PASSWORD_MAX} characters"), "too_long");
        }
        let name = value(f.opt_str("name", 1, 255)?);
        f.finish()?;
        let email = email.ok_or_else(|| bad_email("email"))?;
        Ok(SignupRequest { email, password, name })
    }
}

/// `POST /auth/login`.
#[derive(ToSchema)]
#[schema(example = json!({"email": "ada@example.com", "password": "correct horse battery"}))]
pub struct LoginRequest {
    #[schema(value_type = String, format = Email, max_length = 254)]
    pub email: Email,
    /// Not trimmed; more than 128 characters is a wrong password (401, no hashing).
    #[schema(format = Password)]
    pub password: String,
}

impl LoginRequest {
    pub fn parse(obj: &Map<String, Value>) -> ApiResult<Self> {
        let mut f = Fields::new(obj);
        let email = email_field(&mut f, "email")?;
        let password = f.req_raw_str("password")?;
        f.finish()?;
        let email = email.ok_or_else(|| bad_email("email"))?;
        Ok(LoginRequest { email, password })
    }
}

/// The optional body of `POST /auth/refresh` and `POST /auth/logout`; a token here wins over the
/// `refreshToken` cookie.
#[derive(ToSchema)]
pub struct RefreshRequest {
    pub refresh_token: Option<String>,
}

impl RefreshRequest {
    /// An empty body is no token at all.
    pub fn parse(body: &[u8]) -> ApiResult<Self> {
        if body.iter().all(|b| b.is_ascii_whitespace()) {
            return Ok(RefreshRequest { refresh_token: None });
        }
        let obj = parse_object(body)?;
        let mut f = Fields::new(&obj);
        Ok(RefreshRequest { refresh_token: value(f.opt_str("refresh_token", 0, usize::MAX)?) })
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Users
// ---------------------------------------------------------------------------------------------------------------

/// `PATCH /users/profile`: absent = unchanged, `null` clears; `email`, `password` and `roles` are ignored.
#[derive(ToSchema)]
#[schema(example = json!({"name": "Ada Lovelace", "date_of_birth": "1990-12-10", "gender": "FEMALE"}))]
pub struct ProfileUpdateRequest {
    #[schema(value_type = Option<String>, min_length = 1, max_length = 255)]
    pub name: Opt<String>,
    /// 1900-01-01..=today.
    #[schema(value_type = Option<NaiveDate>)]
    pub date_of_birth: Opt<NaiveDate>,
    #[schema(value_type = Option<GenderDto>)]
    pub gender: Opt<Gender>,
}

impl ProfileUpdateRequest {
    pub fn parse(obj: &Map<String, Value>, today: NaiveDate) -> ApiResult<Self> {
        let mut f = Fields::new(obj);
        let name = f.opt_str("name", 1, 255)?;
        let date_of_birth = f.opt_date("date_of_birth")?;
        if let Patch::Set(Some(d)) = &date_of_birth {
            let min = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or_default();
            if *d < min {
                f.push("date_of_birth", "Date should be on or after 1900-01-01", "out_of_range");
            } else if *d > today {
                f.push("date_of_birth", "Date should not be in the future", "out_of_range");
            }
        }
        let gender = f.opt_enum("gender", Gender::parse, GENDER_NAMES)?;
        f.finish()?;
        Ok(ProfileUpdateRequest { name, date_of_birth, gender })
    }
}

impl From<ProfileUpdateRequest> for ProfilePatch {
    fn from(r: ProfileUpdateRequest) -> Self {
        ProfilePatch { name: r.name, date_of_birth: r.date_of_birth, gender: r.gender }
    }
}

const GENDER_NAMES: &str = "'MALE' or 'FEMALE'";

fn age(f: &mut Fields<'_>) -> ApiResult<Opt<i32>> {
    Ok(match f.opt_int("age", 0, 150)? {
        Patch::Keep => Patch::Keep,
        Patch::Set(v) => Patch::Set(v.map(|a| a.clamp(0, 150) as i32)),
    })
}

/// `POST /users/guests`.
#[derive(ToSchema)]
#[schema(example = json!({"name": "Grace Hopper", "gender": "FEMALE", "age": 34}))]
pub struct GuestCreateRequest {
    #[schema(min_length = 1, max_length = 255)]
    pub name: String,
    #[schema(value_type = GenderDto)]
    pub gender: Gender,
    #[schema(minimum = 0, maximum = 150)]
    pub age: Option<i32>,
}

impl GuestCreateRequest {
    pub fn parse(obj: &Map<String, Value>) -> ApiResult<Self> {
        let mut f = Fields::new(obj);
        let name = f.req_str("name", 1, 255)?;
        let gender = match f.opt_enum("gender", Gender::parse, GENDER_NAMES)? {
            Patch::Set(Some(g)) => g,
            _ => return Err(invalid(&["body", "gender"], "Field required", "missing")),
        };
        let age = value(age(&mut f)?);
        f.finish()?;
        Ok(GuestCreateRequest { name, gender, age })
    }
}

impl From<GuestCreateRequest> for NewGuest {
    fn from(r: GuestCreateRequest) -> Self {
        NewGuest { name: r.name, gender: r.gender, age: r.age }
    }
}

/// `PUT /users/guests/{guest_id}`: a partial update; `null` leaves `name` and `gender` unchanged and clears `age`.
#[derive(ToSchema)]
#[schema(example = json!({"age": 35}))]
pub struct GuestUpdateRequest {
    #[schema(min_length = 1, max_length = 255)]
    pub name: Option<String>,
    #[schema(value_type = Option<GenderDto>)]
    pub gender: Option<Gender>,
    #[schema(value_type = Option<i32>, minimum = 0, maximum = 150)]
    pub age: Opt<i32>,
}

impl GuestUpdateRequest {
    pub fn parse(obj: &Map<String, Value>) -> ApiResult<Self> {
        let mut f = Fields::new(obj);
        let name = value(f.opt_str("name", 1, 255)?);
        let gender = value(f.opt_enum("gender", Gender::parse, GENDER_NAMES)?);
        let age = age(&mut f)?;
        f.finish()?;
        Ok(GuestUpdateRequest { name, gender, age })
    }
}

impl From<GuestUpdateRequest> for GuestPatch {
    fn from(r: GuestUpdateRequest) -> Self {
        GuestPatch { name: r.name, gender: r.gender, age: r.age }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Bookings
// ---------------------------------------------------------------------------------------------------------------

/// `POST /bookings/init`.
#[derive(ToSchema)]
#[schema(example = json!({"hotel_id": 7, "room_id": 3, "check_in_date": "2026-12-01", "check_out_date": "2026-12-03",
    "rooms_count": 1}))]
pub struct InitBookingRequest {
    #[schema(minimum = 1)]
    pub hotel_id: i64,
    /// A room type of that hotel.
    #[schema(minimum = 1)]
    pub room_id: i64,
    /// The first night (today or later).
    pub check_in_date: NaiveDate,
    /// The day after the last night.
    pub check_out_date: NaiveDate,
    /// Rooms of that type (default 1).
    #[schema(minimum = 1, maximum = 10, default = 1, required = false)]
    pub rooms_count: i32,
}

impl InitBookingRequest {
    /// From the parsed body (kept by the caller for the Idempotency-Key fingerprint).
    pub fn parse(body: &Value) -> ApiResult<Self> {
        let Value::Object(obj) = body else {
            return Err(invalid(&["body"], "Input should be a valid dictionary or object", "object_type"));
        };
        let mut f = Fields::new(obj);
        let hotel_id = f.req_int("hotel_id", 1, i64::MAX)?;
        let room_id = f.req_int("room_id", 1, i64::MAX)?;
        let check_in_date = f.req_date("check_in_date")?;
        let check_out_date = f.req_date("check_out_date")?;
        let rooms_count = value(f.opt_int("rooms_count", 1, 10)?).unwrap_or(1);
        f.finish()?;
        Ok(InitBookingRequest { hotel_id, room_id, check_in_date, check_out_date, rooms_count: rooms_count as i32 })
    }
}

/// `POST /bookings/{booking_id}/addGuests`: a bare JSON array of 1..=200 saved-guest ids; duplicates collapse.
/// Schema `AddGuestsRequest`.
pub struct AddGuestsRequest(pub Vec<i64>);

impl PartialSchema for AddGuestsRequest {
    fn schema() -> RefOr<Schema> {
        ArrayBuilder::new()
            .items(
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .format(Some(SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::Int64)))
                    .minimum(Some(1)),
            )
            .min_items(Some(1))
            .max_items(Some(200))
            .description(Some("Saved-guest ids to link (added to those already linked; duplicates collapse)."))
            .examples([json!([5, 6])])
            .into()
    }
}

impl ToSchema for AddGuestsRequest {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("AddGuestsRequest")
    }
}

impl AddGuestsRequest {
    pub fn parse(body: &[u8]) -> ApiResult<Self> {
        let Value::Array(items) = parse_json(body)? else {
            return Err(invalid(&["body"], "Input should be a valid list", "list_type"));
        };
        let mut ids = Vec::with_capacity(items.len());
        let mut too_large = Vec::new();
        for (i, it) in items.iter().enumerate() {
            match it {
                Value::Number(n) if json_integer(n).is_some() => match json_integer(n) {
                    Some(Ok(v)) => ids.push(v),
                    Some(Err(true)) => {
                        too_large.push(i);
                        ids.push(i64::MAX);
                    }
                    _ => ids.push(0), // below i64: reported as below 1 next
                },
                _ => {
                    return Err(ApiError::Validation(vec![FieldError::new(
                        vec![json!("body"), json!(i)],
                        "Input should be a valid integer",
                        "int_type",
                    )]));
                }
            }
        }
        let mut errors = Vec::new();
        if ids.is_empty() {
            errors.push(FieldError::new(
                vec![json!("body")],
                "List should have at least 1 item after validation",
                "too_short",
            ));
        } else if ids.len() > 200 {
            errors.push(FieldError::new(
                vec![json!("body")],
                "List should have at most 200 items after validation",
                "too_long",
            ));
        }
        for (i, v) in ids.iter().enumerate() {
            if too_large.contains(&i) {
                errors.push(FieldError::new(
                    vec![json!("body"), json!(i)],
                    "Input should be less than or equal to 9223372036854775807",
                    "out_of_range",
                ));
            } else if *v < 1 {
                errors.push(FieldError::new(
                    vec![json!("body"), json!(i)],
                    "Input should be greater than or equal to 1",
                    "out_of_range",
                ));
            }
        }
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
        let mut seen = std::collections::HashSet::new();
        ids.retain(|g| seen.insert(*g));
        Ok(AddGuestsRequest(ids))
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Management
// ---------------------------------------------------------------------------------------------------------------

/// `photos` and `amenities` as read.
type Lists = (Opt<Vec<String>>, Opt<Vec<String>>);

/// `photos` (≤ 20 absolute http(s) URLs of ≤ 2048 chars) and `amenities` (≤ 50 items of 1..=64 chars).
fn lists(f: &mut Fields<'_>) -> ApiResult<Lists> {
    let photos = f.opt_str_list("photos")?;
    if let Patch::Set(Some(p)) = &photos {
        if p.len() > 20 {
            f.push("photos", "List should have at most 20 items after validation", "too_long");
        }
        for (i, u) in p.iter().enumerate() {
            let ok = (u.starts_with("http://") || u.starts_with("https://"))
                && u.split_once("://").is_some_and(|(_, rest)| !rest.is_empty() && !rest.starts_with('/'))
                && !u.chars().any(char::is_whitespace);
            if !ok {
                f.push_at("photos", i, "Input should be a valid URL", "url");
            } else if u.chars().count() > 2048 {
                f.push_at("photos", i, "URL should have at most 2048 characters", "too_long");
            }
        }
    }
    let amenities = f.opt_str_list("amenities")?;
    if let Patch::Set(Some(a)) = &amenities {
        if a.len() > 50 {
            f.push("amenities", "List should have at most 50 items after validation", "too_long");
        }
        for (i, s) in a.iter().enumerate() {
            let n = s.chars().count();
            if n < 1 {
                f.push_at("amenities", i, "String should have at least 1 character", "too_short");
            } else if n > 64 {
                f.push_at("amenities", i, "String should have at most 64 characters", "too_long");
            }
        }
    }
    Ok((photos, amenities))
}

/// A hotel's contact data; every sub-field applies on its own (absent = unchanged, `null` clears).
#[derive(ToSchema)]
#[schema(example = json!({"phone": "+351 21 000 0000", "email": "desk@aurora.example",
    "address": "Rua Augusta 1, Lisbon"}))]
pub struct ContactInfo {
    #[schema(value_type = Option<String>, min_length = 1, max_length = 50)]
    pub phone: Opt<String>,
    /// Stored lower-cased.
    #[schema(value_type = Option<String>, format = Email, max_length = 254)]
    pub email: Opt<String>,
    #[schema(value_type = Option<String>, min_length = 1, max_length = 500)]
    pub address: Opt<String>,
}

impl ContactInfo {
    /// `contact_info` of `f`: absent, `null`, or an object whose errors join `f`'s.
    fn parse(f: &mut Fields<'_>) -> ApiResult<Opt<ContactInfo>> {
        let prefix = f.child_prefix("contact_info");
        Ok(match f.opt_object("contact_info")? {
            Patch::Keep => Patch::Keep,
            Patch::Set(None) => Patch::Set(None),
            Patch::Set(Some(m)) => {
                let mut c = Fields::nested(m, prefix);
                let phone = c.opt_str("phone", 1, 50)?;
                let email = c.opt_str("email", 0, 254)?;
                if let Patch::Set(Some(e)) = &email
                    && Email::parse(e).is_none()
                {
                    c.push("email", "value is not a valid email address", "email");
                }
                let address = c.opt_str("address", 1, 500)?;
                f.absorb(c);
                let email = match email {
                    Patch::Set(Some(e)) => Patch::Set(Some(e.to_lowercase())),
                    other => other,
                };
                Patch::Set(Some(ContactInfo { phone, email, address }))
            }
        })
    }
}

/// `POST /admin/hotels`: the hotel starts inactive and owned by the caller.
#[derive(ToSchema)]
#[schema(example = json!({"name": "Hotel Aurora", "city": "Lisbon", "photos": ["https://img.example.com/aurora.jpg"],
    "amenities": ["wifi", "pool"], "contact_info": {"phone": "+351 21 000 0000", "email": "desk@aurora.example"}}))]
pub struct CreateHotelRequest {
    #[schema(min_length = 1, max_length = 255)]
    pub name: String,
    #[schema(min_length = 1, max_length = 255)]
    pub city: Option<String>,
    #[schema(value_type = Option<Vec<PhotoUrl>>, max_items = 20)]
    pub photos: Option<Vec<String>>,
    #[schema(value_type = Option<Vec<Amenity>>, max_items = 50)]
    pub amenities: Option<Vec<String>>,
    pub contact_info: Option<ContactInfo>,
}

impl CreateHotelRequest {
    pub fn parse(obj: &Map<String, Value>) -> ApiResult<Self> {
        let mut f = Fields::new(obj);
        let name = f.req_str("name", 1, 255)?;
        let city = value(f.opt_str("city", 1, 255)?);
        let (photos, amenities) = lists(&mut f)?;
        let contact_info = value(ContactInfo::parse(&mut f)?);
        f.finish()?;
        Ok(CreateHotelRequest { name, city, photos: value(photos), amenities: value(amenities), contact_info })
    }
}

impl From<CreateHotelRequest> for NewHotel {
    fn from(r: CreateHotelRequest) -> Self {
        let (phone, email, address) = match r.contact_info {
            Some(c) => (value(c.phone), value(c.email), value(c.address)),
            None => (None, None, None),
        };
        NewHotel {
            name: r.name,
            city: r.city,
            photos: r.photos,
            amenities: r.amenities,
            contact_phone: phone,
            contact_email: email,
            contact_address: address,
        }
    }
}

/// `PUT /admin/hotels/{hotel_id}`: a partial update of the create fields; `null` keeps `name` and clears
/// `city`, `photos` and `amenities`; `contact_info: null` clears all three contact fields.
#[derive(ToSchema)]
#[schema(example = json!({"city": "Porto", "contact_info": {"phone": null}}))]
pub struct UpdateHotelRequest {
    #[schema(min_length = 1, max_length = 255)]
    pub name: Option<String>,
    #[schema(value_type = Option<String>, min_length = 1, max_length = 255)]
    pub city: Opt<String>,
    #[schema(value_type = Option<Vec<PhotoUrl>>, max_items = 20)]
    pub photos: Opt<Vec<String>>,
    #[schema(value_type = Option<Vec<Amenity>>, max_items = 50)]
    pub amenities: Opt<Vec<String>>,
    #[schema(value_type = Option<ContactInfo>)]
    pub contact_info: Opt<ContactInfo>,
}

impl UpdateHotelRequest {
    pub fn parse(obj: &Map<String, Value>) -> ApiResult<Self> {
        let mut f = Fields::new(obj);
        let name = value(f.opt_str("name", 1, 255)?);
        let city = f.opt_str("city", 1, 255)?;
        let (photos, amenities) = lists(&mut f)?;
        let contact_info = ContactInfo::parse(&mut f)?;
        f.finish()?;
        Ok(UpdateHotelRequest { name, city, photos, amenities, contact_info })
    }
}

impl From<UpdateHotelRequest> for HotelPatch {
    fn from(r: UpdateHotelRequest) -> Self {
        let (phone, email, address) = match r.contact_info {
            Patch::Keep => (Patch::Keep, Patch::Keep, Patch::Keep),
            Patch::Set(None) => (Patch::Set(None), Patch::Set(None), Patch::Set(None)),
            Patch::Set(Some(c)) => (c.phone, c.email, c.address),
        };
        HotelPatch {
            name: r.name,
            city: r.city,
            photos: r.photos,
            amenities: r.amenities,
            contact_phone: phone,
            contact_email: email,
            contact_address: address,
        }
    }
}

/// `POST /admin/hotels/{hotel_id}/rooms`: a room type; its 365 inventory nights are created with it.
#[derive(ToSchema)]
#[schema(example = json!({"type": "Double", "base_price": "120.00", "total_count": 10, "capacity": 2,
    "amenities": ["wifi"]}))]
pub struct CreateRoomRequest {
    #[schema(rename = "type", min_length = 1, max_length = 255)]
    pub kind: String,
    #[schema(value_type = MoneyInput)]
    pub base_price: Money,
    #[schema(value_type = Option<Vec<PhotoUrl>>, max_items = 20)]
    pub photos: Option<Vec<String>>,
    #[schema(value_type = Option<Vec<Amenity>>, max_items = 50)]
    pub amenities: Option<Vec<String>>,
    #[schema(minimum = 0, maximum = 10000)]
    pub total_count: i32,
    /// Guests per room.
    #[schema(minimum = 1, maximum = 20)]
    pub capacity: i32,
}

impl CreateRoomRequest {
    pub fn parse(obj: &Map<String, Value>) -> ApiResult<Self> {
        let mut f = Fields::new(obj);
        let kind = f.req_str("type", 1, 255)?;
        let base_price = f.req_money("base_price")?;
        let (photos, amenities) = lists(&mut f)?;
        let total_count = f.req_int("total_count", 0, 10000)?;
        let capacity = f.req_int("capacity", 1, 20)?;
        f.finish()?;
        Ok(CreateRoomRequest {
            kind,
            base_price,
            photos: value(photos),
            amenities: value(amenities),
            total_count: total_count as i32,
            capacity: capacity as i32,
        })
    }
}

impl From<CreateRoomRequest> for NewRoom {
    fn from(r: CreateRoomRequest) -> Self {
        NewRoom {
            kind: r.kind,
            base_price: r.base_price,
            photos: r.photos,
            amenities: r.amenities,
            total_count: r.total_count,
            capacity: r.capacity,
        }
    }
}

/// `PUT /admin/hotels/{hotel_id}/rooms/{room_id}`: a partial update; `null` keeps `type`, `base_price`,
/// `total_count` and `capacity`, and clears `photos` and `amenities`.
#[derive(ToSchema)]
#[schema(example = json!({"base_price": "130.00", "total_count": 12}))]
pub struct UpdateRoomRequest {
    #[schema(rename = "type", min_length = 1, max_length = 255)]
    pub kind: Option<String>,
    #[schema(value_type = Option<MoneyInput>)]
    pub base_price: Option<Money>,
    #[schema(value_type = Option<Vec<PhotoUrl>>, max_items = 20)]
    pub photos: Opt<Vec<String>>,
    #[schema(value_type = Option<Vec<Amenity>>, max_items = 50)]
    pub amenities: Opt<Vec<String>>,
    #[schema(minimum = 0, maximum = 10000)]
    pub total_count: Option<i32>,
    #[schema(minimum = 1, maximum = 20)]
    pub capacity: Option<i32>,
}

impl UpdateRoomRequest {
    pub fn parse(obj: &Map<String, Value>) -> ApiResult<Self> {
        let mut f = Fields::new(obj);
        let kind = value(f.opt_str("type", 1, 255)?);
        let base_price = value(f.opt_money("base_price")?);
        let (photos, amenities) = lists(&mut f)?;
        let total_count = value(f.opt_int("total_count", 0, 10000)?).map(|v| v as i32);
        let capacity = value(f.opt_int("capacity", 1, 20)?).map(|v| v as i32);
        f.finish()?;
        Ok(UpdateRoomRequest { kind, base_price, photos, amenities, total_count, capacity })
    }
}

impl From<UpdateRoomRequest> for RoomPatch {
    fn from(r: UpdateRoomRequest) -> Self {
        RoomPatch {
            kind: r.kind,
            base_price: r.base_price,
            photos: r.photos,
            amenities: r.amenities,
            total_count: r.total_count,
            capacity: r.capacity,
        }
    }
}

/// `PATCH /admin/inventory/rooms/{room_id}`: every field optional (`null` = absent); `{}` changes nothing and
/// returns the rows.
#[derive(ToSchema)]
#[schema(example = json!({"surge_factor": "1.25", "closed": false}))]
pub struct InventoryPatchRequest {
    #[schema(value_type = Option<SurgeInput>)]
    pub surge_factor: Option<Decimal>,
    #[schema(value_type = Option<MoneyInput>)]
    pub price: Option<Money>,
    /// Closing a night blocks new holds only.
    pub closed: Option<bool>,
    /// At least `book_count + reserved_count` on every night in range.
    #[schema(minimum = 0, maximum = 10000)]
    pub total_count: Option<i32>,
}

impl InventoryPatchRequest {
    pub fn parse(obj: &Map<String, Value>) -> ApiResult<Self> {
        let mut f = Fields::new(obj);
        let surge = value(f.opt_decimal("surge_factor", Decimal::new(10, 2), false, Decimal::new(1000, 2))?);
        let price = value(f.opt_money("price")?);
        let closed = value(f.opt_bool("closed")?);
        let total_count = value(f.opt_int("total_count", 0, 10000)?).map(|v| v as i32);
        f.finish()?;
        Ok(InventoryPatchRequest { surge_factor: surge.map(|s| s.round_dp(2)), price, closed, total_count })
    }
}

impl From<InventoryPatchRequest> for InventoryPatch {
    fn from(r: InventoryPatchRequest) -> Self {
        InventoryPatch { surge_factor: r.surge_factor, price: r.price, closed: r.closed, total_count: r.total_count }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Provider webhook (documentation of what the provider sends; verified and parsed by the domain's verifier)
// ---------------------------------------------------------------------------------------------------------------

/// A Stripe event: the raw body is verified against `Stripe-Signature` before it is parsed.
#[derive(ToSchema)]
#[schema(example = json!({"id": "evt_123", "type": "checkout.session.completed",
    "data": {"object": {"id": "cs_test_123", "payment_status": "paid", "metadata": {"booking_id": "42"}}}}))]
pub struct StripeEvent {
    pub id: String,
    #[schema(rename = "type", example = "checkout.session.completed")]
    pub event_type: String,
    pub data: StripeEventData,
}

/// `data` of a Stripe event.
#[derive(ToSchema)]
pub struct StripeEventData {
    /// The provider object (a Checkout Session for the events acted on).
    #[schema(value_type = HashMap<String, Value>)]
    pub object: HashMap<String, Value>,
}

// ---------------------------------------------------------------------------------------------------------------
// Query strings
// ---------------------------------------------------------------------------------------------------------------

/// `limit` / `offset` of every list (API.md §1.3); `X-Total-Count` carries the number of matches.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Page size.
    #[param(minimum = 1, maximum = 200, default = 50)]
    pub limit: Option<i64>,
    /// Matches to skip.
    #[param(minimum = 0, maximum = 1000000, default = 0)]
    pub offset: Option<i64>,
}

impl PageParams {
    pub fn parse(q: &mut Query) -> ApiResult<Self> {
        Ok(PageParams { limit: q.opt_int("limit", 1, 200)?, offset: q.opt_int("offset", 0, 1_000_000)? })
    }
    /// With the defaults applied.
    pub fn page(&self) -> Page {
        Page { limit: self.limit.unwrap_or(50), offset: self.offset.unwrap_or(0) }
    }
}

/// `limit` / `offset` of the inventory list: one page per year of nights.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InventoryPageParams {
    /// Page size.
    #[param(minimum = 1, maximum = 366, default = 366)]
    pub limit: Option<i64>,
    /// Nights to skip.
    #[param(minimum = 0, maximum = 1000000, default = 0)]
    pub offset: Option<i64>,
}

impl InventoryPageParams {
    pub fn parse(q: &mut Query) -> ApiResult<Self> {
        Ok(InventoryPageParams { limit: q.opt_int("limit", 1, 366)?, offset: q.opt_int("offset", 0, 1_000_000)? })
    }
    /// With the defaults applied.
    pub fn page(&self) -> Page {
        Page { limit: self.limit.unwrap_or(366), offset: self.offset.unwrap_or(0) }
    }
}

/// `GET /hotels/search` (paginated with [`PageParams`]).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// The hotel's current city, matched exactly (case-insensitive); 1..=255 characters after trimming.
    #[param(min_length = 1, max_length = 255, example = "Lisbon")]
    pub city: String,
    /// The first night.
    #[param(example = "2026-12-01")]
    pub check_in_date: NaiveDate,
    /// The day after the last night.
    #[param(example = "2026-12-03")]
    pub check_out_date: NaiveDate,
    /// Rooms wanted of one type.
    #[param(minimum = 1, maximum = 10, default = 1)]
    pub rooms_count: Option<i64>,
    /// Guests to fit (`capacity × rooms_count ≥ guests`).
    #[param(minimum = 1, maximum = 200)]
    pub guests: Option<i64>,
    /// Lowest average nightly price (> 0, ≤ 1000000.00, at most 2 decimals).
    #[param(value_type = Option<String>, pattern = r"^\d+(\.\d{1,2})?$", example = "50.00")]
    pub min_price: Option<Money>,
    /// Highest average nightly price (> 0, ≤ 1000000.00, at most 2 decimals).
    #[param(value_type = Option<String>, pattern = r"^\d+(\.\d{1,2})?$", example = "300")]
    pub max_price: Option<Money>,
    /// Result order (ties break on id).
    #[param(value_type = Option<SearchSortDto>, default = "price_asc")]
    pub sort: Option<SearchSortDto>,
}

impl SearchParams {
    pub fn parse(q: &mut Query) -> ApiResult<Self> {
        let city = q.req_str("city", 1, 255)?;
        let check_in_date = q.req_date("check_in_date")?;
        let check_out_date = q.req_date("check_out_date")?;
        let rooms_count = q.opt_int("rooms_count", 1, 10)?;
        let guests = q.opt_int("guests", 1, 200)?;
        let min_price = q.opt_money("min_price")?;
        let max_price = q.opt_money("max_price")?;
        let names = SearchSortDto::ALL.map(SearchSortDto::as_str);
        let sort = q
            .opt_choice("sort", &names)?
            .and_then(|s| SearchSortDto::ALL.into_iter().find(|o| o.as_str() == s.as_str()));
        Ok(SearchParams { city, check_in_date, check_out_date, rooms_count, guests, min_price, max_price, sort })
    }
}

/// `GET /hotels/{hotel_id}/info`: give both dates (or neither) to get availability and quotes per room.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HotelInfoParams {
    /// The first night (requires `check_out_date`).
    pub check_in_date: Option<NaiveDate>,
    /// The day after the last night (requires `check_in_date`).
    pub check_out_date: Option<NaiveDate>,
    /// Rooms wanted of one type.
    #[param(minimum = 1, maximum = 10, default = 1)]
    pub rooms_count: Option<i64>,
}

impl HotelInfoParams {
    pub fn parse(q: &mut Query) -> ApiResult<Self> {
        let check_in_date = q.opt_date("check_in_date")?;
        let check_out_date = q.opt_date("check_out_date")?;
        let rooms_count = q.opt_int("rooms_count", 1, 10)?;
        Ok(HotelInfoParams { check_in_date, check_out_date, rooms_count })
    }
    /// Both dates or neither (else 422 `missing` for the absent one).
    pub fn stay(&self) -> ApiResult<Option<(NaiveDate, NaiveDate)>> {
        match (self.check_in_date, self.check_out_date) {
            (Some(a), Some(b)) => Ok(Some((a, b))),
            (None, None) => Ok(None),
            (Some(_), None) => Err(invalid(&["query", "check_out_date"], "Field required", "missing")),
            (None, Some(_)) => Err(invalid(&["query", "check_in_date"], "Field required", "missing")),
        }
    }
}

/// The optional `status` filter of booking lists.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BookingListParams {
    /// Only bookings in this (stored) status.
    #[param(value_type = Option<BookingStatusDto>)]
    pub status: Option<BookingStatus>,
}

impl BookingListParams {
    pub fn parse(q: &mut Query) -> ApiResult<Self> {
        let names: Vec<&str> = BookingStatus::ALL.iter().map(|s| s.as_str()).collect();
        Ok(BookingListParams { status: q.opt_choice("status", &names)?.and_then(|s| BookingStatus::parse(&s)) })
    }
}

/// `GET /admin/hotels/{hotel_id}/reports`: an inclusive range of check-in dates.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportParams {
    /// Default: the first day of the current month.
    pub start_date: Option<NaiveDate>,
    /// Default: today; not before `start_date`.
    pub end_date: Option<NaiveDate>,
}

impl ReportParams {
    pub fn parse(q: &mut Query) -> ApiResult<Self> {
        Ok(ReportParams { start_date: q.opt_date("start_date")?, end_date: q.opt_date("end_date")? })
    }
}

/// The inclusive date range of the inventory routes.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InventoryRangeParams {
    /// Default: today (earlier dates show history).
    pub start_date: Option<NaiveDate>,
    /// GET: unbounded by default; PATCH: `start_date` by default, at most 366 dates in all.
    pub end_date: Option<NaiveDate>,
}

impl InventoryRangeParams {
    pub fn parse(q: &mut Query) -> ApiResult<Self> {
        Ok(InventoryRangeParams { start_date: q.opt_date("start_date")?, end_date: q.opt_date("end_date")? })
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Headers
// ---------------------------------------------------------------------------------------------------------------

/// `Idempotency-Key` (API.md §4.3.7).
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IdempotencyHeader {
    /// Replays the stored answer of an earlier request with the same key and body (24 h).
    #[param(rename = "Idempotency-Key", value_type = String, required = false, min_length = 1, max_length = 255,
        pattern = r"^[!-~]+$")]
    pub key: Option<String>,
}

impl IdempotencyHeader {
    pub fn parse(req: &HttpRequest) -> ApiResult<Self> {
        Ok(IdempotencyHeader { key: crate::idempotency::key(req)? })
    }
}

/// `If-None-Match` of the cached public reads.
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
pub struct ConditionalHeaders {
    /// An `ETag` from an earlier answer: 304 without a body while it still matches.
    #[param(rename = "If-None-Match", value_type = String, required = false,
        example = "\"5d41402abc4b2a76b9719d911017c592\"")]
    pub if_none_match: Option<String>,
}

impl ConditionalHeaders {
    /// Every `If-None-Match` header, joined as one list.
    pub fn parse(req: &HttpRequest) -> Self {
        let values: Vec<&str> =
            req.headers().get_all(actix_web::http::header::IF_NONE_MATCH).filter_map(|v| v.to_str().ok()).collect();
        ConditionalHeaders { if_none_match: (!values.is_empty()).then(|| values.join(", ")) }
    }
    /// Whether `If-None-Match` holds `tag` (RFC 9110 §13.1.2: `*`, or any listed tag by weak comparison).
    pub fn matches(&self, tag: &str) -> bool {
        self.if_none_match.as_deref().is_some_and(|list| {
            list.split(',').any(|t| {
                let t = t.trim();
                t == "*" || t.strip_prefix("W/").unwrap_or(t) == tag
            })
        })
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Paths
// ---------------------------------------------------------------------------------------------------------------

macro_rules! id_path {
    ($(#[$doc:meta])* $name:ident { $($field:ident),+ }) => {
        $(#[$doc])*
        #[derive(IntoParams)]
        #[into_params(parameter_in = Path)]
        pub struct $name {
            $(
                /// A decimal id, 1..=2^63−1 (else 422 at `["path", name]`).
                #[param(minimum = 1, example = 1)]
                pub $field: i64,
            )+
        }

        impl $name {
            /// The ids in path order; the first invalid one fails.
            pub fn parse(req: &HttpRequest) -> ApiResult<Self> {
                Ok($name { $($field: id(req, stringify!($field))?),+ })
            }
        }
    };
}

id_path!(
    /// `{hotel_id}`.
    HotelPath { hotel_id }
);
id_path!(
    /// `{hotel_id}/rooms/{room_id}`.
    HotelRoomPath { hotel_id, room_id }
);
id_path!(
    /// `{room_id}` of the inventory routes.
    RoomPath { room_id }
);
id_path!(
    /// `{guest_id}`.
    GuestPath { guest_id }
);
id_path!(
    /// `{booking_id}`.
    BookingPath { booking_id }
);

/// `{session_id}` of the simulated gateway: the unguessable id is the credential.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct SessionPath {
    #[param(example = "sim_cs_0123456789abcdef0123456789abcdef")]
    pub session_id: String,
}

impl SessionPath {
    pub fn parse(req: &HttpRequest) -> Self {
        SessionPath { session_id: req.match_info().get("session_id").unwrap_or("").to_string() }
    }
}
