//! Taxes and fees, price breakdowns, quotes, the availability calendar and revenue reports on the wire.

use super::*;
use domain::plan::{StayQuote, Unbookable};

/// How a tax or fee is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[schema(as = TaxKind, example = "PER_PERSON_PER_NIGHT")]
pub enum TaxKindDto {
    /// `value` percent of the room subtotal.
    Percent,
    /// `value` per room and night.
    PerRoomPerNight,
    /// `value` per adult and night.
    PerPersonPerNight,
    /// `value` once per booking.
    PerStay,
}

impl From<TaxKind> for TaxKindDto {
    fn from(k: TaxKind) -> Self {
        match k {
            TaxKind::Percent => TaxKindDto::Percent,
            TaxKind::PerRoomPerNight => TaxKindDto::PerRoomPerNight,
            TaxKind::PerPersonPerNight => TaxKindDto::PerPersonPerNight,
            TaxKind::PerStay => TaxKindDto::PerStay,
        }
    }
}

/// A tax or fee rule of a hotel (requests take the same keys; `included` defaults to false).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(as = TaxRule, example = json!({"name": "City tax", "kind": "PER_PERSON_PER_NIGHT", "value": "2.50",
    "included": false}))]
pub struct TaxRuleDto {
    /// 1..=100 characters, what the guest sees.
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    pub kind: TaxKindDto,
    /// `PERCENT`: 0 < value ≤ 100; otherwise an amount in the hotel's currency, 0 < value ≤ 10000.00; at most 2
    /// decimals, as a decimal string (numbers are accepted in requests).
    #[schema(value_type = String, example = "2.50", pattern = r"^\d+(\.\d{1,2})?$")]
    pub value: String,
    /// Already inside the room price (shown, not added) rather than added on top.
    pub included: bool,
}

impl From<&TaxRule> for TaxRuleDto {
    fn from(r: &TaxRule) -> Self {
        TaxRuleDto {
            name: r.name.clone(),
            kind: r.kind.into(),
            value: r.value.normalize().to_string(),
            included: r.included,
        }
    }
}

/// A tax or fee line of a price: the rule and its amount for this stay.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(as = TaxLine, example = json!({"name": "City tax", "kind": "PER_PERSON_PER_NIGHT", "value": "2.50",
    "included": false, "amount": "10.00"}))]
pub struct ChargeLineDto {
    pub name: String,
    pub kind: TaxKindDto,
    #[schema(value_type = String, example = "2.50")]
    pub value: String,
    /// Included in `subtotal` (shown only) rather than added to the total.
    pub included: bool,
    /// Rounded half-even to cents, on its own.
    pub amount: MoneyStr,
}

impl From<&ChargeLine> for ChargeLineDto {
    fn from(l: &ChargeLine) -> Self {
        ChargeLineDto {
            name: l.name.clone(),
            kind: l.kind.into(),
            value: l.value.normalize().to_string(),
            included: l.included,
            amount: l.amount.into(),
        }
    }
}

/// Why a stay cannot be booked now.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(as = UnavailableReason, example = json!({"code": "min_stay_not_met",
    "detail": "Stays arriving on 2027-03-05 need at least 3 nights"}))]
pub struct UnavailableReasonDto {
    /// `not_on_sale`, `closed`, `sold_out` (init answers these with 409 `room_unavailable`),
    /// `min_stay_not_met`, `max_stay_exceeded`, `closed_to_arrival`, `closed_to_departure`, `rate_plan_inactive`,
    /// `stay_restricted` or `amount_out_of_range` (init answers these with the same code).
    #[schema(example = "min_stay_not_met")]
    pub code: String,
    pub detail: String,
}

impl From<&Unbookable> for UnavailableReasonDto {
    fn from(u: &Unbookable) -> Self {
        UnavailableReasonDto { code: u.code().into(), detail: u.to_string() }
    }
}

/// One night of a quote.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct QuoteNightDto {
    #[serde(serialize_with = "ser_date")]
    #[schema(example = "2027-03-05")]
    pub date: NaiveDate,
    /// One room's price that night on the rate plan.
    pub price: MoneyStr,
}

/// `GET /hotels/{hotel_id}/quote`: what init would charge now for the same inputs, and why.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct QuoteResponse {
    pub hotel_id: i64,
    pub room_id: i64,
    /// The plan priced (the room's default plan unless one was asked for).
    pub rate_plan_id: Option<i64>,
    #[serde(serialize_with = "ser_date")]
    #[schema(example = "2027-03-05")]
    pub check_in_date: NaiveDate,
    #[serde(serialize_with = "ser_date")]
    #[schema(example = "2027-03-08")]
    pub check_out_date: NaiveDate,
    pub nights: i64,
    pub rooms_count: i32,
    /// Adults priced (person-based taxes; default one per room).
    pub adults: i32,
    /// ISO 4217 of every amount.
    #[schema(example = "EUR", pattern = "^[A-Z]{3}$")]
    pub currency: String,
    /// One room's price per night on the plan (nights without inventory are absent).
    pub nightly_prices: Vec<QuoteNightDto>,
    /// Σ nightly prices × rooms (`null` when a night is not on sale).
    pub subtotal: Option<MoneyStr>,
    /// The hotel's taxes and fees for this stay, in the hotel's order.
    pub taxes: Vec<ChargeLineDto>,
    /// `subtotal` + the lines not included: what init would charge (`null` when a night is not on sale).
    pub total: Option<MoneyStr>,
    /// The policy a booking would freeze, and its free-cancellation deadline (`null`: non-refundable).
    pub cancellation_policy: CancellationPolicyDto,
    #[serde(serialize_with = "ser_ts_opt")]
    #[schema(example = "2027-03-03T15:00:00.000000Z")]
    pub cancellation_deadline: Option<DateTime<Utc>>,
    /// Whether init would accept this stay now.
    pub bookable: bool,
    /// Why not (`null` when bookable).
    pub unavailable_reason: Option<UnavailableReasonDto>,
}

impl From<&StayQuote> for QuoteResponse {
    fn from(q: &StayQuote) -> Self {
        QuoteResponse {
            hotel_id: q.hotel.id.into(),
            room_id: q.room.id.into(),
            rate_plan_id: q.rate_plan.as_ref().map(|p| p.id.into()),
            check_in_date: q.stay.check_in(),
            check_out_date: q.stay.check_out(),
            nights: q.stay.nights(),
            rooms_count: q.rooms_count,
            adults: q.adults,
            currency: q.hotel.currency.to_string(),
            nightly_prices: q.nightly.iter().map(|(d, p)| QuoteNightDto { date: *d, price: (*p).into() }).collect(),
            subtotal: q.price.as_ref().map(|p| p.subtotal.into()),
            taxes: q.price.as_ref().map(|p| p.lines.iter().map(ChargeLineDto::from).collect()).unwrap_or_default(),
            total: q.price.as_ref().map(|p| p.total.into()),
            cancellation_policy: (&q.cancellation_policy).into(),
            cancellation_deadline: q.cancel_deadline,
            bookable: q.unbookable.is_none(),
            unavailable_reason: q.unbookable.as_ref().map(UnavailableReasonDto::from),
        }
    }
}

/// The revenue figures of a day (`date` set) or of the whole range (`date` null).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct RevenueFiguresDto {
    #[serde(serialize_with = "ser_date_opt")]
    #[schema(example = "2027-03-05")]
    pub date: Option<NaiveDate>,
    /// Room-nights for sale: Σ `total_count` of the room types (closed nights included).
    pub rooms_available: i64,
    /// Room-nights of CONFIRMED bookings.
    pub rooms_sold: i64,
    /// `rooms_sold / rooms_available`, a fraction with 4 decimals (`"0.0000"` without rooms).
    #[schema(value_type = String, example = "0.6667", pattern = r"^\d+\.\d{4}$")]
    pub occupancy: String,
    /// Average daily rate: `room_revenue / rooms_sold`.
    pub adr: MoneyStr,
    /// Revenue per available room: `room_revenue / rooms_available`.
    pub revpar: MoneyStr,
    /// CONFIRMED bookings' room revenue, net of included taxes.
    pub room_revenue: MoneyStr,
    /// CONFIRMED bookings' taxes and fees (included and added).
    pub taxes: MoneyStr,
    /// Refunds owed on cancelled bookings.
    pub refunds: MoneyStr,
    /// Penalties kept on cancelled bookings.
    pub penalties: MoneyStr,
}

impl RevenueFiguresDto {
    pub fn new(date: Option<NaiveDate>, f: &RevenueFigures) -> Self {
        RevenueFiguresDto {
            date,
            rooms_available: f.rooms_available,
            rooms_sold: f.rooms_sold,
            occupancy: f.occupancy().to_string(),
            adr: f.adr().into(),
            revpar: f.revpar().into(),
            room_revenue: f.room_revenue.into(),
            taxes: f.taxes.into(),
            refunds: f.refunds.into(),
            penalties: f.penalties.into(),
        }
    }
}

/// `GET /admin/hotels/{hotel_id}/reports/revenue`: figures per stay night and in total.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct RevenueReportResponse {
    pub hotel_id: i64,
    #[schema(example = "EUR", pattern = "^[A-Z]{3}$")]
    pub currency: String,
    #[serde(serialize_with = "ser_date")]
    #[schema(example = "2027-03-01")]
    pub start_date: NaiveDate,
    #[serde(serialize_with = "ser_date")]
    #[schema(example = "2027-03-31")]
    pub end_date: NaiveDate,
    /// One entry per night of the range, in date order.
    pub days: Vec<RevenueFiguresDto>,
    /// The range as a whole (`date` null; ratios computed from the sums).
    pub total: RevenueFiguresDto,
}

impl RevenueReportResponse {
    pub fn new(h: &Hotel, r: &RevenueReport) -> Self {
        RevenueReportResponse {
            hotel_id: h.id.into(),
            currency: h.currency.to_string(),
            start_date: r.start_date,
            end_date: r.end_date,
            days: r.days.iter().map(|(d, f)| RevenueFiguresDto::new(Some(*d), f)).collect(),
            total: RevenueFiguresDto::new(None, &r.total),
        }
    }

    /// `text/csv`: a header, one line per day, then `total`.
    pub fn csv(&self) -> String {
        let mut out =
            String::from("date,rooms_available,rooms_sold,occupancy,adr,revpar,room_revenue,taxes,refunds,penalties\n");
        for f in self.days.iter().chain(std::iter::once(&self.total)) {
            let date = f.date.map(date).unwrap_or_else(|| "total".into());
            out.push_str(&format!(
                "{date},{},{},{},{},{},{},{},{},{}\n",
                f.rooms_available,
                f.rooms_sold,
                f.occupancy,
                f.adr.0,
                f.revpar.0,
                f.room_revenue.0,
                f.taxes.0,
                f.refunds.0,
                f.penalties.0
            ));
        }
        out
    }
}
