//! `/bookings/*`: init, detail, guests, payments, cancel, status.

use super::json;
use crate::dto::{BookingDetailResponse, BookingResponse, SessionUrlResponse, StatusResponse};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::extract::{AuthUser, JsonBytes, id};
use crate::idempotency;
use crate::input::{Fields, invalid, json_integer, parse_json};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

#[utoipa::path(post, path = "/bookings/init", tag = "bookings", security(("bearerAuth" = [])),
    params(("Idempotency-Key" = Option<String>, Header)),
    request_body(content = inline(serde_json::Value), description = "`hotel_id`, `room_id`, `check_in_date`, `check_out_date`, `rooms_count`"),
    responses((status = 201, body = BookingResponse), (status = 409, description = "room_unavailable / limit_exceeded")))]
pub async fn init(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    body: JsonBytes,
) -> ApiResult<HttpResponse> {
    let body = body.get()?;
    let value = parse_json(body)?;
    let Value::Object(obj) = &value else {
        return Err(invalid(&["body"], "Input should be a valid dictionary or object", "object_type"));
    };
    let mut f = Fields::new(obj);
    let hotel_id = f.req_int("hotel_id", 1, i64::MAX)?;
    let room_id = f.req_int("room_id", 1, i64::MAX)?;
    let check_in = f.req_date("check_in_date")?;
    let check_out = f.req_date("check_out_date")?;
    let rooms = match f.opt_int("rooms_count", 1, 10)? {
        domain::model::Patch::Set(Some(n)) => n,
        _ => 1,
    };
    f.finish()?;
    let key = idempotency::key(&req)?;
    let st = state.clone();
    idempotency::guard(&state, &req, user.0.id, key, Some(&value), || async move {
        let b = st.bookings.init(&user.0, hotel_id, room_id, check_in, check_out, rooms as i32).await?;
        Ok((StatusCode::CREATED, serde_json::to_vec(&BookingResponse::from(&b)).unwrap_or_default()))
    })
    .await
}

#[utoipa::path(get, path = "/bookings/{booking_id}", tag = "bookings", security(("bearerAuth" = [])),
    params(("booking_id" = i64, Path)),
    responses((status = 200, body = BookingDetailResponse), (status = 404, description = "booking_not_found")))]
pub async fn detail(req: HttpRequest, state: web::Data<AppState>, user: AuthUser) -> ApiResult<HttpResponse> {
    let booking_id = id(&req, "booking_id")?;
    let b = state.bookings.get(&user.0, booking_id).await?;
    Ok(json(StatusCode::OK, &BookingDetailResponse::from(&b)))
}

fn guest_ids(body: &[u8]) -> ApiResult<Vec<i64>> {
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
    Ok(ids)
}

#[utoipa::path(post, path = "/bookings/{booking_id}/addGuests", tag = "bookings", security(("bearerAuth" = [])),
    params(("booking_id" = i64, Path)), request_body(content = Vec<i64>, description = "guest ids"),
    responses((status = 200, body = BookingResponse), (status = 409, description = "booking_expired / invalid_booking_state")))]
pub async fn add_guests(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    body: JsonBytes,
) -> ApiResult<HttpResponse> {
    let body = body.get()?;
    let booking_id = id(&req, "booking_id")?;
    let ids = guest_ids(body)?;
    let b = state.bookings.add_guests(&user.0, booking_id, ids).await?;
    Ok(json(StatusCode::OK, &BookingResponse::from(&b)))
}

#[utoipa::path(post, path = "/bookings/{booking_id}/payments", tag = "bookings", security(("bearerAuth" = [])),
    params(("booking_id" = i64, Path), ("Idempotency-Key" = Option<String>, Header)),
    responses((status = 200, body = SessionUrlResponse), (status = 502, description = "payment_gateway_error")))]
pub async fn payments(req: HttpRequest, state: web::Data<AppState>, user: AuthUser) -> ApiResult<HttpResponse> {
    let booking_id = id(&req, "booking_id")?;
    let key = idempotency::key(&req)?;
    let st = state.clone();
    idempotency::guard(&state, &req, user.0.id, key, None, || async move {
        let p = st.bookings.start_payment(&user.0, booking_id).await?;
        let body = SessionUrlResponse { session_url: p.session_url };
        Ok((StatusCode::OK, serde_json::to_vec(&body).unwrap_or_default()))
    })
    .await
}

#[utoipa::path(post, path = "/bookings/{booking_id}/cancel", tag = "bookings", security(("bearerAuth" = [])),
    params(("booking_id" = i64, Path)),
    responses((status = 204, description = "Cancelled"), (status = 409, description = "booking_expired / invalid_booking_state")))]
pub async fn cancel(req: HttpRequest, state: web::Data<AppState>, user: AuthUser) -> ApiResult<HttpResponse> {
    let booking_id = id(&req, "booking_id")?;
    state.bookings.cancel(&user.0, booking_id).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(get, path = "/bookings/{booking_id}/status", tag = "bookings", security(("bearerAuth" = [])),
    params(("booking_id" = i64, Path)), responses((status = 200, body = StatusResponse)))]
pub async fn status(req: HttpRequest, state: web::Data<AppState>, user: AuthUser) -> ApiResult<HttpResponse> {
    let booking_id = id(&req, "booking_id")?;
    let s = state.bookings.status(&user.0, booking_id).await?;
    Ok(json(StatusCode::OK, &StatusResponse { booking_status: s.as_str() }))
}
