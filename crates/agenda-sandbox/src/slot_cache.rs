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

/// Days kept per point before its entry starts over (the horizon needs about 61).
const MAX_DAYS_PER_POINT: usize = 400;

/// One slot with its wire text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CachedSlot {
    /// Start, Unix seconds.
    pub start_at: i64,
    /// Start, RFC 3339 Europe/Rome.
    pub start: String,
    /// End, RFC 3339 Europe/Rome.
    pub end: String,
    /// The slot object as JSON up to its availability: `{"start":"…","end":"…","available":`.
    pub json_prefix: String,
}

/// The slots of one point on one day.
type DaySlots = Arc<Vec<CachedSlot>>;

/// Day slots by point code, then date.
#[derive(Debug, Default)]
pub(crate) struct SlotCache {
    days: RwLock<HashMap<String, HashMap<NaiveDate, DaySlots>>>,
}

impl SlotCache {
    fn day(&self, point: &ConsultationPoint, date: NaiveDate) -> DaySlots {
        if let Some(day) = self
            .days
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&point.code)
            .and_then(|days| days.get(&date))
        {
            return Arc::clone(day);
        }
        let computed: DaySlots = Arc::new(
            day_slots(&point.calendar, point.slot_minutes, date)
                .iter()
                .map(|s| {
                    let (start, end) = (s.start_rfc3339(), s.end_rfc3339());
                    CachedSlot {
                        start_at: s.start.timestamp(),
                        json_prefix: format!(
                            "{{\"start\":{},\"end\":{},\"available\":",
                            serde_json::Value::from(start.as_str()),
                            serde_json::Value::from(end.as_str())
                        ),
                        start,
                        end,
                    }
                })
                .collect(),
        );
        let mut all = self.days.write().unwrap_or_else(PoisonError::into_inner);
        let days = all.entry(point.code.clone()).or_default();
        if days.len() >= MAX_DAYS_PER_POINT {
            days.clear();
        }
        Arc::clone(days.entry(date).or_insert(computed))
    }

    /// Calls `visit` with each bookable slot of `point` from `from` to `to` (inclusive) at
    /// `now`, in time order: the same slots as `agenda_core::calendar::slots`.
    pub(crate) fn for_each(
        &self,
        point: &ConsultationPoint,
        from: NaiveDate,
        to: NaiveDate,
        now: DateTime<Utc>,
        mut visit: impl FnMut(&CachedSlot),
    ) {
        let today = rome_date(now);
        let first = from.max(today);
        let last = to.min(
            today
                .checked_add_days(Days::new(HORIZON_DAYS.unsigned_abs()))
                .unwrap_or(NaiveDate::MAX),
        );
        let earliest = (now + NOTICE).timestamp();
        for date in first.iter_days().take_while(|d| *d <= last) {
            for slot in self.day(point, date).iter() {
                if slot.start_at >= earliest {
                    visit(slot);
                }
            }
        }
    }

    /// The bookable slots, as [`SlotCache::for_each`] visits them.
    pub(crate) fn slots(
        &self,
        point: &ConsultationPoint,
        from: NaiveDate,
        to: NaiveDate,
        now: DateTime<Utc>,
    ) -> Vec<CachedSlot> {
        let mut out = Vec::new();
        self.for_each(point, from, to, now, |s| out.push(s.clone()));
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
                        .map(|s| {
                            let json: serde_json::Value =
                                serde_json::from_str(&format!("{}true}}", s.json_prefix)).unwrap();
                            assert_eq!(json["start"], s.start.as_str());
                            assert_eq!(json["end"], s.end.as_str());
                            (s.start_at, s.start, s.end)
                        })
                        .collect();
                    assert_eq!(cached, expected, "{} {from}..{to} at {now}", point.code);
                }
            }
        }
    }
}
