//! The JSON columns: a hotel's tax rules (`hotel.taxes`) and a booking's frozen charge lines (`booking.charges`).
//! Amounts and values are decimal strings, so nothing passes through a float.

use domain::model::{ChargeLine, Money, TaxKind, TaxRule};
use domain::{Error, Result};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct Line {
    name: String,
    kind: String,
    value: String,
    included: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    amount: Option<String>,
}

fn parse(s: &str) -> Result<Vec<Line>> {
    serde_json::from_str(s).map_err(|e| Error::internal(format!("stored taxes: {e}")))
}

fn decimal(s: &str) -> Result<Decimal> {
    s.parse().map_err(|_| Error::internal(format!("stored tax value {s:?}")))
}

fn kind(s: &str) -> Result<TaxKind> {
    TaxKind::parse(s).ok_or_else(|| Error::internal(format!("stored tax kind {s:?}")))
}

fn encode(lines: Vec<Line>) -> String {
    serde_json::to_string(&lines).unwrap_or_else(|_| "[]".into())
}

/// `hotel.taxes`.
pub(crate) fn encode_taxes(rules: &[TaxRule]) -> String {
    encode(
        rules
            .iter()
            .map(|r| Line {
                name: r.name.clone(),
                kind: r.kind.as_str().into(),
                value: r.value.normalize().to_string(),
                included: r.included,
                amount: None,
            })
            .collect(),
    )
}

/// Reads `hotel.taxes`.
pub(crate) fn decode_taxes(s: &str) -> Result<Vec<TaxRule>> {
    parse(s)?
        .into_iter()
        .map(|l| Ok(TaxRule { kind: kind(&l.kind)?, value: decimal(&l.value)?, included: l.included, name: l.name }))
        .collect()
}

/// `booking.charges`.
pub(crate) fn encode_charges(lines: &[ChargeLine]) -> String {
    encode(
        lines
            .iter()
            .map(|l| Line {
                name: l.name.clone(),
                kind: l.kind.as_str().into(),
                value: l.value.normalize().to_string(),
                included: l.included,
                amount: Some(l.amount.to_string()),
            })
            .collect(),
    )
}

/// Reads `booking.charges`.
pub(crate) fn decode_charges(s: &str) -> Result<Vec<ChargeLine>> {
    parse(s)?
        .into_iter()
        .map(|l| {
            let amount = decimal(l.amount.as_deref().unwrap_or("0"))?;
            Ok(ChargeLine {
                kind: kind(&l.kind)?,
                value: decimal(&l.value)?,
                included: l.included,
                amount: Money::from_decimal_exact(amount)
                    .ok_or_else(|| Error::internal(format!("stored charge amount {amount}")))?,
                name: l.name,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn taxes_and_charges_round_trip() {
        let rules = vec![
            TaxRule {
                name: "VAT \"reduced\"".into(),
                kind: TaxKind::Percent,
                value: Decimal::new(125, 1),
                included: true,
            },
            TaxRule {
                name: "City tax".into(),
                kind: TaxKind::PerPersonPerNight,
                value: Decimal::new(250, 2),
                included: false,
            },
        ];
        assert_eq!(decode_taxes(&encode_taxes(&rules)).unwrap(), rules);
        let lines = vec![ChargeLine {
            name: "City tax".into(),
            kind: TaxKind::PerStay,
            value: Decimal::new(5, 0),
            included: false,
            amount: Money::from_minor(500),
        }];
        assert_eq!(decode_charges(&encode_charges(&lines)).unwrap(), lines);
        assert!(decode_taxes("[{\"name\":\"x\",\"kind\":\"BOGUS\",\"value\":\"1\",\"included\":false}]").is_err());
    }
}
