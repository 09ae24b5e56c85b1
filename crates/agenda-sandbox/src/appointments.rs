//! Appointments: the wire object, `GET /appointments/{id}`, the history of a contributor,
//! and the lifecycle endpoints (confirm, cancel hold, cancel appointment).

use agenda_core::appointment::{apply, effective_status};
use agenda_core::{AppointmentId, AppointmentStatus, Transition, TransitionError};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};

use agenda_core::time::{format_date, rome_date, ROME};

use crate::catalog::Catalog;
use crate::common::{
    check_delegation, delegated, instant, path_fiscal_code, query_date, query_instant, wire_time,
    ContributorRef, Page, PageRequest,
};
use crate::error::ApiError;
use crate::extract::{Operator, OptionalJsonBody, Params, PathParam};
use crate::state::AppState;

/// Longest accepted cancellation reason, in characters.
pub const MAX_REASON_CHARS: usize = 500;

/// Columns read by [`AppointmentRow::from_row`].
pub(crate) const SELECT_APPOINTMENT: &str = "SELECT a.id, a.communication_id, a.fiscal_code,
    a.topic_code, a.consultation_point, a.channel, a.office_code, a.start_at, a.end_at, a.phone,
    a.notes, a.status, a.hold_expires_at, a.cancel_reason, a.created_at, a.updated_at, c.subject,
    a.operator_id, o.display_name, p.display_name, a.rescheduled_from, a.rescheduled_to
    FROM appointments a JOIN communications c ON c.id = a.communication_id
    JOIN operators o ON o.id = a.operator_id
    JOIN contributors p ON p.fiscal_code = a.fiscal_code";

/// An appointment as stored.
#[derive(Debug, Clone)]
pub(crate) struct AppointmentRow {
    pub id: String,
    pub communication_id: String,
    pub fiscal_code: String,
    pub topic_code: String,
    pub consultation_point: String,
    pub channel: String,
    pub office_code: String,
    pub start_at: i64,
    pub end_at: i64,
    pub phone: String,
    pub notes: String,
    pub status: AppointmentStatus,
    pub hold_expires_at: Option<i64>,
    pub cancel_reason: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub communication_subject: String,
    pub booked_by_id: String,
    pub booked_by_name: String,
    pub contributor_name: String,
    pub rescheduled_from: Option<String>,
    pub rescheduled_to: Option<String>,
}

impl AppointmentRow {
    /// Reads the columns of [`SELECT_APPOINTMENT`].
    pub(crate) fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        let status: String = row.get(11)?;
        Ok(Self {
            id: row.get(0)?,
            communication_id: row.get(1)?,
            fiscal_code: row.get(2)?,
            topic_code: row.get(3)?,
            consultation_point: row.get(4)?,
            channel: row.get(5)?,
            office_code: row.get(6)?,
            start_at: row.get(7)?,
            end_at: row.get(8)?,
            phone: row.get(9)?,
            notes: row.get(10)?,
            status: status.parse().map_err(|_| {
                rusqlite::Error::FromSqlConversionFailure(
                    11,
                    rusqlite::types::Type::Text,
                    "unknown appointment status".into(),
                )
            })?,
            hold_expires_at: row.get(12)?,
            cancel_reason: row.get(13)?,
            created_at: row.get(14)?,
            updated_at: row.get(15)?,
            communication_subject: row.get(16)?,
            booked_by_id: row.get(17)?,
            booked_by_name: row.get(18)?,
            contributor_name: row.get(19)?,
            rescheduled_from: row.get(20)?,
            rescheduled_to: row.get(21)?,
        })
    }

    /// Loads one appointment.
    pub(crate) fn load(conn: &Connection, id: &str) -> Result<Option<Self>, ApiError> {
        let sql = format!("{SELECT_APPOINTMENT} WHERE a.id = ?1");
        Ok(conn
            .prepare_cached(&sql)?
            .query_row([id], Self::from_row)
            .optional()?)
    }

    /// The status at `now` (expired holds are `scaduto`, past appointments `svolto`) and
    /// when it last changed.
    pub(crate) fn effective(&self, now: DateTime<Utc>) -> (AppointmentStatus, i64) {
        let status = effective_status(
            self.status,
            self.hold_expires_at.map(instant),
            instant(self.start_at),
            now,
        );
        let updated_at = match (self.status, status) {
            (AppointmentStatus::Prenotato, AppointmentStatus::Scaduto) => {
                self.hold_expires_at.unwrap_or(self.updated_at)
            }
            (AppointmentStatus::Confermato, AppointmentStatus::Svolto) => self.start_at,
            _ => self.updated_at,
        };
        (status, updated_at)
    }

    /// The wire object at `now`.
    pub(crate) fn to_dto(&self, catalog: &Catalog, now: DateTime<Utc>) -> AppointmentDto {
        let (status, updated_at) = self.effective(now);
        AppointmentDto {
            id: self.id.clone(),
            communication_id: self.communication_id.clone(),
            fiscal_code: self.fiscal_code.clone(),
            topic_code: self.topic_code.clone(),
            consultation_point: self.consultation_point.clone(),
            channel: self.channel.clone(),
            office_code: self.office_code.clone(),
            start: wire_time(self.start_at),
            end: wire_time(self.end_at),
            phone: self.phone.clone(),
            notes: self.notes.clone(),
            status,
            hold_expires_at: match status {
                AppointmentStatus::Prenotato => self.hold_expires_at.map(wire_time),
                _ => None,
            },
            created_at: wire_time(self.created_at),
            updated_at: wire_time(updated_at),
            topic_label: catalog
                .topic(&self.topic_code)
                .map(|t| t.label.clone())
                .unwrap_or_default(),
            consultation_point_label: catalog
                .point(&self.consultation_point)
                .map(|p| p.label.clone())
                .unwrap_or_default(),
            office_name: catalog
                .office(&self.office_code)
                .map(|o| o.name.clone())
                .unwrap_or_default(),
            communication_subject: self.communication_subject.clone(),
            cancel_reason: self.cancel_reason.clone(),
            booked_by: BookedBy {
                operator_id: self.booked_by_id.clone(),
                display_name: self.booked_by_name.clone(),
            },
            rescheduled_from: self.rescheduled_from.clone(),
            rescheduled_to: self.rescheduled_to.clone(),
            contributor: ContributorRef {
                fiscal_code: self.fiscal_code.clone(),
                display_name: self.contributor_name.clone(),
            },
        }
    }
}

/// The appointment object of the contract, plus labels for display.
#[derive(Debug, Clone, Serialize)]
pub struct AppointmentDto {
    id: String,
    communication_id: String,
    fiscal_code: String,
    topic_code: String,
    consultation_point: String,
    channel: String,
    office_code: String,
    start: String,
    end: String,
    phone: String,
    notes: String,
    status: AppointmentStatus,
    hold_expires_at: Option<String>,
    created_at: String,
    updated_at: String,
    topic_label: String,
    consultation_point_label: String,
    office_name: String,
    communication_subject: String,
    cancel_reason: Option<String>,
    booked_by: BookedBy,
    rescheduled_from: Option<String>,
    rescheduled_to: Option<String>,
    contributor: ContributorRef,
}

/// The operator who booked an appointment (contract 1.1).
#[derive(Debug, Clone, Serialize)]
pub struct BookedBy {
    operator_id: String,
    display_name: String,
}

/// 404 `appointment_not_found`.
pub fn appointment_not_found() -> ApiError {
    ApiError::not_found("appointment_not_found", "Appuntamento non trovato.")
}

/// Canonical id from the path; a text that cannot be an id is simply not found.
pub(crate) fn path_id(raw: &str) -> Result<String, ApiError> {
    AppointmentId::parse(raw)
        .map(|id| id.as_str().to_owned())
        .map_err(|_| appointment_not_found())
}

/// `GET /appointments/{id}`.
pub async fn get(
    State(state): State<AppState>,
    operator: Operator,
    PathParam(raw_id): PathParam,
) -> Result<Json<AppointmentDto>, ApiError> {
    let id = path_id(&raw_id)?;
    let now = state.now();
    let row = state
        .db()
        .read(move |conn| {
            let row = AppointmentRow::load(conn, &id)?.ok_or_else(appointment_not_found)?;
            check_delegation(conn, &operator.id, &row.fiscal_code, now)?;
            Ok(row)
        })
        .await?;
    Ok(Json(row.to_dto(state.catalog(), now)))
}

/// `POST /bookings/{id}/confirm` ("Conferma Appuntamento").
pub async fn confirm(
    State(state): State<AppState>,
    operator: Operator,
    PathParam(raw_id): PathParam,
) -> Result<Json<AppointmentDto>, ApiError> {
    transition(state, operator, &raw_id, Transition::Confirm, None).await
}

/// `DELETE /bookings/{id}` ("Cancella Prenotazione").
pub async fn cancel_hold(
    State(state): State<AppState>,
    operator: Operator,
    PathParam(raw_id): PathParam,
) -> Result<Json<AppointmentDto>, ApiError> {
    transition(state, operator, &raw_id, Transition::CancelHold, None).await
}

/// Body of `POST /appointments/{id}/cancel`.
#[derive(Debug, Default, Deserialize)]
pub struct CancelRequest {
    reason: Option<String>,
}

/// `POST /appointments/{id}/cancel`: a confirmed future appointment becomes `annullato`.
pub async fn cancel(
    State(state): State<AppState>,
    operator: Operator,
    PathParam(raw_id): PathParam,
    OptionalJsonBody(body): OptionalJsonBody<CancelRequest>,
) -> Result<Json<AppointmentDto>, ApiError> {
    let reason = body
        .unwrap_or_default()
        .reason
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty());
    if let Some(reason) = &reason {
        let chars = reason.chars().count();
        if chars > MAX_REASON_CHARS {
            return Err(ApiError::unprocessable(
                "reason_too_long",
                format!("Il motivo supera i {MAX_REASON_CHARS} caratteri ({chars})."),
            )
            .with("field", "reason"));
        }
        if reason.chars().any(|c| c.is_control() && c != '\n') {
            return Err(ApiError::unprocessable(
                "invalid_reason",
                "Il motivo contiene caratteri di controllo non ammessi.",
            )
            .with("field", "reason"));
        }
    }
    transition(state, operator, &raw_id, Transition::Cancel, reason).await
}

async fn transition(
    state: AppState,
    operator: Operator,
    raw_id: &str,
    transition: Transition,
    reason: Option<String>,
) -> Result<Json<AppointmentDto>, ApiError> {
    let id = path_id(raw_id)?;
    let now = state.now();
    let outcome = state
        .db()
        .write(move |tx| {
            let row = AppointmentRow::load(tx, &id)?.ok_or_else(appointment_not_found)?;
            check_delegation(tx, &operator.id, &row.fiscal_code, now)?;
            let (current, since) = row.effective(now);
            if current != row.status {
                // Write down what time already decided (expiry, completion).
                set_status(tx, &row.id, current, since, None)?;
            }
            let outcome = match apply(
                current,
                transition,
                now,
                instant(row.start_at),
                row.hold_expires_at.map(instant),
            ) {
                Ok(next) => {
                    if next != current {
                        set_status(tx, &row.id, next, now.timestamp(), reason.as_deref())?;
                    }
                    let row =
                        AppointmentRow::load(tx, &row.id)?.ok_or_else(appointment_not_found)?;
                    Ok(row)
                }
                Err(e) => Err(transition_error(e)),
            };
            // Kept even when refused: what time decided above stays written.
            Ok(outcome)
        })
        .await??;
    Ok(Json(outcome.to_dto(state.catalog(), now)))
}

fn set_status(
    conn: &Connection,
    id: &str,
    status: AppointmentStatus,
    at: i64,
    reason: Option<&str>,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE appointments SET status = ?2, updated_at = ?3,
                cancel_reason = COALESCE(?4, cancel_reason)
         WHERE id = ?1",
    )?
    .execute(params![id, status.as_str(), at, reason])?;
    Ok(())
}

pub(crate) fn transition_error(error: TransitionError) -> ApiError {
    let status = match error {
        TransitionError::HoldExpired => StatusCode::GONE,
        TransitionError::InvalidState { .. } => StatusCode::CONFLICT,
    };
    let mut detail = error.to_string();
    if let Some(first) = detail.get(..1) {
        detail = first.to_uppercase() + &detail[1..] + ".";
    }
    ApiError::new(status, error.code(), detail)
}

/// Query of `GET /contributors/{fiscal_code}/appointments`.
#[derive(Debug, Deserialize)]
pub struct HistoryQuery {
    status: Option<String>,
    from: Option<String>,
    to: Option<String>,
    limit: Option<String>,
    cursor: Option<String>,
    updated_since: Option<String>,
}

/// The effective status as SQL, for filtering (`?1` is now).
const EFFECTIVE_STATUS_SQL: &str = "CASE
    WHEN a.status = 'prenotato' AND a.hold_expires_at <= ?1 THEN 'scaduto'
    WHEN a.status = 'confermato' AND a.start_at <= ?1 THEN 'svolto'
    ELSE a.status END";

/// When the effective status last changed, as SQL (`?1` is now), like
/// [`AppointmentRow::effective`]: an expired hold changed when it expired, a past appointment
/// when it started. `updated_since` compares against it, so a hold that expired or an
/// appointment that took place since the caller's last look comes back too.
const EFFECTIVE_UPDATED_SQL: &str = "CASE
    WHEN a.status = 'prenotato' AND a.hold_expires_at <= ?1 THEN a.hold_expires_at
    WHEN a.status = 'confermato' AND a.start_at <= ?1 THEN a.start_at
    ELSE a.updated_at END";

/// `GET /contributors/{fiscal_code}/appointments?status=&from=&to=&limit=&cursor=&updated_since=`:
/// the history, newest start first. `status` takes one status or a comma-separated list;
/// `from`/`to` bound the start date (Europe/Rome, inclusive); `updated_since` (1.1, an
/// RFC 3339 instant) keeps only the appointments whose effective status changed at or after
/// it, so a client that cached the history fetches only what changed.
pub async fn history(
    State(state): State<AppState>,
    operator: Operator,
    PathParam(raw_fiscal_code): PathParam,
    Params(query): Params<HistoryQuery>,
) -> Result<Json<Page<AppointmentDto>>, ApiError> {
    let fiscal_code = path_fiscal_code(&raw_fiscal_code)?;
    let page = PageRequest::parse(query.limit.as_deref(), query.cursor.as_deref())?;
    let statuses = match query.status.as_deref() {
        None => Vec::new(),
        Some(list) => parse_statuses(list)?,
    };
    let from = query_date("from", query.from.as_deref())?;
    let to = query_date("to", query.to.as_deref())?;
    let since = query_instant("updated_since", query.updated_since.as_deref())?.unwrap_or(i64::MIN);
    let (lower, upper) = day_bounds(from, to);
    let (after_start, after_id) = page.after_timestamp()?;
    let now = state.now();
    let limit = page.limit as usize;
    let rows = state
        .db()
        .read(move |conn| {
            check_delegation(conn, &operator.id, fiscal_code.as_str(), now)?;
            let sql = format!(
                "{SELECT_APPOINTMENT}
                 WHERE a.fiscal_code = ?2 AND a.start_at >= ?3 AND a.start_at < ?4
                   AND (a.start_at < ?5 OR (a.start_at = ?5 AND a.id < ?6))
                   AND (?7 = '' OR instr(?7, ',' || {EFFECTIVE_STATUS_SQL} || ',') > 0)
                   AND {EFFECTIVE_UPDATED_SQL} >= ?9
                 ORDER BY a.start_at DESC, a.id DESC
                 LIMIT ?8"
            );
            let filter = status_filter(&statuses);
            let mut stmt = conn.prepare_cached(&sql)?;
            let rows = stmt
                .query_map(
                    params![
                        now.timestamp(),
                        fiscal_code.as_str(),
                        lower,
                        upper,
                        after_start,
                        after_id,
                        filter,
                        (limit + 1) as i64,
                        since,
                    ],
                    AppointmentRow::from_row,
                )?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
        .await?;
    let catalog = state.catalog();
    Ok(Json(Page::from_rows(
        &rows,
        limit,
        |r| (r.start_at.to_string(), r.id.as_str()),
        |r| r.to_dto(catalog, now),
    )))
}

/// Parses `status`: one status or a comma-separated list (an empty one: no filter). 400
/// `invalid_parameter` for anything else.
fn parse_statuses(list: &str) -> Result<Vec<AppointmentStatus>, ApiError> {
    let list = list.trim();
    if list.is_empty() {
        return Ok(Vec::new());
    }
    list.split(',')
        .map(|s| s.trim().parse::<AppointmentStatus>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| {
            ApiError::bad_request(
                "invalid_parameter",
                "status deve essere uno o più stati separati da virgola \
                 (prenotato, confermato, prenotazione_cancellata, scaduto, annullato, svolto).",
            )
        })
}

/// The statuses as the `instr` filter of [`EFFECTIVE_STATUS_SQL`] reads them (`,a,b,`; empty:
/// every status).
fn status_filter(statuses: &[AppointmentStatus]) -> String {
    if statuses.is_empty() {
        return String::new();
    }
    let names: Vec<&str> = statuses.iter().map(|s| s.as_str()).collect();
    format!(",{},", names.join(","))
}

/// Unix times of the Europe/Rome midnights that open `from` and close `to` (unbounded when
/// absent).
fn day_bounds(from: Option<NaiveDate>, to: Option<NaiveDate>) -> (i64, i64) {
    let midnight = |d: NaiveDate| {
        ROME.from_local_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default())
            .earliest()
            .map(|t| t.timestamp())
    };
    let lower = from.and_then(midnight).unwrap_or(i64::MIN);
    let upper = to
        .and_then(|d| d.checked_add_days(Days::new(1)))
        .and_then(midnight)
        .unwrap_or(i64::MAX);
    (lower, upper)
}

/// How many days the desk agenda spans by default after `from` (today): a week.
const AGENDA_DEFAULT_DAYS: u64 = 7;

/// `GET /appointments?from=&to=&status=&limit=&cursor=` (contract 1.1): the desk agenda, the
/// appointments of every contributor the operator holds a valid delegation for, earliest
/// start first. `from`/`to` are inclusive Europe/Rome dates (default today .. today + 7);
/// `status` may repeat and may list several statuses separated by commas; `updated_since`
/// as in [`history`].
pub async fn agenda(
    State(state): State<AppState>,
    operator: Operator,
    Params(pairs): Params<Vec<(String, String)>>,
) -> Result<Json<Page<AppointmentDto>>, ApiError> {
    let one = |name: &str| -> Result<Option<&str>, ApiError> {
        let mut values = pairs
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str());
        let first = values.next();
        if values.next().is_some() {
            return Err(ApiError::bad_request(
                "invalid_parameter",
                format!("Il parametro {name} può comparire una sola volta."),
            ));
        }
        Ok(first)
    };
    let page = PageRequest::parse(one("limit")?, one("cursor")?)?;
    let mut statuses = Vec::new();
    for (_, list) in pairs.iter().filter(|(k, _)| k == "status") {
        statuses.extend(parse_statuses(list)?);
    }
    let now = state.now();
    let today = rome_date(now);
    let from = query_date("from", one("from")?)?.unwrap_or(today);
    let to = match query_date("to", one("to")?)? {
        Some(to) => to,
        None => from
            .checked_add_days(Days::new(AGENDA_DEFAULT_DAYS))
            .unwrap_or(from),
    };
    if to < from {
        return Err(ApiError::bad_request(
            "invalid_parameter",
            "Il parametro to non può precedere from.",
        ));
    }
    let since = query_instant("updated_since", one("updated_since")?)?.unwrap_or(i64::MIN);
    let (lower, upper) = day_bounds(Some(from), Some(to));
    let (after_start, after_id) = page.after_timestamp_or(i64::MIN)?;
    let limit = page.limit as usize;
    let rows = state
        .db()
        .read(move |conn| {
            let sql = format!(
                "{SELECT_APPOINTMENT}
                 WHERE {delegated} AND a.start_at >= ?3 AND a.start_at < ?4
                   AND (a.start_at > ?5 OR (a.start_at = ?5 AND a.id > ?6))
                   AND (?7 = '' OR instr(?7, ',' || {EFFECTIVE_STATUS_SQL} || ',') > 0)
                   AND {EFFECTIVE_UPDATED_SQL} >= ?10
                 ORDER BY a.start_at, a.id
                 LIMIT ?8",
                delegated = delegated("a.fiscal_code", "?2", "?9"),
            );
            let rows = conn
                .prepare_cached(&sql)?
                .query_map(
                    params![
                        now.timestamp(),
                        operator.id.as_ref(),
                        lower,
                        upper,
                        after_start,
                        after_id,
                        status_filter(&statuses),
                        (limit + 1) as i64,
                        format_date(today),
                        since,
                    ],
                    AppointmentRow::from_row,
                )?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
        .await?;
    let catalog = state.catalog();
    Ok(Json(Page::from_rows(
        &rows,
        limit,
        |r| (r.start_at.to_string(), r.id.as_str()),
        |r| r.to_dto(catalog, now),
    )))
}
