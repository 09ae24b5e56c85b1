//! Commands about the app itself.

use crate::{AppState, CommandError, Environment};
use serde::Serialize;
use tauri::State;

/// What the UI needs to draw its frame.
#[derive(Debug, Serialize)]
pub struct AppInfo {
    /// The app's version.
    pub version: &'static str,
    /// The service in use.
    pub environment: Environment,
}

/// Returns the app's version and the service it talks to.
#[tauri::command]
pub async fn app_info(state: State<'_, AppState>) -> Result<AppInfo, CommandError> {
    Ok(info(&state))
}

/// The plain function behind [`app_info`].
pub fn info(state: &AppState) -> AppInfo {
    AppInfo {
        version: env!("CARGO_PKG_VERSION"),
        environment: state.environment(),
    }
}

/// Called once by the UI when its first frame is interactive.
#[tauri::command]
pub async fn ui_ready(state: State<'_, AppState>) -> Result<(), CommandError> {
    tracing::info!("UI ready");
    state.mark_ui_ready().map_err(|error| {
        tracing::warn!(%error, "could not write the ready file");
        CommandError::Internal("Impossibile registrare l'avvio dell'interfaccia.".into())
    })
}
