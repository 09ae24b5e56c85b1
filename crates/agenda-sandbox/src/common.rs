//! Helpers shared by the handlers: delegation checks, instants, paging.

use agenda_core::time::{format_date, format_rfc3339, parse_date, parse_rfc3339, rome_date};
use agenda_core::FiscalCode;
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension};

use crate::auth::hex;
use crate::error::ApiError;

/// Default page size of the per-person lists.
pub const DEFAULT_LIMIT: u32 = 50;
/// Largest page size.
pub const MAX_LIMIT: u32 = 500;

/// Parses a fiscal code taken from the path: 400 `invalid_fiscal_code` when malformed.
pub fn path_fiscal_code(raw: &str) -> Result<FiscalCode, ApiError> {
    FiscalCode::parse(raw)
        .map_err(|e| ApiError::bad_request(e.code(), format!("Codice fiscale non valido: {e}.")))
}

/// The instant of a stored Unix time.
pub fn instant(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

/// A stored Unix time on the wire: RFC 3339 in Europe/Rome.
pub fn wire_time(secs: i64) -> String {
    format_rfc3339(instant(secs))
}

/// Today's Europe/Rome date as stored (`YYYY-MM-DD`).
pub fn today(now: DateTime<Utc>) -> String {
    format_date(rome_date(now))
}

/// Checks that the contributor exists (404 `contributor_not_found`) and that the operator
/// holds a delegation valid today for them (403 `no_delegation`).
pub fn check_delegation(
    conn: &Connection,
    operator_id: &str,
    fiscal_code: &str,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let found: Option<Option<String>> = conn
        .prepare_cached(
            "SELECT d.valid_until FROM contributors c
             LEFT JOIN delegations d ON d.fiscal_code = c.fiscal_code AND d.operator_id = ?1
             WHERE c.fiscal_code = ?2",
        )?
        .query_row([operator_id, fiscal_code], |row| row.get(0))
        .optional()?;
    match found {
        None => Err(contributor_not_found()),
        Some(Some(valid_until)) if valid_until >= today(now) => Ok(()),
        Some(_) => Err(ApiError::no_delegation()),
    }
}

/// A contributor as named on the items of the desk-wide lists (contract 1.1).
#[derive(Debug, Clone, serde::Serialize)]
pub struct ContributorRef {
    /// Codice fiscale.
    pub fiscal_code: String,
    /// Name to show.
    pub display_name: String,
}

/// The SQL condition "the contributor `a_fiscal_code` is delegated to operator `?op` today
/// (`?today`)", with the placeholders named by the caller.
pub fn delegated(fiscal_code_column: &str, operator: &str, today: &str) -> String {
    format!(
        "{fiscal_code_column} IN (SELECT d.fiscal_code FROM delegations d
            WHERE d.operator_id = {operator} AND d.valid_until >= {today})"
    )
}

/// 404 `contributor_not_found`.
pub fn contributor_not_found() -> ApiError {
    ApiError::not_found("contributor_not_found", "Contribuente non trovato.")
}

/// Parses an optional `YYYY-MM-DD` query parameter: 400 `invalid_parameter` when malformed
/// (an empty value included).
pub fn query_date(name: &str, raw: Option<&str>) -> Result<Option<NaiveDate>, ApiError> {
    match raw {
        None => Ok(None),
        Some(text) => parse_date(text).map(Some).map_err(|_| {
            ApiError::bad_request(
                "invalid_parameter",
                format!("Il parametro {name} deve essere una data AAAA-MM-GG."),
            )
        }),
    }
}

/// Parses an optional instant query parameter (RFC 3339 with an offset, e.g.
/// `2026-12-04T09:30:00+01:00`) into a Unix time: 400 `invalid_parameter` otherwise.
pub fn query_instant(name: &str, raw: Option<&str>) -> Result<Option<i64>, ApiError> {
    match raw {
        None => Ok(None),
        Some(text) => parse_rfc3339(text.trim())
            .map(|t| Some(t.timestamp()))
            .map_err(|_| {
                ApiError::bad_request(
                    "invalid_parameter",
                    format!(
                        "Il parametro {name} deve essere un istante RFC 3339 \
                         (es. 2026-12-04T09:30:00+01:00)."
                    ),
                )
            }),
    }
}

/// A page request: how many items, and where the previous page ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    /// Items per page, 1..=500.
    pub limit: u32,
    /// The sort key and id of the last item of the previous page.
    pub after: Option<(String, String)>,
}

impl PageRequest {
    /// The cursor of a list sorted newest first by a Unix timestamp: the timestamp and id of
    /// the last item seen, or (`i64::MAX`, "") for the first page. 400 `invalid_cursor` when
    /// the key is not a timestamp.
    pub fn after_timestamp(&self) -> Result<(i64, String), ApiError> {
        self.after_timestamp_or(i64::MAX)
    }

    /// [`PageRequest::after_timestamp`] with `first` as the key before the first page
    /// (`i64::MIN` for a list sorted oldest first).
    pub fn after_timestamp_or(&self, first: i64) -> Result<(i64, String), ApiError> {
        match &self.after {
            Some((key, id)) => Ok((
                key.parse::<i64>().map_err(|_| {
                    ApiError::bad_request("invalid_cursor", "Cursore di paginazione non valido.")
                })?,
                id.clone(),
            )),
            None => Ok((first, String::new())),
        }
    }

    /// Parses `limit` and `cursor`: 400 `invalid_parameter` / `invalid_cursor` when wrong
    /// (an empty `limit` included; an empty `cursor` is the first page).
    pub fn parse(limit: Option<&str>, cursor: Option<&str>) -> Result<Self, ApiError> {
        let limit = match limit {
            None => DEFAULT_LIMIT,
            Some(text) => text
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=MAX_LIMIT).contains(n))
                .ok_or_else(|| {
                    ApiError::bad_request(
                        "invalid_parameter",
                        format!("limit deve essere un intero tra 1 e {MAX_LIMIT}."),
                    )
                })?,
        };
        let after = match cursor.map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(text) => Some(decode_cursor(text).ok_or_else(|| {
                ApiError::bad_request("invalid_cursor", "Cursore di paginazione non valido.")
            })?),
        };
        Ok(Self { limit, after })
    }
}

/// An opaque cursor for the item with this sort key and id.
pub fn encode_cursor(key: &str, id: &str) -> String {
    hex(format!("{key}\u{1f}{id}").as_bytes())
}

fn decode_cursor(text: &str) -> Option<(String, String)> {
    if !text.len().is_multiple_of(2) || text.len() > 1024 {
        return None;
    }
    let bytes = (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect::<Option<Vec<u8>>>()?;
    let text = String::from_utf8(bytes).ok()?;
    let (key, id) = text.split_once('\u{1f}')?;
    Some((key.to_owned(), id.to_owned()))
}

/// A page of items, as the contract's lists answer it.
#[derive(Debug, serde::Serialize)]
pub struct Page<T> {
    /// The items.
    pub items: Vec<T>,
    /// Cursor of the next page, `null` on the last one.
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// The page of `rows`, fetched with one row more than `limit` to tell whether another page
    /// follows: the first `limit` rows mapped by `item`, and the cursor after the last of them
    /// (from its sort key and id) when more rows exist.
    pub fn from_rows<R>(
        rows: &[R],
        limit: usize,
        key: impl Fn(&R) -> (String, &str),
        item: impl FnMut(&R) -> T,
    ) -> Self {
        let next_cursor = (rows.len() > limit).then(|| {
            let (sort_key, id) = key(&rows[limit - 1]);
            encode_cursor(&sort_key, id)
        });
        Self {
            items: rows.iter().take(limit).map(item).collect(),
            next_cursor,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(limit: Option<&str>, cursor: Option<&str>, expected: Result<PageRequest, &str>) {
        let got = PageRequest::parse(limit, cursor).map_err(|e| e.code());
        assert_eq!(got, expected, "limit {limit:?}, cursor {cursor:?}");
    }

    #[test]
    fn page_requests_are_parsed_as_the_contract_says() {
        let page = |limit, after: Option<(&str, &str)>| PageRequest {
            limit,
            after: after.map(|(k, i)| (k.to_owned(), i.to_owned())),
        };
        check(None, None, Ok(page(50, None)));
        check(Some(""), None, Err("invalid_parameter"));
        check(Some("1"), None, Ok(page(1, None)));
        check(Some("500"), None, Ok(page(500, None)));
        check(Some("0"), None, Err("invalid_parameter"));
        check(Some("501"), None, Err("invalid_parameter"));
        check(Some("-3"), None, Err("invalid_parameter"));
        check(Some("ten"), None, Err("invalid_parameter"));
        let cursor = encode_cursor("1790000000", "CM-000001");
        check(
            None,
            Some(&cursor),
            Ok(page(50, Some(("1790000000", "CM-000001")))),
        );
        check(None, Some("zz"), Err("invalid_cursor"));
        check(None, Some("abc"), Err("invalid_cursor"));
        check(None, Some(&hex(b"no separator")), Err("invalid_cursor"));
    }
}
