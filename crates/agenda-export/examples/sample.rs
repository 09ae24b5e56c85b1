//! Writes a sample receipt and calendar file: `cargo run -p agenda-export --example sample -- DIR`.
use agenda_core::{AppointmentId, Channel, FiscalCode};
use agenda_export::{receipt, Lang, OfficeAddress, Receipt};
use chrono::{TimeZone, Utc};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args().nth(1).unwrap_or_else(|| ".".into());
    let receipt_data = Receipt {
        lang: Lang::It,
        organisation: "Patronato EPASA-ITACO Bologna".into(),
        id: AppointmentId::parse("AP-7K3M-Q9TX")?,
        contributor_name: "Mario Rossi".into(),
        fiscal_code: FiscalCode::parse("RSSMRA85T10A562S")?,
        topic: "Contributi e versamenti".into(),
        point: "Consulenza gestione artigiani".into(),
        channel: Channel::InPresenza,
        office_name: "Direzione provinciale di Bologna".into(),
        office: Some(OfficeAddress {
            name: "Direzione provinciale di Bologna".into(),
            address: "Via Gramsci 6".into(),
            city: "40121 Bologna".into(),
            province: "BO".into(),
        }),
        start: Utc.with_ymd_and_hms(2026, 12, 3, 7, 0, 0).unwrap(),
        issued_at: Utc::now(),
    };
    let pdf = receipt::render(&receipt_data)?;
    std::fs::write(format!("{dir}/ricevuta.pdf"), pdf)?;
    Ok(())
}
