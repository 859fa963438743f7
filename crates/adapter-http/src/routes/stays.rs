//! Quotes, the availability calendar (public) and revenue reports (manager).

use super::{cached, json};
use crate::dto::{CalendarResponse, QuoteResponse, RevenueReportResponse};
use crate::error::{ApiResult, ErrorResponse};
use crate::extract::Manager;
use crate::input::Query;
use crate::openapi::{Internal, PayloadTooLarge, RateLimited, Unauthorized, Unavailable, ValidationFailed};
use crate::requests::{CalendarParams, ConditionalHeaders, HotelPath, QuoteParams, ReportParams};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

#[utoipa::path(get, path = "/hotels/{hotel_id}/quote", tag = "hotels", operation_id = "quoteStay",
    params(HotelPath, QuoteParams, ConditionalHeaders),
    responses(
        (status = 200, description = "What init would charge now for the same inputs (nightly prices, subtotal, \
            tax and fee lines, total), the cancellation terms, and whether it is bookable or why not",
            body = QuoteResponse,
            headers(
                ("ETag" = String, description = "Strong validator of this answer"),
                ("Cache-Control" = String, description = "`public, max-age=10`"),
                ("Vary" = String, description = "`Origin`"),
            )),
        (status = 304, description = "Not modified: the `If-None-Match` tag still matches (no body)",
            headers(("ETag" = String), ("Cache-Control" = String), ("Vary" = String))),
        (status = 400, description = "`invalid_date_range`, `date_in_past`, `stay_too_long`, or `too_many_guests` \
            (adults above capacity × rooms)", body = ErrorResponse),
        (status = 404, description = "`hotel_not_found` (missing or inactive), `room_not_found` (missing or of \
            another hotel) or `rate_plan_not_found` (not a plan of the room)", body = ErrorResponse),
        PayloadTooLarge, ValidationFailed, RateLimited, Internal, Unavailable,
    ))]
pub async fn quote(req: HttpRequest, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let path = HotelPath::parse(&req)?;
    let mut q = Query::parse(req.query_string());
    let p = QuoteParams::parse(&mut q)?;
    q.finish()?;
    let quote = state.catalog.quote(p.stay(path.hotel_id)).await?;
    Ok(cached(&req, serde_json::to_vec(&QuoteResponse::from(&quote)).unwrap_or_default(), None))
}

#[utoipa::path(get, path = "/hotels/{hotel_id}/calendar", tag = "hotels", operation_id = "hotelCalendar",
    params(HotelPath, CalendarParams, ConditionalHeaders),
    responses(
        (status = 200, description = "Per room type and night: rooms free, the default plan's price, the \
            restrictions, and whether the night can be sold for `rooms_count` rooms",
            body = CalendarResponse,
            headers(
                ("ETag" = String, description = "Strong validator of this answer"),
                ("Cache-Control" = String, description = "`public, max-age=10`"),
                ("Vary" = String, description = "`Origin`"),
            )),
        (status = 304, description = "Not modified: the `If-None-Match` tag still matches (no body)",
            headers(("ETag" = String), ("Cache-Control" = String), ("Vary" = String))),
        (status = 400, description = "`invalid_date_range`: `to` before `from`, or more than 366 nights",
            body = ErrorResponse),
        (status = 404, description = "`hotel_not_found`: missing or inactive", body = ErrorResponse),
        PayloadTooLarge, ValidationFailed, RateLimited, Internal, Unavailable,
    ))]
pub async fn calendar(req: HttpRequest, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let path = HotelPath::parse(&req)?;
    let mut q = Query::parse(req.query_string());
    let p = CalendarParams::parse(&mut q)?;
    q.finish()?;
    let rooms_count = p.rooms_count.unwrap_or(1) as i32;
    let (hotel, from, to, rooms) = state.catalog.calendar(path.hotel_id.into(), p.from, p.to, rooms_count).await?;
    let body = CalendarResponse::new(&hotel, from, to, rooms_count, &rooms);
    Ok(cached(&req, body.to_json(), None))
}

/// Whether the client prefers CSV: an `Accept` that names `text/csv` before (or without) `application/json`.
fn wants_csv(req: &HttpRequest) -> bool {
    let accept = req.headers().get(header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or("");
    let pos = |t: &str| accept.find(t);
    match (pos("text/csv"), pos("application/json")) {
        (Some(c), Some(j)) => c < j,
        (Some(_), None) => true,
        _ => false,
    }
}

#[utoipa::path(get, path = "/admin/hotels/{hotel_id}/reports/revenue", tag = "admin",
    operation_id = "hotelRevenueReport",
    security(("bearerAuth" = [])),
    params(HotelPath, ReportParams),
    responses(
        (status = 200, description = "Per stay night of the range and in total: room-nights available and sold, \
            occupancy, ADR, RevPAR, room revenue, taxes, refunds, penalties. `Accept: text/csv` gets the same \
            figures as CSV (a header, one line per night, then `total`).",
            content(
                (RevenueReportResponse = "application/json"),
                (String = "text/csv", example = "date,rooms_available,rooms_sold,occupancy,adr,revpar,room_revenue,taxes,refunds,penalties\n2027-03-05,10,4,0.4000,110.00,44.00,440.00,44.00,0.00,0.00\ntotal,10,4,0.4000,110.00,44.00,440.00,44.00,0.00,0.00\n"),
            )),
        (status = 400, description = "`invalid_date_range`: `end_date` before `start_date`, or more than 366 days",
            body = ErrorResponse),
        (status = 403, description = "`forbidden` (not a manager) or `not_owner`", body = ErrorResponse),
        (status = 404, description = "`hotel_not_found`", body = ErrorResponse),
        Unauthorized, PayloadTooLarge, ValidationFailed, RateLimited, Internal, Unavailable,
    ))]
pub async fn revenue(req: HttpRequest, state: web::Data<AppState>, m: Manager) -> ApiResult<HttpResponse> {
    let path = HotelPath::parse(&req)?;
    let mut q = Query::parse(req.query_string());
    let range = ReportParams::parse(&mut q)?;
    q.finish()?;
    let (hotel, report) =
        state.catalog.revenue_report(&m.0, path.hotel_id.into(), range.start_date, range.end_date).await?;
    let body = RevenueReportResponse::new(&hotel, &report);
    if wants_csv(&req) {
        return Ok(HttpResponse::Ok().content_type("text/csv; charset=utf-8").body(body.csv()));
    }
    Ok(json(StatusCode::OK, &body))
}
