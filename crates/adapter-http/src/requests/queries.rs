//! Query strings: pages, search, hotel info, lists, inventory, reports.

use super::*;

// ---------------------------------------------------------------------------------------------------------------
// Query strings
// ---------------------------------------------------------------------------------------------------------------

/// `limit` / `offset` of every list (API.md §1.3); `X-Total-Count` carries the number of matches.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Page size.
    #[param(minimum = 1, maximum = 200, default = 50)]
    pub limit: Option<i64>,
    /// Matches to skip.
    #[param(minimum = 0, maximum = 1000000, default = 0)]
    pub offset: Option<i64>,
}

impl PageParams {
    pub fn parse(q: &mut Query) -> ApiResult<Self> {
        Ok(PageParams { limit: q.opt_int("limit", 1, 200)?, offset: q.opt_int("offset", 0, 1_000_000)? })
    }
    /// With the defaults applied.
    pub fn page(&self) -> Page {
        Page { limit: self.limit.unwrap_or(50), offset: self.offset.unwrap_or(0) }
    }
}

/// `limit` / `offset` of the inventory list: one page per year of nights.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InventoryPageParams {
    /// Page size.
    #[param(minimum = 1, maximum = 366, default = 366)]
    pub limit: Option<i64>,
    /// Nights to skip.
    #[param(minimum = 0, maximum = 1000000, default = 0)]
    pub offset: Option<i64>,
}

impl InventoryPageParams {
    pub fn parse(q: &mut Query) -> ApiResult<Self> {
        Ok(InventoryPageParams { limit: q.opt_int("limit", 1, 366)?, offset: q.opt_int("offset", 0, 1_000_000)? })
    }
    /// With the defaults applied.
    pub fn page(&self) -> Page {
        Page { limit: self.limit.unwrap_or(366), offset: self.offset.unwrap_or(0) }
    }
}

/// `GET /hotels/search` (paginated with [`PageParams`]).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// The hotel's current city, matched exactly (case-insensitive); 1..=255 characters after trimming.
    #[param(min_length = 1, max_length = 255, example = "Lisbon")]
    pub city: String,
    /// The first night.
    #[param(example = "2026-12-01")]
    pub check_in_date: NaiveDate,
    /// The day after the last night.
    #[param(example = "2026-12-03")]
    pub check_out_date: NaiveDate,
    /// Rooms wanted of one type.
    #[param(minimum = 1, maximum = 10, default = 1)]
    pub rooms_count: Option<i64>,
    /// Guests to fit (`capacity × rooms_count ≥ guests`).
    #[param(minimum = 1, maximum = 200)]
    pub guests: Option<i64>,
    /// Lowest average nightly price (> 0, ≤ 1000000.00, at most 2 decimals).
    #[param(value_type = Option<String>, pattern = r"^\d+(\.\d{1,2})?$", example = "50.00")]
    pub min_price: Option<Money>,
    /// Highest average nightly price (> 0, ≤ 1000000.00, at most 2 decimals).
    #[param(value_type = Option<String>, pattern = r"^\d+(\.\d{1,2})?$", example = "300")]
    pub max_price: Option<Money>,
    /// Result order (ties break on id).
    #[param(value_type = Option<SearchSortDto>, default = "price_asc")]
    pub sort: Option<SearchSortDto>,
}

impl SearchParams {
    pub fn parse(q: &mut Query) -> ApiResult<Self> {
        let city = q.req_str("city", 1, 255)?;
        let check_in_date = q.req_date("check_in_date")?;
        let check_out_date = q.req_date("check_out_date")?;
        let rooms_count = q.opt_int("rooms_count", 1, 10)?;
        let guests = q.opt_int("guests", 1, 200)?;
        let min_price = q.opt_money("min_price")?;
        let max_price = q.opt_money("max_price")?;
        let names = SearchSortDto::ALL.map(SearchSortDto::as_str);
        let sort = q
            .opt_choice("sort", &names)?
            .and_then(|s| SearchSortDto::ALL.into_iter().find(|o| o.as_str() == s.as_str()));
        Ok(SearchParams { city, check_in_date, check_out_date, rooms_count, guests, min_price, max_price, sort })
    }
}

/// `GET /hotels/{hotel_id}/info`: give both dates (or neither) to get availability and quotes per room.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HotelInfoParams {
    /// The first night (requires `check_out_date`).
    pub check_in_date: Option<NaiveDate>,
    /// The day after the last night (requires `check_in_date`).
    pub check_out_date: Option<NaiveDate>,
    /// Rooms wanted of one type.
    #[param(minimum = 1, maximum = 10, default = 1)]
    pub rooms_count: Option<i64>,
}

impl HotelInfoParams {
    pub fn parse(q: &mut Query) -> ApiResult<Self> {
        let check_in_date = q.opt_date("check_in_date")?;
        let check_out_date = q.opt_date("check_out_date")?;
        let rooms_count = q.opt_int("rooms_count", 1, 10)?;
        Ok(HotelInfoParams { check_in_date, check_out_date, rooms_count })
    }
    /// Both dates or neither (else 422 `missing` for the absent one).
    pub fn stay(&self) -> ApiResult<Option<(NaiveDate, NaiveDate)>> {
        match (self.check_in_date, self.check_out_date) {
            (Some(a), Some(b)) => Ok(Some((a, b))),
            (None, None) => Ok(None),
            (Some(_), None) => Err(invalid(&["query", "check_out_date"], "Field required", "missing")),
            (None, Some(_)) => Err(invalid(&["query", "check_in_date"], "Field required", "missing")),
        }
    }
}

/// `GET /hotels/{hotel_id}/quote`: the stay to price, as init would take it.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QuoteParams {
    /// A room type of the hotel.
    #[param(minimum = 1)]
    pub room_id: i64,
    /// A rate plan of the room type (default: its default plan).
    #[param(minimum = 1)]
    pub rate_plan_id: Option<i64>,
    /// The first night.
    pub check_in_date: NaiveDate,
    /// The day after the last night.
    pub check_out_date: NaiveDate,
    /// Rooms of the type.
    #[param(minimum = 1, maximum = 10, default = 1)]
    pub rooms_count: Option<i64>,
    /// Adults staying (person-based taxes; default one per room; at most capacity × rooms).
    #[param(minimum = 1, maximum = 200)]
    pub adults: Option<i64>,
}

impl QuoteParams {
    pub fn parse(q: &mut Query) -> ApiResult<Self> {
        let room_id = q.opt_int("room_id", 1, i64::MAX)?;
        let rate_plan_id = q.opt_int("rate_plan_id", 1, i64::MAX)?;
        let check_in_date = q.opt_date("check_in_date")?;
        let check_out_date = q.opt_date("check_out_date")?;
        let rooms_count = q.opt_int("rooms_count", 1, 10)?;
        let adults = q.opt_int("adults", 1, 200)?;
        // Every missing field is reported together when the caller finishes the query.
        let mut required = |name: &str, present: bool| {
            if !present {
                q.push(name, "Field required", "missing");
            }
        };
        required("room_id", room_id.is_some());
        required("check_in_date", check_in_date.is_some());
        required("check_out_date", check_out_date.is_some());
        Ok(QuoteParams {
            room_id: room_id.unwrap_or(1),
            rate_plan_id,
            check_in_date: check_in_date.unwrap_or_default(),
            check_out_date: check_out_date.unwrap_or_default(),
            rooms_count,
            adults,
        })
    }

    /// The stay asked for.
    pub fn stay(&self, hotel_id: i64) -> domain::model::StayRequest {
        domain::model::StayRequest {
            hotel_id: hotel_id.into(),
            room_id: self.room_id.into(),
            check_in: self.check_in_date,
            check_out: self.check_out_date,
            rooms_count: self.rooms_count.unwrap_or(1) as i32,
            rate_plan_id: self.rate_plan_id.map(domain::model::RatePlanId),
            adults: self.adults.map(|a| a as i32),
        }
    }
}

/// `GET /hotels/{hotel_id}/calendar`: an inclusive range of nights, at most 366.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CalendarParams {
    /// The first night (default: the hotel's local today).
    pub from: Option<NaiveDate>,
    /// The last night (default: `from` + 29 days); at most 365 days after `from`.
    pub to: Option<NaiveDate>,
    /// Rooms a night must have free to be `bookable`.
    #[param(minimum = 1, maximum = 10, default = 1)]
    pub rooms_count: Option<i64>,
}

impl CalendarParams {
    pub fn parse(q: &mut Query) -> ApiResult<Self> {
        Ok(CalendarParams {
            from: q.opt_date("from")?,
            to: q.opt_date("to")?,
            rooms_count: q.opt_int("rooms_count", 1, 10)?,
        })
    }
}

/// The optional `status` filter of booking lists.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BookingListParams {
    /// Only bookings in this (stored) status.
    #[param(value_type = Option<BookingStatusDto>)]
    pub status: Option<BookingStatus>,
}

impl BookingListParams {
    pub fn parse(q: &mut Query) -> ApiResult<Self> {
        let names: Vec<&str> = BookingStatus::ALL.iter().map(|s| s.as_str()).collect();
        Ok(BookingListParams { status: q.opt_choice("status", &names)?.and_then(|s| BookingStatus::parse(&s)) })
    }
}

/// `GET /admin/hotels/{hotel_id}/reports`: an inclusive range of check-in dates.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportParams {
    /// Default: the first day of the current month.
    pub start_date: Option<NaiveDate>,
    /// Default: today; not before `start_date`.
    pub end_date: Option<NaiveDate>,
}

impl ReportParams {
    pub fn parse(q: &mut Query) -> ApiResult<Self> {
        Ok(ReportParams { start_date: q.opt_date("start_date")?, end_date: q.opt_date("end_date")? })
    }
}

/// The inclusive date range of the inventory routes.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InventoryRangeParams {
    /// Default: today (earlier dates show history).
    pub start_date: Option<NaiveDate>,
    /// GET: unbounded by default; PATCH: `start_date` by default, at most 366 dates in all.
    pub end_date: Option<NaiveDate>,
}

impl InventoryRangeParams {
    pub fn parse(q: &mut Query) -> ApiResult<Self> {
        Ok(InventoryRangeParams { start_date: q.opt_date("start_date")?, end_date: q.opt_date("end_date")? })
    }
}

/// `GET /admin/hotels/{hotel_id}/history`: filters (all optional).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryParams {
    /// `booking`, `hotel`, `room` (a room type and its inventory) or `rate_plan`; with `aggregate_id`.
    pub aggregate_type: Option<String>,
    /// The aggregate's id; requires `aggregate_type`.
    pub aggregate_id: Option<i64>,
    /// One event type, e.g. `booking.cancelled` (docs/EVENTS.md lists them).
    #[param(rename = "type")]
    pub event_type: Option<String>,
    /// Events on or after this day (UTC).
    pub from: Option<NaiveDate>,
    /// Events on or before this day (UTC); not before `from`.
    pub to: Option<NaiveDate>,
}

impl HistoryParams {
    pub fn parse(q: &mut Query) -> ApiResult<Self> {
        let kinds = ["booking", "hotel", "room", "rate_plan"];
        Ok(HistoryParams {
            aggregate_type: q.opt_choice("aggregate_type", &kinds)?,
            aggregate_id: q.opt_int("aggregate_id", 1, i64::MAX)?,
            event_type: q.opt_choice("type", domain::model::event_types::ALL)?,
            from: q.opt_date("from")?,
            to: q.opt_date("to")?,
        })
    }

    /// The domain's filter; `aggregate_id` without `aggregate_type` (or the reverse) is a 422.
    pub fn filter(self) -> ApiResult<domain::model::HistoryFilter> {
        use domain::model::AggregateType;
        let aggregate = match (self.aggregate_type, self.aggregate_id) {
            (None, None) => None,
            (Some(t), Some(id)) => AggregateType::parse(&t).map(|t| (t, id)),
            (Some(_), None) => {
                return Err(domain::Error::validation(&["query", "aggregate_id"], "Field required", "missing").into());
            }
            (None, Some(_)) => {
                return Err(domain::Error::validation(&["query", "aggregate_type"], "Field required", "missing").into());
            }
        };
        Ok(domain::model::HistoryFilter { aggregate, event_type: self.event_type, from: self.from, to: self.to })
    }
}
