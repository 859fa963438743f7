//! Taxes and fees of a hotel, and the price breakdown a booking freezes.

use super::Money;
use rust_decimal::Decimal;

/// Most tax and fee rules per hotel.
pub const MAX_TAX_RULES: usize = 20;

/// How a tax or fee is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TaxKind {
    /// `PERCENT`: a percentage of the room subtotal.
    Percent,
    /// `PER_ROOM_PER_NIGHT`: an amount per room and night.
    PerRoomPerNight,
    /// `PER_PERSON_PER_NIGHT`: an amount per adult and night.
    PerPersonPerNight,
    /// `PER_STAY`: an amount once per booking.
    PerStay,
}

impl TaxKind {
    /// Every kind.
    pub const ALL: [TaxKind; 4] =
        [TaxKind::Percent, TaxKind::PerRoomPerNight, TaxKind::PerPersonPerNight, TaxKind::PerStay];
    /// Wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            TaxKind::Percent => "PERCENT",
            TaxKind::PerRoomPerNight => "PER_ROOM_PER_NIGHT",
            TaxKind::PerPersonPerNight => "PER_PERSON_PER_NIGHT",
            TaxKind::PerStay => "PER_STAY",
        }
    }
    /// Parses the exact upper-case name.
    pub fn parse(s: &str) -> Option<TaxKind> {
        TaxKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One tax or fee rule of a hotel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaxRule {
    /// What the guest sees (1..=100 characters), e.g. "City tax".
    pub name: String,
    /// How it is computed.
    pub kind: TaxKind,
    /// A percentage (0 < v ≤ 100, at most 3 decimals) for [`TaxKind::Percent`], else an amount in the hotel's
    /// currency (0 < v ≤ 10000.00, at most 2 decimals).
    pub value: Decimal,
    /// Already inside the room price (shown, not added) rather than added on top.
    pub included: bool,
}

impl TaxRule {
    /// Whether the value is in range for the kind.
    pub fn is_valid(&self) -> bool {
        let len = self.name.chars().count();
        let value_ok = match self.kind {
            TaxKind::Percent => {
                self.value > Decimal::ZERO && self.value <= Decimal::from(100) && self.value.normalize().scale() <= 3
            }
            _ => {
                self.value > Decimal::ZERO
                    && self.value <= Decimal::from(10_000)
                    && Money::from_decimal_exact(self.value).is_some()
            }
        };
        (1..=100).contains(&len) && self.name.trim() == self.name && value_ok
    }
}

/// One tax or fee line of a price breakdown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChargeLine {
    /// The rule's name.
    pub name: String,
    /// The rule's kind.
    pub kind: TaxKind,
    /// The rule's value when the booking was priced.
    pub value: Decimal,
    /// Included in the room subtotal (shown only) rather than added to the total.
    pub included: bool,
    /// The line's amount, rounded half-even to cents.
    pub amount: Money,
}

/// What a stay costs and why: the room subtotal, each tax or fee, and the total charged.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PriceBreakdown {
    /// Σ nightly prices × rooms, after the rate plan (inclusive taxes are inside it).
    pub subtotal: Money,
    /// One line per rule of the hotel, in the hotel's order.
    pub lines: Vec<ChargeLine>,
    /// `subtotal` + Σ amounts of the lines not included: what is charged.
    pub total: Money,
}

impl PriceBreakdown {
    /// A breakdown without taxes or fees (bookings made before taxes existed).
    pub fn untaxed(subtotal: Money) -> Self {
        PriceBreakdown { subtotal, lines: Vec::new(), total: subtotal }
    }

    /// Prices a stay: `subtotal` for `rooms` rooms, `adults` adults and `nights` nights under `rules`.
    ///
    /// * percentage added on top: `subtotal × v / 100`;
    /// * percentages included: extracted from the subtotal net of the included fixed fees,
    ///   `net / (1 + Σ included % / 100) × v / 100`;
    /// * fixed fees: `v × rooms × nights`, `v × adults × nights`, or `v` once per stay.
    ///
    /// Each line is rounded half-even to cents on its own; the total is `subtotal` + the added lines.
    ///
    /// ```
    /// # use domain::model::*;
    /// # use rust_decimal::Decimal;
    /// let vat = TaxRule { name: "VAT".into(), kind: TaxKind::Percent, value: Decimal::new(10, 0), included: false };
    /// let city = TaxRule { name: "City tax".into(), kind: TaxKind::PerPersonPerNight, value: Decimal::new(2, 0), included: false };
    /// // two nights at 100.00 for one room and two adults
    /// let b = PriceBreakdown::compute(Money::from_minor(20_000), 2, 1, 2, &[vat, city]);
    /// assert_eq!(b.lines.iter().map(|l| l.amount.to_string()).collect::<Vec<_>>(), ["20.00", "8.00"]);
    /// assert_eq!(b.total.to_string(), "228.00");
    /// ```
    pub fn compute(subtotal: Money, nights: i64, rooms: i32, adults: i32, rules: &[TaxRule]) -> Self {
        let fixed = |r: &TaxRule| -> Decimal {
            let count = match r.kind {
                TaxKind::PerRoomPerNight => i64::from(rooms) * nights,
                TaxKind::PerPersonPerNight => i64::from(adults) * nights,
                TaxKind::PerStay => 1,
                TaxKind::Percent => 0,
            };
            r.value * Decimal::from(count)
        };
        let sub = subtotal.to_decimal();
        let included_fixed: Decimal =
            rules.iter().filter(|r| r.included && r.kind != TaxKind::Percent).map(fixed).sum();
        let included_pct: Decimal =
            rules.iter().filter(|r| r.included && r.kind == TaxKind::Percent).map(|r| r.value).sum();
        let net = (sub - included_fixed).max(Decimal::ZERO);
        let base_of_included = net / (Decimal::ONE + included_pct / Decimal::from(100));
        let lines: Vec<ChargeLine> = rules
            .iter()
            .map(|r| {
                let raw = match (r.kind, r.included) {
                    (TaxKind::Percent, false) => sub * r.value / Decimal::from(100),
                    (TaxKind::Percent, true) => base_of_included * r.value / Decimal::from(100),
                    _ => fixed(r),
                };
                ChargeLine {
                    name: r.name.clone(),
                    kind: r.kind,
                    value: r.value,
                    included: r.included,
                    // Bounded inputs (subtotal < 1e8, value ≤ 1e4 × 10 rooms × 365 nights) cannot overflow.
                    amount: Money::round_half_even(raw).unwrap_or(Money::ZERO),
                }
            })
            .collect();
        let added: i64 = lines.iter().filter(|l| !l.included).map(|l| l.amount.minor()).sum();
        PriceBreakdown { subtotal, total: Money::from_minor(subtotal.minor() + added), lines }
    }

    /// Σ every tax and fee line, included or added.
    pub fn taxes(&self) -> Money {
        Money::from_minor(self.lines.iter().map(|l| l.amount.minor()).sum())
    }

    /// The room revenue: the subtotal net of the included lines.
    pub fn room_revenue(&self) -> Money {
        let included: i64 = self.lines.iter().filter(|l| l.included).map(|l| l.amount.minor()).sum();
        Money::from_minor(self.subtotal.minor() - included)
    }
}
