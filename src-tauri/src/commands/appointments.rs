//! Gestione appuntamenti: the history, one appointment's details, Annulla appuntamento.

use crate::{AppState, CommandError};
use agenda_client::app::{AppointmentDetail, AppointmentView, ListingView};
use agenda_client::AppointmentFilter;
use agenda_core::AppointmentStatus;
use tauri::State;

/// The history of a contributor, newest first, optionally filtered by stato and dates.
#[tauri::command]
pub async fn list_appointments(
    state: State<'_, AppState>,
    fiscal_code: String,
    status: Option<String>,
    from: Option<String>,
    to: Option<String>,
) -> Result<ListingView<Vec<AppointmentView>>, CommandError> {
    let code = super::fiscal_code(&fiscal_code)?;
    let status = status.filter(|s| !s.trim().is_empty());
    let filter = AppointmentFilter {
        status: status
            .map(|s| s.trim().parse::<AppointmentStatus>())
            .transpose()
            .map_err(|_| CommandError::validation("Stato non valido."))?,
        from: super::parse_date(from)?,
        to: super::parse_date(to)?,
    };
    Ok(state.agenda().await?.history(&code, &filter).await?)
}

/// Details of one appointment.
#[tauri::command]
pub async fn get_appointment(
    state: State<'_, AppState>,
    id: String,
) -> Result<AppointmentDetail, CommandError> {
    let id = super::appointment_id(&id)?;
    Ok(state.agenda().await?.appointment_detail(&id).await?)
}

/// "Annulla appuntamento": cancels a confirmed future appointment.
#[tauri::command]
pub async fn cancel_appointment(
    state: State<'_, AppState>,
    id: String,
    reason: Option<String>,
) -> Result<AppointmentView, CommandError> {
    let id = super::appointment_id(&id)?;
    Ok(state.agenda().await?.annul(&id, reason.as_deref()).await?)
}
