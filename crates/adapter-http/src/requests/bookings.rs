//! Bookings: init and addGuests.

use super::*;

// ---------------------------------------------------------------------------------------------------------------
// Bookings
// ---------------------------------------------------------------------------------------------------------------

/// `POST /bookings/init`.
#[derive(ToSchema)]
#[schema(example = json!({"hotel_id": 7, "room_id": 3, "check_in_date": "2026-12-01", "check_out_date": "2026-12-03",
    "rooms_count": 1}))]
pub struct InitBookingRequest {
    #[schema(minimum = 1)]
    pub hotel_id: i64,
    /// A room type of that hotel.
    #[schema(minimum = 1)]
    pub room_id: i64,
    /// The first night (today or later).
    pub check_in_date: NaiveDate,
    /// The day after the last night.
    pub check_out_date: NaiveDate,
    /// Rooms of that type (default 1).
    #[schema(minimum = 1, maximum = 10, default = 1, required = false)]
    pub rooms_count: i32,
    /// A rate plan of the room type (docs/HOTEL-POLICIES.md); absent or `null`: the room's default plan.
    #[schema(minimum = 1, required = false)]
    pub rate_plan_id: Option<i64>,
    /// Adults staying, for person-based taxes (absent or `null`: one per room); more than
    /// `capacity × rooms_count` is 400 `too_many_guests`.
    #[schema(minimum = 1, maximum = 200, required = false)]
    pub adults: Option<i32>,
}

impl InitBookingRequest {
    /// The stay it asks for.
    pub fn stay(&self) -> domain::model::StayRequest {
        domain::model::StayRequest {
            hotel_id: self.hotel_id.into(),
            room_id: self.room_id.into(),
            check_in: self.check_in_date,
            check_out: self.check_out_date,
            rooms_count: self.rooms_count,
            rate_plan_id: self.rate_plan_id.map(domain::model::RatePlanId),
            adults: self.adults,
        }
    }

    /// From the parsed body (kept by the caller for the Idempotency-Key fingerprint).
    pub fn parse(body: &Value) -> ApiResult<Self> {
        let Value::Object(obj) = body else {
            return Err(invalid(&["body"], "Input should be a valid dictionary or object", "object_type"));
        };
        let mut f = Fields::new(obj);
        let hotel_id = f.req_int("hotel_id", 1, i64::MAX)?;
        let room_id = f.req_int("room_id", 1, i64::MAX)?;
        let check_in_date = f.req_date("check_in_date")?;
        let check_out_date = f.req_date("check_out_date")?;
        let rooms_count = value(f.opt_int("rooms_count", 1, 10)?).unwrap_or(1);
        let rate_plan_id = value(f.opt_int("rate_plan_id", 1, i64::MAX)?);
        let adults = value(f.opt_int("adults", 1, 200)?).map(|a| a as i32);
        f.finish()?;
        Ok(InitBookingRequest {
            hotel_id,
            room_id,
            check_in_date,
            check_out_date,
            rooms_count: rooms_count as i32,
            rate_plan_id,
            adults,
        })
    }
}

/// `POST /bookings/{booking_id}/addGuests`: a bare JSON array of 1..=200 saved-guest ids; duplicates collapse.
/// Schema `AddGuestsRequest`.
pub struct AddGuestsRequest(pub Vec<i64>);

impl PartialSchema for AddGuestsRequest {
    fn schema() -> RefOr<Schema> {
        ArrayBuilder::new()
            .items(
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .format(Some(SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::Int64)))
                    .minimum(Some(1)),
            )
            .min_items(Some(1))
            .max_items(Some(200))
            .description(Some("Saved-guest ids to link (added to those already linked; duplicates collapse)."))
            .examples([json!([5, 6])])
            .into()
    }
}

impl ToSchema for AddGuestsRequest {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("AddGuestsRequest")
    }
}

impl AddGuestsRequest {
    pub fn parse(body: &[u8]) -> ApiResult<Self> {
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
        Ok(AddGuestsRequest(ids))
    }
}
