//! Revenue reports over stay nights: room-nights available and sold, occupancy, ADR, RevPAR, room revenue,
//! taxes, refunds and penalties, per day and in total.

use super::{BookingStatus, Money, PriceBreakdown};
use chrono::{Duration, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};

/// Longest revenue report range, in days.
pub const MAX_REVENUE_DAYS: i64 = 366;

/// A booking as a revenue report reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevenueBooking {
    /// CONFIRMED, or CANCELLED with a penalty kept or a refund owed.
    pub status: BookingStatus,
    /// The first night.
    pub check_in: NaiveDate,
    /// The departure day.
    pub check_out: NaiveDate,
    /// Rooms on every night.
    pub rooms_count: i32,
    /// The frozen breakdown.
    pub price: PriceBreakdown,
    /// Kept on cancel.
    pub penalty: Option<Money>,
    /// Owed back on cancel (or a late payment that could not be honoured).
    pub refund: Option<Money>,
}

/// What a store reads for a revenue report of `[start, end]`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RevenueFacts {
    /// Σ `total_count` over the hotel's room types, per date that has inventory.
    pub rooms_per_night: Vec<(NaiveDate, i64)>,
    /// Bookings with a night in the range: CONFIRMED ones, and CANCELLED ones with a penalty or a refund.
    pub bookings: Vec<RevenueBooking>,
}

/// The figures of a day or of a whole range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RevenueFigures {
    /// Room-nights for sale: Σ `total_count` of the room types' rows (closed nights included).
    pub rooms_available: i64,
    /// Room-nights of CONFIRMED bookings.
    pub rooms_sold: i64,
    /// Room revenue of CONFIRMED bookings, net of the taxes included in their price.
    pub room_revenue: Money,
    /// Taxes and fees of CONFIRMED bookings (included and added).
    pub taxes: Money,
    /// Refunds of cancelled bookings.
    pub refunds: Money,
    /// Penalties kept on cancelled bookings.
    pub penalties: Money,
}

fn ratio(num: Decimal, den: i64, dp: u32) -> Decimal {
    if den == 0 {
        return Decimal::new(0, dp);
    }
    let mut r = (num / Decimal::from(den)).round_dp_with_strategy(dp, RoundingStrategy::MidpointNearestEven);
    r.rescale(dp);
    r
}

impl RevenueFigures {
    /// `rooms_sold / rooms_available`, a fraction rounded half-even to 4 decimals (0 without rooms).
    pub fn occupancy(&self) -> Decimal {
        ratio(Decimal::from(self.rooms_sold), self.rooms_available, 4)
    }
    /// Average daily rate: `room_revenue / rooms_sold`, half-even to cents (0 when nothing was sold).
    pub fn adr(&self) -> Money {
        Money::round_half_even(ratio(self.room_revenue.to_decimal(), self.rooms_sold, 2)).unwrap_or(Money::ZERO)
    }
    /// Revenue per available room: `room_revenue / rooms_available`, half-even to cents.
    pub fn revpar(&self) -> Money {
        Money::round_half_even(ratio(self.room_revenue.to_decimal(), self.rooms_available, 2)).unwrap_or(Money::ZERO)
    }
    fn add(&mut self, o: &RevenueFigures) {
        self.rooms_available += o.rooms_available;
        self.rooms_sold += o.rooms_sold;
        self.room_revenue = Money::from_minor(self.room_revenue.minor() + o.room_revenue.minor());
        self.taxes = Money::from_minor(self.taxes.minor() + o.taxes.minor());
        self.refunds = Money::from_minor(self.refunds.minor() + o.refunds.minor());
        self.penalties = Money::from_minor(self.penalties.minor() + o.penalties.minor());
    }
}

/// A revenue report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevenueReport {
    /// The first night reported.
    pub start_date: NaiveDate,
    /// The last night reported.
    pub end_date: NaiveDate,
    /// One entry per date of the range, in order.
    pub days: Vec<(NaiveDate, RevenueFigures)>,
    /// The sum of the days (its ratios computed from the sums).
    pub total: RevenueFigures,
}

/// Night `i`'s share of `amount` spread over `nights` nights: equal cents, the remainder one cent each on the
/// earliest nights (the shares add up to the amount exactly).
pub fn night_share(amount: Money, nights: i64, i: i64) -> Money {
    if nights <= 0 {
        return Money::ZERO;
    }
    let (base, rem) = (amount.minor().div_euclid(nights), amount.minor().rem_euclid(nights));
    Money::from_minor(base + i64::from(i < rem))
}

impl RevenueReport {
    /// Builds the report of `[start, end]` from what the store read. Each booking's amounts are spread over its
    /// nights with [`night_share`]; nights outside the range are left out.
    pub fn build(start: NaiveDate, end: NaiveDate, facts: &RevenueFacts) -> RevenueReport {
        let len = (end - start).num_days() + 1;
        let mut days: Vec<(NaiveDate, RevenueFigures)> =
            (0..len.max(0)).map(|i| (start + Duration::days(i), RevenueFigures::default())).collect();
        let slot = |date: NaiveDate| -> Option<usize> {
            let i = (date - start).num_days();
            (0..len).contains(&i).then_some(i as usize)
        };
        for (date, rooms) in &facts.rooms_per_night {
            if let Some(i) = slot(*date) {
                days[i].1.rooms_available += rooms;
            }
        }
        for b in &facts.bookings {
            let nights = (b.check_out - b.check_in).num_days();
            for n in 0..nights {
                let Some(i) = slot(b.check_in + Duration::days(n)) else { continue };
                let day = &mut days[i].1;
                let mut add = RevenueFigures::default();
                match b.status {
                    BookingStatus::Confirmed => {
                        add.rooms_sold = i64::from(b.rooms_count);
                        add.room_revenue = night_share(b.price.room_revenue(), nights, n);
                        add.taxes = night_share(b.price.taxes(), nights, n);
                    }
                    _ => {
                        add.refunds = night_share(b.refund.unwrap_or(Money::ZERO), nights, n);
                        add.penalties = night_share(b.penalty.unwrap_or(Money::ZERO), nights, n);
                    }
                }
                day.add(&add);
            }
        }
        let mut total = RevenueFigures::default();
        for (_, d) in &days {
            total.add(d);
        }
        RevenueReport { start_date: start, end_date: end, days, total }
    }
}
