//! Office calendars, Italian national holidays and bookable slots.
//!
//! Slots tile each opening interval in Europe/Rome wall-clock time. On the spring-forward
//! day a wall-clock start that does not exist (02:00–02:59) yields no slot; on the
//! fall-back day a start that occurs twice (02:00–02:59) yields one slot, at its first
//! occurrence. Every slot lasts exactly its length in real time, and slots never overlap.

use std::fmt;

use chrono::{
    DateTime, Datelike, Days, Duration, FixedOffset, LocalResult, NaiveDate, NaiveTime, TimeZone,
    Utc, Weekday,
};
use chrono_tz::Tz;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::time::{format_rfc3339, parse_rfc3339, rome_date, ROME};

/// Minimum notice between "now" and the start of a bookable slot.
pub const NOTICE: Duration = Duration::hours(24);

/// How many days after today (Europe/Rome) slots may be booked.
pub const HORIZON_DAYS: i64 = 60;

/// An opening interval, start included, end excluded, in wall-clock time.
pub type Interval = (NaiveTime, NaiveTime);

/// Why a text is not an opening interval.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// Not `HH:MM-HH:MM` with start before end.
    #[error("orario non valido: atteso il formato 08:30-12:30 con inizio prima della fine")]
    InvalidInterval,
}

/// Opening hours for each day of the week; a day with no interval is closed.
///
/// On the wire each day is a list of `"HH:MM-HH:MM"` strings:
/// `{"monday":["08:30-12:30","14:00-16:00"],"tuesday":[],...}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct OpeningHours {
    /// Lunedì.
    #[serde(default, with = "intervals_serde")]
    pub monday: Vec<Interval>,
    /// Martedì.
    #[serde(default, with = "intervals_serde")]
    pub tuesday: Vec<Interval>,
    /// Mercoledì.
    #[serde(default, with = "intervals_serde")]
    pub wednesday: Vec<Interval>,
    /// Giovedì.
    #[serde(default, with = "intervals_serde")]
    pub thursday: Vec<Interval>,
    /// Venerdì.
    #[serde(default, with = "intervals_serde")]
    pub friday: Vec<Interval>,
    /// Sabato.
    #[serde(default, with = "intervals_serde")]
    pub saturday: Vec<Interval>,
    /// Domenica.
    #[serde(default, with = "intervals_serde")]
    pub sunday: Vec<Interval>,
}

impl OpeningHours {
    /// Closed every day.
    pub fn closed() -> Self {
        Self::default()
    }

    /// The same intervals Monday to Friday, closed at the weekend.
    pub fn weekdays(intervals: &[Interval]) -> Self {
        let mut hours = Self::default();
        for day in [
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
        ] {
            hours.set(day, intervals.to_vec());
        }
        hours
    }

    /// These hours with `day` set to `intervals`.
    pub fn with(mut self, day: Weekday, intervals: Vec<Interval>) -> Self {
        self.set(day, intervals);
        self
    }

    /// Sets the intervals of one weekday.
    pub fn set(&mut self, day: Weekday, intervals: Vec<Interval>) {
        *self.day_mut(day) = intervals;
    }

    /// The intervals of one weekday.
    pub fn for_weekday(&self, day: Weekday) -> &[Interval] {
        match day {
            Weekday::Mon => &self.monday,
            Weekday::Tue => &self.tuesday,
            Weekday::Wed => &self.wednesday,
            Weekday::Thu => &self.thursday,
            Weekday::Fri => &self.friday,
            Weekday::Sat => &self.saturday,
            Weekday::Sun => &self.sunday,
        }
    }

    fn day_mut(&mut self, day: Weekday) -> &mut Vec<Interval> {
        match day {
            Weekday::Mon => &mut self.monday,
            Weekday::Tue => &mut self.tuesday,
            Weekday::Wed => &mut self.wednesday,
            Weekday::Thu => &mut self.thursday,
            Weekday::Fri => &mut self.friday,
            Weekday::Sat => &mut self.saturday,
            Weekday::Sun => &mut self.sunday,
        }
    }

    /// Parses a comma-separated list of intervals: `"08:30-12:30, 14:00-16:00"`
    /// (an empty text is a closed day).
    pub fn parse_intervals(text: &str) -> Result<Vec<Interval>, CalendarError> {
        text.split(',')
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .map(parse_interval)
            .collect()
    }
}

/// Parses `HH:MM-HH:MM` with start before end.
pub fn parse_interval(text: &str) -> Result<Interval, CalendarError> {
    let (start, end) = text
        .trim()
        .split_once('-')
        .ok_or(CalendarError::InvalidInterval)?;
    let time = |s: &str| {
        NaiveTime::parse_from_str(s.trim(), "%H:%M").map_err(|_| CalendarError::InvalidInterval)
    };
    let (start, end) = (time(start)?, time(end)?);
    if start >= end {
        return Err(CalendarError::InvalidInterval);
    }
    Ok((start, end))
}

/// Formats an interval as `HH:MM-HH:MM`.
pub fn format_interval((start, end): Interval) -> String {
    format!("{}-{}", start.format("%H:%M"), end.format("%H:%M"))
}

mod intervals_serde {
    use super::*;

    pub fn serialize<S: Serializer>(v: &[Interval], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(v.iter().map(|&i| format_interval(i)))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Interval>, D::Error> {
        let texts = Vec::<String>::deserialize(d)?;
        texts
            .iter()
            .map(|t| parse_interval(t).map_err(serde::de::Error::custom))
            .collect()
    }
}

/// The calendar of one office (struttura territoriale).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct OfficeCalendar {
    /// Weekly opening hours.
    pub opening_hours: OpeningHours,
    /// Extra days the office is closed.
    #[serde(default)]
    pub closures: Vec<NaiveDate>,
    /// The local patron saint's day as (month, day), e.g. `(12, 7)` for Sant'Ambrogio in Milan.
    #[serde(default)]
    pub patron_day: Option<(u32, u32)>,
}

/// Why an office is closed on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClosedReason {
    /// A national holiday, with its Italian name.
    NationalHoliday(&'static str),
    /// The local patron saint's day.
    PatronDay,
    /// A closure listed by the office.
    Closure,
    /// No opening hours on that weekday.
    NoOpeningHours,
}

impl fmt::Display for ClosedReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClosedReason::NationalHoliday(name) => write!(f, "festività nazionale ({name})"),
            ClosedReason::PatronDay => f.write_str("festa del santo patrono"),
            ClosedReason::Closure => f.write_str("chiusura straordinaria della sede"),
            ClosedReason::NoOpeningHours => f.write_str("sede chiusa in questo giorno"),
        }
    }
}

impl OfficeCalendar {
    /// Why the office is closed on `date`, or `None` when it opens.
    pub fn closed_reason(&self, date: NaiveDate) -> Option<ClosedReason> {
        if let Some(name) = national_holiday_name(date) {
            Some(ClosedReason::NationalHoliday(name))
        } else if self.patron_day == Some((date.month(), date.day())) {
            Some(ClosedReason::PatronDay)
        } else if self.closures.contains(&date) {
            Some(ClosedReason::Closure)
        } else if self.opening_hours.for_weekday(date.weekday()).is_empty() {
            Some(ClosedReason::NoOpeningHours)
        } else {
            None
        }
    }

    /// Whether the office opens on `date`.
    pub fn is_open(&self, date: NaiveDate) -> bool {
        self.closed_reason(date).is_none()
    }
}

/// Easter Sunday of a Gregorian year (anonymous Gregorian algorithm, Meeus/Jones/Butcher).
pub fn easter_sunday(year: i32) -> NaiveDate {
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, month as u32, day as u32)
        .expect("the Easter algorithm yields a date in March or April")
}

/// The Italian national holidays of a year, sorted, with their Italian names:
/// Capodanno, Epifania, Pasqua, Lunedì dell'Angelo, Liberazione, Festa del Lavoro,
/// Festa della Repubblica, Ferragosto, San Francesco (4 October, from 2026), Ognissanti,
/// Immacolata, Natale, Santo Stefano.
pub fn national_holidays(year: i32) -> Vec<(NaiveDate, &'static str)> {
    let fixed = |month: u32, day: u32| {
        NaiveDate::from_ymd_opt(year, month, day).expect("fixed holidays exist every year")
    };
    let easter = easter_sunday(year);
    let mut days = vec![
        (fixed(1, 1), "Capodanno"),
        (fixed(1, 6), "Epifania"),
        (easter, "Pasqua"),
        (easter + Days::new(1), "Lunedì dell'Angelo"),
        (fixed(4, 25), "Festa della Liberazione"),
        (fixed(5, 1), "Festa del Lavoro"),
        (fixed(6, 2), "Festa della Repubblica"),
        (fixed(8, 15), "Ferragosto"),
        (fixed(11, 1), "Ognissanti"),
        (fixed(12, 8), "Immacolata Concezione"),
        (fixed(12, 25), "Natale"),
        (fixed(12, 26), "Santo Stefano"),
    ];
    if year >= 2026 {
        days.push((fixed(10, 4), "San Francesco d'Assisi"));
    }
    days.sort();
    days
}

/// Whether `date` is an Italian national holiday.
pub fn is_national_holiday(date: NaiveDate) -> bool {
    national_holiday_name(date).is_some()
}

/// The Italian name of the national holiday on `date`, if any.
pub fn national_holiday_name(date: NaiveDate) -> Option<&'static str> {
    national_holidays(date.year())
        .into_iter()
        .find(|&(d, _)| d == date)
        .map(|(_, name)| name)
}

/// A bookable time slot, in Europe/Rome.
///
/// On the wire: `{"start":"2026-12-03T09:30:00+01:00","end":"2026-12-03T10:00:00+01:00"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Slot {
    /// First instant of the slot.
    pub start: DateTime<Tz>,
    /// End of the slot (exclusive): start plus the slot length.
    pub end: DateTime<Tz>,
}

impl Slot {
    /// The start as RFC 3339 in Europe/Rome, whole seconds: the `slot_start` of a booking.
    pub fn start_rfc3339(&self) -> String {
        format_rfc3339(self.start)
    }

    /// The end as RFC 3339 in Europe/Rome, whole seconds.
    pub fn end_rfc3339(&self) -> String {
        format_rfc3339(self.end)
    }

    /// The Europe/Rome date of the start.
    pub fn date(&self) -> NaiveDate {
        self.start.date_naive()
    }
}

impl Serialize for Slot {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("Slot", 2)?;
        s.serialize_field("start", &self.start_rfc3339())?;
        s.serialize_field("end", &self.end_rfc3339())?;
        s.end()
    }
}

impl<'de> Deserialize<'de> for Slot {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Wire {
            start: String,
            end: String,
        }
        let wire = Wire::deserialize(deserializer)?;
        let parse = |s: &str| {
            parse_rfc3339(s)
                .map(|t| t.with_timezone(&ROME))
                .map_err(serde::de::Error::custom)
        };
        let (start, end) = (parse(&wire.start)?, parse(&wire.end)?);
        if end <= start {
            return Err(serde::de::Error::custom("la fine precede l'inizio"));
        }
        Ok(Slot { start, end })
    }
}

/// Tiles wall-clock intervals of one date with slots of `slot_minutes`, ignoring closures.
///
/// Each interval is cut from its start in wall-clock steps; every slot lasts exactly
/// `slot_minutes` of real time and must end by the interval's closing time. A start that does
/// not exist in Europe/Rome (spring forward) is skipped and one that occurs twice (fall back)
/// is taken once, at its first occurrence. Slots never overlap: when two would (intervals
/// that overlap, or a slot that runs across the spring-forward jump), the earlier is kept.
/// Sorted; empty when `slot_minutes` is zero.
pub fn tile_day(date: NaiveDate, intervals: &[Interval], slot_minutes: u32) -> Vec<Slot> {
    if slot_minutes == 0 {
        return Vec::new();
    }
    let length = Duration::minutes(i64::from(slot_minutes));
    let mut candidates = Vec::new();
    for &(open, close) in intervals {
        let closing = closing_instant(date, close);
        let mut t = open;
        loop {
            let (end, wrapped) = t.overflowing_add_signed(length);
            if wrapped != 0 || end > close {
                break;
            }
            let start = match ROME.from_local_datetime(&date.and_time(t)) {
                LocalResult::Single(s) => Some(s),
                LocalResult::Ambiguous(first, second) => Some(first.min(second)),
                LocalResult::None => None,
            };
            if let Some(start) = start.filter(|s| *s + length <= closing) {
                candidates.push(Slot {
                    start,
                    end: start + length,
                });
            }
            t = end;
        }
    }
    candidates.sort();
    let mut out: Vec<Slot> = Vec::with_capacity(candidates.len());
    for slot in candidates {
        if out.last().is_none_or(|kept| slot.start >= kept.end) {
            out.push(slot);
        }
    }
    out
}

/// The instant an interval closes: a repeated wall-clock time means its later occurrence,
/// a non-existent one the earliest instant it could mean.
fn closing_instant(date: NaiveDate, close: NaiveTime) -> DateTime<Tz> {
    let naive = date.and_time(close);
    match ROME.from_local_datetime(&naive) {
        LocalResult::Single(t) => t,
        LocalResult::Ambiguous(first, second) => first.max(second),
        LocalResult::None => {
            let hour = Duration::hours(1);
            ROME.from_local_datetime(&(naive + hour))
                .earliest()
                .map(|t| t - hour)
                .unwrap_or_else(|| ROME.from_utc_datetime(&(naive - Duration::hours(2))))
        }
    }
}

/// The slots of one date, before notice and horizon: the office's opening intervals for
/// that weekday tiled with [`tile_day`]. Empty when the office is closed that day.
pub fn day_slots(cal: &OfficeCalendar, slot_minutes: u32, date: NaiveDate) -> Vec<Slot> {
    if !cal.is_open(date) {
        return Vec::new();
    }
    tile_day(
        date,
        cal.opening_hours.for_weekday(date.weekday()),
        slot_minutes,
    )
}

/// The bookable slots from `from` to `to` (inclusive, Europe/Rome dates).
///
/// Closed days (national holidays, the patron day, listed closures, weekdays without hours)
/// have none; a slot is left out when it starts less than [`NOTICE`] after `now` or on a
/// date more than [`HORIZON_DAYS`] after today. Sorted, without duplicates. A zero
/// `slot_minutes` gives no slot.
pub fn slots(
    cal: &OfficeCalendar,
    slot_minutes: u32,
    from: NaiveDate,
    to: NaiveDate,
    now: DateTime<Utc>,
) -> Vec<Slot> {
    let today = rome_date(now);
    let first = from.max(today);
    let horizon = today
        .checked_add_days(Days::new(HORIZON_DAYS as u64))
        .unwrap_or(NaiveDate::MAX);
    let last = to.min(horizon);
    let Some(earliest) = now.checked_add_signed(NOTICE) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for date in first.iter_days().take_while(|d| *d <= last) {
        out.extend(
            day_slots(cal, slot_minutes, date)
                .into_iter()
                .filter(|s| s.start >= earliest),
        );
    }
    out.sort();
    out.dedup();
    out
}

/// Whether `start` is exactly the start of one of the bookable slots (same instant).
pub fn is_bookable_start(
    cal: &OfficeCalendar,
    slot_minutes: u32,
    start: DateTime<FixedOffset>,
    now: DateTime<Utc>,
) -> bool {
    let date = start.with_timezone(&ROME).date_naive();
    slots(cal, slot_minutes, date, date, now)
        .iter()
        .any(|s| s.start == start)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        crate::time::parse_date(s).unwrap()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn hm(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    fn every_day(intervals: &[Interval]) -> OfficeCalendar {
        let mut hours = OpeningHours::weekdays(intervals);
        hours.set(Weekday::Sat, intervals.to_vec());
        hours.set(Weekday::Sun, intervals.to_vec());
        OfficeCalendar {
            opening_hours: hours,
            ..OfficeCalendar::default()
        }
    }

    fn starts(slots: &[Slot]) -> Vec<String> {
        slots.iter().map(Slot::start_rfc3339).collect()
    }

    #[test]
    fn easter_falls_on_the_known_dates() {
        let cases = [
            (2000, "2000-04-23"),
            (2019, "2019-04-21"),
            (2024, "2024-03-31"),
            (2025, "2025-04-20"),
            (2026, "2026-04-05"),
            (2027, "2027-03-28"),
            (2028, "2028-04-16"),
            (2038, "2038-04-25"),
            (2285, "2285-03-22"),
        ];
        for (year, expected) in cases {
            assert_eq!(easter_sunday(year), date(expected), "{year}");
        }
    }

    #[test]
    fn national_holidays_include_easter_monday_and_san_francesco_from_2026() {
        let cases = [
            ("2026-01-01", true),
            ("2026-01-06", true),
            ("2026-04-05", true),
            ("2026-04-06", true),
            ("2026-04-07", false),
            ("2026-04-25", true),
            ("2026-05-01", true),
            ("2026-06-02", true),
            ("2026-08-15", true),
            ("2026-10-04", true),
            ("2025-10-04", false),
            ("2027-10-04", true),
            ("2026-11-01", true),
            ("2026-11-02", false),
            ("2026-12-08", true),
            ("2026-12-24", false),
            ("2026-12-25", true),
            ("2026-12-26", true),
            ("2025-04-21", true),
            ("2027-03-29", true),
        ];
        for (day, expected) in cases {
            assert_eq!(is_national_holiday(date(day)), expected, "{day}");
        }
        assert_eq!(national_holidays(2025).len(), 12);
        assert_eq!(national_holidays(2026).len(), 13);
        let h2026 = national_holidays(2026);
        assert!(h2026.windows(2).all(|w| w[0].0 < w[1].0), "sorted");
        assert_eq!(
            national_holiday_name(date("2026-10-04")),
            Some("San Francesco d'Assisi")
        );
    }

    #[test]
    fn closed_days_have_a_reason() {
        let cal = OfficeCalendar {
            opening_hours: OpeningHours::weekdays(&[(hm(8, 30), hm(12, 30))]),
            closures: vec![date("2026-12-14")],
            patron_day: Some((12, 7)),
        };
        let cases = [
            ("2026-12-07", Some(ClosedReason::PatronDay)),
            (
                "2026-12-08",
                Some(ClosedReason::NationalHoliday("Immacolata Concezione")),
            ),
            ("2026-12-09", None),
            ("2026-12-12", Some(ClosedReason::NoOpeningHours)),
            ("2026-12-14", Some(ClosedReason::Closure)),
        ];
        for (day, expected) in cases {
            assert_eq!(cal.closed_reason(date(day)), expected, "{day}");
        }
        assert_eq!(
            ClosedReason::PatronDay.to_string(),
            "festa del santo patrono"
        );
    }

    #[test]
    fn slots_tile_each_interval_and_skip_closed_days() {
        let cal = OfficeCalendar {
            opening_hours: OpeningHours::weekdays(&[
                (hm(8, 30), hm(10, 0)),
                (hm(14, 0), hm(15, 0)),
            ]),
            closures: vec![date("2026-12-10")],
            patron_day: Some((12, 11)),
        };
        let now = utc("2026-11-26T10:00:00Z");
        let got = slots(&cal, 30, date("2026-12-07"), date("2026-12-13"), now);
        // Mon 7, Wed 9 open; Tue 8 Immacolata, Thu 10 closure, Fri 11 patron, weekend closed.
        assert_eq!(
            starts(&got),
            [
                "2026-12-07T08:30:00+01:00",
                "2026-12-07T09:00:00+01:00",
                "2026-12-07T09:30:00+01:00",
                "2026-12-07T14:00:00+01:00",
                "2026-12-07T14:30:00+01:00",
                "2026-12-09T08:30:00+01:00",
                "2026-12-09T09:00:00+01:00",
                "2026-12-09T09:30:00+01:00",
                "2026-12-09T14:00:00+01:00",
                "2026-12-09T14:30:00+01:00",
            ]
        );
        assert_eq!(got[0].end_rfc3339(), "2026-12-07T09:00:00+01:00");
        // A slot that would overrun the interval is not offered.
        let long = slots(&cal, 40, date("2026-12-07"), date("2026-12-07"), now);
        assert_eq!(
            starts(&long),
            [
                "2026-12-07T08:30:00+01:00",
                "2026-12-07T09:10:00+01:00",
                "2026-12-07T14:00:00+01:00"
            ]
        );
        assert!(slots(&cal, 0, date("2026-12-07"), date("2026-12-07"), now).is_empty());
    }

    #[test]
    fn slots_respect_notice_and_horizon() {
        let cal = every_day(&[(hm(9, 0), hm(11, 0))]);
        let now = utc("2026-11-26T09:30:00+01:00");
        let got = slots(&cal, 60, date("2026-11-20"), date("2027-12-31"), now);
        // Today nothing; tomorrow only from 09:30 on, so 10:00; the last date is today + 60.
        assert_eq!(
            got.first().unwrap().start_rfc3339(),
            "2026-11-27T10:00:00+01:00"
        );
        assert_eq!(got.last().unwrap().date(), date("2027-01-25"));
        assert!(got.iter().all(|s| s.start >= now + NOTICE));
        assert!(got.iter().all(|s| !is_national_holiday(s.date())));
        let exactly_notice = utc("2026-11-26T10:00:00+01:00");
        let next = slots(
            &cal,
            60,
            date("2026-11-27"),
            date("2026-11-27"),
            exactly_notice,
        );
        assert_eq!(starts(&next), ["2026-11-27T10:00:00+01:00"]);
    }

    #[test]
    fn dst_days_have_no_missing_time_and_no_doubled_slot() {
        let night = every_day(&[(hm(1, 0), hm(4, 0))]);
        let office = every_day(&[(hm(8, 30), hm(12, 30))]);
        let cases = [
            // (calendar, day, expected starts)
            (
                &night,
                "2026-03-29",
                vec!["01:00+01:00", "01:30+01:00", "03:00+02:00", "03:30+02:00"],
            ),
            (
                &night,
                "2026-10-25",
                vec![
                    "01:00+02:00",
                    "01:30+02:00",
                    "02:00+02:00",
                    "02:30+02:00",
                    "03:00+01:00",
                    "03:30+01:00",
                ],
            ),
            (&night, "2027-03-28", vec![]), // Easter Sunday 2027
            (
                &night,
                "2026-03-28",
                vec![
                    "01:00+01:00",
                    "01:30+01:00",
                    "02:00+01:00",
                    "02:30+01:00",
                    "03:00+01:00",
                    "03:30+01:00",
                ],
            ),
        ];
        for (cal, day, expected) in cases {
            let got: Vec<String> = day_slots(cal, 30, date(day))
                .iter()
                .map(|s| s.start.format("%H:%M%:z").to_string())
                .collect();
            assert_eq!(got, expected, "{day}");
        }
        // 08:30-12:30 is untouched by the clock change: 8 half-hour slots each day.
        for day in ["2026-03-29", "2026-10-25", "2027-03-29"] {
            let d = date(day);
            let now = utc(&format!("{}T00:00:00Z", d - Days::new(2)));
            let got = slots(&office, 30, d, d, now);
            let expected = if is_national_holiday(d) { 0 } else { 8 };
            assert_eq!(got.len(), expected, "{day}");
        }
    }

    #[test]
    fn on_the_fall_back_day_every_slot_lasts_its_length_and_none_overlap() {
        let night = every_day(&[(hm(0, 0), hm(6, 0))]);
        for day in ["2026-10-25", "2026-03-29", "2027-03-28", "2027-10-31"] {
            let got = day_slots(&night, 30, date(day));
            for pair in got.windows(2) {
                assert!(pair[0].end <= pair[1].start, "{day}: {:?}", pair);
            }
            for s in &got {
                assert_eq!(s.end - s.start, Duration::minutes(30));
            }
        }
    }

    #[test]
    fn a_bookable_start_is_exactly_a_slot_start() {
        let cal = every_day(&[(hm(8, 30), hm(12, 30))]);
        let now = utc("2026-11-26T10:00:00Z");
        let cases = [
            ("2026-12-03T09:30:00+01:00", true),
            ("2026-12-03T08:30:00Z", true),
            ("2026-12-03T09:45:00+01:00", false),
            ("2026-12-03T12:30:00+01:00", false),
            ("2026-12-08T09:30:00+01:00", false),
            ("2026-11-27T09:30:00+01:00", false),
            ("2027-02-01T09:30:00+01:00", false),
        ];
        for (start, expected) in cases {
            let start = parse_rfc3339(start).unwrap();
            assert_eq!(is_bookable_start(&cal, 30, start, now), expected, "{start}");
        }
    }

    #[test]
    fn opening_hours_use_hh_mm_ranges_on_the_wire() {
        let hours = OpeningHours::closed()
            .with(
                Weekday::Mon,
                OpeningHours::parse_intervals("08:30-12:30, 14:00-16:00").unwrap(),
            )
            .with(Weekday::Fri, vec![(hm(8, 30), hm(12, 30))]);
        let json = serde_json::to_value(&hours).unwrap();
        assert_eq!(
            json["monday"],
            serde_json::json!(["08:30-12:30", "14:00-16:00"])
        );
        assert_eq!(json["tuesday"], serde_json::json!([]));
        let back: OpeningHours = serde_json::from_value(json).unwrap();
        assert_eq!(back, hours);
        let partial: OpeningHours = serde_json::from_str(r#"{"friday":["08:30-12:30"]}"#).unwrap();
        assert_eq!(partial.for_weekday(Weekday::Fri), [(hm(8, 30), hm(12, 30))]);
        assert!(partial.for_weekday(Weekday::Mon).is_empty());
        for bad in ["12:30-08:30", "8-12", "08:30", "08:30-08:30"] {
            assert_eq!(
                parse_interval(bad),
                Err(CalendarError::InvalidInterval),
                "{bad}"
            );
        }
        assert!(serde_json::from_str::<OpeningHours>(r#"{"monday":["x"]}"#).is_err());
    }

    #[test]
    fn slots_serialise_as_rfc3339_in_rome() {
        let cal = every_day(&[(hm(9, 0), hm(9, 30))]);
        let got = slots(
            &cal,
            30,
            date("2026-12-03"),
            date("2026-12-03"),
            utc("2026-11-26T10:00:00Z"),
        );
        let json = serde_json::to_string(&got[0]).unwrap();
        assert_eq!(
            json,
            r#"{"start":"2026-12-03T09:00:00+01:00","end":"2026-12-03T09:30:00+01:00"}"#
        );
        assert_eq!(serde_json::from_str::<Slot>(&json).unwrap(), got[0]);
        let calendar = OfficeCalendar {
            opening_hours: OpeningHours::weekdays(&[(hm(9, 0), hm(9, 30))]),
            closures: vec![date("2026-12-24")],
            patron_day: Some((6, 24)),
        };
        let json = serde_json::to_string(&calendar).unwrap();
        assert!(
            json.contains(r#""closures":["2026-12-24"],"patron_day":[6,24]"#),
            "{json}"
        );
        assert_eq!(
            serde_json::from_str::<OfficeCalendar>(&json).unwrap(),
            calendar
        );
    }
}
