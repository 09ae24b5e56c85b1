//! When the desk is reminded, decided on a clock the caller gives (a test's fake one):
//!
//! - a **hold about to lapse**: a `prenotato` appointment whose time to confirm ends within
//!   [`HOLD_WARNING`], while the app's window is not the one in front (in front, the
//!   countdown on screen says it); once per hold;
//! - **tomorrow's appointments**: once a day, at the desk's opening time (or the first time
//!   the app runs after it), the operator's own bookings of the next day, when there are any.
//!
//! A reminder's text names a contributor by first name only, with times: a notification
//! may show on a locked screen.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};

use crate::time::{rome_date, ROME};
use crate::AppointmentId;

/// How long before a hold lapses the desk is warned.
pub const HOLD_WARNING: Duration = Duration::minutes(2);

/// The most names a day's reminder lists before "and N more".
const MAX_NAMED: usize = 4;

/// The desk's choices (Impostazioni).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReminderSettings {
    /// Whether tomorrow's appointments are announced.
    pub daily: bool,
    /// When (Rome's wall clock): the desk's opening time.
    pub at: NaiveTime,
}

impl Default for ReminderSettings {
    fn default() -> Self {
        Self {
            daily: true,
            at: NaiveTime::from_hms_opt(8, 30, 0).unwrap_or(NaiveTime::MIN),
        }
    }
}

impl ReminderSettings {
    /// Reads `HH:MM` (the settings' form); `None` for anything else.
    pub fn parse_time(text: &str) -> Option<NaiveTime> {
        NaiveTime::parse_from_str(text.trim(), "%H:%M").ok()
    }
}

/// A contributor's first name, from a display name written "Cognome Nome" (the service's
/// convention): the last word. Empty for an empty name.
pub fn first_name(display_name: &str) -> String {
    display_name
        .split_whitespace()
        .last()
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) => first
                    .to_uppercase()
                    .chain(chars.flat_map(char::to_lowercase))
                    .collect(),
                None => String::new(),
            }
        })
        .unwrap_or_default()
}

/// A hold as the reminders see it.
#[derive(Clone, PartialEq, Eq)]
pub struct HoldFact {
    /// Identificativo appuntamento.
    pub id: AppointmentId,
    /// When the time to confirm ends.
    pub expires_at: DateTime<Utc>,
    /// The contributor's first name.
    pub first_name: String,
}

/// An appointment of the operator's own, as the day's reminder sees it.
#[derive(Clone, PartialEq, Eq)]
pub struct DayFact {
    /// Identificativo appuntamento.
    pub id: AppointmentId,
    /// Its start.
    pub start: DateTime<Utc>,
    /// The contributor's first name.
    pub first_name: String,
}

impl std::fmt::Debug for HoldFact {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HoldFact")
            .field("id", &self.id)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for DayFact {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DayFact")
            .field("id", &self.id)
            .field("start", &self.start)
            .finish_non_exhaustive()
    }
}

/// A reminder to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reminder {
    /// A hold lapses soon: confirm or release it.
    HoldExpiring(HoldFact),
    /// Tomorrow's appointments (at least one), earliest first.
    Tomorrow {
        /// Tomorrow, in Rome.
        date: NaiveDate,
        /// The appointments.
        items: Vec<DayFact>,
    },
}

/// The reminder's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReminderLang {
    /// Italiano.
    It,
    /// English.
    En,
}

fn hhmm(at: DateTime<Utc>) -> String {
    at.with_timezone(&ROME).format("%H:%M").to_string()
}

impl Reminder {
    /// The appointment a click should open (`None`: the agenda).
    pub fn appointment(&self) -> Option<&AppointmentId> {
        match self {
            Reminder::HoldExpiring(hold) => Some(&hold.id),
            Reminder::Tomorrow { items, .. } if items.len() == 1 => items.first().map(|i| &i.id),
            Reminder::Tomorrow { .. } => None,
        }
    }

    /// Title and body: first names and times only.
    pub fn text(&self, lang: ReminderLang) -> (String, String) {
        match (self, lang) {
            (Reminder::HoldExpiring(hold), ReminderLang::It) => (
                "Prenotazione da confermare".to_owned(),
                format!(
                    "{}: il tempo per la Conferma Appuntamento scade alle {}.",
                    named(&hold.first_name, lang),
                    hhmm(hold.expires_at)
                ),
            ),
            (Reminder::HoldExpiring(hold), ReminderLang::En) => (
                "Booking to confirm".to_owned(),
                format!(
                    "{}: the time to confirm the appointment ends at {}.",
                    named(&hold.first_name, lang),
                    hhmm(hold.expires_at)
                ),
            ),
            (Reminder::Tomorrow { items, .. }, lang) => {
                let listed: Vec<String> = items
                    .iter()
                    .take(MAX_NAMED)
                    .map(|i| format!("{} {}", hhmm(i.start), named(&i.first_name, lang)))
                    .collect();
                let more = items.len().saturating_sub(MAX_NAMED);
                let (title, and_more) = match (lang, items.len()) {
                    (ReminderLang::It, 1) => ("Domani: 1 appuntamento".to_owned(), "altri"),
                    (ReminderLang::It, n) => (format!("Domani: {n} appuntamenti"), "altri"),
                    (ReminderLang::En, 1) => ("Tomorrow: 1 appointment".to_owned(), "more"),
                    (ReminderLang::En, n) => (format!("Tomorrow: {n} appointments"), "more"),
                };
                let mut body = listed.join(", ");
                if more > 0 {
                    body.push_str(&format!(" (+{more} {and_more})"));
                }
                (title, body)
            }
        }
    }
}

/// The first name, or a stand-in when unknown.
fn named(first_name: &str, lang: ReminderLang) -> String {
    match (first_name.trim(), lang) {
        ("", ReminderLang::It) => "Assistito".to_owned(),
        ("", ReminderLang::En) => "Contributor".to_owned(),
        (name, _) => name.to_owned(),
    }
}

/// What was already reminded: each hold once, the day's list once a day.
#[derive(Debug, Clone, Default)]
pub struct Reminders {
    warned: BTreeSet<AppointmentId>,
    announced_on: Option<NaiveDate>,
}

impl Reminders {
    /// The holds to warn about now: lapsing within [`HOLD_WARNING`], not lapsed, not warned
    /// yet, and only while the window is not in front. Each is warned once.
    pub fn holds_due(
        &mut self,
        now: DateTime<Utc>,
        window_in_front: bool,
        holds: &[HoldFact],
    ) -> Vec<Reminder> {
        // Forget the holds that are gone, so that the set stays small.
        self.warned.retain(|id| holds.iter().any(|h| &h.id == id));
        if window_in_front {
            return Vec::new();
        }
        holds
            .iter()
            .filter(|h| h.expires_at > now && h.expires_at - now <= HOLD_WARNING)
            .filter(|h| self.warned.insert(h.id.clone()))
            .cloned()
            .map(Reminder::HoldExpiring)
            .collect()
    }

    /// Whether the day's reminder is due now: on, at or after the opening time on Rome's
    /// clock, and not given yet today. Answers tomorrow's date; the caller gathers
    /// tomorrow's appointments, calls [`Reminders::tomorrow`], then [`Reminders::announced`]
    /// (not before: a failed look is tried again at the next one).
    pub fn daily_due(&self, now: DateTime<Utc>, settings: &ReminderSettings) -> Option<NaiveDate> {
        if !settings.daily {
            return None;
        }
        let today = rome_date(now);
        if now.with_timezone(&ROME).time() < settings.at || self.announced_on == Some(today) {
            return None;
        }
        today.succ_opt()
    }

    /// Notes that the day's reminder of `now`'s day was given.
    pub fn announced(&mut self, now: DateTime<Utc>) {
        self.announced_on = Some(rome_date(now));
    }

    /// The day's reminder for `date` from `items` (any order): `None` when there is none.
    pub fn tomorrow(date: NaiveDate, mut items: Vec<DayFact>) -> Option<Reminder> {
        items.retain(|i| rome_date(i.start) == date);
        if items.is_empty() {
            return None;
        }
        items.sort_by_key(|i| i.start);
        Some(Reminder::Tomorrow { date, items })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn id(n: u8) -> AppointmentId {
        AppointmentId::from_random([n, 1, 2, 3, 4, 5, 6, 7])
    }

    fn rome(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        ROME.with_ymd_and_hms(y, m, d, h, min, 0)
            .single()
            .unwrap()
            .with_timezone(&Utc)
    }

    fn hold(n: u8, expires_at: DateTime<Utc>) -> HoldFact {
        HoldFact {
            id: id(n),
            expires_at,
            first_name: "Mario".into(),
        }
    }

    #[test]
    fn a_hold_is_warned_once_within_two_minutes_and_only_behind_other_windows() {
        let mut r = Reminders::default();
        let t0 = rome(2026, 12, 4, 10, 0);
        let holds = [hold(1, t0 + Duration::minutes(10))];
        // Ten minutes left: nothing.
        assert!(r.holds_due(t0, false, &holds).is_empty());
        // Two minutes left, window in front: the countdown on screen tells; nothing.
        let t1 = t0 + Duration::minutes(8);
        assert!(r.holds_due(t1, true, &holds).is_empty());
        // Behind another program: warned, once.
        let t2 = t1 + Duration::seconds(20);
        let due = r.holds_due(t2, false, &holds);
        assert_eq!(due, vec![Reminder::HoldExpiring(holds[0].clone())]);
        assert!(r
            .holds_due(t2 + Duration::seconds(20), false, &holds)
            .is_empty());
        // Lapsed: nothing.
        let mut fresh = Reminders::default();
        assert!(fresh
            .holds_due(t0 + Duration::minutes(11), false, &holds)
            .is_empty());
    }

    #[test]
    fn a_hold_that_went_and_came_back_is_warned_again() {
        let mut r = Reminders::default();
        let t0 = rome(2026, 12, 4, 10, 0);
        let holds = [hold(1, t0 + Duration::minutes(1))];
        assert_eq!(r.holds_due(t0, false, &holds).len(), 1);
        assert!(r.holds_due(t0, false, &[]).is_empty());
        assert_eq!(r.holds_due(t0, false, &holds).len(), 1);
    }

    #[test]
    fn the_days_reminder_comes_once_at_opening_time_on_romes_clock() {
        let settings = ReminderSettings::default(); // on, 08:30
        let mut r = Reminders::default();
        assert_eq!(r.daily_due(rome(2026, 12, 4, 8, 29), &settings), None);
        assert_eq!(
            r.daily_due(rome(2026, 12, 4, 8, 30), &settings),
            NaiveDate::from_ymd_opt(2026, 12, 5)
        );
        // Not given yet (the look failed): due again; once given, not again that day.
        assert!(r.daily_due(rome(2026, 12, 4, 8, 31), &settings).is_some());
        r.announced(rome(2026, 12, 4, 8, 31));
        assert_eq!(r.daily_due(rome(2026, 12, 4, 12, 0), &settings), None);
        // The app started late: the reminder comes at once, the same day.
        let late = Reminders::default();
        assert_eq!(
            late.daily_due(rome(2026, 12, 4, 15, 0), &settings),
            NaiveDate::from_ymd_opt(2026, 12, 5)
        );
        // Next day again.
        assert!(r.daily_due(rome(2026, 12, 5, 8, 31), &settings).is_some());
        // Off: never.
        let off = ReminderSettings {
            daily: false,
            ..settings
        };
        assert_eq!(
            Reminders::default().daily_due(rome(2026, 12, 4, 9, 0), &off),
            None
        );
    }

    #[test]
    fn opening_time_is_wall_clock_on_the_dst_days() {
        let settings = ReminderSettings::default();
        for (y, m, d) in [(2026, 3, 29), (2026, 10, 25), (2027, 3, 28)] {
            let r = Reminders::default();
            assert_eq!(
                r.daily_due(rome(y, m, d, 8, 29), &settings),
                None,
                "{d}/{m}"
            );
            assert!(
                r.daily_due(rome(y, m, d, 8, 30), &settings).is_some(),
                "{d}/{m}"
            );
        }
        // 29 March 2026, 08:30 in Rome is 06:30 UTC (summer time began at 02:00).
        let r = Reminders::default();
        let utc = Utc.with_ymd_and_hms(2026, 3, 29, 6, 29, 0).unwrap();
        assert_eq!(r.daily_due(utc, &settings), None);
        assert!(r.daily_due(utc + Duration::minutes(1), &settings).is_some());
    }

    #[test]
    fn tomorrows_list_keeps_tomorrow_sorted_and_is_none_when_empty() {
        let date = NaiveDate::from_ymd_opt(2026, 12, 5).unwrap();
        let item = |n: u8, h: u32, name: &str| DayFact {
            id: id(n),
            start: rome(2026, 12, if h > 20 { 6 } else { 5 }, h % 24, 0),
            first_name: name.into(),
        };
        assert_eq!(Reminders::tomorrow(date, vec![]), None);
        let Some(Reminder::Tomorrow { items, .. }) = Reminders::tomorrow(
            date,
            vec![
                item(1, 11, "Lucia"),
                item(2, 9, "Mario"),
                item(3, 33, "Altro giorno"),
            ],
        ) else {
            panic!("a reminder");
        };
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].first_name, "Mario");
    }

    #[test]
    fn the_text_names_first_names_and_times_only() {
        let t = rome(2026, 12, 4, 10, 42);
        let (title, body) = Reminder::HoldExpiring(hold(1, t)).text(ReminderLang::It);
        assert_eq!(title, "Prenotazione da confermare");
        assert_eq!(
            body,
            "Mario: il tempo per la Conferma Appuntamento scade alle 10:42."
        );
        let items: Vec<DayFact> = (0..6)
            .map(|n| DayFact {
                id: id(n),
                start: rome(2026, 12, 5, 9 + u32::from(n), 0),
                first_name: first_name("ROSSI MARIO"),
            })
            .collect();
        let day = Reminder::Tomorrow {
            date: NaiveDate::from_ymd_opt(2026, 12, 5).unwrap(),
            items,
        };
        let (title, body) = day.text(ReminderLang::It);
        assert_eq!(title, "Domani: 6 appuntamenti");
        assert_eq!(
            body,
            "09:00 Mario, 10:00 Mario, 11:00 Mario, 12:00 Mario (+2 altri)"
        );
        assert_eq!(day.appointment(), None);
        assert_eq!(day.text(ReminderLang::En).0, "Tomorrow: 6 appointments");
    }

    #[test]
    fn a_first_name_is_the_last_word_of_cognome_nome() {
        assert_eq!(first_name("De Luca Vincenzo"), "Vincenzo");
        assert_eq!(first_name("ROSSI MARIO"), "Mario");
        assert_eq!(first_name("  "), "");
        assert_eq!(
            ReminderSettings::parse_time(" 07:45 "),
            NaiveTime::from_hms_opt(7, 45, 0)
        );
        assert_eq!(ReminderSettings::parse_time("25:00"), None);
    }
}
