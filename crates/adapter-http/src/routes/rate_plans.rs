//! `/admin/hotels/{hotel_id}/rooms/{room_id}/rate-plans`: the rate plans of a manager's room type.

use super::json;
use crate::dto::RatePlanResponse;
use crate::error::{ApiResult, ErrorResponse};
use crate::extract::{JsonBytes, Manager};
use crate::input::parse_object;
use crate::openapi::{
    Internal, PayloadTooLarge, RateLimited, Unauthorized, Unavailable, UnsupportedMediaType, ValidationFailed,
};
use crate::requests::{CreateRatePlanRequest, HotelRoomPath, RatePlanPath, UpdateRatePlanRequest};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use domain::model::RatePlanId;

#[utoipa::path(get, path = "/admin/hotels/{hotel_id}/rooms/{room_id}/rate-plans", tag = "admin",
    operation_id = "listRatePlans",
    security(("bearerAuth" = [])),
    params(HotelRoomPath),
    responses(
        (status = 200, description = "The room type's rate plans, its default plan first", body = [RatePlanResponse]),
        (status = 403, description = "`forbidden` (not a manager) or `not_owner`", body = ErrorResponse),
        (status = 404, description = "`hotel_not_found`, or `room_not_found` (missing or of another hotel)",
            body = ErrorResponse),
        Unauthorized, PayloadTooLarge, ValidationFailed, RateLimited, Internal, Unavailable,
    ))]
pub async fn list(req: HttpRequest, state: web::Data<AppState>, m: Manager) -> ApiResult<HttpResponse> {
    let path = HotelRoomPath::parse(&req)?;
    let plans = state.catalog.rate_plans(&m.0, path.hotel_id.into(), path.room_id.into()).await?;
    Ok(json(StatusCode::OK, &plans.iter().map(RatePlanResponse::from).collect::<Vec<_>>()))
}

#[utoipa::path(post, path = "/admin/hotels/{hotel_id}/rooms/{room_id}/rate-plans", tag = "admin",
    operation_id = "createRatePlan",
    security(("bearerAuth" = [])),
    params(HotelRoomPath),
    request_body = CreateRatePlanRequest,
    responses(
        (status = 201, description = "The new rate plan", body = RatePlanResponse),
        (status = 403, description = "`forbidden` (not a manager) or `not_owner`", body = ErrorResponse),
        (status = 404, description = "`hotel_not_found`, or `room_not_found` (missing or of another hotel)",
            body = ErrorResponse),
        (status = 409, description = "`rate_plan_code_taken`: the room type has a plan with this code",
            body = ErrorResponse),
        Unauthorized, PayloadTooLarge, UnsupportedMediaType, ValidationFailed, RateLimited, Internal, Unavailable,
    ))]
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    m: Manager,
    body: JsonBytes,
) -> ApiResult<HttpResponse> {
    let body = body.get()?;
    let path = HotelRoomPath::parse(&req)?;
    let plan = CreateRatePlanRequest::parse(&parse_object(body)?)?;
    let p = state.catalog.create_rate_plan(&m.0, path.hotel_id.into(), path.room_id.into(), plan.into()).await?;
    Ok(json(StatusCode::CREATED, &RatePlanResponse::from(&p)))
}

#[utoipa::path(get, path = "/admin/hotels/{hotel_id}/rooms/{room_id}/rate-plans/{rate_plan_id}", tag = "admin",
    operation_id = "getRatePlan",
    security(("bearerAuth" = [])),
    params(RatePlanPath),
    responses(
        (status = 200, description = "The rate plan", body = RatePlanResponse),
        (status = 403, description = "`forbidden` (not a manager) or `not_owner`", body = ErrorResponse),
        (status = 404, description = "`hotel_not_found`, `room_not_found` or `rate_plan_not_found` (missing or of \
            another room type)", body = ErrorResponse),
        Unauthorized, PayloadTooLarge, ValidationFailed, RateLimited, Internal, Unavailable,
    ))]
pub async fn get(req: HttpRequest, state: web::Data<AppState>, m: Manager) -> ApiResult<HttpResponse> {
    let path = RatePlanPath::parse(&req)?;
    let plan_id = RatePlanId(path.rate_plan_id);
    let p = state.catalog.rate_plan(&m.0, path.hotel_id.into(), path.room_id.into(), plan_id).await?;
    Ok(json(StatusCode::OK, &RatePlanResponse::from(&p)))
}

#[utoipa::path(put, path = "/admin/hotels/{hotel_id}/rooms/{room_id}/rate-plans/{rate_plan_id}", tag = "admin",
    operation_id = "updateRatePlan",
    security(("bearerAuth" = [])),
    params(RatePlanPath),
    request_body = UpdateRatePlanRequest,
    responses(
        (status = 200, description = "The updated plan; existing bookings keep their frozen price and policy",
            body = RatePlanResponse),
        (status = 403, description = "`forbidden` (not a manager) or `not_owner`", body = ErrorResponse),
        (status = 404, description = "`hotel_not_found`, `room_not_found` or `rate_plan_not_found`",
            body = ErrorResponse),
        (status = 409, description = "`rate_plan_code_taken`, or `default_rate_plan` (deactivating the default \
            plan)", body = ErrorResponse),
        Unauthorized, PayloadTooLarge, UnsupportedMediaType, ValidationFailed, RateLimited, Internal, Unavailable,
    ))]
pub async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    m: Manager,
    body: JsonBytes,
) -> ApiResult<HttpResponse> {
    let body = body.get()?;
    let path = RatePlanPath::parse(&req)?;
    let patch = UpdateRatePlanRequest::parse(&parse_object(body)?)?;
    let plan_id = RatePlanId(path.rate_plan_id);
    let p =
        state.catalog.update_rate_plan(&m.0, path.hotel_id.into(), path.room_id.into(), plan_id, patch.into()).await?;
    Ok(json(StatusCode::OK, &RatePlanResponse::from(&p)))
}

#[utoipa::path(delete, path = "/admin/hotels/{hotel_id}/rooms/{room_id}/rate-plans/{rate_plan_id}", tag = "admin",
    operation_id = "deleteRatePlan",
    security(("bearerAuth" = [])),
    params(RatePlanPath),
    responses(
        (status = 204, description = "Deleted; ended bookings keep their frozen price and policy"),
        (status = 403, description = "`forbidden` (not a manager) or `not_owner`", body = ErrorResponse),
        (status = 404, description = "`hotel_not_found`, `room_not_found` or `rate_plan_not_found`",
            body = ErrorResponse),
        (status = 409, description = "`has_active_bookings`: \"Rate plan has active bookings\", or \
            `default_rate_plan`", body = ErrorResponse),
        Unauthorized, PayloadTooLarge, ValidationFailed, RateLimited, Internal, Unavailable,
    ))]
pub async fn delete(req: HttpRequest, state: web::Data<AppState>, m: Manager) -> ApiResult<HttpResponse> {
    let path = RatePlanPath::parse(&req)?;
    let plan_id = RatePlanId(path.rate_plan_id);
    state.catalog.delete_rate_plan(&m.0, path.hotel_id.into(), path.room_id.into(), plan_id).await?;
    Ok(HttpResponse::NoContent().finish())
}
