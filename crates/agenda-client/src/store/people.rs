//! Cached personal data, sealed: contributors, communications and threads, and the
//! appointment history (chunked, see `history`).

use super::*;

impl Store {
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
        self.with_conn(|conn| {
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
        })
    }

    /// The cached contributors, optionally matching `q` as the service does (fiscal code
    /// prefix or part of the name, case-insensitive).
    pub fn contributors(&self, q: Option<&str>) -> Result<Cached<Vec<Contributor>>, StoreError> {
        self.with_conn(|conn| {
            let mut stmt =
                conn.prepare_cached("SELECT sealed FROM contributors ORDER BY position, rowid")?;
            let mut items = Vec::new();
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                let sealed: Vec<u8> = row.get(0)?;
                items.push(self.open_sealed::<Contributor>(
                    "contribuente",
                    b"contributor",
                    &sealed,
                )?);
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
                last_synced_at: read_mark(conn, &self.dataset_key(&Dataset::Contributors))?,
            })
        })
    }

    /// One cached contributor.
    pub fn contributor(&self, fiscal_code: &FiscalCode) -> Result<Option<Contributor>, StoreError> {
        self.with_conn(|conn| {
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
        })
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
        self.with_conn(|conn| {
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
        })
    }

    /// The cached communications of a contributor, newest first.
    pub fn communications(
        &self,
        fiscal_code: &FiscalCode,
    ) -> Result<Cached<Vec<Communication>>, StoreError> {
        self.with_conn(|conn| {
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
                    conn,
                    &self.dataset_key(&Dataset::Communications(fiscal_code.clone())),
                )?,
            })
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
        self.with_conn(|conn| {
            conn.execute(
                "INSERT INTO communication_threads (id, synced_at, sealed) VALUES (?1, ?2, ?3)
                 ON CONFLICT (id) DO UPDATE SET synced_at = excluded.synced_at, sealed = excluded.sealed",
                params![id, at.to_rfc3339(), sealed],
            )?;
            Ok(())
        })
    }

    /// A cached communication thread.
    pub fn thread(&self, id: &str) -> Result<Option<Cached<CommunicationThread>>, StoreError> {
        self.with_conn(|conn| {
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
        })
    }

    // ------------------------------------------------------------ appointments

    /// Replaces the cached history of a contributor with the service's (the whole history).
    pub fn save_appointments(
        &self,
        fiscal_code: &FiscalCode,
        appointments: &[Appointment],
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.sync_history(fiscal_code, appointments, at, |tx, hash| {
            history::replace_all(tx, &self.cipher, hash, fiscal_code, appointments)
        })
    }

    /// Merges the appointments that changed since the last sync into the cached history and
    /// moves its sync mark to `at`, in one transaction (an empty `changed` only moves the
    /// mark).
    pub fn merge_appointments(
        &self,
        fiscal_code: &FiscalCode,
        changed: &[Appointment],
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.sync_history(fiscal_code, changed, at, |tx, hash| {
            history::merge(tx, &self.cipher, hash, changed)
        })
    }

    /// Writes what the service gave for a contributor's history with `write`, and its sync
    /// mark, in one transaction. Anyone else's appointment in it refuses the whole answer:
    /// keep nothing rather than mix people.
    fn sync_history(
        &self,
        fiscal_code: &FiscalCode,
        given: &[Appointment],
        at: DateTime<Utc>,
        write: impl FnOnce(&rusqlite::Transaction<'_>, &[u8]) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        if let Some(stranger) = given.iter().find(|a| &a.fiscal_code != fiscal_code) {
            tracing::warn!(
                id = stranger.id.as_str(),
                "appuntamento di un altro contribuente"
            );
            return Err(StoreError::Damaged { what: "storico" });
        }
        let hash = self.fc_hash(fiscal_code);
        self.with_conn(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            write(&tx, &hash)?;
            write_mark(
                &tx,
                &self.dataset_key(&Dataset::Appointments(fiscal_code.clone())),
                at,
            )?;
            tx.commit()?;
            Ok(())
        })
    }

    /// Adds or updates one cached appointment (after a booking, confirmation, cancellation).
    pub fn upsert_appointment(&self, appointment: &Appointment) -> Result<(), StoreError> {
        let hash = self.fc_hash(&appointment.fiscal_code);
        self.with_conn(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            history::upsert(&tx, &self.cipher, &hash, appointment)?;
            tx.commit()?;
            Ok(())
        })
    }

    /// The cached history of a contributor, newest first, filtered like the service filters
    /// (`status`; `from`/`to` are Europe/Rome days, inclusive).
    pub fn appointments(
        &self,
        fiscal_code: &FiscalCode,
        filter: &AppointmentFilter,
    ) -> Result<Cached<Vec<Appointment>>, StoreError> {
        let hash = self.fc_hash(fiscal_code);
        self.with_conn(|conn| {
            let items = history::query(conn, &self.cipher, &hash, fiscal_code, filter)?;
            Ok(Cached {
                items,
                last_synced_at: read_mark(
                    conn,
                    &self.dataset_key(&Dataset::Appointments(fiscal_code.clone())),
                )?,
            })
        })
    }

    /// One cached appointment.
    pub fn appointment(&self, id: &AppointmentId) -> Result<Option<Appointment>, StoreError> {
        self.with_conn(|conn| history::by_id(conn, &self.cipher, id))
    }
}

/// The desk agenda as the service last gave it: kept sealed, so the agenda draws at once on
/// its next opening while it refreshes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeskSnapshot {
    /// The first day it covered (Europe/Rome).
    pub from: Option<NaiveDate>,
    /// The last day it covered.
    pub to: Option<NaiveDate>,
    /// Its appointments (holds and the days shown).
    pub appointments: Vec<Appointment>,
    /// Its requestable threads.
    pub requestable: Vec<RequestableCommunication>,
}

impl Store {
    /// Replaces the kept desk agenda.
    pub fn save_desk(&self, desk: &DeskSnapshot, at: DateTime<Utc>) -> Result<(), StoreError> {
        let sealed = self.seal(b"desk_agenda", desk);
        self.with_conn(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute(
                "INSERT INTO desk_agenda (id, sealed) VALUES (1, ?1)
                 ON CONFLICT (id) DO UPDATE SET sealed = excluded.sealed",
                [&sealed],
            )?;
            write_mark(&tx, &self.dataset_key(&Dataset::Desk), at)?;
            tx.commit()?;
            Ok(())
        })
    }

    /// The kept desk agenda, if any.
    pub fn desk(&self) -> Result<Option<Cached<DeskSnapshot>>, StoreError> {
        self.with_conn(|conn| {
            let sealed: Option<Vec<u8>> = conn
                .query_row("SELECT sealed FROM desk_agenda WHERE id = 1", [], |row| {
                    row.get(0)
                })
                .optional()?;
            let Some(sealed) = sealed else {
                return Ok(None);
            };
            Ok(Some(Cached {
                items: self.open_sealed("agenda dello sportello", b"desk_agenda", &sealed)?,
                last_synced_at: read_mark(conn, &self.dataset_key(&Dataset::Desk))?,
            }))
        })
    }
}
