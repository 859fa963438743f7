//! Audit history (docs/EVENTS.md): a booking's events for its owner, a hotel's for its owner manager.

use super::paged;
use crate::dto::HistoryEventResponse;
use crate::error::{ApiResult, ErrorResponse};
use crate::extract::{AuthUser, Manager};
use crate::input::Query;
use crate::openapi::{Internal, PayloadTooLarge, RateLimited, Unauthorized, Unavailable, ValidationFailed};
use crate::requests::{BookingPath, HistoryParams, HotelPath, PageParams};
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, web};

#[utoipa::path(get, path = "/bookings/{booking_id}/history", tag = "bookings", operation_id = "bookingHistory",
    security(("bearerAuth" = [])),
    params(BookingPath, PageParams),
    responses(
        (status = 200, description = "The booking's events, newest first: every transition (`booking.held`, \
            `booking.confirmed`, ...) and refund outcome, who made it and when (docs/EVENTS.md)",
            body = [HistoryEventResponse], headers(("X-Total-Count" = i64, description = "Matches before paging"))),
        (status = 404, description = "`booking_not_found` (missing, or another user's)", body = ErrorResponse),
        Unauthorized, PayloadTooLarge, ValidationFailed, RateLimited, Internal, Unavailable,
    ))]
pub async fn booking(req: HttpRequest, state: web::Data<AppState>, user: AuthUser) -> ApiResult<HttpResponse> {
    let path = BookingPath::parse(&req)?;
    let mut q = Query::parse(req.query_string());
    let page = PageParams::parse(&mut q)?;
    q.finish()?;
    let p = state.history.booking_history(&user.0, path.booking_id.into(), page.page()).await?;
    Ok(paged(&p.items.iter().map(HistoryEventResponse::from).collect::<Vec<_>>(), p.total))
}

#[utoipa::path(get, path = "/admin/hotels/{hotel_id}/history", tag = "admin", operation_id = "hotelHistory",
    security(("bearerAuth" = [])),
    params(HotelPath, HistoryParams, PageParams),
    responses(
        (status = 200, description = "The events of the hotel and everything in it (room types, rate plans, \
            inventory, bookings), newest first, filtered: who changed what and when, with every changed field's \
            value before and after (docs/EVENTS.md)",
            body = [HistoryEventResponse], headers(("X-Total-Count" = i64, description = "Matches before paging"))),
        (status = 403, description = "`forbidden` (not a manager) or `not_owner`", body = ErrorResponse),
        (status = 404, description = "`hotel_not_found`", body = ErrorResponse),
        Unauthorized, PayloadTooLarge, ValidationFailed, RateLimited, Internal, Unavailable,
    ))]
pub async fn hotel(req: HttpRequest, state: web::Data<AppState>, m: Manager) -> ApiResult<HttpResponse> {
    let path = HotelPath::parse(&req)?;
    let mut q = Query::parse(req.query_string());
    let filter = HistoryParams::parse(&mut q)?;
    let page = PageParams::parse(&mut q)?;
    q.finish()?;
    let p = state.history.hotel_history(&m.0, path.hotel_id.into(), filter.filter()?, page.page()).await?;
    Ok(paged(&p.items.iter().map(HistoryEventResponse::from).collect::<Vec<_>>(), p.total))
}
