//! [`Agenda`]: the facade the shell calls, one method per workflow.
//!
//! It joins the [`ApiClient`] and the [`Store`]: reads go to the service and fall back to the
//! cache when it cannot be reached; drafts are saved locally; "Prenota" goes through the
//! outbox (the `outbox` module); confirmations and cancellations update the cache. Its results are
//! wire and domain types; the application layer ([`crate::app`]) turns them into the views
//! the UI is given.

mod outbox;

use std::path::Path;
use std::sync::Arc;

use agenda_core::{AppointmentId, AppointmentStatus, FiscalCode, Wizard, WizardError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::client::{ApiClient, ClientConfig, Connectivity, IdempotencyKey};
use crate::error::{ApiError, Problem};
use crate::keychain::{refresh_token_account, KeyStore, KeyringTokenStore, TokenStore};
use crate::operators::{OperatorStores, StoreOpener};
use crate::secret::Secret;
use crate::store::audit::{AuditAction, AuditEvent};
use crate::store::{
    Cached, Dataset, Draft, DraftSaved, DraftState, OutboxEntry, ReturnedProblem, Store, StoreError,
};
use crate::wire::{
    Appointment, AppointmentFilter, Communication, CommunicationThread, ConsultationPoint,
    Contributor, Office, Operator, Slot, SlotQuery, Topic,
};

/// Any failure of a workflow. `Display` is an Italian sentence safe to show; [`code`] is a
/// stable word for the UI.
///
/// [`code`]: AgendaError::code
#[derive(Debug, thiserror::Error)]
pub enum AgendaError {
    /// The service (or the way to it) failed.
    #[error(transparent)]
    Api(#[from] ApiError),
    /// The local store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The draft cannot be booked as it is.
    #[error(transparent)]
    Wizard(#[from] WizardError),
}

impl From<crate::base_url::BaseUrlError> for AgendaError {
    fn from(value: crate::base_url::BaseUrlError) -> Self {
        AgendaError::Api(ApiError::InvalidBaseUrl(value))
    }
}

impl AgendaError {
    /// Stable machine word (`session_expired`, `slot_taken`, `keychain_unavailable`, …).
    pub fn code(&self) -> &str {
        match self {
            AgendaError::Api(e) => e.code(),
            AgendaError::Store(e) => e.code(),
            AgendaError::Wizard(e) => e.code(),
        }
    }

    /// The server's problem, if that is what it was.
    pub fn problem(&self) -> Option<&Problem> {
        match self {
            AgendaError::Api(e) => e.problem(),
            _ => None,
        }
    }

    /// Whether the service could not be reached or could not serve (no answer, a timeout,
    /// a 5xx): the app goes on with its local data.
    pub fn is_offline(&self) -> bool {
        match self {
            AgendaError::Api(ApiError::Transport(_) | ApiError::Timeout) => true,
            AgendaError::Api(ApiError::Problem(p)) => {
                p.status >= 500 || p.code == "service_unavailable"
            }
            _ => false,
        }
    }
}

/// Where a listing came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Fresh from the service.
    Live,
    /// From the local cache: the service could not be reached.
    Cache,
}

/// Data for the UI, with where it came from and how fresh it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listing<T> {
    /// The data.
    pub items: T,
    /// Live or cached.
    pub source: Source,
    /// When the cached copy was last synced (`None` if never).
    pub last_synced_at: Option<DateTime<Utc>>,
}

impl<T> Listing<T> {
    fn live(items: T) -> Self {
        Self {
            items,
            source: Source::Live,
            last_synced_at: Some(Utc::now()),
        }
    }

    fn cached(cached: Cached<T>) -> Self {
        Self {
            items: cached.items,
            source: Source::Cache,
            last_synced_at: cached.last_synced_at,
        }
    }
}

/// What became of a booking ("Prenota", or its later sending from the outbox).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum BookingOutcome {
    /// The service holds the slot until `hold_expires_at`: the operator must confirm
    /// ("Conferma Appuntamento") or release it. Never confirmed automatically.
    Held {
        /// The appointment, `prenotato`.
        appointment: Appointment,
    },
    /// The communication turned out to have this confirmed appointment already.
    Confirmed {
        /// The appointment, `confermato`.
        appointment: Appointment,
    },
    /// The service refused: the draft is back for editing with the reason (and, for
    /// `slot_taken`, the alternatives).
    Returned {
        /// The contributor.
        fiscal_code: FiscalCode,
        /// The communication.
        communication_id: String,
        /// Why.
        problem: ReturnedProblem,
    },
    /// No final answer yet (offline, timeout, service busy, sign-in needed): the booking
    /// stays in the outbox and [`Agenda::sync_outbox`] sends it again with the same key.
    Queued {
        /// The contributor.
        fiscal_code: FiscalCode,
        /// The communication.
        communication_id: String,
        /// Code of the last failure (`network_error`, `timeout`, `session_expired`, …).
        error_code: String,
        /// Whether the operator must sign in before it can be sent.
        needs_sign_in: bool,
    },
}

/// What one pass over the outbox did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncReport {
    /// One outcome per booking tried, oldest first.
    pub outcomes: Vec<BookingOutcome>,
    /// Bookings still in the outbox afterwards.
    pub remaining: usize,
}

/// The connection and outbox state for the status bar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncStatus {
    /// Whether the service answered last time (`None` before the first call).
    pub online: Option<bool>,
    /// When the service last answered.
    pub last_contact_at: Option<DateTime<Utc>>,
    /// Bookings waiting in the outbox.
    pub queued_bookings: usize,
    /// When the outbox was last gone through.
    pub last_outbox_sync_at: Option<DateTime<Utc>>,
}

/// What [`Agenda::refresh_cache`] refreshed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefreshReport {
    /// Argomenti cached.
    pub topics: usize,
    /// Strutture cached.
    pub offices: usize,
    /// Punti di consulenza cached.
    pub consultation_points: usize,
    /// Contributors cached.
    pub contributors: usize,
    /// Communications cached, over the contributors asked for.
    pub communications: usize,
    /// Appointments cached, over the contributors asked for.
    pub appointments: usize,
}

/// The app's bridge to the service and its local memory. Share it in an `Arc`.
///
/// Built with [`Agenda::for_operators`] (the app), it holds the store of the signed-in
/// operator only: opened at sign-in or resume, closed at sign-out, so while nobody is
/// signed in no personal data can be read or written ([`StoreError::SignedOut`]), and the
/// outbox sent is always the one of the operator whose session sends it. Built with
/// [`Agenda::with_parts`] it keeps one fixed store whoever signs in (tests and tools).
#[derive(Debug)]
pub struct Agenda {
    client: ApiClient,
    store: std::sync::RwLock<Option<Arc<Store>>>,
    opener: Option<Arc<dyn StoreOpener>>,
    /// One sender of outbox entries at a time (timer, button and "Prenota" alike).
    outbox_lock: tokio::sync::Mutex<()>,
    last_outbox_sync_at: std::sync::Mutex<Option<DateTime<Utc>>>,
    /// What the application layer keeps between requests (see [`crate::app`]).
    memory: crate::app::Memory,
}

impl Agenda {
    /// The app's setup: refresh token and data keys in the OS keychain, one store per
    /// operator below `data_dir` (see [`crate::operators`]). Fails with a clear message when
    /// the keychain is not available.
    pub fn open(config: ClientConfig, data_dir: &Path) -> Result<Self, AgendaError> {
        let service = config.base_url.to_string();
        let tokens: Arc<dyn TokenStore> = Arc::new(
            KeyringTokenStore::new(&refresh_token_account(&config.base_url))
                .map_err(ApiError::from)?,
        );
        let client = ApiClient::new(config, tokens)?;
        Ok(Self::for_operators(
            client,
            Arc::new(OperatorStores::in_keychain(data_dir, &service)),
        ))
    }

    /// [`Agenda::open`] with other token and key stores (the shell's tests use in-memory
    /// ones).
    pub fn open_with(
        config: ClientConfig,
        data_dir: &Path,
        tokens: Arc<dyn TokenStore>,
        keys: &dyn KeyStore,
    ) -> Result<Self, AgendaError> {
        let store = Store::open(data_dir, keys)?;
        let client = ApiClient::new(config, tokens)?;
        Ok(Self::with_parts(client, Arc::new(store)))
    }

    /// Joins a client and one store built elsewhere, used whoever signs in (tests, tools).
    pub fn with_parts(client: ApiClient, store: Arc<Store>) -> Self {
        Self::new(client, Some(store), None)
    }

    /// A client whose local data is kept per operator: `opener` opens the signed-in
    /// operator's store (see [`crate::operators`]). Nothing is open until a sign-in, a
    /// resumed session or [`Agenda::open_offline`].
    pub fn for_operators(client: ApiClient, opener: Arc<dyn StoreOpener>) -> Self {
        Self::new(client, None, Some(opener))
    }

    fn new(
        client: ApiClient,
        store: Option<Arc<Store>>,
        opener: Option<Arc<dyn StoreOpener>>,
    ) -> Self {
        Self {
            client,
            store: std::sync::RwLock::new(store),
            opener,
            outbox_lock: tokio::sync::Mutex::new(()),
            last_outbox_sync_at: std::sync::Mutex::new(None),
            memory: crate::app::Memory::default(),
        }
    }

    /// What the application layer keeps between requests.
    pub(crate) fn memory(&self) -> &crate::app::Memory {
        &self.memory
    }

    /// The service client.
    pub fn client(&self) -> &ApiClient {
        &self.client
    }

    /// The signed-in operator's store; [`StoreError::SignedOut`] while nobody is.
    pub fn store(&self) -> Result<Arc<Store>, StoreError> {
        self.store
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .ok_or(StoreError::SignedOut)
    }

    /// Opens the store of `operator_id` (per-operator agendas only; a fixed store stays).
    fn open_store(&self, operator_id: &str) -> Result<(), AgendaError> {
        let Some(opener) = &self.opener else {
            return Ok(());
        };
        // The data key comes from the keychain and the file is opened and migrated: both
        // block, so off the async workers.
        let store = Arc::new(crate::blocking(|| opener.open(operator_id))?);
        store.set_actor(operator_id);
        *self.store.write().unwrap_or_else(|p| p.into_inner()) = Some(store);
        Ok(())
    }

    /// Closes the operator's store (per-operator agendas only).
    fn close_store(&self) {
        if self.opener.is_some() {
            *self.store.write().unwrap_or_else(|p| p.into_inner()) = None;
        }
    }

    /// Opens the local data of the operator whose session is stored but cannot be checked
    /// now (the service is unreachable at start-up): the app works on that operator's data
    /// and sends their outbox when the service is back.
    pub fn open_offline(&self, operator_id: &str) -> Result<(), AgendaError> {
        self.open_store(operator_id)
    }

    // ------------------------------------------------------------ session

    /// Signs in with username and password.
    pub async fn sign_in(
        &self,
        username: &str,
        password: &Secret,
    ) -> Result<Operator, AgendaError> {
        // Whoever was signed in before, their data is closed first (after any sending of
        // their outbox has finished).
        let _sending = self.outbox_lock.lock().await;
        self.close_store();
        let operator = self.client.sign_in(username, password).await?;
        if let Err(error) = self.open_store(&operator.id) {
            // Signed in without a readable store is no use: undo the session.
            let _ = self.client.sign_out().await;
            return Err(error);
        }
        // The idle lock opens offline against this verifier (Argon2id, sealed).
        let store = self.store()?;
        if let Err(error) = crate::blocking(|| store.set_lock_verifier(username, password.expose()))
        {
            tracing::warn!(code = error.code(), "verifica per il blocco non salvata");
        }
        self.record(AuditEvent::new(AuditAction::SignIn));
        Ok(operator)
    }

    /// Restores the previous session at start-up; `None` when the operator must sign in.
    pub async fn resume(&self) -> Result<Option<Operator>, AgendaError> {
        match self.client.resume().await {
            Ok(Some(operator)) => {
                self.open_store(&operator.id)?;
                Ok(Some(operator))
            }
            Ok(None) => Ok(None),
            Err(ApiError::SessionExpired | ApiError::Unauthorized) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Signs out (revoking the refresh token when the service can be reached) and closes
    /// the operator's store. Drafts and the outbox stay on this PC, readable again only by
    /// the same operator's next session.
    pub async fn sign_out(&self) -> Result<bool, AgendaError> {
        let _sending = self.outbox_lock.lock().await;
        self.record(AuditEvent::new(AuditAction::SignOut));
        let revoked = self.client.sign_out().await;
        self.close_store();
        Ok(revoked?)
    }

    /// The signed-in operator.
    pub async fn operator(&self) -> Option<Operator> {
        self.client.operator().await
    }

    // ------------------------------------------------------------ reads

    /// Argomenti.
    pub async fn topics(&self) -> Result<Listing<Vec<Topic>>, AgendaError> {
        let store = self.store()?;
        match self.client.topics().await {
            Ok(topics) => {
                self.keep(store.save_topics(&topics, Utc::now()));
                Ok(Listing::live(topics))
            }
            Err(e) => self.fallback(e, store.topics()),
        }
    }

    /// Strutture territoriali, optionally of one province.
    pub async fn offices(
        &self,
        province: Option<&str>,
    ) -> Result<Listing<Vec<Office>>, AgendaError> {
        let store = self.store()?;
        match self.client.offices(province).await {
            Ok(offices) => {
                if province.is_none() {
                    self.keep(store.save_offices(&offices, Utc::now()));
                }
                Ok(Listing::live(offices))
            }
            Err(e) => self.fallback(e, store.offices(province)),
        }
    }

    /// Punti di consulenza, optionally for a topic and/or an office.
    pub async fn consultation_points(
        &self,
        topic: Option<&str>,
        office: Option<&str>,
    ) -> Result<Listing<Vec<ConsultationPoint>>, AgendaError> {
        let store = self.store()?;
        match self.client.consultation_points(topic, office).await {
            Ok(points) => {
                if topic.is_none() && office.is_none() {
                    self.keep(store.save_consultation_points(&points, Utc::now()));
                }
                Ok(Listing::live(points))
            }
            Err(e) => self.fallback(e, store.consultation_points(topic, office)),
        }
    }

    /// The operator's contributors, optionally matching `q` (fiscal code prefix or name).
    pub async fn contributors(
        &self,
        q: Option<&str>,
    ) -> Result<Listing<Vec<Contributor>>, AgendaError> {
        let store = self.store()?;
        let q = q.map(str::trim).filter(|q| !q.is_empty());
        match self.client.all_contributors(q).await {
            Ok(list) => {
                self.keep(store.save_contributors(&list, q.is_none(), Utc::now()));
                Ok(Listing::live(list))
            }
            Err(e) => self.fallback(e, store.contributors(q)),
        }
    }

    /// One contributor.
    pub async fn contributor(
        &self,
        fiscal_code: &FiscalCode,
    ) -> Result<Listing<Contributor>, AgendaError> {
        let store = self.store()?;
        match self.client.contributor(fiscal_code).await {
            Ok(contributor) => {
                self.keep(store.save_contributors(
                    std::slice::from_ref(&contributor),
                    false,
                    Utc::now(),
                ));
                Ok(Listing::live(contributor))
            }
            Err(e) if can_fall_back(&e) => match store.contributor(fiscal_code)? {
                Some(contributor) => Ok(Listing {
                    items: contributor,
                    source: Source::Cache,
                    last_synced_at: self
                        .store()?
                        .last_synced_at(&crate::store::Dataset::Contributors)?,
                }),
                None => Err(e.into()),
            },
            Err(e) => Err(e.into()),
        }
    }

    /// The communications of a contributor, newest first.
    pub async fn communications(
        &self,
        fiscal_code: &FiscalCode,
    ) -> Result<Listing<Vec<Communication>>, AgendaError> {
        let store = self.store()?;
        match self.client.all_communications(fiscal_code).await {
            Ok(list) => {
                self.keep(store.save_communications(fiscal_code, &list, Utc::now()));
                Ok(Listing::live(list))
            }
            Err(e) => self.fallback(e, store.communications(fiscal_code)),
        }
    }

    /// A communication thread with its messages.
    pub async fn communication(
        &self,
        id: &str,
    ) -> Result<Listing<CommunicationThread>, AgendaError> {
        let store = self.store()?;
        match self.client.communication(id).await {
            Ok(thread) => {
                self.keep(store.save_thread(&thread, Utc::now()));
                Ok(Listing::live(thread))
            }
            Err(e) if can_fall_back(&e) => match store.thread(id)? {
                Some(cached) => Ok(Listing::cached(cached)),
                None => Err(e.into()),
            },
            Err(e) => Err(e.into()),
        }
    }

    /// The appointment history of a contributor, newest first, filtered. Online, the cache
    /// is brought up to date first ([`Agenda::sync_history`]), then filtered locally exactly
    /// like the offline path.
    pub async fn appointments(
        &self,
        fiscal_code: &FiscalCode,
        filter: &AppointmentFilter,
    ) -> Result<Listing<Vec<Appointment>>, AgendaError> {
        Ok(self.refreshed_appointments(fiscal_code, filter).await?.0)
    }

    /// As [`Agenda::appointments`], with what the sync did (nothing known when the cache
    /// answered alone).
    pub async fn refreshed_appointments(
        &self,
        fiscal_code: &FiscalCode,
        filter: &AppointmentFilter,
    ) -> Result<(Listing<Vec<Appointment>>, HistorySync), AgendaError> {
        let store = self.store()?;
        match self.sync_history(&store, fiscal_code).await? {
            Ok(synced) => {
                let cached = store.appointments(fiscal_code, filter)?;
                let mut listing = Listing::live(cached.items);
                listing.last_synced_at = cached.last_synced_at;
                Ok((listing, synced))
            }
            Err(e) => Ok((
                self.fallback(e, store.appointments(fiscal_code, filter))?,
                HistorySync::default(),
            )),
        }
    }

    /// The cached history alone, newest first, filtered: what the screen draws at once,
    /// before [`Agenda::appointments`] brings it up to date. Never touches the network.
    pub fn cached_appointments(
        &self,
        fiscal_code: &FiscalCode,
        filter: &AppointmentFilter,
    ) -> Result<Listing<Vec<Appointment>>, AgendaError> {
        let cached = self.store()?.appointments(fiscal_code, filter)?;
        Ok(Listing {
            items: cached.items,
            source: Source::Cache,
            last_synced_at: cached.last_synced_at,
        })
    }

    /// Fetches what the cached history of a contributor lacks. With a recent sync mark it
    /// asks only for what changed since then (`updated_since`, contract 1.1, less
    /// [`SYNC_OVERLAP`] for the writes the service was committing at that moment); without
    /// one, or when the mark is older than [`FULL_SYNC_AFTER`], the whole history.
    async fn fetch_history(
        &self,
        store: &Store,
        fiscal_code: &FiscalCode,
        began: DateTime<Utc>,
    ) -> Result<HistoryFetch, ApiError> {
        // Before any answer told the service's clock, `began` is this PC's: not a mark to
        // ask "what changed since" with.
        let mark = store
            .last_synced_at(&Dataset::Appointments(fiscal_code.clone()))
            .ok()
            .flatten()
            .filter(|_| self.client.server_clock_offset().is_some())
            .filter(|at| began.signed_duration_since(*at) < FULL_SYNC_AFTER);
        Ok(match mark {
            Some(at) => {
                let since = at.checked_sub_signed(SYNC_OVERLAP).unwrap_or(at);
                HistoryFetch::Changed(
                    at,
                    self.client
                        .appointments_changed_since(fiscal_code, since)
                        .await?,
                )
            }
            None => HistoryFetch::All(
                self.client
                    .all_appointments(fiscal_code, &AppointmentFilter::default())
                    .await?,
            ),
        })
    }

    /// Brings the cached history of a contributor up to date ([`Agenda::fetch_history`],
    /// then merged or replaced in one transaction); the new mark is the service's clock when
    /// the fetch began.
    async fn sync_history(
        &self,
        store: &Store,
        fiscal_code: &FiscalCode,
    ) -> Result<Result<HistorySync, ApiError>, StoreError> {
        let began = self.client.server_now();
        match self.fetch_history(store, fiscal_code, began).await {
            Ok(HistoryFetch::Changed(mark, changed)) => {
                store.merge_appointments(fiscal_code, &changed, began)?;
                Ok(Ok(HistorySync {
                    changed: Some(changed.len()),
                    since_mark: Some(mark),
                }))
            }
            Ok(HistoryFetch::All(all)) => {
                store.save_appointments(fiscal_code, &all, began)?;
                Ok(Ok(HistorySync::default()))
            }
            Err(e) => Ok(Err(e)),
        }
    }

    /// One appointment.
    pub async fn appointment(
        &self,
        id: &AppointmentId,
    ) -> Result<Listing<Appointment>, AgendaError> {
        let store = self.store()?;
        match self.client.appointment(id).await {
            Ok(appointment) => {
                self.keep(store.upsert_appointment(&appointment));
                Ok(Listing::live(appointment))
            }
            Err(e) if can_fall_back(&e) => match store.appointment(id)? {
                Some(appointment) => Ok(Listing {
                    items: appointment,
                    source: Source::Cache,
                    last_synced_at: None,
                }),
                None => Err(e.into()),
            },
            Err(e) => Err(e.into()),
        }
    }

    /// Free and taken slots (online only: availability cannot be known offline).
    pub async fn slots(&self, query: &SlotQuery) -> Result<Vec<Slot>, AgendaError> {
        Ok(self.client.slots(query).await?)
    }

    fn fallback<T>(
        &self,
        error: ApiError,
        cached: Result<Cached<T>, StoreError>,
    ) -> Result<Listing<T>, AgendaError> {
        if !can_fall_back(&error) {
            return Err(error.into());
        }
        let cached = cached?;
        if cached.last_synced_at.is_none() {
            // Never synced: an empty list would be a lie.
            return Err(error.into());
        }
        Ok(Listing::cached(cached))
    }

    /// A cache write that failed must not hide fresh data from the operator.
    pub(crate) fn keep(&self, result: Result<(), StoreError>) {
        if let Err(e) = result {
            tracing::warn!(code = e.code(), "cache locale non aggiornata");
        }
    }

    // ------------------------------------------------------------ drafts

    /// Saves the wizard as the draft of its contributor and communication, durably (when
    /// this returns, the draft survives a crash). Call it on every step and, debounced, as
    /// the operator types.
    pub fn save_draft(&self, wizard: &Wizard) -> Result<DraftSaved, AgendaError> {
        let store = self.store()?;
        match store.save_draft(wizard) {
            Err(StoreError::DraftLocked) => {
                // A hold that expired no longer locks the draft.
                self.draft(wizard.fiscal_code(), wizard.communication_id())?;
                Ok(store.save_draft(wizard)?)
            }
            other => Ok(other?),
        }
    }

    /// The draft of a contributor for a communication. A held slot past its deadline is
    /// released here: the draft comes back with `hold_expired`.
    pub fn draft(
        &self,
        fiscal_code: &FiscalCode,
        communication_id: &str,
    ) -> Result<Option<Draft>, AgendaError> {
        let store = self.store()?;
        let draft = store.draft(fiscal_code, communication_id)?;
        match draft {
            Some(draft) if hold_has_expired(&draft, &self.client) => {
                self.expire_hold(&draft)?;
                Ok(store.draft(fiscal_code, communication_id)?)
            }
            other => Ok(other),
        }
    }

    /// Every draft, most recent first (expired holds released as in [`Agenda::draft`]).
    pub fn drafts(&self) -> Result<Vec<Draft>, AgendaError> {
        let store = self.store()?;
        let drafts = store.drafts()?;
        if drafts.iter().any(|d| hold_has_expired(d, &self.client)) {
            for draft in drafts.iter().filter(|d| hold_has_expired(d, &self.client)) {
                self.expire_hold(draft)?;
            }
            return Ok(store.drafts()?);
        }
        Ok(drafts)
    }

    fn expire_hold(&self, draft: &Draft) -> Result<(), AgendaError> {
        let store = self.store()?;
        let problem = ReturnedProblem {
            code: "hold_expired".to_owned(),
            message: "la prenotazione non è stata confermata in tempo ed è scaduta: \
                      scegliere di nuovo data e ora"
                .to_owned(),
            allowed_from: None,
            alternatives: Vec::new(),
            at: Utc::now(),
        };
        store.reopen_draft(
            draft.wizard.fiscal_code(),
            draft.wizard.communication_id(),
            Some(&problem),
        )?;
        Ok(())
    }

    /// Discards a draft. Refused while it is queued or holds a slot.
    pub fn discard_draft(
        &self,
        fiscal_code: &FiscalCode,
        communication_id: &str,
    ) -> Result<bool, AgendaError> {
        let store = self.store()?;
        match self.draft(fiscal_code, communication_id)? {
            None => Ok(false),
            Some(draft) if draft.state != DraftState::Editing => {
                Err(StoreError::DraftLocked.into())
            }
            Some(_) => Ok(store.discard_draft(fiscal_code, communication_id)?),
        }
    }

    /// "Conferma Appuntamento": confirms a held slot; the draft is done and deleted. A hold
    /// that expired (`hold_expired`) sends the draft back for a new slot.
    pub async fn confirm(&self, id: &AppointmentId) -> Result<Appointment, AgendaError> {
        let result = self.confirm_at_service(id).await;
        self.record_remote(AuditAction::Confirm, id, &result, "");
        result
    }

    async fn confirm_at_service(&self, id: &AppointmentId) -> Result<Appointment, AgendaError> {
        let store = self.store()?;
        match self.client.confirm_booking(id).await {
            Ok(appointment) => {
                store.upsert_appointment(&appointment)?;
                store.delete_draft(&appointment.fiscal_code, &appointment.communication_id)?;
                Ok(appointment)
            }
            Err(ApiError::Problem(problem)) if problem.code == "hold_expired" => {
                if let Some(appointment) = store.appointment(id)? {
                    store.reopen_draft(
                        &appointment.fiscal_code,
                        &appointment.communication_id,
                        Some(&returned(&problem)),
                    )?;
                }
                Err(ApiError::Problem(problem).into())
            }
            Err(e) => Err(e.into()),
        }
    }

    /// "Cancella Prenotazione": releases a held slot; the draft comes back for editing.
    pub async fn cancel_hold(&self, id: &AppointmentId) -> Result<Appointment, AgendaError> {
        let result = self.cancel_hold_at_service(id).await;
        self.record_remote(AuditAction::CancelHold, id, &result, "");
        result
    }

    async fn cancel_hold_at_service(&self, id: &AppointmentId) -> Result<Appointment, AgendaError> {
        let store = self.store()?;
        let appointment = self.client.cancel_hold(id).await?;
        store.upsert_appointment(&appointment)?;
        store.reopen_draft(
            &appointment.fiscal_code,
            &appointment.communication_id,
            None,
        )?;
        Ok(appointment)
    }

    /// Cancels a confirmed future appointment (`annullato`).
    pub async fn cancel_appointment(
        &self,
        id: &AppointmentId,
        reason: Option<&str>,
    ) -> Result<Appointment, AgendaError> {
        let result = async {
            let store = self.store()?;
            let appointment = self.client.cancel_appointment(id, reason).await?;
            store.upsert_appointment(&appointment)?;
            Ok(appointment)
        }
        .await;
        self.record_remote(AuditAction::Annul, id, &result, "");
        result
    }

    // ------------------------------------------------------------ sync

    /// Refreshes the caches: reference data, the contributor list, and the communications
    /// and appointment history of the contributors given (e.g. the ones on screen).
    pub async fn refresh_cache(
        &self,
        contributors: &[FiscalCode],
    ) -> Result<RefreshReport, AgendaError> {
        let store = self.store()?;
        let mut report = RefreshReport::default();
        let now = Utc::now();
        let topics = self.client.topics().await?;
        store.save_topics(&topics, now)?;
        report.topics = topics.len();
        let offices = self.client.offices(None).await?;
        store.save_offices(&offices, now)?;
        report.offices = offices.len();
        let points = self.client.consultation_points(None, None).await?;
        store.save_consultation_points(&points, now)?;
        report.consultation_points = points.len();
        let list = self.client.all_contributors(None).await?;
        store.save_contributors(&list, true, now)?;
        report.contributors = list.len();
        for fiscal_code in contributors {
            let communications = self.client.all_communications(fiscal_code).await?;
            store.save_communications(fiscal_code, &communications, now)?;
            report.communications += communications.len();
            self.sync_history(&store, fiscal_code).await??;
            report.appointments += store
                .appointments(fiscal_code, &AppointmentFilter::default())?
                .items
                .len();
        }
        Ok(report)
    }

    /// Connection and outbox state.
    pub fn status(&self) -> Result<SyncStatus, AgendaError> {
        let Connectivity {
            online,
            last_contact_at,
        } = self.client.connectivity();
        Ok(SyncStatus {
            online,
            last_contact_at,
            // Signed out: nobody's outbox is open, so nothing is queued for this session.
            queued_bookings: match self.store() {
                Ok(store) => store.outbox()?.len(),
                Err(StoreError::SignedOut) => 0,
                Err(e) => return Err(e.into()),
            },
            last_outbox_sync_at: *self
                .last_outbox_sync_at
                .lock()
                .unwrap_or_else(|p| p.into_inner()),
        })
    }
}

/// How far before the last sync mark an incremental history fetch reaches back: writes the
/// service was committing while the last fetch ran (milliseconds), and the error of the
/// service's clock as this PC knows it (the `Date` header's second), come back (and merge as
/// no change) instead of being missed.
const SYNC_OVERLAP: chrono::TimeDelta = chrono::TimeDelta::seconds(30);

/// A sync mark older than this is not trusted for an incremental fetch: the whole history is
/// fetched again (a day: what a desk PC switched off overnight missed is never older).
const FULL_SYNC_AFTER: chrono::TimeDelta = chrono::TimeDelta::hours(24);

/// What a history sync did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HistorySync {
    /// How many appointments changed since the mark (`None`: the whole history was fetched,
    /// or the service could not be asked).
    pub changed: Option<usize>,
    /// The sync mark the changes were asked from: the copy synced at that mark, plus these
    /// changes, is the history now.
    pub since_mark: Option<DateTime<Utc>>,
}

/// What [`Agenda::fetch_history`] brought.
enum HistoryFetch {
    /// The appointments changed since the mark (the mark read).
    Changed(DateTime<Utc>, Vec<Appointment>),
    /// The whole history.
    All(Vec<Appointment>),
}

fn can_fall_back(error: &ApiError) -> bool {
    error.is_offline() || error.is_retryable()
}

/// Whether the hold of a draft has ended, on the server's clock. Before any answer has told
/// the server's time, nothing is expired here: the server says so when asked to confirm.
fn hold_has_expired(draft: &Draft, client: &ApiClient) -> bool {
    client.server_clock_offset().is_some()
        && matches!(
            &draft.state,
            DraftState::Held { hold_expires_at: Some(at), .. } if *at <= client.server_now()
        )
}

fn returned(problem: &Problem) -> ReturnedProblem {
    ReturnedProblem {
        code: problem.code.clone(),
        message: problem.message().to_owned(),
        allowed_from: problem.allowed_from,
        alternatives: problem.alternatives.clone(),
        at: Utc::now(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base_url::BaseUrl;
    use crate::keychain::{MemoryKeyStore, MemoryTokenStore};
    use crate::store::tests::TempDir;

    fn assert_send<T: Send>(_: &T) {}
    fn assert_sync<T: Send + Sync>() {}

    #[test]
    fn the_facade_and_its_futures_can_cross_threads() {
        assert_sync::<Agenda>();
        let dir = TempDir::new();
        let config = ClientConfig::new(BaseUrl::parse("http://127.0.0.1:9").unwrap());
        let agenda = Agenda::open_with(
            config,
            dir.path(),
            Arc::new(MemoryTokenStore::new()),
            &MemoryKeyStore::new(),
        )
        .unwrap();
        let fc = FiscalCode::parse("RSSMRA85T10A562S").unwrap();
        let id = AppointmentId::from_random([1; 8]);
        let password = Secret::new("x");
        // Built, never polled: only their types matter (Tauri commands need Send futures).
        assert_send(&agenda.sign_in("demo", &password));
        assert_send(&agenda.resume());
        assert_send(&agenda.sign_out());
        assert_send(&agenda.contributors(None));
        assert_send(&agenda.contributor(&fc));
        assert_send(&agenda.communications(&fc));
        assert_send(&agenda.communication("CM-1"));
        assert_send(&agenda.appointments(&fc, &AppointmentFilter::default()));
        assert_send(&agenda.appointment(&id));
        assert_send(&agenda.topics());
        assert_send(&agenda.offices(None));
        assert_send(&agenda.consultation_points(None, None));
        assert_send(&agenda.book(&fc, "CM-1"));
        assert_send(&agenda.confirm(&id));
        assert_send(&agenda.cancel_hold(&id));
        assert_send(&agenda.cancel_appointment(&id, None));
        assert_send(&agenda.sync_outbox());
        assert_send(&agenda.refresh_cache(&[]));
    }

    #[tokio::test]
    async fn an_unreachable_service_with_an_empty_cache_is_an_error_not_an_empty_list() {
        let dir = TempDir::new();
        let mut config = ClientConfig::new(BaseUrl::parse("http://127.0.0.1:9").unwrap());
        config.retry = crate::RetryPolicy::never();
        let tokens = Arc::new(MemoryTokenStore::new());
        tokens.set(&Secret::new("refresh")).unwrap();
        let agenda = Agenda::open_with(config, dir.path(), tokens, &MemoryKeyStore::new()).unwrap();
        let err = agenda.topics().await.unwrap_err();
        assert_eq!(err.code(), "network_error");
        assert_eq!(agenda.status().unwrap().online, Some(false));
    }
}
