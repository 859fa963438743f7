//! `/users/*`: profile, my bookings, saved guests.

use super::{json, paged};
use crate::dto::{BookingResponse, GuestResponse, UserResponse};
use crate::error::{ApiResult, ErrorResponse};
use crate::extract::{AuthUser, JsonBytes};
use crate::input::{Query, parse_object};
use crate::openapi::{
    Internal, PayloadTooLarge, RateLimited, Unauthorized, Unavailable, UnsupportedMediaType, ValidationFailed,
};
use crate::requests::{
    BookingListParams, GuestCreateRequest, GuestPath, GuestUpdateRequest, PageParams, ProfileUpdateRequest,
};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

#[utoipa::path(get, path = "/users/profile", tag = "users", operation_id = "getProfile", security(("bearerAuth" = [])),
    responses(
        (status = 200, description = "The caller's account", body = UserResponse),
        Unauthorized, PayloadTooLarge, RateLimited, Internal, Unavailable,
    ))]
pub async fn profile(user: AuthUser) -> HttpResponse {
    json(StatusCode::OK, &UserResponse::from(&user.0))
}

#[utoipa::path(patch, path = "/users/profile", tag = "users", operation_id = "updateProfile",
    security(("bearerAuth" = [])),
    request_body = ProfileUpdateRequest,
    responses(
        (status = 200, description = "The updated account", body = UserResponse),
        Unauthorized, PayloadTooLarge, UnsupportedMediaType, ValidationFailed, RateLimited, Internal, Unavailable,
    ))]
pub async fn update_profile(state: web::Data<AppState>, user: AuthUser, body: JsonBytes) -> ApiResult<HttpResponse> {
    let body = body.get()?;
    let req = ProfileUpdateRequest::parse(&parse_object(body)?, state.clock.today())?;
    let u = state.auth.update_profile(&user.0, req.into()).await?;
    Ok(json(StatusCode::OK, &UserResponse::from(&u)))
}

#[utoipa::path(get, path = "/users/myBookings", tag = "users", operation_id = "myBookings",
    security(("bearerAuth" = [])),
    params(BookingListParams, PageParams),
    responses(
        (status = 200, description = "The caller's bookings, by id descending", body = [BookingResponse],
            headers(("X-Total-Count" = i64, description = "Matches before paging"))),
        Unauthorized, PayloadTooLarge, ValidationFailed, RateLimited, Internal, Unavailable,
    ))]
pub async fn my_bookings(req: HttpRequest, state: web::Data<AppState>, user: AuthUser) -> ApiResult<HttpResponse> {
    let mut q = Query::parse(req.query_string());
    let filter = BookingListParams::parse(&mut q)?;
    let page = PageParams::parse(&mut q)?;
    q.finish()?;
    let p = state.bookings.my_bookings(&user.0, filter.status, page.page()).await?;
    Ok(paged(&p.items.iter().map(BookingResponse::from).collect::<Vec<_>>(), p.total))
}

#[utoipa::path(get, path = "/users/guests", tag = "users", operation_id = "listGuests", security(("bearerAuth" = [])),
    params(PageParams),
    responses(
        (status = 200, description = "The caller's saved guests (deleted ones excluded), by id", body = [GuestResponse],
            headers(("X-Total-Count" = i64, description = "Matches before paging"))),
        Unauthorized, PayloadTooLarge, ValidationFailed, RateLimited, Internal, Unavailable,
    ))]
pub async fn guests(req: HttpRequest, state: web::Data<AppState>, user: AuthUser) -> ApiResult<HttpResponse> {
    let mut q = Query::parse(req.query_string());
    let page = PageParams::parse(&mut q)?;
    q.finish()?;
    let p = state.auth.guests(&user.0, page.page()).await?;
    Ok(paged(&p.items.iter().map(GuestResponse::from).collect::<Vec<_>>(), p.total))
}

#[utoipa::path(post, path = "/users/guests", tag = "users", operation_id = "createGuest",
    security(("bearerAuth" = [])),
    request_body = GuestCreateRequest,
    responses(
        (status = 201, description = "The saved guest", body = GuestResponse),
        (status = 409, description = "`limit_exceeded`: at most 200 saved guests", body = ErrorResponse),
        Unauthorized, PayloadTooLarge, UnsupportedMediaType, ValidationFailed, RateLimited, Internal, Unavailable,
    ))]
pub async fn create_guest(state: web::Data<AppState>, user: AuthUser, body: JsonBytes) -> ApiResult<HttpResponse> {
    let body = body.get()?;
    let req = GuestCreateRequest::parse(&parse_object(body)?)?;
    let g = state.auth.create_guest(&user.0, req.into()).await?;
    Ok(json(StatusCode::CREATED, &GuestResponse::from(&g)))
}

#[utoipa::path(put, path = "/users/guests/{guest_id}", tag = "users", operation_id = "updateGuest",
    security(("bearerAuth" = [])),
    params(GuestPath),
    request_body = GuestUpdateRequest,
    responses(
        (status = 200, description = "The updated guest", body = GuestResponse),
        (status = 404, description = "`guest_not_found` (missing, deleted or another user's)", body = ErrorResponse),
        Unauthorized, PayloadTooLarge, UnsupportedMediaType, ValidationFailed, RateLimited, Internal, Unavailable,
    ))]
pub async fn update_guest(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    body: JsonBytes,
) -> ApiResult<HttpResponse> {
    let body = body.get()?;
    let path = GuestPath::parse(&req)?;
    let patch = GuestUpdateRequest::parse(&parse_object(body)?)?;
    let g = state.auth.update_guest(&user.0, path.guest_id.into(), patch.into()).await?;
    Ok(json(StatusCode::OK, &GuestResponse::from(&g)))
}

#[utoipa::path(delete, path = "/users/guests/{guest_id}", tag = "users", operation_id = "deleteGuest",
    security(("bearerAuth" = [])),
    params(GuestPath),
    responses(
        (status = 204, description = "Soft-deleted: gone from the list, still shown on its bookings"),
        (status = 404, description = "`guest_not_found` (missing, deleted or another user's)", body = ErrorResponse),
        Unauthorized, PayloadTooLarge, ValidationFailed, RateLimited, Internal, Unavailable,
    ))]
pub async fn delete_guest(req: HttpRequest, state: web::Data<AppState>, user: AuthUser) -> ApiResult<HttpResponse> {
    let path = GuestPath::parse(&req)?;
    state.auth.delete_guest(&user.0, path.guest_id.into()).await?;
    Ok(HttpResponse::NoContent().finish())
}
