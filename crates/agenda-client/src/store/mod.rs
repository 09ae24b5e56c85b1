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
//! # Schema
//! Versioned with `PRAGMA user_version`: [`MIGRATIONS`] lists every step from the empty
//! file; opening applies the missing ones, each in its own transaction.

mod history;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
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
    ConsultationPoint, Contributor, Office, Slot, Timestamp, Topic,
};

/// File name of the store inside the data folder.
pub const FILE_NAME: &str = "agenda.sqlite3";

/// The schema, one entry per version: entry `i` brings `user_version` from `i` to `i + 1`.
pub const MIGRATIONS: &[&str] = &[
    // 1: everything.
    r#"
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY NOT NULL,
        value BLOB NOT NULL
    ) STRICT;
    CREATE TABLE sync_marks (
        dataset   TEXT PRIMARY KEY NOT NULL,
        synced_at TEXT NOT NULL
    ) STRICT;
    CREATE TABLE reference_data (
        kind    TEXT PRIMARY KEY NOT NULL,
        payload TEXT NOT NULL
    ) STRICT;
    CREATE TABLE contributors (
        fc_hash  BLOB PRIMARY KEY NOT NULL,
        position INTEGER NOT NULL,
        sealed   BLOB NOT NULL
    ) STRICT;
    CREATE TABLE communications (
        id      TEXT PRIMARY KEY NOT NULL,
        fc_hash BLOB NOT NULL,
        sent_at INTEGER NOT NULL,
        sealed  BLOB NOT NULL
    ) STRICT;
    CREATE INDEX communications_by_contributor ON communications (fc_hash, sent_at DESC);
    CREATE TABLE communication_threads (
        id        TEXT PRIMARY KEY NOT NULL,
        synced_at TEXT NOT NULL,
        sealed    BLOB NOT NULL
    ) STRICT;
    CREATE TABLE appointments (
        id                 TEXT PRIMARY KEY NOT NULL,
        fc_hash            BLOB NOT NULL,
        communication_id   TEXT NOT NULL,
        topic_code         TEXT NOT NULL,
        consultation_point TEXT NOT NULL,
        channel            TEXT NOT NULL,
        office_code        TEXT NOT NULL,
        start_at           INTEGER NOT NULL,
        start              TEXT NOT NULL,
        "end"              TEXT NOT NULL,
        status             TEXT NOT NULL,
        hold_expires_at    TEXT,
        created_at         TEXT NOT NULL,
        updated_at         TEXT NOT NULL,
        sealed             BLOB NOT NULL
    ) STRICT;
    CREATE INDEX appointments_history ON appointments (fc_hash, start_at DESC);
    CREATE INDEX appointments_by_status ON appointments (fc_hash, status, start_at DESC);
    CREATE TABLE drafts (
        fc_hash          BLOB NOT NULL,
        communication_id TEXT NOT NULL,
        revision         INTEGER NOT NULL,
        updated_at       TEXT NOT NULL,
        state            TEXT NOT NULL CHECK (state IN ('editing', 'queued', 'held')),
        appointment_id   TEXT,
        hold_expires_at  TEXT,
        problem          TEXT,
        sealed           BLOB NOT NULL,
        PRIMARY KEY (fc_hash, communication_id)
    ) STRICT;
    CREATE TABLE outbox (
        id               INTEGER PRIMARY KEY,
        idempotency_key  TEXT NOT NULL UNIQUE,
        fc_hash          BLOB NOT NULL,
        communication_id TEXT NOT NULL,
        created_at       TEXT NOT NULL,
        attempts         INTEGER NOT NULL DEFAULT 0,
        last_attempt_at  TEXT,
        last_error       TEXT,
        sealed           BLOB NOT NULL
    ) STRICT;
    "#,
    // 2: the history is sealed in chunks (see `history`); a small clear table maps each
    // appointment to its chunk. The old cache is dropped: it is refetched.
    r#"
    DROP TABLE appointments;
    DELETE FROM sync_marks WHERE dataset LIKE 'appointments:%';
    CREATE TABLE appointments (
        id         TEXT PRIMARY KEY NOT NULL,
        fc_hash    BLOB NOT NULL,
        status     TEXT NOT NULL,
        chunk_year INTEGER NOT NULL
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX appointments_by_contributor ON appointments (fc_hash);
    CREATE TABLE appointment_chunks (
        fc_hash BLOB NOT NULL,
        status  TEXT NOT NULL,
        year    INTEGER NOT NULL,
        sealed  BLOB NOT NULL,
        PRIMARY KEY (fc_hash, status, year)
    ) STRICT, WITHOUT ROWID;
    "#,
    // 3: the reason a draft came back is sealed too (server messages may quote what was
    // typed). Reasons stored in clear by version 2 are dropped.
    r#"
    ALTER TABLE drafts DROP COLUMN problem;
    ALTER TABLE drafts ADD COLUMN problem BLOB;
    "#,
];

const KEY_CHECK: &str = "key_check";
const KEY_CHECK_PLAINTEXT: &[u8] = b"cassetto-agenda key check v1";

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
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version (`PRAGMA user_version`).
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        Ok(self
            .conn()
            .pragma_query_value(None, "user_version", |row| row.get(0))?)
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
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
        read_mark(&self.conn(), &key)
    }

    fn dataset_key(&self, dataset: &Dataset) -> String {
        match dataset {
            Dataset::Topics => "topics".to_owned(),
            Dataset::Offices => "offices".to_owned(),
            Dataset::ConsultationPoints => "consultation_points".to_owned(),
            Dataset::Contributors => "contributors".to_owned(),
            Dataset::Communications(fc) => format!("communications:{}", hex(&self.fc_hash(fc))),
            Dataset::Appointments(fc) => format!("appointments:{}", hex(&self.fc_hash(fc))),
        }
    }

    // ------------------------------------------------------------ reference data

    fn save_reference<T: Serialize>(
        &self,
        dataset: Dataset,
        value: &T,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let key = self.dataset_key(&dataset);
        let json = serde_json::to_string(value).expect("wire types always serialize");
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO reference_data (kind, payload) VALUES (?1, ?2)
             ON CONFLICT (kind) DO UPDATE SET payload = excluded.payload",
            params![key, json],
        )?;
        write_mark(&tx, &key, at)?;
        tx.commit()?;
        Ok(())
    }

    fn reference<T: DeserializeOwned + Default>(
        &self,
        dataset: Dataset,
    ) -> Result<Cached<T>, StoreError> {
        let key = self.dataset_key(&dataset);
        let conn = self.conn();
        let payload: Option<String> = conn
            .query_row(
                "SELECT payload FROM reference_data WHERE kind = ?1",
                [&key],
                |row| row.get(0),
            )
            .optional()?;
        let items = match payload {
            Some(json) => serde_json::from_str(&json).map_err(|_| StoreError::Damaged {
                what: "dati di riferimento",
            })?,
            None => T::default(),
        };
        Ok(Cached {
            items,
            last_synced_at: read_mark(&conn, &key)?,
        })
    }

    /// Replaces the cached argomenti.
    pub fn save_topics(&self, topics: &[Topic], at: DateTime<Utc>) -> Result<(), StoreError> {
        self.save_reference(Dataset::Topics, &topics, at)
    }

    /// The cached argomenti.
    pub fn topics(&self) -> Result<Cached<Vec<Topic>>, StoreError> {
        self.reference(Dataset::Topics)
    }

    /// Replaces the cached strutture territoriali (the full list).
    pub fn save_offices(&self, offices: &[Office], at: DateTime<Utc>) -> Result<(), StoreError> {
        self.save_reference(Dataset::Offices, &offices, at)
    }

    /// The cached strutture, optionally of one province only.
    pub fn offices(&self, province: Option<&str>) -> Result<Cached<Vec<Office>>, StoreError> {
        let mut cached: Cached<Vec<Office>> = self.reference(Dataset::Offices)?;
        if let Some(province) = province {
            cached
                .items
                .retain(|o| o.province.eq_ignore_ascii_case(province));
        }
        Ok(cached)
    }

    /// Replaces the cached punti di consulenza (the full list).
    pub fn save_consultation_points(
        &self,
        points: &[ConsultationPoint],
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.save_reference(Dataset::ConsultationPoints, &points, at)
    }

    /// The cached punti di consulenza, filtered like the service filters them (by topic
    /// only when the service listed each point's topics).
    pub fn consultation_points(
        &self,
        topic: Option<&str>,
        office: Option<&str>,
    ) -> Result<Cached<Vec<ConsultationPoint>>, StoreError> {
        let mut cached: Cached<Vec<ConsultationPoint>> =
            self.reference(Dataset::ConsultationPoints)?;
        cached.items.retain(|p| {
            let topic_ok = match topic {
                Some(t) => p.topics.is_empty() || p.topics.iter().any(|x| x == t),
                None => true,
            };
            let office_ok = match office {
                Some(o) => p.office_code.as_deref() == Some(o),
                None => true,
            };
            topic_ok && office_ok
        });
        Ok(cached)
    }

    // ------------------------------------------------------------ contributors

    /// Caches contributors. With `complete`, they are the whole list (others are dropped,
    /// e.g. a delegation that ended) and the data set is marked synced; otherwise they are
    /// added or updated (the answer to a search).
    pub fn save_contributors(
        &self,
        contributors: &[Contributor],
        complete: bool,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let rows: Vec<([u8; 32], Vec<u8>)> = contributors
            .iter()
            .map(|c| (self.fc_hash(&c.fiscal_code), self.seal(b"contributor", c)))
            .collect();
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        if complete {
            tx.execute("DELETE FROM contributors", [])?;
        }
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO contributors (fc_hash, position, sealed) VALUES (?1, ?2, ?3)
                 ON CONFLICT (fc_hash) DO UPDATE SET sealed = excluded.sealed",
            )?;
            for (position, (hash, sealed)) in rows.iter().enumerate() {
                insert.execute(params![&hash[..], position as i64, sealed])?;
            }
        }
        if complete {
            write_mark(&tx, &self.dataset_key(&Dataset::Contributors), at)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The cached contributors, optionally matching `q` as the service does (fiscal code
    /// prefix or part of the name, case-insensitive).
    pub fn contributors(&self, q: Option<&str>) -> Result<Cached<Vec<Contributor>>, StoreError> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare_cached("SELECT sealed FROM contributors ORDER BY position, rowid")?;
        let mut items = Vec::new();
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let sealed: Vec<u8> = row.get(0)?;
            items.push(self.open_sealed::<Contributor>("contribuente", b"contributor", &sealed)?);
        }
        if let Some(q) = q.map(str::trim).filter(|q| !q.is_empty()) {
            let q = q.to_lowercase();
            items.retain(|c| {
                c.fiscal_code.as_str().to_lowercase().starts_with(&q)
                    || c.display_name.to_lowercase().contains(&q)
            });
        }
        Ok(Cached {
            items,
            last_synced_at: read_mark(&conn, &self.dataset_key(&Dataset::Contributors))?,
        })
    }

    /// One cached contributor.
    pub fn contributor(&self, fiscal_code: &FiscalCode) -> Result<Option<Contributor>, StoreError> {
        let conn = self.conn();
        let sealed: Option<Vec<u8>> = conn
            .query_row(
                "SELECT sealed FROM contributors WHERE fc_hash = ?1",
                [&self.fc_hash(fiscal_code)[..]],
                |row| row.get(0),
            )
            .optional()?;
        sealed
            .map(|s| self.open_sealed("contribuente", b"contributor", &s))
            .transpose()
    }

    // ------------------------------------------------------------ communications

    /// Replaces the cached communications of a contributor.
    pub fn save_communications(
        &self,
        fiscal_code: &FiscalCode,
        communications: &[Communication],
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let hash = self.fc_hash(fiscal_code);
        let rows: Vec<(&str, i64, Vec<u8>)> = communications
            .iter()
            .map(|c| {
                (
                    c.id.as_str(),
                    c.sent_at.timestamp(),
                    self.seal(&aad("communication", &c.id), c),
                )
            })
            .collect();
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute("DELETE FROM communications WHERE fc_hash = ?1", [&hash[..]])?;
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO communications (id, fc_hash, sent_at, sealed) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (id) DO UPDATE SET fc_hash = excluded.fc_hash,
                     sent_at = excluded.sent_at, sealed = excluded.sealed",
            )?;
            for (id, sent_at, sealed) in &rows {
                insert.execute(params![id, &hash[..], sent_at, sealed])?;
            }
        }
        write_mark(
            &tx,
            &self.dataset_key(&Dataset::Communications(fiscal_code.clone())),
            at,
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The cached communications of a contributor, newest first.
    pub fn communications(
        &self,
        fiscal_code: &FiscalCode,
    ) -> Result<Cached<Vec<Communication>>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT id, sealed FROM communications WHERE fc_hash = ?1 ORDER BY sent_at DESC, id",
        )?;
        let mut rows = stmt.query([&self.fc_hash(fiscal_code)[..]])?;
        let mut items = Vec::new();
        while let Some(row) = rows.next()? {
            let id: String = row.get(0)?;
            let sealed: Vec<u8> = row.get(1)?;
            items.push(self.open_sealed("comunicazione", &aad("communication", &id), &sealed)?);
        }
        Ok(Cached {
            items,
            last_synced_at: read_mark(
                &conn,
                &self.dataset_key(&Dataset::Communications(fiscal_code.clone())),
            )?,
        })
    }

    /// Caches a communication thread with its messages.
    pub fn save_thread(
        &self,
        thread: &CommunicationThread,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let id = &thread.communication.id;
        let sealed = self.seal(&aad("thread", id), thread);
        self.conn().execute(
            "INSERT INTO communication_threads (id, synced_at, sealed) VALUES (?1, ?2, ?3)
             ON CONFLICT (id) DO UPDATE SET synced_at = excluded.synced_at, sealed = excluded.sealed",
            params![id, at.to_rfc3339(), sealed],
        )?;
        Ok(())
    }

    /// A cached communication thread.
    pub fn thread(&self, id: &str) -> Result<Option<Cached<CommunicationThread>>, StoreError> {
        let conn = self.conn();
        let row: Option<(String, Vec<u8>)> = conn
            .query_row(
                "SELECT synced_at, sealed FROM communication_threads WHERE id = ?1",
                [id],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?;
        row.map(|(at, sealed)| {
            Ok(Cached {
                items: self.open_sealed("comunicazione", &aad("thread", id), &sealed)?,
                last_synced_at: parse_utc(&at),
            })
        })
        .transpose()
    }

    // ------------------------------------------------------------ appointments

    /// Replaces the cached history of a contributor with the service's (the whole history).
    pub fn save_appointments(
        &self,
        fiscal_code: &FiscalCode,
        appointments: &[Appointment],
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let hash = self.fc_hash(fiscal_code);
        if let Some(stranger) = appointments.iter().find(|a| &a.fiscal_code != fiscal_code) {
            // The service answered for someone else: keep nothing rather than mix people.
            tracing::warn!(
                id = stranger.id.as_str(),
                "appuntamento di un altro contribuente"
            );
            return Err(StoreError::Damaged { what: "storico" });
        }
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        history::replace_all(&tx, &self.cipher, &hash, fiscal_code, appointments)?;
        write_mark(
            &tx,
            &self.dataset_key(&Dataset::Appointments(fiscal_code.clone())),
            at,
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Adds or updates one cached appointment (after a booking, confirmation, cancellation).
    pub fn upsert_appointment(&self, appointment: &Appointment) -> Result<(), StoreError> {
        let hash = self.fc_hash(&appointment.fiscal_code);
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        history::upsert(&tx, &self.cipher, &hash, appointment)?;
        tx.commit()?;
        Ok(())
    }

    /// The cached history of a contributor, newest first, filtered like the service filters
    /// (`status`; `from`/`to` are Europe/Rome days, inclusive).
    pub fn appointments(
        &self,
        fiscal_code: &FiscalCode,
        filter: &AppointmentFilter,
    ) -> Result<Cached<Vec<Appointment>>, StoreError> {
        let hash = self.fc_hash(fiscal_code);
        let conn = self.conn();
        let items = history::query(&conn, &self.cipher, &hash, fiscal_code, filter)?;
        Ok(Cached {
            items,
            last_synced_at: read_mark(
                &conn,
                &self.dataset_key(&Dataset::Appointments(fiscal_code.clone())),
            )?,
        })
    }

    /// One cached appointment.
    pub fn appointment(&self, id: &AppointmentId) -> Result<Option<Appointment>, StoreError> {
        history::by_id(&self.conn(), &self.cipher, id)
    }

    // ------------------------------------------------------------ drafts

    fn draft_aad(hash: &[u8], communication_id: &str) -> Vec<u8> {
        let mut out = b"draft\0".to_vec();
        out.extend_from_slice(hash);
        out.push(0);
        out.extend_from_slice(communication_id.as_bytes());
        out
    }

    fn problem_aad(hash: &[u8], communication_id: &str) -> Vec<u8> {
        let mut out = b"draft-problem\0".to_vec();
        out.extend_from_slice(hash);
        out.push(0);
        out.extend_from_slice(communication_id.as_bytes());
        out
    }

    fn seal_problem(
        &self,
        hash: &[u8],
        communication_id: &str,
        problem: &ReturnedProblem,
    ) -> Vec<u8> {
        self.seal(&Self::problem_aad(hash, communication_id), problem)
    }

    /// Saves the wizard of a draft, durably: when this returns `Ok`, the draft survives a
    /// crash or power loss. Refused with [`StoreError::DraftLocked`] while the draft is
    /// queued or holds a slot.
    pub fn save_draft(&self, wizard: &Wizard) -> Result<DraftSaved, StoreError> {
        let hash = self.fc_hash(wizard.fiscal_code());
        let sealed = self.seal(&Self::draft_aad(&hash, wizard.communication_id()), wizard);
        let saved_at = Utc::now();
        let revision: Option<i64> = self
            .conn()
            .query_row(
                "INSERT INTO drafts (fc_hash, communication_id, revision, updated_at, state, sealed)
                 VALUES (?1, ?2, 1, ?3, 'editing', ?4)
                 ON CONFLICT (fc_hash, communication_id) DO UPDATE SET
                     revision = drafts.revision + 1,
                     updated_at = excluded.updated_at,
                     sealed = excluded.sealed
                 WHERE drafts.state = 'editing'
                 RETURNING revision",
                params![&hash[..], wizard.communication_id(), saved_at.to_rfc3339(), sealed],
                |row| row.get(0),
            )
            .optional()?;
        match revision {
            Some(revision) => Ok(DraftSaved {
                revision: revision as u64,
                saved_at,
            }),
            None => Err(StoreError::DraftLocked),
        }
    }

    /// The draft of a contributor for a communication.
    pub fn draft(
        &self,
        fiscal_code: &FiscalCode,
        communication_id: &str,
    ) -> Result<Option<Draft>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!(
            "{DRAFT_COLUMNS} WHERE fc_hash = ?1 AND communication_id = ?2"
        ))?;
        let rows = stmt.query(params![&self.fc_hash(fiscal_code)[..], communication_id])?;
        Ok(self.decode_drafts(rows)?.pop())
    }

    /// Every draft, most recently saved first.
    pub fn drafts(&self) -> Result<Vec<Draft>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!("{DRAFT_COLUMNS} ORDER BY updated_at DESC"))?;
        let rows = stmt.query([])?;
        self.decode_drafts(rows)
    }

    /// Every draft of one contributor.
    pub fn drafts_of(&self, fiscal_code: &FiscalCode) -> Result<Vec<Draft>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!(
            "{DRAFT_COLUMNS} WHERE fc_hash = ?1 ORDER BY updated_at DESC"
        ))?;
        let rows = stmt.query([&self.fc_hash(fiscal_code)[..]])?;
        self.decode_drafts(rows)
    }

    fn decode_drafts(&self, mut rows: rusqlite::Rows<'_>) -> Result<Vec<Draft>, StoreError> {
        const WHAT: &str = "bozza";
        let damaged = || StoreError::Damaged { what: WHAT };
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let hash: Vec<u8> = row.get(0)?;
            let communication_id: String = row.get(1)?;
            let revision: i64 = row.get(2)?;
            let updated_at: String = row.get(3)?;
            let state: String = row.get(4)?;
            let appointment_id: Option<String> = row.get(5)?;
            let hold_expires_at: Option<String> = row.get(6)?;
            let problem: Option<Vec<u8>> = row.get(7)?;
            let sealed: Vec<u8> = row.get(8)?;
            let wizard: Wizard =
                self.open_sealed(WHAT, &Self::draft_aad(&hash, &communication_id), &sealed)?;
            let state = match (state.as_str(), appointment_id) {
                ("editing", _) => DraftState::Editing,
                ("queued", _) => DraftState::Queued,
                ("held", Some(id)) => DraftState::Held {
                    appointment_id: AppointmentId::parse(&id).map_err(|_| damaged())?,
                    hold_expires_at: hold_expires_at.as_deref().map(parse_ts).transpose()?,
                },
                _ => return Err(damaged()),
            };
            let problem = problem
                .map(|sealed| {
                    self.open_sealed(WHAT, &Self::problem_aad(&hash, &communication_id), &sealed)
                })
                .transpose()?;
            out.push(Draft {
                wizard,
                state,
                problem,
                revision: revision as u64,
                updated_at: parse_utc(&updated_at).ok_or_else(damaged)?,
            });
        }
        Ok(out)
    }

    /// Deletes a draft (after confirmation, or when the operator discards it). Returns
    /// whether there was one. Queued bookings of the draft stay in the outbox.
    pub fn delete_draft(
        &self,
        fiscal_code: &FiscalCode,
        communication_id: &str,
    ) -> Result<bool, StoreError> {
        let n = self.conn().execute(
            "DELETE FROM drafts WHERE fc_hash = ?1 AND communication_id = ?2",
            params![&self.fc_hash(fiscal_code)[..], communication_id],
        )?;
        Ok(n > 0)
    }

    /// Puts a draft back to editing (a held slot was released or expired), with `problem`
    /// as the reason to show, or none.
    pub fn reopen_draft(
        &self,
        fiscal_code: &FiscalCode,
        communication_id: &str,
        problem: Option<&ReturnedProblem>,
    ) -> Result<bool, StoreError> {
        let hash = self.fc_hash(fiscal_code);
        let sealed = problem.map(|p| self.seal_problem(&hash, communication_id, p));
        let conn = self.conn();
        let n = set_draft_state(
            &conn,
            &hash,
            communication_id,
            "editing",
            None,
            sealed.as_deref(),
        )?;
        Ok(n > 0)
    }

    // ------------------------------------------------------------ outbox

    /// "Prenota": puts the booking of a draft in the outbox with its key, and marks the
    /// draft queued, in one durable transaction, before anything is sent.
    pub fn queue_booking(
        &self,
        booking: &BookingRequest,
        key: &IdempotencyKey,
    ) -> Result<OutboxEntry, StoreError> {
        let hash = self.fc_hash(&booking.fiscal_code);
        let sealed = self.seal(&aad("outbox", key.as_str()), booking);
        let created_at = Utc::now();
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let state: Option<String> = tx
            .query_row(
                "SELECT state FROM drafts WHERE fc_hash = ?1 AND communication_id = ?2",
                params![&hash[..], booking.communication_id],
                |row| row.get(0),
            )
            .optional()?;
        match state.as_deref() {
            None => return Err(StoreError::DraftNotFound),
            Some("editing") => {}
            Some(_) => return Err(StoreError::DraftLocked),
        }
        tx.execute(
            "INSERT INTO outbox (idempotency_key, fc_hash, communication_id, created_at, sealed)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                key.as_str(),
                &hash[..],
                booking.communication_id,
                created_at.to_rfc3339(),
                sealed
            ],
        )?;
        let id = tx.last_insert_rowid();
        set_draft_state(&tx, &hash, &booking.communication_id, "queued", None, None)?;
        tx.commit()?;
        Ok(OutboxEntry {
            id,
            idempotency_key: key.clone(),
            booking: booking.clone(),
            created_at,
            attempts: 0,
            last_error: None,
        })
    }

    /// The bookings waiting in the outbox, oldest first.
    pub fn outbox(&self) -> Result<Vec<OutboxEntry>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT id, idempotency_key, created_at, attempts, last_error, sealed
             FROM outbox ORDER BY id",
        )?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let key: String = row.get(1)?;
            let created_at: String = row.get(2)?;
            let sealed: Vec<u8> = row.get(5)?;
            let damaged = || StoreError::Damaged {
                what: "prenotazione in uscita",
            };
            out.push(OutboxEntry {
                id: row.get(0)?,
                idempotency_key: IdempotencyKey::parse(&key).map_err(|_| damaged())?,
                booking: self.open_sealed(
                    "prenotazione in uscita",
                    &aad("outbox", &key),
                    &sealed,
                )?,
                created_at: parse_utc(&created_at).ok_or_else(damaged)?,
                attempts: row.get(3)?,
                last_error: row.get(4)?,
            });
        }
        Ok(out)
    }

    /// Notes an attempt that got no final answer; the entry stays queued.
    pub fn record_attempt(&self, entry_id: i64, error_code: &str) -> Result<(), StoreError> {
        self.conn().execute(
            "UPDATE outbox SET attempts = attempts + 1, last_attempt_at = ?2, last_error = ?3
             WHERE id = ?1",
            params![entry_id, Utc::now().to_rfc3339(), error_code],
        )?;
        Ok(())
    }

    /// The service holds a slot for the entry: the entry leaves the outbox, the appointment
    /// enters the history, the draft waits for confirmation. One transaction.
    pub fn resolve_held(
        &self,
        entry: &OutboxEntry,
        appointment: &Appointment,
    ) -> Result<(), StoreError> {
        let hash = self.fc_hash(&entry.booking.fiscal_code);
        let appointment_hash = self.fc_hash(&appointment.fiscal_code);
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute("DELETE FROM outbox WHERE id = ?1", [entry.id])?;
        history::upsert(&tx, &self.cipher, &appointment_hash, appointment)?;
        set_draft_state(
            &tx,
            &hash,
            &entry.booking.communication_id,
            "held",
            Some(appointment),
            None,
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The service refused the entry for good: it leaves the outbox and its draft comes back
    /// for editing with the reason (and the alternatives, for `slot_taken`). One transaction.
    pub fn resolve_returned(
        &self,
        entry: &OutboxEntry,
        problem: &ReturnedProblem,
    ) -> Result<(), StoreError> {
        let hash = self.fc_hash(&entry.booking.fiscal_code);
        let sealed = self.seal_problem(&hash, &entry.booking.communication_id, problem);
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute("DELETE FROM outbox WHERE id = ?1", [entry.id])?;
        set_draft_state(
            &tx,
            &hash,
            &entry.booking.communication_id,
            "editing",
            None,
            Some(&sealed),
        )?;
        tx.commit()?;
        Ok(())
    }
}

const DRAFT_COLUMNS: &str = "SELECT fc_hash, communication_id, revision, updated_at, state,
    appointment_id, hold_expires_at, problem, sealed FROM drafts";

fn set_draft_state(
    conn: &Connection,
    hash: &[u8],
    communication_id: &str,
    state: &str,
    held: Option<&Appointment>,
    problem: Option<&[u8]>,
) -> Result<usize, rusqlite::Error> {
    conn.execute(
        "UPDATE drafts SET state = ?3, appointment_id = ?4, hold_expires_at = ?5, problem = ?6,
             revision = revision + 1, updated_at = ?7
         WHERE fc_hash = ?1 AND communication_id = ?2",
        params![
            hash,
            communication_id,
            state,
            held.map(|a| a.id.as_str().to_owned()),
            held.and_then(|a| a
                .hold_expires_at
                .as_ref()
                .map(crate::wire::format_timestamp)),
            problem,
            Utc::now().to_rfc3339(),
        ],
    )
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
fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let supported = MIGRATIONS.len() as u32;
    let found: u32 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if found > supported {
        return Err(StoreError::TooNew { found, supported });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Exclusive)?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", index as u32 + 1)?;
        tx.commit()?;
    }
    Ok(())
}

/// Gets the data key (creating it for a new store) and checks it against the store.
fn unlock(
    conn: &Connection,
    keys: &dyn KeyStore,
    path: &Path,
    owner: &[u8],
) -> Result<Cipher, StoreError> {
    let check: Option<Vec<u8>> = conn
        .query_row(
            "SELECT value FROM meta WHERE key = ?1",
            [KEY_CHECK],
            |row| row.get(0),
        )
        .optional()?;
    let path_text = || path.display().to_string();
    match (keys.load()?, check) {
        (Some(key), Some(check)) => {
            let cipher = Cipher::for_owner(&key, owner);
            match cipher.open(KEY_CHECK.as_bytes(), &check) {
                Ok(plain) if plain == KEY_CHECK_PLAINTEXT => Ok(cipher),
                _ => Err(StoreError::KeyMismatch { path: path_text() }),
            }
        }
        (None, Some(_)) => Err(StoreError::KeyMissing { path: path_text() }),
        (existing, None) => {
            let key = match existing {
                Some(key) => key,
                None => {
                    let key = DataKey::generate();
                    keys.store(&key)?;
                    // Read it back: a keychain that accepts a write but cannot return it
                    // would leave data nobody can open.
                    match keys.load()? {
                        Some(stored) if stored == key => key,
                        _ => {
                            return Err(KeychainError::Unavailable {
                                detail: "la chiave appena salvata non si rilegge".to_owned(),
                            }
                            .into())
                        }
                    }
                }
            };
            let cipher = Cipher::for_owner(&key, owner);
            conn.execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2)",
                params![
                    KEY_CHECK,
                    cipher.seal(KEY_CHECK.as_bytes(), KEY_CHECK_PLAINTEXT)
                ],
            )?;
            Ok(cipher)
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::keychain::MemoryKeyStore;
    use agenda_core::{
        AppointmentStatus, Channel, Notes, PhoneNumber, WizardAction, WizardContext,
    };
    use chrono::FixedOffset;

    /// A fresh folder under the system temp dir, removed on drop.
    pub(crate) struct TempDir(PathBuf);

    impl TempDir {
        pub(crate) fn new() -> Self {
            let mut bytes = [0u8; 8];
            chacha20poly1305::aead::rand_core::RngCore::fill_bytes(
                &mut chacha20poly1305::aead::OsRng,
                &mut bytes,
            );
            let path = std::env::temp_dir().join(format!("agenda-client-test-{}", hex(&bytes)));
            std::fs::create_dir_all(&path).unwrap();
            Self(path)
        }

        pub(crate) fn path(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    const FC: &str = "RSSMRA85T10A562S";

    fn fc() -> FiscalCode {
        FiscalCode::parse(FC).unwrap()
    }

    fn ts(text: &str) -> Timestamp {
        DateTime::parse_from_rfc3339(text).unwrap()
    }

    fn appointment(n: u8, start: &str, status: AppointmentStatus) -> Appointment {
        let start = ts(start);
        Appointment {
            id: AppointmentId::from_random([n; 8]),
            communication_id: format!("COM-{n}"),
            fiscal_code: fc(),
            topic_code: "contributi".to_owned(),
            consultation_point: "RM01-SPORTELLO".to_owned(),
            channel: Channel::InPresenza,
            office_code: "RM01".to_owned(),
            start,
            end: start + chrono::Duration::minutes(30),
            phone: PhoneNumber::parse("333 765 4321").unwrap(),
            notes: Notes::parse(&format!("nota segreta {n}")).unwrap(),
            status,
            hold_expires_at: None,
            created_at: ts("2026-11-20T10:00:00+01:00"),
            updated_at: ts("2026-11-20T10:00:00+01:00"),
        }
    }

    fn wizard(communication: &str, phone: &str, notes: &str) -> Wizard {
        let mut wizard = Wizard::new(fc(), communication, "contributi");
        let ctx = WizardContext::default();
        wizard
            .apply(WizardAction::SetPhone(phone.to_owned()), &ctx)
            .unwrap();
        wizard
            .apply(WizardAction::SetNotes(notes.to_owned()), &ctx)
            .unwrap();
        wizard
    }

    fn booking(communication: &str) -> BookingRequest {
        BookingRequest {
            communication_id: communication.to_owned(),
            fiscal_code: fc(),
            topic_code: "contributi".to_owned(),
            consultation_point: "RM01-SPORTELLO".to_owned(),
            office_code: "RM01".to_owned(),
            slot_start: "2026-12-03T09:30:00+01:00".to_owned(),
            phone: PhoneNumber::parse("3331234567").unwrap(),
            notes: Notes::parse("nota").unwrap(),
        }
    }

    fn open(dir: &TempDir, keys: &MemoryKeyStore) -> Store {
        Store::open(dir.path(), keys).unwrap()
    }

    #[test]
    fn a_new_store_is_migrated_to_the_latest_schema_and_reopens_unchanged() {
        let dir = TempDir::new();
        let keys = MemoryKeyStore::new();
        let store = open(&dir, &keys);
        assert_eq!(store.schema_version().unwrap(), MIGRATIONS.len() as u32);
        store.save_draft(&wizard("COM-1", "333", "n")).unwrap();
        drop(store);
        let store = open(&dir, &keys);
        assert_eq!(store.schema_version().unwrap(), MIGRATIONS.len() as u32);
        assert!(store.draft(&fc(), "COM-1").unwrap().is_some());
    }

    #[test]
    fn the_file_runs_in_wal_mode_with_full_sync() {
        let dir = TempDir::new();
        let store = open(&dir, &MemoryKeyStore::new());
        let conn = store.conn();
        let mode: String = conn
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .unwrap();
        let sync: i64 = conn
            .pragma_query_value(None, "synchronous", |r| r.get(0))
            .unwrap();
        assert_eq!((mode.as_str(), sync), ("wal", 2));
    }

    #[test]
    fn a_version_1_store_is_migrated_and_its_history_refetched() {
        let dir = TempDir::new();
        let keys = MemoryKeyStore::new();
        {
            let conn = Connection::open(dir.path().join(FILE_NAME)).unwrap();
            conn.execute_batch(MIGRATIONS[0]).unwrap();
            conn.pragma_update(None, "user_version", 1).unwrap();
            conn.execute(
                "INSERT INTO sync_marks (dataset, synced_at) VALUES ('appointments:x', '2026-11-01T00:00:00Z'), ('topics', '2026-11-01T00:00:00Z')",
                [],
            )
            .unwrap();
        }
        let store = open(&dir, &keys);
        assert_eq!(store.schema_version().unwrap(), MIGRATIONS.len() as u32);
        let marks: Vec<String> = {
            let conn = store.conn();
            let mut stmt = conn.prepare("SELECT dataset FROM sync_marks").unwrap();
            let rows = stmt
                .query_map([], |r| r.get(0))
                .unwrap()
                .map(|r| r.unwrap())
                .collect();
            rows
        };
        assert_eq!(marks, vec!["topics".to_owned()]);
        let a = appointment(
            1,
            "2026-12-01T09:00:00+01:00",
            AppointmentStatus::Confermato,
        );
        store.upsert_appointment(&a).unwrap();
        assert_eq!(store.appointment(&a.id).unwrap(), Some(a));
    }

    #[test]
    fn a_store_from_a_newer_app_is_refused() {
        let dir = TempDir::new();
        let keys = MemoryKeyStore::new();
        drop(open(&dir, &keys));
        let conn = Connection::open(dir.path().join(FILE_NAME)).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
        drop(conn);
        let err = Store::open(dir.path(), &keys).unwrap_err();
        assert!(matches!(err, StoreError::TooNew { found: 99, .. }), "{err}");
        assert!(err.to_string().contains("aggiornare l'applicazione"));
    }

    #[test]
    fn the_first_open_creates_a_key_in_the_key_store() {
        let dir = TempDir::new();
        let keys = MemoryKeyStore::new();
        assert!(keys.load().unwrap().is_none());
        open(&dir, &keys);
        assert!(keys.load().unwrap().is_some());
    }

    #[test]
    fn a_store_whose_key_vanished_is_refused_with_instructions() {
        let dir = TempDir::new();
        open(&dir, &MemoryKeyStore::new());
        let err = Store::open(dir.path(), &MemoryKeyStore::new()).unwrap_err();
        assert_eq!(err.code(), "data_key_missing");
        assert!(err.to_string().contains("portachiavi"), "{err}");
    }

    #[test]
    fn a_store_opened_with_another_key_is_refused() {
        let dir = TempDir::new();
        open(&dir, &MemoryKeyStore::new());
        let other = MemoryKeyStore::new();
        other.store(&DataKey::generate()).unwrap();
        let err = Store::open(dir.path(), &other).unwrap_err();
        assert_eq!(err.code(), "data_key_mismatch");
    }

    #[test]
    fn a_keychain_that_fails_stops_the_open_without_writing_anything() {
        struct Broken;
        impl KeyStore for Broken {
            fn load(&self) -> Result<Option<DataKey>, KeychainError> {
                Err(KeychainError::Unavailable {
                    detail: "nessun servizio".to_owned(),
                })
            }
            fn store(&self, _: &DataKey) -> Result<(), KeychainError> {
                unreachable!("never asked to store after a failed load")
            }
        }
        let dir = TempDir::new();
        let err = Store::open(dir.path(), &Broken).unwrap_err();
        assert_eq!(err.code(), "keychain_unavailable");
        assert!(
            err.to_string().contains("sbloccare il portachiavi"),
            "{err}"
        );
    }

    #[test]
    fn drafts_are_saved_with_increasing_revisions_and_read_back() {
        let dir = TempDir::new();
        let store = open(&dir, &MemoryKeyStore::new());
        assert_eq!(
            store
                .save_draft(&wizard("COM-1", "333", "a"))
                .unwrap()
                .revision,
            1
        );
        assert_eq!(
            store
                .save_draft(&wizard("COM-1", "3331", "ab"))
                .unwrap()
                .revision,
            2
        );
        store.save_draft(&wizard("COM-2", "06", "x")).unwrap();
        let draft = store.draft(&fc(), "COM-1").unwrap().unwrap();
        assert_eq!(draft.wizard.phone_raw(), "3331");
        assert_eq!(draft.wizard.notes_raw(), "ab");
        assert_eq!(draft.revision, 2);
        assert_eq!(draft.state, DraftState::Editing);
        assert_eq!(store.drafts().unwrap().len(), 2);
        assert_eq!(store.drafts_of(&fc()).unwrap().len(), 2);
        assert!(store.delete_draft(&fc(), "COM-2").unwrap());
        assert!(!store.delete_draft(&fc(), "COM-2").unwrap());
        assert_eq!(store.drafts().unwrap().len(), 1);
    }

    #[test]
    fn a_queued_draft_cannot_be_edited_until_the_service_answers() {
        let dir = TempDir::new();
        let store = open(&dir, &MemoryKeyStore::new());
        store.save_draft(&wizard("COM-1", "333", "a")).unwrap();
        let key = IdempotencyKey::generate();
        let entry = store.queue_booking(&booking("COM-1"), &key).unwrap();
        assert_eq!(
            store.draft(&fc(), "COM-1").unwrap().unwrap().state,
            DraftState::Queued
        );
        assert!(matches!(
            store.save_draft(&wizard("COM-1", "333", "b")),
            Err(StoreError::DraftLocked)
        ));
        assert!(matches!(
            store.queue_booking(&booking("COM-1"), &IdempotencyKey::generate()),
            Err(StoreError::DraftLocked)
        ));
        let outbox = store.outbox().unwrap();
        assert_eq!(outbox, vec![entry.clone()]);
        store.record_attempt(entry.id, "network_error").unwrap();
        let again = &store.outbox().unwrap()[0];
        assert_eq!(again.attempts, 1);
        assert_eq!(again.last_error.as_deref(), Some("network_error"));
        assert_eq!(again.idempotency_key, key);
    }

    #[test]
    fn a_booking_needs_a_draft() {
        let dir = TempDir::new();
        let store = open(&dir, &MemoryKeyStore::new());
        assert!(matches!(
            store.queue_booking(&booking("COM-9"), &IdempotencyKey::generate()),
            Err(StoreError::DraftNotFound)
        ));
    }

    #[test]
    fn a_held_booking_leaves_the_outbox_and_locks_the_draft() {
        let dir = TempDir::new();
        let store = open(&dir, &MemoryKeyStore::new());
        store.save_draft(&wizard("COM-1", "333", "a")).unwrap();
        let entry = store
            .queue_booking(&booking("COM-1"), &IdempotencyKey::generate())
            .unwrap();
        let mut held = appointment(1, "2026-12-03T09:30:00+01:00", AppointmentStatus::Prenotato);
        held.communication_id = "COM-1".to_owned();
        held.hold_expires_at = Some(ts("2026-11-26T16:10:00+01:00"));
        store.resolve_held(&entry, &held).unwrap();
        assert!(store.outbox().unwrap().is_empty());
        let draft = store.draft(&fc(), "COM-1").unwrap().unwrap();
        assert_eq!(
            draft.state,
            DraftState::Held {
                appointment_id: held.id.clone(),
                hold_expires_at: held.hold_expires_at,
            }
        );
        assert_eq!(store.appointment(&held.id).unwrap(), Some(held));
        assert!(matches!(
            store.save_draft(&wizard("COM-1", "333", "b")),
            Err(StoreError::DraftLocked)
        ));
        assert!(store.reopen_draft(&fc(), "COM-1", None).unwrap());
        store.save_draft(&wizard("COM-1", "333", "b")).unwrap();
    }

    #[test]
    fn a_refused_booking_brings_the_draft_back_with_the_alternatives() {
        let dir = TempDir::new();
        let store = open(&dir, &MemoryKeyStore::new());
        store.save_draft(&wizard("COM-1", "333", "a")).unwrap();
        let entry = store
            .queue_booking(&booking("COM-1"), &IdempotencyKey::generate())
            .unwrap();
        let problem = ReturnedProblem {
            code: "slot_taken".to_owned(),
            message: "orario già occupato".to_owned(),
            allowed_from: None,
            alternatives: vec![Slot {
                start: ts("2026-12-03T10:00:00+01:00"),
                end: ts("2026-12-03T10:30:00+01:00"),
                available: true,
            }],
            at: Utc::now(),
        };
        store.resolve_returned(&entry, &problem).unwrap();
        assert!(store.outbox().unwrap().is_empty());
        let draft = store.draft(&fc(), "COM-1").unwrap().unwrap();
        assert_eq!(draft.state, DraftState::Editing);
        assert_eq!(draft.problem, Some(problem.clone()));
        // Editing keeps the reason on screen until the next "Prenota".
        store.save_draft(&wizard("COM-1", "333", "b")).unwrap();
        assert_eq!(
            store.draft(&fc(), "COM-1").unwrap().unwrap().problem,
            Some(problem)
        );
    }

    #[test]
    fn the_history_is_newest_first_and_filters_like_the_service() {
        let dir = TempDir::new();
        let store = open(&dir, &MemoryKeyStore::new());
        use AppointmentStatus::*;
        let list = vec![
            appointment(1, "2026-10-01T09:00:00+02:00", Svolto),
            appointment(2, "2026-11-30T23:30:00+01:00", Confermato),
            appointment(3, "2026-12-01T00:00:00+01:00", Annullato),
            appointment(4, "2026-12-15T09:00:00+01:00", Confermato),
        ];
        store.save_appointments(&fc(), &list, Utc::now()).unwrap();
        let ids = |filter: AppointmentFilter| -> Vec<String> {
            store
                .appointments(&fc(), &filter)
                .unwrap()
                .items
                .iter()
                .map(|a| a.communication_id.clone())
                .collect()
        };
        let day = |d: u32, m: u32| NaiveDate::from_ymd_opt(2026, m, d);
        let check = |filter: AppointmentFilter, expected: &[&str]| {
            assert_eq!(ids(filter.clone()), expected, "{filter:?}");
        };
        check(
            AppointmentFilter::default(),
            &["COM-4", "COM-3", "COM-2", "COM-1"],
        );
        check(
            AppointmentFilter {
                status: Some(Confermato),
                ..Default::default()
            },
            &["COM-4", "COM-2"],
        );
        // Days are Europe/Rome days: 23:30 on 30 November is still 30 November.
        check(
            AppointmentFilter {
                to: day(30, 11),
                ..Default::default()
            },
            &["COM-2", "COM-1"],
        );
        check(
            AppointmentFilter {
                from: day(1, 12),
                to: day(1, 12),
                ..Default::default()
            },
            &["COM-3"],
        );
        check(
            AppointmentFilter {
                status: Some(Confermato),
                from: day(1, 12),
                ..Default::default()
            },
            &["COM-4"],
        );
        let read = store
            .appointments(&fc(), &AppointmentFilter::default())
            .unwrap();
        assert!(read.last_synced_at.is_some());
        assert_eq!(read.items[3], list[0]);
        let other = FiscalCode::encode(
            "Verdi",
            "Luigi",
            NaiveDate::from_ymd_opt(1980, 1, 1).unwrap(),
            agenda_core::Sex::Male,
            "H501",
        )
        .unwrap();
        assert!(store
            .appointments(&other, &AppointmentFilter::default())
            .unwrap()
            .items
            .is_empty());
    }

    #[test]
    fn a_long_history_reads_back_whole_and_in_order() {
        let dir = TempDir::new();
        let store = open(&dir, &MemoryKeyStore::new());
        use AppointmentStatus::*;
        let statuses = [
            Svolto,
            Annullato,
            Confermato,
            Scaduto,
            PrenotazioneCancellata,
        ];
        let first = ts("2019-01-07T09:00:00+01:00");
        let list: Vec<Appointment> = (0..1500u32)
            .map(|i| {
                let mut a = appointment(0, "2019-01-07T09:00:00+01:00", statuses[i as usize % 5]);
                a.id = AppointmentId::from_random(u64::from(i).to_le_bytes());
                a.start = first + chrono::Duration::hours(i64::from(i) * 29);
                a.end = a.start + chrono::Duration::minutes(30);
                a.notes = Notes::parse(&format!("{i}: {}", "nota lunga ".repeat(40))).unwrap();
                a
            })
            .collect();
        // Big enough to be decoded on several threads.
        let sealed: usize = list.iter().map(|a| a.notes.as_str().len()).sum();
        assert!(sealed > 256 * 1024);
        store.save_appointments(&fc(), &list, Utc::now()).unwrap();
        let mut expected = list.clone();
        expected.reverse();
        let read = store
            .appointments(&fc(), &AppointmentFilter::default())
            .unwrap()
            .items;
        assert_eq!(read, expected);
        let confirmed = store
            .appointments(
                &fc(),
                &AppointmentFilter {
                    status: Some(Confermato),
                    ..Default::default()
                },
            )
            .unwrap()
            .items;
        assert_eq!(confirmed.len(), 300);
        assert!(confirmed.windows(2).all(|w| w[0].start > w[1].start));
    }

    #[test]
    fn saving_the_history_again_replaces_it() {
        let dir = TempDir::new();
        let store = open(&dir, &MemoryKeyStore::new());
        let a = appointment(1, "2026-12-01T09:00:00+01:00", AppointmentStatus::Prenotato);
        store
            .save_appointments(&fc(), std::slice::from_ref(&a), Utc::now())
            .unwrap();
        let mut b = a.clone();
        b.status = AppointmentStatus::Confermato;
        store.upsert_appointment(&b).unwrap();
        assert_eq!(
            store.appointment(&a.id).unwrap().unwrap().status,
            AppointmentStatus::Confermato
        );
        store.save_appointments(&fc(), &[], Utc::now()).unwrap();
        assert_eq!(store.appointment(&a.id).unwrap(), None);
    }

    #[test]
    fn contributors_are_searched_offline_like_the_service_searches() {
        let dir = TempDir::new();
        let store = open(&dir, &MemoryKeyStore::new());
        let contributor = |code: &str, name: &str| Contributor {
            fiscal_code: FiscalCode::parse(code).unwrap(),
            display_name: name.to_owned(),
            gestione: agenda_core::Gestione::Artigiani,
            delegation: crate::wire::Delegation {
                kind: "generale".to_owned(),
                valid_until: NaiveDate::from_ymd_opt(2027, 12, 31).unwrap(),
            },
        };
        let mario = contributor(FC, "Mario Rossi");
        store
            .save_contributors(std::slice::from_ref(&mario), true, Utc::now())
            .unwrap();
        let check = |q: Option<&str>, expected: usize| {
            assert_eq!(
                store.contributors(q).unwrap().items.len(),
                expected,
                "{q:?}"
            );
        };
        check(None, 1);
        check(Some("rss"), 1);
        check(Some("ROSSI"), 1);
        check(Some("mario r"), 1);
        check(Some("A562"), 0);
        check(Some("bianchi"), 0);
        assert_eq!(store.contributor(&fc()).unwrap(), Some(mario));
        assert!(store.contributors(None).unwrap().last_synced_at.is_some());
    }

    #[test]
    fn reference_data_is_cached_with_its_sync_time() {
        let dir = TempDir::new();
        let store = open(&dir, &MemoryKeyStore::new());
        assert_eq!(store.topics().unwrap().last_synced_at, None);
        let topics = vec![Topic {
            code: "contributi".to_owned(),
            label: "Contributi".to_owned(),
            appointment_after_days: 7,
        }];
        let at = Utc::now();
        store.save_topics(&topics, at).unwrap();
        let cached = store.topics().unwrap();
        assert_eq!(cached.items, topics);
        assert_eq!(
            cached.last_synced_at.map(|t| t.timestamp()),
            Some(at.timestamp())
        );
        assert_eq!(
            store
                .last_synced_at(&Dataset::Topics)
                .unwrap()
                .map(|t| t.timestamp()),
            Some(at.timestamp())
        );
    }

    #[test]
    fn personal_data_never_reaches_the_file_in_clear() {
        let dir = TempDir::new();
        let store = open(&dir, &MemoryKeyStore::new());
        store
            .save_draft(&wizard(
                "COM-1",
                "347 999 8877",
                "il contribuente ha il diabete",
            ))
            .unwrap();
        let mut a = appointment(
            1,
            "2026-12-01T09:00:00+01:00",
            AppointmentStatus::Confermato,
        );
        a.notes = Notes::parse("nota segreta sul reddito").unwrap();
        store.save_appointments(&fc(), &[a], Utc::now()).unwrap();
        store.save_draft(&wizard("COM-2", "333", "n")).unwrap();
        let entry = store
            .queue_booking(&booking("COM-2"), &IdempotencyKey::generate())
            .unwrap();
        let problem = ReturnedProblem {
            code: "invalid_phone".to_owned(),
            message: "Il numero 347 999 8877 non è valido".to_owned(),
            allowed_from: None,
            alternatives: Vec::new(),
            at: Utc::now(),
        };
        store.resolve_returned(&entry, &problem).unwrap();
        assert_eq!(
            store.draft(&fc(), "COM-2").unwrap().unwrap().problem,
            Some(problem)
        );
        drop(store);
        let mut bytes = Vec::new();
        for entry in std::fs::read_dir(dir.path()).unwrap() {
            bytes.extend(std::fs::read(entry.unwrap().path()).unwrap());
        }
        for needle in [
            "347 999 8877",
            "3479998877",
            "diabete",
            "reddito",
            FC,
            "3337654321",
        ] {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
                "{needle} found in clear"
            );
        }
    }

    #[test]
    fn a_sealed_chunk_moved_under_another_key_does_not_open() {
        let dir = TempDir::new();
        let store = open(&dir, &MemoryKeyStore::new());
        let a = appointment(
            1,
            "2026-12-01T09:00:00+01:00",
            AppointmentStatus::Confermato,
        );
        let b = appointment(2, "2026-12-02T09:00:00+01:00", AppointmentStatus::Annullato);
        store
            .save_appointments(&fc(), &[a.clone(), b], Utc::now())
            .unwrap();
        store
            .conn()
            .execute(
                "UPDATE appointment_chunks SET sealed =
                     (SELECT sealed FROM appointment_chunks WHERE status = 'confermato')
                 WHERE status = 'annullato'",
                [],
            )
            .unwrap();
        let err = store
            .appointments(&fc(), &AppointmentFilter::default())
            .unwrap_err();
        assert_eq!(err.code(), "store_damaged");
        // The chunk that was not touched still opens.
        assert_eq!(store.appointment(&a.id).unwrap(), Some(a));
    }

    #[test]
    fn a_changed_status_moves_the_personal_fields_to_the_right_chunk() {
        let dir = TempDir::new();
        let store = open(&dir, &MemoryKeyStore::new());
        let chunks = |store: &Store| -> Vec<(String, i64)> {
            let conn = store.conn();
            let mut stmt = conn
                .prepare("SELECT status, year FROM appointment_chunks ORDER BY status, year")
                .unwrap();
            let rows = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .unwrap()
                .map(|r| r.unwrap())
                .collect();
            rows
        };
        let mut a = appointment(1, "2026-12-01T09:00:00+01:00", AppointmentStatus::Prenotato);
        store.upsert_appointment(&a).unwrap();
        assert_eq!(chunks(&store), vec![("prenotato".to_owned(), 2026)]);
        a.status = AppointmentStatus::Confermato;
        a.start = ts("2027-01-04T09:00:00+01:00");
        a.end = a.start + chrono::Duration::minutes(30);
        store.upsert_appointment(&a).unwrap();
        assert_eq!(chunks(&store), vec![("confermato".to_owned(), 2027)]);
        assert_eq!(store.appointment(&a.id).unwrap(), Some(a.clone()));
        let b = appointment(
            2,
            "2027-02-01T09:00:00+01:00",
            AppointmentStatus::Confermato,
        );
        store.upsert_appointment(&b).unwrap();
        assert_eq!(chunks(&store), vec![("confermato".to_owned(), 2027)]);
        let all = store
            .appointments(&fc(), &AppointmentFilter::default())
            .unwrap()
            .items;
        assert_eq!(all, vec![b, a]);
    }

    #[test]
    fn a_history_answered_for_another_person_is_not_cached() {
        let dir = TempDir::new();
        let store = open(&dir, &MemoryKeyStore::new());
        let mut a = appointment(
            1,
            "2026-12-01T09:00:00+01:00",
            AppointmentStatus::Confermato,
        );
        a.fiscal_code = FiscalCode::encode(
            "Verdi",
            "Luigi",
            NaiveDate::from_ymd_opt(1980, 1, 1).unwrap(),
            agenda_core::Sex::Male,
            "H501",
        )
        .unwrap();
        assert_eq!(
            store
                .save_appointments(&fc(), &[a], Utc::now())
                .unwrap_err()
                .code(),
            "store_damaged"
        );
    }

    #[test]
    fn rome_midnight_follows_daylight_saving_time() {
        let offset = |d: NaiveDate| {
            let t = DateTime::from_timestamp(history::rome_midnight(d), 0).unwrap();
            t.with_timezone(&FixedOffset::east_opt(0).unwrap())
                .to_rfc3339()
        };
        assert_eq!(
            offset(NaiveDate::from_ymd_opt(2026, 7, 1).unwrap()),
            "2026-06-30T22:00:00+00:00"
        );
        assert_eq!(
            offset(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()),
            "2026-11-30T23:00:00+00:00"
        );
    }
}
