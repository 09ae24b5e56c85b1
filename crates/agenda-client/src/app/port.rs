//! The application layer as one trait, [`Desk`]: the seam between the shell's commands and
//! the workflows. The shell holds an `Arc<dyn Desk>`; the app gives it the real [`Agenda`],
//! and a command's test gives it a fake that answers what the test needs.
//!
//! The trait and its implementation for [`Agenda`] come from one list (the `desk_port!`
//! macro below), so they cannot disagree. Each method has a default that answers
//! [`RequestError::NotProvided`]: a fake implements only the methods its test calls, and
//! the real one implements all of them, generated from the same list.

use std::sync::Arc;

use agenda_core::{
    AppointmentId, CommunicationId, FiscalCode, OfficeCode, PointCode, SlotStart, TopicCode,
    WizardInput,
};
use agenda_export::Lang;
use chrono::{DateTime, NaiveDate, Utc};

use super::*;
use crate::agenda::{Listing, RefreshReport, SyncReport, SyncStatus};
use crate::store::audit::{AuditCheck, AuditEvent};
use crate::store::privacy::{ErasureReport, PurgeReport, Retention};
use crate::wire::{AppointmentFilter, Contributor, Operator, Slot};
use crate::{Agenda, Secret};

/// Declares [`Desk`] and implements it for [`Agenda`] by calling the method of the same name:
/// `async fn` for the workflows that may touch the network, `fn` for the local ones.
macro_rules! desk_port {
    ($(
        $(#[$doc:meta])*
        $kind:ident fn $name:ident(&self $(, $arg:ident: $ty:ty)*) -> $ret:ty;
    )*) => {
        /// The application layer as the shell's commands call it. See the [module
        /// documentation](self).
        #[async_trait::async_trait]
        pub trait Desk: Send + Sync {
            $(
                $(#[$doc])*
                async fn $name(&self $(, $arg: $ty)*) -> Result<$ret, AppError> {
                    $(let _ = $arg;)*
                    Err(RequestError::NotProvided.into())
                }
            )*
        }

        #[async_trait::async_trait]
        impl Desk for Agenda {
            $(
                async fn $name(&self $(, $arg: $ty)*) -> Result<$ret, AppError> {
                    Ok(desk_port!(@call $kind Agenda::$name(self $(, $arg)*))?)
                }
            )*
        }
    };
    (@call async $($call:tt)*) => { $($call)*.await };
    (@call sync $($call:tt)*) => { $($call)* };
}

desk_port! {
    /// The session, resumed from the keychain at start-up ([`Agenda::session_view`]).
    async fn session_view(&self, stored_operator: Option<Operator>) -> SessionView;
    /// Sign-in; the refresh token goes to the keychain.
    async fn sign_in(&self, username: &str, password: &Secret) -> Operator;
    /// "Esci" (true when there was a session).
    async fn sign_out(&self) -> bool;
    /// Fills the local caches (after a sign-in).
    async fn refresh_cache(&self, contributors: &[FiscalCode]) -> RefreshReport;
    /// Whether an operator is signed in, with their data open.
    sync fn require_session(&self) -> ();
    /// Connection and outbox state.
    sync fn status(&self) -> SyncStatus;
    /// The service's clock minus this PC's, once an answer told it.
    sync fn server_clock_offset(&self) -> Option<chrono::Duration>;
    /// Sends what waits in the outbox.
    async fn sync_outbox(&self) -> SyncReport;
    /// "Sincronizza ora": the outbox sent, as the UI shows it.
    async fn sync_view(&self) -> SyncView;
    /// Whether the service answers (a cheap read).
    async fn ping(&self) -> ();
    /// Assistiti matching `q`.
    async fn contributors(&self, q: Option<&str>) -> Listing<Vec<Contributor>>;
    /// One contributor.
    async fn contributor(&self, fiscal_code: &FiscalCode) -> Listing<Contributor>;
    /// A contributor's threads with what each allows.
    async fn communications_view(&self, fiscal_code: &FiscalCode) -> ListingView<Vec<CommunicationView>>;
    /// One thread with its messages.
    async fn thread_view(&self, id: &CommunicationId) -> ThreadView;
    /// Step 1 of the wizard.
    async fn wizard_options(&self, communication_id: &CommunicationId) -> WizardOptions;
    /// Step 2: the strutture, the contributor's province first.
    async fn offices_for(&self, topic: &TopicCode, point: &PointCode, contributor: Option<&FiscalCode>) -> Vec<OfficeView>;
    /// Step 3: the slots.
    async fn slots_for(&self, office: &OfficeCode, point: &PointCode, topic: Option<&TopicCode>, from: Option<NaiveDate>, to: Option<NaiveDate>) -> Vec<Slot>;
    /// "Prenota Appuntamento" in one operation.
    async fn book_input(&self, input: &WizardInput) -> Booked;
    /// "Conferma Appuntamento".
    async fn confirm_view(&self, id: &AppointmentId) -> AppointmentView;
    /// "Cancella Prenotazione".
    async fn cancel_hold_view(&self, id: &AppointmentId) -> AppointmentView;
    /// Saves a draft durably.
    async fn save_input(&self, input: &WizardInput) -> SavedView;
    /// Every draft, newest first.
    async fn draft_views(&self) -> Vec<DraftView>;
    /// Deletes a draft (true if there was one).
    sync fn discard(&self, id: &DraftId) -> bool;
    /// The desk agenda.
    async fn desk_view(&self, days: u64) -> DeskView;
    /// The kept desk agenda, at once.
    sync fn cached_desk_view(&self, days: u64) -> Option<DeskView>;
    /// "Riprogramma".
    async fn reschedule_view(&self, id: &AppointmentId, slot_start: &SlotStart, office: Option<&OfficeCode>, point: Option<&PointCode>) -> AppointmentView;
    /// Gestione appuntamenti, brought up to date.
    async fn history(&self, fiscal_code: &FiscalCode, filter: &AppointmentFilter, search: &Search, drawn: Option<DateTime<Utc>>) -> ListingView<Vec<AppointmentView>>;
    /// Gestione appuntamenti from the local copy, at once.
    sync fn cached_history(&self, fiscal_code: &FiscalCode, filter: &AppointmentFilter, search: &Search, first: Option<usize>) -> ListingView<Vec<AppointmentView>>;
    /// One appointment's details.
    async fn appointment_detail(&self, id: &AppointmentId) -> AppointmentDetail;
    /// "Annulla appuntamento".
    async fn annul(&self, id: &AppointmentId, reason: Option<&str>) -> AppointmentView;
    /// "Stampa ricevuta" / "Salva PDF": the receipt of a confirmed appointment.
    async fn receipt_file(&self, id: &AppointmentId, lang: Lang) -> ExportFile;
    /// "Calendario (.ics)": one appointment or the list on screen.
    async fn calendar_file(&self, ids: &[AppointmentId], lang: Lang) -> ExportFile;
    /// What the reminders are decided on: the holds, and the operator's own day `day`.
    async fn reminder_facts(&self, day: Option<NaiveDate>) -> ReminderFacts;
    /// Records an action the shell did (a file saved, a setting changed).
    sync fn record_action(&self, event: &AuditEvent) -> ();
    /// The Registro attività, filtered.
    sync fn audit_log(&self, query: &AuditQuery) -> AuditLogView;
    /// "Verifica registro".
    sync fn verify_audit(&self) -> AuditCheck;
    /// "Esporta CSV" of the Registro attività.
    sync fn audit_csv(&self, query: &AuditQuery) -> ExportFile;
    /// "Esporta dati" of a contributor (JSON).
    sync fn contributor_data_file(&self, fiscal_code: &FiscalCode) -> ExportFile;
    /// What "Cancella dati locali" would lose beyond the cache.
    sync fn erasure_preview(&self, fiscal_code: &FiscalCode) -> ErasurePreview;
    /// "Cancella dati locali".
    sync fn erase_local(&self, fiscal_code: &FiscalCode) -> ErasureReport;
    /// The retention purge, when a day has passed since the last.
    sync fn purge_if_due(&self, policy: &Retention, now: DateTime<Utc>) -> Option<PurgeReport>;
    /// Opens the idle lock with the operator's password.
    async fn unlock(&self, password: &Secret) -> ();
}

/// The shell's handle on the application layer.
pub type DeskHandle = Arc<dyn Desk>;

impl Agenda {
    /// Whether an operator is signed in, with their data open.
    pub fn require_session(&self) -> Result<(), AgendaError> {
        self.store().map(|_| ()).map_err(AgendaError::from)
    }

    /// The service's clock minus this PC's, once an answer told it.
    pub fn server_clock_offset(&self) -> Result<Option<chrono::Duration>, AgendaError> {
        Ok(self.client().server_clock_offset())
    }

    /// Whether the service answers (a cheap read of the argomenti).
    pub async fn ping(&self) -> Result<(), AgendaError> {
        self.client().topics().await?;
        Ok(())
    }
}
