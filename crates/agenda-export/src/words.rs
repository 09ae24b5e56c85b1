//! The receipt's and the calendar's words, in Italian and English, and dates in words
//! ("giovedì 3 dicembre 2026, ore 08:00") on Europe/Rome's wall clock.

use agenda_core::time::ROME;
use agenda_core::Channel;
use chrono::{DateTime, Datelike, Timelike, Utc, Weekday};

/// The language of a document: the UI's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Italiano (the default).
    #[default]
    It,
    /// English.
    En,
}

impl Lang {
    /// `"it"` → Italian, `"en"` → English; anything else is Italian.
    pub fn from_code(code: &str) -> Self {
        if code.eq_ignore_ascii_case("en") {
            Lang::En
        } else {
            Lang::It
        }
    }

    /// The BCP 47 tag written in the document (`it-IT`, `en-GB`).
    pub fn tag(self) -> &'static str {
        match self {
            Lang::It => "it-IT",
            Lang::En => "en-GB",
        }
    }
}

const WEEKDAYS_IT: [&str; 7] = [
    "lunedì",
    "martedì",
    "mercoledì",
    "giovedì",
    "venerdì",
    "sabato",
    "domenica",
];
const WEEKDAYS_EN: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const MONTHS_IT: [&str; 12] = [
    "gennaio",
    "febbraio",
    "marzo",
    "aprile",
    "maggio",
    "giugno",
    "luglio",
    "agosto",
    "settembre",
    "ottobre",
    "novembre",
    "dicembre",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn weekday_index(day: Weekday) -> usize {
    day.num_days_from_monday() as usize
}

/// `start` in words on Rome's wall clock: "giovedì 3 dicembre 2026, ore 08:00" or
/// "Thursday 3 December 2026, 08:00".
pub fn date_time_in_words(start: DateTime<Utc>, lang: Lang) -> String {
    let local = start.with_timezone(&ROME);
    let (weekdays, months) = match lang {
        Lang::It => (&WEEKDAYS_IT, &MONTHS_IT),
        Lang::En => (&WEEKDAYS_EN, &MONTHS_EN),
    };
    let weekday = weekdays[weekday_index(local.weekday())];
    let month = months[local.month0() as usize % 12];
    let time = format!("{:02}:{:02}", local.hour(), local.minute());
    match lang {
        Lang::It => format!(
            "{weekday} {} {month} {}, ore {time}",
            local.day(),
            local.year()
        ),
        Lang::En => format!("{weekday} {} {month} {}, {time}", local.day(), local.year()),
    }
}

/// `HH:MM` on Rome's wall clock.
pub fn time_of_day(at: DateTime<Utc>) -> String {
    let local = at.with_timezone(&ROME);
    format!("{:02}:{:02}", local.hour(), local.minute())
}

/// The channel's name.
pub fn channel_name(channel: Channel, lang: Lang) -> &'static str {
    match (lang, channel) {
        (Lang::It, c) => c.label_it(),
        (Lang::En, Channel::InPresenza) => "In person",
        (Lang::En, Channel::Telefonica) => "Phone call-back",
        (Lang::En, Channel::Videochiamata) => "Video call",
    }
}

/// What the contributor should know beforehand, by channel.
pub fn how_it_happens(channel: Channel, lang: Lang) -> &'static str {
    match (lang, channel) {
        (Lang::It, Channel::InPresenza) => {
            "Si presenti alla sede indicata 10 minuti prima dell'orario, con un documento di \
             identità valido, la tessera sanitaria (codice fiscale) e la documentazione \
             relativa alla pratica. Può farsi accompagnare dall'operatore del patronato."
        }
        (Lang::It, Channel::Telefonica) => {
            "Un funzionario INPS la chiamerà al numero di telefono indicato all'orario \
             fissato. Tenga a portata di mano un documento di identità e la documentazione \
             relativa alla pratica."
        }
        (Lang::It, Channel::Videochiamata) => {
            "Prima dell'orario fissato riceverà le istruzioni per collegarsi alla \
             videochiamata. Serve un dispositivo con videocamera e microfono; tenga pronti \
             un documento di identità e la documentazione relativa alla pratica."
        }
        (Lang::En, Channel::InPresenza) => {
            "Please come to the office shown 10 minutes before the time, with a valid \
             identity document, your health card (codice fiscale) and the papers of your \
             case. The desk's operator may come with you."
        }
        (Lang::En, Channel::Telefonica) => {
            "An INPS officer will call you at the phone number given, at the time shown. \
             Keep an identity document and the papers of your case at hand."
        }
        (Lang::En, Channel::Videochiamata) => {
            "Before the time you will receive the instructions to join the video call. You \
             need a device with a camera and a microphone; keep an identity document and \
             the papers of your case ready."
        }
    }
}

/// How to cancel or move the appointment.
pub fn how_to_cancel(lang: Lang) -> &'static str {
    match lang {
        Lang::It => {
            "Per annullare o spostare l'appuntamento si rivolga allo sportello che l'ha \
             prenotato, citando l'identificativo, oppure usi il Cassetto Previdenziale sul \
             sito INPS (Comunicazione bidirezionale > Agenda appuntamenti). Annulli almeno \
             un giorno prima: l'orario tornerà disponibile per altri."
        }
        Lang::En => {
            "To cancel or move the appointment, contact the desk that booked it quoting the \
             identifier, or use the Cassetto Previdenziale on the INPS website \
             (Comunicazione bidirezionale > Agenda appuntamenti). Please cancel at least a \
             day before, so that the time is free for others."
        }
    }
}

/// The fixed words of the documents.
#[derive(Debug, Clone, Copy)]
pub struct Labels {
    /// The receipt's title.
    pub title: &'static str,
    /// "Identificativo appuntamento".
    pub id: &'static str,
    /// Under the ID: how to read it.
    pub id_hint: &'static str,
    /// The QR code's alternative text.
    pub qr_alt: &'static str,
    /// "Utente".
    pub contributor: &'static str,
    /// "Codice fiscale".
    pub fiscal_code: &'static str,
    /// "Argomento".
    pub topic: &'static str,
    /// "Punto di consulenza".
    pub point: &'static str,
    /// "Modalità".
    pub channel: &'static str,
    /// "Struttura territoriale".
    pub office: &'static str,
    /// "Data e ora".
    pub when: &'static str,
    /// "Come si svolge".
    pub how: &'static str,
    /// "Per annullare".
    pub cancel: &'static str,
    /// "Rilasciata da".
    pub issued_by: &'static str,
    /// "il" (before the issue date).
    pub issued_on: &'static str,
    /// The calendar event's title, before the argomento.
    pub event_prefix: &'static str,
}

/// The fixed words in `lang`.
pub fn labels(lang: Lang) -> Labels {
    match lang {
        Lang::It => Labels {
            title: "Ricevuta di appuntamento INPS",
            id: "Identificativo appuntamento",
            id_hint: "Da citare per ogni richiesta: si legge a gruppi di quattro.",
            qr_alt: "Codice QR dell'identificativo appuntamento",
            contributor: "Utente",
            fiscal_code: "Codice fiscale",
            topic: "Argomento",
            point: "Punto di consulenza",
            channel: "Modalità",
            office: "Struttura territoriale",
            when: "Data e ora",
            how: "Come si svolge",
            cancel: "Per annullare o spostare",
            issued_by: "Rilasciata da",
            issued_on: "il",
            event_prefix: "Appuntamento INPS",
        },
        Lang::En => Labels {
            title: "INPS appointment receipt",
            id: "Appointment identifier",
            id_hint: "Quote it for any request: read it in groups of four.",
            qr_alt: "QR code of the appointment identifier",
            contributor: "Contributor",
            fiscal_code: "Codice fiscale (tax code)",
            topic: "Subject",
            point: "Consultation point",
            channel: "How",
            office: "INPS office",
            when: "Date and time",
            how: "What to expect",
            cancel: "To cancel or move it",
            issued_by: "Issued by",
            issued_on: "on",
            event_prefix: "INPS appointment",
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn dates_in_words_follow_romes_clock_across_dst() {
        // 3 Dec 2026 08:00 in Rome is 07:00 UTC (winter).
        let winter = Utc.with_ymd_and_hms(2026, 12, 3, 7, 0, 0).unwrap();
        assert_eq!(
            date_time_in_words(winter, Lang::It),
            "giovedì 3 dicembre 2026, ore 08:00"
        );
        assert_eq!(
            date_time_in_words(winter, Lang::En),
            "Thursday 3 December 2026, 08:00"
        );
        // 29 Mar 2026: from 03:00 Rome is UTC+2.
        let spring = Utc.with_ymd_and_hms(2026, 3, 29, 7, 30, 0).unwrap();
        assert_eq!(
            date_time_in_words(spring, Lang::It),
            "domenica 29 marzo 2026, ore 09:30"
        );
        // 25 Oct 2026: from 03:00 back to UTC+1.
        let autumn = Utc.with_ymd_and_hms(2026, 10, 25, 8, 0, 0).unwrap();
        assert_eq!(time_of_day(autumn), "09:00");
        // 28 Mar 2027, just before and after the jump.
        let before = Utc.with_ymd_and_hms(2027, 3, 28, 0, 59, 0).unwrap();
        let after = Utc.with_ymd_and_hms(2027, 3, 28, 1, 0, 0).unwrap();
        assert_eq!(time_of_day(before), "01:59");
        assert_eq!(time_of_day(after), "03:00");
    }

    #[test]
    fn a_language_code_reads_leniently() {
        assert_eq!(Lang::from_code("EN"), Lang::En);
        assert_eq!(Lang::from_code("it"), Lang::It);
        assert_eq!(Lang::from_code("xx"), Lang::It);
    }
}
