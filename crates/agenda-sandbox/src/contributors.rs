//! `GET /contributors` and `GET /contributors/{fiscal_code}`: the people the operator acts
//! for, through a delegation valid today.

use axum::extract::State;
use axum::Json;
use rusqlite::{params, OptionalExtension, Row};
use serde::{Deserialize, Serialize};

use crate::common::{
    contributor_not_found, encode_cursor, path_fiscal_code, today, Page, PageRequest,
};
use crate::error::ApiError;
use crate::extract::{Operator, Params, PathParam};
use crate::state::AppState;

/// Longest accepted search text.
const MAX_QUERY_CHARS: usize = 100;

/// The delegation on the wire.
#[derive(Debug, Clone, Serialize)]
pub struct DelegationDto {
    kind: String,
    valid_until: String,
}

/// A contributor on the wire.
#[derive(Debug, Clone, Serialize)]
pub struct ContributorDto {
    fiscal_code: String,
    display_name: String,
    gestione: String,
    delegation: DelegationDto,
    #[serde(skip)]
    sort_name: String,
}

impl ContributorDto {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            fiscal_code: row.get(0)?,
            display_name: row.get(1)?,
            gestione: row.get(2)?,
            delegation: DelegationDto {
                kind: row.get(3)?,
                valid_until: row.get(4)?,
            },
            sort_name: row.get(5)?,
        })
    }
}

/// The name used for ordering and searching: lower case, single spaces.
pub(crate) fn sort_name(display_name: &str) -> String {
    display_name
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Query of `GET /contributors`.
#[derive(Debug, Deserialize)]
pub struct ListQuery {
    q: Option<String>,
    limit: Option<String>,
    cursor: Option<String>,
}

/// `GET /contributors?q=&limit=&cursor=`, ordered by name. `q` matches a fiscal code prefix,
/// or every word of it appears in the name (case-insensitive).
pub async fn list(
    State(state): State<AppState>,
    operator: Operator,
    Params(query): Params<ListQuery>,
) -> Result<Json<Page<ContributorDto>>, ApiError> {
    let page = PageRequest::parse(query.limit.as_deref(), query.cursor.as_deref())?;
    let q = query.q.unwrap_or_default();
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(ApiError::bad_request(
            "invalid_parameter",
            format!("q non può superare {MAX_QUERY_CHARS} caratteri."),
        ));
    }
    let words: Vec<String> = q.split_whitespace().map(str::to_lowercase).collect();
    let prefix = q.trim().to_uppercase();
    let matches = move |c: &ContributorDto| {
        words.is_empty()
            || c.fiscal_code.starts_with(&prefix)
            || words.iter().all(|w| c.sort_name.contains(w.as_str()))
    };
    let (after_name, after_code) = page.after.clone().unwrap_or_default();
    let today = today(state.now());
    let limit = page.limit as usize;
    let items = state
        .db()
        .read(move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT c.fiscal_code, c.display_name, c.gestione, d.kind, d.valid_until,
                        c.sort_name
                 FROM delegations d JOIN contributors c ON c.fiscal_code = d.fiscal_code
                 WHERE d.operator_id = ?1 AND d.valid_until >= ?2
                   AND (c.sort_name, c.fiscal_code) > (?3, ?4)
                 ORDER BY c.sort_name, c.fiscal_code",
            )?;
            let mut rows = stmt.query(params![&*operator.id, today, after_name, after_code])?;
            let mut items = Vec::new();
            while let Some(row) = rows.next()? {
                let item = ContributorDto::from_row(row)?;
                if matches(&item) {
                    items.push(item);
                    if items.len() > limit {
                        break;
                    }
                }
            }
            Ok(items)
        })
        .await?;
    let next_cursor = (items.len() > limit).then(|| {
        let last = &items[limit - 1];
        encode_cursor(&last.sort_name, &last.fiscal_code)
    });
    Ok(Json(Page {
        items: items.into_iter().take(limit).collect(),
        next_cursor,
    }))
}

/// `GET /contributors/{fiscal_code}`: 400 malformed, 404 unknown, 403 without delegation.
pub async fn get(
    State(state): State<AppState>,
    operator: Operator,
    PathParam(raw_fiscal_code): PathParam,
) -> Result<Json<ContributorDto>, ApiError> {
    let fiscal_code = path_fiscal_code(&raw_fiscal_code)?;
    let today = today(state.now());
    let found = state
        .db()
        .read(move |conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT c.fiscal_code, c.display_name, c.gestione, d.kind, d.valid_until,
                            c.sort_name
                     FROM contributors c
                     LEFT JOIN delegations d
                       ON d.fiscal_code = c.fiscal_code AND d.operator_id = ?1
                     WHERE c.fiscal_code = ?2",
                )?
                .query_row(params![&*operator.id, fiscal_code.as_str()], |row| {
                    let valid_until: Option<String> = row.get(4)?;
                    Ok(match valid_until {
                        Some(_) => Some(ContributorDto::from_row(row)?),
                        None => None,
                    })
                })
                .optional()?)
        })
        .await?;
    match found {
        None => Err(contributor_not_found()),
        Some(Some(c)) if c.delegation.valid_until >= today => Ok(Json(c)),
        Some(_) => Err(ApiError::no_delegation()),
    }
}
