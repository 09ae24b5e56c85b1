//! The SQLite database: schema, one write connection, a small pool of read connections.
//!
//! Every statement runs on a blocking thread (`spawn_blocking`): the write connection sits
//! behind a `std::sync::Mutex` that is never held across an `.await`, so writes are
//! serialised in the process, and SQLite (WAL) lets readers proceed meanwhile.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use rusqlite::{Connection, OpenFlags};

use crate::error::ApiError;

/// Version of the schema written by [`migrate`]; kept in `PRAGMA user_version`.
const SCHEMA_VERSION: i64 = 1;

/// How many idle read connections are kept.
const MAX_IDLE_READERS: usize = 8;

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
    /// The file was written by a newer version of the sandbox.
    #[error("database {path} has schema version {found}, newer than {SCHEMA_VERSION}")]
    NewerSchema {
        /// The database file.
        path: PathBuf,
        /// The version found.
        found: i64,
    },
}

/// The database: one writer, a pool of readers, all on the same file.
#[derive(Debug)]
pub(crate) struct Db {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
}

impl Db {
    /// Opens (creating if needed) and migrates the database at `path`.
    pub(crate) fn open(path: &Path) -> Result<Self, DbError> {
        let wrap = |source| DbError::Sqlite {
            path: path.to_owned(),
            source,
        };
        let mut writer = Connection::open(path).map_err(wrap)?;
        configure(&writer).map_err(wrap)?;
        migrate(&mut writer, path)?;
        Ok(Self {
            path: path.to_owned(),
            writer: Mutex::new(writer),
            readers: Mutex::new(Vec::new()),
        })
    }

    /// Runs `f` on the write connection, on a blocking thread.
    pub(crate) async fn write<R, F>(self: &Arc<Self>, f: F) -> Result<R, ApiError>
    where
        R: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<R, ApiError> + Send + 'static,
    {
        let db = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let mut conn = db.writer.lock().unwrap_or_else(PoisonError::into_inner);
            f(&mut conn)
        })
        .await
        .map_err(ApiError::internal)?
    }

    /// Runs `f` on the write connection on the current thread (setup and seeding).
    pub(crate) fn write_now<R>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<R, rusqlite::Error>,
    ) -> Result<R, DbError> {
        let mut conn = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut conn).map_err(|source| DbError::Sqlite {
            path: self.path.clone(),
            source,
        })
    }

    /// Runs `f` on a read connection, on a blocking thread.
    pub(crate) async fn read<R, F>(self: &Arc<Self>, f: F) -> Result<R, ApiError>
    where
        R: Send + 'static,
        F: FnOnce(&Connection) -> Result<R, ApiError> + Send + 'static,
    {
        let db = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let conn = db.checkout()?;
            let result = f(&conn);
            db.checkin(conn);
            result
        })
        .await
        .map_err(ApiError::internal)?
    }

    fn checkout(&self) -> Result<Connection, ApiError> {
        let idle = self
            .readers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        match idle {
            Some(conn) => Ok(conn),
            None => {
                let conn = Connection::open_with_flags(
                    &self.path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY
                        | OpenFlags::SQLITE_OPEN_NO_MUTEX
                        | OpenFlags::SQLITE_OPEN_URI,
                )?;
                conn.busy_timeout(std::time::Duration::from_secs(5))?;
                conn.set_prepared_statement_cache_capacity(64);
                Ok(conn)
            }
        }
    }

    fn checkin(&self, conn: Connection) {
        let mut idle = self.readers.lock().unwrap_or_else(PoisonError::into_inner);
        if idle.len() < MAX_IDLE_READERS {
            idle.push(conn);
        }
    }
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
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
    if version < 1 {
        let tx = conn.transaction().map_err(wrap)?;
        tx.execute_batch(SCHEMA).map_err(wrap)?;
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
