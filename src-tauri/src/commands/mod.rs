//! The app's Tauri commands, one module per area (see `docs/ipc.md`). Each command is thin:
//! it takes owned arguments and the managed state, calls the agenda facade or one plain
//! function, and maps errors to [`CommandError`](crate::CommandError).

pub mod app;
pub mod appointments;
pub mod auth;
pub mod contributors;
pub mod drafts;
pub mod wizard;

use crate::CommandError;
use agenda_core::{AppointmentId, FiscalCode};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// A listing for the UI: the items, and whether they came from the local cache.
#[derive(Debug, Serialize)]
pub struct ListingDto<T> {
    /// The data.
    pub items: T,
    /// True when the service could not be reached and the cache answered.
    pub from_cache: bool,
    /// When the data was last synced with the service.
    pub synced_at: Option<DateTime<Utc>>,
}

impl<T> ListingDto<T> {
    /// From the facade's listing, with its items mapped by `f`.
    pub fn map<U>(listing: agenda_client::Listing<U>, f: impl FnOnce(U) -> T) -> Self {
        Self {
            from_cache: listing.source == agenda_client::Source::Cache,
            synced_at: listing.last_synced_at,
            items: f(listing.items),
        }
    }
}

/// Parses a fiscal code from the UI.
pub(crate) fn fiscal_code(text: &str) -> Result<FiscalCode, CommandError> {
    FiscalCode::parse(text).map_err(|e| {
        CommandError::new(
            "invalid_fiscal_code",
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

/// Parses an appointment id from the UI.
pub(crate) fn appointment_id(text: &str) -> Result<AppointmentId, CommandError> {
    AppointmentId::parse(text).map_err(|e| {
        CommandError::validation(format!("Identificativo appuntamento non valido: {e}."))
    })
}
