//! The cached appointment history, sealed in chunks.
//!
//! All the appointments of one contributor with one status in one Europe/Rome year (by
//! start) form a *chunk*, sealed as one value. Sealing each appointment on its own would
//! cost one AEAD setup and one SQLite row of many columns per appointment, which dominates
//! reading a long history; a chunk amortises both, and a filter by status or by dates opens
//! only the chunks it can match. Every field is sealed, not only the personal ones. A small
//! clear table maps each appointment id to its chunk, for lookups and moves. Changing one
//! appointment reseals its chunk (and the one it leaves, if its status or year changed).
//!
//! A long history is opened and decoded on up to four threads, one group of chunks each.
//!
//! Chunk format (before sealing): `"H2"`, the fiscal code and the status (u8-length strings),
//! then one record per appointment, each prefixed by its u32 length:
//! id, communication, topic, consultation point, office, channel (u8-length strings);
//! start, end, created, updated as (i64 Unix seconds, i32 UTC offset seconds); hold deadline
//! (a 0/1 flag, then the same); phone (u8-length) and notes (u16-length). Integers are
//! big-endian. The associated data names the chunk (`appointments ‖ fc hash ‖ status ‖
//! year`), so a chunk copied under another key does not open.

use std::collections::BTreeMap;

use agenda_core::time::ROME;
use agenda_core::{AppointmentId, AppointmentStatus, FiscalCode, Notes, PhoneNumber};
use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, TimeZone, Utc};
use rusqlite::{params, Connection, OptionalExtension};

use super::StoreError;
use crate::crypto::Cipher;
use crate::wire::{Appointment, AppointmentFilter, Timestamp};

const WHAT: &str = "appuntamento";
const MAGIC: &[u8; 2] = b"H2";

fn damaged() -> StoreError {
    StoreError::Damaged { what: WHAT }
}

/// Which chunk holds an appointment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct ChunkKey {
    status: AppointmentStatus,
    year: i32,
}

impl ChunkKey {
    fn of(appointment: &Appointment) -> Self {
        Self {
            status: appointment.status,
            year: appointment.start.with_timezone(&ROME).year(),
        }
    }

    fn aad(&self, hash: &[u8]) -> Vec<u8> {
        let mut aad = b"appointments\0".to_vec();
        aad.extend_from_slice(hash);
        aad.push(0);
        aad.extend_from_slice(self.status.as_str().as_bytes());
        aad.push(0);
        aad.extend_from_slice(self.year.to_string().as_bytes());
        aad
    }
}

// ---------------------------------------------------------------- encoding

/// A string of at most 255 bytes with its length. Codes and ids from the service are
/// bounded when parsed (`wire::bounded_code`, 64 bytes), phones by their type; a longer one
/// could only come from a bug and is cut to 255 bytes, so the record decodes as damaged
/// rather than the app aborting.
fn push_u8_str(out: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    let len = u8::try_from(bytes.len()).unwrap_or(u8::MAX);
    out.push(len);
    out.extend_from_slice(&bytes[..usize::from(len)]);
}

fn push_time(out: &mut Vec<u8>, at: &Timestamp) {
    out.extend_from_slice(&at.timestamp().to_be_bytes());
    out.extend_from_slice(&at.offset().local_minus_utc().to_be_bytes());
}

/// One appointment as a record (without the length prefix).
fn encode_record(a: &Appointment) -> Vec<u8> {
    let mut out = Vec::with_capacity(160 + a.notes.as_str().len());
    push_u8_str(&mut out, a.id.as_str());
    push_u8_str(&mut out, &a.communication_id);
    push_u8_str(&mut out, &a.topic_code);
    push_u8_str(&mut out, &a.consultation_point);
    push_u8_str(&mut out, &a.office_code);
    push_u8_str(&mut out, a.channel.as_str());
    push_time(&mut out, &a.start);
    push_time(&mut out, &a.end);
    push_time(&mut out, &a.created_at);
    push_time(&mut out, &a.updated_at);
    match &a.hold_expires_at {
        Some(at) => {
            out.push(1);
            push_time(&mut out, at);
        }
        None => out.push(0),
    }
    push_u8_str(&mut out, a.phone.e164());
    let notes = a.notes.as_str();
    // `Notes` holds at most 1000 characters (4000 bytes), well under u16.
    let len = u16::try_from(notes.len()).unwrap_or(u16::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&notes.as_bytes()[..usize::from(len)]);
    out
}

/// A chunk being changed: header fields and records by id.
struct Chunk {
    fiscal_code: String,
    status: AppointmentStatus,
    records: BTreeMap<String, Vec<u8>>,
}

impl Chunk {
    fn new(fiscal_code: &FiscalCode, status: AppointmentStatus) -> Self {
        Self {
            fiscal_code: fiscal_code.as_str().to_owned(),
            status,
            records: BTreeMap::new(),
        }
    }

    fn insert(&mut self, a: &Appointment) {
        self.records
            .insert(a.id.as_str().to_owned(), encode_record(a));
    }

    fn encode(&self) -> Vec<u8> {
        let size: usize = self.records.values().map(|r| 4 + r.len()).sum();
        let mut out = Vec::with_capacity(4 + self.fiscal_code.len() + 24 + size);
        out.extend_from_slice(MAGIC);
        push_u8_str(&mut out, &self.fiscal_code);
        push_u8_str(&mut out, self.status.as_str());
        for record in self.records.values() {
            // A record is a few hundred bytes (bounded fields above).
            let len = u32::try_from(record.len()).unwrap_or(u32::MAX);
            out.extend_from_slice(&len.to_be_bytes());
            out.extend_from_slice(record);
        }
        out
    }

    fn decode(plain: &[u8]) -> Result<Self, StoreError> {
        let view = ChunkView::parse(plain)?;
        let mut records = BTreeMap::new();
        for record in view.records() {
            let record = record?;
            let id = Reader(record).u8_str()?;
            records.insert(id.to_owned(), record.to_vec());
        }
        Ok(Self {
            fiscal_code: view.fiscal_code.to_owned(),
            status: view.status,
            records,
        })
    }
}

// ---------------------------------------------------------------- decoding

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], StoreError> {
        if self.0.len() < n {
            return Err(damaged());
        }
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], StoreError> {
        self.take(N)?.try_into().map_err(|_| damaged())
    }

    fn text(&mut self, n: usize) -> Result<&'a str, StoreError> {
        std::str::from_utf8(self.take(n)?).map_err(|_| damaged())
    }

    fn u8_str(&mut self) -> Result<&'a str, StoreError> {
        let n = usize::from(self.take(1)?[0]);
        self.text(n)
    }

    fn u16_str(&mut self) -> Result<&'a str, StoreError> {
        let n = usize::from(u16::from_be_bytes(self.array()?));
        self.text(n)
    }

    fn time_parts(&mut self) -> Result<(i64, i32), StoreError> {
        Ok((
            i64::from_be_bytes(self.array()?),
            i32::from_be_bytes(self.array()?),
        ))
    }

    fn time(&mut self) -> Result<Timestamp, StoreError> {
        let (seconds, offset) = self.time_parts()?;
        let offset = FixedOffset::east_opt(offset).ok_or_else(damaged)?;
        let utc = DateTime::from_timestamp(seconds, 0).ok_or_else(damaged)?;
        Ok(utc.with_timezone(&offset))
    }
}

/// An opened chunk, borrowed.
struct ChunkView<'a> {
    fiscal_code: &'a str,
    status: AppointmentStatus,
    body: &'a [u8],
}

impl<'a> ChunkView<'a> {
    fn parse(plain: &'a [u8]) -> Result<Self, StoreError> {
        let mut reader = Reader(plain.strip_prefix(MAGIC).ok_or_else(damaged)?);
        let fiscal_code = reader.u8_str()?;
        let status = reader.u8_str()?.parse().map_err(|_| damaged())?;
        Ok(Self {
            fiscal_code,
            status,
            body: reader.0,
        })
    }

    /// The records, each without its length prefix.
    fn records(&self) -> impl Iterator<Item = Result<&'a [u8], StoreError>> + 'a {
        let mut reader = Reader(self.body);
        std::iter::from_fn(move || {
            if reader.0.is_empty() {
                return None;
            }
            let record = reader
                .array::<4>()
                .map(u32::from_be_bytes)
                .and_then(|len| reader.take(len as usize));
            if record.is_err() {
                reader.0 = &[];
            }
            Some(record)
        })
    }
}

/// Start of a record in Unix seconds, read without decoding the rest.
fn record_start(record: &[u8]) -> Result<i64, StoreError> {
    let mut reader = Reader(record);
    for _ in 0..6 {
        reader.u8_str()?;
    }
    Ok(reader.time_parts()?.0)
}

fn decode_record(
    record: &[u8],
    fiscal_code: &FiscalCode,
    status: AppointmentStatus,
) -> Result<Appointment, StoreError> {
    let mut r = Reader(record);
    let id = AppointmentId::parse(r.u8_str()?).map_err(|_| damaged())?;
    let communication_id = r.u8_str()?.to_owned();
    let topic_code = r.u8_str()?.to_owned();
    let consultation_point = r.u8_str()?.to_owned();
    let office_code = r.u8_str()?.to_owned();
    let channel = r.u8_str()?.parse().map_err(|_| damaged())?;
    let start = r.time()?;
    let end = r.time()?;
    let created_at = r.time()?;
    let updated_at = r.time()?;
    let hold_expires_at = match r.take(1)?[0] {
        0 => None,
        1 => Some(r.time()?),
        _ => return Err(damaged()),
    };
    let phone = PhoneNumber::parse(r.u8_str()?).map_err(|_| damaged())?;
    let notes = Notes::parse(r.u16_str()?).map_err(|_| damaged())?;
    if !r.0.is_empty() {
        return Err(damaged());
    }
    Ok(Appointment {
        id,
        communication_id,
        fiscal_code: fiscal_code.clone(),
        topic_code,
        consultation_point,
        channel,
        office_code,
        start,
        end,
        phone,
        notes,
        status,
        hold_expires_at,
        created_at,
        updated_at,
        // Not kept in the history's chunks: the details read it live.
        provenance: Default::default(),
    })
}

// ---------------------------------------------------------------- storage

fn load_chunk(
    conn: &Connection,
    cipher: &Cipher,
    hash: &[u8],
    key: ChunkKey,
) -> Result<Option<Vec<u8>>, StoreError> {
    let sealed: Option<Vec<u8>> = conn
        .prepare_cached(
            "SELECT sealed FROM appointment_chunks WHERE fc_hash = ?1 AND status = ?2 AND year = ?3",
        )?
        .query_row(params![hash, key.status.as_str(), key.year], |row| {
            row.get(0)
        })
        .optional()?;
    sealed
        .map(|sealed| cipher.open(&key.aad(hash), &sealed).map_err(|_| damaged()))
        .transpose()
}

fn store_chunk(
    conn: &Connection,
    cipher: &Cipher,
    hash: &[u8],
    key: ChunkKey,
    chunk: &Chunk,
) -> Result<(), StoreError> {
    if chunk.records.is_empty() {
        conn.prepare_cached(
            "DELETE FROM appointment_chunks WHERE fc_hash = ?1 AND status = ?2 AND year = ?3",
        )?
        .execute(params![hash, key.status.as_str(), key.year])?;
        return Ok(());
    }
    let sealed = cipher.seal(&key.aad(hash), &chunk.encode());
    conn.prepare_cached(
        "INSERT INTO appointment_chunks (fc_hash, status, year, sealed) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (fc_hash, status, year) DO UPDATE SET sealed = excluded.sealed",
    )?
    .execute(params![hash, key.status.as_str(), key.year, sealed])?;
    Ok(())
}

fn index(conn: &Connection, hash: &[u8], a: &Appointment, key: ChunkKey) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO appointments (id, fc_hash, status, chunk_year) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (id) DO UPDATE SET fc_hash = excluded.fc_hash, status = excluded.status,
             chunk_year = excluded.chunk_year",
    )?
    .execute(params![a.id.as_str(), hash, key.status.as_str(), key.year])?;
    Ok(())
}

/// Replaces the whole history of one contributor (call inside a transaction).
pub(super) fn replace_all(
    conn: &Connection,
    cipher: &Cipher,
    hash: &[u8],
    fiscal_code: &FiscalCode,
    appointments: &[Appointment],
) -> Result<(), StoreError> {
    conn.prepare_cached("DELETE FROM appointments WHERE fc_hash = ?1")?
        .execute([hash])?;
    conn.prepare_cached("DELETE FROM appointment_chunks WHERE fc_hash = ?1")?
        .execute([hash])?;
    let mut chunks: BTreeMap<ChunkKey, Chunk> = BTreeMap::new();
    for a in appointments {
        let key = ChunkKey::of(a);
        index(conn, hash, a, key)?;
        chunks
            .entry(key)
            .or_insert_with(|| Chunk::new(fiscal_code, a.status))
            .insert(a);
    }
    for (key, chunk) in &chunks {
        store_chunk(conn, cipher, hash, *key, chunk)?;
    }
    Ok(())
}

/// Adds or replaces one appointment (call inside a transaction).
pub(super) fn upsert(
    conn: &Connection,
    cipher: &Cipher,
    hash: &[u8],
    a: &Appointment,
) -> Result<(), StoreError> {
    merge(conn, cipher, hash, std::slice::from_ref(a))
}

/// The chunks a merge reads and writes, each opened once: `None` when it does not exist.
type Touched = BTreeMap<(Vec<u8>, ChunkKey), Option<Chunk>>;

/// Adds or replaces many appointments (call inside a transaction). Each chunk touched is
/// read and written once, however many of its appointments changed: merging the changes of
/// a whole history costs what replacing it does.
pub(super) fn merge(
    conn: &Connection,
    cipher: &Cipher,
    hash: &[u8],
    changed: &[Appointment],
) -> Result<(), StoreError> {
    let mut touched = Touched::new();
    for a in changed {
        let new_key = ChunkKey::of(a);
        if let Some((old_hash, old_key)) = locate(conn, a.id.as_str())? {
            if old_hash.as_slice() != hash || old_key != new_key {
                if let Some(chunk) = opened(&mut touched, conn, cipher, &old_hash, old_key)? {
                    chunk.records.remove(a.id.as_str());
                }
            }
        }
        opened(&mut touched, conn, cipher, hash, new_key)?
            .get_or_insert_with(|| Chunk::new(&a.fiscal_code, a.status))
            .insert(a);
        index(conn, hash, a, new_key)?;
    }
    for ((chunk_hash, key), chunk) in &touched {
        if let Some(chunk) = chunk {
            store_chunk(conn, cipher, chunk_hash, *key, chunk)?;
        }
    }
    Ok(())
}

/// Removes every appointment that started before `before` (Unix seconds), of everyone
/// (call inside a transaction): the retention purge. Only chunks of years that can hold
/// one are opened; a chunk left empty is deleted. Returns the ids removed.
pub(super) fn purge_before(
    conn: &Connection,
    cipher: &Cipher,
    before: i64,
) -> Result<Vec<String>, StoreError> {
    let last_year = Utc
        .timestamp_opt(before, 0)
        .single()
        .map(|t| t.with_timezone(&ROME).year())
        .unwrap_or(i32::MAX);
    let chunks: Vec<(Vec<u8>, String, i32)> = conn
        .prepare_cached("SELECT fc_hash, status, year FROM appointment_chunks WHERE year <= ?1")?
        .query_map([last_year], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?))
        })?
        .collect::<Result<_, _>>()?;
    let mut removed = Vec::new();
    for (hash, status, year) in chunks {
        let key = ChunkKey {
            status: status.parse().map_err(|_| damaged())?,
            year,
        };
        let Some(plain) = load_chunk(conn, cipher, &hash, key)? else {
            continue;
        };
        let mut chunk = Chunk::decode(&plain)?;
        let mut old = Vec::new();
        for (id, record) in &chunk.records {
            if record_start(record)? < before {
                old.push(id.clone());
            }
        }
        if old.is_empty() {
            continue;
        }
        for id in &old {
            chunk.records.remove(id);
            conn.prepare_cached("DELETE FROM appointments WHERE id = ?1")?
                .execute([id])?;
        }
        store_chunk(conn, cipher, &hash, key, &chunk)?;
        removed.extend(old);
    }
    Ok(removed)
}

/// Removes the whole history of one contributor (call inside a transaction).
pub(super) fn erase(conn: &Connection, hash: &[u8]) -> Result<(), StoreError> {
    conn.prepare_cached("DELETE FROM appointments WHERE fc_hash = ?1")?
        .execute([hash])?;
    conn.prepare_cached("DELETE FROM appointment_chunks WHERE fc_hash = ?1")?
        .execute([hash])?;
    Ok(())
}

/// The chunk `(hash, key)` of a merge, read from the store the first time it is asked for.
fn opened<'t>(
    touched: &'t mut Touched,
    conn: &Connection,
    cipher: &Cipher,
    hash: &[u8],
    key: ChunkKey,
) -> Result<&'t mut Option<Chunk>, StoreError> {
    let slot = (hash.to_vec(), key);
    if !touched.contains_key(&slot) {
        let chunk = load_chunk(conn, cipher, hash, key)?
            .map(|plain| Chunk::decode(&plain))
            .transpose()?;
        touched.insert(slot.clone(), chunk);
    }
    touched.get_mut(&slot).ok_or_else(damaged)
}

fn locate(conn: &Connection, id: &str) -> Result<Option<(Vec<u8>, ChunkKey)>, StoreError> {
    let found: Option<(Vec<u8>, String, i32)> = conn
        .prepare_cached("SELECT fc_hash, status, chunk_year FROM appointments WHERE id = ?1")?
        .query_row([id], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .optional()?;
    found
        .map(|(hash, status, year)| {
            let status = status.parse().map_err(|_| damaged())?;
            Ok((hash, ChunkKey { status, year }))
        })
        .transpose()
}

/// The history of one contributor, newest first, filtered.
pub(super) fn query(
    conn: &Connection,
    cipher: &Cipher,
    hash: &[u8],
    fiscal_code: &FiscalCode,
    filter: &AppointmentFilter,
) -> Result<Vec<Appointment>, StoreError> {
    let from = filter.from.map(rome_midnight).unwrap_or(i64::MIN);
    let to = filter
        .to
        .and_then(|d| d.succ_opt())
        .map(rome_midnight)
        .unwrap_or(i64::MAX);
    let years = (
        filter.from.map_or(i32::MIN, |d| d.year()),
        filter.to.map_or(i32::MAX, |d| d.year()),
    );
    let status = filter.status.map(|s| s.as_str());
    let mut stmt = conn.prepare_cached(
        "SELECT status, year, sealed FROM appointment_chunks
         WHERE fc_hash = ?1 AND (?2 IS NULL OR status = ?2) AND year BETWEEN ?3 AND ?4",
    )?;
    let mut rows = stmt.query(params![hash, status, years.0, years.1])?;
    let mut chunks = Vec::new();
    while let Some(row) = rows.next()? {
        let key = ChunkKey {
            status: row
                .get_ref(0)?
                .as_str()
                .map_err(|_| damaged())?
                .parse()
                .map_err(|_| damaged())?,
            year: row.get(1)?,
        };
        let sealed: Vec<u8> = row.get(2)?;
        chunks.push((key, sealed));
    }
    let decode = |group: &[SealedChunk]| -> Result<Vec<Appointment>, StoreError> {
        let mut out = Vec::new();
        for (key, sealed) in group {
            let plain = cipher.open(&key.aad(hash), sealed).map_err(|_| damaged())?;
            let view = ChunkView::parse(&plain)?;
            if view.fiscal_code != fiscal_code.as_str() || view.status != key.status {
                return Err(damaged());
            }
            for record in view.records() {
                let record = record?;
                let start = record_start(record)?;
                if start >= from && start < to {
                    out.push(decode_record(record, fiscal_code, key.status)?);
                }
            }
        }
        Ok(out)
    };
    let mut out = decode_in_parallel(&mut chunks, decode)?;
    out.sort_unstable_by(|a, b| {
        b.start
            .cmp(&a.start)
            .then_with(|| b.id.as_str().cmp(a.id.as_str()))
    });
    Ok(out)
}

/// A chunk as read from the database: its key and sealed bytes.
type SealedChunk = (ChunkKey, Vec<u8>);

/// Sealed bytes from which decoding is spread over threads: below it, one thread is faster.
const PARALLEL_FROM_BYTES: usize = 256 * 1024;

/// Decodes the chunks, on several threads when they are many: opening and validating a
/// long history is CPU work that splits cleanly by chunk. The groups are balanced by size.
fn decode_in_parallel<F>(
    chunks: &mut [SealedChunk],
    decode: F,
) -> Result<Vec<Appointment>, StoreError>
where
    F: Fn(&[SealedChunk]) -> Result<Vec<Appointment>, StoreError> + Sync,
{
    let total: usize = chunks.iter().map(|(_, sealed)| sealed.len()).sum();
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(4)
        .min(chunks.len());
    if total < PARALLEL_FROM_BYTES || threads < 2 {
        return decode(chunks);
    }
    // Largest first, each to the lightest group.
    chunks.sort_unstable_by_key(|(_, sealed)| std::cmp::Reverse(sealed.len()));
    let mut groups: Vec<(usize, Vec<SealedChunk>)> = vec![(0, Vec::new()); threads];
    for chunk in chunks.iter_mut() {
        let lightest = groups
            .iter_mut()
            .min_by_key(|(size, _)| *size)
            .expect("at least two groups");
        lightest.0 += chunk.1.len();
        lightest.1.push((chunk.0, std::mem::take(&mut chunk.1)));
    }
    let decode = &decode;
    let results: Vec<Result<Vec<Appointment>, StoreError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = groups
            .iter()
            .map(|(_, group)| scope.spawn(move || decode(group)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err(damaged())))
            .collect()
    });
    let mut out = Vec::new();
    for result in results {
        out.extend(result?);
    }
    Ok(out)
}

/// One appointment by id.
pub(super) fn by_id(
    conn: &Connection,
    cipher: &Cipher,
    id: &AppointmentId,
) -> Result<Option<Appointment>, StoreError> {
    let Some((hash, key)) = locate(conn, id.as_str())? else {
        return Ok(None);
    };
    let plain = load_chunk(conn, cipher, &hash, key)?.ok_or_else(damaged)?;
    let view = ChunkView::parse(&plain)?;
    let fiscal_code = FiscalCode::parse(view.fiscal_code).map_err(|_| damaged())?;
    for record in view.records() {
        let record = record?;
        if Reader(record).u8_str()? == id.as_str() {
            return decode_record(record, &fiscal_code, view.status).map(Some);
        }
    }
    Err(damaged())
}

/// Unix time of 00:00 Europe/Rome on `day` (the earliest instant, should a DST change
/// ever fall at midnight).
pub(super) fn rome_midnight(day: NaiveDate) -> i64 {
    let local = day.and_hms_opt(0, 0, 0).expect("midnight exists");
    ROME.from_local_datetime(&local)
        .earliest()
        .map(|t| t.timestamp())
        .unwrap_or_else(|| Utc.from_utc_datetime(&local).timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;
    use agenda_core::Channel;

    fn sample(n: u8, hold: bool) -> Appointment {
        let start = DateTime::parse_from_rfc3339("2026-03-29T03:30:00+02:00").unwrap();
        Appointment {
            id: AppointmentId::from_random([n; 8]),
            communication_id: "CM-1".to_owned(),
            fiscal_code: FiscalCode::parse("RSSMRA85T10A562S").unwrap(),
            topic_code: "durc".to_owned(),
            consultation_point: "RM-DP-1".to_owned(),
            channel: Channel::Videochiamata,
            office_code: "RM-DP".to_owned(),
            start,
            end: DateTime::parse_from_rfc3339("2026-03-29T04:00:00+02:00").unwrap(),
            phone: PhoneNumber::parse("06 1234 5678").unwrap(),
            notes: Notes::parse(&"è".repeat(1000)).unwrap(),
            status: AppointmentStatus::Prenotato,
            hold_expires_at: hold
                .then(|| DateTime::parse_from_rfc3339("2026-03-28T10:00:00+01:00").unwrap()),
            created_at: DateTime::parse_from_rfc3339("2026-03-28T09:50:00+01:00").unwrap(),
            updated_at: DateTime::parse_from_rfc3339("2026-03-28T09:50:00+01:00").unwrap(),
            provenance: Default::default(),
        }
    }

    #[test]
    fn records_round_trip_with_their_offsets() {
        for hold in [false, true] {
            let a = sample(3, hold);
            let record = encode_record(&a);
            let back = decode_record(&record, &a.fiscal_code, a.status).unwrap();
            assert_eq!(back, a);
            assert_eq!(back.start.offset().local_minus_utc(), 7200);
            assert_eq!(record_start(&record).unwrap(), a.start.timestamp());
        }
    }

    #[test]
    fn chunks_round_trip_and_reject_damage() {
        let a = sample(1, false);
        let mut chunk = Chunk::new(&a.fiscal_code, a.status);
        chunk.insert(&a);
        chunk.insert(&sample(2, true));
        let bytes = chunk.encode();
        let back = Chunk::decode(&bytes).unwrap();
        assert_eq!(back.fiscal_code, chunk.fiscal_code);
        assert_eq!(back.records, chunk.records);
        for cut in [0, 1, 2, 5, 30, bytes.len() - 1] {
            assert!(Chunk::decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
    }

    #[test]
    fn the_chunk_year_is_the_rome_year_of_the_start() {
        let mut a = sample(1, false);
        a.start = DateTime::parse_from_rfc3339("2026-12-31T23:30:00+00:00").unwrap();
        assert_eq!(ChunkKey::of(&a).year, 2027);
    }
}
