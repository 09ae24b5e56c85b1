//! Communications: the list of a contributor with the "Richiedi appuntamento" rule applied,
//! and one thread with its messages.

use agenda_core::eligibility::appointment_request;
use agenda_core::{CommunicationStatus, Eligibility};
use axum::extract::State;
use axum::Json;
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};

use crate::catalog::Catalog;
use crate::common::{
    check_delegation, delegated, instant, path_fiscal_code, query_date, today, wire_time,
    ContributorRef, Page, PageRequest,
};
use crate::error::ApiError;
use crate::extract::{Operator, Params, PathParam};
use crate::state::AppState;
use agenda_core::time::{format_date, rome_date};

/// Columns read by [`CommunicationRow::from_row`]; `?1` is now.
const SELECT_COMMUNICATION: &str = "SELECT c.id, c.fiscal_code, c.topic_code, c.subject,
    c.sent_at, c.status, c.last_message_at, EXISTS (SELECT 1 FROM appointments a
            WHERE a.communication_id = c.id AND a.status IN ('prenotato', 'confermato')
              AND ((a.status = 'prenotato' AND a.hold_expires_at > ?1)
                OR (a.status = 'confermato' AND a.start_at > ?1)))";

/// [`SELECT_COMMUNICATION`]'s table.
const FROM_COMMUNICATIONS: &str = "FROM communications c";

/// A communication as stored, with whether it has a live appointment.
#[derive(Debug, Clone)]
pub(crate) struct CommunicationRow {
    pub id: String,
    pub fiscal_code: String,
    pub topic_code: String,
    pub subject: String,
    pub sent_at: i64,
    pub status: CommunicationStatus,
    pub last_message_at: i64,
    pub has_live_appointment: bool,
}

impl CommunicationRow {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        let status: String = row.get(5)?;
        Ok(Self {
            id: row.get(0)?,
            fiscal_code: row.get(1)?,
            topic_code: row.get(2)?,
            subject: row.get(3)?,
            sent_at: row.get(4)?,
            status: status.parse().map_err(|_| {
                rusqlite::Error::FromSqlConversionFailure(
                    5,
                    rusqlite::types::Type::Text,
                    "unknown communication status".into(),
                )
            })?,
            last_message_at: row.get(6)?,
            has_live_appointment: row.get(7)?,
        })
    }

    /// Loads one communication as it is at `now`.
    pub(crate) fn load(
        conn: &Connection,
        id: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Self>, ApiError> {
        let sql = format!("{SELECT_COMMUNICATION} {FROM_COMMUNICATIONS} WHERE c.id = ?2");
        Ok(conn
            .prepare_cached(&sql)?
            .query_row(params![now.timestamp(), id], Self::from_row)
            .optional()?)
    }

    /// Whether an appointment may be requested for it at `now`.
    pub(crate) fn eligibility(&self, catalog: &Catalog, now: DateTime<Utc>) -> Eligibility {
        let after_days = catalog
            .topic(&self.topic_code)
            .map_or(0, |t| t.appointment_after_days);
        appointment_request(
            self.status,
            instant(self.sent_at),
            after_days,
            self.has_live_appointment,
            now,
        )
    }

    fn to_dto(&self, catalog: &Catalog, now: DateTime<Utc>) -> CommunicationDto {
        let eligibility = self.eligibility(catalog, now);
        CommunicationDto {
            id: self.id.clone(),
            fiscal_code: self.fiscal_code.clone(),
            topic_code: self.topic_code.clone(),
            topic_label: catalog
                .topic(&self.topic_code)
                .map(|t| t.label.clone())
                .unwrap_or_default(),
            subject: self.subject.clone(),
            sent_at: wire_time(self.sent_at),
            status: self.status,
            last_message_at: wire_time(self.last_message_at),
            appointment_request: AppointmentRequestDto {
                allowed: eligibility.allowed,
                reason: eligibility.reason.map(|r| r.as_str()),
                allowed_from: eligibility.allowed_from.format("%Y-%m-%d").to_string(),
            },
        }
    }
}

/// `appointment_request` on the wire.
#[derive(Debug, Clone, Serialize)]
pub struct AppointmentRequestDto {
    allowed: bool,
    reason: Option<&'static str>,
    allowed_from: String,
}

/// A communication on the wire.
#[derive(Debug, Clone, Serialize)]
pub struct CommunicationDto {
    id: String,
    fiscal_code: String,
    topic_code: String,
    topic_label: String,
    subject: String,
    sent_at: String,
    status: CommunicationStatus,
    last_message_at: String,
    appointment_request: AppointmentRequestDto,
}

/// One message of a thread.
#[derive(Debug, Clone, Serialize)]
pub struct MessageDto {
    at: String,
    from: String,
    text: String,
}

/// A communication with its messages.
#[derive(Debug, Clone, Serialize)]
pub struct ThreadDto {
    #[serde(flatten)]
    communication: CommunicationDto,
    messages: Vec<MessageDto>,
}

/// 404 `communication_not_found`.
pub fn communication_not_found() -> ApiError {
    ApiError::not_found("communication_not_found", "Comunicazione non trovata.")
}

/// Query of `GET /contributors/{fiscal_code}/communications`.
#[derive(Debug, Deserialize)]
pub struct ListQuery {
    limit: Option<String>,
    cursor: Option<String>,
}

/// `GET /contributors/{fiscal_code}/communications?limit=&cursor=`: newest first.
pub async fn list(
    State(state): State<AppState>,
    operator: Operator,
    PathParam(raw_fiscal_code): PathParam,
    Params(query): Params<ListQuery>,
) -> Result<Json<Page<CommunicationDto>>, ApiError> {
    let fiscal_code = path_fiscal_code(&raw_fiscal_code)?;
    let page = PageRequest::parse(query.limit.as_deref(), query.cursor.as_deref())?;
    let (after_sent, after_id) = page.after_timestamp()?;
    let now = state.now();
    let limit = page.limit as usize;
    let rows = state
        .db()
        .read(move |conn| {
            check_delegation(conn, &operator.id, fiscal_code.as_str(), now)?;
            let sql = format!(
                "{SELECT_COMMUNICATION} {FROM_COMMUNICATIONS}
                 WHERE c.fiscal_code = ?2 AND (c.sent_at < ?3 OR (c.sent_at = ?3 AND c.id < ?4))
                 ORDER BY c.sent_at DESC, c.id DESC LIMIT ?5"
            );
            let rows = conn
                .prepare_cached(&sql)?
                .query_map(
                    params![
                        now.timestamp(),
                        fiscal_code.as_str(),
                        after_sent,
                        after_id,
                        (limit + 1) as i64
                    ],
                    CommunicationRow::from_row,
                )?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
        .await?;
    let catalog = state.catalog();
    Ok(Json(Page::from_rows(
        &rows,
        limit,
        |r| (r.sent_at.to_string(), r.id.as_str()),
        |r| r.to_dto(catalog, now),
    )))
}

/// `GET /communications/{id}`: the thread with its messages, oldest first.
pub async fn get(
    State(state): State<AppState>,
    operator: Operator,
    PathParam(id): PathParam,
) -> Result<Json<ThreadDto>, ApiError> {
    let now = state.now();
    let (row, messages) = state
        .db()
        .read(move |conn| {
            let row =
                CommunicationRow::load(conn, &id, now)?.ok_or_else(communication_not_found)?;
            check_delegation(conn, &operator.id, &row.fiscal_code, now)?;
            let messages = conn
                .prepare_cached(
                    "SELECT at, sender, text FROM messages WHERE communication_id = ?1
                     ORDER BY seq",
                )?
                .query_map([&row.id], |r| {
                    Ok(MessageDto {
                        at: wire_time(r.get(0)?),
                        from: r.get(1)?,
                        text: r.get(2)?,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok((row, messages))
        })
        .await?;
    Ok(Json(ThreadDto {
        communication: row.to_dto(state.catalog(), now),
        messages,
    }))
}

/// Query of `GET /communications`.
#[derive(Debug, Deserialize)]
pub struct RequestableQuery {
    requestable_by: Option<String>,
    requestable_from: Option<String>,
    limit: Option<String>,
    cursor: Option<String>,
}

/// A thread of the desk-wide list, with its contributor (contract 1.1).
#[derive(Debug, Clone, Serialize)]
pub struct RequestableDto {
    #[serde(flatten)]
    communication: CommunicationDto,
    contributor: ContributorRef,
}

/// `GET /communications?requestable_by=DATE&requestable_from=DATE&limit=&cursor=` (contract
/// 1.1): the threads of every contributor the operator holds a valid delegation for on which
/// "Richiedi appuntamento" is allowed on or before `requestable_by` (default today) and that
/// have no live appointment, earliest `allowed_from` first. `requestable_from` (a sandbox
/// addition to 1.1) keeps only those allowed from that day on: the ones that became
/// requestable lately, without paging through years of threads.
pub async fn requestable(
    State(state): State<AppState>,
    operator: Operator,
    Params(query): Params<RequestableQuery>,
) -> Result<Json<Page<RequestableDto>>, ApiError> {
    let page = PageRequest::parse(query.limit.as_deref(), query.cursor.as_deref())?;
    let now = state.now();
    let by = query_date("requestable_by", query.requestable_by.as_deref())?
        .unwrap_or_else(|| rome_date(now));
    let since = query_date("requestable_from", query.requestable_from.as_deref())?;
    // The page starts at the later of `requestable_from` and the cursor's day.
    let cursor_day = page
        .after
        .as_ref()
        .and_then(|(key, _)| agenda_core::time::parse_date(key).ok());
    let lower = since.max(cursor_day);
    let rows = state
        .db()
        .read(move |conn| {
            // A cheap superset in SQL: the UTC day of `sent_at` is the Rome day or the one
            // before, so its allowed day is within a day of the exact one (checked below).
            let sql = format!(
                "{SELECT_COMMUNICATION}, p.display_name {FROM_COMMUNICATIONS}
                 JOIN contributors p ON p.fiscal_code = c.fiscal_code
                 JOIN topics t ON t.code = c.topic_code
                 WHERE {delegated}
                   AND julianday(date(c.sent_at, 'unixepoch'))
                       + (CASE WHEN c.status = 'non_accolta' THEN 0 ELSE t.appointment_after_days END)
                       BETWEEN julianday(?4) - 1 AND julianday(?5)",
                delegated = delegated("c.fiscal_code", "?2", "?3"),
            );
            let rows = conn
                .prepare_cached(&sql)?
                .query_map(
                    params![
                        now.timestamp(),
                        operator.id.as_ref(),
                        today(now),
                        lower.map_or_else(|| "0001-01-01".to_owned(), format_date),
                        format_date(by),
                    ],
                    |row| Ok((CommunicationRow::from_row(row)?, row.get::<_, String>(8)?)),
                )?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
        .await?;
    let catalog = state.catalog();
    let mut requestable: Vec<(String, CommunicationRow, String)> = rows
        .into_iter()
        .filter(|(row, _)| !row.has_live_appointment)
        .filter_map(|(row, name)| {
            let from = row.eligibility(catalog, now).allowed_from;
            (from <= by && since.is_none_or(|s| from >= s)).then(|| (format_date(from), row, name))
        })
        .collect();
    requestable.sort_by(|a, b| (&a.0, &a.1.id).cmp(&(&b.0, &b.1.id)));
    if let Some((key, id)) = &page.after {
        requestable.retain(|(from, row, _)| (from, &row.id) > (key, id));
    }
    requestable.truncate(page.limit as usize + 1);
    Ok(Json(Page::from_rows(
        &requestable,
        page.limit as usize,
        |(from, row, _)| (from.clone(), row.id.as_str()),
        |(_, row, name)| RequestableDto {
            communication: row.to_dto(catalog, now),
            contributor: ContributorRef {
                fiscal_code: row.fiscal_code.clone(),
                display_name: name.clone(),
            },
        },
    )))
}
