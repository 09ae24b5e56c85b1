//! The booking wizard as a state machine.
//!
//! Steps: [`Step::Argomento`] (argomento + punto di consulenza) → [`Step::Struttura`]
//! (struttura territoriale) → [`Step::DataOra`] (data e ora) → [`Step::Contatti`]
//! (telefono + note) → [`Step::Pronto`] (ready to book).
//!
//! Every action is checked against a [`WizardContext`], which describes what is available
//! *now* (the consultation points of the topic, the offices, the free slots). An action
//! either succeeds or returns an error and leaves the wizard untouched. Going back keeps
//! later choices only while the context still offers them. The wizard can never be in an
//! inconsistent state: a step is reached only with every earlier choice made, and a draft
//! read back with serde is checked the same way.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::codes::{blank_is_none, CommunicationId, OfficeCode, PointCode, SlotStart, TopicCode};
use crate::desk::DeskFields;
use crate::fiscal_code::FiscalCode;
use crate::notes::{Notes, NotesError};
use crate::phone::{PhoneError, PhoneNumber};
use crate::vocab::Channel;

/// A step of the wizard, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// 1: argomento and punto di consulenza.
    Argomento,
    /// 2: struttura territoriale.
    Struttura,
    /// 3: data e ora.
    DataOra,
    /// 4: contatti (telefono e note).
    Contatti,
    /// Everything chosen and valid: ready to book.
    Pronto,
}

impl Step {
    /// All steps, in order.
    pub const ALL: [Step; 5] = [
        Step::Argomento,
        Step::Struttura,
        Step::DataOra,
        Step::Contatti,
        Step::Pronto,
    ];

    /// 1-based position of the step.
    pub fn number(self) -> u8 {
        self as u8 + 1
    }

    /// The heading shown in the Italian UI.
    pub fn label_it(self) -> &'static str {
        match self {
            Step::Argomento => "Argomento e punto di consulenza",
            Step::Struttura => "Struttura territoriale",
            Step::DataOra => "Data e ora",
            Step::Contatti => "Contatti",
            Step::Pronto => "Riepilogo",
        }
    }

    fn previous(self) -> Option<Step> {
        Step::ALL.get((self as usize).checked_sub(1)?).copied()
    }

    fn next(self) -> Option<Step> {
        Step::ALL.get(self as usize + 1).copied()
    }
}

/// Something the person does in the wizard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WizardAction {
    /// Step 1: choose a consultation point (as offered by the context).
    ChoosePoint {
        /// Code of the consultation point.
        code: String,
        /// Its channel.
        channel: Channel,
        /// The office the point belongs to, if it belongs to one.
        office_code: Option<String>,
    },
    /// Step 2: choose an office.
    ChooseOffice {
        /// Code of the office.
        code: String,
    },
    /// Step 3: choose a slot, by its `start` exactly as the service gave it.
    ChooseSlot {
        /// RFC 3339 start of the slot.
        start: String,
    },
    /// Type the phone number (any step; checked when moving past *Contatti*).
    SetPhone(String),
    /// Type the notes (any step; checked when moving past *Contatti*).
    SetNotes(String),
    /// Go to the next step.
    Next,
    /// Go back one step.
    Back,
}

impl WizardAction {
    fn name(&self) -> &'static str {
        match self {
            WizardAction::ChoosePoint { .. } => "choose_point",
            WizardAction::ChooseOffice { .. } => "choose_office",
            WizardAction::ChooseSlot { .. } => "choose_slot",
            WizardAction::SetPhone(_) => "set_phone",
            WizardAction::SetNotes(_) => "set_notes",
            WizardAction::Next => "next",
            WizardAction::Back => "back",
        }
    }
}

/// A consultation point offered for the wizard's topic.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PointOption {
    /// Code of the consultation point.
    pub code: String,
    /// Its channel.
    pub channel: Channel,
    /// The only office where it is offered, or `None` when offered at every office.
    pub office_code: Option<String>,
}

/// A free slot for one office and consultation point.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SlotOption {
    /// Office of the slot.
    pub office_code: String,
    /// Consultation point of the slot.
    pub point_code: String,
    /// RFC 3339 start, exactly as the service gave it.
    pub start: String,
}

/// What is available now. Give the full picture on every action: the points of the topic,
/// the offices, and the free slots known for the chosen office and point (a choice the
/// context does not mention counts as no longer available).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WizardContext {
    /// Consultation points offered for the topic.
    pub points: Vec<PointOption>,
    /// Codes of the offices offered.
    pub offices: Vec<String>,
    /// Free slots.
    pub slots: Vec<SlotOption>,
}

impl WizardContext {
    fn point(&self, code: &str) -> Option<&PointOption> {
        self.points.iter().find(|p| p.code == code)
    }

    fn point_is_offered(&self, code: &str, channel: Channel) -> bool {
        self.point(code).is_some_and(|p| p.channel == channel)
    }

    fn office_is_offered(&self, point: &str, office: &str) -> bool {
        self.offices.iter().any(|o| o == office)
            && self
                .point(point)
                .is_some_and(|p| p.office_code.as_deref().is_none_or(|o| o == office))
    }

    fn slot_is_offered(&self, point: &str, office: &str, start: &str) -> bool {
        self.slots
            .iter()
            .any(|s| s.point_code == point && s.office_code == office && s.start == start)
    }
}

/// Why an action (or a draft) is refused. Messages are in Italian.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WizardError {
    /// The action does not belong to the current step.
    #[error("azione non consentita nel passo «{}»", .step.label_it())]
    WrongStep {
        /// The current step.
        step: Step,
        /// The refused action (`snake_case` name).
        action: &'static str,
    },
    /// `Back` on the first step.
    #[error("questo è già il primo passo")]
    AtFirstStep,
    /// The consultation point is not (or no longer) offered for the topic.
    #[error("punto di consulenza non disponibile per questo argomento")]
    PointUnavailable,
    /// The office is not offered for the chosen consultation point.
    #[error("struttura territoriale non disponibile per il punto di consulenza scelto")]
    OfficeUnavailable,
    /// The slot is not (or no longer) free.
    #[error("l'orario scelto non è più disponibile")]
    SlotUnavailable,
    /// `Next` without a consultation point.
    #[error("scegliere un punto di consulenza")]
    MissingPoint,
    /// `Next` without an office.
    #[error("scegliere una struttura territoriale")]
    MissingOffice,
    /// `Next` without a slot.
    #[error("scegliere data e ora")]
    MissingSlot,
    /// The phone number is not valid.
    #[error(transparent)]
    Phone(#[from] PhoneError),
    /// The notes are not valid.
    #[error(transparent)]
    Notes(#[from] NotesError),
    /// A booking was requested before the last step.
    #[error("completare tutti i passi prima di prenotare")]
    NotReady,
    /// A stored draft is inconsistent (e.g. a later step without an earlier choice).
    #[error("bozza di prenotazione non valida")]
    InvalidDraft,
}

impl WizardError {
    /// Stable machine word for the UI.
    pub fn code(&self) -> &'static str {
        match self {
            WizardError::WrongStep { .. } | WizardError::AtFirstStep => "wrong_step",
            WizardError::PointUnavailable => "point_unavailable",
            WizardError::OfficeUnavailable => "office_unavailable",
            WizardError::SlotUnavailable => "slot_unavailable",
            WizardError::MissingPoint | WizardError::MissingOffice | WizardError::MissingSlot => {
                "missing_choice"
            }
            WizardError::Phone(e) => e.code(),
            WizardError::Notes(e) => e.code(),
            WizardError::NotReady => "wizard_incomplete",
            WizardError::InvalidDraft => "invalid_draft",
        }
    }
}

/// The body of `POST /bookings`, built by a completed wizard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingInput {
    /// The communication the appointment comes from.
    pub communication_id: String,
    /// The contributor.
    pub fiscal_code: FiscalCode,
    /// The argomento.
    pub topic_code: String,
    /// The punto di consulenza.
    pub consultation_point: String,
    /// The struttura territoriale.
    pub office_code: String,
    /// The slot's start, exactly as the service gave it.
    pub slot_start: String,
    /// Call-back phone number.
    pub phone: PhoneNumber,
    /// Notes for the INPS officer.
    pub notes: Notes,
}

/// The booking wizard for one communication. See the [module documentation](self).
///
/// Stored (and read back) as its [`WizardInput`]; a stored wizard whose choices do not fit
/// together is refused ([`WizardError::InvalidDraft`]).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "WizardInput", try_from = "WizardInput")]
pub struct Wizard {
    fiscal_code: FiscalCode,
    communication_id: CommunicationId,
    topic_code: TopicCode,
    consultation_point: Option<PointCode>,
    channel: Option<Channel>,
    office_code: Option<OfficeCode>,
    slot_start: Option<SlotStart>,
    phone_raw: String,
    notes_raw: String,
    desk: DeskFields,
    step: Step,
}

/// The wizard as the screen holds it: its choices and the contact fields as typed, and the
/// step the operator is on. What the UI sends to save or book a draft and what it reads
/// back to resume one; [`Wizard::restore`] turns it into a wizard, checked against what is
/// available.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WizardInput {
    /// The contributor. (`fiscal_code`, `phone_raw` and `notes_raw` are the names drafts
    /// were stored with before the wizard was stored as its input.)
    #[serde(rename = "contributor_fiscal_code", alias = "fiscal_code")]
    pub fiscal_code: FiscalCode,
    /// The communication the appointment is for.
    pub communication_id: CommunicationId,
    /// Its argomento.
    pub topic_code: TopicCode,
    /// The chosen punto di consulenza, if any (blank is none).
    #[serde(default, deserialize_with = "blank_is_none")]
    pub consultation_point: Option<PointCode>,
    /// Its channel.
    #[serde(default)]
    pub channel: Option<Channel>,
    /// The chosen struttura, if any (blank is none).
    #[serde(default, deserialize_with = "blank_is_none")]
    pub office_code: Option<OfficeCode>,
    /// The chosen slot's start, exactly as the service gave it (blank is none).
    #[serde(default, deserialize_with = "blank_is_none")]
    pub slot_start: Option<SlotStart>,
    /// Telefono as typed.
    #[serde(default, alias = "phone_raw")]
    pub phone: String,
    /// Note as typed.
    #[serde(default, alias = "notes_raw")]
    pub notes: String,
    /// What the desk keeps for itself (riferimento pratica…), never sent to the service.
    #[serde(flatten)]
    pub desk: DeskFields,
    /// The step the operator is on.
    #[serde(default = "first_step")]
    pub step: Step,
}

fn first_step() -> Step {
    Step::Argomento
}

impl WizardInput {
    /// The step a saved draft reopens on: the one it was left on, but never past a choice
    /// that is missing (a draft left on Contatti without a slot reopens on Data e ora).
    /// `Pronto` reopens on Contatti, where Prenota is.
    pub fn resume_step(&self) -> Step {
        let left_on = match self.step {
            Step::Pronto => Step::Contatti,
            other => other,
        };
        let first_missing = [
            (Step::Argomento, self.consultation_point.is_some()),
            (Step::Struttura, self.office_code.is_some()),
            (Step::DataOra, self.slot_start.is_some()),
        ]
        .into_iter()
        .find(|(_, chosen)| !chosen)
        .map_or(Step::Contatti, |(step, _)| step);
        left_on.min(first_missing)
    }
}

impl Step {
    /// The choice of the draft this step must have before Avanti: its field name in
    /// [`WizardInput`] (`None` for Contatti, where telefono and note are checked by
    /// [`crate::PhoneNumber`] and [`crate::Notes`], and for Pronto).
    pub const fn requires(self) -> Option<&'static str> {
        match self {
            Step::Argomento => Some("consultation_point"),
            Step::Struttura => Some("office_code"),
            Step::DataOra => Some("slot_start"),
            Step::Contatti | Step::Pronto => None,
        }
    }
}

impl fmt::Debug for WizardInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WizardInput")
            .field("fiscal_code", &self.fiscal_code)
            .field("communication_id", &self.communication_id)
            .field("step", &self.step)
            .finish_non_exhaustive()
    }
}

impl From<&Wizard> for WizardInput {
    fn from(w: &Wizard) -> Self {
        WizardInput {
            fiscal_code: w.fiscal_code.clone(),
            communication_id: w.communication_id.clone(),
            topic_code: w.topic_code.clone(),
            consultation_point: w.consultation_point.clone(),
            channel: w.channel,
            office_code: w.office_code.clone(),
            slot_start: w.slot_start.clone(),
            phone: w.phone_raw.clone(),
            notes: w.notes_raw.clone(),
            desk: w.desk.clone(),
            step: w.step,
        }
    }
}

impl From<Wizard> for WizardInput {
    fn from(wizard: Wizard) -> Self {
        WizardInput::from(&wizard)
    }
}

impl TryFrom<WizardInput> for Wizard {
    type Error = WizardError;
    /// The wizard exactly as `input` has it (no context: a stored draft is read back as it
    /// was saved), if its choices fit together.
    fn try_from(input: WizardInput) -> Result<Self, Self::Error> {
        let wizard = Wizard {
            fiscal_code: input.fiscal_code,
            communication_id: input.communication_id,
            topic_code: input.topic_code,
            consultation_point: input.consultation_point,
            channel: input.channel,
            office_code: input.office_code,
            slot_start: input.slot_start,
            phone_raw: input.phone,
            notes_raw: input.notes,
            desk: input.desk,
            step: input.step,
        };
        if wizard.is_consistent() {
            Ok(wizard)
        } else {
            Err(WizardError::InvalidDraft)
        }
    }
}

impl Wizard {
    /// A new wizard on its first step, for a communication of a contributor.
    pub fn new(
        fiscal_code: FiscalCode,
        communication_id: CommunicationId,
        topic_code: TopicCode,
    ) -> Self {
        Wizard {
            fiscal_code,
            communication_id,
            topic_code,
            consultation_point: None,
            channel: None,
            office_code: None,
            slot_start: None,
            phone_raw: String::new(),
            notes_raw: String::new(),
            desk: DeskFields::default(),
            step: Step::Argomento,
        }
    }

    /// The wizard of `input`, replaying its choices through [`Wizard::apply`] against
    /// `ctx` (what is available now): a choice the context does not offer stops the replay
    /// there, so the wizard reaches the step asked for or, before it, the last one its
    /// valid choices allow. The contact fields are kept as typed; *Pronto* needs
    /// them valid. Empty texts count as no choice.
    pub fn restore(input: &WizardInput, ctx: &WizardContext) -> Result<Wizard, WizardError> {
        let mut wizard = Wizard::new(
            input.fiscal_code.clone(),
            input.communication_id.clone(),
            input.topic_code.clone(),
        );
        let chosen = |code: Option<&str>| code.map(str::to_owned);
        let (point, office, slot) = (
            chosen(input.consultation_point.as_ref().map(PointCode::as_str)),
            chosen(input.office_code.as_ref().map(OfficeCode::as_str)),
            chosen(input.slot_start.as_ref().map(SlotStart::as_str)),
        );
        wizard.apply(WizardAction::SetPhone(input.phone.clone()), ctx)?;
        wizard.apply(WizardAction::SetNotes(input.notes.clone()), ctx)?;
        wizard.desk = input.desk.clone();
        let choice =
            |step: Step| match step {
                Step::Argomento => point.clone().zip(input.channel).map(|(code, channel)| {
                    WizardAction::ChoosePoint {
                        office_code: ctx.point(&code).and_then(|p| p.office_code.clone()),
                        code,
                        channel,
                    }
                }),
                Step::Struttura => office
                    .clone()
                    .map(|code| WizardAction::ChooseOffice { code }),
                Step::DataOra => slot.clone().map(|start| WizardAction::ChooseSlot { start }),
                Step::Contatti | Step::Pronto => None,
            };
        // Forward as far as the choices go (a choice no longer offered is dropped and the
        // replay stops on its step), then back to the step asked for, as the operator
        // would have gone back: later choices are kept while they are still offered.
        loop {
            if let Some(action) = choice(wizard.step) {
                if wizard.apply(action, ctx).is_err() {
                    break;
                }
            }
            if wizard.apply(WizardAction::Next, ctx).is_err() {
                break;
            }
        }
        while wizard.step > input.step && wizard.apply(WizardAction::Back, ctx).is_ok() {}
        Ok(wizard)
    }

    /// The contributor.
    pub fn fiscal_code(&self) -> &FiscalCode {
        &self.fiscal_code
    }

    /// The communication the appointment is requested for.
    pub fn communication_id(&self) -> &str {
        self.communication_id.as_str()
    }

    /// The communication, as its typed id.
    pub fn communication(&self) -> &CommunicationId {
        &self.communication_id
    }

    /// The argomento.
    pub fn topic_code(&self) -> &str {
        self.topic_code.as_str()
    }

    /// The chosen consultation point.
    pub fn consultation_point(&self) -> Option<&str> {
        self.consultation_point.as_ref().map(PointCode::as_str)
    }

    /// The channel of the chosen consultation point.
    pub fn channel(&self) -> Option<Channel> {
        self.channel
    }

    /// The chosen office.
    pub fn office_code(&self) -> Option<&str> {
        self.office_code.as_ref().map(OfficeCode::as_str)
    }

    /// The chosen slot's start.
    pub fn slot_start(&self) -> Option<&str> {
        self.slot_start.as_ref().map(SlotStart::as_str)
    }

    /// The phone number as typed.
    pub fn phone_raw(&self) -> &str {
        &self.phone_raw
    }

    /// The notes as typed.
    pub fn notes_raw(&self) -> &str {
        &self.notes_raw
    }

    /// What the desk keeps for itself.
    pub fn desk(&self) -> &DeskFields {
        &self.desk
    }

    /// The current step.
    pub fn step(&self) -> Step {
        self.step
    }

    /// Applies an action. On error the wizard is left exactly as it was.
    pub fn apply(&mut self, action: WizardAction, ctx: &WizardContext) -> Result<(), WizardError> {
        let mut next = self.clone();
        next.apply_in_place(action, ctx)?;
        debug_assert!(next.is_consistent());
        *self = next;
        Ok(())
    }

    /// The booking request of a completed wizard (step [`Step::Pronto`]).
    pub fn booking_request(&self) -> Result<BookingInput, WizardError> {
        if self.step != Step::Pronto {
            return Err(WizardError::NotReady);
        }
        match (
            &self.consultation_point,
            &self.office_code,
            &self.slot_start,
        ) {
            (Some(point), Some(office), Some(slot)) => Ok(BookingInput {
                communication_id: self.communication_id.to_string(),
                fiscal_code: self.fiscal_code.clone(),
                topic_code: self.topic_code.to_string(),
                consultation_point: point.to_string(),
                office_code: office.to_string(),
                slot_start: slot.to_string(),
                phone: PhoneNumber::parse(&self.phone_raw)?,
                notes: Notes::parse(&self.notes_raw)?,
            }),
            _ => Err(WizardError::NotReady),
        }
    }

    /// Whether the state is consistent: each choice needs the earlier ones, each step needs
    /// the choices of the steps before it, and *Pronto* needs a valid phone and notes.
    /// Always true for a wizard built by [`Wizard::new`] and [`Wizard::apply`], or read back
    /// with serde.
    pub fn is_consistent(&self) -> bool {
        // Codes are never blank and a slot start is always a time: their types say so.
        self.channel.is_some() == self.consultation_point.is_some()
            && (self.office_code.is_none() || self.consultation_point.is_some())
            && (self.slot_start.is_none() || self.office_code.is_some())
            && self.step <= self.furthest_step()
    }

    /// The furthest step the current choices allow.
    fn furthest_step(&self) -> Step {
        if self.consultation_point.is_none() {
            Step::Argomento
        } else if self.office_code.is_none() {
            Step::Struttura
        } else if self.slot_start.is_none() {
            Step::DataOra
        } else if self.contacts_error().is_some() {
            Step::Contatti
        } else {
            Step::Pronto
        }
    }

    fn contacts_error(&self) -> Option<WizardError> {
        PhoneNumber::parse(&self.phone_raw)
            .err()
            .map(WizardError::from)
            .or_else(|| Notes::parse(&self.notes_raw).err().map(WizardError::from))
    }

    fn apply_in_place(
        &mut self,
        action: WizardAction,
        ctx: &WizardContext,
    ) -> Result<(), WizardError> {
        let wrong_step = WizardError::WrongStep {
            step: self.step,
            action: action.name(),
        };
        match action {
            WizardAction::ChoosePoint {
                code,
                channel,
                office_code,
            } => {
                if self.step != Step::Argomento {
                    return Err(wrong_step);
                }
                let offered = ctx
                    .point(&code)
                    .filter(|p| p.channel == channel && p.office_code == office_code)
                    .ok_or(WizardError::PointUnavailable)?;
                let code = PointCode::parse(&code).map_err(|_| WizardError::PointUnavailable)?;
                if let Some(own) = offered.office_code.as_deref() {
                    if ctx.offices.iter().any(|o| o == own) && self.office_code() != Some(own) {
                        let own =
                            OfficeCode::parse(own).map_err(|_| WizardError::OfficeUnavailable)?;
                        self.office_code = Some(own);
                        self.slot_start = None;
                    }
                }
                self.consultation_point = Some(code);
                self.channel = Some(channel);
                self.prune(ctx);
            }
            WizardAction::ChooseOffice { code } => {
                if self.step != Step::Struttura {
                    return Err(wrong_step);
                }
                self.check_choices_up_to(Step::Argomento, ctx)?;
                let point = self.consultation_point().unwrap_or_default();
                if !ctx.office_is_offered(point, &code) {
                    return Err(WizardError::OfficeUnavailable);
                }
                let code = OfficeCode::parse(&code).map_err(|_| WizardError::OfficeUnavailable)?;
                self.office_code = Some(code);
                self.prune(ctx);
            }
            WizardAction::ChooseSlot { start } => {
                if self.step != Step::DataOra {
                    return Err(wrong_step);
                }
                self.check_choices_up_to(Step::Struttura, ctx)?;
                let point = self.consultation_point().unwrap_or_default();
                let office = self.office_code().unwrap_or_default();
                if !ctx.slot_is_offered(point, office, &start) {
                    return Err(WizardError::SlotUnavailable);
                }
                let start = SlotStart::parse(&start).map_err(|_| WizardError::SlotUnavailable)?;
                self.slot_start = Some(start);
                self.prune(ctx);
            }
            WizardAction::SetPhone(text) => {
                self.phone_raw = text;
                self.clamp_step();
            }
            WizardAction::SetNotes(text) => {
                self.notes_raw = text;
                self.clamp_step();
            }
            WizardAction::Next => {
                let next = self.step.next().ok_or(wrong_step)?;
                self.check_choices_up_to(self.step, ctx)?;
                self.step = next;
                self.prune(ctx);
            }
            WizardAction::Back => {
                self.step = self.step.previous().ok_or(WizardError::AtFirstStep)?;
                self.prune(ctx);
            }
        }
        Ok(())
    }

    /// Checks, against the context, the choices made on `step` and on the steps before it.
    fn check_choices_up_to(&self, step: Step, ctx: &WizardContext) -> Result<(), WizardError> {
        let point = self.consultation_point().ok_or(WizardError::MissingPoint)?;
        let channel = self.channel.ok_or(WizardError::MissingPoint)?;
        if !ctx.point_is_offered(point, channel) {
            return Err(WizardError::PointUnavailable);
        }
        if step == Step::Argomento {
            return Ok(());
        }
        let office = self.office_code().ok_or(WizardError::MissingOffice)?;
        if !ctx.office_is_offered(point, office) {
            return Err(WizardError::OfficeUnavailable);
        }
        if step == Step::Struttura {
            return Ok(());
        }
        let slot = self.slot_start().ok_or(WizardError::MissingSlot)?;
        if !ctx.slot_is_offered(point, office, slot) {
            return Err(WizardError::SlotUnavailable);
        }
        if step == Step::DataOra {
            return Ok(());
        }
        match self.contacts_error() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// Drops the choices the context no longer offers (each with the ones that depend on
    /// it), then steps back if the current step lost a needed choice.
    fn prune(&mut self, ctx: &WizardContext) {
        let point_ok = match (self.consultation_point(), self.channel) {
            (Some(point), Some(channel)) => ctx.point_is_offered(point, channel),
            _ => false,
        };
        if !point_ok {
            self.consultation_point = None;
            self.channel = None;
            self.office_code = None;
        }
        let point = self.consultation_point().unwrap_or_default().to_owned();
        if let Some(office) = self.office_code() {
            if !ctx.office_is_offered(&point, office) {
                self.office_code = None;
            }
        }
        let office = self.office_code().unwrap_or_default().to_owned();
        if let Some(slot) = self.slot_start() {
            if self.office_code.is_none() || !ctx.slot_is_offered(&point, &office, slot) {
                self.slot_start = None;
            }
        }
        self.clamp_step();
    }

    fn clamp_step(&mut self) {
        self.step = self.step.min(self.furthest_step());
    }
}

impl fmt::Debug for Wizard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Wizard")
            .field("fiscal_code", &self.fiscal_code)
            .field("communication_id", &self.communication_id)
            .field("topic_code", &self.topic_code)
            .field("consultation_point", &self.consultation_point)
            .field("channel", &self.channel)
            .field("office_code", &self.office_code)
            .field("slot_start", &self.slot_start)
            .field(
                "phone_raw",
                &format_args!("<{} caratteri>", self.phone_raw.chars().count()),
            )
            .field(
                "notes_raw",
                &format_args!("<{} caratteri>", self.notes_raw.chars().count()),
            )
            .field("step", &self.step)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S1: &str = "2026-12-03T09:00:00+01:00";
    const S2: &str = "2026-12-03T09:30:00+01:00";

    fn point(code: &str, channel: Channel, office: Option<&str>) -> PointOption {
        PointOption {
            code: code.into(),
            channel,
            office_code: office.map(Into::into),
        }
    }

    fn slot(office: &str, point: &str, start: &str) -> SlotOption {
        SlotOption {
            office_code: office.into(),
            point_code: point.into(),
            start: start.into(),
        }
    }

    /// P1 only at O1 in person; P2 by phone anywhere; P3 by video anywhere.
    fn ctx() -> WizardContext {
        WizardContext {
            points: vec![
                point("P1", Channel::InPresenza, Some("O1")),
                point("P2", Channel::Telefonica, None),
                point("P3", Channel::Videochiamata, None),
            ],
            offices: vec!["O1".into(), "O2".into()],
            slots: vec![
                slot("O1", "P1", S1),
                slot("O1", "P2", S1),
                slot("O2", "P2", S2),
                slot("O1", "P3", S2),
            ],
        }
    }

    fn choose_point(code: &str) -> WizardAction {
        let p = ctx()
            .points
            .into_iter()
            .find(|p| p.code == code)
            .unwrap_or_else(|| point(code, Channel::Telefonica, None));
        WizardAction::ChoosePoint {
            code: p.code,
            channel: p.channel,
            office_code: p.office_code,
        }
    }

    fn office(code: &str) -> WizardAction {
        WizardAction::ChooseOffice { code: code.into() }
    }

    /// A complete input for P2 (by phone) at O2 at S2, asking for `step`.
    fn input(step: Step) -> WizardInput {
        WizardInput {
            fiscal_code: FiscalCode::parse("RSSMRA80A01H501U").unwrap(),
            communication_id: "COM-1".parse().unwrap(),
            topic_code: "versamenti".parse().unwrap(),
            consultation_point: Some("P2".parse().unwrap()),
            channel: Some(Channel::Telefonica),
            office_code: Some("O2".parse().unwrap()),
            slot_start: Some(S2.parse().unwrap()),
            phone: "333 1234567".into(),
            notes: "Chiarimenti sugli avvisi bonari".into(),
            desk: DeskFields::default(),
            step,
        }
    }

    #[test]
    fn a_draft_reopens_where_it_was_left_but_never_past_a_missing_choice() {
        assert_eq!(input(Step::DataOra).resume_step(), Step::DataOra);
        assert_eq!(input(Step::Pronto).resume_step(), Step::Contatti);
        let mut no_slot = input(Step::Contatti);
        no_slot.slot_start = None;
        assert_eq!(no_slot.resume_step(), Step::DataOra);
        let mut no_office = input(Step::Pronto);
        no_office.office_code = None;
        assert_eq!(no_office.resume_step(), Step::Struttura);
        let mut nothing = input(Step::Struttura);
        nothing.consultation_point = None;
        assert_eq!(nothing.resume_step(), Step::Argomento);
        // Each step's required choice is a field of the input.
        let json = serde_json::to_value(input(Step::Argomento)).unwrap();
        for step in Step::ALL {
            if let Some(field) = step.requires() {
                assert!(json.get(field).is_some(), "{field}");
            }
        }
    }

    #[test]
    fn a_complete_input_is_restored_at_the_step_asked_for_and_reads_back_the_same() {
        for step in Step::ALL {
            let wizard = Wizard::restore(&input(step), &ctx()).unwrap();
            assert_eq!(wizard.step(), step);
            assert_eq!(wizard.office_code(), Some("O2"));
            assert_eq!(WizardInput::from(&wizard), input(step));
        }
        assert!(Wizard::restore(&input(Step::Pronto), &ctx())
            .unwrap()
            .booking_request()
            .is_ok());
    }

    #[test]
    fn restoring_stops_where_a_choice_is_missing_invalid_or_no_longer_offered() {
        let mut bad_notes = input(Step::Pronto);
        bad_notes.notes = "   ".into();
        assert_eq!(
            Wizard::restore(&bad_notes, &ctx()).unwrap().step(),
            Step::Contatti
        );
        let mut no_slot = input(Step::Pronto);
        no_slot.slot_start = None;
        assert_eq!(
            Wizard::restore(&no_slot, &ctx()).unwrap().step(),
            Step::DataOra
        );
        let mut taken = input(Step::Pronto);
        taken.slot_start = Some(S1.parse().unwrap()); // not free for P2 at O2
        let wizard = Wizard::restore(&taken, &ctx()).unwrap();
        assert_eq!((wizard.step(), wizard.slot_start()), (Step::DataOra, None));
        let mut elsewhere = input(Step::Pronto);
        elsewhere.consultation_point = Some("P1".parse().unwrap()); // only at O1
        elsewhere.channel = Some(Channel::InPresenza);
        let wizard = Wizard::restore(&elsewhere, &ctx()).unwrap();
        assert_eq!(wizard.step(), Step::Struttura);
        assert_eq!(wizard.office_code(), Some("O1")); // its only office, to confirm
        let mut unknown = input(Step::Pronto);
        unknown.consultation_point = Some("P9".parse().unwrap());
        assert_eq!(
            Wizard::restore(&unknown, &ctx()).unwrap().step(),
            Step::Argomento
        );
        // Codes are typed: a blank id cannot be an input, a blank choice is no choice.
        let mut typed = serde_json::to_value(input(Step::Pronto)).unwrap();
        typed["office_code"] = serde_json::json!("  ");
        typed["slot_start"] = serde_json::json!("");
        typed["consultation_point"] = serde_json::Value::Null;
        let read: WizardInput = serde_json::from_value(typed.clone()).unwrap();
        assert_eq!(
            (read.consultation_point, read.office_code, read.slot_start),
            (None, None, None)
        );
        typed["communication_id"] = serde_json::json!(" ");
        assert!(serde_json::from_value::<WizardInput>(typed.clone()).is_err());
        typed["communication_id"] = serde_json::json!("COM-1");
        typed["slot_start"] = serde_json::json!("domani alle 9");
        assert!(serde_json::from_value::<WizardInput>(typed).is_err());
    }

    #[test]
    fn a_wizard_input_never_prints_the_contacts() {
        let text = format!("{:?}", input(Step::Pronto));
        assert!(
            !text.contains("333") && !text.contains("avvisi") && !text.contains("RSSMRA"),
            "{text}"
        );
    }

    fn start(s: &str) -> WizardAction {
        WizardAction::ChooseSlot { start: s.into() }
    }

    fn new_wizard() -> Wizard {
        let cf = FiscalCode::parse("RSSMRA85T10A562S").unwrap();
        Wizard::new(cf, "C-1".parse().unwrap(), "T-ISCR".parse().unwrap())
    }

    /// Applies every action, which must all succeed.
    fn run(actions: Vec<WizardAction>, ctx: &WizardContext) -> Wizard {
        let mut w = new_wizard();
        for action in actions {
            let label = format!("{action:?}");
            w.apply(action, ctx)
                .unwrap_or_else(|e| panic!("{label}: {e}"));
            assert!(w.is_consistent());
        }
        w
    }

    fn to_contacts() -> Vec<WizardAction> {
        use WizardAction::Next;
        vec![
            choose_point("P2"),
            Next,
            office("O2"),
            Next,
            start(S2),
            Next,
        ]
    }

    fn to_ready() -> Vec<WizardAction> {
        let mut actions = to_contacts();
        actions.extend([
            WizardAction::SetPhone("333 123 4567".into()),
            WizardAction::SetNotes(" Richiesta di chiarimenti ".into()),
            WizardAction::Next,
        ]);
        actions
    }

    #[test]
    fn the_happy_path_reaches_pronto_and_builds_the_booking_body() {
        let w = run(to_ready(), &ctx());
        assert_eq!(w.step(), Step::Pronto);
        assert_eq!(w.channel(), Some(Channel::Telefonica));
        let booking = w.booking_request().unwrap();
        assert_eq!(
            serde_json::to_value(&booking).unwrap(),
            serde_json::json!({
                "communication_id": "C-1",
                "fiscal_code": "RSSMRA85T10A562S",
                "topic_code": "T-ISCR",
                "consultation_point": "P2",
                "office_code": "O2",
                "slot_start": S2,
                "phone": "+393331234567",
                "notes": "Richiesta di chiarimenti",
            })
        );
    }

    #[test]
    fn the_desk_fields_are_kept_with_the_input_and_never_booked() {
        let mut typed = serde_json::to_value(input(Step::Pronto)).unwrap();
        typed["case_ref"] = serde_json::json!("  CNA-2026/17  ");
        let typed: WizardInput = serde_json::from_value(typed).unwrap();
        assert_eq!(typed.desk.case_ref.as_deref(), Some("CNA-2026/17"));
        let w = Wizard::restore(&typed, &ctx()).unwrap();
        assert_eq!(w.desk(), &typed.desk);
        let stored = serde_json::to_value(&w).unwrap();
        assert_eq!(stored["case_ref"], "CNA-2026/17");
        let read: Wizard = serde_json::from_value(stored).unwrap();
        assert_eq!(read.desk().case_ref.as_deref(), Some("CNA-2026/17"));
        let booking = serde_json::to_string(&w.booking_request().unwrap()).unwrap();
        assert!(!booking.contains("CNA-2026"), "{booking}");
    }

    #[test]
    fn a_point_tied_to_an_office_preselects_it() {
        let w = run(vec![choose_point("P1"), WizardAction::Next], &ctx());
        assert_eq!(w.step(), Step::Struttura);
        assert_eq!(w.office_code(), Some("O1"));
    }

    #[test]
    fn each_step_needs_its_choice_before_next() {
        let cases = [
            (vec![], WizardError::MissingPoint),
            (
                vec![choose_point("P2"), WizardAction::Next],
                WizardError::MissingOffice,
            ),
            (
                vec![
                    choose_point("P2"),
                    WizardAction::Next,
                    office("O2"),
                    WizardAction::Next,
                ],
                WizardError::MissingSlot,
            ),
            (to_contacts(), WizardError::Phone(PhoneError::Empty)),
        ];
        for (actions, expected) in cases {
            let mut w = run(actions, &ctx());
            let before = w.clone();
            assert_eq!(w.apply(WizardAction::Next, &ctx()), Err(expected));
            assert_eq!(w, before, "an error changes nothing");
        }
        let mut w = run(to_contacts(), &ctx());
        w.apply(WizardAction::SetPhone("3331234567".into()), &ctx())
            .unwrap();
        assert_eq!(
            w.apply(WizardAction::Next, &ctx()),
            Err(WizardError::Notes(NotesError::Empty))
        );
    }

    #[test]
    fn choices_must_be_offered_by_the_context() {
        use WizardAction::Next;
        let cases = [
            (vec![], choose_point("P9"), WizardError::PointUnavailable),
            (
                vec![],
                WizardAction::ChoosePoint {
                    code: "P2".into(),
                    channel: Channel::InPresenza,
                    office_code: None,
                },
                WizardError::PointUnavailable,
            ),
            (
                vec![choose_point("P1"), Next],
                office("O2"),
                WizardError::OfficeUnavailable,
            ),
            (
                vec![choose_point("P2"), Next],
                office("O9"),
                WizardError::OfficeUnavailable,
            ),
            (
                vec![choose_point("P2"), Next, office("O2"), Next],
                start(S1),
                WizardError::SlotUnavailable,
            ),
            (
                vec![choose_point("P2"), Next, office("O2"), Next],
                start("domani"),
                WizardError::SlotUnavailable,
            ),
        ];
        for (setup, action, expected) in cases {
            let mut w = run(setup, &ctx());
            let before = w.clone();
            assert_eq!(w.apply(action, &ctx()), Err(expected.clone()));
            assert_eq!(w, before);
            assert_ne!(expected.code(), "");
        }
    }

    #[test]
    fn actions_of_another_step_are_refused() {
        let cases = [
            (vec![], office("O1"), Step::Argomento, "choose_office"),
            (vec![], start(S1), Step::Argomento, "choose_slot"),
            (
                vec![choose_point("P2"), WizardAction::Next],
                choose_point("P3"),
                Step::Struttura,
                "choose_point",
            ),
            (to_ready(), WizardAction::Next, Step::Pronto, "next"),
        ];
        for (setup, action, step, name) in cases {
            let mut w = run(setup, &ctx());
            assert_eq!(
                w.apply(action, &ctx()),
                Err(WizardError::WrongStep { step, action: name })
            );
        }
        let mut w = new_wizard();
        assert_eq!(
            w.apply(WizardAction::Back, &ctx()),
            Err(WizardError::AtFirstStep)
        );
        assert_eq!(
            WizardError::WrongStep {
                step: Step::DataOra,
                action: "next"
            }
            .to_string(),
            "azione non consentita nel passo «Data e ora»"
        );
    }

    #[test]
    fn going_back_keeps_later_choices_while_they_are_still_offered() {
        use WizardAction::{Back, Next};
        let mut w = run(to_ready(), &ctx());
        for expected in [
            Step::Contatti,
            Step::DataOra,
            Step::Struttura,
            Step::Argomento,
        ] {
            w.apply(Back, &ctx()).unwrap();
            assert_eq!(w.step(), expected);
        }
        assert_eq!(
            (w.consultation_point(), w.office_code(), w.slot_start()),
            (Some("P2"), Some("O2"), Some(S2))
        );
        // Forward again without re-choosing anything.
        for _ in 0..4 {
            w.apply(Next, &ctx()).unwrap();
        }
        assert_eq!(w.step(), Step::Pronto);
    }

    #[test]
    fn going_back_drops_a_slot_taken_in_the_meantime() {
        let mut w = run(to_contacts(), &ctx());
        let mut taken = ctx();
        taken
            .slots
            .retain(|s| s.start != S2 || s.office_code != "O2");
        w.apply(WizardAction::Back, &taken).unwrap();
        assert_eq!(w.step(), Step::DataOra);
        assert_eq!(w.slot_start(), None);
        assert_eq!(w.office_code(), Some("O2"));
    }

    #[test]
    fn a_point_withdrawn_while_going_back_sends_the_wizard_to_the_first_step() {
        let mut w = run(to_ready(), &ctx());
        let mut changed = ctx();
        changed.points.retain(|p| p.code != "P2");
        w.apply(WizardAction::Back, &changed).unwrap();
        assert_eq!(w.step(), Step::Argomento);
        assert_eq!(
            (w.consultation_point(), w.office_code(), w.slot_start()),
            (None, None, None)
        );
        assert_eq!(w.phone_raw(), "333 123 4567", "typed contacts are kept");
    }

    #[test]
    fn changing_the_point_keeps_the_office_and_slot_only_if_still_offered() {
        use WizardAction::{Back, Next};
        // P2 at O1 with S1, then back to step 1 and switch to P3: O1 is fine for P3, S1 is not.
        let mut w = run(
            vec![
                choose_point("P2"),
                Next,
                office("O1"),
                Next,
                start(S1),
                Back,
                Back,
            ],
            &ctx(),
        );
        assert_eq!(w.step(), Step::Argomento);
        w.apply(choose_point("P3"), &ctx()).unwrap();
        assert_eq!((w.office_code(), w.slot_start()), (Some("O1"), None));
        // Switch to P1, tied to O1: S1 is offered for P1 at O1, so it is kept.
        let mut w = run(
            vec![
                choose_point("P2"),
                Next,
                office("O1"),
                Next,
                start(S1),
                Back,
                Back,
            ],
            &ctx(),
        );
        w.apply(choose_point("P1"), &ctx()).unwrap();
        assert_eq!((w.office_code(), w.slot_start()), (Some("O1"), Some(S1)));
    }

    #[test]
    fn editing_contacts_on_the_last_step_steps_back_when_they_become_invalid() {
        let mut w = run(to_ready(), &ctx());
        w.apply(WizardAction::SetPhone("800 123456".into()), &ctx())
            .unwrap();
        assert_eq!(w.step(), Step::Contatti);
        assert_eq!(w.booking_request(), Err(WizardError::NotReady));
        assert_eq!(
            w.apply(WizardAction::Next, &ctx()).unwrap_err().code(),
            "invalid_phone"
        );
        w.apply(WizardAction::SetPhone("06 1234 5678".into()), &ctx())
            .unwrap();
        w.apply(WizardAction::Next, &ctx()).unwrap();
        assert_eq!(w.booking_request().unwrap().phone.e164(), "+390612345678");
    }

    #[test]
    fn drafts_round_trip_through_serde_and_tampered_ones_are_rejected() {
        let w = run(to_contacts(), &ctx());
        let json = serde_json::to_value(&w).unwrap();
        assert_eq!(json["step"], "contatti");
        assert_eq!(json["channel"], "telefonica");
        let back: Wizard = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(back, w);
        let tampered = [
            ("office_code", serde_json::Value::Null),
            ("channel", serde_json::Value::Null),
            ("step", serde_json::json!("pronto")),
            ("slot_start", serde_json::json!("domani")),
            ("communication_id", serde_json::json!(" ")),
        ];
        for (field, value) in tampered {
            let mut bad = json.clone();
            bad[field] = value;
            let err = serde_json::from_value::<Wizard>(bad)
                .unwrap_err()
                .to_string();
            // An inconsistent draft, or a code that is not one.
            assert!(
                err.contains("bozza") || err.contains("non valido"),
                "{field}: {err}"
            );
        }
        let action = serde_json::to_string(&WizardAction::SetPhone("3".into())).unwrap();
        assert_eq!(action, r#"{"set_phone":"3"}"#);
        assert_eq!(
            serde_json::to_string(&WizardAction::Next).unwrap(),
            r#""next""#
        );
    }

    #[test]
    fn a_draft_stored_under_the_former_field_names_reads_back_as_it_was() {
        let w = run(to_contacts(), &ctx());
        let mut json = serde_json::to_value(&w).unwrap();
        let map = json.as_object_mut().unwrap();
        for (now, before) in [
            ("contributor_fiscal_code", "fiscal_code"),
            ("phone", "phone_raw"),
            ("notes", "notes_raw"),
        ] {
            let value = map.remove(now).unwrap();
            map.insert(before.to_owned(), value);
        }
        let back: Wizard = serde_json::from_value(json).unwrap();
        assert_eq!(back, w);
        assert_eq!(back.phone_raw(), w.phone_raw());
    }

    #[test]
    fn debug_hides_the_contacts() {
        let w = run(to_ready(), &ctx());
        let debug = format!("{w:?}");
        assert!(!debug.contains("4567"), "{debug}");
        assert!(!debug.contains("chiarimenti"), "{debug}");
        assert!(!debug.contains("RSSMRA85"), "{debug}");
    }

    #[test]
    fn steps_are_numbered_and_labelled() {
        let numbers: Vec<u8> = Step::ALL.iter().map(|s| s.number()).collect();
        assert_eq!(numbers, [1, 2, 3, 4, 5]);
        assert_eq!(Step::Struttura.label_it(), "Struttura territoriale");
        assert_eq!(
            serde_json::to_string(&Step::DataOra).unwrap(),
            "\"data_ora\""
        );
    }
}
