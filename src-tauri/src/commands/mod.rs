//! The app's Tauri commands, one module per area (see `docs/ipc.md`). Each command is thin:
//! it parses its owned arguments into typed values, calls one method of the application
//! layer (`agenda_client::app`) and returns its view, with errors mapped to
//! [`CommandError`](crate::CommandError).

pub mod app;
pub mod appointments;
pub mod auth;
pub mod contributors;
pub mod drafts;
pub mod export;
pub mod privacy;
pub mod wizard;

use crate::CommandError;
use agenda_core::{AppointmentId, FiscalCode};

/// Parses a fiscal code from the UI.
pub(crate) fn fiscal_code(text: &str) -> Result<FiscalCode, CommandError> {
    FiscalCode::parse(text).map_err(|e| {
        CommandError::new(
            agenda_core::ErrorKind::InvalidFiscalCode,
            format!("Codice fiscale non valido: {e}."),
        )
    })
}

/// Parses an optional `YYYY-MM-DD` date from the UI (empty means none).
pub(crate) fn parse_date(text: Option<String>) -> Result<Option<chrono::NaiveDate>, CommandError> {
    text.filter(|t| !t.trim().is_empty())
        .map(|t| {
            chrono::NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d")
                .map_err(|_| CommandError::validation("Data non valida: usare AAAA-MM-GG."))
        })
        .transpose()
}

/// Parses a code or id of the service from the UI ([`agenda_core::codes`]).
pub(crate) fn code<T>(text: &str) -> Result<T, CommandError>
where
    T: std::str::FromStr<Err = agenda_core::InvalidCode>,
{
    text.parse().map_err(|e: agenda_core::InvalidCode| {
        CommandError::validation(format!("{}.", crate::error::capitalise(&e.to_string())))
    })
}

/// Parses an appointment id from the UI.
pub(crate) fn appointment_id(text: &str) -> Result<AppointmentId, CommandError> {
    AppointmentId::parse(text).map_err(|e| {
        CommandError::validation(format!("{}.", crate::error::capitalise(&e.to_string())))
    })
}
