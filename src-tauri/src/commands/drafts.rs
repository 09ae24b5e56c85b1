//! Drafts of the booking wizard: saved as the operator types (the UI debounces), listed to
//! resume, deleted. They live encrypted in the local store and survive crashes.

use crate::error::capitalise;
use crate::{AppState, CommandError};
use agenda_client::{Draft, DraftState, Slot};
use agenda_core::wizard::{PointOption, SlotOption};
use agenda_core::{Channel, FiscalCode, Step, Wizard, WizardAction, WizardContext};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use tauri::State;

/// A draft as the UI sends it: the wizard's choices and the contact fields as typed.
#[derive(Debug, Clone, Deserialize)]
pub struct DraftInput {
    /// The contributor.
    pub contributor_fiscal_code: String,
    /// The communication the appointment is for.
    pub communication_id: String,
    /// Its argomento.
    pub topic_code: String,
    /// The chosen punto di consulenza (kind or point), if any.
    #[serde(default)]
    pub consultation_point: Option<String>,
    /// Its channel.
    #[serde(default)]
    pub channel: Option<Channel>,
    /// The chosen struttura, if any.
    #[serde(default)]
    pub office_code: Option<String>,
    /// The chosen slot's start, exactly as the service gave it.
    #[serde(default)]
    pub slot_start: Option<String>,
    /// Telefono as typed.
    #[serde(default)]
    pub phone: String,
    /// Note as typed.
    #[serde(default)]
    pub notes: String,
    /// The step the operator is on.
    #[serde(default)]
    pub step: Option<Step>,
}

/// A draft as the UI reads it.
#[derive(Debug, Serialize)]
pub struct DraftDto {
    /// `<fiscal code>~<communication id>`.
    pub id: String,
    /// The contributor.
    pub contributor_fiscal_code: String,
    /// The contributor's name, when known.
    pub contributor_name: Option<String>,
    /// The communication.
    pub communication_id: String,
    /// Its argomento.
    pub topic_code: String,
    /// The argomento's label.
    pub topic_label: Option<String>,
    /// The chosen punto di consulenza.
    pub consultation_point: Option<String>,
    /// Its channel.
    pub channel: Option<Channel>,
    /// The chosen struttura.
    pub office_code: Option<String>,
    /// The chosen slot.
    pub slot_start: Option<String>,
    /// Telefono as typed.
    pub phone: String,
    /// Note as typed.
    pub notes: String,
    /// The step reached.
    pub step: Step,
    /// `draft`, `queued` (waiting to be sent) or `needs_attention` (held, or sent back).
    pub state: &'static str,
    /// The held appointment, when the service holds a slot.
    pub appointment_id: Option<String>,
    /// Until when the slot is held.
    pub hold_expires_at: Option<String>,
    /// Why the service sent it back.
    pub problem: Option<ProblemDto>,
    /// Last save.
    pub updated_at: DateTime<Utc>,
}

/// Why the service sent a draft back.
#[derive(Debug, Serialize)]
pub struct ProblemDto {
    /// Stable word.
    pub kind: String,
    /// Italian sentence.
    pub message: String,
    /// First allowed day, for `not_eligible_yet`.
    pub allowed_from: Option<NaiveDate>,
    /// Nearest free slots, for `slot_taken`.
    pub alternatives: Vec<Slot>,
}

/// The id of a draft: contributor and communication.
pub fn draft_id(fiscal_code: &FiscalCode, communication_id: &str) -> String {
    format!("{}~{communication_id}", fiscal_code.as_str())
}

/// Splits a draft id into contributor and communication.
pub fn draft_key(id: &str) -> Result<(FiscalCode, String), CommandError> {
    let (code, communication) = id
        .split_once('~')
        .filter(|(_, c)| !c.trim().is_empty())
        .ok_or_else(|| CommandError::validation("Bozza non valida."))?;
    Ok((super::fiscal_code(code)?, communication.trim().to_owned()))
}

/// Rebuilds the wizard from what the UI sent, replaying its steps through the state machine
/// of `agenda-core`: a choice out of order is refused, contacts are checked before *Pronto*.
/// The step reached is the one asked for or the last one the data allows.
pub fn wizard_from_input(input: &DraftInput) -> Result<Wizard, CommandError> {
    let code = super::fiscal_code(&input.contributor_fiscal_code)?;
    let mut wizard = Wizard::new(code, input.communication_id.trim(), input.topic_code.trim());
    let point = input
        .consultation_point
        .as_deref()
        .filter(|p| !p.is_empty());
    let office = input.office_code.as_deref().filter(|o| !o.is_empty());
    let slot = input.slot_start.as_deref().filter(|s| !s.is_empty());
    let context = WizardContext {
        points: match (point, input.channel) {
            (Some(point), Some(channel)) => vec![PointOption {
                code: point.to_owned(),
                channel,
                office_code: office.map(str::to_owned),
            }],
            _ => Vec::new(),
        },
        offices: office.map(str::to_owned).into_iter().collect(),
        slots: match (point, office, slot) {
            (Some(point), Some(office), Some(start)) => vec![SlotOption {
                office_code: office.to_owned(),
                point_code: point.to_owned(),
                start: start.to_owned(),
            }],
            _ => Vec::new(),
        },
    };
    let target = input.step.unwrap_or(Step::Argomento);
    let invalid = |e: agenda_core::WizardError| CommandError::new(e.code(), e.to_string());
    wizard
        .apply(WizardAction::SetPhone(input.phone.clone()), &context)
        .map_err(invalid)?;
    wizard
        .apply(WizardAction::SetNotes(input.notes.clone()), &context)
        .map_err(invalid)?;
    if let (Some(point), Some(channel)) = (point, input.channel) {
        wizard
            .apply(
                WizardAction::ChoosePoint {
                    code: point.to_owned(),
                    channel,
                    office_code: office.map(str::to_owned),
                },
                &context,
            )
            .map_err(invalid)?;
    }
    while wizard.step() < target {
        let choice = match wizard.step() {
            Step::Struttura => office.map(|code| WizardAction::ChooseOffice {
                code: code.to_owned(),
            }),
            Step::DataOra => slot.map(|start| WizardAction::ChooseSlot {
                start: start.to_owned(),
            }),
            _ => None,
        };
        if let Some(choice) = choice {
            if wizard.apply(choice, &context).is_err() {
                break;
            }
        }
        if wizard.apply(WizardAction::Next, &context).is_err() {
            break;
        }
    }
    if wizard.step() == target {
        let choice = match target {
            Step::Struttura => office.map(|code| WizardAction::ChooseOffice {
                code: code.to_owned(),
            }),
            Step::DataOra => slot.map(|start| WizardAction::ChooseSlot {
                start: start.to_owned(),
            }),
            _ => None,
        };
        if let Some(choice) = choice {
            let _ = wizard.apply(choice, &context);
        }
    }
    Ok(wizard)
}

/// Acknowledgement of a durable save.
#[derive(Debug, Serialize)]
pub struct SavedDto {
    /// The draft's id.
    pub id: String,
    /// When it was saved.
    pub saved_at: DateTime<Utc>,
}

/// Saves a draft durably (encrypted; survives a crash once this returns).
#[tauri::command]
pub async fn save_draft(
    state: State<'_, AppState>,
    draft: DraftInput,
) -> Result<SavedDto, CommandError> {
    let agenda = state.agenda().await?;
    let mut input = draft;
    // The UI picks a kind of punto di consulenza in step 1; once the struttura is known the
    // draft keeps that struttura's own point of the same kind.
    if let (Some(point), Some(office)) = (&input.consultation_point, &input.office_code) {
        if let Ok(catalog) = agenda.catalog().await {
            if let Some(own) = catalog.point_at_office(point, office) {
                input.consultation_point = Some(own.code.clone());
            }
        }
    }
    let wizard = wizard_from_input(&input)?;
    let saved = agenda.save_draft(&wizard)?;
    Ok(SavedDto {
        id: draft_id(wizard.fiscal_code(), wizard.communication_id()),
        saved_at: saved.saved_at,
    })
}

/// Every draft on this PC, newest first.
#[tauri::command]
pub async fn list_drafts(state: State<'_, AppState>) -> Result<Vec<DraftDto>, CommandError> {
    let agenda = state.agenda().await?;
    // Offline, the labels come from the local cache.
    let catalog = agenda.catalog().await.ok();
    let store = agenda.store().map_err(agenda_client::AgendaError::from)?;
    let mut drafts: Vec<DraftDto> = agenda
        .drafts()?
        .into_iter()
        .map(|draft| {
            let name = store
                .contributor(draft.wizard.fiscal_code())
                .ok()
                .flatten()
                .map(|c| c.display_name);
            let topic = catalog
                .as_ref()
                .map(|c| c.topic_label(draft.wizard.topic_code()));
            to_dto(draft, name, topic)
        })
        .collect();
    drafts.sort_by_key(|d| std::cmp::Reverse(d.updated_at));
    Ok(drafts)
}

fn to_dto(draft: Draft, contributor_name: Option<String>, topic_label: Option<String>) -> DraftDto {
    let wizard = &draft.wizard;
    let (state, appointment_id, hold_expires_at) = match &draft.state {
        DraftState::Editing if draft.problem.is_some() => ("needs_attention", None, None),
        DraftState::Editing => ("draft", None, None),
        DraftState::Queued => ("queued", None, None),
        DraftState::Held {
            appointment_id,
            hold_expires_at,
        } => (
            "needs_attention",
            Some(appointment_id.as_str().to_owned()),
            hold_expires_at.map(agenda_core::time::format_rfc3339),
        ),
    };
    DraftDto {
        id: draft_id(wizard.fiscal_code(), wizard.communication_id()),
        contributor_fiscal_code: wizard.fiscal_code().as_str().to_owned(),
        contributor_name,
        communication_id: wizard.communication_id().to_owned(),
        topic_code: wizard.topic_code().to_owned(),
        topic_label,
        consultation_point: wizard.consultation_point().map(str::to_owned),
        channel: wizard.channel(),
        office_code: wizard.office_code().map(str::to_owned),
        slot_start: wizard.slot_start().map(str::to_owned),
        phone: wizard.phone_raw().to_owned(),
        notes: wizard.notes_raw().to_owned(),
        step: wizard.step(),
        state,
        appointment_id,
        hold_expires_at,
        problem: draft.problem.map(|p| ProblemDto {
            kind: p.code,
            message: capitalise(&p.message),
            allowed_from: p.allowed_from,
            alternatives: p.alternatives,
        }),
        updated_at: draft.updated_at,
    }
}

/// Deletes a draft that is not waiting for the service.
#[tauri::command]
pub async fn delete_draft(state: State<'_, AppState>, id: String) -> Result<(), CommandError> {
    let (code, communication) = draft_key(&id)?;
    let agenda = state.agenda().await?;
    agenda.discard_draft(&code, &communication)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const CF: &str = "RSSMRA80A01H501U";

    fn input(step: Step) -> DraftInput {
        DraftInput {
            contributor_fiscal_code: CF.into(),
            communication_id: "COM-1".into(),
            topic_code: "versamenti".into(),
            consultation_point: Some("RM-DP-SPORTELLO".into()),
            channel: Some(Channel::InPresenza),
            office_code: Some("RM-DP".into()),
            slot_start: Some("2026-12-03T09:30:00+01:00".into()),
            phone: "333 1234567".into(),
            notes: "Chiarimenti sugli avvisi bonari".into(),
            step: Some(step),
        }
    }

    #[test]
    fn a_complete_draft_replays_to_the_step_asked_for() {
        for step in [
            Step::Argomento,
            Step::Struttura,
            Step::DataOra,
            Step::Contatti,
            Step::Pronto,
        ] {
            let wizard = wizard_from_input(&input(step)).unwrap();
            assert_eq!(wizard.step(), step);
            assert_eq!(wizard.office_code(), Some("RM-DP"));
        }
        let ready = wizard_from_input(&input(Step::Pronto)).unwrap();
        assert!(ready.booking_request().is_ok());
    }

    #[test]
    fn bad_contacts_stop_the_wizard_at_contatti() {
        let mut draft = input(Step::Pronto);
        draft.notes = "   ".into();
        let wizard = wizard_from_input(&draft).unwrap();
        assert_eq!(wizard.step(), Step::Contatti);
    }

    #[test]
    fn a_draft_without_a_slot_stops_at_data_e_ora() {
        let mut draft = input(Step::Pronto);
        draft.slot_start = None;
        assert_eq!(wizard_from_input(&draft).unwrap().step(), Step::DataOra);
    }

    #[test]
    fn draft_ids_round_trip_and_bad_ones_are_refused() {
        let code = FiscalCode::parse(CF).unwrap();
        let id = draft_id(&code, "COM-1");
        let (back, communication) = draft_key(&id).unwrap();
        assert_eq!(back, code);
        assert_eq!(communication, "COM-1");
        for bad in ["", "COM-1", "RSSMRA80A01H501U~", "XXXXXXXXXXXXXXXX~COM-1"] {
            assert!(draft_key(bad).is_err(), "{bad}");
        }
    }
}
