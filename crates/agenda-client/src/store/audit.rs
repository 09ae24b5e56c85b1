//! The Registro attività: what the operator did, for whom, with what outcome, kept on the
//! desk PC in the operator's own store, append-only and hash-chained.
//!
//! # The chain
//! Entry `n` carries `prev_hash`, the hash of entry `n − 1` (32 zero bytes for the first),
//! and its own `hash`: HMAC-SHA256, under a key derived from the operator's data key, of
//! `seq ‖ at ‖ operator ‖ action ‖ appointment ‖ contributor ‖ outcome ‖ detail ‖
//! prev_hash` (each field length-prefixed, [`Cipher::mac`]). Editing a row breaks its
//! hash; removing one breaks the next row's `prev_hash`; removing the last ones is caught by
//! the *head*, `meta.audit_head` = `seq ‖ hash ‖ MAC(seq ‖ hash)`, rewritten with every
//! append in the same transaction. Without the key (which is in the OS keychain, not in the
//! file) nobody can recompute a hash or a head.
//!
//! # What an entry holds
//! When (UTC, shown on Rome's clock), the operator's id, the action, the appointment id,
//! the contributor as the store's keyed hash of the fiscal code (never in clear), the
//! outcome (a word) and a detail without personal data. The contributor's *name* is kept
//! beside the entry, sealed and outside the chain, so that only this operator sees it and an
//! erasure can blank it without breaking the chain.
//!
//! # Retention
//! Entries older than the period are purged by cutting the chain: a `checkpoint` entry is
//! appended, naming the last entry removed and its hash (`cut:<seq>:<hash>:<count>`), and
//! the older entries are deleted in the same transaction. The first entry kept must then
//! follow the hash a checkpoint names; the checkpoint is itself chained and signed.

use super::*;

/// `prev_hash` of the first entry.
const GENESIS: [u8; 32] = [0; 32];
const HEAD: &str = "audit_head";
/// The most entries a list returns (the screen pages through a day, an action or a person).
pub const MAX_AUDIT_LIST: usize = 5_000;

macro_rules! audit_actions {
    ($($(#[doc = $doc:literal])* $variant:ident => $word:literal,)*) => {
        /// What an entry of the Registro attività records.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum AuditAction {
            $($(#[doc = $doc])* $variant,)*
        }

        impl AuditAction {
            /// Every action, in the order the screen's filter lists them.
            pub const ALL: &'static [AuditAction] = &[$(AuditAction::$variant,)*];

            /// The word stored and sent to the UI.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(AuditAction::$variant => $word,)*
                }
            }

            /// The action whose word is `word`.
            pub fn from_word(word: &str) -> Option<Self> {
                match word {
                    $($word => Some(AuditAction::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

audit_actions! {
    /// Accesso.
    SignIn => "sign_in",
    /// Esci.
    SignOut => "sign_out",
    /// Sblocco dopo il blocco per inattività (or a refused password).
    Unlock => "unlock",
    /// Prenota Appuntamento.
    Book => "book",
    /// Conferma Appuntamento.
    Confirm => "confirm",
    /// Cancella Prenotazione.
    CancelHold => "cancel_hold",
    /// Annulla appuntamento.
    Annul => "annul",
    /// Riprogramma.
    Reschedule => "reschedule",
    /// A draft's first save.
    DraftCreated => "draft_created",
    /// A draft discarded.
    DraftDeleted => "draft_deleted",
    /// Ricevuta saved or printed.
    Receipt => "receipt",
    /// Calendario (.ics) saved.
    Calendar => "calendar",
    /// Esporta dati (per contributor).
    DataExport => "data_export",
    /// Cancella dati locali (per contributor).
    DataErasure => "data_erasure",
    /// Registro attività exported as CSV.
    AuditExport => "audit_export",
    /// Impostazioni changed.
    SettingsChanged => "settings_changed",
    /// The retention purge.
    Purge => "purge",
    /// The chain cut by the retention purge.
    Checkpoint => "checkpoint",
}

/// One action to record.
#[derive(Clone, PartialEq, Eq)]
pub struct AuditEvent {
    /// What was done.
    pub action: AuditAction,
    /// On which appointment.
    pub appointment_id: Option<String>,
    /// For whom.
    pub contributor: Option<FiscalCode>,
    /// How it ended: `ok`, `held`, `queued`, `returned`, or the error's code.
    pub outcome: String,
    /// A detail without personal data (which settings, how many rows purged…).
    pub detail: String,
}

impl std::fmt::Debug for AuditEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditEvent")
            .field("action", &self.action)
            .field("appointment_id", &self.appointment_id)
            .field(
                "contributor",
                &self.contributor.as_ref().map(|_| "<redacted>"),
            )
            .field("outcome", &self.outcome)
            .finish_non_exhaustive()
    }
}

impl AuditEvent {
    /// An action with outcome `ok` and nothing else.
    pub fn new(action: AuditAction) -> Self {
        Self {
            action,
            appointment_id: None,
            contributor: None,
            outcome: "ok".to_owned(),
            detail: String::new(),
        }
    }

    /// On an appointment.
    pub fn appointment(mut self, id: &AppointmentId) -> Self {
        self.appointment_id = Some(id.as_str().to_owned());
        self
    }

    /// For a contributor.
    pub fn contributor(mut self, fiscal_code: &FiscalCode) -> Self {
        self.contributor = Some(fiscal_code.clone());
        self
    }

    /// With an outcome word.
    pub fn outcome(mut self, outcome: &str) -> Self {
        self.outcome = outcome.chars().take(64).collect();
        self
    }

    /// With a detail (no personal data).
    pub fn detail(mut self, detail: &str) -> Self {
        self.detail = detail.chars().take(200).collect();
        self
    }
}

/// One entry as the Registro attività shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    /// Position in the chain.
    pub seq: i64,
    /// When.
    pub at: DateTime<Utc>,
    /// The operator's id.
    pub operator: String,
    /// What.
    pub action: AuditAction,
    /// Identificativo appuntamento.
    pub appointment_id: Option<String>,
    /// The contributor's name, for this operator only; `None` when no contributor, or
    /// after Cancella dati locali.
    pub contributor_name: Option<String>,
    /// Whether a contributor is named by the entry (even when the name was erased).
    pub has_contributor: bool,
    /// Outcome word.
    pub outcome: String,
    /// Detail.
    pub detail: String,
    /// The entry's hash, hex.
    pub hash: String,
}

/// Which entries to list.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// One Europe/Rome day.
    pub day: Option<NaiveDate>,
    /// One action.
    pub action: Option<AuditAction>,
    /// One contributor.
    pub contributor: Option<FiscalCode>,
}

/// What "Verifica registro" found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditCheck {
    /// True when every entry is there, unchanged, in order.
    pub intact: bool,
    /// Entries checked.
    pub entries: usize,
    /// The first entry kept (after retention cuts).
    pub first_seq: Option<i64>,
    /// The last entry.
    pub last_seq: Option<i64>,
    /// Where the chain breaks: the entry found changed, or the first one after a gap.
    pub broken_at: Option<i64>,
    /// What is wrong, in Italian.
    pub problem: Option<String>,
}

struct Row {
    seq: i64,
    at: String,
    operator: String,
    action: String,
    appointment_id: Option<String>,
    contributor: Option<Vec<u8>>,
    outcome: String,
    detail: String,
    prev_hash: Vec<u8>,
    hash: Vec<u8>,
}

const ROW_COLUMNS: &str = "SELECT seq, at, operator, action, appointment_id, contributor, \
     outcome, detail, prev_hash, hash, name_sealed FROM audit_log";

fn read_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<(Row, Option<Vec<u8>>)> {
    Ok((
        Row {
            seq: row.get(0)?,
            at: row.get(1)?,
            operator: row.get(2)?,
            action: row.get(3)?,
            appointment_id: row.get(4)?,
            contributor: row.get(5)?,
            outcome: row.get(6)?,
            detail: row.get(7)?,
            prev_hash: row.get(8)?,
            hash: row.get(9)?,
        },
        row.get(10)?,
    ))
}

fn entry_hash(cipher: &Cipher, row: &Row) -> [u8; 32] {
    cipher.mac(
        "audit-entry",
        &[
            &row.seq.to_be_bytes(),
            row.at.as_bytes(),
            row.operator.as_bytes(),
            row.action.as_bytes(),
            row.appointment_id.as_deref().unwrap_or("").as_bytes(),
            row.contributor.as_deref().unwrap_or(&[]),
            row.outcome.as_bytes(),
            row.detail.as_bytes(),
            &row.prev_hash,
        ],
    )
}

fn head_mac(cipher: &Cipher, seq: i64, hash: &[u8]) -> [u8; 32] {
    cipher.mac("audit-head", &[&seq.to_be_bytes(), hash])
}

/// The head as stored: `(seq, hash)` and whether its MAC holds.
fn read_head(
    conn: &Connection,
    cipher: &Cipher,
) -> Result<Option<(i64, Vec<u8>, bool)>, StoreError> {
    let value: Option<Vec<u8>> = conn
        .query_row("SELECT value FROM meta WHERE key = ?1", [HEAD], |row| {
            row.get(0)
        })
        .optional()?;
    let Some(value) = value else {
        return Ok(None);
    };
    if value.len() != 8 + 32 + 32 {
        return Ok(Some((0, Vec::new(), false)));
    }
    let mut seq = [0u8; 8];
    seq.copy_from_slice(&value[..8]);
    let seq = i64::from_be_bytes(seq);
    let hash = value[8..40].to_vec();
    let valid = head_mac(cipher, seq, &hash)[..] == value[40..];
    Ok(Some((seq, hash, valid)))
}

fn write_head(conn: &Connection, cipher: &Cipher, seq: i64, hash: &[u8]) -> Result<(), StoreError> {
    let mut value = seq.to_be_bytes().to_vec();
    value.extend_from_slice(hash);
    value.extend_from_slice(&head_mac(cipher, seq, hash));
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![HEAD, value],
    )?;
    Ok(())
}

/// Instants are stored as `YYYY-MM-DDTHH:MM:SS.mmmZ`, so text order is time order.
fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn name_aad(seq: i64) -> Vec<u8> {
    aad("audit-name", &seq.to_string())
}

impl Store {
    /// The operator whose actions this store records (set when it is opened for them).
    pub fn set_actor(&self, operator_id: &str) {
        *self.actor.lock().unwrap_or_else(|p| p.into_inner()) = operator_id.to_owned();
    }

    fn actor(&self) -> String {
        self.actor.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Appends one entry to the Registro attività, in its own transaction.
    pub fn audit(&self, event: &AuditEvent, at: DateTime<Utc>) -> Result<i64, StoreError> {
        self.with_conn(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let seq = self.audit_in(&tx, event, at)?;
            tx.commit()?;
            Ok(seq)
        })
    }

    /// Appends one entry inside the caller's transaction: a local change and its entry are
    /// written together or not at all.
    pub(super) fn audit_in(
        &self,
        conn: &Connection,
        event: &AuditEvent,
        at: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let (last, prev_hash) = match read_head(conn, &self.cipher)? {
            Some((seq, hash, true)) => (seq, hash),
            // A head that does not verify was tampered with: go on from the last row, and
            // "Verifica registro" reports it.
            Some((_, _, false)) => conn
                .query_row(
                    "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
                    [],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .optional()?
                .unwrap_or((0, GENESIS.to_vec())),
            None => (0, GENESIS.to_vec()),
        };
        let seq = last.saturating_add(1);
        let contributor = event
            .contributor
            .as_ref()
            .map(|fc| self.fc_hash(fc).to_vec());
        let mut row = Row {
            seq,
            at: stamp(at),
            operator: self.actor(),
            action: event.action.as_str().to_owned(),
            appointment_id: event.appointment_id.clone(),
            contributor,
            outcome: event.outcome.clone(),
            detail: event.detail.clone(),
            prev_hash,
            hash: Vec::new(),
        };
        row.hash = entry_hash(&self.cipher, &row).to_vec();
        let name = match &row.contributor {
            Some(hash) => conn
                .query_row(
                    "SELECT sealed FROM contributors WHERE fc_hash = ?1",
                    [hash],
                    |r| r.get::<_, Vec<u8>>(0),
                )
                .optional()?
                // A cached row that does not open leaves the entry without a name; the
                // change it records still happens.
                .and_then(|sealed| {
                    self.open_sealed::<Contributor>("contribuente", b"contributor", &sealed)
                        .ok()
                })
                .map(|c| self.cipher.seal(&name_aad(seq), c.display_name.as_bytes())),
            None => None,
        };
        conn.execute(
            "INSERT INTO audit_log (seq, at, operator, action, appointment_id, contributor,
                 outcome, detail, prev_hash, hash, name_sealed)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
                row.seq,
                row.at,
                row.operator,
                row.action,
                row.appointment_id,
                row.contributor,
                row.outcome,
                row.detail,
                row.prev_hash,
                row.hash,
                name
            ],
        )?;
        write_head(conn, &self.cipher, seq, &row.hash)?;
        Ok(seq)
    }

    /// The entries matching `filter`, newest first (at most [`MAX_AUDIT_LIST`]).
    pub fn audit_entries(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>, StoreError> {
        let mut sql = format!("{ROW_COLUMNS} WHERE 1 = 1");
        let mut args: Vec<rusqlite::types::Value> = Vec::new();
        if let Some(day) = filter.day {
            let from = history::rome_midnight(day);
            let to = day
                .succ_opt()
                .map(history::rome_midnight)
                .unwrap_or(i64::MAX);
            let text = |secs: i64| {
                DateTime::<Utc>::from_timestamp(secs, 0)
                    .map(stamp)
                    .unwrap_or_else(|| "9999".to_owned())
            };
            sql.push_str(" AND at >= ? AND at < ?");
            args.push(text(from).into());
            args.push(text(to).into());
        }
        if let Some(action) = filter.action {
            sql.push_str(" AND action = ?");
            args.push(action.as_str().to_owned().into());
        }
        if let Some(fc) = &filter.contributor {
            sql.push_str(" AND contributor = ?");
            args.push(self.fc_hash(fc).to_vec().into());
        }
        sql.push_str(&format!(" ORDER BY seq DESC LIMIT {MAX_AUDIT_LIST}"));
        self.with_conn(|conn| {
            let mut stmt = conn.prepare(&sql)?;
            let rows = stmt.query_map(rusqlite::params_from_iter(args), read_row)?;
            let mut out = Vec::new();
            for row in rows {
                let (row, name) = row?;
                out.push(self.audit_view(row, name)?);
            }
            Ok(out)
        })
    }

    fn audit_view(&self, row: Row, name: Option<Vec<u8>>) -> Result<AuditEntry, StoreError> {
        let damaged = || StoreError::Damaged {
            what: "registro attività",
        };
        let contributor_name = name
            .map(|sealed| {
                self.cipher
                    .open(&name_aad(row.seq), &sealed)
                    .ok()
                    .and_then(|plain| String::from_utf8(plain).ok())
                    .ok_or_else(damaged)
            })
            .transpose()?;
        Ok(AuditEntry {
            seq: row.seq,
            at: parse_utc(&row.at).ok_or_else(damaged)?,
            operator: row.operator,
            action: AuditAction::from_word(&row.action).ok_or_else(damaged)?,
            appointment_id: row.appointment_id,
            contributor_name,
            has_contributor: row.contributor.is_some(),
            outcome: row.outcome,
            detail: row.detail,
            hash: hex(&row.hash),
        })
    }

    /// "Verifica registro": walks the whole chain.
    pub fn verify_audit(&self) -> Result<AuditCheck, StoreError> {
        self.with_conn(|conn| {
            let mut stmt = conn.prepare(&format!("{ROW_COLUMNS} ORDER BY seq"))?;
            let rows = stmt.query_map([], read_row)?;
            let mut check = AuditCheck {
                intact: true,
                entries: 0,
                first_seq: None,
                last_seq: None,
                broken_at: None,
                problem: None,
            };
            let broken = |check: &mut AuditCheck, seq: i64, problem: String| {
                if check.intact {
                    check.intact = false;
                    check.broken_at = Some(seq);
                    check.problem = Some(problem);
                }
            };
            let mut previous: Option<(i64, Vec<u8>)> = None;
            let mut first: Option<(i64, Vec<u8>)> = None;
            // (cut seq, cut hash) named by the checkpoints found intact.
            let mut cuts: Vec<(i64, Vec<u8>)> = Vec::new();
            for row in rows {
                let (row, _) = row?;
                check.entries += 1;
                if first.is_none() {
                    first = Some((row.seq, row.prev_hash.clone()));
                }
                if entry_hash(&self.cipher, &row)[..] != row.hash[..] {
                    broken(
                        &mut check,
                        row.seq,
                        format!("la voce {} è stata modificata", row.seq),
                    );
                }
                if let Some((seq, hash)) = &previous {
                    if row.seq != seq.saturating_add(1) {
                        broken(
                            &mut check,
                            row.seq,
                            format!(
                                "mancano le voci da {} a {}",
                                seq.saturating_add(1),
                                row.seq.saturating_sub(1)
                            ),
                        );
                    } else if row.prev_hash != *hash {
                        broken(
                            &mut check,
                            row.seq,
                            format!("la voce {} non segue la voce {}", row.seq, seq),
                        );
                    }
                }
                if row.action == AuditAction::Checkpoint.as_str() {
                    if let Some(cut) = parse_cut(&row.detail) {
                        cuts.push(cut);
                    }
                }
                previous = Some((row.seq, row.hash));
            }
            if let Some((seq, prev_hash)) = &first {
                check.first_seq = Some(*seq);
                let anchored = (*seq == 1 && prev_hash[..] == GENESIS[..])
                    || cuts
                        .iter()
                        .any(|(cut, hash)| cut.saturating_add(1) == *seq && hash == prev_hash);
                if !anchored {
                    broken(
                        &mut check,
                        *seq,
                        format!("mancano le voci prima della voce {seq}"),
                    );
                }
            }
            check.last_seq = previous.as_ref().map(|(seq, _)| *seq);
            match (read_head(conn, &self.cipher)?, &previous) {
                (None, None) => {}
                (Some((seq, hash, true)), Some((last, last_hash)))
                    if seq == *last && hash == *last_hash => {}
                (Some((seq, _, true)), None) => broken(
                    &mut check,
                    1,
                    format!("mancano tutte le voci, fino alla {seq}"),
                ),
                (Some((seq, _, true)), Some((last, _))) if seq > *last => broken(
                    &mut check,
                    last.saturating_add(1),
                    format!(
                        "mancano le ultime voci, da {} a {seq}",
                        last.saturating_add(1)
                    ),
                ),
                (_, last) => broken(
                    &mut check,
                    last.as_ref().map(|(seq, _)| *seq).unwrap_or(0),
                    "il sigillo finale del registro non corrisponde".to_owned(),
                ),
            }
            Ok(check)
        })
    }

    /// Cuts the chain before the first entry at or after `before`, with a checkpoint entry
    /// (call inside a transaction). Returns how many entries were removed.
    pub(super) fn cut_audit(
        &self,
        conn: &Connection,
        before: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        let keep_from: Option<i64> = conn.query_row(
            "SELECT MIN(seq) FROM audit_log WHERE at >= ?1",
            [stamp(before)],
            |row| row.get(0),
        )?;
        let cut: Option<(i64, Vec<u8>)> = match keep_from {
            Some(first_kept) => conn
                .query_row(
                    "SELECT seq, hash FROM audit_log WHERE seq < ?1 ORDER BY seq DESC LIMIT 1",
                    [first_kept],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .optional()?,
            None => conn
                .query_row(
                    "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
                    [],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .optional()?,
        };
        let Some((cut_seq, cut_hash)) = cut else {
            return Ok(0);
        };
        let count: i64 = conn.query_row(
            "SELECT COUNT(*) FROM audit_log WHERE seq <= ?1",
            [cut_seq],
            |row| row.get(0),
        )?;
        let detail = format!("cut:{cut_seq}:{}:{count}", hex(&cut_hash));
        self.audit_in(
            conn,
            &AuditEvent::new(AuditAction::Checkpoint).detail(&detail),
            at,
        )?;
        conn.execute("DELETE FROM audit_log WHERE seq <= ?1", [cut_seq])?;
        Ok(usize::try_from(count).unwrap_or(0))
    }

    /// Blanks the contributor's name in every entry about them (Cancella dati locali): the
    /// entries stay, the chain too, the name goes.
    pub(super) fn forget_audit_names(
        &self,
        conn: &Connection,
        hash: &[u8],
    ) -> Result<(), StoreError> {
        conn.execute(
            "UPDATE audit_log SET name_sealed = NULL WHERE contributor = ?1",
            [hash],
        )?;
        Ok(())
    }

    /// The Registro attività as CSV (UTF-8 with BOM, `;`-separated as Italian spreadsheets
    /// expect), oldest first, times on Rome's clock. `labels` names each action.
    pub fn audit_csv(
        &self,
        filter: &AuditFilter,
        labels: &dyn Fn(AuditAction) -> String,
    ) -> Result<(Vec<u8>, usize), StoreError> {
        let mut entries = self.audit_entries(filter)?;
        entries.reverse();
        let mut out = String::from("\u{feff}");
        let header = [
            "n",
            "data_ora",
            "operatore",
            "azione",
            "identificativo",
            "contribuente",
            "esito",
            "dettaglio",
            "hash",
        ];
        out.push_str(&header.join(";"));
        out.push_str("\r\n");
        for e in &entries {
            let when =
                e.at.with_timezone(&agenda_core::time::ROME)
                    .format("%Y-%m-%d %H:%M:%S")
                    .to_string();
            let contributor = match (&e.contributor_name, e.has_contributor) {
                (Some(name), _) => name.clone(),
                (None, true) => "(dati cancellati)".to_owned(),
                (None, false) => String::new(),
            };
            let fields = [
                e.seq.to_string(),
                when,
                e.operator.clone(),
                labels(e.action),
                e.appointment_id.clone().unwrap_or_default(),
                contributor,
                e.outcome.clone(),
                e.detail.clone(),
                e.hash.clone(),
            ];
            let cells: Vec<String> = fields.iter().map(|f| csv_cell(f)).collect();
            out.push_str(&cells.join(";"));
            out.push_str("\r\n");
        }
        Ok((out.into_bytes(), entries.len()))
    }
}

/// One CSV cell: quoted when needed, and a leading `=`, `+`, `-`, `@` neutralised so a
/// spreadsheet never runs it as a formula.
fn csv_cell(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if text.contains([';', '"', '\n', '\r', ',']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// `cut:<seq>:<hash hex>:<count>` of a checkpoint.
fn parse_cut(detail: &str) -> Option<(i64, Vec<u8>)> {
    let mut parts = detail.strip_prefix("cut:")?.split(':');
    let seq = parts.next()?.parse().ok()?;
    let hash = parts.next()?;
    if hash.len() != 64 || !hash.is_ascii() {
        return None;
    }
    let bytes = (0..32)
        .map(|i| u8::from_str_radix(&hash[2 * i..2 * i + 2], 16).ok())
        .collect::<Option<Vec<u8>>>()?;
    Some((seq, bytes))
}
