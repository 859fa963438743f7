//! Money in integer minor units (cents) and decimal rates.

use rust_decimal::{Decimal, RoundingStrategy};

/// An amount in minor units of the configured 2-digit currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money(i64);

impl Money {
    /// Zero.
    pub const ZERO: Money = Money(0);
    /// From minor units (cents).
    pub const fn from_minor(minor: i64) -> Self {
        Money(minor)
    }
    /// Minor units (cents).
    pub const fn minor(self) -> i64 {
        self.0
    }
    /// Exact decimal value with scale 2.
    pub fn to_decimal(self) -> Decimal {
        Decimal::new(self.0, 2)
    }
    /// From a decimal with at most 2 fraction digits; `None` if it has more or overflows.
    pub fn from_decimal_exact(d: Decimal) -> Option<Money> {
        let scaled = d.checked_mul(Decimal::from(100))?;
        if scaled.fract() != Decimal::ZERO {
            return None;
        }
        i64::try_from(scaled.trunc()).ok().map(Money)
    }
    /// Rounds a decimal half-even to cents.
    pub fn round_half_even(d: Decimal) -> Option<Money> {
        let r = d.round_dp_with_strategy(2, RoundingStrategy::MidpointNearestEven);
        Money::from_decimal_exact(r)
    }
    /// Checked sum.
    pub fn checked_add(self, o: Money) -> Option<Money> {
        self.0.checked_add(o.0).map(Money)
    }
    /// Checked product with a count.
    pub fn checked_mul(self, n: i64) -> Option<Money> {
        self.0.checked_mul(n).map(Money)
    }
    /// `"123.45"`.
    pub fn to_string_2dp(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let a = self.0.unsigned_abs();
        format!("{sign}{}.{:02}", a / 100, a % 100)
    }
}

impl std::fmt::Display for Money {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_string_2dp())
    }
}

/// Smallest payable booking amount (1.00).
pub const MIN_PAYABLE: Money = Money(100);
/// Largest payable booking amount (999999.99).
pub const MAX_PAYABLE: Money = Money(99_999_999);
/// Largest room or night price (1000000.00).
pub const MAX_PRICE: Money = Money(100_000_000);

/// An ISO 4217 currency code with 2 minor digits, stored upper-case.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Currency(String);

/// ISO 4217 currencies with 2 minor digits that the payment provider also charges with 2 (Stripe's zero-decimal
/// MGA and its special cases HUF, ISK and TWD are left out, as are the zero- and three-decimal currencies such
/// as JPY, KRW, KWD or BHD). Amounts are integer cents end to end, so only these are supported.
const TWO_DIGIT: &[&str] = &[
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN", "BMD", "BND",
    "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHF", "CNY", "COP", "CRC", "CUP", "CVE", "CZK",
    "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GTQ", "GYD",
    "HKD", "HNL", "HTG", "IDR", "ILS", "INR", "JMD", "KES", "KGS", "KHR", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD",
    "LSL", "MAD", "MDL", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MYR", "MZN", "NAD", "NGN",
    "NIO", "NOK", "NPR", "NZD", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "QAR", "RON", "RSD", "RUB", "SAR", "SBD",
    "SCR", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "STN", "SZL", "THB", "TJS", "TOP", "TRY", "TTD", "TZS", "UAH",
    "USD", "UYU", "UZS", "WST", "XCD", "YER", "ZAR", "ZMW",
];

impl Default for Currency {
    /// USD, the default of the deployment's `CURRENCY`.
    fn default() -> Self {
        Currency("USD".into())
    }
}

impl Currency {
    /// Parses a supported ISO 4217 code (any case) with 2 minor digits; unknown codes and currencies with
    /// other minor units (JPY, KWD, MGA, ...) give `None`.
    pub fn parse(s: &str) -> Option<Currency> {
        let up = s.trim().to_ascii_uppercase();
        TWO_DIGIT.binary_search(&up.as_str()).ok().map(|_| Currency(up))
    }
    /// Upper-case code, as shown to clients.
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// Lower-case code, as sent to the provider.
    ///
    /// ```
    /// # use domain::model::Currency;
    /// assert_eq!(Currency::parse("eur").map(|c| (c.to_string(), c.lower())), Some(("EUR".into(), "eur".into())));
    /// ```
    pub fn lower(&self) -> String {
        self.0.to_ascii_lowercase()
    }
}

impl std::fmt::Display for Currency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn only_two_digit_currencies_are_supported() {
        assert!(TWO_DIGIT.windows(2).all(|w| w[0] < w[1]), "sorted for binary search");
        for ok in ["usd", "EUR", " gbp ", "chf"] {
            assert!(Currency::parse(ok).is_some(), "{ok}");
        }
        for bad in ["JPY", "KWD", "MGA", "BHD", "KRW", "ISK", "XXX", "US", "USDX", "", "ABC"] {
            assert_eq!(Currency::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn formats_two_decimals() {
        assert_eq!(Money::from_minor(10050).to_string(), "100.50");
        assert_eq!(Money::from_minor(5).to_string(), "0.05");
        assert_eq!(Money::ZERO.to_string(), "0.00");
    }

    #[test]
    fn rounds_half_even() {
        let m = |s: &str| Money::round_half_even(Decimal::from_str(s).unwrap()).unwrap().minor();
        assert_eq!(m("1.005"), 100);
        assert_eq!(m("1.015"), 102);
        assert_eq!(m("1.0151"), 102);
        assert_eq!(m("2.125"), 212);
    }

    #[test]
    fn exact_rejects_third_decimal() {
        assert!(Money::from_decimal_exact(Decimal::from_str("1.001").unwrap()).is_none());
        assert_eq!(Money::from_decimal_exact(Decimal::from_str("1.10").unwrap()), Some(Money(110)));
    }

    #[test]
    fn currency_rules() {
        assert_eq!(Currency::parse("usd").unwrap().as_str(), "USD");
        assert!(Currency::parse("JPY").is_none());
        assert!(Currency::parse("US").is_none());
    }
}
