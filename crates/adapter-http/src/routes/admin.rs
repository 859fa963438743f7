//! `/admin/*`: hotels, rooms, inventory, bookings and reports of the manager's own hotels.

use super::{json, paged};
use crate::dto::{BookingResponse, HotelReportResponse, HotelResponse, InventoryResponse, RoomResponse};
use crate::error::{ApiResult, ErrorResponse};
use crate::extract::{JsonBytes, Manager};
use crate::input::{Query, parse_object};
use crate::openapi::{
    Forbidden, Internal, PayloadTooLarge, RateLimited, Unauthorized, Unavailable, UnsupportedMediaType,
    ValidationFailed,
};
use crate::requests::{
    BookingListParams, CreateHotelRequest, CreateRoomRequest, HotelPath, HotelRoomPath, InventoryPageParams,
    InventoryPatchRequest, InventoryRangeParams, PageParams, ReportParams, RoomPath, UpdateHotelRequest,
    UpdateRoomRequest,
};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use domain::model::*;

#[utoipa::path(post, path = "/admin/hotels", tag = "admin", operation_id = "createHotel",
    security(("bearerAuth" = [])),
    request_body = CreateHotelRequest,
    responses(
        (status = 201, description = "The hotel: inactive, owned by the caller", body = HotelResponse),
        Unauthorized, Forbidden, PayloadTooLarge, UnsupportedMediaType, ValidationFailed, RateLimited, Internal,
        Unavailable,
    ))]
pub async fn create_hotel(state: web::Data<AppState>, m: Manager, body: JsonBytes) -> ApiResult<HttpResponse> {
    let body = body.get()?;
    let req = CreateHotelRequest::parse(&parse_object(body)?)?;
    let hotel = state.catalog.create_hotel(&m.0, req.into()).await?;
    Ok(json(StatusCode::CREATED, &HotelResponse::from(&hotel)))
}

#[utoipa::path(get, path = "/admin/hotels", tag = "admin", operation_id = "listHotels", security(("bearerAuth" = [])),
    params(PageParams),
    responses(
        (status = 200, description = "The caller's hotels, by id", body = [HotelResponse],
            headers(("X-Total-Count" = i64, description = "Matches before paging"))),
        Unauthorized, Forbidden, PayloadTooLarge, ValidationFailed, RateLimited, Internal, Unavailable,
    ))]
pub async fn list_hotels(req: HttpRequest, state: web::Data<AppState>, m: Manager) -> ApiResult<HttpResponse> {
    let mut q = Query::parse(req.query_string());
    let page = PageParams::parse(&mut q)?;
    q.finish()?;
    let p = state.catalog.my_hotels(&m.0, page.page()).await?;
    Ok(paged(&p.items.iter().map(HotelResponse::from).collect::<Vec<_>>(), p.total))
}

#[utoipa::path(get, path = "/admin/hotels/{hotel_id}", tag = "admin", operation_id = "getHotel",
    security(("bearerAuth" = [])),
    params(HotelPath),
    responses(
        (status = 200, description = "The hotel", body = HotelResponse),
        (status = 403, description = "`forbidden` (not a manager) or `not_owner`", body = ErrorResponse),
        (status = 404, description = "`hotel_not_found`", body = ErrorResponse),
        Unauthorized, PayloadTooLarge, ValidationFailed, RateLimited, Internal, Unavailable,
    ))]
pub async fn get_hotel(req: HttpRequest, state: web::Data<AppState>, m: Manager) -> ApiResult<HttpResponse> {
    let path = HotelPath::parse(&req)?;
    let h = state.catalog.owned_hotel(&m.0, path.hotel_id.into()).await?;
    Ok(json(StatusCode::OK, &HotelResponse::from(&h)))
}

#[utoipa::path(put, path = "/admin/hotels/{hotel_id}", tag = "admin", operation_id = "updateHotel",
    security(("bearerAuth" = [])),
    params(HotelPath),
    request_body = UpdateHotelRequest,
    responses(
        (status = 200, description = "The updated hotel (`updated_at` bumped)", body = HotelResponse),
        (status = 403, description = "`forbidden` (not a manager) or `not_owner`", body = ErrorResponse),
        (status = 404, description = "`hotel_not_found`", body = ErrorResponse),
        Unauthorized, PayloadTooLarge, UnsupportedMediaType, ValidationFailed, RateLimited, Internal, Unavailable,
    ))]
pub async fn update_hotel(
    req: HttpRequest,
    state: web::Data<AppState>,
    m: Manager,
    body: JsonBytes,
) -> ApiResult<HttpResponse> {
    let body = body.get()?;
    let path = HotelPath::parse(&req)?;
    let patch = UpdateHotelRequest::parse(&parse_object(body)?)?;
    let h = state.catalog.update_hotel(&m.0, path.hotel_id.into(), patch.into()).await?;
    Ok(json(StatusCode::OK, &HotelResponse::from(&h)))
}

#[utoipa::path(delete, path = "/admin/hotels/{hotel_id}", tag = "admin", operation_id = "deleteHotel",
    security(("bearerAuth" = [])),
    params(HotelPath),
    responses(
        (status = 204, description = "Deleted with its rooms, inventory and cancelled/expired bookings"),
        (status = 403, description = "`forbidden` (not a manager) or `not_owner`", body = ErrorResponse),
        (status = 404, description = "`hotel_not_found`", body = ErrorResponse),
        (status = 409, description = "`has_active_bookings`: \"Hotel has active bookings; deactivate it instead\" while a booking is active, or \"Hotel has bookings with refunds still owed; deactivate it instead\" while a cancelled or expired booking still owes a refund (PENDING, or FAILED until an operator settles it)", body = ErrorResponse),
        Unauthorized, PayloadTooLarge, ValidationFailed, RateLimited, Internal, Unavailable,
    ))]
pub async fn delete_hotel(req: HttpRequest, state: web::Data<AppState>, m: Manager) -> ApiResult<HttpResponse> {
    let path = HotelPath::parse(&req)?;
    state.catalog.delete_hotel(&m.0, path.hotel_id.into()).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(patch, path = "/admin/hotels/{hotel_id}/activate", tag = "admin", operation_id = "activateHotel",
    security(("bearerAuth" = [])),
    params(HotelPath),
    responses(
        (status = 200, description = "The hotel, `active: true` (idempotent)", body = HotelResponse),
        (status = 403, description = "`forbidden` (not a manager) or `not_owner`", body = ErrorResponse),
        (status = 404, description = "`hotel_not_found`", body = ErrorResponse),
        Unauthorized, PayloadTooLarge, ValidationFailed, RateLimited, Internal, Unavailable,
    ))]
pub async fn activate(req: HttpRequest, state: web::Data<AppState>, m: Manager) -> ApiResult<HttpResponse> {
    let path = HotelPath::parse(&req)?;
    let h = state.catalog.set_active(&m.0, path.hotel_id.into(), true).await?;
    Ok(json(StatusCode::OK, &HotelResponse::from(&h)))
}

#[utoipa::path(patch, path = "/admin/hotels/{hotel_id}/deactivate", tag = "admin", operation_id = "deactivateHotel",
    security(("bearerAuth" = [])),
    params(HotelPath),
    responses(
        (status = 200, description = "The hotel, `active: false` (idempotent; existing bookings are untouched)",
            body = HotelResponse),
        (status = 403, description = "`forbidden` (not a manager) or `not_owner`", body = ErrorResponse),
        (status = 404, description = "`hotel_not_found`", body = ErrorResponse),
        Unauthorized, PayloadTooLarge, ValidationFailed, RateLimited, Internal, Unavailable,
    ))]
pub async fn deactivate(req: HttpRequest, state: web::Data<AppState>, m: Manager) -> ApiResult<HttpResponse> {
    let path = HotelPath::parse(&req)?;
    let h = state.catalog.set_active(&m.0, path.hotel_id.into(), false).await?;
    Ok(json(StatusCode::OK, &HotelResponse::from(&h)))
}

#[utoipa::path(get, path = "/admin/hotels/{hotel_id}/bookings", tag = "admin", operation_id = "hotelBookings",
    security(("bearerAuth" = [])),
    params(HotelPath, BookingListParams, PageParams),
    responses(
        (status = 200, description = "The hotel's bookings, by id descending", body = [BookingResponse],
            headers(("X-Total-Count" = i64, description = "Matches before paging"))),
        (status = 403, description = "`forbidden` (not a manager) or `not_owner`", body = ErrorResponse),
        (status = 404, description = "`hotel_not_found`", body = ErrorResponse),
        Unauthorized, PayloadTooLarge, ValidationFailed, RateLimited, Internal, Unavailable,
    ))]
pub async fn hotel_bookings(req: HttpRequest, state: web::Data<AppState>, m: Manager) -> ApiResult<HttpResponse> {
    let path = HotelPath::parse(&req)?;
    let mut q = Query::parse(req.query_string());
    let filter = BookingListParams::parse(&mut q)?;
    let page = PageParams::parse(&mut q)?;
    q.finish()?;
    let p = state.bookings.hotel_bookings(&m.0, path.hotel_id.into(), filter.status, page.page()).await?;
    Ok(paged(&p.items.iter().map(BookingResponse::from).collect::<Vec<_>>(), p.total))
}

#[utoipa::path(get, path = "/admin/hotels/{hotel_id}/reports", tag = "admin", operation_id = "hotelReport",
    security(("bearerAuth" = [])),
    params(HotelPath, ReportParams),
    responses(
        (status = 200, description = "Confirmed stays by check-in date in the range", body = HotelReportResponse),
        (status = 400, description = "`invalid_date_range`: `end_date` before `start_date`", body = ErrorResponse),
        (status = 403, description = "`forbidden` (not a manager) or `not_owner`", body = ErrorResponse),
        (status = 404, description = "`hotel_not_found`", body = ErrorResponse),
        Unauthorized, PayloadTooLarge, ValidationFailed, RateLimited, Internal, Unavailable,
    ))]
pub async fn report(req: HttpRequest, state: web::Data<AppState>, m: Manager) -> ApiResult<HttpResponse> {
    let path = HotelPath::parse(&req)?;
    let mut q = Query::parse(req.query_string());
    let range = ReportParams::parse(&mut q)?;
    q.finish()?;
    let r = state.catalog.report(&m.0, path.hotel_id.into(), range.start_date, range.end_date).await?;
    Ok(json(StatusCode::OK, &HotelReportResponse::from(&r)))
}

#[utoipa::path(post, path = "/admin/hotels/{hotel_id}/rooms", tag = "admin", operation_id = "createRoom",
    security(("bearerAuth" = [])),
    params(HotelPath),
    request_body = CreateRoomRequest,
    responses(
        (status = 201, description = "The room type, with 365 inventory nights", body = RoomResponse),
        (status = 403, description = "`forbidden` (not a manager) or `not_owner`", body = ErrorResponse),
        (status = 404, description = "`hotel_not_found`", body = ErrorResponse),
        (status = 409, description = "`limit_exceeded`: at most 100 room types per hotel", body = ErrorResponse),
        Unauthorized, PayloadTooLarge, UnsupportedMediaType, ValidationFailed, RateLimited, Internal, Unavailable,
    ))]
pub async fn create_room(
    req: HttpRequest,
    state: web::Data<AppState>,
    m: Manager,
    body: JsonBytes,
) -> ApiResult<HttpResponse> {
    let body = body.get()?;
    let path = HotelPath::parse(&req)?;
    let room = CreateRoomRequest::parse(&parse_object(body)?)?;
    let r = state.catalog.create_room(&m.0, path.hotel_id.into(), room.into()).await?;
    Ok(json(StatusCode::CREATED, &RoomResponse::from(&r)))
}

#[utoipa::path(get, path = "/admin/hotels/{hotel_id}/rooms", tag = "admin", operation_id = "listRooms",
    security(("bearerAuth" = [])),
    params(HotelPath, PageParams),
    responses(
        (status = 200, description = "The hotel's room types, by id", body = [RoomResponse],
            headers(("X-Total-Count" = i64, description = "Matches before paging"))),
        (status = 403, description = "`forbidden` (not a manager) or `not_owner`", body = ErrorResponse),
        (status = 404, description = "`hotel_not_found`", body = ErrorResponse),
        Unauthorized, PayloadTooLarge, ValidationFailed, RateLimited, Internal, Unavailable,
    ))]
pub async fn list_rooms(req: HttpRequest, state: web::Data<AppState>, m: Manager) -> ApiResult<HttpResponse> {
    let path = HotelPath::parse(&req)?;
    let mut q = Query::parse(req.query_string());
    let page = PageParams::parse(&mut q)?;
    q.finish()?;
    let p = state.catalog.rooms(&m.0, path.hotel_id.into(), page.page()).await?;
    Ok(paged(&p.items.iter().map(RoomResponse::from).collect::<Vec<_>>(), p.total))
}

#[utoipa::path(get, path = "/admin/hotels/{hotel_id}/rooms/{room_id}", tag = "admin", operation_id = "getRoom",
    security(("bearerAuth" = [])),
    params(HotelRoomPath),
    responses(
        (status = 200, description = "The room type", body = RoomResponse),
        (status = 403, description = "`forbidden` (not a manager) or `not_owner`", body = ErrorResponse),
        (status = 404, description = "`hotel_not_found`, or `room_not_found` (missing or of another hotel)",
            body = ErrorResponse),
        Unauthorized, PayloadTooLarge, ValidationFailed, RateLimited, Internal, Unavailable,
    ))]
pub async fn get_room(req: HttpRequest, state: web::Data<AppState>, m: Manager) -> ApiResult<HttpResponse> {
    let path = HotelRoomPath::parse(&req)?;
    let r = state.catalog.owned_room(&m.0, path.hotel_id.into(), path.room_id.into()).await?;
    Ok(json(StatusCode::OK, &RoomResponse::from(&r)))
}

#[utoipa::path(put, path = "/admin/hotels/{hotel_id}/rooms/{room_id}", tag = "admin", operation_id = "updateRoom",
    security(("bearerAuth" = [])),
    params(HotelRoomPath),
    request_body = UpdateRoomRequest,
    responses(
        (status = 200, description = "The updated room type; price and count changes reach future inventory",
            body = RoomResponse),
        (status = 403, description = "`forbidden` (not a manager) or `not_owner`", body = ErrorResponse),
        (status = 404, description = "`hotel_not_found`, or `room_not_found` (missing or of another hotel)",
            body = ErrorResponse),
        (status = 409, description = "`inventory_conflict`: `total_count` below booked plus reserved on a night",
            body = ErrorResponse),
        Unauthorized, PayloadTooLarge, UnsupportedMediaType, ValidationFailed, RateLimited, Internal, Unavailable,
    ))]
pub async fn update_room(
    req: HttpRequest,
    state: web::Data<AppState>,
    m: Manager,
    body: JsonBytes,
) -> ApiResult<HttpResponse> {
    let body = body.get()?;
    let path = HotelRoomPath::parse(&req)?;
    let patch = UpdateRoomRequest::parse(&parse_object(body)?)?;
    let r = state.catalog.update_room(&m.0, path.hotel_id.into(), path.room_id.into(), patch.into()).await?;
    Ok(json(StatusCode::OK, &RoomResponse::from(&r)))
}

#[utoipa::path(delete, path = "/admin/hotels/{hotel_id}/rooms/{room_id}", tag = "admin", operation_id = "deleteRoom",
    security(("bearerAuth" = [])),
    params(HotelRoomPath),
    responses(
        (status = 204, description = "Deleted with its inventory and cancelled/expired bookings"),
        (status = 403, description = "`forbidden` (not a manager) or `not_owner`", body = ErrorResponse),
        (status = 404, description = "`hotel_not_found`, or `room_not_found` (missing or of another hotel)",
            body = ErrorResponse),
        (status = 409, description = "`has_active_bookings`: \"Room has active bookings\", or \"Room has bookings with refunds still owed\" while a cancelled or expired booking of the room still owes a refund", body = ErrorResponse),
        Unauthorized, PayloadTooLarge, ValidationFailed, RateLimited, Internal, Unavailable,
    ))]
pub async fn delete_room(req: HttpRequest, state: web::Data<AppState>, m: Manager) -> ApiResult<HttpResponse> {
    let path = HotelRoomPath::parse(&req)?;
    state.catalog.delete_room(&m.0, path.hotel_id.into(), path.room_id.into()).await?;
    Ok(HttpResponse::NoContent().finish())
}

fn inventory_list(rows: &[InventoryView]) -> Vec<InventoryResponse> {
    rows.iter().map(|v| InventoryResponse::new(v, v.effective_price)).collect()
}

#[utoipa::path(get, path = "/admin/inventory/rooms/{room_id}", tag = "admin", operation_id = "listInventory",
    security(("bearerAuth" = [])),
    params(RoomPath, InventoryRangeParams, InventoryPageParams),
    responses(
        (status = 200, description = "The room's nights in the range, by date", body = [InventoryResponse],
            headers(("X-Total-Count" = i64, description = "Matches before paging"))),
        (status = 400, description = "`invalid_date_range`: `end_date` before `start_date`", body = ErrorResponse),
        (status = 403, description = "`forbidden` (not a manager) or `not_owner`", body = ErrorResponse),
        (status = 404, description = "`room_not_found`", body = ErrorResponse),
        Unauthorized, PayloadTooLarge, ValidationFailed, RateLimited, Internal, Unavailable,
    ))]
pub async fn inventory(req: HttpRequest, state: web::Data<AppState>, m: Manager) -> ApiResult<HttpResponse> {
    let path = RoomPath::parse(&req)?;
    let mut q = Query::parse(req.query_string());
    let range = InventoryRangeParams::parse(&mut q)?;
    let page = InventoryPageParams::parse(&mut q)?;
    q.finish()?;
    let p = state.catalog.inventory(&m.0, path.room_id.into(), range.start_date, range.end_date, page.page()).await?;
    Ok(paged(&inventory_list(&p.items), p.total))
}

#[utoipa::path(patch, path = "/admin/inventory/rooms/{room_id}", tag = "admin", operation_id = "patchInventory",
    security(("bearerAuth" = [])),
    params(RoomPath, InventoryRangeParams),
    request_body = InventoryPatchRequest,
    responses(
        (status = 200, description = "Every existing night of the range, after the change, by date (not paginated)",
            body = [InventoryResponse]),
        (status = 400, description = "`invalid_date_range`: `end_date` before `start_date`, or more than 366 dates",
            body = ErrorResponse),
        (status = 403, description = "`forbidden` (not a manager) or `not_owner`", body = ErrorResponse),
        (status = 404, description = "`room_not_found`", body = ErrorResponse),
        (status = 409, description = "`inventory_conflict`: nothing changes", body = ErrorResponse),
        Unauthorized, PayloadTooLarge, UnsupportedMediaType, ValidationFailed, RateLimited, Internal, Unavailable,
    ))]
pub async fn patch_inventory(
    req: HttpRequest,
    state: web::Data<AppState>,
    m: Manager,
    body: JsonBytes,
) -> ApiResult<HttpResponse> {
    let body = body.get()?;
    let path = RoomPath::parse(&req)?;
    let mut q = Query::parse(req.query_string());
    let range = InventoryRangeParams::parse(&mut q)?;
    q.finish()?;
    let patch = InventoryPatchRequest::parse(&parse_object(body)?)?;
    let rows = state
        .catalog
        .patch_inventory(&m.0, path.room_id.into(), range.start_date, range.end_date, patch.into())
        .await?;
    let list = inventory_list(&rows);
    Ok(json(StatusCode::OK, &list))
}
