//! Europe/Rome wall-clock helpers and the contract's timestamp format.
//!
//! Timestamps on the wire are RFC 3339 with an offset and whole seconds
//! (`2026-12-03T09:30:00+01:00`), always expressed in Europe/Rome; dates are `YYYY-MM-DD`.

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

/// The time zone of every wall-clock time in the project.
pub const ROME: Tz = chrono_tz::Europe::Rome;

/// Why a text is not a timestamp or a date of the contract.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    /// Not RFC 3339 with an offset.
    #[error("data e ora non valide: atteso il formato 2026-12-03T09:30:00+01:00")]
    InvalidTimestamp,
    /// Not `YYYY-MM-DD`.
    #[error("data non valida: atteso il formato AAAA-MM-GG")]
    InvalidDate,
}

/// Converts any instant to Europe/Rome.
pub fn to_rome<Z: TimeZone>(dt: DateTime<Z>) -> DateTime<Tz> {
    dt.with_timezone(&ROME)
}

/// Formats an instant as RFC 3339 in Europe/Rome with whole seconds
/// (sub-second digits are dropped): `2026-12-03T09:30:00+01:00`.
pub fn format_rfc3339<Z: TimeZone>(dt: DateTime<Z>) -> String {
    to_rome(dt).format("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

/// Parses an RFC 3339 timestamp; the offset (or `Z`) is mandatory.
pub fn parse_rfc3339(s: &str) -> Result<DateTime<FixedOffset>, TimeError> {
    DateTime::parse_from_rfc3339(s.trim()).map_err(|_| TimeError::InvalidTimestamp)
}

/// The Europe/Rome calendar date of an instant.
pub fn rome_date(instant: DateTime<Utc>) -> NaiveDate {
    instant.with_timezone(&ROME).date_naive()
}

/// Parses a `YYYY-MM-DD` date.
pub fn parse_date(s: &str) -> Result<NaiveDate, TimeError> {
    let s = s.trim();
    if s.len() != 10 {
        return Err(TimeError::InvalidDate);
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| TimeError::InvalidDate)
}

/// Formats a date as `YYYY-MM-DD`.
pub fn format_date(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn instants_are_formatted_in_rome_with_whole_seconds() {
        let cases = [
            ("2026-12-03T08:30:00Z", "2026-12-03T09:30:00+01:00"),
            ("2026-07-01T08:30:00.987Z", "2026-07-01T10:30:00+02:00"),
            ("2026-03-29T00:59:59Z", "2026-03-29T01:59:59+01:00"),
            ("2026-03-29T01:00:00Z", "2026-03-29T03:00:00+02:00"),
            ("2026-10-25T00:30:00Z", "2026-10-25T02:30:00+02:00"),
            ("2026-10-25T01:30:00Z", "2026-10-25T02:30:00+01:00"),
        ];
        for (input, expected) in cases {
            assert_eq!(format_rfc3339(utc(input)), expected, "{input}");
        }
    }

    #[test]
    fn formatting_accepts_any_time_zone() {
        let fixed = DateTime::parse_from_rfc3339("2026-12-03T12:30:00+04:00").unwrap();
        assert_eq!(format_rfc3339(fixed), "2026-12-03T09:30:00+01:00");
        assert_eq!(format_rfc3339(to_rome(fixed)), "2026-12-03T09:30:00+01:00");
    }

    #[test]
    fn timestamps_need_an_offset() {
        let cases = [
            ("2026-12-03T09:30:00+01:00", true),
            ("2026-12-03T08:30:00Z", true),
            (" 2026-12-03T09:30:00.5+01:00 ", true),
            ("2026-12-03T09:30:00", false),
            ("2026-12-03 09:30", false),
            ("", false),
        ];
        for (input, ok) in cases {
            assert_eq!(parse_rfc3339(input).is_ok(), ok, "{input:?}");
        }
        assert_eq!(
            parse_rfc3339("x").unwrap_err().to_string(),
            "data e ora non valide: atteso il formato 2026-12-03T09:30:00+01:00"
        );
    }

    #[test]
    fn the_rome_date_changes_at_rome_midnight() {
        let cases = [
            ("2026-12-02T22:59:59Z", "2026-12-02"),
            ("2026-12-02T23:00:00Z", "2026-12-03"),
            ("2026-07-01T21:59:59Z", "2026-07-01"),
            ("2026-07-01T22:00:00Z", "2026-07-02"),
        ];
        for (input, expected) in cases {
            assert_eq!(format_date(rome_date(utc(input))), expected, "{input}");
        }
    }

    #[test]
    fn dates_are_year_month_day() {
        let cases = [
            ("2026-12-03", Some((2026, 12, 3))),
            ("2026-02-29", None),
            ("2026-1-3", None),
            ("03/12/2026", None),
            ("", None),
        ];
        for (input, expected) in cases {
            let want = expected.map(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d).unwrap());
            assert_eq!(parse_date(input).ok(), want, "{input:?}");
        }
    }
}
