//! The schema and its migrations, and unlocking the data key: a database opened with
//! another key, or whose key has vanished, is refused.

use super::*;

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
    // 4: the desk agenda's last answer, sealed, drawn at once when the agenda next opens.
    // The history's sync marks become the service's clock (they were this PC's): the old
    // ones are dropped, so the next look fetches each history whole once.
    r#"
    DELETE FROM sync_marks WHERE dataset LIKE 'appointments:%';
    CREATE TABLE desk_agenda (
        id     INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
        sealed BLOB NOT NULL
    ) STRICT;
    "#,
    // 5: what the desk keeps of a booked appointment for itself (riferimento pratica…),
    // sealed, never sent to the service.
    r#"
    CREATE TABLE appointment_desk (
        id      TEXT PRIMARY KEY NOT NULL,
        fc_hash BLOB NOT NULL,
        sealed  BLOB NOT NULL
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX appointment_desk_by_contributor ON appointment_desk (fc_hash);
    "#,
    // 6: the Registro attività, hash-chained (see `audit`). The contributor is the keyed
    // hash of the fiscal code; the name is sealed, outside the chain.
    r#"
    CREATE TABLE audit_log (
        seq            INTEGER PRIMARY KEY NOT NULL,
        at             TEXT NOT NULL,
        operator       TEXT NOT NULL,
        action         TEXT NOT NULL,
        appointment_id TEXT,
        contributor    BLOB,
        outcome        TEXT NOT NULL,
        detail         TEXT NOT NULL,
        prev_hash      BLOB NOT NULL,
        hash           BLOB NOT NULL,
        name_sealed    BLOB
    ) STRICT;
    CREATE INDEX audit_by_contributor ON audit_log (contributor, seq);
    CREATE INDEX audit_by_time ON audit_log (at);
    "#,
];

pub(super) const KEY_CHECK: &str = "key_check";
pub(super) const KEY_CHECK_PLAINTEXT: &[u8] = b"cassetto-agenda key check v1";

pub(super) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
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
pub(super) fn unlock(
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
