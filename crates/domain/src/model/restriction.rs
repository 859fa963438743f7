//! Stay restrictions per room type and night, set by revenue managers next to the stop-sell `closed` flag:
//! minimum and maximum stay (read on the arrival night), closed to arrival, closed to departure.

use super::{InventoryNight, StayDates};
use chrono::NaiveDate;

/// Longest `min_stay`/`max_stay` a night may carry (nights).
pub const MAX_RESTRICTION_NIGHTS: i32 = 365;

/// The restrictions of one night of one room type (none by default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Restrictions {
    /// Stays arriving this night must have at least this many nights (1..=365).
    pub min_stay: Option<i32>,
    /// Stays arriving this night may have at most this many nights (1..=365).
    pub max_stay: Option<i32>,
    /// No stay may arrive this night.
    pub closed_to_arrival: bool,
    /// No stay may depart this date (the night's date is the check-out date).
    pub closed_to_departure: bool,
}

/// Why a stay breaks a night's restrictions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Restriction {
    /// The arrival night needs at least this many nights (`min_stay_not_met`).
    MinStay {
        /// The arrival date.
        arrival: NaiveDate,
        /// Its `min_stay`.
        min: i32,
    },
    /// The arrival night allows at most this many nights (`max_stay_exceeded`).
    MaxStay {
        /// The arrival date.
        arrival: NaiveDate,
        /// Its `max_stay`.
        max: i32,
    },
    /// The arrival date is closed to arrival (`closed_to_arrival`).
    ClosedToArrival(NaiveDate),
    /// The check-out date is closed to departure (`closed_to_departure`).
    ClosedToDeparture(NaiveDate),
}

impl Restriction {
    /// The wire code: `min_stay_not_met`, `max_stay_exceeded`, `closed_to_arrival`, `closed_to_departure`.
    pub fn code(&self) -> &'static str {
        match self {
            Restriction::MinStay { .. } => "min_stay_not_met",
            Restriction::MaxStay { .. } => "max_stay_exceeded",
            Restriction::ClosedToArrival(_) => "closed_to_arrival",
            Restriction::ClosedToDeparture(_) => "closed_to_departure",
        }
    }
}

impl std::fmt::Display for Restriction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Restriction::MinStay { arrival, min } => {
                write!(f, "Stays arriving on {arrival} need at least {min} nights")
            }
            Restriction::MaxStay { arrival, max } => {
                write!(f, "Stays arriving on {arrival} allow at most {max} nights")
            }
            Restriction::ClosedToArrival(d) => write!(f, "Arrival is not possible on {d}"),
            Restriction::ClosedToDeparture(d) => write!(f, "Departure is not possible on {d}"),
        }
    }
}

/// The first restriction a stay breaks, checked in this order: closed to arrival, minimum stay, maximum stay
/// (all read on the arrival night), closed to departure (`departure_closed`: the `closed_to_departure` of the
/// row dated the check-out date, false when there is none). `nights` are the stay's rows by date; nights in
/// between never restrict.
///
/// ```
/// # use domain::model::*;
/// # fn demo(nights: &[InventoryNight], departure_closed: bool, stay: &StayDates) {
/// match stay_restriction(nights, departure_closed, stay) {
///     None => { /* the stay may be sold (availability is checked separately) */ }
///     Some(r) => { /* 409 with r.code() and r.to_string() */ }
/// }
/// # }
/// ```
pub fn stay_restriction(nights: &[InventoryNight], departure_closed: bool, stay: &StayDates) -> Option<Restriction> {
    let length = stay.nights();
    if let Some(arrival) = nights.first().filter(|n| n.date == stay.check_in()) {
        let r = arrival.restrictions;
        if r.closed_to_arrival {
            return Some(Restriction::ClosedToArrival(arrival.date));
        }
        if let Some(min) = r.min_stay.filter(|m| length < i64::from(*m)) {
            return Some(Restriction::MinStay { arrival: arrival.date, min });
        }
        if let Some(max) = r.max_stay.filter(|m| length > i64::from(*m)) {
            return Some(Restriction::MaxStay { arrival: arrival.date, max });
        }
    }
    departure_closed.then(|| Restriction::ClosedToDeparture(stay.check_out()))
}
