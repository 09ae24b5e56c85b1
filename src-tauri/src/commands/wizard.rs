//! The booking wizard: options for each step, contact validation, and the booking actions
//! (Prenota Appuntamento, Conferma Appuntamento, Cancella Prenotazione).

use crate::error::{capitalise, sentence};
use crate::{AppState, CommandError};
use agenda_client::app::{AppointmentView, Booked, OfficeView, WizardOptions};
use agenda_client::store::ReturnedProblem;
use agenda_client::Slot;
use agenda_core::notes::MAX_NOTES_CHARS;
use agenda_core::{Notes, PhoneNumber, WizardInput};
use serde::Serialize;
use tauri::State;

/// Step 1: the argomento of a communication and the punti di consulenza for it.
#[tauri::command]
pub async fn wizard_options(
    state: State<'_, AppState>,
    communication_id: String,
) -> Result<WizardOptions, CommandError> {
    let agenda = state.agenda().await?;
    Ok(agenda.wizard_options(communication_id.trim()).await?)
}

/// Step 2: the strutture offering the kind of `point_code` for `topic_code`.
#[tauri::command]
pub async fn list_offices(
    state: State<'_, AppState>,
    topic_code: String,
    point_code: String,
) -> Result<Vec<OfficeView>, CommandError> {
    let agenda = state.agenda().await?;
    Ok(agenda.offices_for(&topic_code, &point_code).await?)
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
    let (from, to) = (super::parse_date(from)?, super::parse_date(to)?);
    let agenda = state.agenda().await?;
    Ok(agenda
        .slots_for(&office_code, &point_code, topic_code, from, to)
        .await?)
}

/// The verdict on one contact field.
#[derive(Debug, Serialize)]
pub struct FieldCheck {
    /// True when valid.
    pub ok: bool,
    /// Why not, in Italian (`null` when valid).
    pub message: Option<String>,
    /// The normalised phone number (E.164), for the phone field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub e164: Option<String>,
    /// Characters counted (notes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub length: Option<usize>,
    /// The most characters allowed (notes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<usize>,
}

/// The verdict on telefono and note.
#[derive(Debug, Serialize)]
pub struct ContactCheck {
    /// Telefono.
    pub phone: FieldCheck,
    /// Note.
    pub notes: FieldCheck,
}

/// Checks telefono and note with the rules of `agenda-core`, as the operator types.
#[tauri::command]
pub fn validate_contact(phone: String, notes: String) -> ContactCheck {
    check_contact(&phone, &notes)
}

/// The plain function behind [`validate_contact`].
pub fn check_contact(phone: &str, notes: &str) -> ContactCheck {
    let phone = match PhoneNumber::parse(phone) {
        Ok(number) => FieldCheck {
            ok: true,
            message: None,
            e164: Some(number.e164().to_owned()),
            length: None,
            max: None,
        },
        Err(e) => FieldCheck {
            ok: false,
            message: Some(sentence(&e.to_string())),
            e164: None,
            length: None,
            max: None,
        },
    };
    let length = notes.trim().chars().count();
    let notes = FieldCheck {
        ok: Notes::parse(notes).is_ok(),
        message: Notes::parse(notes).err().map(|e| sentence(&e.to_string())),
        e164: None,
        length: Some(length),
        max: Some(MAX_NOTES_CHARS),
    };
    ContactCheck { phone, notes }
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
    match state.agenda().await?.book_input(&draft).await? {
        Booked::Appointment(appointment) => Ok(BookDto::Booked { appointment }),
        Booked::Queued { needs_sign_in } => Ok(BookDto::Queued { needs_sign_in }),
        Booked::Returned(problem) => Err(returned_error(&problem)),
    }
}

/// The error the UI shows for a booking the service sent back.
fn returned_error(problem: &ReturnedProblem) -> CommandError {
    let mut error = CommandError::new(&problem.code, capitalise(&problem.message));
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
    Ok(state.agenda().await?.confirm_view(&id).await?)
}

/// "Cancella Prenotazione": releases a held slot.
#[tauri::command]
pub async fn cancel_booking(
    state: State<'_, AppState>,
    id: String,
) -> Result<AppointmentView, CommandError> {
    let id = super::appointment_id(&id)?;
    Ok(state.agenda().await?.cancel_hold_view(&id).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_valid_phone_is_normalised_and_empty_notes_are_refused() {
        let check = check_contact("333 123 4567", "   ");
        assert!(check.phone.ok);
        assert_eq!(check.phone.e164.as_deref(), Some("+393331234567"));
        assert!(!check.notes.ok);
        assert!(check.notes.message.is_some());
        assert_eq!(check.notes.length, Some(0));
    }

    #[test]
    fn a_premium_number_is_refused_with_a_sentence() {
        let check = check_contact("899 123456", "Richiesta chiarimenti");
        assert!(!check.phone.ok);
        let message = check.phone.message.unwrap();
        assert!(message.ends_with('.'));
        assert!(message.chars().next().unwrap().is_uppercase());
        assert!(check.notes.ok);
    }
}
