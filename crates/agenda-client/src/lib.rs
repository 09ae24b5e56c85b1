//! # agenda-client
//!
//! Cassetto Agenda's bridge to the remote service (../shared/SERVICE.md) and its memory on
//! the desk PC. Desks work on flaky connections and draft appointment notes offline: nothing
//! the operator typed may be lost, and no retry may ever book twice.
//!
//! ## The facade: [`Agenda`], and the application layer: [`app`]
//! The shell keeps one `Arc<Agenda>` in its state. The facade has one method per workflow
//! (below), returning wire and domain types or an [`AgendaError`] with an Italian `Display`
//! and a stable [`AgendaError::code`]. The shell's commands call the application layer
//! ([`app`], more `impl Agenda` blocks): the catalog, the wizard restored against it, one
//! `book_input` request, and view types ([`app::AppointmentView`], [`app::DraftView`], …)
//! that carry what the UI may do, so the UI holds no rules.
//!
//! ```no_run
//! # async fn demo() -> Result<(), agenda_client::AgendaError> {
//! use agenda_client::{Agenda, BaseUrl, ClientConfig, Secret};
//! let base = BaseUrl::parse("http://127.0.0.1:8080")?;
//! let agenda = Agenda::open(ClientConfig::new(base), std::path::Path::new("/data/dir"))?;
//! agenda.sign_in("demo", &Secret::new("demo")).await?;
//! let contributors = agenda.contributors(None).await?; // Listing { items, source, last_synced_at }
//! # Ok(()) }
//! ```
//!
//! | workflow | method | returns |
//! |---|---|---|
//! | start-up | [`Agenda::open`], [`Agenda::resume`] | `Option<Operator>` (None: show the sign-in) |
//! | sign in / out | [`Agenda::sign_in`], [`Agenda::sign_out`] | [`Operator`] / whether revoked |
//! | lists (live, cache when offline) | [`Agenda::contributors`], [`Agenda::contributor`], [`Agenda::communications`], [`Agenda::communication`], [`Agenda::appointments`], [`Agenda::appointment`], [`Agenda::topics`], [`Agenda::offices`], [`Agenda::consultation_points`] | [`Listing`] |
//! | wizard, date and time | [`Agenda::slots`] (online only) | `Vec<`[`Slot`]`>` |
//! | wizard, every change | [`Agenda::save_draft`] (durable) | [`DraftSaved`] |
//! | drafts | [`Agenda::draft`], [`Agenda::drafts`], [`Agenda::discard_draft`] | [`Draft`] |
//! | "Prenota" | [`Agenda::book`] | [`BookingOutcome`]: `held` (ask to confirm), `returned` (draft back with the reason and alternatives), `queued` (offline), `confirmed` |
//! | "Conferma Appuntamento" | [`Agenda::confirm`] | [`Appointment`] |
//! | "Cancella Prenotazione" | [`Agenda::cancel_hold`] | [`Appointment`] |
//! | annulla appuntamento | [`Agenda::cancel_appointment`] | [`Appointment`] |
//! | background sync (timer, "Riprova") | [`Agenda::sync_outbox`], [`Agenda::refresh_cache`] | [`SyncReport`], [`RefreshReport`] |
//! | status bar | [`Agenda::status`] | [`SyncStatus`] |
//!
//! ## The parts
//! - [`ApiClient`] ([`client`]): typed calls for every endpoint, timeouts, retries with
//!   backoff and full jitter only where a repeat is harmless (reads, idempotency keys,
//!   idempotent writes), transparent token refresh with rotation, single-flight.
//! - [`ApiError`]: the server's [`Problem`] apart from transport failures, timeouts and
//!   undecodable answers; [`ApiError::is_retryable`], [`ApiError::code`].
//! - [`BaseUrl`]: `https` required except for loopback.
//! - [`Store`] ([`store`]): SQLite caches, durable drafts, outbox; personal data sealed with
//!   XChaCha20-Poly1305 under a data key kept in the OS keychain ([`crypto`], [`keychain`]).
//! - [`Secret`]: passwords and tokens, never printed.
//!
//! ## Invariants
//! - Tokens live in memory and in the keychain, never on disk; the UI never sees one.
//! - No personal data in clear on disk, in logs or in error messages.
//! - A booking is in the outbox, with its `Idempotency-Key`, before its first byte is sent;
//!   every later attempt reuses that key. A hold is never confirmed without the operator.
#![deny(missing_docs)]

/// Runs blocking work (SQLite, the OS keychain over D-Bus) without stalling the async
/// runtime: on a multi-threaded tokio runtime (the app's) the worker first hands its other
/// tasks to another thread (`block_in_place`), so a slow disk or a keychain prompt delays
/// only the command that waits for it; anywhere else `f` just runs.
pub fn blocking<T>(f: impl FnOnce() -> T) -> T {
    use tokio::runtime::{Handle, RuntimeFlavor};
    match Handle::try_current() {
        Ok(handle) if handle.runtime_flavor() == RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(f)
        }
        _ => f(),
    }
}

pub mod agenda;
pub mod app;
pub mod base_url;
pub mod client;
pub mod crypto;
pub mod error;
pub mod files;
pub mod keychain;
pub mod operators;
pub mod retry;
pub mod secret;
pub mod store;
pub mod wire;

pub use agenda::{
    Agenda, AgendaError, BookingOutcome, HistorySync, Listing, RefreshReport, Source, SyncReport,
    SyncStatus,
};
pub use base_url::{BaseUrl, BaseUrlError};
pub use client::{collect_pages, ApiClient, ClientConfig, Connectivity, IdempotencyKey};
pub use crypto::DataKey;
pub use error::{ApiError, Problem};
pub use keychain::{
    KeyStore, KeychainError, KeyringKeyStore, KeyringTokenStore, MemoryKeyStore, MemoryTokenStore,
    TokenStore, KEYRING_SERVICE,
};
pub use operators::{OperatorScope, OperatorStores, StoreOpener};
pub use retry::RetryPolicy;
pub use secret::Secret;
pub use store::{
    Cached, Dataset, Draft, DraftSaved, DraftState, OutboxEntry, ReturnedProblem, Store, StoreError,
};
pub use wire::{
    Appointment, AppointmentFilter, BookedBy, BookingRequest, Communication, CommunicationThread,
    ConsultationPoint, Contributor, ContributorRef, DeskAgendaQuery, Office, Operator, Page,
    PageRequest, Provenance, RequestableCommunication, RescheduleRequest, Slot, SlotQuery, Topic,
};
