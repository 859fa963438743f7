//! Row structs read with `sql_query`, and their conversions into domain types.
//!
//! Why one file (~600 lines): every row shape and its `TryFrom` sit next to the column lists (`*_COLS`) the
//! queries of all modules share; one place keeps a column rename a one-file change.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{
    Array, BigInt, Bool, Bytea, Date, Integer, Nullable, Numeric, SmallInt, Text, Time, Timestamptz,
};
use domain::model::*;
use domain::{Error, Result};
use rust_decimal::Decimal;

pub(crate) fn money(d: Decimal) -> Result<Money> {
    Money::from_decimal_exact(d).ok_or_else(|| Error::internal(format!("stored amount {d} has more than 2 decimals")))
}

#[derive(QueryableByName)]
pub(crate) struct VersionRow {
    #[diesel(sql_type = Text)]
    pub version: String,
}

#[derive(QueryableByName)]
pub(crate) struct CountRow {
    #[diesel(sql_type = BigInt)]
    pub n: i64,
}

#[derive(QueryableByName)]
pub(crate) struct IdRow {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
}

#[derive(QueryableByName)]
pub(crate) struct UserRow {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = Text)]
    pub email: String,
    #[diesel(sql_type = Text)]
    pub password: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub name: Option<String>,
    #[diesel(sql_type = Nullable<Date>)]
    pub date_of_birth: Option<NaiveDate>,
    #[diesel(sql_type = Nullable<Text>)]
    pub gender: Option<String>,
    #[diesel(sql_type = Array<Text>)]
    pub roles: Vec<String>,
}

pub(crate) const USER_COLS: &str =
    "id, email, password, name, date_of_birth, gender::text AS gender, roles::text[] AS roles";

impl TryFrom<UserRow> for User {
    type Error = Error;
    fn try_from(r: UserRow) -> Result<User> {
        Ok(User {
            id: r.id.into(),
            email: Email::parse(&r.email).ok_or_else(|| Error::internal("stored email is invalid"))?,
            password_hash: r.password,
            name: r.name,
            date_of_birth: r.date_of_birth,
            gender: r.gender.as_deref().and_then(Gender::parse),
            roles: r.roles.iter().filter_map(|s| Role::parse(s)).collect(),
        })
    }
}

#[derive(QueryableByName)]
pub(crate) struct GuestRow {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = BigInt)]
    pub user_id: i64,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Text)]
    pub gender: String,
    #[diesel(sql_type = Nullable<Integer>)]
    pub age: Option<i32>,
}

pub(crate) const GUEST_COLS: &str = "g.id, g.user_id, g.name, g.gender::text AS gender, g.age";

impl TryFrom<GuestRow> for Guest {
    type Error = Error;
    fn try_from(r: GuestRow) -> Result<Guest> {
        Ok(Guest {
            id: r.id.into(),
            user_id: r.user_id.into(),
            name: r.name,
            gender: Gender::parse(&r.gender).ok_or_else(|| Error::internal("stored gender is invalid"))?,
            age: r.age,
        })
    }
}

#[derive(QueryableByName)]
pub(crate) struct BookingGuestRow {
    #[diesel(sql_type = BigInt)]
    pub booking_id: i64,
    #[diesel(embed)]
    pub guest: GuestRow,
}

#[derive(QueryableByName, Clone)]
pub(crate) struct HotelRow {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub city: Option<String>,
    #[diesel(sql_type = Nullable<Array<Text>>)]
    pub photos: Option<Vec<String>>,
    #[diesel(sql_type = Nullable<Array<Text>>)]
    pub amenities: Option<Vec<String>>,
    #[diesel(sql_type = Nullable<Text>)]
    pub contact_phone: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub contact_email: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub contact_address: Option<String>,
    #[diesel(sql_type = Bool)]
    pub active: bool,
    #[diesel(sql_type = BigInt)]
    pub owner_id: i64,
    #[diesel(sql_type = Text)]
    pub time_zone: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub currency: Option<String>,
    #[diesel(sql_type = Time)]
    pub check_in_time: NaiveTime,
    #[diesel(sql_type = Time)]
    pub check_out_time: NaiveTime,
    #[diesel(sql_type = Text)]
    pub cancellation_policy: String,
    #[diesel(sql_type = Text)]
    pub taxes: String,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    pub updated_at: DateTime<Utc>,
}

pub(crate) const HOTEL_COLS: &str = "id, name, city, photos::text[] AS photos, amenities::text[] AS amenities, \
    contact_phone, contact_email, contact_address, active, owner_id, time_zone, currency, check_in_time, \
    check_out_time, cancellation_policy, taxes::text AS taxes, created_at, updated_at";

/// A hotel's stored currency: NULL only between the migration that added the column and the next start, which
/// fills in the deployment's CURRENCY (`PgStore::backfill_hotel_currency`).
pub(crate) fn hotel_currency(c: Option<&str>) -> Result<Currency> {
    match c {
        Some(c) => Currency::parse(c).ok_or_else(|| Error::internal(format!("stored currency {c:?}"))),
        None => Ok(Currency::default()),
    }
}

/// A stored time zone name (validated on the way in).
pub(crate) fn time_zone(name: &str) -> Result<TimeZone> {
    TimeZone::parse(name).ok_or_else(|| Error::internal(format!("stored time zone {name:?}")))
}

/// A stored cancellation policy spelling (validated on the way in).
pub(crate) fn cancellation_policy(s: &str) -> Result<CancellationPolicy> {
    CancellationPolicy::parse(s).ok_or_else(|| Error::internal(format!("stored cancellation policy {s:?}")))
}

impl TryFrom<HotelRow> for Hotel {
    type Error = Error;
    fn try_from(r: HotelRow) -> Result<Hotel> {
        Ok(Hotel {
            id: r.id.into(),
            name: r.name,
            city: r.city,
            photos: r.photos,
            amenities: r.amenities,
            contact_phone: r.contact_phone,
            contact_email: r.contact_email,
            contact_address: r.contact_address,
            active: r.active,
            owner_id: r.owner_id.into(),
            time_zone: time_zone(&r.time_zone)?,
            currency: hotel_currency(r.currency.as_deref())?,
            check_in_time: r.check_in_time,
            check_out_time: r.check_out_time,
            cancellation_policy: cancellation_policy(&r.cancellation_policy)?,
            taxes: crate::json::decode_taxes(&r.taxes)?,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

#[derive(QueryableByName)]
pub(crate) struct RoomRow {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = BigInt)]
    pub hotel_id: i64,
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = Numeric)]
    pub base_price: Decimal,
    #[diesel(sql_type = Nullable<Array<Text>>)]
    pub photos: Option<Vec<String>>,
    #[diesel(sql_type = Nullable<Array<Text>>)]
    pub amenities: Option<Vec<String>>,
    #[diesel(sql_type = Integer)]
    pub total_count: i32,
    #[diesel(sql_type = Integer)]
    pub capacity: i32,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    pub updated_at: DateTime<Utc>,
}

pub(crate) const ROOM_COLS: &str = "id, hotel_id, type AS kind, base_price, photos::text[] AS photos, \
    amenities::text[] AS amenities, total_count, capacity, created_at, updated_at";

impl TryFrom<RoomRow> for Room {
    type Error = Error;
    fn try_from(r: RoomRow) -> Result<Room> {
        Ok(Room {
            id: r.id.into(),
            hotel_id: r.hotel_id.into(),
            kind: r.kind,
            base_price: money(r.base_price)?,
            photos: r.photos,
            amenities: r.amenities,
            total_count: r.total_count,
            capacity: r.capacity,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

/// A hotel joined with one of its rooms (room columns prefixed `r_`, null when the hotel has no room).
#[derive(QueryableByName)]
pub(crate) struct HotelRoomRow {
    #[diesel(embed)]
    pub hotel: HotelRow,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub r_id: Option<i64>,
    #[diesel(sql_type = Nullable<Text>)]
    pub r_kind: Option<String>,
    #[diesel(sql_type = Nullable<Numeric>)]
    pub r_base_price: Option<Decimal>,
    #[diesel(sql_type = Nullable<Array<Text>>)]
    pub r_photos: Option<Vec<String>>,
    #[diesel(sql_type = Nullable<Array<Text>>)]
    pub r_amenities: Option<Vec<String>>,
    #[diesel(sql_type = Nullable<Integer>)]
    pub r_total_count: Option<i32>,
    #[diesel(sql_type = Nullable<Integer>)]
    pub r_capacity: Option<i32>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub r_created_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub r_updated_at: Option<DateTime<Utc>>,
}

impl HotelRoomRow {
    /// The room part, if any.
    pub fn room(&self) -> Result<Option<Room>> {
        let (Some(id), Some(kind), Some(price), Some(total), Some(cap), Some(c), Some(u)) = (
            self.r_id,
            self.r_kind.clone(),
            self.r_base_price,
            self.r_total_count,
            self.r_capacity,
            self.r_created_at,
            self.r_updated_at,
        ) else {
            return Ok(None);
        };
        Ok(Some(Room {
            id: id.into(),
            hotel_id: self.hotel.id.into(),
            kind,
            base_price: money(price)?,
            photos: self.r_photos.clone(),
            amenities: self.r_amenities.clone(),
            total_count: total,
            capacity: cap,
            created_at: c,
            updated_at: u,
        }))
    }
}

#[derive(QueryableByName)]
pub(crate) struct NightRow {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = BigInt)]
    pub hotel_id: i64,
    #[diesel(sql_type = BigInt)]
    pub room_id: i64,
    #[diesel(sql_type = Date)]
    pub date: NaiveDate,
    #[diesel(sql_type = Integer)]
    pub book_count: i32,
    #[diesel(sql_type = Integer)]
    pub reserved_count: i32,
    #[diesel(sql_type = Integer)]
    pub total_count: i32,
    #[diesel(sql_type = Numeric)]
    pub surge_factor: Decimal,
    #[diesel(sql_type = Numeric)]
    pub price: Decimal,
    #[diesel(sql_type = Bool)]
    pub closed: bool,
    #[diesel(sql_type = Nullable<Integer>)]
    pub min_stay: Option<i32>,
    #[diesel(sql_type = Nullable<Integer>)]
    pub max_stay: Option<i32>,
    #[diesel(sql_type = Bool)]
    pub closed_to_arrival: bool,
    #[diesel(sql_type = Bool)]
    pub closed_to_departure: bool,
}

pub(crate) const NIGHT_COLS: &str = "i.id, i.hotel_id, i.room_id, i.date, i.book_count, i.reserved_count, i.total_count, \
    i.surge_factor, i.price, i.closed, i.min_stay, i.max_stay, i.closed_to_arrival, i.closed_to_departure";

impl TryFrom<NightRow> for InventoryNight {
    type Error = Error;
    fn try_from(r: NightRow) -> Result<InventoryNight> {
        Ok(InventoryNight {
            id: r.id,
            hotel_id: r.hotel_id.into(),
            room_id: r.room_id.into(),
            date: r.date,
            book_count: r.book_count,
            reserved_count: r.reserved_count,
            total_count: r.total_count,
            surge_factor: r.surge_factor,
            price: money(r.price)?,
            closed: r.closed,
            restrictions: Restrictions {
                min_stay: r.min_stay,
                max_stay: r.max_stay,
                closed_to_arrival: r.closed_to_arrival,
                closed_to_departure: r.closed_to_departure,
            },
        })
    }
}

#[derive(QueryableByName)]
pub(crate) struct InventoryViewRow {
    #[diesel(embed)]
    pub night: NightRow,
    #[diesel(sql_type = Text)]
    pub city: String,
}

#[derive(QueryableByName)]
pub(crate) struct BookingRow {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = BigInt)]
    pub hotel_id: i64,
    #[diesel(sql_type = BigInt)]
    pub room_id: i64,
    #[diesel(sql_type = BigInt)]
    pub user_id: i64,
    #[diesel(sql_type = Integer)]
    pub rooms_count: i32,
    #[diesel(sql_type = Date)]
    pub check_in_date: NaiveDate,
    #[diesel(sql_type = Date)]
    pub check_out_date: NaiveDate,
    #[diesel(sql_type = Text)]
    pub status: String,
    #[diesel(sql_type = Numeric)]
    pub amount: Decimal,
    #[diesel(sql_type = Text)]
    pub currency: String,
    #[diesel(sql_type = Integer)]
    pub nights: i32,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    pub updated_at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub expires_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Integer)]
    pub payment_attempt: i32,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub payment_started_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Text>)]
    pub payment_session_id: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub payment_session_url: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub payment_intent_id: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub refund_status: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub refund_id: Option<String>,
    #[diesel(sql_type = Integer)]
    pub refund_attempts: i32,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub confirmed_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub cancelled_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub rate_plan_id: Option<i64>,
    #[diesel(sql_type = Text)]
    pub time_zone: String,
    #[diesel(sql_type = Text)]
    pub cancellation_policy: String,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub cancel_deadline: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Numeric>)]
    pub penalty_amount: Option<Decimal>,
    #[diesel(sql_type = Nullable<Numeric>)]
    pub refund_amount: Option<Decimal>,
    #[diesel(sql_type = Integer)]
    pub adults: i32,
    #[diesel(sql_type = Numeric)]
    pub subtotal: Decimal,
    #[diesel(sql_type = Text)]
    pub charges: String,
    #[diesel(sql_type = Text)]
    pub hotel_name: String,
    #[diesel(sql_type = Text)]
    pub room_type: String,
}

/// Columns of `BookingRow`; the query must alias booking `b`, hotel `h`, room `r`.
pub(crate) const BOOKING_COLS: &str = "b.id, b.hotel_id, b.room_id, b.user_id, b.rooms_count, b.check_in_date, \
    b.check_out_date, b.booking_status::text AS status, b.amount, b.currency::text AS currency, b.nights, b.created_at, \
    b.updated_at, b.expires_at, b.payment_attempt, b.payment_started_at, b.payment_session_id, b.payment_session_url, \
    b.payment_intent_id, b.refund_status::text AS refund_status, b.refund_id, b.refund_attempts, b.confirmed_at, \
    b.cancelled_at, b.rate_plan_id, b.time_zone, b.cancellation_policy, b.cancel_deadline, b.penalty_amount, b.refund_amount, \
    b.adults, b.subtotal, b.charges::text AS charges, h.name AS hotel_name, r.type AS room_type";
pub(crate) const BOOKING_FROM: &str = "booking b JOIN hotel h ON h.id = b.hotel_id JOIN room r ON r.id = b.room_id";

impl TryFrom<BookingRow> for Booking {
    type Error = Error;
    fn try_from(r: BookingRow) -> Result<Booking> {
        Ok(Booking {
            id: r.id.into(),
            hotel_id: r.hotel_id.into(),
            room_id: r.room_id.into(),
            user_id: r.user_id.into(),
            rooms_count: r.rooms_count,
            check_in_date: r.check_in_date,
            check_out_date: r.check_out_date,
            status: BookingStatus::parse(&r.status).ok_or_else(|| Error::internal("stored status is invalid"))?,
            amount: money(r.amount)?,
            currency: Currency::parse(&r.currency)
                .ok_or_else(|| Error::internal(format!("booking {} has an unsupported currency", r.id)))?,
            nights: r.nights,
            created_at: r.created_at,
            updated_at: r.updated_at,
            expires_at: r.expires_at,
            guests: Vec::new(),
            payment_attempt: r.payment_attempt,
            payment_started_at: r.payment_started_at,
            payment_session_id: r.payment_session_id,
            payment_session_url: r.payment_session_url,
            payment_intent_id: r.payment_intent_id,
            refund_status: r.refund_status.as_deref().and_then(RefundStatus::parse),
            refund_id: r.refund_id,
            refund_attempts: r.refund_attempts,
            confirmed_at: r.confirmed_at,
            cancelled_at: r.cancelled_at,
            rate_plan_id: r.rate_plan_id.map(RatePlanId),
            time_zone: time_zone(&r.time_zone)?,
            cancellation_policy: cancellation_policy(&r.cancellation_policy)?,
            cancel_deadline: r.cancel_deadline,
            penalty_amount: r.penalty_amount.map(money).transpose()?,
            refund_amount: r.refund_amount.map(money).transpose()?,
            adults: r.adults,
            subtotal: money(r.subtotal)?,
            charges: crate::json::decode_charges(&r.charges)?,
            hotel_name: r.hotel_name,
            room_type: r.room_type,
        })
    }
}

#[derive(QueryableByName)]
pub(crate) struct SearchRow {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub city: Option<String>,
    #[diesel(sql_type = Nullable<Array<Text>>)]
    pub photos: Option<Vec<String>>,
    #[diesel(sql_type = Nullable<Array<Text>>)]
    pub amenities: Option<Vec<String>>,
    #[diesel(sql_type = Numeric)]
    pub min_price: Decimal,
    #[diesel(sql_type = Nullable<Text>)]
    pub currency: Option<String>,
    #[diesel(sql_type = BigInt)]
    pub total: i64,
}

#[derive(QueryableByName)]
pub(crate) struct ReportRow {
    #[diesel(sql_type = BigInt)]
    pub n: i64,
    #[diesel(sql_type = Numeric)]
    pub revenue: Decimal,
    #[diesel(sql_type = Numeric)]
    pub penalties: Decimal,
}

#[derive(QueryableByName)]
pub(crate) struct IdemRow {
    #[diesel(sql_type = Text)]
    pub method: String,
    #[diesel(sql_type = Text)]
    pub path: String,
    #[diesel(sql_type = Bytea)]
    pub fingerprint: Vec<u8>,
    #[diesel(sql_type = Text)]
    pub state: String,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub locked_until: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<SmallInt>)]
    pub response_status: Option<i16>,
    #[diesel(sql_type = Nullable<Bytea>)]
    pub response_body: Option<Vec<u8>>,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
}

#[derive(QueryableByName)]
pub(crate) struct SimSessionRow {
    #[diesel(sql_type = Text)]
    pub id: String,
    #[diesel(sql_type = BigInt)]
    pub booking_id: i64,
    #[diesel(sql_type = Numeric)]
    pub amount: Decimal,
    #[diesel(sql_type = Text)]
    pub currency: String,
    #[diesel(sql_type = Text)]
    pub status: String,
    #[diesel(sql_type = Timestamptz)]
    pub expires_at: DateTime<Utc>,
}

#[derive(QueryableByName)]
pub(crate) struct TokenRow {
    #[diesel(sql_type = Text)]
    pub family_id: String,
    #[diesel(sql_type = BigInt)]
    pub user_id: i64,
    #[diesel(sql_type = Timestamptz)]
    pub expires_at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub rotated_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub revoked_at: Option<DateTime<Utc>>,
}

#[derive(QueryableByName)]
pub(crate) struct ThrottleRow {
    #[diesel(sql_type = Timestamptz)]
    pub window_started_at: DateTime<Utc>,
    #[diesel(sql_type = Integer)]
    pub failures: i32,
}

/// The hold statuses as an SQL list (`booking_status IN {HOLD_STATUSES}`): the domain's
/// `BookingStatus::is_hold`, spelled once for every query (a test keeps the two in step).
pub(crate) const HOLD_STATUSES: &str = "('RESERVED','GUESTS_ADDED','PAYMENTS_PENDING')";

#[cfg(test)]
mod hold_statuses_tests {
    use domain::model::BookingStatus;

    #[test]
    fn hold_statuses_match_the_domain() {
        let holds: Vec<String> =
            BookingStatus::ALL.iter().filter(|s| s.is_hold()).map(|s| format!("'{}'", s.as_str())).collect();
        assert_eq!(super::HOLD_STATUSES, format!("({})", holds.join(",")));
    }
}
