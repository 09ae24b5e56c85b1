//! The outbox: bookings not yet answered by the service, each with its `Idempotency-Key`,
//! queued before the first byte is sent and resolved with the answer.

use super::audit::{AuditAction, AuditEvent};
use super::drafts::set_draft_state;
use super::*;
use agenda_core::DeskFields;

impl Store {
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
        self.with_conn(|conn| {
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
        })
    }

    /// The bookings waiting in the outbox, oldest first.
    pub fn outbox(&self) -> Result<Vec<OutboxEntry>, StoreError> {
        self.with_conn(|conn| {
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
        })
    }

    /// Notes an attempt that got no final answer; the entry stays queued.
    pub fn record_attempt(&self, entry_id: i64, error_code: &str) -> Result<(), StoreError> {
        self.with_conn(|conn| {
            conn.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_attempt_at = ?2, last_error = ?3
                 WHERE id = ?1",
                params![entry_id, Utc::now().to_rfc3339(), error_code],
            )?;
            Ok(())
        })
    }

    /// The service holds a slot for the entry: the entry leaves the outbox, the appointment
    /// enters the history with the `desk` fields of its draft, the draft waits for
    /// confirmation. One transaction.
    pub fn resolve_held(
        &self,
        entry: &OutboxEntry,
        appointment: &Appointment,
        desk: &DeskFields,
    ) -> Result<(), StoreError> {
        let hash = self.fc_hash(&entry.booking.fiscal_code);
        let appointment_hash = self.fc_hash(&appointment.fiscal_code);
        self.with_conn(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute("DELETE FROM outbox WHERE id = ?1", [entry.id])?;
            history::upsert(&tx, &self.cipher, &appointment_hash, appointment)?;
            self.write_desk(&tx, &appointment_hash, &appointment.id, desk)?;
            set_draft_state(
                &tx,
                &hash,
                &entry.booking.communication_id,
                "held",
                Some(appointment),
                None,
            )?;
            self.audit_in(
                &tx,
                &AuditEvent::new(AuditAction::Book)
                    .appointment(&appointment.id)
                    .contributor(&appointment.fiscal_code)
                    .outcome(appointment.status.as_str()),
                Utc::now(),
            )?;
            tx.commit()?;
            Ok(())
        })
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
        self.with_conn(|conn| {
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
            self.audit_in(
                &tx,
                &AuditEvent::new(AuditAction::Book)
                    .contributor(&entry.booking.fiscal_code)
                    .outcome(&format!("returned:{}", problem.code)),
                Utc::now(),
            )?;
            tx.commit()?;
            Ok(())
        })
    }
}
