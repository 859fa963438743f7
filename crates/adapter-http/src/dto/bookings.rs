//! Bookings: a booking, its detail, the checkout session and the status.

use super::*;

#[derive(Serialize, ToSchema)]
pub struct BookingResponse {
    #[schema(example = 42)]
    pub id: i64,
    #[schema(example = 7)]
    pub hotel_id: i64,
    #[schema(example = 3)]
    pub room_id: i64,
    #[schema(example = 17)]
    pub user_id: i64,
    #[schema(example = 1)]
    pub rooms_count: i32,
    #[serde(serialize_with = "ser_date")]
    #[schema(example = "2026-12-01")]
    pub check_in_date: NaiveDate,
    #[serde(serialize_with = "ser_date")]
    #[schema(example = "2026-12-03")]
    pub check_out_date: NaiveDate,
    pub booking_status: BookingStatusDto,
    /// The frozen quote.
    pub amount: MoneyStr,
    #[serde(serialize_with = "ser_ts")]
    #[schema(example = "2026-11-25T19:26:09.217604Z")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "ser_ts")]
    #[schema(example = "2026-11-25T19:26:09.217604Z")]
    pub updated_at: DateTime<Utc>,
    #[schema(example = 2)]
    pub nights: i32,
    /// ISO 4217, upper-case.
    #[schema(example = "USD", pattern = "^[A-Z]{3}$")]
    pub currency: String,
    /// The hold deadline (`null` in terminal states).
    #[serde(serialize_with = "ser_ts_opt")]
    #[schema(example = "2026-11-25T19:41:09.217604Z")]
    pub expires_at: Option<DateTime<Utc>>,
    /// Linked guests by id, including guests deleted later.
    pub guests: Vec<GuestResponse>,
    /// The rate plan booked (`null` for bookings made before rate plans existed).
    pub rate_plan_id: Option<i64>,
    /// The cancellation policy frozen at init (the rate plan's, else the hotel's).
    pub cancellation_policy: CancellationPolicyDto,
    /// The free-cancellation deadline, frozen at init: cancelling a confirmed booking before this instant
    /// refunds everything (`null`: non-refundable).
    #[serde(serialize_with = "ser_ts_opt")]
    #[schema(example = "2026-11-29T15:00:00.000000Z")]
    pub cancellation_deadline: Option<DateTime<Utc>>,
    /// What the cancel of the confirmed booking kept (`null` until then).
    pub penalty_amount: Option<MoneyStr>,
    /// What is owed back (the cancel's amount − penalty, or a payment that could not be honoured; `null`
    /// while nothing is owed). `refund_status` tracks it.
    pub refund_amount: Option<MoneyStr>,
    /// Adults priced (person-based taxes), frozen at init.
    pub adults: i32,
    /// The room subtotal frozen at init; `amount` = `subtotal` + the tax lines not included.
    pub subtotal: MoneyStr,
    /// The tax and fee lines frozen at init (`[]` for hotels without taxes).
    pub taxes: Vec<ChargeLineDto>,
}

impl From<&Booking> for BookingResponse {
    fn from(b: &Booking) -> Self {
        BookingResponse {
            id: b.id.into(),
            hotel_id: b.hotel_id.into(),
            room_id: b.room_id.into(),
            user_id: b.user_id.into(),
            rooms_count: b.rooms_count,
            check_in_date: b.check_in_date,
            check_out_date: b.check_out_date,
            booking_status: b.status.into(),
            amount: b.amount.into(),
            created_at: b.created_at,
            updated_at: b.updated_at,
            nights: b.nights,
            currency: b.currency.to_string(),
            expires_at: b.expires_at,
            guests: b.guests.iter().map(GuestResponse::from).collect(),
            rate_plan_id: b.rate_plan_id.map(i64::from),
            cancellation_policy: (&b.cancellation_policy).into(),
            cancellation_deadline: b.cancel_deadline,
            penalty_amount: b.penalty_amount.map(MoneyStr::from),
            refund_amount: b.refund_amount.map(MoneyStr::from),
            adults: b.adults,
            subtotal: b.subtotal.into(),
            taxes: b.charges.iter().map(ChargeLineDto::from).collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct BookingDetailResponse {
    #[serde(flatten)]
    pub booking: BookingResponse,
    #[schema(example = "Hotel Aurora")]
    pub hotel_name: String,
    #[schema(example = "Double")]
    pub room_type: String,
    pub payment_session_id: Option<String>,
    /// Non-null only while `PAYMENTS_PENDING`.
    pub session_url: Option<String>,
    pub refund_status: Option<RefundStatusDto>,
    #[serde(serialize_with = "ser_ts_opt")]
    pub confirmed_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "ser_ts_opt")]
    pub cancelled_at: Option<DateTime<Utc>>,
    /// For a CONFIRMED booking that may still be cancelled (before its check-in date, hotel-local): what a
    /// cancel now would refund under its policy (`null` otherwise).
    pub refund_if_cancelled_now: Option<MoneyStr>,
}

impl BookingDetailResponse {
    /// The detail as of `now` (the refund a cancel would give now).
    pub fn at(b: &Booking, now: DateTime<Utc>) -> Self {
        let mut d = BookingDetailResponse::from(b);
        if b.status == BookingStatus::Confirmed && b.time_zone.today(now) < b.check_in_date {
            d.refund_if_cancelled_now = Some(b.cancellation_outcome(now).refund.into());
        }
        d
    }
}

impl From<&Booking> for BookingDetailResponse {
    fn from(b: &Booking) -> Self {
        BookingDetailResponse {
            booking: b.into(),
            hotel_name: b.hotel_name.clone(),
            room_type: b.room_type.clone(),
            payment_session_id: b.payment_session_id.clone(),
            session_url: if b.status == BookingStatus::PaymentsPending { b.payment_session_url.clone() } else { None },
            refund_status: b.refund_status.map(RefundStatusDto::from),
            confirmed_at: b.confirmed_at,
            cancelled_at: b.cancelled_at,
            refund_if_cancelled_now: None,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SessionUrlResponse {
    /// Where to send the customer to pay.
    #[schema(
        format = "uri",
        example = "http://localhost:8000/payments/simulated/sim_cs_0123456789abcdef0123456789abcdef"
    )]
    pub session_url: String,
}

#[derive(Serialize, ToSchema)]
pub struct StatusResponse {
    /// The effective status (an expired hold reads `EXPIRED`).
    pub booking_status: BookingStatusDto,
}
