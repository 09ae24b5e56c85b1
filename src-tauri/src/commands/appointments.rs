//! Gestione appuntamenti: the history, one appointment's details, Annulla appuntamento.

use super::ListingDto;
use crate::service::{labels, Labels};
use crate::{AppState, CommandError};
use agenda_client::{Appointment, AppointmentFilter, Communication, Office};
use agenda_core::AppointmentStatus;
use serde::Serialize;
use tauri::State;

/// An appointment with the names of its codes.
#[derive(Debug, Serialize)]
pub struct AppointmentDto {
    /// The appointment as the service gives it.
    #[serde(flatten)]
    pub appointment: Appointment,
    /// The argomento's label.
    pub topic_label: String,
    /// The punto di consulenza's label.
    pub consultation_point_label: Option<String>,
    /// The struttura's name.
    pub office_name: Option<String>,
}

/// Adds the labels of the codes of `appointment`.
pub fn enrich(appointment: Appointment, labels: &Labels) -> AppointmentDto {
    AppointmentDto {
        topic_label: labels.topic(&appointment.topic_code),
        consultation_point_label: labels
            .points
            .get(&appointment.consultation_point)
            .map(|p| p.label.clone()),
        office_name: labels
            .offices
            .get(&appointment.office_code)
            .map(|o| o.name.clone()),
        appointment,
    }
}

/// The history of a contributor, newest first, optionally filtered by stato and dates.
#[tauri::command]
pub async fn list_appointments(
    state: State<'_, AppState>,
    fiscal_code: String,
    status: Option<String>,
    from: Option<String>,
    to: Option<String>,
) -> Result<ListingDto<Vec<AppointmentDto>>, CommandError> {
    let code = super::fiscal_code(&fiscal_code)?;
    let filter = AppointmentFilter {
        status: status
            .filter(|s| !s.trim().is_empty())
            .map(|s| {
                s.trim()
                    .parse::<AppointmentStatus>()
                    .map_err(|_| CommandError::validation("Stato non valido."))
            })
            .transpose()?,
        from: super::parse_date(from)?,
        to: super::parse_date(to)?,
    };
    if let (Some(from), Some(to)) = (filter.from, filter.to) {
        if from > to {
            return Err(CommandError::validation(
                "La data iniziale è successiva alla data finale.",
            ));
        }
    }
    let agenda = state.agenda().await?;
    let listing = agenda.appointments(&code, &filter).await?;
    let labels = labels(&state, &agenda).await?;
    Ok(ListingDto::map(listing, |items| {
        items.into_iter().map(|a| enrich(a, &labels)).collect()
    }))
}

/// One appointment with its communication and office.
#[derive(Debug, Serialize)]
pub struct AppointmentDetail {
    /// The appointment.
    #[serde(flatten)]
    pub appointment: AppointmentDto,
    /// The communication it came from (`null` when it cannot be read now).
    pub communication: Option<Communication>,
    /// The struttura.
    pub office: Option<Office>,
    /// True when read from the local cache.
    pub from_cache: bool,
}

/// Details of one appointment.
#[tauri::command]
pub async fn get_appointment(
    state: State<'_, AppState>,
    id: String,
) -> Result<AppointmentDetail, CommandError> {
    let id = super::appointment_id(&id)?;
    let agenda = state.agenda().await?;
    let listing = agenda.appointment(&id).await?;
    let labels = labels(&state, &agenda).await?;
    let communication = agenda
        .communication(&listing.items.communication_id)
        .await
        .ok()
        .map(|l| l.items.communication);
    let office = labels.offices.get(&listing.items.office_code).cloned();
    Ok(AppointmentDetail {
        from_cache: listing.source == agenda_client::Source::Cache,
        appointment: enrich(listing.items, &labels),
        communication,
        office,
    })
}

/// "Annulla appuntamento": cancels a confirmed future appointment.
#[tauri::command]
pub async fn cancel_appointment(
    state: State<'_, AppState>,
    id: String,
    reason: Option<String>,
) -> Result<AppointmentDto, CommandError> {
    let id = super::appointment_id(&id)?;
    let reason = reason
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty());
    if reason.as_ref().is_some_and(|r| r.chars().count() > 500) {
        return Err(CommandError::validation(
            "Il motivo può contenere al massimo 500 caratteri.",
        ));
    }
    let agenda = state.agenda().await?;
    let appointment = agenda.cancel_appointment(&id, reason.as_deref()).await?;
    let labels = labels(&state, &agenda).await?;
    Ok(enrich(appointment, &labels))
}
