//! `/bookings/*`: init, detail, guests, payments, cancel, status.

use super::json;
use crate::dto::{BookingDetailResponse, BookingResponse, SessionUrlResponse, StatusResponse};
use crate::error::{ApiResult, ErrorResponse};
use crate::extract::{AuthUser, JsonBytes};
use crate::idempotency;
use crate::input::parse_json;
use crate::openapi::{
    Internal, PayloadTooLarge, RateLimited, Unauthorized, Unavailable, UnsupportedMediaType, ValidationFailed,
};
use crate::requests::{AddGuestsRequest, BookingPath, IdempotencyHeader, InitBookingRequest};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

#[utoipa::path(post, path = "/bookings/init", tag = "bookings", operation_id = "initBooking",
    security(("bearerAuth" = [])),
    params(IdempotencyHeader),
    request_body = InitBookingRequest,
    responses(
        (status = 201, description = "A `RESERVED` hold (`guests: []`), priced and frozen; `expires_at` is the hold \
            deadline. A replay of an earlier request with the same `Idempotency-Key` carries \
            `Idempotent-Replayed: true`.",
            body = BookingResponse, headers(("Idempotent-Replayed" = String, description = "`true` on a replay"))),
        (status = 400, description = "`invalid_date_range`, `date_in_past`, `stay_too_long`, `hotel_not_active`, \
            `too_many_guests` (`adults` above capacity × rooms) or `amount_out_of_range`", body = ErrorResponse),
        (status = 404, description = "`hotel_not_found`, `room_not_found` (missing, or of another hotel) or \
            `rate_plan_not_found` (missing, or of another room type)", body = ErrorResponse),
        (status = 409, description = "`limit_exceeded` (too many active holds), `room_unavailable`, \
            `rate_plan_inactive`, `stay_restricted` (the plan's minimum or maximum stay), a restriction of the \
            arrival or departure night (`min_stay_not_met`, `max_stay_exceeded`, `closed_to_arrival`, \
            `closed_to_departure`) or `idempotency_key_in_use`", body = ErrorResponse),
        (status = 422, description = "`validation_error` (with `errors[]`) or `idempotency_key_reused` (same key, \
            different request)", body = ErrorResponse),
        Unauthorized, PayloadTooLarge, UnsupportedMediaType, RateLimited, Internal, Unavailable,
    ))]
pub async fn init(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    body: JsonBytes,
) -> ApiResult<HttpResponse> {
    let body = body.get()?;
    let value = parse_json(body)?;
    let r = InitBookingRequest::parse(&value)?;
    let key = IdempotencyHeader::parse(&req)?.key;
    let st = state.clone();
    idempotency::guard(&state, &req, user.0.id, key, Some(&value), || async move {
        let b = st.bookings.init(&user.0, r.stay()).await?;
        Ok((StatusCode::CREATED, serde_json::to_vec(&BookingResponse::from(&b)).unwrap_or_default()))
    })
    .await
}

#[utoipa::path(get, path = "/bookings/{booking_id}", tag = "bookings", operation_id = "getBooking",
    security(("bearerAuth" = [])),
    params(BookingPath),
    responses(
        (status = 200, description = "The booking with hotel, room, payment and refund details",
            body = BookingDetailResponse),
        (status = 404, description = "`booking_not_found` (missing, or another user's)", body = ErrorResponse),
        Unauthorized, PayloadTooLarge, ValidationFailed, RateLimited, Internal, Unavailable,
    ))]
pub async fn detail(req: HttpRequest, state: web::Data<AppState>, user: AuthUser) -> ApiResult<HttpResponse> {
    let path = BookingPath::parse(&req)?;
    let b = state.bookings.get(&user.0, path.booking_id.into()).await?;
    Ok(json(StatusCode::OK, &BookingDetailResponse::at(&b, state.clock.now())))
}

#[utoipa::path(post, path = "/bookings/{booking_id}/addGuests", tag = "bookings", operation_id = "addGuests",
    security(("bearerAuth" = [])),
    params(BookingPath),
    request_body = AddGuestsRequest,
    responses(
        (status = 200, description = "The booking, now `GUESTS_ADDED`, with its guests", body = BookingResponse),
        (status = 400, description = "`too_many_guests`: more than `capacity × rooms_count` linked",
            body = ErrorResponse),
        (status = 404, description = "`booking_not_found`, or `guest_not_found` for the first id that is missing, \
            deleted or another user's (nothing is linked)", body = ErrorResponse),
        (status = 409, description = "`booking_expired` or `invalid_booking_state`", body = ErrorResponse),
        Unauthorized, PayloadTooLarge, UnsupportedMediaType, ValidationFailed, RateLimited, Internal, Unavailable,
    ))]
pub async fn add_guests(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    body: JsonBytes,
) -> ApiResult<HttpResponse> {
    let body = body.get()?;
    let path = BookingPath::parse(&req)?;
    let ids = AddGuestsRequest::parse(body)?;
    let b = state
        .bookings
        .add_guests(&user.0, path.booking_id.into(), ids.0.into_iter().map(domain::model::GuestId).collect())
        .await?;
    Ok(json(StatusCode::OK, &BookingResponse::from(&b)))
}

#[utoipa::path(post, path = "/bookings/{booking_id}/payments", tag = "bookings", operation_id = "startPayment",
    security(("bearerAuth" = [])),
    params(BookingPath, IdempotencyHeader),
    responses(
        (status = 200, description = "Where to pay: a new checkout session from `GUESTS_ADDED`, the stored one from \
            `PAYMENTS_PENDING`", body = SessionUrlResponse,
            headers(("Idempotent-Replayed" = String, description = "`true` on a replay"))),
        (status = 404, description = "`booking_not_found`", body = ErrorResponse),
        (status = 409, description = "`booking_expired`, `invalid_booking_state` (not payable yet or any more, or \
            the session is being created) or `idempotency_key_in_use`", body = ErrorResponse),
        (status = 422, description = "`validation_error` (path id or `Idempotency-Key`) or `idempotency_key_reused`",
            body = ErrorResponse),
        (status = 502, description = "`payment_gateway_error`: the provider failed (the booking stays `GUESTS_ADDED`)",
            body = ErrorResponse),
        Unauthorized, PayloadTooLarge, RateLimited, Internal, Unavailable,
    ))]
pub async fn payments(req: HttpRequest, state: web::Data<AppState>, user: AuthUser) -> ApiResult<HttpResponse> {
    let path = BookingPath::parse(&req)?;
    let key = IdempotencyHeader::parse(&req)?.key;
    let st = state.clone();
    idempotency::guard(&state, &req, user.0.id, key, None, || async move {
        let p = st.bookings.start_payment(&user.0, path.booking_id.into()).await?;
        let body = SessionUrlResponse { session_url: p.session_url };
        Ok((StatusCode::OK, serde_json::to_vec(&body).unwrap_or_default()))
    })
    .await
}

#[utoipa::path(post, path = "/bookings/{booking_id}/cancel", tag = "bookings", operation_id = "cancelBooking",
    security(("bearerAuth" = [])),
    params(BookingPath),
    responses(
        (status = 204, description = "Cancelled; a confirmed stay is refunded in full"),
        (status = 404, description = "`booking_not_found`", body = ErrorResponse),
        (status = 409, description = "`booking_expired` or `invalid_booking_state`", body = ErrorResponse),
        Unauthorized, PayloadTooLarge, ValidationFailed, RateLimited, Internal, Unavailable,
    ))]
pub async fn cancel(req: HttpRequest, state: web::Data<AppState>, user: AuthUser) -> ApiResult<HttpResponse> {
    let path = BookingPath::parse(&req)?;
    state.bookings.cancel(&user.0, path.booking_id.into()).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(get, path = "/bookings/{booking_id}/status", tag = "bookings", operation_id = "bookingStatus",
    security(("bearerAuth" = [])),
    params(BookingPath),
    responses(
        (status = 200, description = "The effective status", body = StatusResponse),
        (status = 404, description = "`booking_not_found`", body = ErrorResponse),
        Unauthorized, PayloadTooLarge, ValidationFailed, RateLimited, Internal, Unavailable,
    ))]
pub async fn status(req: HttpRequest, state: web::Data<AppState>, user: AuthUser) -> ApiResult<HttpResponse> {
    let path = BookingPath::parse(&req)?;
    let s = state.bookings.status(&user.0, path.booking_id.into()).await?;
    Ok(json(StatusCode::OK, &StatusResponse { booking_status: s.into() }))
}
