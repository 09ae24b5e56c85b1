//! The slots of each consultation point and day, computed once by the core calendar and kept
//! in memory with their wire text: `GET /slots` then costs a lookup per day and one query.
//!
//! A day's slots depend only on the point's calendar (static reference data) and the date;
//! what depends on "now" (notice, horizon) is applied per request, with the core's own
//! constants, exactly as `agenda_core::calendar::slots` does (a test holds the two equal).

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};

use agenda_core::calendar::{day_slots, HORIZON_DAYS, NOTICE};
use agenda_core::time::rome_date;
use chrono::{DateTime, Days, NaiveDate, Utc};

use crate::catalog::ConsultationPoint;

/// Entries kept before the cache starts over (points × days of the horizon fit well below).
const MAX_ENTRIES: usize = 20_000;

/// One slot with its wire text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CachedSlot {
    /// Start, Unix seconds.
    pub start_at: i64,
    /// Start, RFC 3339 Europe/Rome.
    pub start: String,
    /// End, RFC 3339 Europe/Rome.
    pub end: String,
}

/// The slots of one point on one day.
type DaySlots = Arc<Vec<CachedSlot>>;

/// Day slots by (point code, date).
#[derive(Debug, Default)]
pub(crate) struct SlotCache {
    days: RwLock<HashMap<(String, NaiveDate), DaySlots>>,
}

impl SlotCache {
    fn day(&self, point: &ConsultationPoint, date: NaiveDate) -> DaySlots {
        let key = (point.code.clone(), date);
        if let Some(day) = self
            .days
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key)
        {
            return Arc::clone(day);
        }
        let computed: DaySlots = Arc::new(
            day_slots(&point.calendar, point.slot_minutes, date)
                .iter()
                .map(|s| CachedSlot {
                    start_at: s.start.timestamp(),
                    start: s.start_rfc3339(),
                    end: s.end_rfc3339(),
                })
                .collect(),
        );
        let mut days = self.days.write().unwrap_or_else(PoisonError::into_inner);
        if days.len() >= MAX_ENTRIES {
            days.clear();
        }
        Arc::clone(days.entry(key).or_insert(computed))
    }

    /// The bookable slots of `point` from `from` to `to` (inclusive) at `now`: the same as
    /// `agenda_core::calendar::slots`, in time order.
    pub(crate) fn slots(
        &self,
        point: &ConsultationPoint,
        from: NaiveDate,
        to: NaiveDate,
        now: DateTime<Utc>,
    ) -> Vec<CachedSlot> {
        let today = rome_date(now);
        let first = from.max(today);
        let last = to.min(
            today
                .checked_add_days(Days::new(HORIZON_DAYS.unsigned_abs()))
                .unwrap_or(NaiveDate::MAX),
        );
        let earliest = (now + NOTICE).timestamp();
        let mut out = Vec::new();
        for date in first.iter_days().take_while(|d| *d <= last) {
            out.extend(
                self.day(point, date)
                    .iter()
                    .filter(|s| s.start_at >= earliest)
                    .cloned(),
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::seed::seed_demo_if_empty;

    #[test]
    fn cached_slots_are_the_core_calendar_slots() {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        crate::db::migrate_for_tests(&mut conn);
        let seeded_at: DateTime<Utc> = "2026-11-26T09:00:00Z".parse().unwrap();
        seed_demo_if_empty(&mut conn, seeded_at).unwrap();
        let catalog = Catalog::load(&conn).unwrap();
        let cache = SlotCache::default();
        let nows = [
            "2026-11-26T09:00:00Z",
            "2026-11-26T23:30:00Z",
            "2027-03-20T09:00:00Z",
            "2027-10-25T00:59:59Z",
            "2027-12-31T16:00:00Z",
        ];
        for now in nows {
            let now: DateTime<Utc> = now.parse().unwrap();
            let today = rome_date(now);
            for point in catalog.points() {
                for (from, to) in [
                    (today, today + Days::new(13)),
                    (today - Days::new(3), today + Days::new(90)),
                    (today + Days::new(59), today + Days::new(61)),
                ] {
                    let expected: Vec<(i64, String, String)> = agenda_core::calendar::slots(
                        &point.calendar,
                        point.slot_minutes,
                        from,
                        to,
                        now,
                    )
                    .iter()
                    .map(|s| (s.start.timestamp(), s.start_rfc3339(), s.end_rfc3339()))
                    .collect();
                    let cached: Vec<(i64, String, String)> = cache
                        .slots(point, from, to, now)
                        .into_iter()
                        .map(|s| (s.start_at, s.start, s.end))
                        .collect();
                    assert_eq!(cached, expected, "{} {from}..{to} at {now}", point.code);
                }
            }
        }
    }
}
