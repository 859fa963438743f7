//! Catalog: hotels, room types, search results, the hotel page, inventory and reports.

use super::*;

#[derive(Serialize, ToSchema)]
pub struct HotelResponse {
    #[schema(example = 7)]
    pub id: i64,
    #[schema(example = "Hotel Aurora")]
    pub name: String,
    #[schema(example = "Lisbon")]
    pub city: Option<String>,
    #[schema(example = json!(["https://img.example.com/aurora.jpg"]))]
    pub photos: Option<Vec<String>>,
    #[schema(example = json!(["wifi", "pool"]))]
    pub amenities: Option<Vec<String>>,
    pub contact_phone: Option<String>,
    pub contact_email: Option<String>,
    pub contact_address: Option<String>,
    pub active: bool,
    pub owner_id: i64,
    #[serde(serialize_with = "ser_ts")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "ser_ts")]
    pub updated_at: DateTime<Utc>,
    /// IANA time zone: the hotel's date rules (past check-in, cancel before check-in, urgency pricing, the
    /// inventory window, report months) use its local date.
    #[schema(example = "Europe/Lisbon")]
    pub time_zone: String,
    /// ISO 4217, upper-case: bookings of the hotel are charged, frozen and refunded in it.
    #[schema(example = "EUR", pattern = "^[A-Z]{3}$")]
    pub currency: String,
    /// Local check-in time, `HH:MM`.
    #[schema(example = "15:00", pattern = r"^\d{2}:\d{2}$")]
    pub check_in_time: String,
    /// Local check-out time, `HH:MM`.
    #[schema(example = "11:00", pattern = r"^\d{2}:\d{2}$")]
    pub check_out_time: String,
    /// The policy new bookings freeze.
    pub cancellation_policy: CancellationPolicyDto,
    /// Taxes and fees new bookings are priced with, in order (`[]`: none).
    pub taxes: Vec<TaxRuleDto>,
}

impl From<&Hotel> for HotelResponse {
    fn from(h: &Hotel) -> Self {
        HotelResponse {
            id: h.id.into(),
            name: h.name.clone(),
            city: h.city.clone(),
            photos: h.photos.clone(),
            amenities: h.amenities.clone(),
            contact_phone: h.contact_phone.clone(),
            contact_email: h.contact_email.clone(),
            contact_address: h.contact_address.clone(),
            active: h.active,
            owner_id: h.owner_id.into(),
            created_at: h.created_at,
            updated_at: h.updated_at,
            time_zone: h.time_zone.name().to_string(),
            currency: h.currency.to_string(),
            check_in_time: format_clock_time(h.check_in_time),
            check_out_time: format_clock_time(h.check_out_time),
            cancellation_policy: (&h.cancellation_policy).into(),
            taxes: h.taxes.iter().map(TaxRuleDto::from).collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
#[schema(as = RoomSummary)]
pub struct RoomSummaryResponse {
    pub id: i64,
    #[serde(rename = "type")]
    #[schema(example = "Double")]
    pub kind: String,
    pub base_price: MoneyStr,
    #[schema(example = 2)]
    pub capacity: i32,
    pub photos: Option<Vec<String>>,
    pub amenities: Option<Vec<String>>,
    /// With dates: every night open with enough rooms, and no restriction of the arrival or departure night
    /// broken; without dates: `null`.
    pub available: Option<bool>,
    /// With dates: what init would charge now on the default plan, taxes and fees included, with one adult per
    /// room (`null` when unavailable or without dates).
    pub total_price: Option<MoneyStr>,
    /// With dates, when not available: why (`null` otherwise).
    pub unavailable_reason: Option<UnavailableReasonDto>,
    /// The room type's active rate plans (its default plan first), each priced for the stay.
    pub rate_plans: Vec<RatePlanQuoteResponse>,
    /// With dates: the bookable plan with the lowest `total_price` (`null` when none is bookable).
    pub cheapest_rate_plan_id: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct HotelInfoResponse {
    pub id: i64,
    pub name: String,
    pub city: Option<String>,
    pub photos: Option<Vec<String>>,
    pub amenities: Option<Vec<String>>,
    pub contact_phone: Option<String>,
    pub contact_email: Option<String>,
    pub contact_address: Option<String>,
    /// The hotel's room types, by id.
    pub rooms: Vec<RoomSummaryResponse>,
    /// IANA time zone of the hotel's dates.
    #[schema(example = "Europe/Lisbon")]
    pub time_zone: String,
    /// ISO 4217, upper-case: what quotes and bookings are in.
    #[schema(example = "EUR", pattern = "^[A-Z]{3}$")]
    pub currency: String,
    /// Local check-in time, `HH:MM`.
    #[schema(example = "15:00")]
    pub check_in_time: String,
    /// Local check-out time, `HH:MM`.
    #[schema(example = "11:00")]
    pub check_out_time: String,
    /// The policy a booking made now would freeze.
    pub cancellation_policy: CancellationPolicyDto,
    /// The taxes and fees bookings are priced with (`[]`: none).
    pub taxes: Vec<TaxRuleDto>,
}

impl HotelInfoResponse {
    pub fn new(h: &Hotel, rooms: &[RoomSummary]) -> Self {
        HotelInfoResponse {
            id: h.id.into(),
            name: h.name.clone(),
            city: h.city.clone(),
            photos: h.photos.clone(),
            amenities: h.amenities.clone(),
            contact_phone: h.contact_phone.clone(),
            contact_email: h.contact_email.clone(),
            contact_address: h.contact_address.clone(),
            rooms: rooms
                .iter()
                .map(|r| RoomSummaryResponse {
                    id: r.room.id.into(),
                    kind: r.room.kind.clone(),
                    base_price: r.room.base_price.into(),
                    capacity: r.room.capacity,
                    photos: r.room.photos.clone(),
                    amenities: r.room.amenities.clone(),
                    available: r.available,
                    total_price: r.total_price.map(MoneyStr::from),
                    unavailable_reason: r.unavailable.as_ref().map(UnavailableReasonDto::from),
                    rate_plans: r
                        .rate_plans
                        .iter()
                        .map(|q| RatePlanQuoteResponse::new(q, h.cancellation_policy))
                        .collect(),
                    cheapest_rate_plan_id: r
                        .rate_plans
                        .iter()
                        .filter_map(|q| q.total_price.map(|p| (p, q.plan.id)))
                        .min()
                        .map(|(_, id)| id.into()),
                })
                .collect(),
            time_zone: h.time_zone.name().to_string(),
            currency: h.currency.to_string(),
            check_in_time: format_clock_time(h.check_in_time),
            check_out_time: format_clock_time(h.check_out_time),
            cancellation_policy: (&h.cancellation_policy).into(),
            taxes: h.taxes.iter().map(TaxRuleDto::from).collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct HotelSearchResult {
    #[schema(example = 7)]
    pub id: i64,
    #[schema(example = "Hotel Aurora")]
    pub name: String,
    #[schema(example = "Lisbon")]
    pub city: Option<String>,
    pub photos: Option<Vec<String>>,
    pub amenities: Option<Vec<String>>,
    /// The lowest average nightly price among the qualifying room types.
    pub min_price: MoneyStr,
    /// ISO 4217 of `min_price` (the hotel's currency).
    #[schema(example = "EUR", pattern = "^[A-Z]{3}$")]
    pub currency: String,
}

impl From<&SearchHit> for HotelSearchResult {
    fn from(h: &SearchHit) -> Self {
        HotelSearchResult {
            id: h.id.into(),
            name: h.name.clone(),
            city: h.city.clone(),
            photos: h.photos.clone(),
            amenities: h.amenities.clone(),
            min_price: h.min_price.into(),
            currency: h.currency.to_string(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct RoomResponse {
    #[schema(example = 3)]
    pub id: i64,
    #[schema(example = 7)]
    pub hotel_id: i64,
    #[serde(rename = "type")]
    #[schema(example = "Double")]
    pub kind: String,
    pub base_price: MoneyStr,
    pub photos: Option<Vec<String>>,
    pub amenities: Option<Vec<String>>,
    #[schema(example = 10)]
    pub total_count: i32,
    #[schema(example = 2)]
    pub capacity: i32,
    #[serde(serialize_with = "ser_ts")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "ser_ts")]
    pub updated_at: DateTime<Utc>,
}

impl From<&Room> for RoomResponse {
    fn from(r: &Room) -> Self {
        RoomResponse {
            id: r.id.into(),
            hotel_id: r.hotel_id.into(),
            kind: r.kind.clone(),
            base_price: r.base_price.into(),
            photos: r.photos.clone(),
            amenities: r.amenities.clone(),
            total_count: r.total_count,
            capacity: r.capacity,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct InventoryResponse {
    pub id: i64,
    pub hotel_id: i64,
    pub room_id: i64,
    #[serde(serialize_with = "ser_date")]
    #[schema(example = "2026-12-01")]
    pub date: NaiveDate,
    pub book_count: i32,
    pub reserved_count: i32,
    pub total_count: i32,
    pub surge_factor: SurgeStr,
    pub price: MoneyStr,
    /// The hotel's current city (`""` if none).
    pub city: String,
    pub closed: bool,
    /// `total_count − book_count − reserved_count`, at least 0.
    pub available_count: i32,
    /// What a one-room quote would charge for this night now.
    pub effective_price: MoneyStr,
    /// Stays arriving this night need at least this many nights (`null`: no minimum).
    pub min_stay: Option<i32>,
    /// Stays arriving this night allow at most this many nights (`null`: no maximum).
    pub max_stay: Option<i32>,
    /// No stay may arrive this night.
    pub closed_to_arrival: bool,
    /// No stay may depart on this date.
    pub closed_to_departure: bool,
}

impl InventoryResponse {
    pub fn new(v: &InventoryView, effective: Money) -> Self {
        let n = &v.night;
        InventoryResponse {
            id: n.id,
            hotel_id: n.hotel_id.into(),
            room_id: n.room_id.into(),
            date: n.date,
            book_count: n.book_count,
            reserved_count: n.reserved_count,
            total_count: n.total_count,
            surge_factor: SurgeStr(format!("{:.2}", n.surge_factor)),
            price: n.price.into(),
            city: v.city.clone(),
            closed: n.closed,
            available_count: n.available(),
            effective_price: effective.into(),
            min_stay: n.restrictions.min_stay,
            max_stay: n.restrictions.max_stay,
            closed_to_arrival: n.restrictions.closed_to_arrival,
            closed_to_departure: n.restrictions.closed_to_departure,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct HotelReportResponse {
    pub hotel_id: i64,
    /// CONFIRMED bookings with `start_date ≤ check_in_date ≤ end_date`.
    pub total_bookings: i64,
    pub total_revenue: MoneyStr,
    #[serde(serialize_with = "ser_date")]
    #[schema(example = "2026-11-01")]
    pub start_date: NaiveDate,
    #[serde(serialize_with = "ser_date")]
    #[schema(example = "2026-11-25")]
    pub end_date: NaiveDate,
    /// `total_revenue / total_bookings`, rounded half-even (`"0.00"` when there are none).
    pub avg_revenue: MoneyStr,
    /// Revenue after refunds: `total_revenue` plus the cancellation penalties kept on bookings of the range.
    pub net_revenue: MoneyStr,
}

impl From<&HotelReport> for HotelReportResponse {
    fn from(r: &HotelReport) -> Self {
        HotelReportResponse {
            hotel_id: r.hotel_id.into(),
            total_bookings: r.total_bookings,
            total_revenue: r.total_revenue.into(),
            start_date: r.start_date,
            end_date: r.end_date,
            avg_revenue: r.avg_revenue.into(),
            net_revenue: r.net_revenue.into(),
        }
    }
}
