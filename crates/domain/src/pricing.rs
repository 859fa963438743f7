//! Availability and pricing over a stay's inventory nights (API.md §4.3.2). Pure functions.

use crate::model::{InventoryNight, Money, PriceRule, StayDates};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::BTreeSet;

/// An optional pricing strategy; enabled strategies multiply together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Strategy {
    /// × 1.20 when booked + reserved ≥ 80 % of the night's total (before the rooms being quoted).
    Occupancy,
    /// × 1.15 when the night is less than 7 days away.
    Urgency,
    /// × 1.25 on configured holidays.
    Holiday,
}

impl Strategy {
    /// Parses a configuration name.
    pub fn parse(s: &str) -> Option<Strategy> {
        match s.trim() {
            "occupancy" => Some(Strategy::Occupancy),
            "urgency" => Some(Strategy::Urgency),
            "holiday" => Some(Strategy::Holiday),
            _ => None,
        }
    }
    /// The multiplier when the strategy applies.
    pub fn multiplier(self) -> Decimal {
        match self {
            Strategy::Occupancy => Decimal::new(120, 2),
            Strategy::Urgency => Decimal::new(115, 2),
            Strategy::Holiday => Decimal::new(125, 2),
        }
    }
}

/// The configured pricing: strategies and holidays.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PricingPolicy {
    /// [`Strategy::Occupancy`] is enabled (`occupancy` in `PRICING_STRATEGIES`).
    pub occupancy: bool,
    /// [`Strategy::Urgency`] is enabled (`urgency` in `PRICING_STRATEGIES`).
    pub urgency: bool,
    /// [`Strategy::Holiday`] is enabled (`holiday` in `PRICING_STRATEGIES`).
    pub holiday: bool,
    /// The `HOLIDAYS` dates the holiday strategy applies to.
    pub holidays: BTreeSet<NaiveDate>,
}

impl PricingPolicy {
    /// A policy with the given strategies and holidays.
    pub fn new(strategies: &[Strategy], holidays: impl IntoIterator<Item = NaiveDate>) -> Self {
        PricingPolicy {
            occupancy: strategies.contains(&Strategy::Occupancy),
            urgency: strategies.contains(&Strategy::Urgency),
            holiday: strategies.contains(&Strategy::Holiday),
            holidays: holidays.into_iter().collect(),
        }
    }

    /// Whether the occupancy strategy applies to a night: `5 × (book + reserved) ≥ 4 × total`.
    pub fn occupancy_applies(night: &InventoryNight) -> bool {
        5 * (i64::from(night.book_count) + i64::from(night.reserved_count)) >= 4 * i64::from(night.total_count)
    }

    /// One room's price for one night, rounded half-even to cents once: price × surge × the multiplier of each
    /// strategy that applies. Computed exactly in integers (cents × surge hundredths × 1xx per strategy, then one
    /// half-even division), the twin of the stores' SQL; a surge with more than two decimals takes the decimal
    /// path, with the same result.
    pub fn nightly(&self, night: &InventoryNight, today: NaiveDate) -> Money {
        let scale = night.surge_factor.scale();
        if scale > 2 || night.surge_factor.is_sign_negative() {
            return self.nightly_decimal(night, today);
        }
        let surge = night.surge_factor.mantissa() * 10i128.pow(2 - scale);
        let mut num = i128::from(night.price.minor()) * surge;
        let mut den: i128 = 100;
        let ahead = (night.date - today).num_days();
        for (on, pct) in [
            (self.occupancy && Self::occupancy_applies(night), 120),
            (self.urgency && (0..7).contains(&ahead), 115),
            (self.holiday && self.holidays.contains(&night.date), 125),
        ] {
            if on {
                num *= pct;
                den *= 100;
            }
        }
        let (q, r) = (num.div_euclid(den), num.rem_euclid(den));
        let q = if 2 * r > den || (2 * r == den && q % 2 == 1) { q + 1 } else { q };
        i64::try_from(q).map(Money::from_minor).unwrap_or(Money::ZERO)
    }

    /// [`nightly`](Self::nightly) in decimal arithmetic (the reference, and the path for unusual surges).
    fn nightly_decimal(&self, night: &InventoryNight, today: NaiveDate) -> Money {
        let mut p = night.price.to_decimal() * night.surge_factor;
        if self.occupancy && Self::occupancy_applies(night) {
            p *= Strategy::Occupancy.multiplier();
        }
        let ahead = (night.date - today).num_days();
        if self.urgency && (0..7).contains(&ahead) {
            p *= Strategy::Urgency.multiplier();
        }
        if self.holiday && self.holidays.contains(&night.date) {
            p *= Strategy::Holiday.multiplier();
        }
        // Inputs are bounded (price ≤ 1e6, surge ≤ 10, multipliers ≤ 1.725), so this cannot overflow.
        Money::round_half_even(p).unwrap_or(Money::ZERO)
    }

    /// Σ nightly one-room prices of the nights.
    pub fn one_room_total(&self, nights: &[InventoryNight], today: NaiveDate) -> Money {
        Money::from_minor(nights.iter().map(|n| self.nightly(n, today).minor()).sum())
    }

    /// The amount of a booking: Σ nightly prices × rooms.
    pub fn quote(&self, nights: &[InventoryNight], rooms: i32, today: NaiveDate) -> Money {
        Money::from_minor(self.one_room_total(nights, today).minor() * i64::from(rooms))
    }

    /// Average one-room nightly price, rounded half-even to cents (the search `min_price`).
    pub fn average(&self, nights: &[InventoryNight], today: NaiveDate) -> Money {
        self.average_with(nights, today, &PriceRule::BASE)
    }

    /// Average one-room nightly price on a rate plan, rounded half-even to cents (a search hit's `min_price` is
    /// the lowest over the bookable plans of its qualifying room types).
    pub fn average_with(&self, nights: &[InventoryNight], today: NaiveDate, rule: &PriceRule) -> Money {
        if nights.is_empty() {
            return Money::ZERO;
        }
        let total: i64 = nights.iter().map(|n| rule.apply(self.nightly(n, today)).minor()).sum();
        let avg = Money::from_minor(total).to_decimal() / Decimal::from(nights.len() as i64);
        Money::round_half_even(avg).unwrap_or(Money::ZERO)
    }
}

/// Whether `nights` (ordered by date) cover every night of `stay`, each open with `available ≥ rooms`.
pub fn stay_is_available(nights: &[InventoryNight], stay: &StayDates, rooms: i32) -> bool {
    nights.len() as i64 == stay.nights()
        && nights.iter().zip(stay.each_night()).all(|(n, d)| n.date == d && n.can_hold(rooms))
}

#[cfg(test)]
mod tests {
    use super::Strategy;
    use super::*;
    use proptest::prelude::*;
    use std::str::FromStr;

    fn night(date: NaiveDate, price: i64, surge: &str, book: i32, reserved: i32, total: i32) -> InventoryNight {
        InventoryNight {
            id: 1,
            hotel_id: crate::model::HotelId(1),
            room_id: crate::model::RoomId(1),
            date,
            book_count: book,
            reserved_count: reserved,
            total_count: total,
            surge_factor: Decimal::from_str(surge).unwrap(),
            price: Money::from_minor(price),
            closed: false,
            restrictions: Default::default(),
        }
    }
    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn surge_applies_and_rounds_half_even_per_night() {
        let p = PricingPolicy::default();
        // 100.10 × 1.25 = 125.125 → 125.12 (half-even)
        assert_eq!(p.nightly(&night(d("2026-03-01"), 10010, "1.25", 0, 0, 5), d("2026-01-01")).minor(), 12512);
        // 100.30 × 1.25 = 125.375 → 125.38
        assert_eq!(p.nightly(&night(d("2026-03-01"), 10030, "1.25", 0, 0, 5), d("2026-01-01")).minor(), 12538);
    }

    #[test]
    fn strategies_multiply() {
        let today = d("2026-03-01");
        let p = PricingPolicy::new(&[Strategy::Occupancy, Strategy::Urgency, Strategy::Holiday], [d("2026-03-02")]);
        // 100 × 1.2 × 1.15 × 1.25 = 172.50
        assert_eq!(p.nightly(&night(d("2026-03-02"), 10000, "1.00", 4, 0, 5), today).minor(), 17250);
        // occupancy below 80 %, 7 days away, not a holiday: base only
        assert_eq!(p.nightly(&night(d("2026-03-08"), 10000, "1.00", 3, 0, 5), today).minor(), 10000);
        // disabled strategies never apply
        let none = PricingPolicy::default();
        assert_eq!(none.nightly(&night(d("2026-03-02"), 10000, "1.00", 5, 0, 5), today).minor(), 10000);
    }

    #[test]
    fn availability_requires_every_open_night() {
        let stay = StayDates::from_stored(d("2026-03-01"), d("2026-03-03"));
        let a = night(d("2026-03-01"), 100, "1.00", 0, 0, 1);
        let b = night(d("2026-03-02"), 100, "1.00", 0, 0, 1);
        assert!(stay_is_available(&[a.clone(), b.clone()], &stay, 1));
        assert!(!stay_is_available(std::slice::from_ref(&a), &stay, 1));
        assert!(!stay_is_available(&[a.clone(), b.clone()], &stay, 2));
        let mut closed = b.clone();
        closed.closed = true;
        assert!(!stay_is_available(&[a, closed], &stay, 1));
    }

    proptest! {
        #[test]
        fn amounts_are_additive_and_never_negative(
            prices in proptest::collection::vec((1i64..=100_000_000, 10u32..=1000, 0i32..=10, 0i32..=10), 1..31),
            rooms in 1i32..=10,
            occ in any::<bool>(), urg in any::<bool>(),
        ) {
            let today = d("2026-01-01");
            let mut strategies = vec![];
            if occ { strategies.push(Strategy::Occupancy) }
            if urg { strategies.push(Strategy::Urgency) }
            let p = PricingPolicy::new(&strategies, []);
            let nights: Vec<_> = prices.iter().enumerate().map(|(i, (pr, s, b, r))| {
                night(today + chrono::Duration::days(i as i64), *pr, &Decimal::new(i64::from(*s), 2).to_string(), *b, *r, b + r + 1)
            }).collect();
            let total = p.quote(&nights, rooms, today);
            let sum: i64 = nights.iter().map(|n| p.nightly(n, today).minor() * i64::from(rooms)).sum();
            prop_assert_eq!(total.minor(), sum);
            prop_assert!(total.minor() >= 0);
            let (left, right) = nights.split_at(nights.len() / 2);
            prop_assert_eq!(p.quote(left, rooms, today).minor() + p.quote(right, rooms, today).minor(), total.minor());
            let avg = p.average(&nights, today).minor();
            let min = nights.iter().map(|n| p.nightly(n, today).minor()).min().unwrap();
            let max = nights.iter().map(|n| p.nightly(n, today).minor()).max().unwrap();
            prop_assert!(avg >= min && avg <= max);
            // The default rate plan reproduces today's price exactly; a discount plan never costs more.
            let on = |rule: &crate::model::PriceRule| -> i64 {
                nights.iter().map(|n| rule.apply(p.nightly(n, today)).minor()).sum::<i64>() * i64::from(rooms)
            };
            prop_assert_eq!(on(&crate::model::PriceRule::BASE), total.minor());
            prop_assert!(on(&crate::model::PriceRule::Percent(Decimal::new(-10, 0))) <= total.minor());
            // The integer path is the decimal reference, night by night.
            for n in &nights {
                prop_assert_eq!(p.nightly(n, today), p.nightly_decimal(n, today));
            }
        }

        #[test]
        fn integer_and_decimal_nightly_prices_agree(
            price in 1i64..=100_000_000, surge in 10i64..=1000, ahead in -2i64..=10,
            occ in any::<bool>(), urg in any::<bool>(), hol in any::<bool>(), full in any::<bool>(),
        ) {
            let today = d("2026-01-01");
            let date = today + chrono::Duration::days(ahead);
            let mut strategies = vec![];
            if occ { strategies.push(Strategy::Occupancy) }
            if urg { strategies.push(Strategy::Urgency) }
            if hol { strategies.push(Strategy::Holiday) }
            let p = PricingPolicy::new(&strategies, [date]);
            let n = night(date, price, &Decimal::new(surge, 2).to_string(), if full { 5 } else { 0 }, 0, 5);
            prop_assert_eq!(p.nightly(&n, today), p.nightly_decimal(&n, today));
            let odd = InventoryNight { surge_factor: Decimal::new(surge * 10 + 5, 3), ..n };
            prop_assert_eq!(p.nightly(&odd, today), p.nightly_decimal(&odd, today));
        }
    }
}
