//! The application layer: what each screen asks for, answered with view types (see
//! [`views`]) from the facade's workflows and the reference [`Catalog`]. The shell's
//! commands only parse their arguments, call one method here and map the error.
//!
//! - the catalog is loaded once per service and kept; enrichment after a write uses the
//!   catalog already kept (or codes), so it cannot turn a booking that happened into an
//!   error;
//! - the wizard's steps 1–3 (kinds of punto, strutture, slots) follow the catalog's rules;
//! - every appointment view carries the actions core's lifecycle allows on the service's
//!   clock.

pub mod catalog;
pub mod communications;
pub mod contact;
pub mod desk;
pub mod drafts;
pub mod export;
pub mod port;
pub mod privacy;
pub mod reminders;
pub mod views;

pub use catalog::{Catalog, OfficeChoice};
pub use communications::{CommunicationView, ThreadView};
pub use contact::{check_contact, ContactCheck, FieldCheck};
pub use desk::{DeskView, RequestableView, DESK_DAYS, REQUESTABLE_SINCE_DAYS};
pub use drafts::{DraftId, DraftStatus, DraftView, ProblemView, SavedView};
pub use export::{ExportFile, MAX_CALENDAR_ITEMS};
pub use port::{Desk, DeskHandle};
pub use privacy::{AuditLogView, AuditQuery, ErasurePreview};
pub use reminders::{ReminderFacts, ReminderRunner};
pub use views::{AppointmentView, ListingView, Search};

use crate::agenda::{Agenda, AgendaError, BookingOutcome, Listing, Source};
use crate::store::ReturnedProblem;
use crate::wire::{
    Appointment, AppointmentFilter, Communication, ConsultationPoint, Office, Slot, SlotQuery,
    Topic,
};
use agenda_core::{
    AppointmentId, CommunicationId, FiscalCode, OfficeCode, PointCode, TopicCode, WizardError,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// The most characters of the reason of an "Annulla appuntamento".
pub const MAX_CANCEL_REASON_CHARS: usize = 500;

/// The bounds the screens show and enforce as the operator types; the rules behind them
/// stay in `agenda-core` and here, so the UI copies no constant.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Limits {
    /// The most characters of the note of a booking.
    pub notes_max_chars: usize,
    /// How many days ahead a slot may be booked.
    pub slot_horizon_days: i64,
    /// The most characters of the reason of an "Annulla appuntamento".
    pub cancel_reason_max_chars: usize,
    /// What each step of the wizard needs before Avanti (core's [`agenda_core::Step::requires`]).
    pub step_requires: [StepRequirement; 3],
}

/// A wizard step and the draft field it must have chosen before Avanti.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct StepRequirement {
    /// The step.
    pub step: agenda_core::Step,
    /// The draft's field (a name of [`agenda_core::WizardInput`]).
    pub field: &'static str,
}

const fn requirement(step: agenda_core::Step) -> StepRequirement {
    StepRequirement {
        step,
        field: match step.requires() {
            Some(field) => field,
            None => "",
        },
    }
}

impl Limits {
    /// The limits of this version.
    pub const CURRENT: Limits = Limits {
        notes_max_chars: agenda_core::notes::MAX_NOTES_CHARS,
        slot_horizon_days: agenda_core::calendar::HORIZON_DAYS,
        cancel_reason_max_chars: MAX_CANCEL_REASON_CHARS,
        step_requires: [
            requirement(agenda_core::Step::Argomento),
            requirement(agenda_core::Step::Struttura),
            requirement(agenda_core::Step::DataOra),
        ],
    };
}

/// Whether an operator is signed in.
#[derive(Debug, Serialize)]
pub struct SessionView {
    /// True when signed in.
    pub signed_in: bool,
    /// The operator, when signed in.
    pub operator: Option<crate::wire::Operator>,
    /// True when the session could not be checked because the service is unreachable: the
    /// app works on its local data and resumes the session when the service is back.
    pub offline: bool,
}

/// What a pass over the outbox did, as the status bar and Bozze show it.
#[derive(Debug, Serialize)]
pub struct SyncView {
    /// Whether the service answered.
    pub online: Option<bool>,
    /// When it last answered.
    pub last_sync_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Bookings sent (held, confirmed or returned) in this pass.
    pub sent: usize,
    /// Drafts the service sent back and that need the operator.
    pub needs_attention: usize,
    /// Bookings still waiting.
    pub remaining: usize,
}

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

/// A struttura offering the chosen kind of punto di consulenza.
#[derive(Debug, Serialize)]
pub struct OfficeView {
    /// The office.
    #[serde(flatten)]
    pub office: Office,
    /// The code of the punto di consulenza of the chosen kind at this office.
    pub point_code: String,
    /// In the contributor's province (listed first): where their last appointment was, or
    /// where the desk's appointments mostly are.
    pub in_home_province: bool,
}

/// One appointment with its communication and office.
#[derive(Debug, Serialize)]
pub struct AppointmentDetail {
    /// The appointment.
    #[serde(flatten)]
    pub appointment: AppointmentView,
    /// The communication it came from (`null` when it cannot be read now).
    pub communication: Option<Communication>,
    /// The struttura.
    pub office: Option<Office>,
    /// True when read from the local cache.
    pub from_cache: bool,
}

/// What "Prenota Appuntamento" did.
#[derive(Debug)]
pub enum Booked {
    /// The slot is held (or was already confirmed).
    Appointment(Box<AppointmentView>),
    /// The service could not be reached: the booking waits in the outbox.
    Queued {
        /// Whether the operator must sign in again before it can be sent.
        needs_sign_in: bool,
    },
    /// The service refused: the draft is back for editing with the reason.
    Returned(ReturnedProblem),
}

/// Why an application request is refused before anything is sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// A code that the catalog does not know.
    #[error("{0} non trovato.")]
    NotFound(&'static str),
    /// The reason of an annulment is too long.
    #[error("Il motivo può contenere al massimo {MAX_CANCEL_REASON_CHARS} caratteri.")]
    ReasonTooLong,
    /// A date range that ends before it starts.
    #[error("La data iniziale è successiva alla data finale.")]
    DatesReversed,
    /// A draft id that is not `<codice fiscale>~<comunicazione>`.
    #[error("Bozza non valida.")]
    InvalidDraftId,
    /// The wizard refused the draft.
    #[error("{}", capitalise(&.0.to_string()))]
    Wizard(WizardError),
    /// What a [`Desk`] that does not provide this operation answers (a test's fake).
    #[error("Operazione non disponibile.")]
    NotProvided,
    /// A receipt is asked for an appointment that is not confermato.
    #[error("La ricevuta si rilascia solo per un appuntamento confermato.")]
    NotConfirmed,
    /// A calendar file of no appointment.
    #[error("Nessun appuntamento da esportare.")]
    NothingToExport,
    /// A calendar file of more appointments than one file holds.
    #[error("Si possono esportare al massimo {0} appuntamenti alla volta: restringere i filtri.")]
    TooMany(usize),
    /// The document could not be made (a fault of the app, not of the data).
    #[error("Il documento non può essere generato: {0}.")]
    Export(String),
    /// The password typed at the lock is not the operator's.
    #[error("Password non corretta.")]
    WrongPassword,
    /// The lock cannot check a password: the service cannot be reached and no verifier is
    /// kept on this PC.
    #[error(
        "Il servizio non risponde e su questo computer non c'è una verifica della password: \
         usare «Cambia operatore» e accedere di nuovo quando il servizio torna raggiungibile."
    )]
    CannotVerify,
    /// Retention periods out of their bounds.
    #[error("Periodi di conservazione non validi: {0}.")]
    Retention(String),
}

impl RequestError {
    /// Stable machine word.
    pub fn code(&self) -> &'static str {
        match self {
            RequestError::NotFound(_) => "not_found",
            RequestError::ReasonTooLong
            | RequestError::DatesReversed
            | RequestError::InvalidDraftId => "validation",
            RequestError::Wizard(e) => e.code(),
            RequestError::NotConfirmed => "invalid_state",
            RequestError::NothingToExport | RequestError::TooMany(_) => "validation",
            RequestError::NotProvided | RequestError::Export(_) => "internal",
            RequestError::WrongPassword => "invalid_credentials",
            RequestError::CannotVerify => "offline",
            RequestError::Retention(_) => "validation",
        }
    }
}

/// A failure of an application request: refused before sending, or a workflow error.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Refused before anything was sent.
    #[error(transparent)]
    Request(#[from] RequestError),
    /// The workflow failed.
    #[error(transparent)]
    Agenda(#[from] AgendaError),
}

impl AppError {
    /// Stable machine word.
    pub fn code(&self) -> &str {
        match self {
            AppError::Request(e) => e.code(),
            AppError::Agenda(e) => e.code(),
        }
    }
}

impl From<crate::store::StoreError> for AppError {
    fn from(e: crate::store::StoreError) -> Self {
        AppError::Agenda(e.into())
    }
}

/// The text with its first letter in upper case (lower layers' messages start in lower
/// case, to be embedded).
pub(crate) fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The most slot starts remembered from listings (a few weeks of a few strutture).
const MAX_REMEMBERED_SLOTS: usize = 20_000;

/// What the application layer keeps between requests: reference data, not personal data.
#[derive(Debug, Default)]
pub struct Memory {
    catalog: Mutex<Option<Arc<Catalog>>>,
    /// Whether each slot start (Unix seconds) was free when last listed, by struttura and
    /// point.
    slots: Mutex<HashMap<(String, String), HashMap<i64, bool>>>,
}

/// The guarded value (a poisoned lock still holds a valid one: every write is one step).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Memory {
    /// Remembers which slots of `office` and `point` a listing showed free.
    pub(crate) fn remember_slots(&self, office: &str, point: &str, slots: &[Slot]) {
        let mut kept = lock(&self.slots);
        if kept.values().map(HashMap::len).sum::<usize>() + slots.len() > MAX_REMEMBERED_SLOTS {
            kept.clear();
        }
        let listed = kept
            .entry((office.to_owned(), point.to_owned()))
            .or_default();
        for slot in slots {
            listed.insert(slot.start.timestamp(), slot.available);
        }
    }

    /// Whether the slot at `start` was free when last listed (`None`: never listed here).
    pub(crate) fn slot_is_free(&self, office: &str, point: &str, start: &str) -> Option<bool> {
        let at = agenda_core::time::parse_rfc3339(start).ok()?.timestamp();
        lock(&self.slots)
            .get(&(office.to_owned(), point.to_owned()))?
            .get(&at)
            .copied()
    }
}

impl Agenda {
    /// The current session; with none open yet, resumes the one whose refresh token is
    /// stored. When the service cannot be reached, the session of `stored_operator` (the
    /// operator whose token this PC keeps, remembered by the shell) opens on its local data
    /// only: nobody else's.
    pub async fn session_view(
        &self,
        stored_operator: Option<crate::wire::Operator>,
    ) -> Result<SessionView, AgendaError> {
        let resumed = match self.operator().await {
            Some(operator) => Ok(Some(operator)),
            None => self.resume().await,
        };
        match resumed {
            Ok(operator) => Ok(SessionView {
                signed_in: operator.is_some(),
                operator,
                offline: false,
            }),
            Err(error) if error.is_offline() => {
                let Some(operator) = stored_operator else {
                    return Err(error);
                };
                self.open_offline(&operator.id)?;
                Ok(SessionView {
                    signed_in: true,
                    operator: Some(operator),
                    offline: true,
                })
            }
            Err(error) => Err(error),
        }
    }

    /// Sends what waits in the outbox now, and says what happened.
    pub async fn sync_view(&self) -> Result<SyncView, AgendaError> {
        let report = self.sync_outbox().await?;
        let status = self.status()?;
        let count =
            |f: fn(&BookingOutcome) -> bool| report.outcomes.iter().filter(|o| f(o)).count();
        Ok(SyncView {
            online: status.online,
            last_sync_at: status.last_contact_at,
            sent: count(|o| !matches!(o, BookingOutcome::Queued { .. })),
            needs_attention: count(|o| matches!(o, BookingOutcome::Returned { .. })),
            remaining: report.remaining,
        })
    }

    /// The reference catalog, loaded once (live, or from the cache offline) and kept.
    pub async fn catalog(&self) -> Result<Arc<Catalog>, AgendaError> {
        if let Some(catalog) = self.kept_catalog() {
            return Ok(catalog);
        }
        let catalog = Arc::new(Catalog::load(self).await?);
        if !catalog.is_empty() {
            *lock(&self.memory().catalog) = Some(catalog.clone());
        }
        Ok(catalog)
    }

    /// The catalog if one is kept, else an empty one (labels fall back to codes). For
    /// enrichment that must not fail after a write.
    pub fn catalog_or_codes(&self) -> Arc<Catalog> {
        self.kept_catalog().unwrap_or_default()
    }

    fn kept_catalog(&self) -> Option<Arc<Catalog>> {
        lock(&self.memory().catalog).clone()
    }

    /// The view of an appointment now, on the service's clock, with what the desk kept of
    /// it. Cannot fail: unreadable desk fields show as none.
    pub fn appointment_view(
        &self,
        appointment: crate::wire::Appointment,
        catalog: &Catalog,
    ) -> AppointmentView {
        let desk = self
            .store()
            .ok()
            .and_then(|store| store.desk_of(&appointment.id).ok())
            .unwrap_or_default();
        AppointmentView::new(appointment, desk, catalog, self.client().server_now())
    }

    /// Step 1: the argomento of a communication and the kinds of punto di consulenza.
    pub async fn wizard_options(
        &self,
        communication_id: &CommunicationId,
    ) -> Result<WizardOptions, AppError> {
        let communication = self
            .communication(communication_id.as_str())
            .await?
            .items
            .communication;
        let catalog = self.catalog().await?;
        let topic = catalog
            .topic(&communication.topic_code)
            .cloned()
            .ok_or(RequestError::NotFound("Argomento"))?;
        Ok(WizardOptions {
            points: catalog.point_kinds(&topic.code),
            communication,
            topic,
        })
    }

    /// Step 2: the strutture offering the kind of `point` for `topic`, those in the
    /// contributor's province first ([`Agenda::home_province`]), each in name order.
    pub async fn offices_for(
        &self,
        topic: &TopicCode,
        point: &PointCode,
        contributor: Option<&FiscalCode>,
    ) -> Result<Vec<OfficeView>, AppError> {
        let catalog = self.catalog().await?;
        let offices = catalog
            .offices_for_kind(topic.as_str(), point.as_str())
            .ok_or(RequestError::NotFound("Punto di consulenza"))?;
        let home = self.home_province(contributor, &catalog);
        let mut views: Vec<OfficeView> = offices
            .into_iter()
            .map(|c| OfficeView {
                in_home_province: home
                    .as_deref()
                    .is_some_and(|p| c.office.province.eq_ignore_ascii_case(p)),
                office: c.office,
                point_code: c.point_code,
            })
            .collect();
        // Stable: the catalog's order stays within each group.
        views.sort_by_key(|v| !v.in_home_province);
        Ok(views)
    }

    /// The contributor's province as far as this desk knows it (the contract gives none):
    /// the province of the struttura of their latest appointment in the local copy of the
    /// history, else the province most of the desk's kept agenda is in. Never the network.
    pub fn home_province(
        &self,
        contributor: Option<&FiscalCode>,
        catalog: &Catalog,
    ) -> Option<String> {
        let store = self.store().ok()?;
        let province_of = |office: &str| catalog.office(office).map(|o| o.province.clone());
        // Newest first: the first one whose struttura is known (a history that cannot be
        // read leaves the desk's province to decide).
        let from_history = contributor
            .and_then(|fc| store.appointments(fc, &AppointmentFilter::default()).ok())
            .and_then(|h| h.items.iter().find_map(|a| province_of(&a.office_code)));
        if from_history.is_some() {
            return from_history;
        }
        let desk = store.desk().ok().flatten()?;
        let mut counts: HashMap<String, usize> = HashMap::new();
        for a in &desk.items.appointments {
            if let Some(p) = province_of(&a.office_code) {
                *counts.entry(p).or_default() += 1;
            }
        }
        counts
            .into_iter()
            .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
            .map(|(p, _)| p)
    }

    /// Step 3: the slots of the kind of `point` at `office` (the office's own point of
    /// that kind) between `from` and `to`.
    pub async fn slots_for(
        &self,
        office: &OfficeCode,
        point: &PointCode,
        topic: Option<&TopicCode>,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Result<Vec<Slot>, AppError> {
        let catalog = self.catalog().await?;
        let point = catalog
            .point_at_office(point.as_str(), office.as_str())
            .map_or_else(|| point.to_string(), |p| p.code.clone());
        let query = SlotQuery {
            office: office.to_string(),
            consultation_point: point,
            topic: topic.map(TopicCode::to_string),
            from,
            to,
        };
        let slots = self.slots(&query).await?;
        self.memory()
            .remember_slots(&query.office, &query.consultation_point, &slots);
        Ok(slots)
    }

    /// "Prenota Appuntamento" for the saved draft of `communication_id`.
    pub async fn book_draft(
        &self,
        fiscal_code: &FiscalCode,
        communication_id: &str,
    ) -> Result<Booked, AppError> {
        let outcome = self.book(fiscal_code, communication_id).await?;
        Ok(match outcome {
            BookingOutcome::Held { appointment } | BookingOutcome::Confirmed { appointment } => {
                Booked::Appointment(Box::new(
                    self.appointment_view(appointment, &self.catalog_or_codes()),
                ))
            }
            BookingOutcome::Queued { needs_sign_in, .. } => Booked::Queued { needs_sign_in },
            BookingOutcome::Returned { problem, .. } => Booked::Returned(problem),
        })
    }

    /// "Conferma Appuntamento".
    pub async fn confirm_view(&self, id: &AppointmentId) -> Result<AppointmentView, AppError> {
        let appointment = self.confirm(id).await?;
        Ok(self.appointment_view(appointment, &self.catalog_or_codes()))
    }

    /// "Cancella Prenotazione".
    pub async fn cancel_hold_view(&self, id: &AppointmentId) -> Result<AppointmentView, AppError> {
        let appointment = self.cancel_hold(id).await?;
        Ok(self.appointment_view(appointment, &self.catalog_or_codes()))
    }

    /// "Annulla appuntamento", with an optional reason (trimmed; empty is none).
    pub async fn annul(
        &self,
        id: &AppointmentId,
        reason: Option<&str>,
    ) -> Result<AppointmentView, AppError> {
        let reason = reason.map(str::trim).filter(|r| !r.is_empty());
        if reason.is_some_and(|r| r.chars().count() > MAX_CANCEL_REASON_CHARS) {
            return Err(RequestError::ReasonTooLong.into());
        }
        let appointment = self.cancel_appointment(id, reason).await?;
        Ok(self.appointment_view(appointment, &self.catalog_or_codes()))
    }

    /// Gestione appuntamenti: the history of a contributor, newest first, brought up to date
    /// with the service (only what changed since the last look). `drawn`: the screen already
    /// shows the whole of [`Agenda::cached_history`] for this filter, synced at that time; if
    /// nothing changed since, the history comes back as [`ListingView::unchanged`] without
    /// its items.
    pub async fn history(
        &self,
        fiscal_code: &FiscalCode,
        filter: &AppointmentFilter,
        search: &Search,
        drawn: Option<DateTime<Utc>>,
    ) -> Result<ListingView<Vec<AppointmentView>>, AppError> {
        check_dates(filter)?;
        let (listing, synced) = self.refreshed_appointments(fiscal_code, filter).await?;
        // Unchanged only for the very copy on screen: nothing came since the mark it was
        // synced at (another sync may have merged changes after it was drawn).
        if drawn.is_some() && synced.since_mark == drawn && synced.changed == Some(0) {
            return Ok(ListingView {
                items: Vec::new(),
                from_cache: false,
                synced_at: listing.last_synced_at,
                unchanged: true,
                total: None,
            });
        }
        let catalog = self.catalog().await?;
        Ok(self.history_view(fiscal_code, listing, search, &catalog))
    }

    /// The cached history alone, filtered, labelled from the kept or cached catalog: what
    /// Gestione appuntamenti draws at once, before [`Agenda::history`] refreshes it. With
    /// `first`, only the newest `first` appointments travel (the screen's first paint needs
    /// no more) and [`ListingView::total`] says how many there are. Never touches the
    /// network.
    pub fn cached_history(
        &self,
        fiscal_code: &FiscalCode,
        filter: &AppointmentFilter,
        search: &Search,
        first: Option<usize>,
    ) -> Result<ListingView<Vec<AppointmentView>>, AppError> {
        check_dates(filter)?;
        let listing = self.cached_appointments(fiscal_code, filter)?;
        let mut view = self.history_view(fiscal_code, listing, search, &self.catalog_or_cached());
        view.total = Some(view.items.len());
        if let Some(first) = first {
            view.items.truncate(first);
        }
        Ok(view)
    }

    /// The views of a history with what the desk kept of each appointment, those `search`
    /// finds.
    fn history_view(
        &self,
        fiscal_code: &FiscalCode,
        listing: Listing<Vec<Appointment>>,
        search: &Search,
        catalog: &Catalog,
    ) -> ListingView<Vec<AppointmentView>> {
        let now = self.client().server_now();
        // Enrichment: unreadable desk fields show as none.
        let mut desks = self
            .store()
            .ok()
            .and_then(|store| store.desks_of(fiscal_code).ok())
            .unwrap_or_default();
        ListingView::map(listing, |items| {
            items
                .into_iter()
                .map(|a| {
                    let desk = desks.remove(&a.id).unwrap_or_default();
                    AppointmentView::new(a, desk, catalog, now)
                })
                .filter(|view| search.finds(view))
                .collect()
        })
    }

    /// The kept catalog, else the one the local store holds (codes stand for labels when
    /// never synced). Never touches the network.
    pub(crate) fn catalog_or_cached(&self) -> Arc<Catalog> {
        self.kept_catalog()
            .unwrap_or_else(|| Arc::new(self.cached_catalog()))
    }

    /// The catalog as the local store holds it (empty parts when never synced).
    fn cached_catalog(&self) -> Catalog {
        let Ok(store) = self.store() else {
            return Catalog::default();
        };
        Catalog::from_parts(
            store.topics().map(|c| c.items).unwrap_or_default(),
            store
                .consultation_points(None, None)
                .map(|c| c.items)
                .unwrap_or_default(),
            store.offices(None).map(|c| c.items).unwrap_or_default(),
        )
    }

    /// Details of one appointment, with its communication (when readable) and office.
    pub async fn appointment_detail(
        &self,
        id: &AppointmentId,
    ) -> Result<AppointmentDetail, AppError> {
        let listing = self.appointment(id).await?;
        let catalog = self.catalog().await?;
        let communication = self
            .communication(&listing.items.communication_id)
            .await
            .ok()
            .map(|l| l.items.communication);
        let office = catalog.office(&listing.items.office_code).cloned();
        Ok(AppointmentDetail {
            from_cache: listing.source == Source::Cache,
            appointment: self.appointment_view(listing.items, &catalog),
            communication,
            office,
        })
    }
}

/// `from` after `to` is refused before anything is read.
fn check_dates(filter: &AppointmentFilter) -> Result<(), RequestError> {
    match (filter.from, filter.to) {
        (Some(from), Some(to)) if from > to => Err(RequestError::DatesReversed),
        _ => Ok(()),
    }
}
