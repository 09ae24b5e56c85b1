//! Preferences (tauri-plugin-store; non-critical data only: it writes non-atomically).

use crate::CommandError;
use tauri::{AppHandle, Runtime};
use tauri_plugin_store::StoreExt;

const FILE: &str = "preferences.json";
const SERVICE_URL: &str = "service_url";

/// The saved remote service URL, if one was chosen.
pub fn service_url<R: Runtime>(app: &AppHandle<R>) -> Option<String> {
    let store = app.store(FILE).ok()?;
    store
        .get(SERVICE_URL)
        .and_then(|value| value.as_str().map(str::to_owned))
        .filter(|url| !url.trim().is_empty())
}

/// Saves the remote service URL (`None`: the embedded sandbox).
pub fn set_service_url<R: Runtime>(
    app: &AppHandle<R>,
    url: Option<&str>,
) -> Result<(), CommandError> {
    let store = app
        .store(FILE)
        .map_err(|e| CommandError::internal("opening the preferences", e))?;
    match url {
        Some(url) => store.set(SERVICE_URL, url),
        None => {
            store.delete(SERVICE_URL);
        }
    }
    store
        .save()
        .map_err(|e| CommandError::internal("saving the preferences", e))
}

const LAST_OPERATOR: &str = "last_operator";

/// The operator last signed in (name and patronato, shown while the service cannot be
/// reached). Not a secret: the session itself is the token in the keychain.
pub fn last_operator<R: Runtime>(app: &AppHandle<R>) -> Option<agenda_client::Operator> {
    let store = app.store(FILE).ok()?;
    serde_json::from_value(store.get(LAST_OPERATOR)?).ok()
}

/// Remembers (or, with `None`, forgets) the operator signed in.
pub fn set_last_operator<R: Runtime>(
    app: &AppHandle<R>,
    operator: Option<&agenda_client::Operator>,
) {
    let Ok(store) = app.store(FILE) else {
        return;
    };
    match operator.and_then(|o| serde_json::to_value(o).ok()) {
        Some(value) => store.set(LAST_OPERATOR, value),
        None => {
            store.delete(LAST_OPERATOR);
        }
    }
    if let Err(error) = store.save() {
        tracing::warn!(%error, "preferences not saved");
    }
}
