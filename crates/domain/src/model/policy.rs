//! Cancellation policies: free cancellation until a deadline before the local check-in time, then a penalty;
//! or non-refundable. A booking freezes the policy in force at init, with its deadline instant.

use super::{Money, TimeZone};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use rust_decimal::Decimal;

/// What a guest pays when cancelling a confirmed booking after the free-cancellation deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Penalty {
    /// The first `n` nights (at the booking's average nightly amount; all of it when `n ≥` nights).
    FirstNights(u32),
    /// A percentage of the amount (0..=100, at most two decimals), rounded half-even to cents.
    Percent(Decimal),
    /// The whole amount.
    Full,
}

/// A hotel's cancellation policy, frozen on each booking at init.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CancellationPolicy {
    /// Free cancellation until `free_hours` hours before the local check-in time, then `penalty`.
    Refundable {
        /// Hours before the local check-in time (0..=8760) when free cancellation ends.
        free_hours: u32,
        /// What a later cancellation keeps.
        penalty: Penalty,
    },
    /// Nothing is refunded on cancel (the cancel still releases the rooms).
    NonRefundable,
}

/// Most hours of free cancellation before check-in (one year).
pub const MAX_FREE_HOURS: u32 = 8760;

impl Default for CancellationPolicy {
    /// Today's rule of API.md: a confirmed booking cancelled before its check-in is refunded in full (the
    /// deadline is the local check-in time, and cancelling on or after the check-in date is refused anyway).
    fn default() -> Self {
        CancellationPolicy::Refundable { free_hours: 0, penalty: Penalty::Full }
    }
}

/// The money side of a cancel: what is kept and what is refunded (`penalty + refund = amount`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CancellationOutcome {
    /// Kept by the hotel (counts as revenue).
    pub penalty: Money,
    /// Refunded to the guest (zero: no refund is queued).
    pub refund: Money,
}

impl CancellationPolicy {
    /// The free-cancellation deadline of a stay checking in on `check_in` at the hotel's `check_in_time` in `tz`
    /// (`None` for a non-refundable policy: there is no free cancellation).
    pub fn deadline(&self, tz: TimeZone, check_in: NaiveDate, check_in_time: NaiveTime) -> Option<DateTime<Utc>> {
        match self {
            CancellationPolicy::Refundable { free_hours, .. } => {
                Some(tz.instant(check_in, check_in_time) - Duration::hours(i64::from(*free_hours)))
            }
            CancellationPolicy::NonRefundable => None,
        }
    }

    /// What a cancel at `now` of a paid `amount` for `nights` nights keeps and refunds, with `deadline` the
    /// frozen [`deadline`](Self::deadline). Before the deadline (strictly): everything is refunded. At or after
    /// it: the penalty is kept. Non-refundable: nothing is refunded.
    ///
    /// ```
    /// # use domain::model::*;
    /// # use chrono::{TimeZone as _, Utc};
    /// let policy = CancellationPolicy::Refundable { free_hours: 48, penalty: Penalty::FirstNights(1) };
    /// let deadline = Utc.with_ymd_and_hms(2027, 5, 8, 15, 0, 0).single();
    /// let amount = Money::from_minor(30_000); // 3 nights
    /// let early = policy.outcome(deadline, amount, 3, Utc.with_ymd_and_hms(2027, 5, 1, 0, 0, 0).unwrap());
    /// assert_eq!((early.penalty, early.refund), (Money::ZERO, amount));
    /// let late = policy.outcome(deadline, amount, 3, Utc.with_ymd_and_hms(2027, 5, 9, 0, 0, 0).unwrap());
    /// assert_eq!((late.penalty, late.refund), (Money::from_minor(10_000), Money::from_minor(20_000)));
    /// ```
    pub fn outcome(
        &self,
        deadline: Option<DateTime<Utc>>,
        amount: Money,
        nights: i32,
        now: DateTime<Utc>,
    ) -> CancellationOutcome {
        let amount = amount.max(Money::ZERO);
        let penalty = match (self, deadline) {
            (CancellationPolicy::NonRefundable, _) => amount,
            (CancellationPolicy::Refundable { .. }, Some(d)) if now < d => Money::ZERO,
            (CancellationPolicy::Refundable { penalty, .. }, _) => penalty.of(amount, nights),
        };
        let penalty = penalty.clamp(Money::ZERO, amount);
        CancellationOutcome { penalty, refund: Money::from_minor(amount.minor() - penalty.minor()) }
    }

    /// A compact storage spelling: `NON_REFUNDABLE`, `FREE:<hours>:FULL`, `FREE:<hours>:NIGHTS:<n>` or
    /// `FREE:<hours>:PERCENT:<p>`. [`parse`](Self::parse) reads it back.
    pub fn encode(&self) -> String {
        match self {
            CancellationPolicy::NonRefundable => "NON_REFUNDABLE".into(),
            CancellationPolicy::Refundable { free_hours, penalty } => match penalty {
                Penalty::Full => format!("FREE:{free_hours}:FULL"),
                Penalty::FirstNights(n) => format!("FREE:{free_hours}:NIGHTS:{n}"),
                Penalty::Percent(p) => format!("FREE:{free_hours}:PERCENT:{}", p.normalize()),
            },
        }
    }

    /// Reads [`encode`](Self::encode)'s spelling; `None` for anything else or out-of-range values.
    pub fn parse(s: &str) -> Option<CancellationPolicy> {
        if s == "NON_REFUNDABLE" {
            return Some(CancellationPolicy::NonRefundable);
        }
        let mut parts = s.split(':');
        if parts.next()? != "FREE" {
            return None;
        }
        let free_hours: u32 = parts.next()?.parse().ok()?;
        let penalty = match (parts.next()?, parts.next()) {
            ("FULL", None) => Penalty::Full,
            ("NIGHTS", Some(n)) => Penalty::FirstNights(n.parse().ok()?),
            ("PERCENT", Some(p)) => Penalty::Percent(p.parse().ok()?),
            _ => return None,
        };
        if parts.next().is_some() {
            return None;
        }
        let policy = CancellationPolicy::Refundable { free_hours, penalty };
        policy.is_valid().then_some(policy)
    }

    /// Whether the values are in range: `free_hours ≤` [`MAX_FREE_HOURS`], 1..=365 nights, 0..=100 percent
    /// with at most two decimals.
    pub fn is_valid(&self) -> bool {
        match self {
            CancellationPolicy::NonRefundable => true,
            CancellationPolicy::Refundable { free_hours, penalty } => {
                *free_hours <= MAX_FREE_HOURS
                    && match penalty {
                        Penalty::Full => true,
                        Penalty::FirstNights(n) => (1..=365).contains(n),
                        Penalty::Percent(p) => {
                            *p >= Decimal::ZERO && *p <= Decimal::ONE_HUNDRED && p.normalize().scale() <= 2
                        }
                    }
            }
        }
    }
}

impl Penalty {
    /// The penalty on `amount` for a stay of `nights` nights, rounded half-even to cents.
    pub fn of(&self, amount: Money, nights: i32) -> Money {
        let round = |d: Decimal| Money::round_half_even(d).unwrap_or(amount);
        match self {
            Penalty::Full => amount,
            Penalty::FirstNights(n) => {
                let nights = nights.max(1);
                let kept = i64::from(*n).min(i64::from(nights));
                round(amount.to_decimal() * Decimal::from(kept) / Decimal::from(nights))
            }
            Penalty::Percent(p) => round(amount.to_decimal() * *p / Decimal::ONE_HUNDRED),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;
    use proptest::prelude::*;

    fn at(h: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 6, 10, 15, 0, 0).unwrap() + Duration::hours(h)
    }
    const AMOUNT: Money = Money::from_minor(30_001);

    #[test]
    fn every_kind_at_just_before_and_after_its_deadline() {
        let deadline = Some(at(0));
        let second = Duration::seconds(1);
        let cases = [
            (CancellationPolicy::Refundable { free_hours: 24, penalty: Penalty::Full }, AMOUNT),
            (
                CancellationPolicy::Refundable { free_hours: 24, penalty: Penalty::FirstNights(1) },
                Money::from_minor(10_000),
            ),
            (CancellationPolicy::Refundable { free_hours: 24, penalty: Penalty::FirstNights(5) }, AMOUNT),
            (
                CancellationPolicy::Refundable { free_hours: 24, penalty: Penalty::Percent(Decimal::new(50, 0)) },
                Money::from_minor(15_000), // 150.005 → 150.00 (half-even)
            ),
        ];
        for (policy, late_penalty) in cases {
            let before = policy.outcome(deadline, AMOUNT, 3, at(0) - second);
            assert_eq!((before.penalty, before.refund), (Money::ZERO, AMOUNT), "{policy:?} just before");
            for now in [at(0), at(0) + second] {
                let after = policy.outcome(deadline, AMOUNT, 3, now);
                assert_eq!(after.penalty, late_penalty, "{policy:?} at {now}");
                assert_eq!(after.penalty.minor() + after.refund.minor(), AMOUNT.minor());
            }
        }
        let nr = CancellationPolicy::NonRefundable.outcome(None, AMOUNT, 3, at(-1000));
        assert_eq!((nr.penalty, nr.refund), (AMOUNT, Money::ZERO));
    }

    #[test]
    fn the_default_refunds_everything_before_the_local_check_in() {
        let tz = TimeZone::parse("Pacific/Kiritimati").unwrap();
        let check_in = NaiveDate::from_ymd_opt(2027, 6, 12).unwrap();
        let policy = CancellationPolicy::default();
        let deadline = policy.deadline(tz, check_in, super::super::default_check_in_time());
        // 15:00 at UTC+14 is 01:00 UTC the same date.
        assert_eq!(deadline, Some(Utc.with_ymd_and_hms(2027, 6, 12, 1, 0, 0).unwrap()));
        let o = policy.outcome(deadline, AMOUNT, 2, Utc.with_ymd_and_hms(2027, 6, 11, 9, 0, 0).unwrap());
        assert_eq!(o.refund, AMOUNT);
    }

    #[test]
    fn deadlines_across_a_dst_change_are_exact_instants() {
        let lisbon = TimeZone::parse("Europe/Lisbon").unwrap();
        let policy = CancellationPolicy::Refundable { free_hours: 24, penalty: Penalty::Full };
        let time = NaiveTime::from_hms_opt(15, 0, 0).unwrap();
        // Check-in on the day after spring-forward: 15:00 WEST (UTC+1) minus 24 h of real time.
        let d = policy.deadline(lisbon, NaiveDate::from_ymd_opt(2027, 3, 29).unwrap(), time);
        assert_eq!(d, Some(Utc.with_ymd_and_hms(2027, 3, 28, 14, 0, 0).unwrap()));
        // Check-in on the day after fall-back: 15:00 WET (UTC+0).
        let d = policy.deadline(lisbon, NaiveDate::from_ymd_opt(2027, 11, 1).unwrap(), time);
        assert_eq!(d, Some(Utc.with_ymd_and_hms(2027, 10, 31, 15, 0, 0).unwrap()));
        assert_eq!(CancellationPolicy::NonRefundable.deadline(lisbon, NaiveDate::MIN, time), None);
    }

    #[test]
    fn spellings_round_trip_and_bad_ones_are_refused() {
        for p in [
            CancellationPolicy::NonRefundable,
            CancellationPolicy::default(),
            CancellationPolicy::Refundable { free_hours: 48, penalty: Penalty::FirstNights(2) },
            CancellationPolicy::Refundable { free_hours: 1, penalty: Penalty::Percent(Decimal::new(1250, 2)) },
        ] {
            assert_eq!(CancellationPolicy::parse(&p.encode()), Some(p), "{}", p.encode());
        }
        for bad in [
            "",
            "FREE",
            "FREE:x:FULL",
            "FREE:1:NIGHTS:0",
            "FREE:1:PERCENT:101",
            "FREE:1:PERCENT:1.234",
            "FREE:8761:FULL",
            "FREE:1:FULL:2",
        ] {
            assert_eq!(CancellationPolicy::parse(bad), None, "{bad}");
        }
    }

    fn policy() -> impl Strategy<Value = CancellationPolicy> {
        prop_oneof![
            Just(CancellationPolicy::NonRefundable),
            (
                0u32..=200,
                prop_oneof![
                    Just(Penalty::Full),
                    (1u32..=10).prop_map(Penalty::FirstNights),
                    (0i64..=10_000).prop_map(|p| Penalty::Percent(Decimal::new(p, 2))),
                ]
            )
                .prop_map(|(free_hours, penalty)| CancellationPolicy::Refundable { free_hours, penalty }),
        ]
    }

    proptest! {
        /// The refund is never negative, never above the amount, and never grows as time passes.
        #[test]
        fn refunds_are_bounded_and_monotone_in_time(
            p in policy(),
            amount in 0i64..=99_999_999,
            nights in 1i32..=30,
            t1 in -500i64..500,
            dt in 0i64..500,
        ) {
            let deadline = p.deadline(TimeZone::UTC, NaiveDate::from_ymd_opt(2027, 6, 10).unwrap(), NaiveTime::from_hms_opt(15, 0, 0).unwrap());
            let amount = Money::from_minor(amount);
            let a = p.outcome(deadline, amount, nights, at(t1));
            let b = p.outcome(deadline, amount, nights, at(t1 + dt));
            prop_assert!(a.refund >= Money::ZERO && a.refund <= amount);
            prop_assert_eq!(a.penalty.minor() + a.refund.minor(), amount.minor());
            prop_assert!(b.refund <= a.refund, "later {:?} > earlier {:?}", b, a);
        }
    }
}
