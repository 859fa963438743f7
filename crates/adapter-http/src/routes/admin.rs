//! `/admin/*`: hotels, rooms, inventory, bookings and reports of the manager's own hotels.

use super::users::status_filter;
use super::{json, paged};
use crate::dto::{BookingResponse, HotelReportResponse, HotelResponse, InventoryResponse, RoomResponse};
use crate::error::ApiResult;
use crate::extract::{JsonBytes, Manager, id};
use crate::input::{Fields, Opt, Query, parse_object};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use domain::model::*;
use rust_decimal::Decimal;

/// Photos: ≤ 20 absolute http(s) URLs of ≤ 2048 chars. Amenities: ≤ 50 items of 1..=64 chars.
type Lists = (Opt<Vec<String>>, Opt<Vec<String>>);

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

/// `contact_info`: `phone` (1..=50), `email` (address syntax, ≤ 254), `address` (1..=500).
type Contact = (Opt<String>, Opt<String>, Opt<String>);

fn contact(f: &mut Fields<'_>) -> ApiResult<Contact> {
    let prefix = f.child_prefix("contact_info");
    match f.opt_object("contact_info")? {
        Patch::Keep => Ok((Patch::Keep, Patch::Keep, Patch::Keep)),
        Patch::Set(None) => Ok((Patch::Set(None), Patch::Set(None), Patch::Set(None))),
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
            Ok((phone, email, address))
        }
    }
}

fn value<T>(p: Opt<T>) -> Option<T> {
    match p {
        Patch::Set(v) => v,
        Patch::Keep => None,
    }
}

#[utoipa::path(post, path = "/admin/hotels", tag = "admin", security(("bearerAuth" = [])),
    request_body(content = inline(serde_json::Value), description = "`name`, `city`, `photos`, `amenities`, `contact_info`"),
    responses((status = 201, body = HotelResponse), (status = 403, description = "forbidden")))]
pub async fn create_hotel(state: web::Data<AppState>, m: Manager, body: JsonBytes) -> ApiResult<HttpResponse> {
    let body = body.get()?;
    let obj = parse_object(body)?;
    let mut f = Fields::new(&obj);
    let name = f.req_str("name", 1, 255)?;
    let city = f.opt_str("city", 1, 255)?;
    let (photos, amenities) = lists(&mut f)?;
    let (phone, email, address) = contact(&mut f)?;
    f.finish()?;
    let h = NewHotel {
        name,
        city: value(city),
        photos: value(photos),
        amenities: value(amenities),
        contact_phone: value(phone),
        contact_email: value(email).map(|e| e.to_lowercase()),
        contact_address: value(address),
    };
    let hotel = state.catalog.create_hotel(&m.0, h).await?;
    Ok(json(StatusCode::CREATED, &HotelResponse::from(&hotel)))
}

#[utoipa::path(get, path = "/admin/hotels", tag = "admin", security(("bearerAuth" = [])),
    params(("limit" = Option<i64>, Query), ("offset" = Option<i64>, Query)),
    responses((status = 200, body = [HotelResponse])))]
pub async fn list_hotels(req: HttpRequest, state: web::Data<AppState>, m: Manager) -> ApiResult<HttpResponse> {
    let mut q = Query::parse(req.query_string());
    let page = q.page(50, 200)?;
    q.finish()?;
    let p = state.catalog.my_hotels(&m.0, page).await?;
    Ok(paged(&p.items.iter().map(HotelResponse::from).collect::<Vec<_>>(), p.total))
}

#[utoipa::path(get, path = "/admin/hotels/{hotel_id}", tag = "admin", security(("bearerAuth" = [])),
    params(("hotel_id" = i64, Path)), responses((status = 200, body = HotelResponse), (status = 403, description = "not_owner")))]
pub async fn get_hotel(req: HttpRequest, state: web::Data<AppState>, m: Manager) -> ApiResult<HttpResponse> {
    let hotel_id = id(&req, "hotel_id")?;
    let h = state.catalog.owned_hotel(&m.0, hotel_id).await?;
    Ok(json(StatusCode::OK, &HotelResponse::from(&h)))
}

#[utoipa::path(put, path = "/admin/hotels/{hotel_id}", tag = "admin", security(("bearerAuth" = [])),
    params(("hotel_id" = i64, Path)), request_body(content = inline(serde_json::Value), description = "partial update"),
    responses((status = 200, body = HotelResponse)))]
pub async fn update_hotel(
    req: HttpRequest,
    state: web::Data<AppState>,
    m: Manager,
    body: JsonBytes,
) -> ApiResult<HttpResponse> {
    let body = body.get()?;
    let hotel_id = id(&req, "hotel_id")?;
    let obj = parse_object(body)?;
    let mut f = Fields::new(&obj);
    let name = value(f.opt_str("name", 1, 255)?);
    let city = f.opt_str("city", 1, 255)?;
    let (photos, amenities) = lists(&mut f)?;
    let (phone, email, address) = contact(&mut f)?;
    f.finish()?;
    let patch = HotelPatch {
        name,
        city,
        photos,
        amenities,
        contact_phone: phone,
        contact_email: match email {
            Patch::Set(Some(e)) => Patch::Set(Some(e.to_lowercase())),
            other => other,
        },
        contact_address: address,
    };
    let h = state.catalog.update_hotel(&m.0, hotel_id, patch).await?;
    Ok(json(StatusCode::OK, &HotelResponse::from(&h)))
}

#[utoipa::path(delete, path = "/admin/hotels/{hotel_id}", tag = "admin", security(("bearerAuth" = [])),
    params(("hotel_id" = i64, Path)), responses((status = 204, description = "Deleted"), (status = 409, description = "has_active_bookings")))]
pub async fn delete_hotel(req: HttpRequest, state: web::Data<AppState>, m: Manager) -> ApiResult<HttpResponse> {
    let hotel_id = id(&req, "hotel_id")?;
    state.catalog.delete_hotel(&m.0, hotel_id).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(patch, path = "/admin/hotels/{hotel_id}/activate", tag = "admin", security(("bearerAuth" = [])),
    params(("hotel_id" = i64, Path)), responses((status = 200, body = HotelResponse)))]
pub async fn activate(req: HttpRequest, state: web::Data<AppState>, m: Manager) -> ApiResult<HttpResponse> {
    let hotel_id = id(&req, "hotel_id")?;
    let h = state.catalog.set_active(&m.0, hotel_id, true).await?;
    Ok(json(StatusCode::OK, &HotelResponse::from(&h)))
}

#[utoipa::path(patch, path = "/admin/hotels/{hotel_id}/deactivate", tag = "admin", security(("bearerAuth" = [])),
    params(("hotel_id" = i64, Path)), responses((status = 200, body = HotelResponse)))]
pub async fn deactivate(req: HttpRequest, state: web::Data<AppState>, m: Manager) -> ApiResult<HttpResponse> {
    let hotel_id = id(&req, "hotel_id")?;
    let h = state.catalog.set_active(&m.0, hotel_id, false).await?;
    Ok(json(StatusCode::OK, &HotelResponse::from(&h)))
}

#[utoipa::path(get, path = "/admin/hotels/{hotel_id}/bookings", tag = "admin", security(("bearerAuth" = [])),
    params(("hotel_id" = i64, Path), ("status" = Option<String>, Query), ("limit" = Option<i64>, Query), ("offset" = Option<i64>, Query)),
    responses((status = 200, body = [BookingResponse])))]
pub async fn hotel_bookings(req: HttpRequest, state: web::Data<AppState>, m: Manager) -> ApiResult<HttpResponse> {
    let hotel_id = id(&req, "hotel_id")?;
    let mut q = Query::parse(req.query_string());
    let status = status_filter(&mut q)?;
    let page = q.page(50, 200)?;
    q.finish()?;
    let p = state.bookings.hotel_bookings(&m.0, hotel_id, status, page).await?;
    Ok(paged(&p.items.iter().map(BookingResponse::from).collect::<Vec<_>>(), p.total))
}

#[utoipa::path(get, path = "/admin/hotels/{hotel_id}/reports", tag = "admin", security(("bearerAuth" = [])),
    params(("hotel_id" = i64, Path), ("start_date" = Option<String>, Query, format = Date), ("end_date" = Option<String>, Query, format = Date)),
    responses((status = 200, body = HotelReportResponse)))]
pub async fn report(req: HttpRequest, state: web::Data<AppState>, m: Manager) -> ApiResult<HttpResponse> {
    let hotel_id = id(&req, "hotel_id")?;
    let mut q = Query::parse(req.query_string());
    let start = q.opt_date("start_date")?;
    let end = q.opt_date("end_date")?;
    q.finish()?;
    let r = state.catalog.report(&m.0, hotel_id, start, end).await?;
    Ok(json(StatusCode::OK, &HotelReportResponse::from(&r)))
}

#[utoipa::path(post, path = "/admin/hotels/{hotel_id}/rooms", tag = "admin", security(("bearerAuth" = [])),
    params(("hotel_id" = i64, Path)),
    request_body(content = inline(serde_json::Value), description = "`type`, `base_price`, `photos`, `amenities`, `total_count`, `capacity`"),
    responses((status = 201, body = RoomResponse), (status = 409, description = "limit_exceeded")))]
pub async fn create_room(
    req: HttpRequest,
    state: web::Data<AppState>,
    m: Manager,
    body: JsonBytes,
) -> ApiResult<HttpResponse> {
    let body = body.get()?;
    let hotel_id = id(&req, "hotel_id")?;
    let obj = parse_object(body)?;
    let mut f = Fields::new(&obj);
    let kind = f.req_str("type", 1, 255)?;
    let base_price = f.req_money("base_price")?;
    let (photos, amenities) = lists(&mut f)?;
    let total_count = f.req_int("total_count", 0, 10000)?;
    let capacity = f.req_int("capacity", 1, 20)?;
    f.finish()?;
    let room = NewRoom {
        kind,
        base_price,
        photos: value(photos),
        amenities: value(amenities),
        total_count: total_count as i32,
        capacity: capacity as i32,
    };
    let r = state.catalog.create_room(&m.0, hotel_id, room).await?;
    Ok(json(StatusCode::CREATED, &RoomResponse::from(&r)))
}

#[utoipa::path(get, path = "/admin/hotels/{hotel_id}/rooms", tag = "admin", security(("bearerAuth" = [])),
    params(("hotel_id" = i64, Path), ("limit" = Option<i64>, Query), ("offset" = Option<i64>, Query)),
    responses((status = 200, body = [RoomResponse])))]
pub async fn list_rooms(req: HttpRequest, state: web::Data<AppState>, m: Manager) -> ApiResult<HttpResponse> {
    let hotel_id = id(&req, "hotel_id")?;
    let mut q = Query::parse(req.query_string());
    let page = q.page(50, 200)?;
    q.finish()?;
    let p = state.catalog.rooms(&m.0, hotel_id, page).await?;
    Ok(paged(&p.items.iter().map(RoomResponse::from).collect::<Vec<_>>(), p.total))
}

#[utoipa::path(get, path = "/admin/hotels/{hotel_id}/rooms/{room_id}", tag = "admin", security(("bearerAuth" = [])),
    params(("hotel_id" = i64, Path), ("room_id" = i64, Path)), responses((status = 200, body = RoomResponse)))]
pub async fn get_room(req: HttpRequest, state: web::Data<AppState>, m: Manager) -> ApiResult<HttpResponse> {
    let hotel_id = id(&req, "hotel_id")?;
    let room_id = id(&req, "room_id")?;
    let r = state.catalog.owned_room(&m.0, hotel_id, room_id).await?;
    Ok(json(StatusCode::OK, &RoomResponse::from(&r)))
}

#[utoipa::path(put, path = "/admin/hotels/{hotel_id}/rooms/{room_id}", tag = "admin", security(("bearerAuth" = [])),
    params(("hotel_id" = i64, Path), ("room_id" = i64, Path)),
    request_body(content = inline(serde_json::Value), description = "partial update"),
    responses((status = 200, body = RoomResponse), (status = 409, description = "inventory_conflict")))]
pub async fn update_room(
    req: HttpRequest,
    state: web::Data<AppState>,
    m: Manager,
    body: JsonBytes,
) -> ApiResult<HttpResponse> {
    let body = body.get()?;
    let hotel_id = id(&req, "hotel_id")?;
    let room_id = id(&req, "room_id")?;
    let obj = parse_object(body)?;
    let mut f = Fields::new(&obj);
    let kind = value(f.opt_str("type", 1, 255)?);
    let base_price = value(f.opt_money("base_price")?);
    let (photos, amenities) = lists(&mut f)?;
    let total_count = value(f.opt_int("total_count", 0, 10000)?).map(|v| v as i32);
    let capacity = value(f.opt_int("capacity", 1, 20)?).map(|v| v as i32);
    f.finish()?;
    let patch = RoomPatch { kind, base_price, photos, amenities, total_count, capacity };
    let r = state.catalog.update_room(&m.0, hotel_id, room_id, patch).await?;
    Ok(json(StatusCode::OK, &RoomResponse::from(&r)))
}

#[utoipa::path(delete, path = "/admin/hotels/{hotel_id}/rooms/{room_id}", tag = "admin", security(("bearerAuth" = [])),
    params(("hotel_id" = i64, Path), ("room_id" = i64, Path)),
    responses((status = 204, description = "Deleted"), (status = 409, description = "has_active_bookings")))]
pub async fn delete_room(req: HttpRequest, state: web::Data<AppState>, m: Manager) -> ApiResult<HttpResponse> {
    let hotel_id = id(&req, "hotel_id")?;
    let room_id = id(&req, "room_id")?;
    state.catalog.delete_room(&m.0, hotel_id, room_id).await?;
    Ok(HttpResponse::NoContent().finish())
}

fn inventory_list(state: &AppState, rows: &[InventoryView]) -> Vec<InventoryResponse> {
    rows.iter().map(|v| InventoryResponse::new(v, state.catalog.effective_price(&v.night))).collect()
}

#[utoipa::path(get, path = "/admin/inventory/rooms/{room_id}", tag = "admin", security(("bearerAuth" = [])),
    params(("room_id" = i64, Path), ("start_date" = Option<String>, Query, format = Date), ("end_date" = Option<String>, Query, format = Date),
           ("limit" = Option<i64>, Query), ("offset" = Option<i64>, Query)),
    responses((status = 200, body = [InventoryResponse])))]
pub async fn inventory(req: HttpRequest, state: web::Data<AppState>, m: Manager) -> ApiResult<HttpResponse> {
    let room_id = id(&req, "room_id")?;
    let mut q = Query::parse(req.query_string());
    let start = q.opt_date("start_date")?;
    let end = q.opt_date("end_date")?;
    let page = q.page(366, 366)?;
    q.finish()?;
    let p = state.catalog.inventory(&m.0, room_id, start, end, page).await?;
    Ok(paged(&inventory_list(&state, &p.items), p.total))
}

#[utoipa::path(patch, path = "/admin/inventory/rooms/{room_id}", tag = "admin", security(("bearerAuth" = [])),
    params(("room_id" = i64, Path), ("start_date" = Option<String>, Query, format = Date), ("end_date" = Option<String>, Query, format = Date)),
    request_body(content = inline(serde_json::Value), description = "`surge_factor`, `price`, `closed`, `total_count`"),
    responses((status = 200, body = [InventoryResponse]), (status = 409, description = "inventory_conflict")))]
pub async fn patch_inventory(
    req: HttpRequest,
    state: web::Data<AppState>,
    m: Manager,
    body: JsonBytes,
) -> ApiResult<HttpResponse> {
    let body = body.get()?;
    let room_id = id(&req, "room_id")?;
    let mut q = Query::parse(req.query_string());
    let start = q.opt_date("start_date")?;
    let end = q.opt_date("end_date")?;
    q.finish()?;
    let obj = parse_object(body)?;
    let mut f = Fields::new(&obj);
    let surge = value(f.opt_decimal("surge_factor", Decimal::new(10, 2), false, Decimal::new(1000, 2))?);
    let price = value(f.opt_money("price")?);
    let closed = value(f.opt_bool("closed")?);
    let total_count = value(f.opt_int("total_count", 0, 10000)?).map(|v| v as i32);
    f.finish()?;
    let patch = InventoryPatch { surge_factor: surge.map(|s| s.round_dp(2)), price, closed, total_count };
    let rows = state.catalog.patch_inventory(&m.0, room_id, start, end, patch).await?;
    let list = inventory_list(&state, &rows);
    Ok(json(StatusCode::OK, &list))
}
