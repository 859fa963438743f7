//! Public browse: search and hotel info. Both are cacheable (see [`super::cached`]).

use super::cached;
use crate::dto::{HotelInfoResponse, HotelSearchResult};
use crate::error::{ApiResult, ErrorResponse};
use crate::input::Query;
use crate::openapi::{Internal, PayloadTooLarge, RateLimited, Unavailable, ValidationFailed};
use crate::requests::{ConditionalHeaders, HotelInfoParams, HotelPath, PageParams, SearchParams};
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, web};
use domain::model::SearchQuery;

#[utoipa::path(get, path = "/hotels/search", tag = "hotels", operation_id = "searchHotels",
    params(SearchParams, PageParams, ConditionalHeaders),
    responses(
        (status = 200, description = "Active hotels in the city with a room type that fits the stay, paginated",
            body = [HotelSearchResult],
            headers(
                ("X-Total-Count" = i64, description = "Matches before paging"),
                ("ETag" = String, description = "Strong validator of this answer (body and total)"),
                ("Cache-Control" = String, description = "`public, max-age=10`"),
                ("Vary" = String, description = "`Origin`"),
            )),
        (status = 304, description = "Not modified: the `If-None-Match` tag still matches (no body)",
            headers(
                ("X-Total-Count" = i64, description = "Matches before paging"),
                ("ETag" = String), ("Cache-Control" = String), ("Vary" = String),
            )),
        (status = 400, description = "`invalid_date_range`, `date_in_past`, `stay_too_long` or `invalid_price_range`",
            body = ErrorResponse),
        PayloadTooLarge, ValidationFailed, RateLimited, Internal, Unavailable,
    ))]
pub async fn search(req: HttpRequest, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let mut q = Query::parse(req.query_string());
    let p = SearchParams::parse(&mut q)?;
    let page = PageParams::parse(&mut q)?;
    q.finish()?;
    let stay = state.catalog.stay(p.check_in_date, p.check_out_date)?;
    let query = SearchQuery {
        city: p.city,
        stay,
        rooms_count: p.rooms_count.unwrap_or(1) as i32,
        guests: p.guests.map(|g| g as i32),
        min_price: p.min_price,
        max_price: p.max_price,
        sort: p.sort.map(Into::into).unwrap_or_default(),
        page: page.page(),
    };
    let p = state.catalog.search(query).await?;
    let items = p.items.iter().map(HotelSearchResult::from).collect::<Vec<_>>();
    Ok(cached(&req, serde_json::to_vec(&items).unwrap_or_default(), Some(p.total)))
}

#[utoipa::path(get, path = "/hotels/{hotel_id}/info", tag = "hotels", operation_id = "hotelInfo",
    params(HotelPath, HotelInfoParams, ConditionalHeaders),
    responses(
        (status = 200, description = "The hotel and its room types; with dates, each room's availability and quote",
            body = HotelInfoResponse,
            headers(
                ("ETag" = String, description = "Strong validator of this answer"),
                ("Cache-Control" = String, description = "`public, max-age=10`"),
                ("Vary" = String, description = "`Origin`"),
            )),
        (status = 304, description = "Not modified: the `If-None-Match` tag still matches (no body)",
            headers(("ETag" = String), ("Cache-Control" = String), ("Vary" = String))),
        (status = 400, description = "`invalid_date_range`, `date_in_past` or `stay_too_long` (with dates)",
            body = ErrorResponse),
        (status = 404, description = "`hotel_not_found`: missing or inactive", body = ErrorResponse),
        PayloadTooLarge, ValidationFailed, RateLimited, Internal, Unavailable,
    ))]
pub async fn info(req: HttpRequest, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let path = HotelPath::parse(&req)?;
    let mut q = Query::parse(req.query_string());
    let p = HotelInfoParams::parse(&mut q)?;
    q.finish()?;
    let dates = p.stay()?;
    let (hotel, rooms) =
        state.catalog.hotel_info(path.hotel_id.into(), dates, p.rooms_count.unwrap_or(1) as i32).await?;
    Ok(cached(&req, serde_json::to_vec(&HotelInfoResponse::new(&hotel, &rooms)).unwrap_or_default(), None))
}
