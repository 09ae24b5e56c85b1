//! Request extractors that turn every bad input into the right problem+json.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::request::Parts;
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use crate::auth::token_hash;
use crate::error::ApiError;
use crate::state::{AppState, CachedToken};

/// Largest accepted request body.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// A JSON body: malformed JSON is 400 `malformed_json`, JSON of the wrong shape or types is
/// 422 `invalid_body`, a body with a missing or non-JSON content type is 415, a body over 64 KiB is 413.
/// Unknown fields are ignored.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

/// Like [`JsonBody`], but an empty body is `None`.
#[derive(Debug)]
pub struct OptionalJsonBody<T>(pub Option<T>);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = read_json_bytes(req, state).await?;
        parse_json(&bytes).map(JsonBody)
    }
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for OptionalJsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = read_json_bytes(req, state).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalJsonBody(None));
        }
        parse_json(&bytes).map(|v| OptionalJsonBody(Some(v)))
    }
}

async fn read_json_bytes<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, ApiError> {
    let declared = req.headers().contains_key(CONTENT_TYPE);
    if let Some(content_type) = req.headers().get(CONTENT_TYPE) {
        let is_json = content_type
            .to_str()
            .ok()
            .and_then(|ct| ct.split(';').next())
            .map(|mime| {
                let mime = mime.trim().to_ascii_lowercase();
                mime == "application/json" || mime.ends_with("+json")
            })
            .unwrap_or(false);
        if !is_json {
            return Err(unsupported_media_type());
        }
    }
    let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            payload_too_large()
        } else {
            ApiError::bad_request(
                "unreadable_body",
                "Impossibile leggere il corpo della richiesta.",
            )
        }
    })?;
    // A body must say it is JSON: a web page's form POST (no CORS preflight) says nothing
    // or `text/plain`, and must not reach `/auth/token` on this PC's port.
    if !declared && !bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(unsupported_media_type());
    }
    Ok(bytes)
}

fn unsupported_media_type() -> ApiError {
    ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        "Il corpo della richiesta deve essere JSON (application/json).",
    )
}

/// 413 `payload_too_large`.
pub fn payload_too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        "La richiesta supera il limite di 64 KiB.",
    )
}

/// Parses a JSON body, telling syntax errors (400) from shape errors (422).
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => ApiError::unprocessable(
            "invalid_body",
            format!(
                "Corpo della richiesta non valido: {}",
                describe_data_error(&e)
            ),
        ),
        _ => ApiError::bad_request(
            "malformed_json",
            "Il corpo della richiesta non è JSON valido.",
        ),
    })
}

/// Reads a typed request from an already parsed JSON document: 422 `invalid_body` when the
/// shape or types do not fit.
pub fn from_json_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, ApiError> {
    serde_json::from_value(value).map_err(|e| {
        ApiError::unprocessable(
            "invalid_body",
            format!(
                "Corpo della richiesta non valido: {}",
                describe_data_error(&e)
            ),
        )
    })
}

/// The serde message without the echoed input (which could hold personal data): field
/// names are ours and kept, submitted values are dropped.
fn describe_data_error(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let text = text.split(" at line ").next().unwrap_or(&text);
    if let Some(field) = text.strip_prefix("missing field ") {
        return format!("campo obbligatorio mancante: {}", field.trim_matches('`'));
    }
    if let Some(field) = text.strip_prefix("duplicate field ") {
        return format!("campo ripetuto: {}", field.trim_matches('`'));
    }
    let (head, expected) = match text.find(", expected") {
        Some(i) => (&text[..i], &text[i..]),
        None => (text, ""),
    };
    let kind = head.split([':', '`']).next().unwrap_or(head).trim();
    let kind = match kind {
        "invalid type" => "tipo non valido",
        "invalid value" => "valore non valido",
        "invalid length" => "lunghezza non valida",
        "unknown variant" => "valore non ammesso",
        other => other,
    };
    let expected = expected.replacen(", expected", " (atteso:", 1);
    if expected.is_empty() {
        kind.to_owned()
    } else {
        format!("{kind}{expected})")
    }
}

/// Query parameters: anything that does not fit is 400 `invalid_parameter`.
#[derive(Debug)]
pub struct Params<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Params<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(v)| Params(v))
            .map_err(|_| {
                ApiError::bad_request("invalid_parameter", "Parametri della richiesta non validi.")
            })
    }
}

/// One path parameter; undecodable paths are 400 `invalid_path`.
#[derive(Debug)]
pub struct PathParam(pub String);

impl<S: Send + Sync> FromRequestParts<S> for PathParam {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<String>::from_request_parts(parts, state)
            .await
            .map(|Path(v)| PathParam(v))
            .map_err(|_| ApiError::bad_request("invalid_path", "Percorso non valido."))
    }
}

/// The operator behind a valid bearer token.
#[derive(Debug, Clone)]
pub struct Operator {
    /// Operator id.
    pub id: Arc<str>,
}

impl FromRequestParts<AppState> for Operator {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(AUTHORIZATION)
            .ok_or_else(|| ApiError::unauthorized("unauthorized", "Autenticazione richiesta."))?;
        let token = header
            .to_str()
            .ok()
            .and_then(|h| {
                let (scheme, token) = h.trim().split_once(' ')?;
                scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
            })
            .filter(|t| !t.is_empty())
            .ok_or_else(invalid_token)?;
        let hash = token_hash(token);
        let now = state.now().timestamp();
        let cached = match state.cached_token(&hash) {
            Some(cached) => Some(cached),
            None => {
                let found = state
                    .db()
                    .read(move |conn| {
                        let mut stmt = conn.prepare_cached(
                            "SELECT operator_id, family, expires_at FROM access_tokens
                             WHERE token_hash = ?1",
                        )?;
                        let mut rows = stmt.query([&hash[..]])?;
                        match rows.next()? {
                            Some(row) => Ok(Some(CachedToken {
                                operator_id: Arc::from(row.get::<_, String>(0)?),
                                family: Arc::from(row.get::<_, String>(1)?),
                                expires_at: row.get(2)?,
                            })),
                            None => Ok(None),
                        }
                    })
                    .await?;
                if let Some(found) = &found {
                    state.cache_token(hash, found.clone());
                }
                found
            }
        };
        match cached {
            Some(token) if token.expires_at > now => Ok(Operator {
                id: token.operator_id,
            }),
            _ => Err(invalid_token()),
        }
    }
}

fn invalid_token() -> ApiError {
    ApiError::unauthorized("invalid_token", "Token di accesso non valido o scaduto.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Body {
        phone: String,
        #[serde(default)]
        count: u32,
    }

    fn check(input: &str, expected: Result<(), (u16, &str)>) {
        let got = parse_json::<Body>(input.as_bytes())
            .map(|_| ())
            .map_err(|e| (e.status().as_u16(), e.code()));
        assert_eq!(got, expected, "input: {input}");
    }

    #[test]
    fn json_bodies_are_classified_as_the_contract_says() {
        check(r#"{"phone":"3331234567"}"#, Ok(()));
        check(r#"{"phone":"3331234567","unknown":true}"#, Ok(()));
        check(r#"{"phone":"3331234567""#, Err((400, "malformed_json")));
        check("not json", Err((400, "malformed_json")));
        check("", Err((400, "malformed_json")));
        check(r#"{"phone":12}"#, Err((422, "invalid_body")));
        check(r#"{"count":1}"#, Err((422, "invalid_body")));
        check(r#"[1,2]"#, Err((422, "invalid_body")));
    }

    #[test]
    fn a_data_error_does_not_echo_the_submitted_value() {
        let err = parse_json::<Body>(br#"{"phone":"x","count":"RSSMRA80A01H501U"}"#).unwrap_err();
        let detail = err.body()["detail"].as_str().unwrap().to_owned();
        assert!(!detail.contains("RSSMRA"), "{detail}");
        assert!(detail.contains("atteso"), "{detail}");
    }
}
