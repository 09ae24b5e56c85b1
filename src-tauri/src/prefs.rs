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

const LANG: &str = "lang";
const REMINDERS_DAILY: &str = "reminders_daily";
const REMINDERS_AT: &str = "reminders_at";

/// What Impostazioni keeps beside the service: the UI's language (for the texts the shell
/// writes: notifications) and the reminders' choices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Preferences {
    /// `it` or `en`.
    pub lang: &'static str,
    /// Whether tomorrow's appointments are announced.
    pub reminders_daily: bool,
    /// When (`HH:MM`, Rome), as saved.
    #[serde(serialize_with = "hh_mm")]
    pub reminders_at: chrono::NaiveTime,
}

fn hh_mm<S: serde::Serializer>(at: &chrono::NaiveTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&at.format("%H:%M").to_string())
}

impl Preferences {
    /// The reminders' settings.
    pub fn reminders(&self) -> agenda_core::reminders::ReminderSettings {
        agenda_core::reminders::ReminderSettings {
            daily: self.reminders_daily,
            at: self.reminders_at,
        }
    }

    /// The reminders' language.
    pub fn reminder_lang(&self) -> agenda_core::reminders::ReminderLang {
        match self.lang {
            "en" => agenda_core::reminders::ReminderLang::En,
            _ => agenda_core::reminders::ReminderLang::It,
        }
    }
}

/// The saved preferences (defaults for what was never saved or does not read).
pub fn preferences<R: Runtime>(app: &AppHandle<R>) -> Preferences {
    let defaults = agenda_core::reminders::ReminderSettings::default();
    let Ok(store) = app.store(FILE) else {
        return Preferences {
            lang: "it",
            reminders_daily: defaults.daily,
            reminders_at: defaults.at,
        };
    };
    let text = |key: &str| store.get(key).and_then(|v| v.as_str().map(str::to_owned));
    Preferences {
        lang: if text(LANG).as_deref() == Some("en") {
            "en"
        } else {
            "it"
        },
        reminders_daily: store
            .get(REMINDERS_DAILY)
            .and_then(|v| v.as_bool())
            .unwrap_or(defaults.daily),
        reminders_at: text(REMINDERS_AT)
            .and_then(|t| agenda_core::reminders::ReminderSettings::parse_time(&t))
            .unwrap_or(defaults.at),
    }
}

/// Saves what is given of the preferences.
pub fn set_preferences<R: Runtime>(
    app: &AppHandle<R>,
    lang: Option<&str>,
    reminders_daily: Option<bool>,
    reminders_at: Option<chrono::NaiveTime>,
) -> Result<Preferences, CommandError> {
    let store = app
        .store(FILE)
        .map_err(|e| CommandError::internal("opening the preferences", e))?;
    if let Some(lang) = lang {
        store.set(LANG, if lang == "en" { "en" } else { "it" });
    }
    if let Some(daily) = reminders_daily {
        store.set(REMINDERS_DAILY, daily);
    }
    if let Some(at) = reminders_at {
        store.set(REMINDERS_AT, at.format("%H:%M").to_string());
    }
    store
        .save()
        .map_err(|e| CommandError::internal("saving the preferences", e))?;
    Ok(preferences(app))
}
