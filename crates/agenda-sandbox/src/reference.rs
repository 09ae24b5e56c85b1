//! `GET /topics`, `GET /offices`, `GET /consultation-points`: reference data, bare arrays.

use axum::extract::State;
use axum::Json;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use agenda_core::time::rome_date;
use agenda_core::OpeningHours;

use crate::catalog::{Closure, ConsultationPoint, PatronSaint, Topic};
use crate::extract::{Operator, Params};
use crate::state::AppState;

/// `GET /topics`.
pub async fn topics(State(state): State<AppState>, _operator: Operator) -> Json<Vec<Topic>> {
    Json(state.catalog().topics().to_vec())
}

/// Query of `GET /offices`.
#[derive(Debug, Deserialize)]
pub struct OfficeQuery {
    province: Option<String>,
}

/// An office on the wire.
#[derive(Debug, Serialize)]
pub struct OfficeDto {
    code: String,
    name: String,
    kind: String,
    address: String,
    city: String,
    province: String,
    opening_hours: OpeningHours,
    closures: Vec<ClosureDto>,
    patron_saint: Option<PatronSaint>,
}

/// A day an office is closed.
#[derive(Debug, Serialize)]
pub struct ClosureDto {
    date: NaiveDate,
    reason: String,
}

/// `GET /offices?province=`: every office, or those of one province (sigla, any case).
/// `closures` lists the office's own closures from today on.
pub async fn offices(
    State(state): State<AppState>,
    _operator: Operator,
    Params(query): Params<OfficeQuery>,
) -> Json<Vec<OfficeDto>> {
    let today = rome_date(state.now());
    let province = query
        .province
        .map(|p| p.trim().to_ascii_uppercase())
        .filter(|p| !p.is_empty());
    let offices = state
        .catalog()
        .offices()
        .iter()
        .filter(|o| province.as_deref().into_iter().all(|p| o.province == p))
        .map(|o| OfficeDto {
            code: o.code.clone(),
            name: o.name.clone(),
            kind: o.kind.clone(),
            address: o.address.clone(),
            city: o.city.clone(),
            province: o.province.clone(),
            opening_hours: o.opening_hours.clone(),
            closures: o
                .closures
                .iter()
                .filter(|c| c.date >= today)
                .map(|Closure { date, reason }| ClosureDto {
                    date: *date,
                    reason: reason.clone(),
                })
                .collect(),
            patron_saint: o.patron_saint.clone(),
        })
        .collect();
    Json(offices)
}

/// Query of `GET /consultation-points`.
#[derive(Debug, Deserialize)]
pub struct PointQuery {
    topic: Option<String>,
    office: Option<String>,
}

/// `GET /consultation-points?topic=&office=`: the points serving the topic, of the office.
pub async fn consultation_points(
    State(state): State<AppState>,
    _operator: Operator,
    Params(query): Params<PointQuery>,
) -> Json<Vec<ConsultationPoint>> {
    let topic = query.topic.filter(|t| !t.trim().is_empty());
    let office = query.office.filter(|o| !o.trim().is_empty());
    let points = state
        .catalog()
        .points()
        .iter()
        .filter(|p| topic.as_deref().into_iter().all(|t| p.serves(t.trim())))
        .filter(|p| {
            office
                .as_deref()
                .into_iter()
                .all(|o| p.office_code == o.trim())
        })
        .cloned()
        .collect();
    Json(points)
}
