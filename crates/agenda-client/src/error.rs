//! [`ApiError`]: everything a call to the service can end with, other than success.

use std::time::Duration;

use chrono::NaiveDate;
use reqwest::StatusCode;

use crate::base_url::BaseUrlError;
use crate::keychain::KeychainError;
use crate::wire::Slot;

/// What the server said, from an RFC 9457 `application/problem+json` body.
///
/// A response with an error status but no problem body (a proxy's HTML 503, say) still
/// becomes a `Problem`, with the code `http_<status>` and the status' reason as title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// HTTP status.
    pub status: u16,
    /// Stable machine word (`slot_taken`, `hold_expired`, `not_eligible_yet`, …).
    pub code: String,
    /// Short human summary from the server.
    pub title: String,
    /// Human explanation from the server, when given.
    pub detail: Option<String>,
    /// `not_eligible_yet`: the first day a booking is allowed.
    pub allowed_from: Option<NaiveDate>,
    /// `slot_taken`: up to five nearest free slots.
    pub alternatives: Vec<Slot>,
    /// From `Retry-After` (429, 503), when present.
    pub retry_after: Option<Duration>,
}

impl Problem {
    /// The message to show: the server's detail, else its title.
    pub fn message(&self) -> &str {
        self.detail.as_deref().unwrap_or(&self.title)
    }

    /// Whether the same request may succeed later: 408, 429, 5xx but 501, and
    /// `409 request_in_progress`.
    pub fn is_retryable(&self) -> bool {
        matches!(self.status, 408 | 429 | 500 | 502..=599)
            || (self.status == 409 && self.code == "request_in_progress")
    }
}

/// One error type for every call of [`crate::ApiClient`]. `Display` is an Italian sentence
/// safe to show (no personal data, no secrets); [`ApiError::code`] is a stable word.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The server answered with an error status.
    #[error("{}", .0.message())]
    Problem(Box<Problem>),
    /// No HTTP answer: connection refused or reset, DNS, TLS. The URL is stripped from the
    /// source error (it can hold a fiscal code).
    #[error("servizio non raggiungibile: verificare la connessione e riprovare")]
    Transport(#[source] reqwest::Error),
    /// No complete answer within the configured timeouts.
    #[error("il servizio non ha risposto in tempo: riprovare tra poco")]
    Timeout,
    /// A success status with a body that does not follow the contract.
    #[error("risposta del servizio non valida (stato {status}): {detail}")]
    Decode {
        /// HTTP status of the response.
        status: u16,
        /// Where decoding stopped (category, line, column): never the data itself.
        detail: String,
    },
    /// Not signed in, or the server still refused a freshly refreshed token.
    #[error("accesso richiesto: entrare con nome utente e password")]
    Unauthorized,
    /// The refresh token was refused (expired, revoked, rotated): sign in again.
    #[error("sessione scaduta: entrare di nuovo con nome utente e password")]
    SessionExpired,
    /// The configured service address is not acceptable.
    #[error(transparent)]
    InvalidBaseUrl(#[from] BaseUrlError),
    /// The keychain holding the refresh token could not be used.
    #[error(transparent)]
    Keychain(#[from] KeychainError),
}

impl ApiError {
    /// Stable machine word the UI can switch on: the server's `code` for problems.
    pub fn code(&self) -> &str {
        match self {
            ApiError::Problem(p) => &p.code,
            ApiError::Transport(_) => "network_error",
            ApiError::Timeout => "timeout",
            ApiError::Decode { .. } => "invalid_response",
            ApiError::Unauthorized => "unauthorized",
            ApiError::SessionExpired => "session_expired",
            ApiError::InvalidBaseUrl(e) => e.code(),
            ApiError::Keychain(e) => e.code(),
        }
    }

    /// The problem, when the server answered with an error status.
    pub fn problem(&self) -> Option<&Problem> {
        match self {
            ApiError::Problem(p) => Some(p),
            _ => None,
        }
    }

    /// HTTP status, when there was an answer.
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Problem(p) => Some(p.status),
            ApiError::Decode { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Whether the service does not offer what was asked (a 1.0 service asked for a path of
    /// contract 1.1 answers 404 with no code of its own, or `route_not_found`): the app hides
    /// the feature and says why.
    pub fn is_not_offered(&self) -> bool {
        matches!(self, ApiError::Problem(p)
            if p.status == 404 && (p.code == "route_not_found" || p.code == "http_404"))
    }

    /// Whether sending the same request again may succeed: transport failures, timeouts,
    /// 408, 429, 5xx (but 501), and `409 request_in_progress` (the first attempt of the same
    /// idempotent request is still being processed). Whether a request *may* be re-sent at
    /// all is decided separately, by the request's replay safety.
    pub fn is_retryable(&self) -> bool {
        match self {
            ApiError::Transport(_) | ApiError::Timeout => true,
            ApiError::Problem(p) => p.is_retryable(),
            _ => false,
        }
    }

    /// Whether the service could not be reached at all (the app is offline).
    pub fn is_offline(&self) -> bool {
        matches!(self, ApiError::Transport(_) | ApiError::Timeout)
    }

    /// Whether the operator must sign in (again) before anything else works.
    pub fn needs_sign_in(&self) -> bool {
        matches!(self, ApiError::Unauthorized | ApiError::SessionExpired)
    }

    #[cfg(test)]
    pub(crate) fn problem_with(status: StatusCode, code: &str, title: &str) -> Self {
        ApiError::Problem(Box::new(Problem {
            status: status.as_u16(),
            code: code.to_owned(),
            title: title.to_owned(),
            detail: None,
            allowed_from: None,
            alternatives: Vec::new(),
            retry_after: None,
        }))
    }

    pub(crate) fn from_reqwest(err: reqwest::Error) -> Self {
        if err.is_timeout() {
            ApiError::Timeout
        } else {
            ApiError::Transport(err.without_url())
        }
    }

    pub(crate) fn decode(status: StatusCode, err: &serde_json::Error) -> Self {
        ApiError::Decode {
            status: status.as_u16(),
            detail: format!(
                "{:?} alla riga {} colonna {}",
                err.classify(),
                err.line(),
                err.column()
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(status: u16, code: &str) -> ApiError {
        ApiError::problem_with(StatusCode::from_u16(status).unwrap(), code, "t")
    }

    fn check(err: ApiError, retryable: bool) {
        assert_eq!(err.is_retryable(), retryable, "{err:?}");
    }

    #[test]
    fn only_transient_failures_are_retryable() {
        check(ApiError::Timeout, true);
        check(problem(503, "http_503"), true);
        check(problem(500, "internal"), true);
        check(problem(502, "http_502"), true);
        check(problem(504, "http_504"), true);
        check(problem(429, "too_many_requests"), true);
        check(problem(408, "http_408"), true);
        check(problem(409, "request_in_progress"), true);
        check(problem(501, "http_501"), false);
        check(problem(409, "slot_taken"), false);
        check(problem(409, "already_booked"), false);
        check(problem(422, "invalid_phone"), false);
        check(problem(410, "hold_expired"), false);
        check(problem(404, "not_found"), false);
        check(problem(401, "invalid_credentials"), false);
        check(ApiError::SessionExpired, false);
        check(ApiError::Unauthorized, false);
        check(
            ApiError::Decode {
                status: 200,
                detail: String::new(),
            },
            false,
        );
    }

    #[test]
    fn codes_are_stable_words() {
        assert_eq!(problem(409, "slot_taken").code(), "slot_taken");
        assert_eq!(ApiError::Timeout.code(), "timeout");
        assert_eq!(ApiError::SessionExpired.code(), "session_expired");
        assert_eq!(ApiError::Unauthorized.code(), "unauthorized");
        assert_eq!(
            ApiError::from(BaseUrlError::Empty).code(),
            "invalid_base_url"
        );
    }

    #[test]
    fn a_problem_shows_the_server_detail_or_its_title() {
        let mut p = Problem {
            status: 422,
            code: "invalid_phone".into(),
            title: "Telefono non valido".into(),
            detail: None,
            allowed_from: None,
            alternatives: vec![],
            retry_after: None,
        };
        assert_eq!(
            ApiError::Problem(Box::new(p.clone())).to_string(),
            "Telefono non valido"
        );
        p.detail = Some("Il numero deve essere un cellulare o un fisso italiano".into());
        assert_eq!(
            ApiError::Problem(Box::new(p)).to_string(),
            "Il numero deve essere un cellulare o un fisso italiano"
        );
    }

    #[test]
    fn decode_errors_never_quote_the_data() {
        let err =
            serde_json::from_str::<agenda_core::FiscalCode>("\"RSSMRA85T10A562T\"").unwrap_err();
        let api = ApiError::decode(StatusCode::OK, &err);
        assert!(!api.to_string().contains("RSSMRA"), "{api}");
    }
}
