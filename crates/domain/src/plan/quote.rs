//! Pricing a stay: the nightly prices on a rate plan, the tax and fee breakdown, and whether it can be sold.
//! Quote, hotel info and init all price through [`price_stay`], so the amount init charges is the quote's total.

use crate::model::{
    InventoryNight, Money, PriceBreakdown, PriceRule, Restriction, StayDates, TaxRule, stay_restriction,
};
use crate::pricing::PricingPolicy;
use chrono::NaiveDate;

/// What pricing a stay reads.
#[derive(Debug, Clone, Copy)]
pub struct StayInput<'a> {
    /// The validated stay.
    pub stay: &'a StayDates,
    /// Rooms on every night.
    pub rooms_count: i32,
    /// Adults (person-based taxes).
    pub adults: i32,
    /// The hotel's local date (pricing's "today").
    pub today: NaiveDate,
    /// The room's rows of the stay's nights, by date (missing nights absent).
    pub nights: &'a [InventoryNight],
    /// The check-out date is closed to departure (its row's flag; false when it has no row).
    pub departure_closed: bool,
    /// The rate plan's price rule.
    pub price_rule: &'a PriceRule,
    /// The hotel's taxes and fees.
    pub taxes: &'a [TaxRule],
}

/// Why a stay cannot be sold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unbookable {
    /// `rate_plan_inactive`: the rate plan is deactivated.
    RatePlanInactive,
    /// `stay_restricted`: the stay breaks the rate plan's length-of-stay limits (the text names them).
    RatePlanStay(String),
    /// `amount_out_of_range`: the total is outside the payable range 1.00..=999999.99.
    AmountOutOfRange,
    /// `not_on_sale`: the room has no inventory for this night (outside the window).
    NotOnSale(NaiveDate),
    /// `closed`: the night is closed (stop-sell).
    Closed(NaiveDate),
    /// `sold_out`: fewer than `rooms_count` rooms are free this night.
    SoldOut(NaiveDate),
    /// A restriction of the arrival or departure night.
    Restricted(Restriction),
}

impl Unbookable {
    /// The wire code: `not_on_sale`, `closed`, `sold_out` (init answers these three with 409
    /// `room_unavailable`), the restriction's code, or the code init fails with.
    pub fn code(&self) -> &'static str {
        match self {
            Unbookable::RatePlanInactive => "rate_plan_inactive",
            Unbookable::RatePlanStay(_) => "stay_restricted",
            Unbookable::AmountOutOfRange => "amount_out_of_range",
            Unbookable::NotOnSale(_) => "not_on_sale",
            Unbookable::Closed(_) => "closed",
            Unbookable::SoldOut(_) => "sold_out",
            Unbookable::Restricted(r) => r.code(),
        }
    }
}

impl std::fmt::Display for Unbookable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unbookable::RatePlanInactive => f.write_str("Rate plan is not available for booking"),
            Unbookable::RatePlanStay(detail) => f.write_str(detail),
            Unbookable::AmountOutOfRange => f.write_str("Booking amount is outside the payable range"),
            Unbookable::NotOnSale(d) => write!(f, "The room is not on sale for the night of {d}"),
            Unbookable::Closed(d) => write!(f, "The room is closed for the night of {d}"),
            Unbookable::SoldOut(d) => write!(f, "The room is sold out for the night of {d}"),
            Unbookable::Restricted(r) => std::fmt::Display::fmt(r, f),
        }
    }
}

/// A priced stay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StayPrice {
    /// One room's price of each night that exists, by date, after the rate plan's rule.
    pub nightly: Vec<(NaiveDate, Money)>,
    /// The breakdown; `None` when a night has no inventory (nothing to price).
    pub breakdown: Option<PriceBreakdown>,
    /// Why the stay cannot be sold now, if it cannot: the first night missing, closed or sold out (in date
    /// order), else the first restriction broken.
    pub unbookable: Option<Unbookable>,
}

/// Prices a stay and says whether it can be sold (see [`StayPrice`]).
pub fn price_stay(input: &StayInput<'_>, policy: &PricingPolicy) -> StayPrice {
    let nightly: Vec<(NaiveDate, Money)> =
        input.nights.iter().map(|n| (n.date, input.price_rule.apply(policy.nightly(n, input.today)))).collect();
    let mut unbookable = None;
    let mut rows = input.nights.iter().peekable();
    for date in input.stay.each_night() {
        let reason = match rows.next_if(|n| n.date == date) {
            None => Some(Unbookable::NotOnSale(date)),
            Some(n) if n.closed => Some(Unbookable::Closed(date)),
            Some(n) if n.available() < input.rooms_count => Some(Unbookable::SoldOut(date)),
            Some(_) => None,
        };
        if reason.is_some() {
            unbookable = reason;
            break;
        }
    }
    let complete = nightly.len() as i64 == input.stay.nights() && !matches!(unbookable, Some(Unbookable::NotOnSale(_)));
    if unbookable.is_none() {
        unbookable = stay_restriction(input.nights, input.departure_closed, input.stay).map(Unbookable::Restricted);
    }
    let breakdown = complete.then(|| {
        let one: i64 = nightly.iter().map(|(_, m)| m.minor()).sum();
        let subtotal = Money::from_minor(one * i64::from(input.rooms_count));
        PriceBreakdown::compute(subtotal, input.stay.nights(), input.rooms_count, input.adults, input.taxes)
    });
    StayPrice { nightly, breakdown, unbookable }
}

/// A quote: what init would charge for a stay now, and why, or why it cannot be booked.
#[derive(Debug, Clone, PartialEq)]
pub struct StayQuote {
    /// The hotel (its currency and zone).
    pub hotel: crate::model::Hotel,
    /// The room type.
    pub room: crate::model::Room,
    /// The rate plan priced (`None` only for a room without any plan: base prices).
    pub rate_plan: Option<crate::model::RatePlan>,
    /// The validated stay.
    pub stay: StayDates,
    /// Rooms on every night.
    pub rooms_count: i32,
    /// Adults priced (person-based taxes).
    pub adults: i32,
    /// One room's price of each night on the plan.
    pub nightly: Vec<(NaiveDate, Money)>,
    /// The breakdown (`None` when a night is not on sale).
    pub price: Option<PriceBreakdown>,
    /// The cancellation policy a booking would freeze.
    pub cancellation_policy: crate::model::CancellationPolicy,
    /// Its free-cancellation deadline for this stay (`None`: non-refundable).
    pub cancel_deadline: Option<chrono::DateTime<chrono::Utc>>,
    /// `None` when init would accept the stay now; else the first reason it would not.
    pub unbookable: Option<Unbookable>,
}
