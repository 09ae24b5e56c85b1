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

const LOCK_MINUTES: &str = "lock_minutes";
const CACHE_DAYS: &str = "retention_cache_days";
const DRAFTS_DAYS: &str = "retention_drafts_days";
const AUDIT_DAYS: &str = "retention_audit_days";

/// Minutes of inactivity before the screen locks: the default and the bounds.
pub const LOCK_MINUTES_DEFAULT: u32 = 10;
/// The fewest and the most minutes Impostazioni accepts.
pub const LOCK_MINUTES_BOUNDS: (u32, u32) = (1, 120);

/// What Impostazioni keeps beside the service: the UI's language (for the texts the shell
/// writes: notifications), the reminders' choices, the idle lock and the retention periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Preferences {
    /// `it` or `en`.
    pub lang: &'static str,
    /// Whether tomorrow's appointments are announced.
    pub reminders_daily: bool,
    /// When (`HH:MM`, Rome), as saved.
    #[serde(serialize_with = "hh_mm")]
    pub reminders_at: chrono::NaiveTime,
    /// Minutes of inactivity before the screen locks.
    pub lock_minutes: u32,
    /// How long personal data is kept on this PC.
    pub retention: agenda_client::store::privacy::Retention,
}

fn hh_mm<S: serde::Serializer>(at: &chrono::NaiveTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&at.format("%H:%M").to_string())
}

impl Preferences {
    /// The names of what differs in `after`, for the Registro attività (no values).
    pub fn changed(&self, after: &Preferences) -> Vec<&'static str> {
        let mut names = Vec::new();
        if self.lang != after.lang {
            names.push("lingua");
        }
        if self.reminders_daily != after.reminders_daily || self.reminders_at != after.reminders_at
        {
            names.push("promemoria");
        }
        if self.lock_minutes != after.lock_minutes {
            names.push("blocco per inattività");
        }
        if self.retention != after.retention {
            names.push("conservazione dei dati");
        }
        names
    }

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
    let retention = agenda_client::store::privacy::Retention::default();
    let Ok(store) = app.store(FILE) else {
        return Preferences {
            lang: "it",
            reminders_daily: defaults.daily,
            reminders_at: defaults.at,
            lock_minutes: LOCK_MINUTES_DEFAULT,
            retention,
        };
    };
    let number = |key: &str, default: u32| {
        store
            .get(key)
            .and_then(|v| v.as_u64())
            .and_then(|v| u32::try_from(v).ok())
            .unwrap_or(default)
    };
    let saved_retention = agenda_client::store::privacy::Retention {
        cache_days: number(CACHE_DAYS, retention.cache_days),
        drafts_days: number(DRAFTS_DAYS, retention.drafts_days),
        audit_days: number(AUDIT_DAYS, retention.audit_days),
    };
    let lock_minutes = number(LOCK_MINUTES, LOCK_MINUTES_DEFAULT);
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
        // A file edited by hand out of bounds falls back to the defaults.
        lock_minutes: if (LOCK_MINUTES_BOUNDS.0..=LOCK_MINUTES_BOUNDS.1).contains(&lock_minutes) {
            lock_minutes
        } else {
            LOCK_MINUTES_DEFAULT
        },
        retention: if saved_retention.is_valid() {
            saved_retention
        } else {
            retention
        },
    }
}

/// What Impostazioni changes at once (`None`: as it was).
#[derive(Debug, Default, Clone)]
pub struct Changes {
    /// `it` or `en`.
    pub lang: Option<String>,
    /// Announce tomorrow's appointments.
    pub reminders_daily: Option<bool>,
    /// The desk's opening time.
    pub reminders_at: Option<chrono::NaiveTime>,
    /// Minutes before the idle lock (checked against [`LOCK_MINUTES_BOUNDS`]).
    pub lock_minutes: Option<u32>,
    /// Retention periods (checked by [`agenda_client::store::privacy::Retention::is_valid`]).
    pub retention: Option<agenda_client::store::privacy::Retention>,
}

/// Saves what is given of the preferences.
pub fn set_preferences<R: Runtime>(
    app: &AppHandle<R>,
    changes: &Changes,
) -> Result<Preferences, CommandError> {
    let store = app
        .store(FILE)
        .map_err(|e| CommandError::internal("opening the preferences", e))?;
    if let Some(lang) = &changes.lang {
        store.set(LANG, if lang == "en" { "en" } else { "it" });
    }
    if let Some(daily) = changes.reminders_daily {
        store.set(REMINDERS_DAILY, daily);
    }
    if let Some(at) = changes.reminders_at {
        store.set(REMINDERS_AT, at.format("%H:%M").to_string());
    }
    if let Some(minutes) = changes.lock_minutes {
        store.set(LOCK_MINUTES, minutes);
    }
    if let Some(retention) = changes.retention {
        store.set(CACHE_DAYS, retention.cache_days);
        store.set(DRAFTS_DAYS, retention.drafts_days);
        store.set(AUDIT_DAYS, retention.audit_days);
    }
    store
        .save()
        .map_err(|e| CommandError::internal("saving the preferences", e))?;
    Ok(preferences(app))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prefs() -> Preferences {
        Preferences {
            lang: "it",
            reminders_daily: true,
            reminders_at: chrono::NaiveTime::from_hms_opt(8, 30, 0).unwrap_or_default(),
            lock_minutes: LOCK_MINUTES_DEFAULT,
            retention: agenda_client::store::privacy::Retention::default(),
        }
    }

    #[test]
    fn a_change_is_named_without_its_value_and_no_change_names_nothing() {
        let before = prefs();
        assert!(before.changed(&prefs()).is_empty());
        let mut after = prefs();
        after.lock_minutes = 5;
        after.retention.audit_days = 730;
        assert_eq!(
            before.changed(&after),
            ["blocco per inattività", "conservazione dei dati"]
        );
        after = prefs();
        after.lang = "en";
        after.reminders_at = chrono::NaiveTime::from_hms_opt(7, 45, 0).unwrap_or_default();
        assert_eq!(before.changed(&after), ["lingua", "promemoria"]);
    }
}
