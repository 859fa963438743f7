//! `/users/*`: profile, my bookings, saved guests.

use super::{json, paged};
use crate::dto::{BookingResponse, GuestResponse, UserResponse};
use crate::error::ApiResult;
use crate::extract::{AuthUser, JsonBytes, id};
use crate::input::{Fields, Query, parse_object};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveDate;
use domain::model::*;

#[utoipa::path(get, path = "/users/profile", tag = "users", security(("bearerAuth" = [])),
    responses((status = 200, body = UserResponse)))]
pub async fn profile(user: AuthUser) -> HttpResponse {
    json(StatusCode::OK, &UserResponse::from(&user.0))
}

#[utoipa::path(patch, path = "/users/profile", tag = "users", security(("bearerAuth" = [])),
    request_body(content = inline(serde_json::Value), description = "`name`, `date_of_birth`, `gender` (null clears)"),
    responses((status = 200, body = UserResponse)))]
pub async fn update_profile(state: web::Data<AppState>, user: AuthUser, body: JsonBytes) -> ApiResult<HttpResponse> {
    let body = body.get()?;
    let obj = parse_object(body)?;
    let mut f = Fields::new(&obj);
    let name = f.opt_str("name", 1, 255)?;
    let date_of_birth = f.opt_date("date_of_birth")?;
    if let Patch::Set(Some(d)) = &date_of_birth {
        let min = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or_default();
        if *d < min {
            f.push("date_of_birth", "Date should be on or after 1900-01-01", "out_of_range");
        } else if *d > state.clock.today() {
            f.push("date_of_birth", "Date should not be in the future", "out_of_range");
        }
    }
    let gender = f.opt_enum("gender", Gender::parse, "'MALE' or 'FEMALE'")?;
    f.finish()?;
    let u = state.auth.update_profile(&user.0, ProfilePatch { name, date_of_birth, gender }).await?;
    Ok(json(StatusCode::OK, &UserResponse::from(&u)))
}

/// The optional `status` filter of booking lists.
pub fn status_filter(q: &mut Query) -> ApiResult<Option<BookingStatus>> {
    let names: Vec<&str> = BookingStatus::ALL.iter().map(|s| s.as_str()).collect();
    Ok(q.opt_choice("status", &names)?.and_then(|s| BookingStatus::parse(&s)))
}

#[utoipa::path(get, path = "/users/myBookings", tag = "users", security(("bearerAuth" = [])),
    params(("status" = Option<String>, Query), ("limit" = Option<i64>, Query), ("offset" = Option<i64>, Query)),
    responses((status = 200, body = [BookingResponse])))]
pub async fn my_bookings(req: HttpRequest, state: web::Data<AppState>, user: AuthUser) -> ApiResult<HttpResponse> {
    let mut q = Query::parse(req.query_string());
    let status = status_filter(&mut q)?;
    let page = q.page(50, 200)?;
    q.finish()?;
    let p = state.bookings.my_bookings(&user.0, status, page).await?;
    Ok(paged(&p.items.iter().map(BookingResponse::from).collect::<Vec<_>>(), p.total))
}

#[utoipa::path(get, path = "/users/guests", tag = "users", security(("bearerAuth" = [])),
    params(("limit" = Option<i64>, Query), ("offset" = Option<i64>, Query)),
    responses((status = 200, body = [GuestResponse])))]
pub async fn guests(req: HttpRequest, state: web::Data<AppState>, user: AuthUser) -> ApiResult<HttpResponse> {
    let mut q = Query::parse(req.query_string());
    let page = q.page(50, 200)?;
    q.finish()?;
    let p = state.auth.guests(&user.0, page).await?;
    Ok(paged(&p.items.iter().map(GuestResponse::from).collect::<Vec<_>>(), p.total))
}

fn age(f: &mut Fields<'_>) -> ApiResult<Patch<Option<i32>>> {
    Ok(match f.opt_int("age", 0, 150)? {
        Patch::Keep => Patch::Keep,
        Patch::Set(v) => Patch::Set(v.map(|a| a.clamp(0, 150) as i32)),
    })
}

#[utoipa::path(post, path = "/users/guests", tag = "users", security(("bearerAuth" = [])),
    request_body(content = inline(serde_json::Value), description = "`name`, `gender`, optional `age`"),
    responses((status = 201, body = GuestResponse), (status = 409, description = "limit_exceeded")))]
pub async fn create_guest(state: web::Data<AppState>, user: AuthUser, body: JsonBytes) -> ApiResult<HttpResponse> {
    let body = body.get()?;
    let obj = parse_object(body)?;
    let mut f = Fields::new(&obj);
    let name = f.req_str("name", 1, 255)?;
    let gender = match f.opt_enum("gender", Gender::parse, "'MALE' or 'FEMALE'")? {
        Patch::Set(Some(g)) => g,
        _ => return Err(crate::input::invalid(&["body", "gender"], "Field required", "missing")),
    };
    let age = match age(&mut f)? {
        Patch::Set(v) => v,
        Patch::Keep => None,
    };
    f.finish()?;
    let g = state.auth.create_guest(&user.0, NewGuest { name, gender, age }).await?;
    Ok(json(StatusCode::CREATED, &GuestResponse::from(&g)))
}

#[utoipa::path(put, path = "/users/guests/{guest_id}", tag = "users", security(("bearerAuth" = [])),
    params(("guest_id" = i64, Path)),
    request_body(content = inline(serde_json::Value), description = "partial: `name`, `gender`, `age`"),
    responses((status = 200, body = GuestResponse), (status = 404, description = "guest_not_found")))]
pub async fn update_guest(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    body: JsonBytes,
) -> ApiResult<HttpResponse> {
    let body = body.get()?;
    let guest_id = id(&req, "guest_id")?;
    let obj = parse_object(body)?;
    let mut f = Fields::new(&obj);
    let name = match f.opt_str("name", 1, 255)? {
        Patch::Set(v) => v,
        Patch::Keep => None,
    };
    let gender = match f.opt_enum("gender", Gender::parse, "'MALE' or 'FEMALE'")? {
        Patch::Set(v) => v,
        Patch::Keep => None,
    };
    let age = age(&mut f)?;
    f.finish()?;
    let g = state.auth.update_guest(&user.0, guest_id, GuestPatch { name, gender, age }).await?;
    Ok(json(StatusCode::OK, &GuestResponse::from(&g)))
}

#[utoipa::path(delete, path = "/users/guests/{guest_id}", tag = "users", security(("bearerAuth" = [])),
    params(("guest_id" = i64, Path)),
    responses((status = 204, description = "Soft-deleted"), (status = 404, description = "guest_not_found")))]
pub async fn delete_guest(req: HttpRequest, state: web::Data<AppState>, user: AuthUser) -> ApiResult<HttpResponse> {
    let guest_id = id(&req, "guest_id")?;
    state.auth.delete_guest(&user.0, guest_id).await?;
    Ok(HttpResponse::NoContent().finish())
}
