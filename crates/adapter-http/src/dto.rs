//! Response DTOs (key order as in API.md §4.2) and their conversions from domain types.

use chrono::{DateTime, NaiveDate, Utc};
use domain::model::*;
use serde::Serialize;
use utoipa::ToSchema;

/// `2026-11-25T19:26:09.217604Z`.
pub fn ts(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

fn ts_opt(t: Option<DateTime<Utc>>) -> Option<String> {
    t.map(ts)
}

fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

#[derive(Serialize, ToSchema)]
pub struct UserResponse {
    pub id: i64,
    pub email: String,
    pub name: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub date_of_birth: Option<String>,
    #[schema(example = "MALE")]
    pub gender: Option<&'static str>,
    #[schema(example = json!(["GUEST"]))]
    pub roles: Vec<&'static str>,
}

impl From<&User> for UserResponse {
    fn from(u: &User) -> Self {
        UserResponse {
            id: u.id,
            email: u.email.as_str().to_string(),
            name: u.name.clone(),
            date_of_birth: u.date_of_birth.map(date),
            gender: u.gender.map(Gender::as_str),
            roles: u.roles.iter().map(|r| r.as_str()).collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct LoginResponse {
    pub access_token: String,
    #[schema(example = "bearer")]
    pub token_type: &'static str,
    pub refresh_token: String,
    #[schema(example = 1800)]
    pub expires_in: i64,
}

#[derive(Serialize, ToSchema)]
pub struct HotelResponse {
    pub id: i64,
    pub name: String,
    pub city: Option<String>,
    pub photos: Option<Vec<String>>,
    pub amenities: Option<Vec<String>>,
    pub contact_phone: Option<String>,
    pub contact_email: Option<String>,
    pub contact_address: Option<String>,
    pub active: bool,
    pub owner_id: i64,
    pub created_at: String,
    pub updated_at: String,
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
            created_at: ts(h.created_at),
            updated_at: ts(h.updated_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct RoomSummaryResponse {
    pub id: i64,
    #[serde(rename = "type")]
    pub kind: String,
    #[schema(example = "100.00")]
    pub base_price: String,
    pub capacity: i32,
    pub photos: Option<Vec<String>>,
    pub amenities: Option<Vec<String>>,
    pub available: Option<bool>,
    pub total_price: Option<String>,
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
                    base_price: r.room.base_price.to_string(),
                    capacity: r.room.capacity,
                    photos: r.room.photos.clone(),
                    amenities: r.room.amenities.clone(),
                    available: r.available,
                    total_price: r.total_price.map(|m| m.to_string()),
                })
                .collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct HotelSearchResult {
    pub id: i64,
    pub name: String,
    pub city: Option<String>,
    pub photos: Option<Vec<String>>,
    pub amenities: Option<Vec<String>>,
    #[schema(example = "120.00")]
    pub min_price: String,
}

impl From<&SearchHit> for HotelSearchResult {
    fn from(h: &SearchHit) -> Self {
        HotelSearchResult {
            id: h.id,
            name: h.name.clone(),
            city: h.city.clone(),
            photos: h.photos.clone(),
            amenities: h.amenities.clone(),
            min_price: h.min_price.to_string(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct RoomResponse {
    pub id: i64,
    pub hotel_id: i64,
    #[serde(rename = "type")]
    pub kind: String,
    pub base_price: String,
    pub photos: Option<Vec<String>>,
    pub amenities: Option<Vec<String>>,
    pub total_count: i32,
    pub capacity: i32,
    pub created_at: String,
    pub updated_at: String,
}

impl From<&Room> for RoomResponse {
    fn from(r: &Room) -> Self {
        RoomResponse {
            id: r.id,
            hotel_id: r.hotel_id,
            kind: r.kind.clone(),
            base_price: r.base_price.to_string(),
            photos: r.photos.clone(),
            amenities: r.amenities.clone(),
            total_count: r.total_count,
            capacity: r.capacity,
            created_at: ts(r.created_at),
            updated_at: ts(r.updated_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct InventoryResponse {
    pub id: i64,
    pub hotel_id: i64,
    pub room_id: i64,
    pub date: String,
    pub book_count: i32,
    pub reserved_count: i32,
    pub total_count: i32,
    pub surge_factor: String,
    pub price: String,
    pub city: String,
    pub closed: bool,
    pub available_count: i32,
    pub effective_price: String,
}

impl InventoryResponse {
    pub fn new(v: &InventoryView, effective: Money) -> Self {
        let n = &v.night;
        InventoryResponse {
            id: n.id,
            hotel_id: n.hotel_id,
            room_id: n.room_id,
            date: date(n.date),
            book_count: n.book_count,
            reserved_count: n.reserved_count,
            total_count: n.total_count,
            surge_factor: format!("{:.2}", n.surge_factor),
            price: n.price.to_string(),
            city: v.city.clone(),
            closed: n.closed,
            available_count: n.available(),
            effective_price: effective.to_string(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct GuestResponse {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub gender: &'static str,
    pub age: Option<i32>,
}

impl From<&Guest> for GuestResponse {
    fn from(g: &Guest) -> Self {
        GuestResponse { id: g.id, user_id: g.user_id, name: g.name.clone(), gender: g.gender.as_str(), age: g.age }
    }
}

#[derive(Serialize, ToSchema)]
pub struct BookingResponse {
    pub id: i64,
    pub hotel_id: i64,
    pub room_id: i64,
    pub user_id: i64,
    pub rooms_count: i32,
    pub check_in_date: String,
    pub check_out_date: String,
    #[schema(example = "RESERVED")]
    pub booking_status: &'static str,
    pub amount: String,
    pub created_at: String,
    pub updated_at: String,
    pub nights: i32,
    pub currency: String,
    pub expires_at: Option<String>,
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
            check_in_date: date(b.check_in_date),
            check_out_date: date(b.check_out_date),
            booking_status: b.status.as_str(),
            amount: b.amount.to_string(),
            created_at: ts(b.created_at),
            updated_at: ts(b.updated_at),
            nights: b.nights,
            currency: b.currency.clone(),
            expires_at: ts_opt(b.expires_at),
            guests: b.guests.iter().map(GuestResponse::from).collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct BookingDetailResponse {
    #[serde(flatten)]
    pub booking: BookingResponse,
    pub hotel_name: String,
    pub room_type: String,
    pub payment_session_id: Option<String>,
    pub session_url: Option<String>,
    pub refund_status: Option<&'static str>,
    pub confirmed_at: Option<String>,
    pub cancelled_at: Option<String>,
}

impl From<&Booking> for BookingDetailResponse {
    fn from(b: &Booking) -> Self {
        BookingDetailResponse {
            booking: b.into(),
            hotel_name: b.hotel_name.clone(),
            room_type: b.room_type.clone(),
            payment_session_id: b.payment_session_id.clone(),
            session_url: if b.status == BookingStatus::PaymentsPending { b.payment_session_url.clone() } else { None },
            refund_status: b.refund_status.map(RefundStatus::as_str),
            confirmed_at: ts_opt(b.confirmed_at),
            cancelled_at: ts_opt(b.cancelled_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct HotelReportResponse {
    pub hotel_id: i64,
    pub total_bookings: i64,
    pub total_revenue: String,
    pub start_date: String,
    pub end_date: String,
    pub avg_revenue: String,
}

impl From<&HotelReport> for HotelReportResponse {
    fn from(r: &HotelReport) -> Self {
        HotelReportResponse {
            hotel_id: r.hotel_id,
            total_bookings: r.total_bookings,
            total_revenue: r.total_revenue.to_string(),
            start_date: date(r.start_date),
            end_date: date(r.end_date),
            avg_revenue: r.avg_revenue.to_string(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SessionUrlResponse {
    pub session_url: String,
}

#[derive(Serialize, ToSchema)]
pub struct StatusResponse {
    #[schema(example = "CONFIRMED")]
    pub booking_status: &'static str,
}
