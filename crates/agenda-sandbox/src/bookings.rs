//! `POST /bookings`: hold a slot for a communication (`prenotato`), idempotently.
//!
//! Everything happens in one write transaction: the idempotency lookup, the checks, the
//! insert and the stored response. The database has the last word on the slot: a partial
//! unique index allows one live appointment per (office, consultation point, start).

use agenda_core::appointment::apply;
use agenda_core::calendar::is_bookable_start;
use agenda_core::time::parse_rfc3339;
use agenda_core::vocab::sentence;
use agenda_core::{AppointmentId, FiscalCode, Notes, PhoneNumber, Transition};
use axum::extract::State;
use axum::http::header::LOCATION;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, FixedOffset, Utc};
use rand::RngCore;
use rusqlite::{params, Connection};
use serde::Deserialize;
use serde_json::Value;

use crate::appointments::{appointment_not_found, path_id, transition_error, AppointmentRow};
use crate::catalog::ConsultationPoint;
use crate::common::{check_delegation, instant};
use crate::communications::{communication_not_found, CommunicationRow};
use crate::db::is_unique_violation;
use crate::error::{json_text_response, ApiError};
use crate::extract::{from_json_value, JsonBody, Operator, PathParam};
use crate::idempotency::{self, key_from_headers, request_hash};
use crate::slots::{alternatives, office_not_found, point_not_found, taken_starts};
use crate::state::AppState;
use crate::sweep;

/// Body of `POST /bookings`. Unknown fields are ignored.
#[derive(Debug, Deserialize)]
pub struct BookingRequest {
    communication_id: String,
    fiscal_code: String,
    topic_code: String,
    consultation_point: String,
    office_code: String,
    slot_start: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    notes: String,
}

/// `POST /bookings`.
pub async fn create(
    State(state): State<AppState>,
    operator: Operator,
    headers: HeaderMap,
    JsonBody(body): JsonBody<Value>,
) -> Result<Response, ApiError> {
    let hash = request_hash(&body);
    idempotent(
        state,
        operator,
        &headers,
        hash,
        move |tx, state, operator_id, now| {
            from_json_value::<BookingRequest>(body)
                .and_then(|request| book(tx, state, operator_id, request, now))
        },
    )
    .await
}

/// Body of `POST /appointments/{id}/reschedule`. Unknown fields are ignored.
#[derive(Debug, Deserialize)]
pub struct RescheduleRequest {
    slot_start: String,
    #[serde(default)]
    office_code: Option<String>,
    #[serde(default)]
    consultation_point: Option<String>,
}

/// `POST /appointments/{id}/reschedule` (contract 1.1): a confirmed future appointment moves
/// to another slot, all or nothing.
pub async fn reschedule(
    State(state): State<AppState>,
    operator: Operator,
    PathParam(raw_id): PathParam,
    headers: HeaderMap,
    JsonBody(body): JsonBody<Value>,
) -> Result<Response, ApiError> {
    // The same key for another appointment is another request, and never a booking's.
    let hash = idempotency::request_hash_for(
        "reschedule",
        &serde_json::json!({ "id": raw_id, "body": body }),
    );
    idempotent(
        state,
        operator,
        &headers,
        hash,
        move |tx, state, operator_id, now| {
            let request = from_json_value::<RescheduleRequest>(body)?;
            all_or_nothing(tx, || {
                move_appointment(tx, state, operator_id, &raw_id, request, now)
            })
        },
    )
    .await
}

/// Runs a write that creates an appointment once per `Idempotency-Key`: the key is looked
/// up, `work` runs, and its answer (201 with the appointment, or the refusal) is stored with
/// the key, all in one write transaction. Same key and request again: the stored answer;
/// same key, another request: 422 `idempotency_key_reused`; while the first is still
/// running: 409 `request_in_progress`.
async fn idempotent(
    state: AppState,
    operator: Operator,
    headers: &HeaderMap,
    hash: [u8; 32],
    work: impl FnOnce(&Connection, &AppState, &str, DateTime<Utc>) -> Result<AppointmentRow, ApiError>
        + Send
        + 'static,
) -> Result<Response, ApiError> {
    let key = key_from_headers(headers)?;
    let flight = state
        .begin_request(operator.id.clone(), key.clone())
        .ok_or_else(|| {
            ApiError::conflict(
                "request_in_progress",
                "Una richiesta con la stessa Idempotency-Key è ancora in corso.",
            )
        })?;
    let now = state.now();
    let worker_state = state.clone();
    // The writer renders the answer once, as text: it is stored with the key and sent as it
    // is (every microsecond on the writer is one every booking waits for).
    let (status, body, id) = state
        .db()
        .write(move |tx| {
            // The flight ends when the job does, even if the client went away.
            let _flight = flight;
            if let Some(stored) = idempotency::lookup(tx, &operator.id, &key)? {
                return if stored.request_hash == hash {
                    let body =
                        with_contract_1_1(tx, &worker_state, stored.status, stored.body, now)?;
                    let id = body["id"].as_str().map(str::to_owned);
                    Ok((stored.status, body.to_string(), id))
                } else {
                    Err(ApiError::unprocessable(
                        "idempotency_key_reused",
                        "Idempotency-Key già usata per una richiesta diversa.",
                    ))
                };
            }
            let (status, body, id) = match work(tx, &worker_state, &operator.id, now) {
                Ok(row) => (
                    StatusCode::CREATED.as_u16(),
                    serde_json::to_string(&row.to_dto(worker_state.catalog(), now))
                        .map_err(ApiError::internal)?,
                    Some(row.id),
                ),
                Err(e) if e.status().is_server_error() => return Err(e),
                Err(e) => (e.status().as_u16(), e.body().to_string(), None),
            };
            idempotency::store(
                tx,
                &operator.id,
                &key,
                &hash,
                status,
                &body,
                now.timestamp(),
            )?;
            Ok((status, body, id))
        })
        .await?;
    let status = StatusCode::from_u16(status).map_err(ApiError::internal)?;
    let mut response = json_text_response(status, body);
    if status == StatusCode::CREATED {
        if let Some(location) =
            id.and_then(|id| HeaderValue::from_str(&format!("/api/v1/appointments/{id}")).ok())
        {
            response.headers_mut().insert(LOCATION, location);
        }
    }
    Ok(response.into_response())
}

/// A stored 201 from before contract 1.1 lacks the appointment's newer members
/// (`booked_by`, `contributor`, `rescheduled_from`, `rescheduled_to`): they are filled from
/// the appointment, the rest of the first answer is replayed as it was.
fn with_contract_1_1(
    tx: &Connection,
    state: &AppState,
    status: u16,
    mut body: Value,
    now: DateTime<Utc>,
) -> Result<Value, ApiError> {
    if status != StatusCode::CREATED.as_u16() || body.get("booked_by").is_some() {
        return Ok(body);
    }
    let row = match body["id"].as_str() {
        Some(id) => AppointmentRow::load(tx, id)?,
        None => None,
    };
    if let (Some(row), Some(members)) = (row, body.as_object_mut()) {
        let now_dto =
            serde_json::to_value(row.to_dto(state.catalog(), now)).map_err(ApiError::internal)?;
        for name in [
            "booked_by",
            "contributor",
            "rescheduled_from",
            "rescheduled_to",
        ] {
            members.insert(name.to_owned(), now_dto[name].clone());
        }
    }
    Ok(body)
}

/// Runs `work` inside a savepoint: when it fails, everything it wrote is undone (the
/// transaction goes on, to store the refusal).
fn all_or_nothing<T>(
    tx: &Connection,
    work: impl FnOnce() -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    tx.execute_batch("SAVEPOINT all_or_nothing")?;
    let result = work();
    match &result {
        Ok(_) => tx.execute_batch("RELEASE all_or_nothing")?,
        Err(_) => tx.execute_batch("ROLLBACK TO all_or_nothing; RELEASE all_or_nothing")?,
    }
    result
}

/// Moves a confirmed future appointment to `request`'s slot (and office and point, when
/// given): the old one becomes `annullato` ("riprogrammato") and the new one, `confermato`,
/// takes its communication, phone and notes. Any refusal leaves the old one as it was (the
/// caller's savepoint).
fn move_appointment(
    tx: &Connection,
    state: &AppState,
    operator_id: &str,
    raw_id: &str,
    request: RescheduleRequest,
    now: DateTime<Utc>,
) -> Result<AppointmentRow, ApiError> {
    let old = AppointmentRow::load(tx, &path_id(raw_id)?)?.ok_or_else(appointment_not_found)?;
    check_delegation(tx, operator_id, &old.fiscal_code, now)?;
    let (current, _) = old.effective(now);
    // Only what could be annulled can be moved: confermato, not yet begun.
    apply(
        current,
        Transition::Cancel,
        now,
        instant(old.start_at),
        old.hold_expires_at.map(instant),
    )
    .map_err(transition_error)?;
    let slot_start = parse_rfc3339(&request.slot_start).map_err(|e| {
        ApiError::unprocessable("invalid_slot_start", sentence(&e.to_string()))
            .with("field", "slot_start")
    })?;
    let catalog = state.catalog();
    let office_code = request
        .office_code
        .as_deref()
        .map(str::trim)
        .unwrap_or(&old.office_code);
    catalog.office(office_code).ok_or_else(office_not_found)?;
    let point = catalog
        .point(
            request
                .consultation_point
                .as_deref()
                .map(str::trim)
                .unwrap_or(&old.consultation_point),
        )
        .filter(|p| p.office_code == office_code)
        .ok_or_else(point_not_found)?;
    serves(point, &old.topic_code)?;
    let start = slot_start.with_timezone(&Utc);
    sweep::expire_for_booking(
        tx,
        &old.communication_id,
        office_code,
        &point.code,
        start,
        now,
    )?;
    check_free_slot(tx, state, point, slot_start, now)?;
    // The old one leaves its slot and its communication first: the new one takes both.
    tx.prepare_cached(
        "UPDATE appointments SET status = 'annullato', updated_at = ?2,
                cancel_reason = 'riprogrammato'
         WHERE id = ?1",
    )?
    .execute(params![old.id, now.timestamp()])?;
    let new = insert_appointment(
        tx,
        state,
        &NewAppointment {
            communication_id: &old.communication_id,
            fiscal_code: &old.fiscal_code,
            topic_code: &old.topic_code,
            point,
            start,
            phone: &old.phone,
            notes: &old.notes,
            hold_expires_at: None,
            operator_id,
            rescheduled_from: Some(&old.id),
        },
        now,
    )?;
    tx.prepare_cached("UPDATE appointments SET rescheduled_to = ?2 WHERE id = ?1")?
        .execute(params![old.id, new.id])?;
    AppointmentRow::load(tx, &new.id)?.ok_or_else(appointment_not_found)
}

/// Checks the request and holds the slot; any error is the answer to store.
fn book(
    tx: &Connection,
    state: &AppState,
    operator_id: &str,
    request: BookingRequest,
    now: DateTime<Utc>,
) -> Result<AppointmentRow, ApiError> {
    let catalog = state.catalog();
    // Input first: what can be judged without looking anything up.
    let fiscal_code = FiscalCode::parse(&request.fiscal_code).map_err(|e| {
        ApiError::unprocessable(e.code(), format!("Codice fiscale non valido: {e}."))
            .with("field", "fiscal_code")
    })?;
    let phone = PhoneNumber::parse(&request.phone).map_err(|e| {
        ApiError::unprocessable(e.code(), sentence(&e.to_string())).with("field", "phone")
    })?;
    let notes = Notes::parse(&request.notes).map_err(|e| {
        ApiError::unprocessable(e.code(), sentence(&e.to_string())).with("field", "notes")
    })?;
    let slot_start = parse_rfc3339(&request.slot_start).map_err(|e| {
        ApiError::unprocessable("invalid_slot_start", sentence(&e.to_string()))
            .with("field", "slot_start")
    })?;

    // Then who and what it is about.
    check_delegation(tx, operator_id, fiscal_code.as_str(), now)?;
    let communication = CommunicationRow::load(tx, request.communication_id.trim(), now)?
        .filter(|c| c.fiscal_code == fiscal_code.as_str())
        .ok_or_else(communication_not_found)?;
    if request.topic_code.trim() != communication.topic_code {
        return Err(ApiError::unprocessable(
            "topic_mismatch",
            "L'argomento non corrisponde a quello della comunicazione.",
        )
        .with("field", "topic_code"));
    }
    let office_code = request.office_code.trim();
    catalog.office(office_code).ok_or_else(office_not_found)?;
    let point = catalog
        .point(request.consultation_point.trim())
        .filter(|p| p.office_code == office_code)
        .ok_or_else(point_not_found)?;
    serves(point, &communication.topic_code)?;

    // Time has its say before the rules: expired holds and past appointments stop counting.
    let start = slot_start.with_timezone(&Utc);
    sweep::expire_for_booking(tx, &communication.id, office_code, &point.code, start, now)?;

    let eligibility = communication.eligibility(catalog, now);
    match eligibility.refusal_code() {
        None => {}
        Some("already_booked") => return Err(already_booked()),
        Some(_) => {
            return Err(ApiError::unprocessable(
                "not_eligible_yet",
                sentence(&eligibility.message_it()),
            )
            .with(
                "allowed_from",
                eligibility.allowed_from.format("%Y-%m-%d").to_string(),
            ))
        }
    }
    check_free_slot(tx, state, point, slot_start, now)?;
    insert_appointment(
        tx,
        state,
        &NewAppointment {
            communication_id: &communication.id,
            fiscal_code: fiscal_code.as_str(),
            topic_code: &communication.topic_code,
            point,
            start,
            phone: phone.e164(),
            notes: notes.as_str(),
            hold_expires_at: Some((now + state.hold_ttl()).timestamp()),
            operator_id,
            rescheduled_from: None,
        },
        now,
    )
}

/// 409 `already_booked`.
fn already_booked() -> ApiError {
    ApiError::conflict(
        "already_booked",
        "Per questa comunicazione esiste già un appuntamento prenotato o confermato.",
    )
}

/// 422 `topic_not_served` unless `point` serves `topic`.
fn serves(point: &ConsultationPoint, topic: &str) -> Result<(), ApiError> {
    if point.serves(topic) {
        return Ok(());
    }
    Err(ApiError::unprocessable(
        "topic_not_served",
        "Il punto di consulenza non tratta l'argomento della comunicazione.",
    )
    .with("field", "consultation_point"))
}

/// The slot at `slot_start` is one of `point`'s bookable starts now (notice, horizon,
/// calendar: else 422 `slot_not_bookable`) and no live appointment holds it (else 409
/// `slot_taken` with the nearest free alternatives).
fn check_free_slot(
    tx: &Connection,
    state: &AppState,
    point: &ConsultationPoint,
    slot_start: DateTime<FixedOffset>,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    if !is_bookable_start(&point.calendar, point.slot_minutes, slot_start, now) {
        return Err(ApiError::unprocessable(
            "slot_not_bookable",
            "L'orario indicato non è uno degli orari prenotabili del punto di consulenza.",
        )
        .with("field", "slot_start"));
    }
    let start = slot_start.with_timezone(&Utc).timestamp();
    let taken = taken_starts(tx, &point.office_code, &point.code, start, start, now)?;
    if !taken.is_empty() {
        return Err(slot_taken(
            tx,
            state,
            &point.code,
            slot_start.with_timezone(&Utc),
            now,
        ));
    }
    Ok(())
}

/// What a new appointment is made of.
struct NewAppointment<'a> {
    communication_id: &'a str,
    fiscal_code: &'a str,
    topic_code: &'a str,
    point: &'a ConsultationPoint,
    start: DateTime<Utc>,
    phone: &'a str,
    notes: &'a str,
    /// `Some`: a hold (`prenotato`) until then; `None`: already `confermato`.
    hold_expires_at: Option<i64>,
    operator_id: &'a str,
    rescheduled_from: Option<&'a str>,
}

/// Inserts `new` under a fresh identificativo. The database has the last word: a live
/// appointment already on the slot is 409 `slot_taken`, one already on the communication
/// 409 `already_booked`.
fn insert_appointment(
    tx: &Connection,
    state: &AppState,
    new: &NewAppointment<'_>,
    now: DateTime<Utc>,
) -> Result<AppointmentRow, ApiError> {
    let point = new.point;
    let end = new.start + Duration::minutes(i64::from(point.slot_minutes));
    let status = match new.hold_expires_at {
        Some(_) => "prenotato",
        None => "confermato",
    };
    for _ in 0..8 {
        let mut bytes = [0u8; 8];
        rand::thread_rng().fill_bytes(&mut bytes);
        let id = AppointmentId::from_random(bytes);
        let inserted = tx
            .prepare_cached(
                "INSERT INTO appointments (id, communication_id, fiscal_code, topic_code,
                    consultation_point, channel, office_code, start_at, end_at, phone, notes,
                    status, hold_expires_at, operator_id, created_at, updated_at,
                    rescheduled_from)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?15,
                    ?16)",
            )?
            .execute(params![
                id.as_str(),
                new.communication_id,
                new.fiscal_code,
                new.topic_code,
                point.code,
                point.channel.as_str(),
                point.office_code,
                new.start.timestamp(),
                end.timestamp(),
                new.phone,
                new.notes,
                status,
                new.hold_expires_at,
                new.operator_id,
                now.timestamp(),
                new.rescheduled_from,
            ]);
        match inserted {
            Ok(_) => {
                return AppointmentRow::load(tx, id.as_str())?
                    .ok_or_else(|| ApiError::internal("inserted appointment not found"))
            }
            Err(e) if is_unique_violation(&e) => {
                let message = e.to_string();
                if message.contains("appointments.id") {
                    continue; // an identifier collision: draw another one
                }
                if message.contains("communication_id") {
                    return Err(already_booked());
                }
                return Err(slot_taken(tx, state, &point.code, new.start, now));
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::internal("could not draw a free appointment id"))
}

fn slot_taken(
    tx: &Connection,
    state: &AppState,
    point_code: &str,
    start: DateTime<Utc>,
    now: DateTime<Utc>,
) -> ApiError {
    let alternatives = state
        .catalog()
        .point(point_code)
        .map(|point| alternatives(tx, state.slot_cache(), point, start, now))
        .transpose()
        .unwrap_or_default()
        .unwrap_or_default();
    ApiError::conflict(
        "slot_taken",
        "L'orario scelto è già stato prenotato. Scegliere un altro orario.",
    )
    .with(
        "alternatives",
        serde_json::to_value(alternatives).unwrap_or_default(),
    )
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use axum::body::Body;
    use axum::http::Request;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    use super::*;
    use crate::{app, open_state_with_clock, Config, ManualClock};

    async fn send(router: &axum::Router, request: Request<Body>) -> (StatusCode, Value) {
        let response = router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    #[tokio::test]
    async fn a_key_still_in_flight_is_409_request_in_progress() {
        let dir = std::env::temp_dir().join(format!("agenda-sandbox-unit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let config = Config {
            db_path: dir.join("flight.db"),
            hold_ttl: std::time::Duration::from_secs(600),
            seed_demo: true,
            durable: false,
        };
        let clock = ManualClock::new("2026-11-26T09:00:00Z".parse().unwrap());
        let state = open_state_with_clock(&config, clock.clock()).await.unwrap();
        let router = app(state.clone());
        let (_, tokens) = send(
            &router,
            Request::post("/api/v1/auth/token")
                .header("content-type", "application/json")
                .body(Body::from(
                    r#"{"grant_type":"password","username":"demo","password":"demo"}"#,
                ))
                .unwrap(),
        )
        .await;
        let token = tokens["access_token"].as_str().unwrap().to_owned();
        let booking = |key: &str| {
            Request::post("/api/v1/bookings")
                .header("authorization", format!("Bearer {token}"))
                .header("content-type", "application/json")
                .header("idempotency-key", key)
                .body(Body::from(r#"{"communication_id":"CM-100001"}"#))
                .unwrap()
        };

        let flight = state
            .begin_request(Arc::from("op-demo"), "busy".to_owned())
            .expect("a fresh key");
        assert!(state
            .begin_request(Arc::from("op-demo"), "busy".to_owned())
            .is_none());
        let (status, body) = send(&router, booking("busy")).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert_eq!(body["code"], "request_in_progress");
        // Another operator's key of the same name is not in flight.
        assert!(state
            .begin_request(Arc::from("op-formazione"), "busy".to_owned())
            .is_some());

        drop(flight);
        let (status, body) = send(&router, booking("busy")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["code"], "invalid_body");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
