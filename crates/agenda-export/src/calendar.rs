//! The calendar file (RFC 5545): one event per appointment, on Europe/Rome's wall clock
//! with the zone's own `VTIMEZONE`, so that a calendar anywhere shows 08:00 for 08:00 in
//! Rome, on either side of a change of summer time.
//!
//! An appointment moved with "Riprogramma" gets a new identificativo; its event keeps the
//! `UID` of the first appointment of the chain and raises `SEQUENCE`, so that a calendar
//! that imported the first one moves it instead of showing both. An annulled appointment
//! is written with `STATUS:CANCELLED`, and alone under `METHOD:CANCEL`.

use std::fmt;

use agenda_core::time::ROME;
use agenda_core::{AppointmentId, Channel};
use chrono::{DateTime, Utc};
use ics::parameters::TzIDParam;
use ics::properties::{
    Description, DtEnd, DtStart, LastModified, Location, Method, RRule, Sequence, Status, Summary,
    TzName,
};
use ics::{escape_text, Daylight, Event, ICalendar, Standard, TimeZone};

use crate::receipt::OfficeAddress;
use crate::words::{self, Lang};
use crate::ExportError;

/// The zone every time is written in.
pub const TZID: &str = "Europe/Rome";
const PRODID: &str = "-//Cassetto Agenda//Agenda appuntamenti//IT";

/// An event's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryStatus {
    /// Confermato.
    Confirmed,
    /// Prenotato, waiting for "Conferma Appuntamento".
    Tentative,
    /// Annullato, cancelled or lapsed.
    Cancelled,
}

/// What the file says of the calendar as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalendarMethod {
    /// The appointments as they stand (`METHOD:PUBLISH`).
    Publish,
    /// The appointments are called off (`METHOD:CANCEL`).
    Cancel,
}

/// One appointment as the calendar shows it.
#[derive(Clone)]
pub struct CalendarEntry {
    /// The `UID`: the identificativo of the first appointment of its reschedule chain.
    pub uid: AppointmentId,
    /// Its own identificativo.
    pub id: AppointmentId,
    /// How many times the chain was rescheduled before this one (0 for an original).
    pub sequence: u32,
    /// Its state.
    pub status: EntryStatus,
    /// Argomento (label).
    pub topic: String,
    /// Punto di consulenza (label).
    pub point: String,
    /// How it takes place.
    pub channel: Channel,
    /// Struttura territoriale's name.
    pub office_name: String,
    /// Its address, when known.
    pub office: Option<OfficeAddress>,
    /// Start.
    pub start: DateTime<Utc>,
    /// End.
    pub end: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl fmt::Debug for CalendarEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CalendarEntry")
            .field("uid", &self.uid)
            .field("id", &self.id)
            .field("sequence", &self.sequence)
            .field("status", &self.status)
            .field("start", &self.start)
            .finish_non_exhaustive()
    }
}

impl CalendarEntry {
    /// Where it happens: the office's address for a meeting in person, else the channel.
    pub fn location(&self, lang: Lang) -> String {
        match (self.channel, &self.office) {
            (Channel::InPresenza, Some(office)) => {
                format!("{}, {}", self.office_name, office.one_line())
            }
            (Channel::InPresenza, None) => self.office_name.clone(),
            (channel, _) => words::channel_name(channel, lang).to_owned(),
        }
    }
}

/// `at` on Rome's wall clock, as a local DATE-TIME (`20261203T080000`).
fn local(at: DateTime<Utc>) -> String {
    at.with_timezone(&ROME).format("%Y%m%dT%H%M%S").to_string()
}

/// `at` in UTC (`20261203T070000Z`), for `DTSTAMP` and `LAST-MODIFIED`.
fn utc(at: DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

/// Europe/Rome as a `VTIMEZONE`: the European Union's rule, in force since 1996 (summer
/// time from 02:00 on the last Sunday of March to 03:00 on the last Sunday of October).
fn rome() -> TimeZone<'static> {
    let mut summer = Daylight::new("19700329T020000", "+0100", "+0200");
    summer.push(TzName::new("CEST"));
    summer.push(RRule::new("FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU"));
    let mut winter = Standard::new("19701025T030000", "+0200", "+0100");
    winter.push(TzName::new("CET"));
    winter.push(RRule::new("FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU"));
    let mut zone = TimeZone::daylight(TZID, summer);
    zone.add_standard(winter);
    zone
}

fn event(entry: &CalendarEntry, lang: Lang, now: DateTime<Utc>) -> Event<'static> {
    let labels = words::labels(lang);
    let mut event = Event::new(entry.uid.as_str().to_owned(), utc(now));
    let mut start = DtStart::new(local(entry.start));
    start.add(TzIDParam::new(TZID));
    event.push(start);
    let mut end = DtEnd::new(local(entry.end));
    end.add(TzIDParam::new(TZID));
    event.push(end);
    event.push(Sequence::new(entry.sequence.to_string()));
    event.push(LastModified::new(utc(entry.updated_at)));
    event.push(Status::new(match entry.status {
        EntryStatus::Confirmed => "CONFIRMED",
        EntryStatus::Tentative => "TENTATIVE",
        EntryStatus::Cancelled => "CANCELLED",
    }));
    event.push(Summary::new(escape_text(format!(
        "{} – {}",
        labels.event_prefix, entry.topic
    ))));
    event.push(Location::new(escape_text(entry.location(lang))));
    let description = format!(
        "{}: {}\n{}: {}\n{}: {}\n\n{}\n\n{}",
        labels.id,
        entry.id.as_str(),
        labels.point,
        entry.point,
        labels.channel,
        words::channel_name(entry.channel, lang),
        words::how_it_happens(entry.channel, lang),
        words::how_to_cancel(lang),
    );
    event.push(Description::new(escape_text(description)));
    event
}

/// The calendar file for `entries` (at least one), stamped `now`.
pub fn calendar(
    entries: &[CalendarEntry],
    method: CalendarMethod,
    lang: Lang,
    now: DateTime<Utc>,
) -> Result<String, ExportError> {
    if entries.is_empty() {
        return Err(ExportError::Empty);
    }
    let mut file = ICalendar::new("2.0", PRODID);
    file.push(Method::new(match method {
        CalendarMethod::Publish => "PUBLISH",
        CalendarMethod::Cancel => "CANCEL",
    }));
    file.add_timezone(rome());
    for entry in entries {
        file.add_event(event(entry, lang, now));
    }
    Ok(file.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Datelike, Duration, NaiveDate, Offset, TimeZone as _, Weekday};

    fn id(s: &str) -> AppointmentId {
        AppointmentId::parse(s).unwrap()
    }

    fn entry(start: DateTime<Utc>) -> CalendarEntry {
        CalendarEntry {
            uid: id("AP-7K3M-Q9TX"),
            id: id("AP-7K3M-Q9TX"),
            sequence: 0,
            status: EntryStatus::Confirmed,
            topic: "Contributi, versamenti; rateizzazioni".into(),
            point: "Sportello".into(),
            channel: Channel::InPresenza,
            office_name: "Sede di Bologna".into(),
            office: Some(OfficeAddress {
                name: "Sede di Bologna".into(),
                address: "Via Gramsci 6".into(),
                city: "Bologna".into(),
                province: "BO".into(),
            }),
            start,
            end: start + Duration::minutes(30),
            updated_at: start - Duration::days(2),
        }
    }

    #[test]
    fn times_are_rome_wall_clock_with_the_zone_defined() {
        let start = Utc.with_ymd_and_hms(2026, 3, 30, 6, 0, 0).unwrap(); // 08:00 CEST
        let now = Utc.with_ymd_and_hms(2026, 3, 20, 9, 0, 0).unwrap();
        let text = calendar(&[entry(start)], CalendarMethod::Publish, Lang::It, now).unwrap();
        assert!(
            text.contains("DTSTART;TZID=Europe/Rome:20260330T080000\r\n"),
            "{text}"
        );
        assert!(
            text.contains("BEGIN:VTIMEZONE\r\nTZID:Europe/Rome"),
            "{text}"
        );
        assert!(text.contains("UID:AP-7K3M-Q9TX\r\n"));
        assert!(text.contains("METHOD:PUBLISH\r\n"));
        // Commas and semicolons of a label are escaped, not taken as separators.
        assert!(text.contains("Contributi\\, versamenti\\; rateizzazioni"));
        // Every line fits in 75 octets plus the folding space.
        assert!(text.split("\r\n").all(|line| line.len() <= 76), "{text}");
    }

    #[test]
    fn a_channel_without_an_office_names_the_channel_as_location() {
        let start = Utc.with_ymd_and_hms(2026, 12, 3, 7, 0, 0).unwrap();
        let mut call = entry(start);
        call.channel = Channel::Telefonica;
        assert_eq!(call.location(Lang::It), "Richiamata telefonica");
        assert_eq!(
            entry(start).location(Lang::It),
            "Sede di Bologna, Via Gramsci 6, Bologna (BO)"
        );
    }

    #[test]
    fn an_empty_list_is_refused() {
        let now = Utc::now();
        assert_eq!(
            calendar(&[], CalendarMethod::Publish, Lang::It, now),
            Err(ExportError::Empty)
        );
    }

    /// The last Sunday of `month` in `year`.
    fn last_sunday(year: i32, month: u32) -> NaiveDate {
        let mut day = NaiveDate::from_ymd_opt(year, month + 1, 1)
            .unwrap()
            .pred_opt()
            .unwrap();
        while day.weekday() != Weekday::Sun {
            day = day.pred_opt().unwrap();
        }
        day
    }

    #[test]
    fn the_written_zone_rule_agrees_with_the_tz_database() {
        // The VTIMEZONE's rule (last Sunday of March at 01:00 UTC, last Sunday of October at
        // 01:00 UTC) against chrono-tz, for the years a desk books in and the DST days.
        for year in 2024..=2035 {
            for (month, before, after) in [(3, 3600, 7200), (10, 7200, 3600)] {
                let day = last_sunday(year, month);
                let change = Utc.from_utc_datetime(&day.and_hms_opt(1, 0, 0).unwrap());
                let offset =
                    |at: DateTime<Utc>| at.with_timezone(&ROME).offset().fix().local_minus_utc();
                assert_eq!(offset(change - Duration::seconds(1)), before, "{day}");
                assert_eq!(offset(change), after, "{day}");
            }
        }
        assert_eq!(
            last_sunday(2026, 3),
            NaiveDate::from_ymd_opt(2026, 3, 29).unwrap()
        );
        assert_eq!(
            last_sunday(2026, 10),
            NaiveDate::from_ymd_opt(2026, 10, 25).unwrap()
        );
        assert_eq!(
            last_sunday(2027, 3),
            NaiveDate::from_ymd_opt(2027, 3, 28).unwrap()
        );
    }
}
