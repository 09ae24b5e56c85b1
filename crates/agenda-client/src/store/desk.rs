//! What the desk keeps of a booked appointment for itself ([`DeskFields`]: riferimento
//! pratica…), sealed, one record per appointment. Written in the transaction that records
//! the hold, so a booking and its desk fields are kept together or not at all; never sent.

use std::collections::HashMap;

use agenda_core::{AppointmentId, DeskFields, FiscalCode};
use rusqlite::{params, Connection, OptionalExtension};

use super::{Store, StoreError};

const WHAT: &str = "dati dello sportello";

/// The associated data of a record: it opens only under its own appointment.
fn aad(id: &str) -> Vec<u8> {
    [b"appointment_desk:".as_slice(), id.as_bytes()].concat()
}

impl Store {
    /// Keeps `desk` with an appointment (call inside a transaction). Nothing entered,
    /// nothing kept.
    pub(super) fn write_desk(
        &self,
        conn: &Connection,
        hash: &[u8],
        id: &AppointmentId,
        desk: &DeskFields,
    ) -> Result<(), StoreError> {
        if desk.is_empty() {
            return Ok(());
        }
        let sealed = self.seal(&aad(id.as_str()), desk);
        conn.execute(
            "INSERT INTO appointment_desk (id, fc_hash, sealed) VALUES (?1, ?2, ?3)
             ON CONFLICT (id) DO UPDATE SET fc_hash = excluded.fc_hash, sealed = excluded.sealed",
            params![id.as_str(), hash, sealed],
        )?;
        Ok(())
    }

    /// Keeps `desk` with an appointment of `fiscal_code` (a rescheduled one takes those of
    /// the one it replaced).
    pub fn keep_desk(
        &self,
        fiscal_code: &FiscalCode,
        id: &AppointmentId,
        desk: &DeskFields,
    ) -> Result<(), StoreError> {
        let hash = self.fc_hash(fiscal_code);
        self.with_conn(|conn| self.write_desk(conn, &hash, id, desk))
    }

    /// The desk fields kept with an appointment (empty when none).
    pub fn desk_of(&self, id: &AppointmentId) -> Result<DeskFields, StoreError> {
        let sealed: Option<Vec<u8>> = self.with_conn(|conn| {
            Ok(conn
                .query_row(
                    "SELECT sealed FROM appointment_desk WHERE id = ?1",
                    [id.as_str()],
                    |row| row.get(0),
                )
                .optional()?)
        })?;
        match sealed {
            Some(sealed) => self.open_sealed(WHAT, &aad(id.as_str()), &sealed),
            None => Ok(DeskFields::default()),
        }
    }

    /// The desk fields kept with the appointments of a contributor, by appointment.
    pub fn desks_of(
        &self,
        fiscal_code: &FiscalCode,
    ) -> Result<HashMap<AppointmentId, DeskFields>, StoreError> {
        let hash = self.fc_hash(fiscal_code);
        let rows: Vec<(String, Vec<u8>)> = self.with_conn(|conn| {
            let mut statement =
                conn.prepare("SELECT id, sealed FROM appointment_desk WHERE fc_hash = ?1")?;
            let rows = statement
                .query_map([hash.as_slice()], |row| Ok((row.get(0)?, row.get(1)?)))?
                .collect::<Result<_, _>>()?;
            Ok(rows)
        })?;
        rows.into_iter()
            .map(|(id, sealed)| {
                let desk = self.open_sealed(WHAT, &aad(&id), &sealed)?;
                let id =
                    AppointmentId::parse(&id).map_err(|_| StoreError::Damaged { what: WHAT })?;
                Ok((id, desk))
            })
            .collect()
    }
}
