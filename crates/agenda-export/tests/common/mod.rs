//! The receipt of the tests and the benchmark: Mario Rossi's appointment in Bologna on
//! Thursday 3 December 2026 at 08:00 (Rome).

use agenda_core::{AppointmentId, Channel, FiscalCode};
use agenda_export::{Lang, OfficeAddress, Receipt};
use chrono::{TimeZone, Utc};

/// The Bologna office.
pub fn bologna() -> OfficeAddress {
    OfficeAddress {
        name: "Direzione provinciale di Bologna".into(),
        address: "Via Gramsci 6".into(),
        city: "40121 Bologna".into(),
        province: "BO".into(),
    }
}

/// The receipt, in `lang`, for `channel`.
pub fn receipt(lang: Lang, channel: Channel) -> Receipt {
    Receipt {
        lang,
        organisation: "Patronato EPASA-ITACO Bologna".into(),
        id: AppointmentId::parse("AP-7K3M-Q9TX").unwrap_or_else(|e| panic!("{e}")),
        contributor_name: "Mario Rossi".into(),
        fiscal_code: FiscalCode::parse("RSSMRA85T10A562S").unwrap_or_else(|e| panic!("{e}")),
        topic: "Contributi e versamenti".into(),
        point: "Consulenza gestione artigiani".into(),
        channel,
        office_name: "Direzione provinciale di Bologna".into(),
        office: Some(bologna()),
        start: Utc.with_ymd_and_hms(2026, 12, 3, 7, 0, 0).unwrap(),
        issued_at: Utc.with_ymd_and_hms(2026, 12, 1, 9, 15, 0).unwrap(),
    }
}
