//! Response DTOs (key order as in API.md §4.2) and their conversions from domain types. Each DTO is also the
//! OpenAPI schema of what it serialises: dates and timestamps are typed (`format: date` / `date-time`), money is
//! the `Money` string schema, enums are the string enums of API.md §1.2. Response keys are never omitted, so the
//! document marks every key of a response schema required (`openapi::ResponseKeysRequired`); `Option` fields are
//! nullable.
//!
//! Why one file (~700 lines): the response DTOs are shared across route groups (a `BookingResponse` is returned
//! by bookings, users and admin routes) and form one OpenAPI component set; one file keeps one source of names.

use chrono::{DateTime, NaiveDate, Utc};
use domain::model::*;
use serde::{Serialize, Serializer};
use std::borrow::Cow;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::{PartialSchema, ToSchema};

/// `2026-11-25T19:26:09.217604Z`.
pub fn ts(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
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

fn ser_date<S: Serializer>(d: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&date(*d))
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

#[derive(Serialize, ToSchema)]
pub struct UserResponse {
    #[schema(example = 17)]
    pub id: i64,
    #[schema(format = Email, example = "ada@example.com")]
    pub email: String,
    #[schema(example = "Ada Lovelace")]
    pub name: Option<String>,
    #[serde(serialize_with = "ser_date_opt")]
    #[schema(example = "1990-12-10")]
    pub date_of_birth: Option<NaiveDate>,
    pub gender: Option<GenderDto>,
    #[schema(example = json!(["GUEST"]))]
    pub roles: Vec<RoleDto>,
}

impl From<&User> for UserResponse {
    fn from(u: &User) -> Self {
        UserResponse {
            id: u.id,
            email: u.email.as_str().to_string(),
            name: u.name.clone(),
            date_of_birth: u.date_of_birth,
            gender: u.gender.map(GenderDto::from),
            roles: u.roles.iter().map(|r| RoleDto::from(*r)).collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct LoginResponse {
    /// A JWT for `Authorization: Bearer …`.
    pub access_token: String,
    pub token_type: TokenType,
    /// The refresh token (also set as the `refreshToken` cookie).
    pub refresh_token: String,
    /// Access token lifetime in seconds.
    #[schema(example = 1800)]
    pub expires_in: i64,
}

#[derive(Serialize, ToSchema)]
pub struct HotelResponse {
    #[schema(example = 7)]
    pub id: i64,
    #[schema(example = "Hotel Aurora")]
    pub name: String,
    #[schema(example = "Lisbon")]
    pub city: Option<String>,
    #[schema(example = json!(["https://img.example.com/aurora.jpg"]))]
    pub photos: Option<Vec<String>>,
    #[schema(example = json!(["wifi", "pool"]))]
    pub amenities: Option<Vec<String>>,
    pub contact_phone: Option<String>,
    pub contact_email: Option<String>,
    pub contact_address: Option<String>,
    pub active: bool,
    pub owner_id: i64,
    #[serde(serialize_with = "ser_ts")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "ser_ts")]
    pub updated_at: DateTime<Utc>,
}

impl From<&Hotel> for HotelResponse {
    fn from(h: &Hotel) -> Self {
        HotelResponse {
            id: h.id,
            name: h.name.clone(),
            city: h.city.clone(),
            photos: h.photos.clone(),
            amenities: h.amenities.clone(),
            contact_phone: h.contact_phone.clone(),
            contact_email: h.contact_email.clone(),
            contact_address: h.contact_address.clone(),
            active: h.active,
            owner_id: h.owner_id,
            created_at: h.created_at,
            updated_at: h.updated_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
#[schema(as = RoomSummary)]
pub struct RoomSummaryResponse {
    pub id: i64,
    #[serde(rename = "type")]
    #[schema(example = "Double")]
    pub kind: String,
    pub base_price: MoneyStr,
    #[schema(example = 2)]
    pub capacity: i32,
    pub photos: Option<Vec<String>>,
    pub amenities: Option<Vec<String>>,
    /// With dates: every night open with enough rooms; without dates: `null`.
    pub available: Option<bool>,
    /// With dates: what init would quote now (`null` when unavailable or without dates).
    pub total_price: Option<MoneyStr>,
}

#[derive(Serialize, ToSchema)]
pub struct HotelInfoResponse {
    pub id: i64,
    pub name: String,
    pub city: Option<String>,
    pub photos: Option<Vec<String>>,
    pub amenities: Option<Vec<String>>,
    pub contact_phone: Option<String>,
    pub contact_email: Option<String>,
    pub contact_address: Option<String>,
    /// The hotel's room types, by id.
    pub rooms: Vec<RoomSummaryResponse>,
}

impl HotelInfoResponse {
    pub fn new(h: &Hotel, rooms: &[RoomSummary]) -> Self {
        HotelInfoResponse {
            id: h.id,
            name: h.name.clone(),
            city: h.city.clone(),
            photos: h.photos.clone(),
            amenities: h.amenities.clone(),
            contact_phone: h.contact_phone.clone(),
            contact_email: h.contact_email.clone(),
            contact_address: h.contact_address.clone(),
            rooms: rooms
                .iter()
                .map(|r| RoomSummaryResponse {
                    id: r.room.id,
                    kind: r.room.kind.clone(),
                    base_price: r.room.base_price.into(),
                    capacity: r.room.capacity,
                    photos: r.room.photos.clone(),
                    amenities: r.room.amenities.clone(),
                    available: r.available,
                    total_price: r.total_price.map(MoneyStr::from),
                })
                .collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct HotelSearchResult {
    #[schema(example = 7)]
    pub id: i64,
    #[schema(example = "Hotel Aurora")]
    pub name: String,
    #[schema(example = "Lisbon")]
    pub city: Option<String>,
    pub photos: Option<Vec<String>>,
    pub amenities: Option<Vec<String>>,
    /// The lowest average nightly price among the qualifying room types.
    pub min_price: MoneyStr,
}

impl From<&SearchHit> for HotelSearchResult {
    fn from(h: &SearchHit) -> Self {
        HotelSearchResult {
            id: h.id,
            name: h.name.clone(),
            city: h.city.clone(),
            photos: h.photos.clone(),
            amenities: h.amenities.clone(),
            min_price: h.min_price.into(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct RoomResponse {
    #[schema(example = 3)]
    pub id: i64,
    #[schema(example = 7)]
    pub hotel_id: i64,
    #[serde(rename = "type")]
    #[schema(example = "Double")]
    pub kind: String,
    pub base_price: MoneyStr,
    pub photos: Option<Vec<String>>,
    pub amenities: Option<Vec<String>>,
    #[schema(example = 10)]
    pub total_count: i32,
    #[schema(example = 2)]
    pub capacity: i32,
    #[serde(serialize_with = "ser_ts")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "ser_ts")]
    pub updated_at: DateTime<Utc>,
}

impl From<&Room> for RoomResponse {
    fn from(r: &Room) -> Self {
        RoomResponse {
            id: r.id,
            hotel_id: r.hotel_id,
            kind: r.kind.clone(),
            base_price: r.base_price.into(),
            photos: r.photos.clone(),
            amenities: r.amenities.clone(),
            total_count: r.total_count,
            capacity: r.capacity,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct InventoryResponse {
    pub id: i64,
    pub hotel_id: i64,
    pub room_id: i64,
    #[serde(serialize_with = "ser_date")]
    #[schema(example = "2026-12-01")]
    pub date: NaiveDate,
    pub book_count: i32,
    pub reserved_count: i32,
    pub total_count: i32,
    pub surge_factor: SurgeStr,
    pub price: MoneyStr,
    /// The hotel's current city (`""` if none).
    pub city: String,
    pub closed: bool,
    /// `total_count − book_count − reserved_count`, at least 0.
    pub available_count: i32,
    /// What a one-room quote would charge for this night now.
    pub effective_price: MoneyStr,
}

impl InventoryResponse {
    pub fn new(v: &InventoryView, effective: Money) -> Self {
        let n = &v.night;
        InventoryResponse {
            id: n.id,
            hotel_id: n.hotel_id,
            room_id: n.room_id,
            date: n.date,
            book_count: n.book_count,
            reserved_count: n.reserved_count,
            total_count: n.total_count,
            surge_factor: SurgeStr(format!("{:.2}", n.surge_factor)),
            price: n.price.into(),
            city: v.city.clone(),
            closed: n.closed,
            available_count: n.available(),
            effective_price: effective.into(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct GuestResponse {
    #[schema(example = 5)]
    pub id: i64,
    #[schema(example = 17)]
    pub user_id: i64,
    #[schema(example = "Grace Hopper")]
    pub name: String,
    pub gender: GenderDto,
    #[schema(example = 34)]
    pub age: Option<i32>,
}

impl From<&Guest> for GuestResponse {
    fn from(g: &Guest) -> Self {
        GuestResponse { id: g.id, user_id: g.user_id, name: g.name.clone(), gender: g.gender.into(), age: g.age }
    }
}

#[derive(Serialize, ToSchema)]
pub struct BookingResponse {
    #[schema(example = 42)]
    pub id: i64,
    #[schema(example = 7)]
    pub hotel_id: i64,
    #[schema(example = 3)]
    pub room_id: i64,
    #[schema(example = 17)]
    pub user_id: i64,
    #[schema(example = 1)]
    pub rooms_count: i32,
    #[serde(serialize_with = "ser_date")]
    #[schema(example = "2026-12-01")]
    pub check_in_date: NaiveDate,
    #[serde(serialize_with = "ser_date")]
    #[schema(example = "2026-12-03")]
    pub check_out_date: NaiveDate,
    pub booking_status: BookingStatusDto,
    /// The frozen quote.
    pub amount: MoneyStr,
    #[serde(serialize_with = "ser_ts")]
    #[schema(example = "2026-11-25T19:26:09.217604Z")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "ser_ts")]
    #[schema(example = "2026-11-25T19:26:09.217604Z")]
    pub updated_at: DateTime<Utc>,
    #[schema(example = 2)]
    pub nights: i32,
    /// ISO 4217, upper-case.
    #[schema(example = "USD", pattern = "^[A-Z]{3}$")]
    pub currency: String,
    /// The hold deadline (`null` in terminal states).
    #[serde(serialize_with = "ser_ts_opt")]
    #[schema(example = "2026-11-25T19:41:09.217604Z")]
    pub expires_at: Option<DateTime<Utc>>,
    /// Linked guests by id, including guests deleted later.
    pub guests: Vec<GuestResponse>,
}

impl From<&Booking> for BookingResponse {
    fn from(b: &Booking) -> Self {
        BookingResponse {
            id: b.id,
            hotel_id: b.hotel_id,
            room_id: b.room_id,
            user_id: b.user_id,
            rooms_count: b.rooms_count,
            check_in_date: b.check_in_date,
            check_out_date: b.check_out_date,
            booking_status: b.status.into(),
            amount: b.amount.into(),
            created_at: b.created_at,
            updated_at: b.updated_at,
            nights: b.nights,
            currency: b.currency.to_string(),
            expires_at: b.expires_at,
            guests: b.guests.iter().map(GuestResponse::from).collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct BookingDetailResponse {
    #[serde(flatten)]
    pub booking: BookingResponse,
    #[schema(example = "Hotel Aurora")]
    pub hotel_name: String,
    #[schema(example = "Double")]
    pub room_type: String,
    pub payment_session_id: Option<String>,
    /// Non-null only while `PAYMENTS_PENDING`.
    pub session_url: Option<String>,
    pub refund_status: Option<RefundStatusDto>,
    #[serde(serialize_with = "ser_ts_opt")]
    pub confirmed_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "ser_ts_opt")]
    pub cancelled_at: Option<DateTime<Utc>>,
}

impl From<&Booking> for BookingDetailResponse {
    fn from(b: &Booking) -> Self {
        BookingDetailResponse {
            booking: b.into(),
            hotel_name: b.hotel_name.clone(),
            room_type: b.room_type.clone(),
            payment_session_id: b.payment_session_id.clone(),
            session_url: if b.status == BookingStatus::PaymentsPending { b.payment_session_url.clone() } else { None },
            refund_status: b.refund_status.map(RefundStatusDto::from),
            confirmed_at: b.confirmed_at,
            cancelled_at: b.cancelled_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct HotelReportResponse {
    pub hotel_id: i64,
    /// CONFIRMED bookings with `start_date ≤ check_in_date ≤ end_date`.
    pub total_bookings: i64,
    pub total_revenue: MoneyStr,
    #[serde(serialize_with = "ser_date")]
    #[schema(example = "2026-11-01")]
    pub start_date: NaiveDate,
    #[serde(serialize_with = "ser_date")]
    #[schema(example = "2026-11-25")]
    pub end_date: NaiveDate,
    /// `total_revenue / total_bookings`, rounded half-even (`"0.00"` when there are none).
    pub avg_revenue: MoneyStr,
}

impl From<&HotelReport> for HotelReportResponse {
    fn from(r: &HotelReport) -> Self {
        HotelReportResponse {
            hotel_id: r.hotel_id,
            total_bookings: r.total_bookings,
            total_revenue: r.total_revenue.into(),
            start_date: r.start_date,
            end_date: r.end_date,
            avg_revenue: r.avg_revenue.into(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SessionUrlResponse {
    /// Where to send the customer to pay.
    #[schema(
        format = "uri",
        example = "http://localhost:8000/payments/simulated/sim_cs_0123456789abcdef0123456789abcdef"
    )]
    pub session_url: String,
}

#[derive(Serialize, ToSchema)]
pub struct StatusResponse {
    /// The effective status (an expired hold reads `EXPIRED`).
    pub booking_status: BookingStatusDto,
}

/// `GET /`.
#[derive(Serialize, ToSchema)]
pub struct RootResponse {
    #[schema(example = "healthy")]
    pub status: &'static str,
    #[schema(example = "Hotel booking API is running")]
    pub message: &'static str,
}

/// `GET /health` and `GET /ready`.
#[derive(Serialize, ToSchema)]
pub struct HealthResponse {
    /// `healthy` (`/health`) or `ready` (`/ready`).
    #[schema(example = "healthy")]
    pub status: &'static str,
}

/// The webhook's answer to every verified event.
#[derive(Serialize, ToSchema)]
pub struct WebhookAck {
    #[schema(example = "success")]
    pub status: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The wire names of the schema enums are exactly the domain's names.
    #[test]
    fn enum_dtos_serialise_as_the_domain_names() {
        let name = |v: serde_json::Value| v.as_str().unwrap_or_default().to_string();
        for s in BookingStatus::ALL {
            assert_eq!(name(serde_json::to_value(BookingStatusDto::from(s)).unwrap()), s.as_str());
        }
        for r in [Role::Guest, Role::HotelManager] {
            assert_eq!(name(serde_json::to_value(RoleDto::from(r)).unwrap()), r.as_str());
        }
        for g in [Gender::Male, Gender::Female] {
            assert_eq!(name(serde_json::to_value(GenderDto::from(g)).unwrap()), g.as_str());
        }
        for r in [RefundStatus::Pending, RefundStatus::Succeeded, RefundStatus::Failed] {
            assert_eq!(name(serde_json::to_value(RefundStatusDto::from(r)).unwrap()), r.as_str());
        }
        for s in SearchSortDto::ALL {
            assert_eq!(name(serde_json::to_value(s).unwrap()), s.as_str());
        }
        assert_eq!(serde_json::to_value(TokenType::Bearer).unwrap(), "bearer");
    }

    #[test]
    fn dates_and_timestamps_keep_their_wire_format() {
        let t = DateTime::parse_from_rfc3339("2026-11-25T19:26:09.2176Z").unwrap().with_timezone(&Utc);
        let d = NaiveDate::from_ymd_opt(2026, 2, 1).unwrap();
        let r = HotelReportResponse {
            hotel_id: 1,
            total_bookings: 0,
            total_revenue: MoneyStr("0.00".into()),
            start_date: d,
            end_date: d,
            avg_revenue: MoneyStr("0.00".into()),
        };
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["start_date"], "2026-02-01");
        assert_eq!(ts(t), "2026-11-25T19:26:09.217600Z");
        let mut out = Vec::new();
        ser_ts_opt(&Some(t), &mut serde_json::Serializer::new(&mut out)).unwrap();
        assert_eq!(out, br#""2026-11-25T19:26:09.217600Z""#);
    }
}
