//! The one error type every command returns. Serialised as `{kind, message, details?}`:
//! `kind` is a stable word the UI switches on (see `docs/ipc.md`), `message` is an Italian
//! sentence safe to show to the operator; the full chain goes to the log, not to the UI.

use agenda_client::{AgendaError, ApiError};
use agenda_core::ErrorKind;
use serde::Serialize;
use serde_json::Value;

/// An error returned to the UI by a command.
#[derive(Debug, Clone, thiserror::Error, Serialize)]
#[error("{kind}: {message}")]
pub struct CommandError {
    /// What kind of failure, from core's one vocabulary.
    pub kind: ErrorKind,
    /// Italian sentence for the operator.
    pub message: String,
    /// Extra data for some kinds (`allowed_from`, `alternatives`, `retry_after_secs`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<Value>,
}

impl CommandError {
    /// An error of `kind` with `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            details: None,
        }
    }

    /// Something inside the app failed; the cause is logged, the operator gets a sentence.
    pub fn internal(context: &str, cause: impl std::fmt::Display) -> Self {
        tracing::error!(%cause, "{context}");
        Self::new(
            ErrorKind::Internal,
            "Si è verificato un errore interno dell'applicazione. Riprovare; se si ripete, \
             contattare l'assistenza.",
        )
    }

    /// A bad argument from the UI.
    pub fn validation(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Validation, message)
    }
}

impl From<AgendaError> for CommandError {
    fn from(error: AgendaError) -> Self {
        // Codes and statuses only: a server's `detail` is free text that may quote a fiscal
        // code or notes, and the local errors' messages name files.
        let status = match &error {
            AgendaError::Api(api) => api.status(),
            _ => None,
        };
        tracing::warn!(code = error.code(), status, "workflow failed");
        let mut kind = ErrorKind::of(error.code(), status);
        let mut message = error.to_string();
        let mut details = serde_json::Map::new();
        if let AgendaError::Api(api) = &error {
            match api {
                ApiError::Transport(_) | ApiError::Timeout => {
                    message = "Il servizio non è raggiungibile: controllare la connessione. \
                               I dati mostrati sono quelli salvati sul PC."
                        .to_owned();
                }
                ApiError::Problem(problem) => {
                    if problem.status == 429 {
                        kind = ErrorKind::LockedOut;
                    } else if error.is_offline() {
                        kind = ErrorKind::Offline;
                    }
                    if let Some(date) = problem.allowed_from {
                        details.insert("allowed_from".into(), Value::String(date.to_string()));
                    }
                    if !problem.alternatives.is_empty() {
                        details.insert(
                            "alternatives".into(),
                            serde_json::to_value(&problem.alternatives).unwrap_or_default(),
                        );
                    }
                    if let Some(after) = problem.retry_after {
                        details.insert("retry_after_secs".into(), after.as_secs().into());
                    }
                }
                _ => {}
            }
        }
        // An answer the client could not read: its own message would name a decoding error.
        // (A local failure keeps its message, which says what to do.)
        if error.code() == "invalid_response" {
            message = "Risposta inattesa dal servizio. Riprovare più tardi.".to_owned();
        }
        Self {
            kind,
            message: capitalise(&message),
            details: (!details.is_empty()).then_some(Value::Object(details)),
        }
    }
}

impl From<agenda_client::app::AppError> for CommandError {
    fn from(error: agenda_client::app::AppError) -> Self {
        match error {
            agenda_client::app::AppError::Request(e) => {
                Self::new(ErrorKind::of(e.code(), None), capitalise(&e.to_string()))
            }
            agenda_client::app::AppError::Agenda(e) => e.into(),
        }
    }
}

/// The text with its first letter in upper case (messages from lower layers start in lower
/// case, to be embedded; shown alone they start with a capital).
pub fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_serialised_error_has_kind_and_message_only_when_no_details() {
        let json = serde_json::to_value(CommandError::new(ErrorKind::Offline, "x")).unwrap();
        assert_eq!(json, serde_json::json!({"kind": "offline", "message": "x"}));
    }

    #[test]
    fn messages_start_with_a_capital() {
        assert_eq!(capitalise("la prenotazione"), "La prenotazione");
        assert_eq!(capitalise(""), "");
    }
}
