//! A hotel's local time: its IANA time zone, and the check-in and check-out times of its days.
//!
//! Every date rule of a hotel (a check-in date in the past, cancelling before check-in, urgency pricing, the
//! inventory window, report months) uses the hotel's local date, not the UTC date: a hotel in Pacific/Kiritimati
//! (UTC+14) and one in Pacific/Pago_Pago (UTC−11) are on different dates for most of the same UTC day.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, Offset as _, TimeZone as _, Utc};
use std::fmt;

/// A validated IANA time zone (the compiled-in tz database of `chrono-tz`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeZone(chrono_tz::Tz);

impl TimeZone {
    /// `UTC`, the default of hotels created without a zone.
    pub const UTC: TimeZone = TimeZone(chrono_tz::Tz::UTC);

    /// Parses an IANA name with its exact spelling (`Europe/Lisbon`, `UTC`); `None` for an unknown zone.
    ///
    /// ```
    /// # use domain::model::TimeZone;
    /// assert_eq!(TimeZone::parse("Europe/Lisbon").map(|z| z.name()), Some("Europe/Lisbon"));
    /// assert_eq!(TimeZone::parse("Mars/Olympus"), None);
    /// assert_eq!(TimeZone::parse("europe/lisbon"), None, "names are case-sensitive");
    /// ```
    pub fn parse(name: &str) -> Option<TimeZone> {
        name.parse::<chrono_tz::Tz>().ok().filter(|tz| tz.name() == name).map(TimeZone)
    }

    /// The IANA name.
    pub fn name(self) -> &'static str {
        self.0.name()
    }

    /// The local date at `now`.
    pub fn today(self, now: DateTime<Utc>) -> NaiveDate {
        now.with_timezone(&self.0).date_naive()
    }

    /// The instant of the local wall-clock time `date time`. Across a DST change: an ambiguous time (the hour
    /// repeated in autumn) is its first occurrence; a time that does not exist (the hour skipped in spring) is
    /// the first instant after the gap, the same distance past it as the time was past the gap's start.
    pub fn instant(self, date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
        let local = NaiveDateTime::new(date, time);
        if let Some(t) = self.0.from_local_datetime(&local).earliest() {
            return t.with_timezone(&Utc);
        }
        // In a gap: read the wall time with the offset in force just before the gap (gaps are at most a few
        // hours, so 24 h earlier is before it).
        let before = self.0.from_local_datetime(&(local - Duration::hours(24))).earliest();
        match before {
            Some(b) => {
                let offset = b.offset().fix();
                (local - Duration::seconds(i64::from(offset.local_minus_utc()))).and_utc()
            }
            None => local.and_utc(),
        }
    }
}

impl Default for TimeZone {
    fn default() -> Self {
        TimeZone::UTC
    }
}

impl fmt::Display for TimeZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The default check-in time of a hotel (15:00 local).
pub fn default_check_in_time() -> NaiveTime {
    NaiveTime::from_hms_opt(15, 0, 0).unwrap_or(NaiveTime::MIN)
}

/// The default check-out time of a hotel (11:00 local).
pub fn default_check_out_time() -> NaiveTime {
    NaiveTime::from_hms_opt(11, 0, 0).unwrap_or(NaiveTime::MIN)
}

/// Parses a wall-clock time `HH:MM` (00:00..=23:59).
///
/// ```
/// # use domain::model::parse_clock_time;
/// assert_eq!(parse_clock_time("09:30").map(|t| t.to_string()), Some("09:30:00".to_string()));
/// assert_eq!(parse_clock_time("24:00"), None);
/// assert_eq!(parse_clock_time("9:30"), None);
/// ```
pub fn parse_clock_time(s: &str) -> Option<NaiveTime> {
    let (h, m) = s.split_once(':')?;
    if h.len() != 2 || m.len() != 2 || !h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    NaiveTime::from_hms_opt(h.parse().ok()?, m.parse().ok()?, 0)
}

/// `HH:MM` of a wall-clock time.
pub fn format_clock_time(t: NaiveTime) -> String {
    t.format("%H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).single().unwrap()
    }
    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }
    fn time(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn the_same_instant_is_two_dates_apart_across_the_date_line() {
        let kiritimati = TimeZone::parse("Pacific/Kiritimati").unwrap(); // UTC+14
        let pago_pago = TimeZone::parse("Pacific/Pago_Pago").unwrap(); // UTC−11
        let now = utc(2027, 3, 10, 12, 0);
        assert_eq!(kiritimati.today(now), date(2027, 3, 11));
        assert_eq!(pago_pago.today(now), date(2027, 3, 10));
        assert_eq!(TimeZone::UTC.today(now), date(2027, 3, 10));
        let late = utc(2027, 3, 10, 23, 30);
        assert_eq!((kiritimati.today(late), pago_pago.today(late)), (date(2027, 3, 11), date(2027, 3, 10)));
        let early = utc(2027, 3, 10, 9, 0);
        assert_eq!((kiritimati.today(early), pago_pago.today(early)), (date(2027, 3, 10), date(2027, 3, 9)));
    }

    #[test]
    fn local_instants_follow_dst() {
        let lisbon = TimeZone::parse("Europe/Lisbon").unwrap();
        // Winter (UTC+0) and summer (UTC+1).
        assert_eq!(lisbon.instant(date(2027, 1, 15), time(15, 0)), utc(2027, 1, 15, 15, 0));
        assert_eq!(lisbon.instant(date(2027, 7, 15), time(15, 0)), utc(2027, 7, 15, 14, 0));
        // Spring forward on 2027-03-28: 01:00 → 02:00 local does not exist; 01:30 lands 30 min after the gap.
        assert_eq!(lisbon.instant(date(2027, 3, 28), time(1, 30)), utc(2027, 3, 28, 1, 30));
        assert_eq!(lisbon.instant(date(2027, 3, 28), time(0, 30)), utc(2027, 3, 28, 0, 30));
        assert_eq!(lisbon.instant(date(2027, 3, 28), time(2, 30)), utc(2027, 3, 28, 1, 30));
        // Fall back on 2027-10-31: 01:30 local happens twice; the first (UTC+1) counts.
        assert_eq!(lisbon.instant(date(2027, 10, 31), time(1, 30)), utc(2027, 10, 31, 0, 30));
        let ny = TimeZone::parse("America/New_York").unwrap();
        // 2027-03-14 02:30 does not exist in New York (02:00 → 03:00): read with EST, i.e. 03:30 EDT.
        assert_eq!(ny.instant(date(2027, 3, 14), time(2, 30)), utc(2027, 3, 14, 7, 30));
    }

    #[test]
    fn names_are_exact_iana_names() {
        for name in ["UTC", "Europe/Lisbon", "America/Argentina/Buenos_Aires", "Pacific/Kiritimati"] {
            assert_eq!(TimeZone::parse(name).map(TimeZone::name), Some(name));
        }
        for bad in ["", "utc", "Lisbon", "Europe/Lisbon ", "+01:00", "GMT+25"] {
            assert_eq!(TimeZone::parse(bad), None, "{bad:?}");
        }
    }
}
