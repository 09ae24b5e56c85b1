//! `GET /slots`: the bookable slots of a consultation point, with their availability.

use std::collections::HashSet;

use agenda_core::time::rome_date;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Days, NaiveDate, Utc};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::catalog::ConsultationPoint;
use crate::common::query_date;
use crate::error::ApiError;
use crate::extract::{Operator, Params};
use crate::slot_cache::{CachedSlot, SlotCache};
use crate::state::AppState;

/// Days shown when `to` is not given: the next 14 days.
const DEFAULT_DAYS: u64 = 14;
/// How far around a taken slot alternatives are looked for.
const ALTERNATIVES_WINDOW_DAYS: u64 = 7;
/// How many alternatives a `slot_taken` problem offers.
const MAX_ALTERNATIVES: usize = 5;

/// Query of `GET /slots`.
#[derive(Debug, Deserialize)]
pub struct SlotQuery {
    office: Option<String>,
    consultation_point: Option<String>,
    topic: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

/// A slot on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SlotDto {
    /// Start, RFC 3339 Europe/Rome: the `slot_start` of a booking.
    pub start: String,
    /// End, RFC 3339 Europe/Rome.
    pub end: String,
    /// Whether nobody holds it.
    pub available: bool,
}

impl SlotDto {
    fn from_cached(slot: CachedSlot, taken: &HashSet<i64>) -> Self {
        Self {
            available: !taken.contains(&slot.start_at),
            start: slot.start,
            end: slot.end,
        }
    }
}

/// `GET /slots?office=&consultation_point=&topic=&from=&to=`.
pub async fn slots(
    State(state): State<AppState>,
    _operator: Operator,
    Params(query): Params<SlotQuery>,
) -> Result<Response, ApiError> {
    let office = required(query.office.as_deref(), "office")?;
    let point_code = required(query.consultation_point.as_deref(), "consultation_point")?;
    let catalog = state.catalog();
    catalog.office(office).ok_or_else(office_not_found)?;
    let point = catalog
        .point(point_code)
        .filter(|p| p.office_code == office)
        .ok_or_else(point_not_found)?;
    if let Some(topic) = query
        .topic
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        catalog.topic(topic).ok_or_else(topic_not_found)?;
        if !point.serves(topic) {
            return Err(ApiError::bad_request(
                "topic_not_served",
                "Il punto di consulenza non tratta questo argomento.",
            ));
        }
    }
    let now = state.now();
    let today = rome_date(now);
    let from = query_date("from", query.from.as_deref())?.unwrap_or(today);
    let to = query_date("to", query.to.as_deref())?.unwrap_or_else(|| {
        from.checked_add_days(Days::new(DEFAULT_DAYS - 1))
            .unwrap_or(NaiveDate::MAX)
    });
    if from > to {
        return Err(ApiError::bad_request(
            "invalid_parameter",
            "La data from non può seguire la data to.",
        ));
    }
    let cache = state.slot_cache();
    let (mut first, mut last, mut count) = (None, 0, 0usize);
    cache.for_each(point, from, to, now, |s| {
        first.get_or_insert(s.start_at);
        last = s.start_at;
        count += 1;
    });
    let Some(first) = first else {
        return Ok(json_array(Vec::from(&b"[]"[..])));
    };
    let (office, point_code) = (office.to_owned(), point_code.to_owned());
    let taken = state
        .db()
        .read_short(move |conn| taken_starts(conn, &office, &point_code, first, last, now))
        .await?;
    // The slot objects are pre-rendered up to their availability.
    let mut body = Vec::with_capacity(count * 100 + 2);
    body.push(b'[');
    cache.for_each(point, from, to, now, |s| {
        if body.len() > 1 {
            body.push(b',');
        }
        body.extend_from_slice(s.json_prefix.as_bytes());
        body.extend_from_slice(if taken.contains(&s.start_at) {
            b"false}"
        } else {
            b"true}"
        });
    });
    body.push(b']');
    Ok(json_array(body))
}

fn json_array(body: Vec<u8>) -> Response {
    ([(CONTENT_TYPE, "application/json")], body).into_response()
}

fn required<'a>(value: Option<&'a str>, name: &str) -> Result<&'a str, ApiError> {
    value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            ApiError::bad_request(
                "missing_parameter",
                format!("Parametro obbligatorio mancante: {name}."),
            )
        })
}

/// 404 `office_not_found`.
pub fn office_not_found() -> ApiError {
    ApiError::not_found("office_not_found", "Struttura territoriale non trovata.")
}

/// 404 `consultation_point_not_found`.
pub fn point_not_found() -> ApiError {
    ApiError::not_found(
        "consultation_point_not_found",
        "Punto di consulenza non trovato presso questa struttura.",
    )
}

/// 404 `topic_not_found`.
pub fn topic_not_found() -> ApiError {
    ApiError::not_found("topic_not_found", "Argomento non trovato.")
}

/// Starts (Unix seconds) of the live appointments of a point between two starts, inclusive.
pub(crate) fn taken_starts(
    conn: &Connection,
    office: &str,
    point: &str,
    first: i64,
    last: i64,
    now: DateTime<Utc>,
) -> Result<HashSet<i64>, ApiError> {
    let mut stmt = conn.prepare_cached(
        "SELECT start_at FROM appointments
         WHERE office_code = ?1 AND consultation_point = ?2 AND start_at BETWEEN ?3 AND ?4
           AND status IN ('prenotato', 'confermato')
           AND (status = 'confermato' OR hold_expires_at > ?5)",
    )?;
    let taken = stmt
        .query_map(
            rusqlite::params![office, point, first, last, now.timestamp()],
            |row| row.get(0),
        )?
        .collect::<rusqlite::Result<HashSet<i64>>>()?;
    Ok(taken)
}

/// Up to five free slots of the point nearest to `start` (within a week either side).
pub(crate) fn alternatives(
    conn: &Connection,
    cache: &SlotCache,
    point: &ConsultationPoint,
    start: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Vec<SlotDto>, ApiError> {
    let day = rome_date(start);
    let from = day
        .checked_sub_days(Days::new(ALTERNATIVES_WINDOW_DAYS))
        .unwrap_or(NaiveDate::MIN);
    let to = day
        .checked_add_days(Days::new(ALTERNATIVES_WINDOW_DAYS))
        .unwrap_or(NaiveDate::MAX);
    let slots = cache.slots(point, from, to, now);
    let (Some(first), Some(last)) = (slots.first(), slots.last()) else {
        return Ok(Vec::new());
    };
    let taken = taken_starts(
        conn,
        &point.office_code,
        &point.code,
        first.start_at,
        last.start_at,
        now,
    )?;
    let target = start.timestamp();
    let mut free: Vec<CachedSlot> = slots
        .into_iter()
        .filter(|s| !taken.contains(&s.start_at))
        .collect();
    free.sort_by_key(|s| ((s.start_at - target).abs(), s.start_at));
    free.truncate(MAX_ALTERNATIVES);
    free.sort_by_key(|s| s.start_at);
    Ok(free
        .into_iter()
        .map(|s| SlotDto::from_cached(s, &taken))
        .collect())
}
