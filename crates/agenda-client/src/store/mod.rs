//! [`Store`]: the desk PC's memory, one SQLite file in the app data folder.
//!
//! # What is kept
//! - **Caches** of reference data (argomenti, strutture, punti di consulenza), contributors,
//!   communications and threads, and appointment history, so every list opens offline; each
//!   data set remembers when it was last synced ([`Cached::last_synced_at`]).
//! - **Drafts** of the booking wizard, one per contributor and communication, saved as the
//!   operator types.
//! - The **outbox** of bookings not yet answered by the service, each with its
//!   `Idempotency-Key` (see [`crate::Agenda::book`]).
//!
//! # Durability
//! The file runs in WAL mode with `synchronous = FULL`: a commit returns only after the WAL
//! is flushed to the disk. Every save is one transaction (a draft save is one statement), so
//! after a crash or `kill -9` at any moment each save that returned `Ok` is there and no save
//! is there by half.
//!
//! # Personal data at rest
//! Contributors, communications and threads, appointments, drafts and queued bookings are
//! sealed with [`crate::crypto::Cipher`] (XChaCha20-Poly1305) under the installation's data
//! key, which lives only in the OS keychain ([`KeyStore`]). Rows are found by a keyed hash
//! of the fiscal code. What stays in clear is only what finding and ordering rows needs and
//! names nobody: ids of communications and appointments, appointment statuses and years,
//! send times of communications, draft states, sync times, and the reference data (public
//! lists of offices and topics). The appointment history is sealed in chunks, one per
//! contributor, status and year (see `history`), so that a long history opens fast. A
//! database opened with another key, or whose key has vanished from the keychain, is
//! refused with an explanation; nothing is ever written in clear as a fallback.
//!
//! # Registro attività, retention, erasure
//! The operator's actions are appended to a hash-chained log ([`audit`]); what is older than
//! the retention periods is purged, a contributor's data can be exported or erased, and an
//! Argon2id verifier of the password opens the idle lock offline ([`privacy`]).
//!
//! # Schema
//! Versioned with `PRAGMA user_version`: [`MIGRATIONS`] lists every step from the empty
//! file; opening applies the missing ones, each in its own transaction.

pub mod audit;
mod desk;
mod drafts;
mod history;
mod outbox;
mod people;
pub use people::DeskSnapshot;
pub mod privacy;
mod reference;
mod schema;

pub use schema::MIGRATIONS;
use schema::{migrate, unlock};

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use agenda_core::{AppointmentId, FiscalCode, Wizard};
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::client::IdempotencyKey;
use crate::crypto::{hex, Cipher, DataKey};
use crate::keychain::{KeyStore, KeychainError};
use crate::wire::{
    Appointment, AppointmentFilter, BookingRequest, Communication, CommunicationThread,
    ConsultationPoint, Contributor, Office, RequestableCommunication, Slot, Timestamp, Topic,
};

/// File name of the store inside the data folder.
pub const FILE_NAME: &str = "agenda.sqlite3";

/// Why the store could not do what was asked. Messages are Italian and safe to show.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The keychain holding the data key is not usable.
    #[error(transparent)]
    Keychain(#[from] KeychainError),
    /// The local file holds encrypted data but the keychain has no key for it.
    #[error(
        "la chiave che protegge i dati locali non è nel portachiavi di sistema: senza di essa \
         bozze e dati salvati non sono leggibili. Ripristinare il portachiavi (o accedere con \
         l'utente del sistema che ha creato i dati); in alternativa eliminare il file \
         «{path}» per ricominciare da zero, perdendo le bozze non inviate"
    )]
    KeyMissing {
        /// The database file.
        path: String,
    },
    /// The keychain's key does not open the local file.
    #[error(
        "la chiave nel portachiavi di sistema non corrisponde ai dati locali «{path}»: \
         ripristinare la chiave originale nel portachiavi, oppure eliminare il file per \
         ricominciare da zero, perdendo le bozze non inviate"
    )]
    KeyMismatch {
        /// The database file.
        path: String,
    },
    /// The file was written by a newer version of the app.
    #[error(
        "i dati locali sono di una versione più recente di Cassetto Agenda (schema {found}, \
         supportato fino a {supported}): aggiornare l'applicazione"
    )]
    TooNew {
        /// Version in the file.
        found: u32,
        /// Newest version this build knows.
        supported: u32,
    },
    /// The data folder cannot be created.
    #[error("impossibile creare la cartella dei dati «{path}»: {source}")]
    Folder {
        /// The folder.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// SQLite failed (disk full, file damaged, …).
    #[error("archivio locale non utilizzabile: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A sealed value does not open: the file was damaged or tampered with.
    #[error("dato locale cifrato non leggibile ({what}): file danneggiato")]
    Damaged {
        /// Which kind of row.
        what: &'static str,
    },
    /// A draft is waiting for the service or holds a slot and cannot be edited.
    #[error(
        "la bozza è in attesa di invio o ha un orario prenotato: confermare o cancellare la \
         prenotazione prima di modificarla"
    )]
    DraftLocked,
    /// No draft for that contributor and communication.
    #[error("bozza non trovata")]
    DraftNotFound,
    /// Nobody is signed in: the local data belongs to an operator and stays closed.
    #[error("accedere con le proprie credenziali per vedere e modificare i dati locali")]
    SignedOut,
}

impl StoreError {
    /// Stable machine word for the UI.
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Keychain(e) => e.code(),
            StoreError::KeyMissing { .. } => "data_key_missing",
            StoreError::KeyMismatch { .. } => "data_key_mismatch",
            StoreError::TooNew { .. } => "store_too_new",
            StoreError::Folder { .. } | StoreError::Sqlite(_) => "store_unavailable",
            StoreError::Damaged { .. } => "store_damaged",
            StoreError::DraftLocked => "draft_locked",
            StoreError::DraftNotFound => "draft_not_found",
            StoreError::SignedOut => "session_required",
        }
    }
}

/// A cached list and when it was last synced with the service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cached<T> {
    /// The data.
    pub items: T,
    /// When the service last gave it; `None` when never synced.
    pub last_synced_at: Option<DateTime<Utc>>,
}

/// A cached data set, for [`Store::last_synced_at`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dataset {
    /// Argomenti.
    Topics,
    /// Strutture territoriali.
    Offices,
    /// Punti di consulenza.
    ConsultationPoints,
    /// The operator's contributors.
    Contributors,
    /// One contributor's communications.
    Communications(FiscalCode),
    /// One contributor's appointment history.
    Appointments(FiscalCode),
    /// The desk agenda ([`DeskSnapshot`]).
    Desk,
}

/// Where a draft stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum DraftState {
    /// Being filled in.
    Editing,
    /// "Prenota" was pressed: waiting in the outbox for the service.
    Queued,
    /// The service holds a slot: waiting for "Conferma Appuntamento" before it expires.
    Held {
        /// Identificativo appuntamento.
        appointment_id: AppointmentId,
        /// Deadline for the confirmation.
        hold_expires_at: Option<Timestamp>,
    },
}

/// Why the service sent a draft back: shown with the draft until the next "Prenota".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnedProblem {
    /// Stable word (`slot_taken`, `not_eligible_yet`, `invalid_phone`, `hold_expired`, …).
    pub code: String,
    /// Message to show.
    pub message: String,
    /// `not_eligible_yet`: first allowed day.
    pub allowed_from: Option<NaiveDate>,
    /// `slot_taken`: the nearest free slots to choose from.
    pub alternatives: Vec<Slot>,
    /// When the service answered.
    pub at: DateTime<Utc>,
}

/// A saved draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    /// The wizard, with telefono and note as typed.
    pub wizard: Wizard,
    /// Where it stands.
    #[serde(flatten)]
    pub state: DraftState,
    /// Why the service last sent it back, if it did.
    pub problem: Option<ReturnedProblem>,
    /// Saves so far (1 after the first).
    pub revision: u64,
    /// Time of the last save.
    pub updated_at: DateTime<Utc>,
}

/// Acknowledgement of a durable draft save.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftSaved {
    /// The draft's revision after this save.
    pub revision: u64,
    /// When it was saved.
    pub saved_at: DateTime<Utc>,
}

/// A booking waiting in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    /// Row id.
    pub id: i64,
    /// The key sent with every attempt.
    pub idempotency_key: IdempotencyKey,
    /// What is sent.
    pub booking: BookingRequest,
    /// When "Prenota" was pressed.
    pub created_at: DateTime<Utc>,
    /// Attempts that got no final answer so far.
    pub attempts: u32,
    /// Code of the last failure.
    pub last_error: Option<String>,
}

/// The local store. All methods are short synchronous SQLite calls; share it in an `Arc`.
pub struct Store {
    conn: Mutex<Connection>,
    cipher: Cipher,
    path: PathBuf,
    /// The operator whose actions the Registro attività records.
    actor: Mutex<String>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

impl Store {
    /// Opens (creating if needed) the store in `dir`, with the data key from `keys`, for no
    /// particular owner (tests, tools). The app opens one store per operator with
    /// [`Store::open_for`].
    pub fn open(dir: &Path, keys: &dyn KeyStore) -> Result<Self, StoreError> {
        Self::open_for(dir, keys, b"")
    }

    /// Opens (creating if needed) the store in `dir` holding the data of `owner` (see
    /// [`crate::OperatorScope`]), with the data key from `keys`.
    ///
    /// A new store gets a new random key, saved in `keys` before anything is encrypted
    /// with it. An existing store checks that the key opens it *for this owner*: the owner
    /// is bound into every sealed value, so another operator's context cannot read it.
    /// On Unix the folder is made `0700` and the database with its WAL and shared-memory
    /// files `0600`: only the user who runs the app can read them.
    pub fn open_for(dir: &Path, keys: &dyn KeyStore, owner: &[u8]) -> Result<Self, StoreError> {
        let folder_error = |source| StoreError::Folder {
            path: dir.display().to_string(),
            source,
        };
        crate::files::private_dir(dir).map_err(folder_error)?;
        let path = dir.join(FILE_NAME);
        // SQLite gives the -wal and -shm files the mode of the database file.
        crate::files::private_file(&path).map_err(folder_error)?;
        let mut conn = Connection::open(&path)?;
        conn.busy_timeout(Duration::from_secs(5))?;
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
        debug_assert_eq!(mode.to_ascii_lowercase(), "wal");
        conn.execute_batch(
            "PRAGMA synchronous = FULL;
             PRAGMA foreign_keys = ON;
             PRAGMA secure_delete = ON;
             PRAGMA cache_size = -16384;",
        )?;
        migrate(&mut conn)?;
        let cipher = unlock(&conn, keys, &path, owner)?;
        for companion in ["-wal", "-shm"] {
            let mut name = path.clone().into_os_string();
            name.push(companion);
            crate::files::restrict_if_present(Path::new(&name)).map_err(folder_error)?;
        }
        Ok(Self {
            conn: Mutex::new(conn),
            cipher,
            path,
            actor: Mutex::new(String::new()),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version (`PRAGMA user_version`).
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        self.with_conn(|conn| Ok(conn.pragma_query_value(None, "user_version", |row| row.get(0))?))
    }

    /// Runs `f` on the store's connection, off the async workers ([`crate::blocking`]): a
    /// slow disk (every commit is flushed, `synchronous = FULL`) or a long wait for the
    /// connection never stalls the other commands.
    fn with_conn<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        crate::blocking(|| {
            let mut conn = self
                .conn
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            f(&mut conn)
        })
    }

    fn fc_hash(&self, fiscal_code: &FiscalCode) -> [u8; 32] {
        self.cipher.lookup_hash("fiscal_code", fiscal_code.as_str())
    }

    fn seal<T: Serialize>(&self, aad: &[u8], value: &T) -> Vec<u8> {
        let json = serde_json::to_vec(value).expect("stored types always serialize");
        self.cipher.seal(aad, &json)
    }

    fn open_sealed<T: DeserializeOwned>(
        &self,
        what: &'static str,
        aad: &[u8],
        sealed: &[u8],
    ) -> Result<T, StoreError> {
        let json = self
            .cipher
            .open(aad, sealed)
            .map_err(|_| StoreError::Damaged { what })?;
        serde_json::from_slice(&json).map_err(|_| StoreError::Damaged { what })
    }

    // ------------------------------------------------------------ sync marks

    /// When a data set was last synced with the service.
    pub fn last_synced_at(&self, dataset: &Dataset) -> Result<Option<DateTime<Utc>>, StoreError> {
        let key = self.dataset_key(dataset);
        self.with_conn(|conn| read_mark(conn, &key))
    }

    fn dataset_key(&self, dataset: &Dataset) -> String {
        match dataset {
            Dataset::Topics => "topics".to_owned(),
            Dataset::Offices => "offices".to_owned(),
            Dataset::ConsultationPoints => "consultation_points".to_owned(),
            Dataset::Contributors => "contributors".to_owned(),
            Dataset::Communications(fc) => format!("communications:{}", hex(&self.fc_hash(fc))),
            Dataset::Appointments(fc) => format!("appointments:{}", hex(&self.fc_hash(fc))),
            Dataset::Desk => "desk".to_owned(),
        }
    }
}

fn aad(kind: &str, id: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(kind.len() + 1 + id.len());
    out.extend_from_slice(kind.as_bytes());
    out.push(0);
    out.extend_from_slice(id.as_bytes());
    out
}

fn parse_ts(text: &str) -> Result<Timestamp, StoreError> {
    DateTime::parse_from_rfc3339(text).map_err(|_| StoreError::Damaged { what: "data e ora" })
}

fn parse_utc(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

fn read_mark(conn: &Connection, key: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
    let at: Option<String> = conn
        .query_row(
            "SELECT synced_at FROM sync_marks WHERE dataset = ?1",
            [key],
            |row| row.get(0),
        )
        .optional()?;
    Ok(at.as_deref().and_then(parse_utc))
}

fn write_mark(conn: &Connection, key: &str, at: DateTime<Utc>) -> Result<(), rusqlite::Error> {
    conn.execute(
        "INSERT INTO sync_marks (dataset, synced_at) VALUES (?1, ?2)
         ON CONFLICT (dataset) DO UPDATE SET synced_at = excluded.synced_at",
        params![key, at.to_rfc3339()],
    )?;
    Ok(())
}

/// Applies the missing [`MIGRATIONS`], each in its own transaction.
#[cfg(test)]
mod privacy_tests;
#[cfg(test)]
pub(crate) mod tests;
