//! Drafts of the booking wizard, one per contributor and communication, sealed and saved
//! as the operator types; a draft's state follows its booking.

use super::audit::{AuditAction, AuditEvent};
use super::*;

impl Store {
    pub(super) fn draft_aad(hash: &[u8], communication_id: &str) -> Vec<u8> {
        let mut out = b"draft\0".to_vec();
        out.extend_from_slice(hash);
        out.push(0);
        out.extend_from_slice(communication_id.as_bytes());
        out
    }

    pub(super) fn problem_aad(hash: &[u8], communication_id: &str) -> Vec<u8> {
        let mut out = b"draft-problem\0".to_vec();
        out.extend_from_slice(hash);
        out.push(0);
        out.extend_from_slice(communication_id.as_bytes());
        out
    }

    pub(super) fn seal_problem(
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
        let revision: Option<i64> = self.with_conn(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let revision: Option<i64> = tx
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
            if revision == Some(1) {
                // A new draft: recorded with it, in the same transaction.
                self.audit_in(
                    &tx,
                    &AuditEvent::new(AuditAction::DraftCreated).contributor(wizard.fiscal_code()),
                    saved_at,
                )?;
            }
            tx.commit()?;
            Ok(revision)
        })?;
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
        self.with_conn(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "{DRAFT_COLUMNS} WHERE fc_hash = ?1 AND communication_id = ?2"
            ))?;
            let rows = stmt.query(params![&self.fc_hash(fiscal_code)[..], communication_id])?;
            Ok(self.decode_drafts(rows)?.pop())
        })
    }

    /// Every draft, most recently saved first.
    pub fn drafts(&self) -> Result<Vec<Draft>, StoreError> {
        self.with_conn(|conn| {
            let mut stmt =
                conn.prepare_cached(&format!("{DRAFT_COLUMNS} ORDER BY updated_at DESC"))?;
            let rows = stmt.query([])?;
            self.decode_drafts(rows)
        })
    }

    /// Every draft of one contributor.
    pub fn drafts_of(&self, fiscal_code: &FiscalCode) -> Result<Vec<Draft>, StoreError> {
        self.with_conn(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "{DRAFT_COLUMNS} WHERE fc_hash = ?1 ORDER BY updated_at DESC"
            ))?;
            let rows = stmt.query([&self.fc_hash(fiscal_code)[..]])?;
            self.decode_drafts(rows)
        })
    }

    pub(super) fn decode_drafts(
        &self,
        mut rows: rusqlite::Rows<'_>,
    ) -> Result<Vec<Draft>, StoreError> {
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

    /// Deletes a draft whose booking went through. Returns whether there was one. Queued
    /// bookings of the draft stay in the outbox.
    pub fn delete_draft(
        &self,
        fiscal_code: &FiscalCode,
        communication_id: &str,
    ) -> Result<bool, StoreError> {
        self.remove_draft(fiscal_code, communication_id, false)
    }

    /// Deletes a draft the operator discards, recording it in the Registro attività in the
    /// same transaction. Returns whether there was one.
    pub fn discard_draft(
        &self,
        fiscal_code: &FiscalCode,
        communication_id: &str,
    ) -> Result<bool, StoreError> {
        self.remove_draft(fiscal_code, communication_id, true)
    }

    fn remove_draft(
        &self,
        fiscal_code: &FiscalCode,
        communication_id: &str,
        audited: bool,
    ) -> Result<bool, StoreError> {
        let hash = self.fc_hash(fiscal_code);
        let n = self.with_conn(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let n = tx.execute(
                "DELETE FROM drafts WHERE fc_hash = ?1 AND communication_id = ?2",
                params![&hash[..], communication_id],
            )?;
            if n > 0 && audited {
                self.audit_in(
                    &tx,
                    &AuditEvent::new(AuditAction::DraftDeleted).contributor(fiscal_code),
                    Utc::now(),
                )?;
            }
            tx.commit()?;
            Ok(n)
        })?;
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
        self.with_conn(|conn| {
            let n = set_draft_state(
                conn,
                &hash,
                communication_id,
                "editing",
                None,
                sealed.as_deref(),
            )?;
            Ok(n > 0)
        })
    }
}

pub(super) const DRAFT_COLUMNS: &str =
    "SELECT fc_hash, communication_id, revision, updated_at, state,
    appointment_id, hold_expires_at, problem, sealed FROM drafts";

pub(super) fn set_draft_state(
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
