//! Time-driven housekeeping: expired holds become `scaduto` (freeing their slot), past
//! confirmed appointments become `svolto`, and stale keys, tokens and login failures go.
//!
//! Reads never depend on the sweep (they compute the effective status themselves); the
//! sweep keeps the stored status, and so the unique indexes over live appointments, in step
//! with time. It runs at start-up, every second while serving, and for the rows a booking
//! touches inside the booking's own transaction.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection};

use crate::auth::LOCKOUT_WINDOW_SECS;
use crate::idempotency::KEY_RETENTION_SECS;

/// What one sweep changed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SweepReport {
    /// Holds that became `scaduto`.
    pub expired_holds: usize,
    /// Confirmed appointments that became `svolto`.
    pub completed: usize,
}

/// Sweeps everything due at `now` (run it inside a transaction).
pub fn sweep(tx: &Connection, now: DateTime<Utc>) -> rusqlite::Result<SweepReport> {
    let now = now.timestamp();
    let expired_holds = tx
        .prepare_cached(
            "UPDATE appointments SET status = 'scaduto', updated_at = hold_expires_at
             WHERE status = 'prenotato' AND hold_expires_at <= ?1",
        )?
        .execute([now])?;
    let completed = tx
        .prepare_cached(
            "UPDATE appointments SET status = 'svolto', updated_at = start_at
             WHERE status = 'confermato' AND start_at <= ?1",
        )?
        .execute([now])?;
    tx.prepare_cached("DELETE FROM idempotency_keys WHERE created_at < ?1")?
        .execute([now - KEY_RETENTION_SECS])?;
    tx.prepare_cached("DELETE FROM access_tokens WHERE expires_at <= ?1")?
        .execute([now])?;
    tx.prepare_cached("DELETE FROM refresh_tokens WHERE expires_at <= ?1")?
        .execute([now])?;
    tx.prepare_cached("DELETE FROM login_failures WHERE at <= ?1")?
        .execute([now - LOCKOUT_WINDOW_SECS])?;
    Ok(SweepReport {
        expired_holds,
        completed,
    })
}

/// Sweeps the live appointments that could stand in the way of a booking: those of the
/// communication and those of the slot.
pub(crate) fn expire_for_booking(
    conn: &Connection,
    communication_id: &str,
    office_code: &str,
    point_code: &str,
    start: DateTime<Utc>,
    now: DateTime<Utc>,
) -> rusqlite::Result<()> {
    const SET: &str = "UPDATE appointments
        SET status = CASE status WHEN 'prenotato' THEN 'scaduto' ELSE 'svolto' END,
            updated_at = CASE status WHEN 'prenotato' THEN hold_expires_at ELSE start_at END";
    const DUE: &str = "status IN ('prenotato', 'confermato')
        AND ((status = 'prenotato' AND hold_expires_at <= ?1)
          OR (status = 'confermato' AND start_at <= ?1))";
    let now = now.timestamp();
    conn.prepare_cached(&format!("{SET} WHERE communication_id = ?2 AND {DUE}"))?
        .execute(params![now, communication_id])?;
    conn.prepare_cached(&format!(
        "{SET} WHERE office_code = ?2 AND consultation_point = ?3 AND start_at = ?4 AND {DUE}"
    ))?
    .execute(params![now, office_code, point_code, start.timestamp()])?;
    Ok(())
}
