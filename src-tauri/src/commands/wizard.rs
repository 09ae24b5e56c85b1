//! The booking wizard: options for each step, contact validation, and the booking actions
//! (Prenota Appuntamento, Conferma Appuntamento, Cancella Prenotazione).

use super::appointments::{enrich, AppointmentDto};
use super::drafts::draft_key;
use crate::error::{capitalise, sentence};
use crate::service::labels;
use crate::{AppState, CommandError};
use agenda_client::{
    BookingOutcome, Communication, ConsultationPoint, Office, Slot, SlotQuery, Topic,
};
use agenda_core::notes::MAX_NOTES_CHARS;
use agenda_core::{Notes, PhoneNumber};
use serde::Serialize;
use tauri::State;

/// What step 1 offers for a communication.
#[derive(Debug, Serialize)]
pub struct WizardOptions {
    /// The communication the appointment is for.
    pub communication: Communication,
    /// Its argomento.
    pub topic: Topic,
    /// The kinds of punto di consulenza offered for the argomento (one per label and
    /// channel; the struttura is chosen in step 2).
    pub points: Vec<ConsultationPoint>,
}

/// Step 1: the argomento of a communication and the punti di consulenza for it.
#[tauri::command]
pub async fn wizard_options(
    state: State<'_, AppState>,
    communication_id: String,
) -> Result<WizardOptions, CommandError> {
    let agenda = state.agenda().await?;
    let communication = agenda
        .communication(communication_id.trim())
        .await?
        .items
        .communication;
    let labels = labels(&state, &agenda).await?;
    let topic = labels
        .topics
        .get(&communication.topic_code)
        .cloned()
        .ok_or_else(|| CommandError::new("not_found", "Argomento non trovato."))?;
    let mut points: Vec<ConsultationPoint> = Vec::new();
    for point in labels.points_for_topic(&topic.code) {
        if !points
            .iter()
            .any(|p| p.label == point.label && p.channel == point.channel)
        {
            points.push(point.clone());
        }
    }
    points.sort_by(|a, b| (a.channel as u8, &a.label).cmp(&(b.channel as u8, &b.label)));
    Ok(WizardOptions {
        communication,
        topic,
        points,
    })
}

/// A struttura territoriale offering the chosen kind of punto di consulenza.
#[derive(Debug, Serialize)]
pub struct OfficeDto {
    /// The office.
    #[serde(flatten)]
    pub office: Office,
    /// The code of the punto di consulenza of the chosen kind at this office.
    pub point_code: String,
}

/// Step 2: the strutture offering the kind of `point_code` for `topic_code`.
#[tauri::command]
pub async fn list_offices(
    state: State<'_, AppState>,
    topic_code: String,
    point_code: String,
) -> Result<Vec<OfficeDto>, CommandError> {
    let agenda = state.agenda().await?;
    let labels = labels(&state, &agenda).await?;
    let kind = labels
        .points
        .get(&point_code)
        .ok_or_else(|| CommandError::new("not_found", "Punto di consulenza non trovato."))?;
    let mut offices: Vec<OfficeDto> = labels
        .points_for_topic(&topic_code)
        .into_iter()
        .filter(|p| p.label == kind.label && p.channel == kind.channel)
        .filter_map(|p| {
            let office = labels.offices.get(p.office_code.as_deref()?)?;
            Some(OfficeDto {
                office: office.clone(),
                point_code: p.code.clone(),
            })
        })
        .collect();
    offices.sort_by(|a, b| (&a.office.city, &a.office.name).cmp(&(&b.office.city, &b.office.name)));
    Ok(offices)
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
    let agenda = state.agenda().await?;
    let labels = labels(&state, &agenda).await?;
    let point = labels
        .point_at_office(&point_code, &office_code)
        .map_or(point_code.clone(), |p| p.code.clone());
    let query = SlotQuery {
        office: office_code,
        consultation_point: point,
        topic: topic_code,
        from: super::parse_date(from)?,
        to: super::parse_date(to)?,
    };
    Ok(agenda.slots(&query).await?)
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
        appointment: Box<AppointmentDto>,
    },
    /// The service could not be reached: the booking waits in the outbox.
    Queued {
        /// Whether the operator must sign in again before it can be sent.
        needs_sign_in: bool,
    },
}

/// "Prenota Appuntamento" for a saved draft.
#[tauri::command]
pub async fn book(state: State<'_, AppState>, draft_id: String) -> Result<BookDto, CommandError> {
    let (code, communication) = draft_key(&draft_id)?;
    let agenda = state.agenda().await?;
    match agenda.book(&code, &communication).await? {
        BookingOutcome::Held { appointment } | BookingOutcome::Confirmed { appointment } => {
            let labels = labels(&state, &agenda).await?;
            Ok(BookDto::Booked {
                appointment: Box::new(enrich(appointment, &labels)),
            })
        }
        BookingOutcome::Queued { needs_sign_in, .. } => Ok(BookDto::Queued { needs_sign_in }),
        BookingOutcome::Returned { problem, .. } => {
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
            Err(error)
        }
    }
}

/// "Conferma Appuntamento".
#[tauri::command]
pub async fn confirm_booking(
    state: State<'_, AppState>,
    id: String,
) -> Result<AppointmentDto, CommandError> {
    let id = super::appointment_id(&id)?;
    let agenda = state.agenda().await?;
    let appointment = agenda.confirm(&id).await?;
    let labels = labels(&state, &agenda).await?;
    Ok(enrich(appointment, &labels))
}

/// "Cancella Prenotazione": releases a held slot.
#[tauri::command]
pub async fn cancel_booking(
    state: State<'_, AppState>,
    id: String,
) -> Result<AppointmentDto, CommandError> {
    let id = super::appointment_id(&id)?;
    let agenda = state.agenda().await?;
    let appointment = agenda.cancel_hold(&id).await?;
    let labels = labels(&state, &agenda).await?;
    Ok(enrich(appointment, &labels))
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
