//! Drafts of the booking wizard as the application layer handles them: restored with
//! [`Wizard::restore`] against what the catalog and the slots last listed offer, saved
//! durably, listed as views, and booked in one request.

use super::{AppError, Booked, RequestError};
use crate::agenda::Agenda;
use crate::store::{Draft, DraftState};
use crate::wire::Slot;
use agenda_core::wizard::SlotOption;
use agenda_core::{
    CommunicationId, FiscalCode, OfficeCode, PointCode, Wizard, WizardContext, WizardInput,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

/// The id of a draft: `<fiscal code>~<communication id>` (one draft per communication).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftId {
    /// The contributor.
    pub fiscal_code: FiscalCode,
    /// The communication.
    pub communication_id: CommunicationId,
}

impl DraftId {
    /// The id of the draft of `wizard`.
    pub fn of(wizard: &Wizard) -> Self {
        Self {
            fiscal_code: wizard.fiscal_code().clone(),
            communication_id: wizard.communication().clone(),
        }
    }

    /// Parses an id given by the UI.
    pub fn parse(text: &str) -> Result<Self, RequestError> {
        let (code, communication) = text.split_once('~').ok_or(RequestError::InvalidDraftId)?;
        Ok(Self {
            fiscal_code: FiscalCode::parse(code).map_err(|_| RequestError::InvalidDraftId)?,
            communication_id: CommunicationId::parse(communication)
                .map_err(|_| RequestError::InvalidDraftId)?,
        })
    }
}

impl std::fmt::Display for DraftId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}~{}", self.fiscal_code.as_str(), self.communication_id)
    }
}

impl Serialize for DraftId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Acknowledgement of a durable save.
#[derive(Debug, Serialize)]
pub struct SavedView {
    /// The draft's id.
    pub id: DraftId,
    /// When it was saved.
    pub saved_at: DateTime<Utc>,
}

/// Where a draft stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DraftStatus {
    /// Being edited.
    Draft,
    /// Waiting to be sent.
    Queued,
    /// Held by the service (to confirm) or sent back (to change).
    NeedsAttention,
}

/// Why the service sent a draft back.
#[derive(Debug, Serialize)]
pub struct ProblemView {
    /// What kind of refusal it was.
    pub kind: agenda_core::ErrorKind,
    /// Italian sentence.
    pub message: String,
    /// First allowed day, for `not_eligible_yet`.
    pub allowed_from: Option<NaiveDate>,
    /// Nearest free slots, for `slot_taken`.
    pub alternatives: Vec<Slot>,
}

/// A draft as the Bozze screen shows it and the wizard resumes it.
#[derive(Debug, Serialize)]
pub struct DraftView {
    /// Its id.
    pub id: DraftId,
    /// The wizard's choices and contact fields, as the UI sends them.
    #[serde(flatten)]
    pub input: WizardInput,
    /// The contributor's name, when known.
    pub contributor_name: Option<String>,
    /// The argomento's label, when known.
    pub topic_label: Option<String>,
    /// The step it reopens on (core's [`WizardInput::resume_step`]).
    pub resume_step: agenda_core::Step,
    /// Where it stands.
    pub state: DraftStatus,
    /// The held appointment, when the service holds a slot.
    pub appointment_id: Option<String>,
    /// Until when the slot is held.
    pub hold_expires_at: Option<String>,
    /// Why the service sent it back.
    pub problem: Option<ProblemView>,
    /// Last save.
    pub updated_at: DateTime<Utc>,
}

impl Agenda {
    /// The wizard of `input`, checked against what is offered now: the catalog's points and
    /// strutture, and the chosen slot as the last listing of its week showed it (a slot
    /// never listed on this PC, e.g. offline, is kept: the service decides when the
    /// booking is sent). Without any catalog (never loaded, offline) the choices are kept
    /// as typed for the same reason. A point of one struttura chosen in step 1 becomes the
    /// chosen struttura's own point of that kind.
    pub async fn restore_wizard(&self, input: &WizardInput) -> Result<Wizard, AppError> {
        let mut input = input.clone();
        // An empty catalog (offline, never loaded) knows nothing: it would drop every choice.
        let catalog = self.catalog().await.ok().filter(|c| !c.is_empty());
        if let (Some(catalog), Some(point), Some(office)) =
            (&catalog, &input.consultation_point, &input.office_code)
        {
            let own = catalog.point_at_office(point.as_str(), office.as_str());
            if let Some(own) = own.and_then(|own| PointCode::parse(&own.code).ok()) {
                input.consultation_point = Some(own);
            }
        }
        let mut ctx = match &catalog {
            Some(catalog) => catalog.wizard_context(
                input.topic_code.as_str(),
                input.consultation_point.as_ref().map(PointCode::as_str),
            ),
            None => context_of(&input),
        };
        if let (Some(point), Some(office), Some(start)) = (
            &input.consultation_point,
            &input.office_code,
            &input.slot_start,
        ) {
            let (point, office, start) = (point.as_str(), office.as_str(), start.as_str());
            if self.memory().slot_is_free(office, point, start) != Some(false) {
                ctx.slots.push(SlotOption {
                    office_code: office.to_owned(),
                    point_code: point.to_owned(),
                    start: start.to_owned(),
                });
            }
        }
        Wizard::restore(&input, &ctx).map_err(|e| RequestError::Wizard(e).into())
    }

    /// Saves the wizard of `input` durably (encrypted; survives a crash once this returns).
    pub async fn save_input(&self, input: &WizardInput) -> Result<SavedView, AppError> {
        let wizard = self.restore_wizard(input).await?;
        let saved = self.save_draft(&wizard)?;
        Ok(SavedView {
            id: DraftId::of(&wizard),
            saved_at: saved.saved_at,
        })
    }

    /// "Prenota Appuntamento" in one request: the draft of `input` is saved, queued with
    /// its idempotency key and sent; the outcome is what the screen shows.
    pub async fn book_input(&self, input: &WizardInput) -> Result<Booked, AppError> {
        let wizard = self.restore_wizard(input).await?;
        self.save_draft(&wizard)?;
        let booked = self
            .book_draft(wizard.fiscal_code(), wizard.communication_id())
            .await?;
        if let Booked::Returned(problem) = &booked {
            self.remember_alternatives(&wizard, &problem.alternatives);
        }
        Ok(booked)
    }

    /// The alternatives the service offered are free now, whatever an older listing said.
    fn remember_alternatives(&self, wizard: &Wizard, alternatives: &[Slot]) {
        if let (Some(office), Some(point)) = (wizard.office_code(), wizard.consultation_point()) {
            self.memory().remember_slots(office, point, alternatives);
        }
    }

    /// Every draft on this PC for the signed-in operator, newest first.
    pub async fn draft_views(&self) -> Result<Vec<DraftView>, AppError> {
        // Offline and never loaded, the labels are simply not shown.
        let catalog = self.catalog().await.ok();
        let store = self.store()?;
        let mut drafts: Vec<DraftView> = self
            .drafts()?
            .into_iter()
            .map(|draft| {
                if let Some(problem) = &draft.problem {
                    self.remember_alternatives(&draft.wizard, &problem.alternatives);
                }
                let name = store
                    .contributor(draft.wizard.fiscal_code())
                    .ok()
                    .flatten()
                    .map(|c| c.display_name);
                let topic = catalog
                    .as_ref()
                    .map(|c| c.topic_label(draft.wizard.topic_code()));
                view_of(draft, name, topic)
            })
            .collect();
        drafts.sort_by_key(|d| std::cmp::Reverse(d.updated_at));
        Ok(drafts)
    }

    /// Deletes a draft that is not waiting for the service (true if there was one).
    pub fn discard(&self, id: &DraftId) -> Result<bool, AppError> {
        Ok(self.discard_draft(&id.fiscal_code, id.communication_id.as_str())?)
    }
}

/// The context a draft's own choices describe (when no catalog is known).
fn context_of(input: &WizardInput) -> WizardContext {
    WizardContext {
        points: match (&input.consultation_point, input.channel) {
            (Some(code), Some(channel)) => vec![agenda_core::wizard::PointOption {
                code: code.to_string(),
                channel,
                office_code: None,
            }],
            _ => Vec::new(),
        },
        offices: input
            .office_code
            .iter()
            .map(OfficeCode::to_string)
            .collect(),
        slots: Vec::new(),
    }
}

fn view_of(
    draft: Draft,
    contributor_name: Option<String>,
    topic_label: Option<String>,
) -> DraftView {
    let (state, appointment_id, hold_expires_at) = match &draft.state {
        DraftState::Editing if draft.problem.is_some() => (DraftStatus::NeedsAttention, None, None),
        DraftState::Editing => (DraftStatus::Draft, None, None),
        DraftState::Queued => (DraftStatus::Queued, None, None),
        DraftState::Held {
            appointment_id,
            hold_expires_at,
        } => (
            DraftStatus::NeedsAttention,
            Some(appointment_id.as_str().to_owned()),
            hold_expires_at.map(agenda_core::time::format_rfc3339),
        ),
    };
    let input = WizardInput::from(&draft.wizard);
    DraftView {
        id: DraftId::of(&draft.wizard),
        resume_step: input.resume_step(),
        input,
        contributor_name,
        topic_label,
        state,
        appointment_id,
        hold_expires_at,
        problem: draft.problem.map(|p| ProblemView {
            // The service sent it back: a refusal (a 4xx) unless its code says more.
            kind: agenda_core::ErrorKind::of(&p.code, Some(400)),
            message: crate::app::capitalise(&p.message),
            allowed_from: p.allowed_from,
            alternatives: p.alternatives,
        }),
        updated_at: draft.updated_at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draft_ids_round_trip_and_bad_ones_are_refused() {
        let id = DraftId::parse("RSSMRA80A01H501U~COM-1").unwrap();
        assert_eq!(id.communication_id.as_str(), "COM-1");
        assert_eq!(DraftId::parse(&id.to_string()).unwrap(), id);
        for bad in ["", "COM-1", "RSSMRA80A01H501U~", "XXXXXXXXXXXXXXXX~COM-1"] {
            assert_eq!(
                DraftId::parse(bad),
                Err(RequestError::InvalidDraftId),
                "{bad}"
            );
        }
    }
}
