//! Hotel local settings on the wire: the cancellation policy object.

use super::*;

/// `type` of a cancellation policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[schema(as = CancellationPolicyType, example = "FREE_CANCELLATION")]
pub enum PolicyTypeDto {
    /// Free cancellation until `free_cancellation_hours` before the local check-in time, then `penalty`.
    FreeCancellation,
    /// Nothing is refunded on cancel.
    NonRefundable,
}

/// What a cancellation after the free-cancellation deadline keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[schema(as = CancellationPenalty, example = "FIRST_NIGHTS")]
pub enum PenaltyDto {
    /// The first `penalty_nights` nights (at the booking's average nightly amount).
    FirstNights,
    /// `penalty_percent` percent of the amount, rounded half-even to cents.
    Percent,
    /// The whole amount.
    Full,
}

/// A cancellation policy. `FREE_CANCELLATION` needs `free_cancellation_hours` and `penalty` (plus
/// `penalty_nights` for `FIRST_NIGHTS`, `penalty_percent` for `PERCENT`); `NON_REFUNDABLE` takes nothing else.
/// In responses every key is present (`null` when it does not apply).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(as = CancellationPolicy, example = json!({"type": "FREE_CANCELLATION", "free_cancellation_hours": 48,
    "penalty": "FIRST_NIGHTS", "penalty_nights": 1, "penalty_percent": null}))]
pub struct CancellationPolicyDto {
    #[serde(rename = "type")]
    #[schema(rename = "type")]
    pub kind: PolicyTypeDto,
    /// Hours before the hotel's local check-in time when free cancellation ends (0..=8760).
    #[schema(minimum = 0, maximum = 8760, example = 48)]
    pub free_cancellation_hours: Option<u32>,
    pub penalty: Option<PenaltyDto>,
    /// 1..=365.
    #[schema(minimum = 1, maximum = 365)]
    pub penalty_nights: Option<u32>,
    /// 0..=100 with at most 2 decimals, as a decimal string.
    #[schema(value_type = Option<String>, pattern = r"^\d{1,3}(\.\d{1,2})?$", example = "50")]
    pub penalty_percent: Option<String>,
}

impl From<&CancellationPolicy> for CancellationPolicyDto {
    fn from(p: &CancellationPolicy) -> Self {
        match p {
            CancellationPolicy::NonRefundable => CancellationPolicyDto {
                kind: PolicyTypeDto::NonRefundable,
                free_cancellation_hours: None,
                penalty: None,
                penalty_nights: None,
                penalty_percent: None,
            },
            CancellationPolicy::Refundable { free_hours, penalty } => {
                let (kind, nights, percent) = match penalty {
                    Penalty::Full => (PenaltyDto::Full, None, None),
                    Penalty::FirstNights(n) => (PenaltyDto::FirstNights, Some(*n), None),
                    Penalty::Percent(p) => (PenaltyDto::Percent, None, Some(p.normalize().to_string())),
                };
                CancellationPolicyDto {
                    kind: PolicyTypeDto::FreeCancellation,
                    free_cancellation_hours: Some(*free_hours),
                    penalty: Some(kind),
                    penalty_nights: nights,
                    penalty_percent: percent,
                }
            }
        }
    }
}
