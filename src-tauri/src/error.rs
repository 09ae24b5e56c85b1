//! The one error type every command returns. Serialised as `{kind, message}`: `kind` is a
//! stable word the UI switches on, `message` is safe to show to the operator (Italian).

use serde::Serialize;

/// An error returned to the UI by a command.
#[derive(Debug, thiserror::Error, Serialize)]
#[serde(tag = "kind", content = "message", rename_all = "snake_case")]
pub enum CommandError {
    /// Something inside the app failed; details are in the log, not here.
    #[error("{0}")]
    Internal(String),
}
