//! The demo data set (`--seed demo`): realistic, Italian, and relative to the day it is
//! seeded, so that some communications can be booked today and some not yet.
//!
//! - operators `demo` / `demo` (CNA Roma) and `formazione` / `formazione` (Confcommercio
//!   Milano), each with their own delegations;
//! - 27 contributors with valid fiscal codes built by [`FiscalCode::encode`] (three
//!   omocodic), both gestioni; the demo operator holds a valid delegation for 22 of them,
//!   an expired one for one, and none for four;
//! - ten argomenti with `appointment_after_days` from 0 to 30;
//! - thirteen INPS offices in twelve provinces, with opening hours, patron-saint days and
//!   closures, each with consultation points on all three channels;
//! - communications in every status, with their message threads, and a few appointments
//!   in the history (svolto, annullato, scaduto, prenotazione cancellata, confermato).
//!
//! The fiscal codes of the contributors worth knowing for demos and tests are constants
//! of this module.

use agenda_core::calendar;
use agenda_core::time::{rome_date, ROME};
use agenda_core::{AppointmentId, FiscalCode, Sex};
use chrono::{DateTime, Datelike, Days, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use rand::RngCore;
use rusqlite::{params, Connection, Transaction};

use crate::auth::insert_operator;
use crate::catalog::Catalog;
use crate::contributors::sort_name;

/// Username of the demo operator.
pub const DEMO_USERNAME: &str = "demo";
/// Password of the demo operator.
pub const DEMO_PASSWORD: &str = "demo";
/// Username of the second operator (another patronato, other delegations).
pub const SECOND_USERNAME: &str = "formazione";
/// Password of the second operator.
pub const SECOND_PASSWORD: &str = "formazione";

/// Rossi Mario: a communication on `anagrafica` (0 days) sent yesterday, bookable today.
pub const ELIGIBLE_FISCAL_CODE: &str = "RSSMRA68C14H501M";
/// Communication of [`ELIGIBLE_FISCAL_CODE`] that can be booked today.
pub const ELIGIBLE_COMMUNICATION: &str = "CM-100001";
/// Bianchi Giulia: a communication on `sgravi` (30 days) sent three days ago, not yet bookable.
pub const NOT_YET_FISCAL_CODE: &str = "BNCGLI75L62F205S";
/// Communication of [`NOT_YET_FISCAL_CODE`] that is not yet bookable.
pub const NOT_YET_COMMUNICATION: &str = "CM-100004";
/// Esposito Gennaro: a `non_accolta` communication, bookable at once.
pub const NON_ACCOLTA_FISCAL_CODE: &str = "SPSGNR59P19F839V";
/// Communication of [`NON_ACCOLTA_FISCAL_CODE`] that was not accepted.
pub const NON_ACCOLTA_COMMUNICATION: &str = "CM-100006";
/// Mariani Claudio: the demo operator holds no delegation for him (403 `no_delegation`).
pub const NO_DELEGATION_FISCAL_CODE: &str = "MRNCLD70E20H501J";
/// Santoro Anna: the demo operator's delegation expired yesterday (403 `no_delegation`).
pub const EXPIRED_DELEGATION_FISCAL_CODE: &str = "SNTNNA80D70A662C";
/// Romano Luca, whose fiscal code is omocodic.
pub const OMOCODIC_FISCAL_CODE: &str = "RMNLCU90A30A94QD";

struct Person {
    surname: &'static str,
    name: &'static str,
    birth: (i32, u32, u32),
    sex: Sex,
    comune: &'static str,
    gestione: &'static str,
    omocodia: u8,
    /// Which operator holds a delegation, of which kind, valid for how many days from
    /// today (negative: expired).
    delegations: &'static [(&'static str, &'static str, i64)],
}

const DEMO: &str = "op-demo";
const SECOND: &str = "op-formazione";
const PATROCINIO: &str = "mandato_patrocinio";
const CASSETTO: &str = "delega_cassetto";

#[rustfmt::skip]
const PEOPLE: &[Person] = &[
    person("Rossi", "Mario", (1968, 3, 14), Sex::Male, "H501", "artigiani", 0, &[(DEMO, PATROCINIO, 700)]),
    person("Bianchi", "Giulia", (1975, 7, 22), Sex::Female, "F205", "commercianti", 0, &[(DEMO, PATROCINIO, 420)]),
    person("Esposito", "Gennaro", (1959, 9, 19), Sex::Male, "F839", "artigiani", 0, &[(DEMO, CASSETTO, 365)]),
    person("Russo", "Francesca", (1982, 11, 5), Sex::Female, "L219", "commercianti", 0, &[(DEMO, PATROCINIO, 530)]),
    person("Romano", "Luca", (1990, 1, 30), Sex::Male, "A944", "artigiani", 1, &[(DEMO, PATROCINIO, 300)]),
    person("Colombo", "Chiara", (1971, 4, 18), Sex::Female, "D612", "commercianti", 0, &[(DEMO, CASSETTO, 250)]),
    person("Ricci", "Antonio", (1964, 6, 2), Sex::Male, "A662", "artigiani", 0, &[(DEMO, PATROCINIO, 610)]),
    person("Marino", "Rosa", (1956, 12, 12), Sex::Female, "G273", "commercianti", 2, &[(DEMO, PATROCINIO, 180)]),
    person("Greco", "Salvatore", (1979, 8, 8), Sex::Male, "D969", "artigiani", 0, &[(DEMO, CASSETTO, 90)]),
    person("Bruno", "Elena", (1986, 2, 27), Sex::Female, "L736", "commercianti", 0, &[(DEMO, PATROCINIO, 400)]),
    person("Gallo", "Stefano", (1973, 10, 15), Sex::Male, "B354", "artigiani", 0, &[(DEMO, PATROCINIO, 365)]),
    person("Conti", "Alessandra", (1988, 5, 9), Sex::Female, "L781", "commercianti", 0, &[(DEMO, CASSETTO, 200), (SECOND, PATROCINIO, 300)]),
    person("De Luca", "Vincenzo", (1962, 3, 3), Sex::Male, "F839", "artigiani", 0, &[(DEMO, PATROCINIO, 730)]),
    person("Mancini", "Paola", (1977, 9, 21), Sex::Female, "H501", "commercianti", 0, &[(DEMO, PATROCINIO, 45)]),
    person("Costa", "Davide", (1993, 7, 4), Sex::Male, "D969", "artigiani", 3, &[(DEMO, CASSETTO, 510)]),
    person("Giordano", "Silvia", (1969, 1, 17), Sex::Female, "L219", "commercianti", 0, &[(DEMO, PATROCINIO, 330)]),
    person("Rizzo", "Giuseppe", (1958, 11, 28), Sex::Male, "G273", "artigiani", 0, &[(DEMO, PATROCINIO, 600)]),
    person("Lombardi", "Marta", (1984, 6, 13), Sex::Female, "F205", "commercianti", 0, &[(DEMO, CASSETTO, 150), (SECOND, PATROCINIO, 400)]),
    person("Moretti", "Andrea", (1991, 12, 1), Sex::Male, "D612", "artigiani", 0, &[(DEMO, PATROCINIO, 275)]),
    person("Barbieri", "Laura", (1966, 8, 25), Sex::Female, "A944", "commercianti", 0, &[(DEMO, PATROCINIO, 480)]),
    person("Fontana", "Roberto", (1975, 2, 14), Sex::Male, "L781", "artigiani", 0, &[(DEMO, CASSETTO, 390)]),
    person("D'Angelo", "Niccolò", (1987, 3, 19), Sex::Male, "H501", "commercianti", 0, &[(DEMO, PATROCINIO, 365)]),
    person("Santoro", "Anna", (1980, 4, 30), Sex::Female, "A662", "commercianti", 0, &[(DEMO, PATROCINIO, -1), (SECOND, CASSETTO, 200)]),
    person("Mariani", "Claudio", (1970, 5, 20), Sex::Male, "H501", "artigiani", 0, &[(SECOND, PATROCINIO, 365)]),
    person("Rinaldi", "Federica", (1983, 10, 10), Sex::Female, "F205", "commercianti", 0, &[(SECOND, PATROCINIO, 365)]),
    person("Caruso", "Pietro", (1961, 7, 7), Sex::Male, "F839", "artigiani", 0, &[(SECOND, CASSETTO, 365)]),
    person("Ferrara", "Giorgio", (1955, 1, 9), Sex::Male, "L219", "commercianti", 2, &[]),
];

#[allow(clippy::too_many_arguments)]
const fn person(
    surname: &'static str,
    name: &'static str,
    birth: (i32, u32, u32),
    sex: Sex,
    comune: &'static str,
    gestione: &'static str,
    omocodia: u8,
    delegations: &'static [(&'static str, &'static str, i64)],
) -> Person {
    Person {
        surname,
        name,
        birth,
        sex,
        comune,
        gestione,
        omocodia,
        delegations,
    }
}

impl Person {
    fn fiscal_code(&self) -> FiscalCode {
        let (y, m, d) = self.birth;
        let birth = NaiveDate::from_ymd_opt(y, m, d).expect("seed birth dates are valid");
        let code = FiscalCode::encode(self.surname, self.name, birth, self.sex, self.comune)
            .expect("seed people have encodable data");
        if self.omocodia > 0 {
            code.omocodic_variant(self.omocodia)
        } else {
            code
        }
    }

    fn display_name(&self) -> String {
        format!("{} {}", self.surname, self.name)
    }
}

/// (code, label, appointment_after_days)
const TOPICS: &[(&str, &str, u32)] = &[
    ("anagrafica", "Anagrafica e variazione dei dati", 0),
    (
        "iscrizione",
        "Iscrizione, variazione e cessazione dell'attività",
        2,
    ),
    ("coadiuvanti", "Coadiuvanti e collaboratori familiari", 5),
    ("durc", "DURC e regolarità contributiva", 3),
    (
        "contributi_minimali",
        "Contributi sul minimale e a percentuale",
        5,
    ),
    (
        "posizione_assicurativa",
        "Posizione assicurativa ed estratto conto",
        7,
    ),
    ("rateizzazioni", "Rateizzazioni", 10),
    ("avvisi_bonari", "Avvisi bonari e recupero crediti", 14),
    ("versamenti", "Versamenti e modelli F24", 15),
    ("rimborsi", "Rimborsi e compensazioni", 20),
    (
        "sgravi",
        "Sgravi, riduzioni e agevolazioni contributive",
        30,
    ),
    (
        "riduzione_pensionati",
        "Riduzione del 50% per i pensionati con più di 65 anni",
        10,
    ),
];

struct OfficeSeed {
    code: &'static str,
    name: &'static str,
    kind: &'static str,
    address: &'static str,
    city: &'static str,
    province: &'static str,
    /// Mon..Fri intervals, then extra afternoon intervals on the given weekdays.
    mornings: &'static str,
    afternoons: &'static [(chrono::Weekday, &'static str)],
    patron: Option<(u32, u32, &'static str)>,
    /// Closures as (days from today, reason).
    closures: &'static [(u64, &'static str)],
}

use chrono::Weekday::{Fri, Mon, Thu, Tue, Wed};

const OFFICES: &[OfficeSeed] = &[
    OfficeSeed {
        code: "RM-DP",
        // The three metropolitan cities have a coordination directorate in place of the
        // provincial one (the contract's kinds are three: it is the provincial level).
        name: "Direzione di coordinamento metropolitano di Roma",
        kind: "direzione_provinciale",
        address: "Via dell'Amba Aradam 5, 00184 Roma",
        city: "Roma",
        province: "RM",
        mornings: "08:30-12:30",
        afternoons: &[(Tue, "14:30-16:30"), (Thu, "14:30-16:30")],
        patron: Some((6, 29, "Santi Pietro e Paolo")),
        closures: &[(5, "Chiusura straordinaria per interventi di manutenzione")],
    },
    OfficeSeed {
        code: "RM-EUR",
        name: "Filiale metropolitana Roma Eur",
        kind: "filiale",
        address: "Viale Aldo Ballarin 42, 00142 Roma",
        city: "Roma",
        province: "RM",
        mornings: "08:00-12:00",
        afternoons: &[(Wed, "14:00-16:00")],
        patron: Some((6, 29, "Santi Pietro e Paolo")),
        closures: &[],
    },
    OfficeSeed {
        code: "RM-CIV",
        name: "Agenzia di Civitavecchia",
        kind: "agenzia",
        address: "Via Antonio da Sangallo 7, 00053 Civitavecchia",
        city: "Civitavecchia",
        province: "RM",
        mornings: "08:30-12:00",
        afternoons: &[],
        patron: Some((4, 28, "Santa Fermina")),
        closures: &[],
    },
    OfficeSeed {
        code: "MI-DP",
        // The three metropolitan cities have a coordination directorate in place of the
        // provincial one (the contract's kinds are three: it is the provincial level).
        name: "Direzione di coordinamento metropolitano di Milano",
        kind: "direzione_provinciale",
        address: "Piazza Missori 8/10, 20122 Milano",
        city: "Milano",
        province: "MI",
        mornings: "08:30-13:00",
        afternoons: &[(Wed, "14:00-16:00")],
        patron: Some((12, 7, "Sant'Ambrogio")),
        closures: &[(9, "Chiusura straordinaria per assemblea del personale")],
    },
    OfficeSeed {
        code: "NA-DP",
        // The three metropolitan cities have a coordination directorate in place of the
        // provincial one (the contract's kinds are three: it is the provincial level).
        name: "Direzione di coordinamento metropolitano di Napoli",
        kind: "direzione_provinciale",
        address: "Via Alcide De Gasperi 55, 80133 Napoli",
        city: "Napoli",
        province: "NA",
        mornings: "08:00-12:30",
        afternoons: &[(Tue, "14:30-16:00"), (Thu, "14:30-16:00")],
        patron: Some((9, 19, "San Gennaro")),
        closures: &[(16, "Chiusura straordinaria per disinfestazione dei locali")],
    },
    OfficeSeed {
        code: "TO-DP",
        name: "Direzione provinciale di Torino",
        kind: "direzione_provinciale",
        address: "Via XX Settembre 34, 10121 Torino",
        city: "Torino",
        province: "TO",
        mornings: "08:30-12:30",
        afternoons: &[(Mon, "14:00-16:00"), (Wed, "14:00-16:00")],
        patron: Some((6, 24, "San Giovanni Battista")),
        closures: &[(
            3,
            "Chiusura straordinaria per lavori agli impianti elettrici",
        )],
    },
    OfficeSeed {
        code: "BO-DP",
        name: "Direzione provinciale di Bologna",
        kind: "direzione_provinciale",
        address: "Via Gramsci 6, 40121 Bologna",
        city: "Bologna",
        province: "BO",
        mornings: "08:30-12:30",
        afternoons: &[(Thu, "14:30-16:30")],
        patron: Some((10, 4, "San Petronio")),
        closures: &[],
    },
    OfficeSeed {
        code: "FI-DP",
        name: "Direzione provinciale di Firenze",
        kind: "direzione_provinciale",
        address: "Viale Belfiore 28/A, 50144 Firenze",
        city: "Firenze",
        province: "FI",
        mornings: "08:30-12:30",
        afternoons: &[(Tue, "14:00-16:00")],
        patron: Some((6, 24, "San Giovanni Battista")),
        closures: &[],
    },
    OfficeSeed {
        code: "BA-DP",
        name: "Direzione provinciale di Bari",
        kind: "direzione_provinciale",
        address: "Via Putignani 108, 70122 Bari",
        city: "Bari",
        province: "BA",
        mornings: "08:00-12:00",
        afternoons: &[(Tue, "15:00-17:00"), (Thu, "15:00-17:00")],
        patron: Some((12, 6, "San Nicola")),
        closures: &[],
    },
    OfficeSeed {
        code: "PA-DP",
        name: "Direzione provinciale di Palermo",
        kind: "direzione_provinciale",
        address: "Via Maggiore Toselli 5, 90143 Palermo",
        city: "Palermo",
        province: "PA",
        mornings: "08:00-12:30",
        afternoons: &[(Wed, "15:00-17:00")],
        patron: Some((7, 15, "Santa Rosalia")),
        closures: &[],
    },
    OfficeSeed {
        code: "GE-DP",
        name: "Direzione provinciale di Genova",
        kind: "direzione_provinciale",
        address: "Via Cesarea 8, 16121 Genova",
        city: "Genova",
        province: "GE",
        mornings: "08:30-12:30",
        afternoons: &[(Mon, "14:30-16:00")],
        patron: Some((6, 24, "San Giovanni Battista")),
        closures: &[],
    },
    OfficeSeed {
        code: "VE-DP",
        name: "Direzione provinciale di Venezia",
        kind: "direzione_provinciale",
        address: "Via Cappuccina 31, 30172 Venezia Mestre",
        city: "Venezia",
        province: "VE",
        mornings: "08:30-12:30",
        afternoons: &[(Thu, "14:00-16:00")],
        patron: Some((4, 25, "San Marco Evangelista")),
        closures: &[],
    },
    OfficeSeed {
        code: "CA-DP",
        name: "Direzione provinciale di Cagliari",
        kind: "direzione_provinciale",
        address: "Viale Armando Diaz 35, 09125 Cagliari",
        city: "Cagliari",
        province: "CA",
        mornings: "08:15-12:15",
        afternoons: &[(Tue, "14:30-16:30")],
        patron: Some((10, 30, "San Saturnino")),
        closures: &[],
    },
    OfficeSeed {
        code: "VR-DP",
        name: "Direzione provinciale di Verona",
        kind: "direzione_provinciale",
        address: "Via Santa Teresa 2, 37135 Verona",
        city: "Verona",
        province: "VR",
        mornings: "08:30-12:30",
        afternoons: &[(Wed, "14:30-16:30")],
        patron: Some((5, 21, "San Zeno")),
        closures: &[],
    },
];

/// Topics served at the desk and by phone.
const ALL_TOPICS: &[&str] = &[
    "anagrafica",
    "iscrizione",
    "coadiuvanti",
    "durc",
    "contributi_minimali",
    "posizione_assicurativa",
    "rateizzazioni",
    "avvisi_bonari",
    "versamenti",
    "rimborsi",
    "sgravi",
    "riduzione_pensionati",
];
/// Topics that need an expert on video.
const VIDEO_TOPICS: &[&str] = &[
    "posizione_assicurativa",
    "rateizzazioni",
    "avvisi_bonari",
    "versamenti",
    "rimborsi",
    "sgravi",
];

/// A consultation point offered by every office (or only by `only_at`).
struct PointSeed {
    suffix: &'static str,
    label: &'static str,
    channel: &'static str,
    minutes: u32,
    /// Own hours per weekday; empty: the office's hours.
    hours: &'static [(chrono::Weekday, &'static str)],
    topics: &'static [&'static str],
    only_at: Option<&'static str>,
}

const PHONE_HOURS: &str = "09:00-12:00, 14:00-16:00";

const POINTS: &[PointSeed] = &[
    PointSeed {
        suffix: "SPORTELLO",
        label: "Sportello Cassetto previdenziale artigiani e commercianti",
        channel: "in_presenza",
        minutes: 20,
        hours: &[],
        topics: ALL_TOPICS,
        only_at: None,
    },
    PointSeed {
        suffix: "TEL",
        label: "Richiamata telefonica – consulenza contributiva",
        channel: "telefonica",
        minutes: 15,
        hours: &[
            (Mon, PHONE_HOURS),
            (Tue, PHONE_HOURS),
            (Wed, PHONE_HOURS),
            (Thu, PHONE_HOURS),
            (Fri, PHONE_HOURS),
        ],
        topics: ALL_TOPICS,
        only_at: None,
    },
    PointSeed {
        suffix: "VIDEO",
        label: "Videochiamata con un esperto della sede",
        channel: "videochiamata",
        minutes: 30,
        hours: &[
            (Tue, "09:00-12:00"),
            (Wed, "14:30-16:30"),
            (Thu, "09:00-12:00"),
        ],
        topics: VIDEO_TOPICS,
        only_at: None,
    },
    PointSeed {
        suffix: "DURC",
        label: "Sportello DURC e regolarità contributiva",
        channel: "in_presenza",
        minutes: 15,
        hours: &[],
        topics: &["durc", "versamenti", "avvisi_bonari"],
        only_at: Some("RM-DP"),
    },
];

/// A communication template: (topic, status, days ago, subject, the contributor's
/// request); INPS's answers follow from the status ([`thread_messages`]).
type Thread = (&'static str, &'static str, u64, &'static str, &'static str);

const M_ANAGRAFICA: &str =
    "Buongiorno, chiedo la rettifica dell'indirizzo di residenza nel Cassetto previdenziale: dal mese scorso risiedo in un altro comune.";
const M_RATEIZZAZIONE: &str =
    "Chiedo la rateizzazione dell'avviso di addebito relativo alla seconda rata dei contributi fissi, che non riesco a versare in un'unica soluzione.";
const M_POSIZIONE: &str =
    "Nell'estratto conto non risultano accreditati i contributi del primo trimestre: chiedo una verifica della posizione assicurativa.";
const M_SGRAVI: &str =
    "Chiedo l'applicazione della riduzione contributiva del 35% prevista per i contribuenti in regime forfetario.";
const M_VERSAMENTI: &str =
    "Ho versato con F24 la terza rata dei contributi fissi ma il pagamento non risulta abbinato. Allego la quietanza.";
const M_RIMBORSI: &str =
    "Chiedo il rimborso dei contributi versati in eccedenza sul reddito d'impresa dell'anno scorso.";
const M_DURC: &str =
    "Il DURC risulta irregolare per un debito che ritengo già saldato. Chiedo la verifica della regolarità contributiva.";
const M_AVVISI: &str =
    "Ho ricevuto un avviso bonario per contributi non versati che ritengo già pagati con ravvedimento. Chiedo l'annullamento.";
const M_ISCRIZIONE: &str =
    "Comunico la cessazione dell'attività artigiana e chiedo la cancellazione dalla gestione con decorrenza dalla fine del mese.";
const M_COADIUVANTI: &str =
    "Chiedo l'iscrizione di mio figlio come coadiuvante familiare: collabora con continuità nell'attività artigiana dall'inizio dell'anno.";
const M_PENSIONATI: &str =
    "Sono titolare di pensione e ho compiuto 65 anni: chiedo l'applicazione della riduzione del 50% dei contributi prevista per i pensionati con più di 65 anni.";
const M_MINIMALI: &str =
    "Chiedo chiarimenti sul calcolo dei contributi a percentuale eccedenti il minimale per l'anno in corso.";

/// The communications of each person, by index in [`PEOPLE`]; ids follow in order from
/// `CM-100001`.
#[rustfmt::skip]
const THREADS: &[(usize, Thread)] = &[
    (0, ("anagrafica", "inviata", 1, "Variazione dell'indirizzo di residenza", M_ANAGRAFICA)),
    (0, ("rateizzazioni", "in_lavorazione", 4, "Richiesta di rateizzazione dell'avviso di addebito", M_RATEIZZAZIONE)),
    (0, ("posizione_assicurativa", "chiusa", 70, "Contributi non accreditati nell'estratto conto", M_POSIZIONE)),
    (1, ("sgravi", "inviata", 3, "Riduzione contributiva per regime forfetario", M_SGRAVI)),
    (1, ("versamenti", "accolta", 40, "Versamento F24 non abbinato", M_VERSAMENTI)),
    (2, ("rimborsi", "non_accolta", 2, "Rimborso di contributi versati in eccedenza", M_RIMBORSI)),
    (2, ("durc", "in_lavorazione", 1, "DURC irregolare per debito già saldato", M_DURC)),
    (3, ("versamenti", "accolta", 25, "Versamento F24 non abbinato", M_VERSAMENTI)),
    (3, ("avvisi_bonari", "inviata", 6, "Avviso bonario per contributi già versati", M_AVVISI)),
    (4, ("contributi_minimali", "in_lavorazione", 12, "Calcolo dei contributi eccedenti il minimale", M_MINIMALI)),
    (4, ("iscrizione", "chiusa", 90, "Cessazione dell'attività artigiana", M_ISCRIZIONE)),
    (5, ("rateizzazioni", "in_lavorazione", 15, "Richiesta di rateizzazione dell'avviso di addebito", M_RATEIZZAZIONE)),
    (6, ("durc", "in_lavorazione", 5, "DURC irregolare per debito già saldato", M_DURC)),
    (6, ("rimborsi", "non_accolta", 33, "Rimborso di contributi versati in eccedenza", M_RIMBORSI)),
    (7, ("posizione_assicurativa", "inviata", 2, "Contributi non accreditati nell'estratto conto", M_POSIZIONE)),
    (7, ("sgravi", "in_lavorazione", 31, "Riduzione contributiva per regime forfetario", M_SGRAVI)),
    (8, ("avvisi_bonari", "inviata", 9, "Avviso bonario per contributi già versati", M_AVVISI)),
    (9, ("anagrafica", "accolta", 8, "Variazione dell'indirizzo di residenza", M_ANAGRAFICA)),
    (9, ("versamenti", "in_lavorazione", 11, "Versamento F24 non abbinato", M_VERSAMENTI)),
    (10, ("rimborsi", "inviata", 21, "Rimborso di contributi versati in eccedenza", M_RIMBORSI)),
    (11, ("iscrizione", "inviata", 1, "Cessazione dell'attività commerciale", M_ISCRIZIONE)),
    (12, ("contributi_minimali", "chiusa", 60, "Calcolo dei contributi eccedenti il minimale", M_MINIMALI)),
    (12, ("rateizzazioni", "inviata", 2, "Richiesta di rateizzazione dell'avviso di addebito", M_RATEIZZAZIONE)),
    (13, ("posizione_assicurativa", "in_lavorazione", 7, "Contributi non accreditati nell'estratto conto", M_POSIZIONE)),
    (14, ("sgravi", "non_accolta", 4, "Riduzione contributiva per regime forfetario", M_SGRAVI)),
    (15, ("durc", "accolta", 20, "DURC irregolare per debito già saldato", M_DURC)),
    (16, ("avvisi_bonari", "in_lavorazione", 13, "Avviso bonario per contributi già versati", M_AVVISI)),
    (17, ("anagrafica", "inviata", 0, "Variazione dell'indirizzo di residenza", M_ANAGRAFICA)),
    (18, ("versamenti", "inviata", 16, "Versamento F24 non abbinato", M_VERSAMENTI)),
    (19, ("rimborsi", "in_lavorazione", 10, "Rimborso di contributi versati in eccedenza", M_RIMBORSI)),
    (20, ("contributi_minimali", "inviata", 5, "Calcolo dei contributi eccedenti il minimale", M_MINIMALI)),
    (21, ("anagrafica", "inviata", 2, "Variazione del domicilio fiscale", M_ANAGRAFICA)),
    (22, ("rateizzazioni", "inviata", 12, "Richiesta di rateizzazione dell'avviso di addebito", M_RATEIZZAZIONE)),
    (23, ("durc", "inviata", 6, "DURC irregolare per debito già saldato", M_DURC)),
    (24, ("anagrafica", "inviata", 1, "Variazione dell'indirizzo di residenza", M_ANAGRAFICA)),
    (25, ("versamenti", "non_accolta", 3, "Versamento F24 non abbinato", M_VERSAMENTI)),
    (26, ("sgravi", "inviata", 35, "Riduzione contributiva per regime forfetario", M_SGRAVI)),
    (16, ("coadiuvanti", "inviata", 3, "Iscrizione del figlio come coadiuvante familiare", M_COADIUVANTI)),
    (7, ("riduzione_pensionati", "inviata", 4, "Riduzione del 50% per pensionata con più di 65 anni", M_PENSIONATI)),
    (13, ("coadiuvanti", "in_lavorazione", 6, "Collaboratrice familiare nell'attività commerciale", M_COADIUVANTI)),
];

/// Fills an empty database with the demo data; `false` (and no change) if it has data.
pub fn seed_demo_if_empty(conn: &mut Connection, now: DateTime<Utc>) -> rusqlite::Result<bool> {
    let operators: i64 = conn.query_row("SELECT COUNT(*) FROM operators", [], |r| r.get(0))?;
    if operators > 0 {
        return Ok(false);
    }
    let tx = conn.transaction()?;
    seed(&tx, now)?;
    tx.commit()?;
    Ok(true)
}

fn seed(tx: &Transaction<'_>, now: DateTime<Utc>) -> rusqlite::Result<()> {
    let today = rome_date(now);
    insert_operator(
        tx,
        DEMO,
        DEMO_USERNAME,
        DEMO_PASSWORD,
        "Giulia Ferraro",
        "CNA Roma – Patronato EPASA-ITACO",
    )?;
    insert_operator(
        tx,
        SECOND,
        SECOND_USERNAME,
        SECOND_PASSWORD,
        "Marco Bellini",
        "Confcommercio Milano – Patronato 50&Più Enasco",
    )?;

    for (position, (code, label, days)) in TOPICS.iter().enumerate() {
        tx.execute(
            "INSERT INTO topics (code, label, appointment_after_days, position) VALUES (?1, ?2, ?3, ?4)",
            params![code, label, days, position as i64],
        )?;
    }

    for office in OFFICES {
        insert_office(tx, office, today)?;
    }

    let codes: Vec<FiscalCode> = PEOPLE.iter().map(Person::fiscal_code).collect();
    for (person, code) in PEOPLE.iter().zip(&codes) {
        let display = person.display_name();
        tx.execute(
            "INSERT INTO contributors (fiscal_code, display_name, sort_name, gestione)
             VALUES (?1, ?2, ?3, ?4)",
            params![code.as_str(), display, sort_name(&display), person.gestione],
        )?;
        for (operator, kind, days) in person.delegations {
            let valid_until = if *days >= 0 {
                today + Days::new(*days as u64)
            } else {
                today - Days::new(days.unsigned_abs())
            };
            tx.execute(
                "INSERT INTO delegations (operator_id, fiscal_code, kind, valid_until)
                 VALUES (?1, ?2, ?3, ?4)",
                params![
                    operator,
                    code.as_str(),
                    kind,
                    valid_until.format("%Y-%m-%d").to_string()
                ],
            )?;
        }
    }

    for (n, (person, (topic, status, days_ago, subject, messages))) in THREADS.iter().enumerate() {
        let id = communication_id(n);
        let sent_at = sent_at(now, *days_ago, n);
        let messages = thread_messages(messages, status, PEOPLE[*person].gestione);
        let times: Vec<DateTime<Utc>> = messages
            .iter()
            .map(|(minutes, ..)| (sent_at + Duration::minutes(*minutes)).min(now))
            .collect();
        let last = times.iter().copied().max().unwrap_or(sent_at);
        tx.execute(
            "INSERT INTO communications (id, fiscal_code, topic_code, subject, sent_at, status, last_message_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![id, codes[*person].as_str(), topic, subject, sent_at.timestamp(), status, last.timestamp()],
        )?;
        for (seq, ((_, from, text), at)) in messages.iter().zip(&times).enumerate() {
            tx.execute(
                "INSERT INTO messages (communication_id, seq, at, sender, text) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![id, seq as i64, at.timestamp(), from, text],
            )?;
        }
    }

    let catalog = Catalog::load(tx)?;
    seed_history(tx, &catalog, &codes, now)?;
    Ok(())
}

/// The messages of a thread as its status tells them: the contributor's request (about
/// their own gestione), then what INPS answered so far — nothing
/// while `inviata`, taken in charge while `in_lavorazione`, the outcome when `accolta` or
/// `non_accolta`, the outcome and the closing when `chiusa`.
fn thread_messages(
    request: &str,
    status: &str,
    gestione: &str,
) -> Vec<(i64, &'static str, String)> {
    let request = if gestione == "commercianti" {
        request.replace("attività artigiana", "attività commerciale")
    } else {
        request.to_owned()
    };
    let mut out = vec![(0, "utente", request)];
    let replies: &[(i64, &str)] = match status {
        "in_lavorazione" => &[(
            1440,
            "La richiesta è stata presa in carico ed è in lavorazione presso l'ufficio competente.",
        )],
        "accolta" => &[(
            1500,
            "Dalle verifiche la richiesta risulta fondata: la richiesta è accolta e la posizione \
             sarà aggiornata.",
        )],
        "non_accolta" => &[(
            2000,
            "La richiesta non può essere accolta sulla base della documentazione presentata. \
             È possibile chiedere un appuntamento per un approfondimento.",
        )],
        "chiusa" => &[
            (
                1440,
                "La richiesta è stata definita e la posizione è aggiornata.",
            ),
            (2880, "La comunicazione viene chiusa."),
        ],
        _ => &[],
    };
    out.extend(
        replies
            .iter()
            .map(|(minutes, text)| (*minutes, "inps", (*text).to_owned())),
    );
    out
}

/// The `appointment_after_days` of a seeded topic (0 when unknown).
fn topic_days(code: &str) -> i64 {
    TOPICS
        .iter()
        .find(|(c, ..)| *c == code)
        .map_or(0, |(_, _, days)| i64::from(*days))
}

fn communication_id(index: usize) -> String {
    format!("CM-{}", 100_001 + index)
}

/// A plausible sending time `days_ago` days before today (Europe/Rome office hours), never
/// after `now`.
fn sent_at(now: DateTime<Utc>, days_ago: u64, n: usize) -> DateTime<Utc> {
    let date = rome_date(now) - Days::new(days_ago);
    let minutes = 8 * 60 + ((n * 47) % (9 * 60)) as u32;
    let time = NaiveTime::from_hms_opt(minutes / 60, minutes % 60, 0).unwrap_or(NaiveTime::MIN);
    let at = ROME
        .from_local_datetime(&date.and_time(time))
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or(now);
    if at >= now {
        now - Duration::minutes(30)
    } else {
        at
    }
}

fn insert_office(
    tx: &Transaction<'_>,
    office: &OfficeSeed,
    today: NaiveDate,
) -> rusqlite::Result<()> {
    let mornings =
        agenda_core::OpeningHours::parse_intervals(office.mornings).expect("seed hours are valid");
    let mut hours = agenda_core::OpeningHours::weekdays(&mornings);
    for (day, extra) in office.afternoons {
        let mut intervals = hours.for_weekday(*day).to_vec();
        intervals.extend(
            agenda_core::OpeningHours::parse_intervals(extra).expect("seed hours are valid"),
        );
        hours.set(*day, intervals);
    }
    let hours_json = serde_json::to_string(&hours).expect("hours serialise");
    let (patron_month, patron_day, patron_name) = match office.patron {
        Some((m, d, name)) => (Some(m), Some(d), Some(name)),
        None => (None, None, None),
    };
    tx.execute(
        "INSERT INTO offices (code, name, kind, address, city, province, opening_hours,
            patron_month, patron_day, patron_name)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            office.code,
            office.name,
            office.kind,
            office.address,
            office.city,
            office.province,
            hours_json,
            patron_month,
            patron_day,
            patron_name
        ],
    )?;
    let mut closures: Vec<(NaiveDate, &str)> = office
        .closures
        .iter()
        .map(|(days, reason)| (today + Days::new(*days), *reason))
        .collect();
    if office.code == "RM-DP" {
        // The next 24 December: a closure announced well in advance.
        let year = if (today.month(), today.day()) <= (12, 24) {
            today.year()
        } else {
            today.year() + 1
        };
        if let Some(eve) = NaiveDate::from_ymd_opt(year, 12, 24) {
            if !closures.iter().any(|(d, _)| *d == eve) {
                closures.push((eve, "Chiusura per la vigilia di Natale"));
            }
        }
    }
    for (date, reason) in closures {
        tx.execute(
            "INSERT INTO office_closures (office_code, date, reason) VALUES (?1, ?2, ?3)",
            params![office.code, date.format("%Y-%m-%d").to_string(), reason],
        )?;
    }

    for point in POINTS {
        if point.only_at.is_some_and(|only| only != office.code) {
            continue;
        }
        let code = format!("{}-{}", office.code, point.suffix);
        let hours = (!point.hours.is_empty()).then(|| {
            let mut hours = agenda_core::OpeningHours::closed();
            for (day, spec) in point.hours {
                hours.set(
                    *day,
                    agenda_core::OpeningHours::parse_intervals(spec).expect("seed hours are valid"),
                );
            }
            serde_json::to_string(&hours).expect("hours serialise")
        });
        tx.execute(
            "INSERT INTO consultation_points (code, label, channel, office_code, slot_minutes, opening_hours)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![code, point.label, point.channel, office.code, point.minutes, hours],
        )?;
        for topic in point.topics {
            tx.execute(
                "INSERT INTO consultation_point_topics (point_code, topic_code) VALUES (?1, ?2)",
                params![code, topic],
            )?;
        }
    }
    Ok(())
}

/// The demo history: (communication index, point, days from today to search a slot from,
/// status, phone, notes). Each is an appointment the sandbox itself would have accepted:
/// the point serves the thread's topic, and it was booked once the thread was eligible
/// (test `the_seeded_history_is_what_the_service_would_have_accepted`).
const HISTORY: &[(usize, &str, i64, &str, &str, &str)] = &[
    (
        2,
        "RM-DP-SPORTELLO",
        -60,
        "svolto",
        "+393471234567",
        "Verifica dei contributi del primo trimestre non accreditati.",
    ),
    (
        4,
        "MI-DP-TEL",
        12,
        "annullato",
        "+390276543210",
        "Chiarimenti sull'abbinamento del versamento F24.",
    ),
    (
        7,
        "TO-DP-TEL",
        3,
        "confermato",
        "+393385551234",
        "Richiesta di conferma dell'abbinamento del versamento.",
    ),
    (
        11,
        "FI-DP-SPORTELLO",
        4,
        "scaduto",
        "+393209876543",
        "Documentazione per la rateizzazione dell'avviso di addebito.",
    ),
    (
        12,
        "BA-DP-TEL",
        6,
        "prenotazione_cancellata",
        "+393351112233",
        "Verifica della regolarità contributiva.",
    ),
];

/// A few appointments in the history, on real slots of real points.
fn seed_history(
    tx: &Transaction<'_>,
    catalog: &Catalog,
    codes: &[FiscalCode],
    now: DateTime<Utc>,
) -> rusqlite::Result<()> {
    let today = rome_date(now);
    for (thread, point_code, from_days, status, phone, notes) in HISTORY {
        let Some(point) = catalog.point(point_code) else {
            continue;
        };
        let (person, (topic, ..)) = THREADS[*thread];
        let start = if *from_days < 0 {
            // A past appointment: the first opening slot of that day or the next ones, by
            // the calendar only (notice and horizon do not apply to the past).
            let from = today - Days::new(from_days.unsigned_abs());
            from.iter_days()
                .take(14)
                .flat_map(|d| calendar::day_slots(&point.calendar, point.slot_minutes, d))
                .next()
        } else {
            let from = today + Days::new(*from_days as u64);
            calendar::slots(
                &point.calendar,
                point.slot_minutes,
                from,
                from + Days::new(14),
                now,
            )
            .into_iter()
            .nth(2)
        };
        let Some(slot) = start else {
            continue;
        };
        let start = slot.start.with_timezone(&Utc);
        let end = slot.end.with_timezone(&Utc);
        // Booked a few days ahead, but never before the thread allowed it.
        let (_, (_, _, days_ago, ..)) = THREADS[*thread];
        let eligible = sent_at(now, days_ago, *thread) + Duration::days(topic_days(topic));
        let created = match *status {
            "svolto" => (start - Duration::days(2)).max(eligible),
            _ => (now - Duration::days(1)).max(eligible),
        };
        let hold_expires = created + Duration::minutes(10);
        let updated = match *status {
            "svolto" => start,
            "scaduto" => hold_expires,
            "prenotazione_cancellata" => created + Duration::minutes(4),
            _ => created + Duration::minutes(3),
        };
        let mut bytes = [0u8; 8];
        rand::thread_rng().fill_bytes(&mut bytes);
        tx.execute(
            "INSERT INTO appointments (id, communication_id, fiscal_code, topic_code,
                consultation_point, channel, office_code, start_at, end_at, phone, notes, status,
                hold_expires_at, cancel_reason, operator_id, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
            params![
                AppointmentId::from_random(bytes).as_str(),
                communication_id(*thread),
                codes[person].as_str(),
                topic,
                point.code,
                point.channel.as_str(),
                point.office_code,
                start.timestamp(),
                end.timestamp(),
                phone,
                notes,
                status,
                hold_expires.timestamp(),
                (*status == "annullato").then_some("Impegno sopravvenuto del contribuente"),
                DEMO,
                created.timestamp(),
                updated.timestamp(),
            ],
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_thread_says_what_its_status_says_about_its_own_gestione() {
        for (person, (_, status, _, subject, request)) in THREADS {
            let gestione = PEOPLE[*person].gestione;
            let messages = thread_messages(request, status, gestione);
            assert_eq!(messages[0].1, "utente");
            let inps: Vec<&str> = messages
                .iter()
                .filter(|m| m.1 == "inps")
                .map(|m| m.2.as_str())
                .collect();
            let says = |words: &str| inps.iter().any(|t| t.contains(words));
            match *status {
                "inviata" => assert!(inps.is_empty(), "{subject}"),
                "non_accolta" => assert!(says("non può essere accolta"), "{subject}"),
                "accolta" => assert!(says("è accolta") && !says("non può"), "{subject}"),
                "chiusa" => assert!(says("chiusa") && !says("accolta"), "{subject}"),
                _ => assert!(!says("accolta") && !says("chiusa"), "{subject}"),
            }
            if gestione == "commercianti" {
                assert!(
                    !messages.iter().any(|m| m.2.contains("artigian"))
                        && !subject.contains("artigian"),
                    "{subject}"
                );
            }
        }
    }

    use super::*;

    #[test]
    fn the_seeded_history_is_what_the_service_would_have_accepted() {
        for (thread, point_code, from_days, status, ..) in HISTORY {
            let (_, (topic, _, days_ago, subject, _)) = THREADS[*thread];
            let point = POINTS
                .iter()
                .find(|p| point_code.ends_with(&format!("-{}", p.suffix)))
                .unwrap_or_else(|| panic!("{point_code}: no such point"));
            let office = &point_code[..point_code.len() - point.suffix.len() - 1];
            assert!(OFFICES.iter().any(|o| o.code == office), "{point_code}");
            assert!(
                point.only_at.is_none_or(|only| only == office),
                "{point_code}"
            );
            assert!(
                point.topics.contains(&topic),
                "{point_code} does not serve {topic} ({subject})"
            );
            // A past appointment took place at least a day after its thread became eligible
            // (booked then, with a day's notice: `created` is never before it).
            if *from_days < 0 {
                assert_eq!(*status, "svolto");
                let eligible_days_ago = days_ago as i64 - topic_days(topic);
                assert!(
                    -from_days < eligible_days_ago,
                    "{subject}: held {} days ago, eligible {eligible_days_ago} days ago",
                    -from_days
                );
            }
        }
    }

    #[test]
    fn the_documented_fiscal_codes_are_those_of_the_seed() {
        let code = |surname: &str| {
            PEOPLE
                .iter()
                .find(|p| p.surname == surname)
                .map(|p| p.fiscal_code().as_str().to_owned())
                .unwrap()
        };
        assert_eq!(code("Rossi"), ELIGIBLE_FISCAL_CODE);
        assert_eq!(code("Bianchi"), NOT_YET_FISCAL_CODE);
        assert_eq!(code("Esposito"), NON_ACCOLTA_FISCAL_CODE);
        assert_eq!(code("Mariani"), NO_DELEGATION_FISCAL_CODE);
        assert_eq!(code("Santoro"), EXPIRED_DELEGATION_FISCAL_CODE);
        assert_eq!(code("Romano"), OMOCODIC_FISCAL_CODE);
    }

    #[test]
    fn the_documented_communications_are_those_of_the_seed() {
        let person_of = |id: &str| {
            let n = THREADS
                .iter()
                .enumerate()
                .find(|(n, _)| communication_id(*n) == id)
                .map(|(n, _)| n)
                .unwrap();
            PEOPLE[THREADS[n].0].fiscal_code().as_str().to_owned()
        };
        assert_eq!(person_of(ELIGIBLE_COMMUNICATION), ELIGIBLE_FISCAL_CODE);
        assert_eq!(person_of(NOT_YET_COMMUNICATION), NOT_YET_FISCAL_CODE);
        assert_eq!(
            person_of(NON_ACCOLTA_COMMUNICATION),
            NON_ACCOLTA_FISCAL_CODE
        );
    }

    #[test]
    fn every_seeded_person_has_a_valid_and_distinct_fiscal_code() {
        let codes: Vec<String> = PEOPLE
            .iter()
            .map(|p| p.fiscal_code().as_str().to_owned())
            .collect();
        for code in &codes {
            assert!(FiscalCode::parse(code).is_ok(), "{code}");
        }
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), codes.len());
        assert!(PEOPLE.len() >= 20);
        assert!(
            PEOPLE
                .iter()
                .filter(|p| p.fiscal_code().is_omocodic())
                .count()
                >= 3
        );
    }

    #[test]
    fn threads_cover_every_communication_status_and_known_topics() {
        for status in [
            "inviata",
            "in_lavorazione",
            "accolta",
            "non_accolta",
            "chiusa",
        ] {
            assert!(THREADS.iter().any(|(_, t)| t.1 == status), "{status}");
        }
        for (_, thread) in THREADS {
            assert!(TOPICS.iter().any(|t| t.0 == thread.0), "{}", thread.0);
        }
    }
}
