//! Slot calendar: DST days, holidays, and properties of every generated slot list.

use agenda_core::calendar::{
    easter_sunday, is_bookable_start, is_national_holiday, national_holidays, slots, tile_day,
    Interval, OfficeCalendar, OpeningHours, HORIZON_DAYS, NOTICE,
};
use agenda_core::time::{rome_date, ROME};
use chrono::{DateTime, Datelike, Days, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use proptest::prelude::*;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn hm(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap()
}

fn all_week(intervals: &[Interval]) -> OfficeCalendar {
    let hours = OpeningHours::weekdays(intervals)
        .with(Weekday::Sat, intervals.to_vec())
        .with(Weekday::Sun, intervals.to_vec());
    OfficeCalendar {
        opening_hours: hours,
        ..OfficeCalendar::default()
    }
}

/// Noon UTC two days before `day`, so notice and horizon let the whole day through.
fn two_days_before(day: NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&(day - Days::new(2)).and_time(hm(12, 0)))
}

#[test]
fn dst_days_give_the_right_number_of_slots_and_none_doubled() {
    let night = [(hm(1, 0), hm(4, 0))];
    let office = [(hm(8, 30), hm(12, 30))];
    let overlapping = [(hm(8, 0), hm(10, 0)), (hm(9, 15), hm(11, 0))];
    let gap_close = [(hm(1, 0), hm(2, 30))];
    // (day, intervals, slot minutes, expected count)
    let cases: [(NaiveDate, &[Interval], u32, usize); 13] = [
        // 02:00-02:59 does not exist.
        (date(2026, 3, 29), &night, 30, 4),
        // 02:00-02:59 happens twice, offered once.
        (date(2026, 10, 25), &night, 30, 6),
        (date(2027, 3, 28), &night, 30, 4),
        // 01:00 and 03:00.
        (date(2026, 3, 29), &night, 60, 2),
        // 01:00, 02:00 (first), 03:00.
        (date(2026, 10, 25), &night, 60, 3),
        // 01:00, 01:45 (ends 03:30 CEST); 03:15 would overlap it.
        (date(2026, 3, 29), &night, 45, 2),
        // 01:00, 01:45, 02:30 (first), 03:15.
        (date(2026, 10, 25), &night, 45, 4),
        // Closing inside the gap: only 01:00-01:30 ends in time.
        (date(2026, 3, 29), &gap_close, 30, 1),
        // Office hours are untouched by the clock change.
        (date(2026, 3, 29), &office, 30, 8),
        (date(2026, 10, 25), &office, 30, 8),
        (date(2027, 3, 28), &office, 30, 8),
        // An ordinary night.
        (date(2026, 3, 28), &night, 30, 6),
        // Overlapping intervals: 08:00, 08:30, 09:00, 09:30, then 10:15.
        (date(2026, 3, 30), &overlapping, 30, 5),
    ];
    for (day, intervals, minutes, expected) in cases {
        let got = tile_day(day, intervals, minutes);
        assert_eq!(got.len(), expected, "{day} {intervals:?} {minutes}");
        let mut starts: Vec<_> = got.iter().map(|s| s.start).collect();
        starts.dedup();
        assert_eq!(starts.len(), got.len(), "{day}: a start is doubled");
        let mut wall: Vec<_> = got.iter().map(|s| s.start.naive_local()).collect();
        wall.dedup();
        assert_eq!(wall.len(), got.len(), "{day}: a wall-clock time is doubled");
        for pair in got.windows(2) {
            assert!(pair[0].end <= pair[1].start, "{day}: overlap {pair:?}");
        }
        for s in &got {
            assert_eq!(s.end - s.start, Duration::minutes(i64::from(minutes)));
            assert_eq!(s.start.date_naive(), day);
        }
    }
}

#[test]
fn dst_days_through_the_public_slot_list() {
    let cal = all_week(&[(hm(1, 0), hm(4, 0)), (hm(8, 30), hm(12, 30))]);
    // 2027-03-28 is Easter Sunday: closed whatever the hours.
    let cases = [
        (date(2026, 3, 29), 12),
        (date(2026, 10, 25), 14),
        (date(2027, 3, 28), 0),
        (date(2027, 10, 31), 14),
    ];
    for (day, expected) in cases {
        let got = slots(&cal, 30, day, day, two_days_before(day));
        assert_eq!(got.len(), expected, "{day}");
        let wall: Vec<String> = got.iter().map(|s| s.start_rfc3339()).collect();
        let mut unique = wall.clone();
        unique.dedup();
        assert_eq!(unique, wall);
    }
    let spring = slots(
        &cal,
        30,
        date(2026, 3, 29),
        date(2026, 3, 29),
        two_days_before(date(2026, 3, 29)),
    );
    assert!(spring
        .iter()
        .all(|s| s.start.format("%H").to_string() != "02"));
}

#[test]
fn easter_and_the_new_san_francesco_holiday() {
    let easters = [
        (2024, date(2024, 3, 31)),
        (2025, date(2025, 4, 20)),
        (2026, date(2026, 4, 5)),
        (2027, date(2027, 3, 28)),
    ];
    for (year, expected) in easters {
        assert_eq!(easter_sunday(year), expected);
        assert!(is_national_holiday(expected));
        assert!(
            is_national_holiday(expected + Days::new(1)),
            "Easter Monday {year}"
        );
    }
    assert!(is_national_holiday(date(2026, 10, 4)));
    assert!(!is_national_holiday(date(2025, 10, 4)));
    for year in 1990..2100 {
        let easter = easter_sunday(year);
        assert_eq!(easter.weekday(), Weekday::Sun, "{year}");
        assert!(
            easter >= date(year, 3, 22) && easter <= date(year, 4, 25),
            "{year}"
        );
        assert_eq!(
            national_holidays(year).len(),
            if year >= 2026 { 13 } else { 12 }
        );
    }
}

fn interval() -> impl Strategy<Value = Interval> {
    (0u32..24 * 12, 1u32..10 * 12).prop_map(|(start, len)| {
        let start_min = start * 5;
        let end_min = (start_min + len * 5).min(24 * 60 - 1);
        let t = |m: u32| NaiveTime::from_hms_opt(m / 60, m % 60, 0).unwrap();
        (t(start_min), t(end_min.max(start_min + 1).min(24 * 60 - 1)))
    })
}

fn calendar() -> impl Strategy<Value = OfficeCalendar> {
    (
        proptest::collection::vec(proptest::collection::vec(interval(), 0..3), 7),
        proptest::collection::vec(0u64..120, 0..5),
        proptest::option::of((1u32..=12, 1u32..=28)),
    )
        .prop_map(|(days, closures, patron_day)| {
            let weekdays = [
                Weekday::Mon,
                Weekday::Tue,
                Weekday::Wed,
                Weekday::Thu,
                Weekday::Fri,
                Weekday::Sat,
                Weekday::Sun,
            ];
            let mut hours = OpeningHours::closed();
            for (day, intervals) in weekdays.into_iter().zip(days) {
                hours.set(day, intervals);
            }
            OfficeCalendar {
                opening_hours: hours,
                closures: closures
                    .into_iter()
                    .map(|d| date(2026, 10, 1) + Days::new(d))
                    .collect(),
                patron_day,
            }
        })
}

fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    // 2026-09-01 .. 2027-12-31, minute resolution, across both DST changes.
    let first = Utc.with_ymd_and_hms(2026, 9, 1, 0, 0, 0).unwrap();
    (0i64..(487 * 24 * 60)).prop_map(move |m| first + Duration::minutes(m))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn every_slot_list_respects_notice_horizon_closures_and_order(
        cal in calendar(),
        minutes in prop_oneof![Just(15u32), Just(20), Just(30), Just(45), Just(60)],
        now in instant(),
        from_offset in -5i64..40,
        span in 0i64..80,
    ) {
        let today = rome_date(now);
        let from = today + Duration::days(from_offset);
        let to = from + Duration::days(span);
        let got = slots(&cal, minutes, from, to, now);
        let horizon = today + Days::new(HORIZON_DAYS as u64);
        for pair in got.windows(2) {
            prop_assert!(pair[0].start < pair[1].start, "sorted without duplicates");
            prop_assert!(pair[0].end <= pair[1].start, "no overlap");
        }
        for slot in &got {
            let day = slot.start.with_timezone(&ROME).date_naive();
            prop_assert!(slot.start >= now + NOTICE);
            prop_assert!(day >= from && day <= to && day <= horizon);
            prop_assert!(cal.is_open(day));
            prop_assert!(!is_national_holiday(day));
            prop_assert!(!cal.closures.contains(&day));
            prop_assert!(cal.patron_day != Some((day.month(), day.day())));
            prop_assert_eq!(slot.end - slot.start, Duration::minutes(i64::from(minutes)));
            let wall = slot.start.time();
            prop_assert!(cal.opening_hours.for_weekday(day.weekday()).iter()
                .any(|&(open, close)| wall >= open && wall < close));
            prop_assert!(is_bookable_start(&cal, minutes, slot.start.fixed_offset(), now));
            let text = slot.start_rfc3339();
            let parsed = agenda_core::time::parse_rfc3339(&text).unwrap();
            prop_assert!(is_bookable_start(&cal, minutes, parsed, now));
        }
    }

    #[test]
    fn a_start_off_the_grid_is_never_bookable(
        cal in calendar(),
        now in instant(),
        offset_days in 1i64..70,
        minute in 0u32..1440,
    ) {
        let day = rome_date(now) + Duration::days(offset_days);
        let t = NaiveTime::from_hms_opt(minute / 60, minute % 60, 0).unwrap();
        if let Some(start) = ROME.from_local_datetime(&day.and_time(t)).earliest() {
            let bookable = is_bookable_start(&cal, 30, start.fixed_offset(), now);
            let listed = slots(&cal, 30, day, day, now).iter().any(|s| s.start == start);
            prop_assert_eq!(bookable, listed);
        }
    }
}
