//! Data protection on the desk PC: the retention purge, a contributor's data exported or
//! erased, and the verifier of the operator's password for the idle lock.

use super::audit::{AuditAction, AuditEntry, AuditEvent, AuditFilter};
use super::*;
use agenda_core::DeskFields;

/// How long the desk keeps what it holds (Impostazioni → Conservazione dei dati).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Retention {
    /// Communications and appointments: days after the appointment (the communication's
    /// sending).
    pub cache_days: u32,
    /// Drafts still being edited: days after their last save.
    pub drafts_days: u32,
    /// Registro attività: days after the entry.
    pub audit_days: u32,
}

impl Retention {
    /// The bounds Impostazioni accepts: at least a week of cache and a day of drafts, at
    /// least 30 days of log (and at most ten years of each).
    pub const CACHE_DAYS: (u32, u32) = (7, 3650);
    /// Bounds of [`Retention::drafts_days`].
    pub const DRAFTS_DAYS: (u32, u32) = (1, 3650);
    /// Bounds of [`Retention::audit_days`].
    pub const AUDIT_DAYS: (u32, u32) = (30, 3650);

    /// Whether every period is within its bounds.
    pub fn is_valid(&self) -> bool {
        let within = |v: u32, (lo, hi): (u32, u32)| (lo..=hi).contains(&v);
        within(self.cache_days, Self::CACHE_DAYS)
            && within(self.drafts_days, Self::DRAFTS_DAYS)
            && within(self.audit_days, Self::AUDIT_DAYS)
    }
}

impl Default for Retention {
    /// 90 days of cache, 30 of abandoned drafts, a year of log.
    fn default() -> Self {
        Self {
            cache_days: 90,
            drafts_days: 30,
            audit_days: 365,
        }
    }
}

/// What a purge removed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PurgeReport {
    /// Appointments of the cached histories.
    pub appointments: usize,
    /// Cached communications.
    pub communications: usize,
    /// Cached threads.
    pub threads: usize,
    /// Drafts being edited and left alone.
    pub drafts: usize,
    /// Entries of the Registro attività (cut with a checkpoint).
    pub audit_entries: usize,
}

impl PurgeReport {
    /// Nothing removed.
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

/// Everything the desk PC holds about one contributor, for "Esporta dati" (GDPR art. 15).
/// Field names are Italian: the file is read by the contributor.
#[derive(Debug, Serialize)]
pub struct ContributorData {
    /// When it was made.
    pub generato_il: DateTime<Utc>,
    /// What made it.
    pub origine: &'static str,
    /// The contributor as cached.
    pub contribuente: Option<Contributor>,
    /// Cached communications.
    pub comunicazioni: Vec<Communication>,
    /// Cached threads with their messages.
    pub conversazioni: Vec<CommunicationThread>,
    /// Cached appointments, every status.
    pub appuntamenti: Vec<Appointment>,
    /// The desk's own fields (riferimento pratica), by appointment.
    pub dati_sportello: Vec<(AppointmentId, DeskFields)>,
    /// Drafts of bookings.
    pub bozze: Vec<Draft>,
    /// Bookings waiting to be sent.
    pub prenotazioni_in_attesa: Vec<BookingRequest>,
    /// Entries of the Registro attività about them.
    pub registro_attivita: Vec<AuditEntry>,
}

/// What Cancella dati locali removed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ErasureReport {
    /// Rows removed, of every kind.
    pub rows: usize,
    /// Of which bookings that were waiting to be sent.
    pub outbox: usize,
}

const LAST_PURGE: &str = "last_purge";
const LOCK_VERIFIER: &str = "lock_verifier";

/// The Argon2id verifier of the operator's password, sealed in the store.
#[derive(Serialize, Deserialize)]
struct Verifier {
    /// The user name the password goes with (the service is asked with it when online).
    username: String,
    salt: Vec<u8>,
    hash: Vec<u8>,
    m_kib: u32,
    t: u32,
    p: u32,
}

/// OWASP's first Argon2id choice: 19 MiB, 2 passes, 1 lane.
const ARGON2_M_KIB: u32 = 19 * 1024;
const ARGON2_T: u32 = 2;
const ARGON2_P: u32 = 1;

fn argon2id(password: &str, salt: &[u8], m_kib: u32, t: u32, p: u32) -> Option<[u8; 32]> {
    use argon2::{Algorithm, Argon2, Params, Version};
    let params = Params::new(m_kib, t, p, Some(32)).ok()?;
    let mut out = [0u8; 32];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(password.as_bytes(), salt, &mut out)
        .ok()?;
    Some(out)
}

impl Store {
    /// Removes what is older than `policy` allows, at `now`, in one transaction, and records
    /// it in the Registro attività (nothing recorded when nothing was old enough).
    pub fn purge(&self, policy: &Retention, now: DateTime<Utc>) -> Result<PurgeReport, StoreError> {
        let days = |n: u32| chrono::Duration::days(i64::from(n));
        let cache_before = now - days(policy.cache_days);
        let drafts_before = now - days(policy.drafts_days);
        let audit_before = now - days(policy.audit_days);
        self.with_conn(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mut report = PurgeReport::default();
            let removed = history::purge_before(&tx, &self.cipher, cache_before.timestamp())?;
            for id in &removed {
                tx.execute("DELETE FROM appointment_desk WHERE id = ?1", [id])?;
            }
            report.appointments = removed.len();
            report.communications = tx.execute(
                "DELETE FROM communications WHERE sent_at < ?1",
                [cache_before.timestamp()],
            )?;
            report.threads = tx.execute(
                "DELETE FROM communication_threads WHERE id NOT IN (SELECT id FROM communications)",
                [],
            )?;
            let editing: Vec<(Vec<u8>, String, String)> = tx
                .prepare("SELECT fc_hash, communication_id, updated_at FROM drafts WHERE state = 'editing'")?
                .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
                .collect::<Result<_, _>>()?;
            for (hash, communication_id, updated_at) in editing {
                let old = parse_utc(&updated_at).is_none_or(|at| at < drafts_before);
                if old {
                    report.drafts += tx.execute(
                        "DELETE FROM drafts WHERE fc_hash = ?1 AND communication_id = ?2",
                        params![hash, communication_id],
                    )?;
                }
            }
            let personal = PurgeReport {
                audit_entries: 0,
                ..report.clone()
            };
            if !personal.is_empty() {
                let detail = format!(
                    "appuntamenti {}, comunicazioni {}, conversazioni {}, bozze {}",
                    report.appointments, report.communications, report.threads, report.drafts
                );
                self.audit_in(&tx, &AuditEvent::new(AuditAction::Purge).detail(&detail), now)?;
            }
            report.audit_entries = self.cut_audit(&tx, audit_before, now)?;
            write_mark(&tx, LAST_PURGE, now)?;
            tx.commit()?;
            Ok(report)
        })
    }

    /// When the last purge ran.
    pub fn last_purge(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        self.with_conn(|conn| read_mark(conn, LAST_PURGE))
    }

    /// "Esporta dati": everything this store holds about one contributor (the caller records
    /// the export once the file is saved).
    pub fn contributor_data(
        &self,
        fiscal_code: &FiscalCode,
        now: DateTime<Utc>,
    ) -> Result<ContributorData, StoreError> {
        let communications = self.communications(fiscal_code)?.items;
        let mut threads = Vec::new();
        for c in &communications {
            if let Some(thread) = self.thread(&c.id)? {
                threads.push(thread.items);
            }
        }
        let mut desk: Vec<(AppointmentId, DeskFields)> =
            self.desks_of(fiscal_code)?.into_iter().collect();
        desk.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
        let outbox = self
            .outbox()?
            .into_iter()
            .filter(|e| &e.booking.fiscal_code == fiscal_code)
            .map(|e| e.booking)
            .collect();
        let audit = self.audit_entries(&AuditFilter {
            contributor: Some(fiscal_code.clone()),
            ..AuditFilter::default()
        })?;
        let data = ContributorData {
            generato_il: now,
            origine: "Cassetto Agenda — dati conservati su questo computer dello sportello",
            contribuente: self.contributor(fiscal_code)?,
            comunicazioni: communications,
            conversazioni: threads,
            appuntamenti: self
                .appointments(fiscal_code, &AppointmentFilter::default())?
                .items,
            dati_sportello: desk,
            bozze: self.drafts_of(fiscal_code)?,
            prenotazioni_in_attesa: outbox,
            registro_attivita: audit,
        };
        Ok(data)
    }

    /// How many bookings of a contributor wait to be sent (the erasure's dialog warns).
    pub fn outbox_count_of(&self, fiscal_code: &FiscalCode) -> Result<usize, StoreError> {
        let hash = self.fc_hash(fiscal_code);
        self.with_conn(|conn| {
            let n: i64 = conn.query_row(
                "SELECT COUNT(*) FROM outbox WHERE fc_hash = ?1",
                [&hash[..]],
                |row| row.get(0),
            )?;
            Ok(usize::try_from(n).unwrap_or(0))
        })
    }

    /// "Cancella dati locali": removes every cached row, draft and queued booking of one
    /// contributor, blanks their name in the Registro attività, and records the erasure
    /// (without their data), in one transaction; then compacts the file, so that no freed
    /// page keeps a copy.
    pub fn erase_contributor(
        &self,
        fiscal_code: &FiscalCode,
        now: DateTime<Utc>,
    ) -> Result<ErasureReport, StoreError> {
        let hash = self.fc_hash(fiscal_code);
        let marks = [
            self.dataset_key(&Dataset::Communications(fiscal_code.clone())),
            self.dataset_key(&Dataset::Appointments(fiscal_code.clone())),
        ];
        // Threads are kept by communication id: find every communication of the person the
        // store knows of (their list, their appointments, the desk agenda's requestable ones).
        let mut threads: Vec<String> = self
            .appointments(fiscal_code, &AppointmentFilter::default())?
            .items
            .into_iter()
            .map(|a| a.communication_id)
            .collect();
        let kept_desk = self.desk()?;
        if let Some(cached) = &kept_desk {
            threads.extend(
                cached
                    .items
                    .requestable
                    .iter()
                    .filter(|r| &r.contributor.fiscal_code == fiscal_code)
                    .map(|r| r.communication.id.clone()),
            );
        }
        // The kept desk agenda lists everyone's appointments: the person's are taken out.
        let desk = kept_desk.map(|cached| {
            let mut snapshot = cached.items;
            snapshot
                .appointments
                .retain(|a| &a.fiscal_code != fiscal_code);
            snapshot
                .requestable
                .retain(|r| &r.contributor.fiscal_code != fiscal_code);
            self.seal(b"desk_agenda", &snapshot)
        });
        let report = self.with_conn(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mut report = ErasureReport::default();
            let h = &hash[..];
            report.rows += tx.execute(
                "DELETE FROM communication_threads WHERE id IN
                     (SELECT id FROM communications WHERE fc_hash = ?1)",
                [h],
            )?;
            for id in &threads {
                report.rows +=
                    tx.execute("DELETE FROM communication_threads WHERE id = ?1", [id])?;
            }
            for table in [
                "contributors",
                "communications",
                "appointment_desk",
                "drafts",
            ] {
                report.rows +=
                    tx.execute(&format!("DELETE FROM {table} WHERE fc_hash = ?1"), [h])?;
            }
            report.outbox = tx.execute("DELETE FROM outbox WHERE fc_hash = ?1", [h])?;
            report.rows += report.outbox;
            report.rows += tx
                .query_row(
                    "SELECT COUNT(*) FROM appointments WHERE fc_hash = ?1",
                    [h],
                    |row| row.get::<_, i64>(0),
                )?
                .try_into()
                .unwrap_or(0usize);
            history::erase(&tx, h)?;
            for mark in &marks {
                tx.execute("DELETE FROM sync_marks WHERE dataset = ?1", [mark])?;
            }
            if let Some(sealed) = &desk {
                tx.execute("UPDATE desk_agenda SET sealed = ?1 WHERE id = 1", [sealed])?;
            }
            self.forget_audit_names(&tx, h)?;
            let detail = format!(
                "righe {}, prenotazioni in attesa {}",
                report.rows, report.outbox
            );
            self.audit_in(
                &tx,
                &AuditEvent::new(AuditAction::DataErasure)
                    .contributor(fiscal_code)
                    .detail(&detail),
                now,
            )?;
            tx.commit()?;
            Ok(report)
        })?;
        self.compact()?;
        Ok(report)
    }

    /// Rewrites the file without free pages and empties the WAL: what was deleted is gone
    /// from the disk's copy too (`secure_delete` already zeroes freed cells).
    pub fn compact(&self) -> Result<(), StoreError> {
        self.with_conn(|conn| {
            conn.execute_batch("VACUUM;")?;
            conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
            Ok(())
        })
    }

    /// Keeps an Argon2id verifier of the operator's password (after the service accepted
    /// it), sealed, so the idle lock can be opened offline.
    pub fn set_lock_verifier(&self, username: &str, password: &str) -> Result<(), StoreError> {
        let mut salt = vec![0u8; 16];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut salt);
        let hash = argon2id(password, &salt, ARGON2_M_KIB, ARGON2_T, ARGON2_P).ok_or(
            StoreError::Damaged {
                what: "verifica della password",
            },
        )?;
        let verifier = Verifier {
            username: username.to_owned(),
            salt,
            hash: hash.to_vec(),
            m_kib: ARGON2_M_KIB,
            t: ARGON2_T,
            p: ARGON2_P,
        };
        let sealed = self.seal(LOCK_VERIFIER.as_bytes(), &verifier);
        self.with_conn(|conn| {
            conn.execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![LOCK_VERIFIER, sealed],
            )?;
            Ok(())
        })
    }

    /// The user name kept with the verifier; `None` when none is kept.
    pub fn lock_username(&self) -> Result<Option<String>, StoreError> {
        Ok(self.lock_verifier()?.map(|v| v.username))
    }

    fn lock_verifier(&self) -> Result<Option<Verifier>, StoreError> {
        let sealed: Option<Vec<u8>> = self.with_conn(|conn| {
            Ok(conn
                .query_row(
                    "SELECT value FROM meta WHERE key = ?1",
                    [LOCK_VERIFIER],
                    |row| row.get(0),
                )
                .optional()?)
        })?;
        sealed
            .map(|sealed| {
                self.open_sealed("verifica della password", LOCK_VERIFIER.as_bytes(), &sealed)
            })
            .transpose()
    }

    /// Whether `password` is the operator's, by the kept verifier; `None` when none is kept.
    pub fn check_lock_verifier(&self, password: &str) -> Result<Option<bool>, StoreError> {
        let Some(verifier) = self.lock_verifier()? else {
            return Ok(None);
        };
        // Bounded: a verifier asking for more than 256 MiB or 10 passes is not ours.
        if verifier.m_kib > 256 * 1024 || verifier.t > 10 || verifier.p > 4 {
            return Err(StoreError::Damaged {
                what: "verifica della password",
            });
        }
        let hash = argon2id(
            password,
            &verifier.salt,
            verifier.m_kib,
            verifier.t,
            verifier.p,
        );
        Ok(Some(hash.is_some_and(|h| {
            use subtle_eq::ConstantTimeEq;
            h.ct_eq(&verifier.hash)
        })))
    }
}

mod subtle_eq {
    /// Comparison whose time does not depend on where the bytes differ.
    pub trait ConstantTimeEq {
        fn ct_eq(&self, other: &[u8]) -> bool;
    }
    impl ConstantTimeEq for [u8; 32] {
        fn ct_eq(&self, other: &[u8]) -> bool {
            if other.len() != 32 {
                return false;
            }
            self.iter()
                .zip(other)
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
        }
    }
}
