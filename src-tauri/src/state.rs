//! The one managed state of the app.

use serde::Serialize;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

/// Which service the app talks to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum Environment {
    /// The sandbox started in-process, with demo data ("Ambiente di prova").
    EmbeddedSandbox,
    /// A remote service chosen by base URL.
    Remote {
        /// The service's base URL.
        base_url: String,
    },
}

/// State shared by all commands.
#[derive(Debug)]
pub struct AppState {
    environment: Mutex<Environment>,
    ready_file: Option<std::path::PathBuf>,
}

impl AppState {
    /// Reads the start-up settings from the environment: `CASSETTO_SERVICE_URL` selects a
    /// remote service (otherwise the embedded sandbox), `CASSETTO_READY_FILE` asks the app
    /// to write the instant of the UI's first interactive frame (used by the benchmark).
    pub fn from_env() -> Self {
        let environment = match std::env::var("CASSETTO_SERVICE_URL") {
            Ok(url) if !url.trim().is_empty() => Environment::Remote {
                base_url: url.trim().to_owned(),
            },
            _ => Environment::EmbeddedSandbox,
        };
        Self {
            environment: Mutex::new(environment),
            ready_file: std::env::var_os("CASSETTO_READY_FILE").map(Into::into),
        }
    }

    /// The service currently in use.
    pub fn environment(&self) -> Environment {
        self.environment
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// Records that the UI is interactive: writes the Unix time in milliseconds to the ready
    /// file, if one was asked for.
    pub fn mark_ui_ready(&self) -> std::io::Result<()> {
        let Some(path) = &self.ready_file else {
            return Ok(());
        };
        let millis = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or_default();
        std::fs::write(path, millis.to_string())
    }
}
