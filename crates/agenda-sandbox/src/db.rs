//! The SQLite database: schema, one write connection, a small pool of read connections.
//!
//! No statement runs on an async worker: writes go to a dedicated writer thread that owns
//! the write connection and commits them in groups, reads run on blocking threads
//! (`spawn_blocking`) over a small pool of read connections, and SQLite (WAL) lets readers
//! proceed while the writer writes. No `std::sync::Mutex` is held across an `.await`.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use rusqlite::{Connection, OpenFlags};
use tokio::sync::{oneshot, Semaphore};

use crate::error::ApiError;

/// Version of the schema written by [`migrate`]; kept in `PRAGMA user_version`.
const SCHEMA_VERSION: i64 = 4;

/// How many read connections serve queries at once.
const READERS: usize = 4;

const SCHEMA: &str = r#"
CREATE TABLE operators (
    id            TEXT PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    password_salt BLOB NOT NULL,
    password_hash BLOB NOT NULL,
    display_name  TEXT NOT NULL,
    organization  TEXT NOT NULL
);
CREATE TABLE access_tokens (
    token_hash  BLOB PRIMARY KEY,
    operator_id TEXT NOT NULL REFERENCES operators(id),
    family      TEXT NOT NULL,
    expires_at  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX access_tokens_by_family ON access_tokens(family);
CREATE TABLE refresh_tokens (
    token_hash  BLOB PRIMARY KEY,
    operator_id TEXT NOT NULL REFERENCES operators(id),
    family      TEXT NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER
) WITHOUT ROWID;
CREATE INDEX refresh_tokens_by_family ON refresh_tokens(family);
CREATE TABLE login_failures (
    username TEXT NOT NULL,
    at       INTEGER NOT NULL
);
CREATE INDEX login_failures_by_username ON login_failures(username, at);

CREATE TABLE contributors (
    fiscal_code  TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    sort_name    TEXT NOT NULL,
    gestione     TEXT NOT NULL CHECK (gestione IN ('artigiani', 'commercianti'))
) WITHOUT ROWID;
CREATE INDEX contributors_by_name ON contributors(sort_name, fiscal_code);
CREATE TABLE delegations (
    operator_id TEXT NOT NULL REFERENCES operators(id),
    fiscal_code TEXT NOT NULL REFERENCES contributors(fiscal_code),
    kind        TEXT NOT NULL,
    valid_until TEXT NOT NULL,
    PRIMARY KEY (operator_id, fiscal_code)
) WITHOUT ROWID;

CREATE TABLE topics (
    code                   TEXT PRIMARY KEY,
    label                  TEXT NOT NULL,
    appointment_after_days INTEGER NOT NULL CHECK (appointment_after_days >= 0),
    position               INTEGER NOT NULL
);
CREATE TABLE offices (
    code          TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    kind          TEXT NOT NULL,
    address       TEXT NOT NULL,
    city          TEXT NOT NULL,
    province      TEXT NOT NULL,
    opening_hours TEXT NOT NULL,
    patron_month  INTEGER,
    patron_day    INTEGER,
    patron_name   TEXT
);
CREATE TABLE office_closures (
    office_code TEXT NOT NULL REFERENCES offices(code),
    date        TEXT NOT NULL,
    reason      TEXT NOT NULL,
    PRIMARY KEY (office_code, date)
) WITHOUT ROWID;
CREATE TABLE consultation_points (
    code          TEXT PRIMARY KEY,
    label         TEXT NOT NULL,
    channel       TEXT NOT NULL CHECK (channel IN ('in_presenza', 'telefonica', 'videochiamata')),
    office_code   TEXT NOT NULL REFERENCES offices(code),
    slot_minutes  INTEGER NOT NULL CHECK (slot_minutes BETWEEN 5 AND 240),
    opening_hours TEXT
);
CREATE TABLE consultation_point_topics (
    point_code TEXT NOT NULL REFERENCES consultation_points(code),
    topic_code TEXT NOT NULL REFERENCES topics(code),
    PRIMARY KEY (point_code, topic_code)
) WITHOUT ROWID;

CREATE TABLE communications (
    id              TEXT PRIMARY KEY,
    fiscal_code     TEXT NOT NULL REFERENCES contributors(fiscal_code),
    topic_code      TEXT NOT NULL REFERENCES topics(code),
    subject         TEXT NOT NULL,
    sent_at         INTEGER NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('inviata', 'in_lavorazione', 'accolta', 'non_accolta', 'chiusa')),
    last_message_at INTEGER NOT NULL
);
CREATE INDEX communications_by_contributor ON communications(fiscal_code, sent_at, id);
CREATE TABLE messages (
    communication_id TEXT NOT NULL REFERENCES communications(id),
    seq              INTEGER NOT NULL,
    at               INTEGER NOT NULL,
    sender           TEXT NOT NULL CHECK (sender IN ('utente', 'inps')),
    text             TEXT NOT NULL,
    PRIMARY KEY (communication_id, seq)
) WITHOUT ROWID;

CREATE TABLE appointments (
    id                 TEXT PRIMARY KEY,
    communication_id   TEXT NOT NULL REFERENCES communications(id),
    fiscal_code        TEXT NOT NULL REFERENCES contributors(fiscal_code),
    topic_code         TEXT NOT NULL REFERENCES topics(code),
    consultation_point TEXT NOT NULL REFERENCES consultation_points(code),
    channel            TEXT NOT NULL,
    office_code        TEXT NOT NULL REFERENCES offices(code),
    start_at           INTEGER NOT NULL,
    end_at             INTEGER NOT NULL,
    phone              TEXT NOT NULL,
    notes              TEXT NOT NULL,
    status             TEXT NOT NULL CHECK (status IN ('prenotato', 'confermato', 'prenotazione_cancellata', 'scaduto', 'annullato', 'svolto')),
    hold_expires_at    INTEGER,
    cancel_reason      TEXT,
    operator_id        TEXT NOT NULL REFERENCES operators(id),
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
);
-- The invariant of the service: at most one live appointment per slot, whatever the concurrency.
CREATE UNIQUE INDEX appointments_one_live_per_slot
    ON appointments(office_code, consultation_point, start_at)
    WHERE status IN ('prenotato', 'confermato');
-- A communication has at most one live appointment.
CREATE UNIQUE INDEX appointments_one_live_per_communication
    ON appointments(communication_id)
    WHERE status IN ('prenotato', 'confermato');
CREATE INDEX appointments_holds ON appointments(hold_expires_at) WHERE status = 'prenotato';
CREATE INDEX appointments_confirmed ON appointments(start_at) WHERE status = 'confermato';
CREATE INDEX appointments_by_contributor ON appointments(fiscal_code, start_at, id);

CREATE TABLE idempotency_keys (
    operator_id  TEXT NOT NULL,
    key          TEXT NOT NULL,
    request_hash BLOB NOT NULL,
    status       INTEGER NOT NULL,
    body         TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (operator_id, key)
) WITHOUT ROWID;
CREATE INDEX idempotency_keys_by_age ON idempotency_keys(created_at);
"#;

/// Version 2: a covering index for slot availability (`GET /slots` reads it alone).
const LIVE_SLOTS_INDEX: &str = "
CREATE INDEX appointments_live_slots
    ON appointments(office_code, consultation_point, start_at, status, hold_expires_at)
    WHERE status IN ('prenotato', 'confermato');
";

/// The schema steps; a database at version `n` runs the steps from index `n` on.
/// Version 3: how each password is hashed. Rows written before it used the legacy salted,
/// iterated SHA-256 and are re-hashed with Argon2id at their next successful sign-in.
const PASSWORD_SCHEME: &str = "
ALTER TABLE operators ADD COLUMN password_scheme TEXT NOT NULL DEFAULT 'sha256x4096';
";

/// Version 4 (contract 1.1): the links between a rescheduled appointment and the one that
/// replaced it. (The desk agenda reads `appointments_by_contributor`: one range of start
/// times per delegated contributor; another index would cost every booking a write.)
const RESCHEDULING: &str = "
ALTER TABLE appointments ADD COLUMN rescheduled_from TEXT REFERENCES appointments(id);
ALTER TABLE appointments ADD COLUMN rescheduled_to TEXT REFERENCES appointments(id);
";

const MIGRATIONS: [&str; SCHEMA_VERSION as usize] =
    [SCHEMA, LIVE_SLOTS_INDEX, PASSWORD_SCHEME, RESCHEDULING];

/// Why the database could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// SQLite refused.
    #[error("database {path}: {source}")]
    Sqlite {
        /// The database file.
        path: PathBuf,
        /// The SQLite error.
        #[source]
        source: rusqlite::Error,
    },
    /// Setup work was asked for after the server started writing.
    #[error("database {path} is already serving")]
    Serving {
        /// The database file.
        path: PathBuf,
    },
    /// The file was written by a newer version of the sandbox.
    #[error("database {path} has schema version {found}, newer than {SCHEMA_VERSION}")]
    NewerSchema {
        /// The database file.
        path: PathBuf,
        /// The version found.
        found: i64,
    },
}

/// The database: one writer thread, a pool of readers, all on the same file.
///
/// Writes are jobs sent to a dedicated thread that owns the write connection. It takes every
/// job waiting at once (up to [`MAX_BATCH`]) into one transaction, each job in a savepoint of
/// its own, and commits once: a job's changes are kept when it returns `Ok` and rolled back
/// when it returns `Err`, and its caller hears back only after the commit (group commit).
/// Readers queue on an async semaphore, so a blocking thread is only taken when a read
/// connection is free for it.
pub(crate) struct Db {
    path: PathBuf,
    /// The write connection until the writer thread takes it (setup and seeding use it).
    setup: Mutex<Option<Connection>>,
    jobs: OnceLock<Sender<Box<dyn Job>>>,
    readers: Mutex<Vec<Connection>>,
    reader_turns: Semaphore,
    checkpointer: Mutex<Connection>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// Most jobs committed together.
const MAX_BATCH: usize = 64;

/// Idle time after which the writer checkpoints what it wrote.
const IDLE_CHECKPOINT: std::time::Duration = std::time::Duration::from_secs(1);

/// A unit of work for the writer thread.
trait Job: Send {
    /// Runs inside the batch's transaction; `true` keeps the changes.
    fn run(&mut self, conn: &Connection) -> bool;
    /// Hands the outcome to the caller once the batch is committed (or not).
    fn finish(self: Box<Self>, committed: Result<(), String>);
}

struct WriteJob<F, R> {
    work: Option<F>,
    result: Option<Result<R, ApiError>>,
    reply: oneshot::Sender<Result<R, ApiError>>,
}

impl<F, R> Job for WriteJob<F, R>
where
    F: FnOnce(&Connection) -> Result<R, ApiError> + Send,
    R: Send,
{
    fn run(&mut self, conn: &Connection) -> bool {
        let Some(work) = self.work.take() else {
            return false;
        };
        let result = work(conn);
        let keep = result.is_ok();
        self.result = Some(result);
        keep
    }

    fn finish(self: Box<Self>, committed: Result<(), String>) {
        let outcome = match (committed, self.result) {
            (_, None) => Err(ApiError::internal("write job did not run")),
            (Err(e), Some(Ok(_))) => Err(ApiError::internal(e)),
            (_, Some(result)) => result,
        };
        let _ = self.reply.send(outcome);
    }
}

/// The writer thread: batches of jobs, one transaction and one commit per batch; a
/// checkpoint of the write-ahead log whenever it has been idle for [`IDLE_CHECKPOINT`].
fn run_writer(conn: Connection, jobs: Receiver<Box<dyn Job>>) {
    let mut written = false;
    loop {
        let first = match jobs.recv_timeout(IDLE_CHECKPOINT) {
            Ok(job) => job,
            Err(RecvTimeoutError::Timeout) => {
                if written {
                    let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
                    written = false;
                }
                continue;
            }
            Err(RecvTimeoutError::Disconnected) => break,
        };
        written = true;
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
            for job in batch {
                job.finish(Err(e.to_string()));
            }
            continue;
        }
        for job in &mut batch {
            let step = |sql: &str| conn.prepare_cached(sql).and_then(|mut s| s.execute([]));
            if step("SAVEPOINT job").is_err() {
                continue;
            }
            let keep = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job.run(&conn)))
                .unwrap_or(false);
            if !keep {
                let _ = step("ROLLBACK TO job");
            }
            let _ = step("RELEASE job");
        }
        let committed = conn.execute_batch("COMMIT").map_err(|e| e.to_string());
        if committed.is_err() {
            let _ = conn.execute_batch("ROLLBACK");
        }
        for job in batch {
            job.finish(committed.clone());
        }
    }
}

impl Db {
    /// Opens (creating if needed) and migrates the database at `path`.
    /// Opens the database at `path`; `durable`: every commit reaches the disk before it is
    /// answered (`synchronous = FULL`, the standalone server), otherwise a power cut may
    /// lose the last commits but never corrupts the file (`NORMAL`, the app's embedded
    /// sandbox, whose data is demo data).
    pub(crate) fn open(path: &Path, durable: bool) -> Result<Self, DbError> {
        let wrap = |source| DbError::Sqlite {
            path: path.to_owned(),
            source,
        };
        let mut writer = Connection::open(path).map_err(wrap)?;
        configure(&writer, durable).map_err(wrap)?;
        migrate(&mut writer, path)?;
        let readers = (0..READERS)
            .map(|_| open_reader(path))
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(wrap)?;
        let checkpointer = Connection::open(path).map_err(wrap)?;
        checkpointer
            .busy_timeout(std::time::Duration::from_secs(5))
            .map_err(wrap)?;
        Ok(Self {
            path: path.to_owned(),
            setup: Mutex::new(Some(writer)),
            jobs: OnceLock::new(),
            readers: Mutex::new(readers),
            reader_turns: Semaphore::new(READERS),
            checkpointer: Mutex::new(checkpointer),
        })
    }

    /// The writer thread's queue, starting the thread on first use.
    fn jobs(&self) -> Result<&Sender<Box<dyn Job>>, ApiError> {
        if let Some(jobs) = self.jobs.get() {
            return Ok(jobs);
        }
        let mut setup = self.setup.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(conn) = setup.take() {
            let (sender, receiver) = std::sync::mpsc::channel();
            std::thread::Builder::new()
                .name("agenda-sandbox-writer".into())
                .spawn(move || run_writer(conn, receiver))
                .map_err(ApiError::internal)?;
            let _ = self.jobs.set(sender);
        }
        self.jobs
            .get()
            .ok_or_else(|| ApiError::internal("the writer thread is not running"))
    }

    /// Runs `f` in a transaction of the writer thread: `Ok` keeps its changes, `Err` rolls
    /// them back; the answer comes after the commit.
    pub(crate) async fn write<R, F>(&self, f: F) -> Result<R, ApiError>
    where
        R: Send + 'static,
        F: FnOnce(&Connection) -> Result<R, ApiError> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let job: Box<dyn Job> = Box::new(WriteJob {
            work: Some(f),
            result: None,
            reply,
        });
        self.jobs()?
            .send(job)
            .map_err(|_| ApiError::internal("the writer thread stopped"))?;
        answer
            .await
            .map_err(|_| ApiError::internal("the writer thread dropped a job"))?
    }

    /// Runs `f` on the write connection on the current thread, before serving (setup and
    /// seeding).
    pub(crate) fn write_now<R>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<R, rusqlite::Error>,
    ) -> Result<R, DbError> {
        let mut setup = self.setup.lock().unwrap_or_else(PoisonError::into_inner);
        let conn = setup.as_mut().ok_or_else(|| DbError::Serving {
            path: self.path.clone(),
        })?;
        f(conn).map_err(|source| DbError::Sqlite {
            path: self.path.clone(),
            source,
        })
    }

    /// Runs a short read (one indexed query) on the calling thread when a read connection is
    /// free at once; otherwise queues like [`Db::read`]. Readers never wait for the writer
    /// in WAL mode, so this costs microseconds and saves a hop to a blocking thread.
    pub(crate) async fn read_short<R, F>(self: &Arc<Self>, f: F) -> Result<R, ApiError>
    where
        R: Send + 'static,
        F: FnOnce(&Connection) -> Result<R, ApiError> + Send + 'static,
    {
        let Ok(turn) = self.reader_turns.try_acquire() else {
            return self.read(f).await;
        };
        let conn = self
            .readers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop()
            .ok_or_else(|| ApiError::internal("no free read connection"))?;
        let result = f(&conn);
        self.readers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(conn);
        drop(turn);
        result
    }

    /// Runs `f` on a read connection, on a blocking thread.
    pub(crate) async fn read<R, F>(self: &Arc<Self>, f: F) -> Result<R, ApiError>
    where
        R: Send + 'static,
        F: FnOnce(&Connection) -> Result<R, ApiError> + Send + 'static,
    {
        let turn = self
            .reader_turns
            .acquire()
            .await
            .map_err(ApiError::internal)?;
        let db = Arc::clone(self);
        let result = tokio::task::spawn_blocking(move || {
            let conn = db
                .readers
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .pop()
                .ok_or_else(|| ApiError::internal("no free read connection"))?;
            let result = f(&conn);
            db.readers
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(conn);
            result
        })
        .await;
        drop(turn);
        result.map_err(ApiError::internal)?
    }
}

impl Db {
    /// Copies the write-ahead log into the database file without blocking the writer
    /// (a passive checkpoint on a connection of its own), so that the writer never waits
    /// for the checkpoint's disk flush.
    pub(crate) async fn checkpoint(self: &Arc<Self>) -> Result<(), ApiError> {
        let db = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let conn = db
                .checkpointer
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))?;
            Ok(())
        })
        .await
        .map_err(ApiError::internal)?
    }
}

fn open_reader(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI,
    )?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(conn)
}

fn configure(conn: &Connection, durable: bool) -> rusqlite::Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    let synchronous = if durable { "FULL" } else { "NORMAL" };
    conn.pragma_update(None, "synchronous", synchronous)?;
    // No checkpoint inside a commit (its disk flush would stall every waiting request):
    // they run beside the writer (`Db::checkpoint`) and when the writer is idle.
    conn.pragma_update(None, "wal_autocheckpoint", 0)?;
    conn.pragma_update(None, "journal_size_limit", 64 * 1024 * 1024)?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(())
}

fn migrate(conn: &mut Connection, path: &Path) -> Result<(), DbError> {
    let wrap = |source| DbError::Sqlite {
        path: path.to_owned(),
        source,
    };
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(wrap)?;
    if version > SCHEMA_VERSION {
        return Err(DbError::NewerSchema {
            path: path.to_owned(),
            found: version,
        });
    }
    if version < SCHEMA_VERSION {
        let tx = conn.transaction().map_err(wrap)?;
        for (step, sql) in MIGRATIONS.iter().enumerate() {
            if version <= step as i64 {
                tx.execute_batch(sql).map_err(wrap)?;
            }
        }
        tx.pragma_update(None, "user_version", SCHEMA_VERSION)
            .map_err(wrap)?;
        tx.commit().map_err(wrap)?;
    }
    Ok(())
}

/// Creates the schema in a bare connection (unit tests of other modules).
#[cfg(test)]
pub(crate) fn migrate_for_tests(conn: &mut Connection) {
    migrate(conn, Path::new(":memory:")).expect("schema");
}

/// Whether `error` is a violation of a UNIQUE constraint or index.
pub(crate) fn is_unique_violation(error: &rusqlite::Error) -> bool {
    matches!(
        error,
        rusqlite::Error::SqliteFailure(e, _)
            if e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                || e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index_exists(conn: &Connection, name: &str) -> bool {
        conn.query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = ?1",
            [name],
            |r| r.get::<_, i64>(0),
        )
        .unwrap()
            == 1
    }

    #[test]
    fn a_version_1_database_is_migrated_to_the_current_schema() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(SCHEMA).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        assert!(!index_exists(&conn, "appointments_live_slots"));
        migrate(&mut conn, Path::new(":memory:")).unwrap();
        assert!(index_exists(&conn, "appointments_live_slots"));
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION);
        // Migrating again changes nothing.
        migrate(&mut conn, Path::new(":memory:")).unwrap();
    }

    #[test]
    fn a_database_from_a_newer_sandbox_is_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        assert!(matches!(
            migrate(&mut conn, Path::new(":memory:")),
            Err(DbError::NewerSchema { .. })
        ));
    }

    #[test]
    fn a_durable_database_flushes_every_commit_and_the_embedded_one_does_not() {
        let dir = std::env::temp_dir().join(format!("sandbox-sync-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for (durable, expected) in [(true, 2), (false, 1)] {
            let path = dir.join(format!("{durable}.db"));
            let db = Db::open(&path, durable).unwrap();
            let synchronous: i64 = db
                .write_now(|conn| conn.pragma_query_value(None, "synchronous", |r| r.get(0)))
                .unwrap();
            assert_eq!(synchronous, expected, "durable: {durable}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_database_refuses_a_second_live_appointment_on_a_slot() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn, Path::new(":memory:")).unwrap();
        conn.execute_batch(
            "PRAGMA foreign_keys = OFF;
             INSERT INTO appointments (id, communication_id, fiscal_code, topic_code,
                consultation_point, channel, office_code, start_at, end_at, phone, notes, status,
                operator_id, created_at, updated_at)
             VALUES ('AP-2222-2222', 'C1', 'F', 't', 'P', 'in_presenza', 'O', 100, 200, '+39',
                'n', 'confermato', 'op', 0, 0);",
        )
        .unwrap();
        let insert = |id: &str, communication: &str, status: &str| {
            conn.execute(
                "INSERT INTO appointments (id, communication_id, fiscal_code, topic_code,
                    consultation_point, channel, office_code, start_at, end_at, phone, notes,
                    status, operator_id, created_at, updated_at)
                 VALUES (?1, ?2, 'F', 't', 'P', 'in_presenza', 'O', 100, 200, '+39', 'n', ?3,
                    'op', 0, 0)",
                [id, communication, status],
            )
        };
        let taken = insert("AP-3333-3333", "C2", "prenotato").unwrap_err();
        assert!(is_unique_violation(&taken));
        // Dead appointments do not hold the slot.
        insert("AP-4444-4444", "C3", "scaduto").unwrap();
        insert("AP-5555-5555", "C4", "annullato").unwrap();
        // One live appointment per communication, too, on whatever slot.
        let again = conn
            .execute(
                "INSERT INTO appointments (id, communication_id, fiscal_code, topic_code,
                    consultation_point, channel, office_code, start_at, end_at, phone, notes,
                    status, operator_id, created_at, updated_at)
                 VALUES ('AP-6666-6666', 'C1', 'F', 't', 'P', 'in_presenza', 'O', 400, 500,
                    '+39', 'n', 'prenotato', 'op', 0, 0)",
                [],
            )
            .unwrap_err();
        assert!(is_unique_violation(&again));
    }
}
