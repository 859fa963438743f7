//! Public browse: search and hotel info.

use super::{json, paged};
use crate::dto::{HotelInfoResponse, HotelSearchResult};
use crate::error::ApiResult;
use crate::extract::id;
use crate::input::{Query, invalid};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use domain::model::{SearchQuery, SearchSort};

#[utoipa::path(get, path = "/hotels/search", tag = "hotels",
    params(("city" = String, Query), ("check_in_date" = String, Query, format = Date), ("check_out_date" = String, Query, format = Date),
           ("rooms_count" = Option<i64>, Query), ("guests" = Option<i64>, Query), ("min_price" = Option<String>, Query),
           ("max_price" = Option<String>, Query), ("sort" = Option<String>, Query, description = "price_asc | price_desc | name"),
           ("limit" = Option<i64>, Query), ("offset" = Option<i64>, Query)),
    responses((status = 200, body = [HotelSearchResult], headers(("X-Total-Count" = i64))), (status = 400, description = "date or price range")))]
pub async fn search(req: HttpRequest, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let mut q = Query::parse(req.query_string());
    let city = q.req_str("city", 1, 255)?;
    let check_in = q.req_date("check_in_date")?;
    let check_out = q.req_date("check_out_date")?;
    let rooms = q.opt_int("rooms_count", 1, 10)?.unwrap_or(1);
    let guests = q.opt_int("guests", 1, 200)?;
    let min_price = q.opt_money("min_price")?;
    let max_price = q.opt_money("max_price")?;
    let sort = match q.opt_choice("sort", &["price_asc", "price_desc", "name"])?.as_deref() {
        Some("price_desc") => SearchSort::PriceDesc,
        Some("name") => SearchSort::Name,
        _ => SearchSort::PriceAsc,
    };
    let page = q.page(50, 200)?;
    q.finish()?;
    let stay = state.catalog.stay(check_in, check_out)?;
    let query = SearchQuery {
        city,
        stay,
        rooms_count: rooms as i32,
        guests: guests.map(|g| g as i32),
        min_price,
        max_price,
        sort,
        page,
    };
    let p = state.catalog.search(query).await?;
    Ok(paged(&p.items.iter().map(HotelSearchResult::from).collect::<Vec<_>>(), p.total))
}

#[utoipa::path(get, path = "/hotels/{hotel_id}/info", tag = "hotels",
    params(("hotel_id" = i64, Path), ("check_in_date" = Option<String>, Query, format = Date),
           ("check_out_date" = Option<String>, Query, format = Date), ("rooms_count" = Option<i64>, Query)),
    responses((status = 200, body = HotelInfoResponse), (status = 404, description = "hotel_not_found")))]
pub async fn info(req: HttpRequest, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let hotel_id = id(&req, "hotel_id")?;
    let mut q = Query::parse(req.query_string());
    let ci = q.opt_date("check_in_date")?;
    let co = q.opt_date("check_out_date")?;
    let rooms = q.opt_int("rooms_count", 1, 10)?.unwrap_or(1);
    q.finish()?;
    let dates = match (ci, co) {
        (Some(a), Some(b)) => Some((a, b)),
        (None, None) => None,
        (Some(_), None) => return Err(invalid(&["query", "check_out_date"], "Field required", "missing")),
        (None, Some(_)) => return Err(invalid(&["query", "check_in_date"], "Field required", "missing")),
    };
    let (hotel, rooms) = state.catalog.hotel_info(hotel_id, dates, rooms as i32).await?;
    Ok(json(StatusCode::OK, &HotelInfoResponse::new(&hotel, &rooms)))
}
