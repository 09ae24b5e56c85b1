//! Errors as RFC 9457 `application/problem+json` responses.
//!
//! Every failure a handler can produce becomes an [`ApiError`]: a status, a stable machine
//! `code` from the service contract, and an Italian `detail` safe to show to an operator.
//! Internal failures are logged (without personal data) and answered with a bare 500.

use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

/// Media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// A problem to send to the client.
#[derive(Debug, Clone)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    detail: String,
    extensions: Map<String, Value>,
    headers: Vec<(HeaderName, HeaderValue)>,
}

impl ApiError {
    /// A problem with the given status, stable code and human detail.
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        Self {
            status,
            code,
            detail: detail.into(),
            extensions: Map::new(),
            headers: Vec::new(),
        }
    }

    /// 400 with the given code.
    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, detail)
    }

    /// 404 with the given code.
    pub fn not_found(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, code, detail)
    }

    /// 409 with the given code.
    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, detail)
    }

    /// 422 with the given code.
    pub fn unprocessable(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, detail)
    }

    /// 401 `code`, with `WWW-Authenticate: Bearer`.
    pub fn unauthorized(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, code, detail)
    }

    /// 403 `no_delegation`.
    pub fn no_delegation() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "no_delegation",
            "L'operatore non ha una delega valida per questo contribuente.",
        )
    }

    /// 500 `internal_error`; the cause goes to the log, never to the client.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "Errore interno del servizio. Riprovare più tardi.",
        )
    }

    /// Adds an extension member to the problem body (e.g. `alternatives`, `allowed_from`).
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.extensions.insert(key.to_owned(), value.into());
        self
    }

    /// Adds a response header (e.g. `Retry-After`).
    pub fn with_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The stable machine code.
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// The problem document as JSON.
    pub fn body(&self) -> Value {
        let mut body = Map::new();
        body.insert("type".into(), problem_type(self.code).into());
        body.insert("title".into(), title(self.status).into());
        body.insert("status".into(), self.status.as_u16().into());
        body.insert("detail".into(), self.detail.clone().into());
        body.insert("code".into(), self.code.into());
        for (key, value) in &self.extensions {
            body.insert(key.clone(), value.clone());
        }
        Value::Object(body)
    }
}

/// The `type` URI of a problem code.
pub fn problem_type(code: &str) -> String {
    format!("urn:cassetto-agenda:problem:{code}")
}

/// Short Italian title of a status.
fn title(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "Richiesta non valida",
        401 => "Autenticazione richiesta",
        403 => "Operazione non consentita",
        404 => "Risorsa non trovata",
        405 => "Metodo non consentito",
        409 => "Conflitto",
        410 => "Non più disponibile",
        413 => "Richiesta troppo grande",
        415 => "Formato non supportato",
        422 => "Dati non validi",
        429 => "Troppi tentativi",
        500 => "Errore interno",
        503 => "Servizio non disponibile",
        _ => "Errore",
    }
}

/// Builds a JSON response with the given status; errors get the problem media type.
pub fn json_response(status: StatusCode, body: &Value) -> Response {
    json_text_response(status, body.to_string())
}

/// A response with a JSON body already rendered as text; problem+json for error statuses.
pub fn json_text_response(status: StatusCode, body: String) -> Response {
    let content_type = if status.is_client_error() || status.is_server_error() {
        PROBLEM_JSON
    } else {
        "application/json"
    };
    (
        status,
        [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))],
        body,
    )
        .into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = json_response(self.status, &self.body());
        let headers = response.headers_mut();
        if self.status == StatusCode::UNAUTHORIZED {
            let challenge = if self.code == "unauthorized" {
                HeaderValue::from_static("Bearer")
            } else {
                HeaderValue::from_static("Bearer error=\"invalid_token\"")
            };
            headers.insert(header::WWW_AUTHENTICATE, challenge);
        }
        for (name, value) in self.headers {
            headers.insert(name, value);
        }
        response
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(error: rusqlite::Error) -> Self {
        Self::internal(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_problem_body_carries_type_title_status_detail_code_and_extensions() {
        let body = ApiError::conflict("slot_taken", "Orario già occupato.")
            .with("alternatives", Value::Array(vec![]))
            .body();
        assert_eq!(body["type"], "urn:cassetto-agenda:problem:slot_taken");
        assert_eq!(body["title"], "Conflitto");
        assert_eq!(body["status"], 409);
        assert_eq!(body["detail"], "Orario già occupato.");
        assert_eq!(body["code"], "slot_taken");
        assert_eq!(body["alternatives"], Value::Array(vec![]));
    }

    #[test]
    fn an_unauthorized_problem_asks_for_a_bearer_token() {
        let response = ApiError::unauthorized("unauthorized", "x").into_response();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(response.headers()[header::WWW_AUTHENTICATE], "Bearer");
        assert_eq!(response.headers()[header::CONTENT_TYPE], PROBLEM_JSON);
    }
}
