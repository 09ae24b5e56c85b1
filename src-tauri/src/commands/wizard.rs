//! The booking wizard: options for each step, contact validation, and the booking actions
//! (Prenota Appuntamento, Conferma Appuntamento, Cancella Prenotazione).

use crate::error::capitalise;
use crate::{AppState, CommandError};
use agenda_client::app::{AppointmentView, Booked, ContactCheck, OfficeView, WizardOptions};
use agenda_client::store::ReturnedProblem;
use agenda_client::Slot;
use agenda_core::WizardInput;
use serde::Serialize;
use tauri::State;

/// Step 1: the argomento of a communication and the punti di consulenza for it.
#[tauri::command]
pub async fn wizard_options(
    state: State<'_, AppState>,
    communication_id: String,
) -> Result<WizardOptions, CommandError> {
    let id = super::code(&communication_id)?;
    Ok(state.desk().await?.wizard_options(&id).await?)
}

/// Step 2: the strutture offering the kind of `point_code` for `topic_code`, those in the
/// province of the contributor (`fiscal_code`, when given) first.
#[tauri::command]
pub async fn list_offices(
    state: State<'_, AppState>,
    topic_code: String,
    point_code: String,
    fiscal_code: Option<String>,
) -> Result<Vec<OfficeView>, CommandError> {
    let (topic, point) = (super::code(&topic_code)?, super::code(&point_code)?);
    let contributor = fiscal_code.as_deref().map(super::fiscal_code).transpose()?;
    Ok(state
        .desk()
        .await?
        .offices_for(&topic, &point, contributor.as_ref())
        .await?)
}

/// Step 3: the slots of the chosen point at the chosen office between `from` and `to`.
#[tauri::command]
pub async fn list_slots(
    state: State<'_, AppState>,
    office_code: String,
    point_code: String,
    topic_code: Option<String>,
    from: Option<String>,
    to: Option<String>,
) -> Result<Vec<Slot>, CommandError> {
    let (office, point) = (super::code(&office_code)?, super::code(&point_code)?);
    let topic = topic_code.as_deref().map(super::code).transpose()?;
    let (from, to) = (super::parse_date(from)?, super::parse_date(to)?);
    let desk = state.desk().await?;
    Ok(desk
        .slots_for(&office, &point, topic.as_ref(), from, to)
        .await?)
}

/// Checks telefono and note with the rules of `agenda-core`, as the operator types.
#[tauri::command]
pub fn validate_contact(phone: String, notes: String) -> ContactCheck {
    agenda_client::app::check_contact(&phone, &notes)
}

/// What "Prenota Appuntamento" did.
#[derive(Debug, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum BookDto {
    /// The slot is held (or was already confirmed): the appointment and its hold expiry.
    Booked {
        /// The appointment.
        appointment: Box<AppointmentView>,
    },
    /// The service could not be reached: the booking waits in the outbox.
    Queued {
        /// Whether the operator must sign in again before it can be sent.
        needs_sign_in: bool,
    },
}

/// "Prenota Appuntamento": saves the draft as it is on screen, queues and sends it.
#[tauri::command]
pub async fn book(state: State<'_, AppState>, draft: WizardInput) -> Result<BookDto, CommandError> {
    match state.desk().await?.book_input(&draft).await? {
        Booked::Appointment(appointment) => Ok(BookDto::Booked { appointment }),
        Booked::Queued { needs_sign_in } => Ok(BookDto::Queued { needs_sign_in }),
        Booked::Returned(problem) => Err(returned_error(&problem)),
    }
}

/// The error the UI shows for a booking the service sent back.
fn returned_error(problem: &ReturnedProblem) -> CommandError {
    let mut error = CommandError::new(
        // The service sent it back: a refusal (a 4xx) unless its code says more.
        agenda_core::ErrorKind::of(&problem.code, Some(400)),
        capitalise(&problem.message),
    );
    let mut details = serde_json::Map::new();
    if let Some(date) = problem.allowed_from {
        details.insert("allowed_from".into(), date.to_string().into());
    }
    if !problem.alternatives.is_empty() {
        details.insert(
            "alternatives".into(),
            serde_json::to_value(&problem.alternatives).unwrap_or_default(),
        );
    }
    error.details = (!details.is_empty()).then_some(details.into());
    error
}

/// "Conferma Appuntamento".
#[tauri::command]
pub async fn confirm_booking(
    state: State<'_, AppState>,
    id: String,
) -> Result<AppointmentView, CommandError> {
    let id = super::appointment_id(&id)?;
    Ok(state.desk().await?.confirm_view(&id).await?)
}

/// "Cancella Prenotazione": releases a held slot.
#[tauri::command]
pub async fn cancel_booking(
    state: State<'_, AppState>,
    id: String,
) -> Result<AppointmentView, CommandError> {
    let id = super::appointment_id(&id)?;
    Ok(state.desk().await?.cancel_hold_view(&id).await?)
}
