//! Gestione appuntamenti: the history, one appointment's details, Annulla appuntamento.

use crate::{AppState, CommandError};
use agenda_client::app::{
    AppointmentDetail, AppointmentView, DeskView, ListingView, Search, DESK_DAYS,
};
use agenda_client::AppointmentFilter;
use agenda_core::AppointmentStatus;
use tauri::State;

/// Agenda dello sportello: the holds awaiting confirmation, the appointments of today and the
/// next `days` days (default a week) across every delegated contributor, and the threads on
/// which an appointment may be requested (contract 1.1; `offered: false` without it).
/// `cached`: the copy kept on this computer alone, at once (`null` when none is kept).
#[tauri::command]
pub async fn desk_agenda(
    state: State<'_, AppState>,
    days: Option<u64>,
    cached: Option<bool>,
) -> Result<Option<DeskView>, CommandError> {
    let days = days.unwrap_or(DESK_DAYS).min(MAX_DESK_DAYS);
    let desk = state.desk().await?;
    if cached == Some(true) {
        return Ok(desk.cached_desk_view(days).await?);
    }
    Ok(Some(desk.desk_view(days).await?))
}

/// "Riprogramma": moves a confirmed future appointment to another slot in one step
/// (contract 1.1); the answer is the new appointment.
#[tauri::command]
pub async fn reschedule_appointment(
    state: State<'_, AppState>,
    id: String,
    slot_start: String,
    office_code: Option<String>,
    point_code: Option<String>,
) -> Result<AppointmentView, CommandError> {
    let id = super::appointment_id(&id)?;
    let start = super::code(&slot_start)?;
    let office = office_code.as_deref().map(super::code).transpose()?;
    let point = point_code.as_deref().map(super::code).transpose()?;
    let desk = state.desk().await?;
    Ok(desk
        .reschedule_view(&id, &start, office.as_ref(), point.as_ref())
        .await?)
}

/// The longest span the desk agenda shows: the booking horizon.
const MAX_DESK_DAYS: u64 = 60;

/// The history of a contributor, newest first, optionally filtered by stato and dates, and
/// by `search` ("Cerca": part of an identificativo or of the riferimento pratica).
/// `cached`: the local copy alone, at once (no network), its newest `first` items when given;
/// `drawn`: the `synced_at` of that whole copy, on screen: a refresh that finds nothing new
/// since then answers `unchanged` without items.
#[tauri::command]
#[allow(clippy::too_many_arguments)]
pub async fn list_appointments(
    state: State<'_, AppState>,
    fiscal_code: String,
    status: Option<String>,
    from: Option<String>,
    to: Option<String>,
    search: Option<String>,
    cached: Option<bool>,
    first: Option<u32>,
    drawn: Option<String>,
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
    let search = Search::new(search.as_deref().unwrap_or_default());
    let desk = state.desk().await?;
    if cached == Some(true) {
        let first = first.map(|n| n as usize);
        return Ok(desk.cached_history(&code, &filter, &search, first).await?);
    }
    // A time that does not parse only costs the rows being sent again.
    let drawn = drawn
        .as_deref()
        .and_then(|t| agenda_core::time::parse_rfc3339(t).ok())
        .map(|t| t.with_timezone(&chrono::Utc));
    Ok(desk.history(&code, &filter, &search, drawn).await?)
}

/// Details of one appointment.
#[tauri::command]
pub async fn get_appointment(
    state: State<'_, AppState>,
    id: String,
) -> Result<AppointmentDetail, CommandError> {
    let id = super::appointment_id(&id)?;
    Ok(state.desk().await?.appointment_detail(&id).await?)
}

/// "Annulla appuntamento": cancels a confirmed future appointment.
#[tauri::command]
pub async fn cancel_appointment(
    state: State<'_, AppState>,
    id: String,
    reason: Option<String>,
) -> Result<AppointmentView, CommandError> {
    let id = super::appointment_id(&id)?;
    Ok(state.desk().await?.annul(&id, reason.as_deref()).await?)
}
