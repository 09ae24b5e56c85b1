//! Commands about the app itself: info, readiness, the service in use, sync.

use crate::{AppState, CommandError, Environment};
use agenda_client::app::SyncView;
use agenda_client::store::audit::{AuditAction, AuditEvent};
use agenda_client::store::privacy::Retention;
use chrono::{DateTime, Utc};
use serde::Serialize;
use tauri::{AppHandle, Manager, Runtime, State};

/// What the UI needs to draw its frame and the offline banner.
#[derive(Debug, Serialize)]
pub struct AppInfo {
    /// The app's version.
    pub version: &'static str,
    /// The service in use.
    pub environment: Environment,
    /// Whether the service answered last time (`null` before the first call).
    pub online: Option<bool>,
    /// When the service last answered.
    pub last_sync_at: Option<DateTime<Utc>>,
    /// Bookings waiting to be sent.
    pub queued_bookings: usize,
    /// The service's clock minus this PC's, in milliseconds (`null` before an answer told
    /// it): the UI counts a hold's time down on the server's clock.
    pub server_clock_offset_ms: Option<i64>,
    /// The bounds of the fields and of the week view.
    pub limits: agenda_client::app::Limits,
    /// Impostazioni kept by the shell: the language of its own texts and the reminders.
    pub preferences: Option<crate::prefs::Preferences>,
    /// Whether the screen is locked (a reload shows the lock again).
    pub locked: bool,
    /// Seconds of inactivity before the screen locks (Impostazioni, or
    /// `CASSETTO_IDLE_LOCK_SECS` for tests).
    pub idle_lock_secs: u64,
}

/// Returns the app's version, the service it talks to and the connection state.
#[tauri::command]
pub async fn app_info<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<AppInfo, CommandError> {
    Ok(full_info(&app, &state).await)
}

/// [`info`] with the preferences and the idle lock's delay.
async fn full_info<R: Runtime>(app: &AppHandle<R>, state: &AppState) -> AppInfo {
    let mut info = info(state).await;
    let preferences = crate::prefs::preferences(app);
    info.idle_lock_secs = state
        .options
        .idle_lock
        .map(|d| d.as_secs())
        .unwrap_or(u64::from(preferences.lock_minutes) * 60);
    info.preferences = Some(preferences);
    info
}

/// Saves Impostazioni's choices that the shell keeps: `lang` (`it` or `en`: the language of
/// the notifications), `remindersDaily` (announce tomorrow's appointments) and `remindersAt`
/// (`HH:MM`, the desk's opening time, Rome), `lockMinutes` (idle lock, 1–120) and the
/// retention periods `cacheDays`, `draftsDays`, `auditDays` (days; bounds in
/// [`agenda_client::store::privacy::Retention`]). What is not given stays as it was. A
/// change is recorded in the Registro attività of the operator signed in.
#[allow(clippy::too_many_arguments)]
#[tauri::command]
pub async fn set_preferences<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    lang: Option<String>,
    reminders_daily: Option<bool>,
    reminders_at: Option<String>,
    lock_minutes: Option<u32>,
    cache_days: Option<u32>,
    drafts_days: Option<u32>,
    audit_days: Option<u32>,
) -> Result<crate::prefs::Preferences, CommandError> {
    let at = reminders_at
        .map(|text| {
            agenda_core::reminders::ReminderSettings::parse_time(&text).ok_or_else(|| {
                CommandError::validation("Orario non valido: usare HH:MM, ad esempio 08:30.")
            })
        })
        .transpose()?;
    let (lo, hi) = crate::prefs::LOCK_MINUTES_BOUNDS;
    if lock_minutes.is_some_and(|m| !(lo..=hi).contains(&m)) {
        return Err(CommandError::validation(format!(
            "Blocco per inattività: da {lo} a {hi} minuti."
        )));
    }
    let retention = if cache_days.is_some() || drafts_days.is_some() || audit_days.is_some() {
        let current = crate::prefs::preferences(&app).retention;
        let wanted = Retention {
            cache_days: cache_days.unwrap_or(current.cache_days),
            drafts_days: drafts_days.unwrap_or(current.drafts_days),
            audit_days: audit_days.unwrap_or(current.audit_days),
        };
        if !wanted.is_valid() {
            let ((c0, c1), (d0, d1), (a0, a1)) = (
                Retention::CACHE_DAYS,
                Retention::DRAFTS_DAYS,
                Retention::AUDIT_DAYS,
            );
            return Err(CommandError::validation(format!(
                "Conservazione dei dati: comunicazioni e appuntamenti da {c0} a {c1} giorni, \
                 bozze da {d0} a {d1}, registro attività da {a0} a {a1}."
            )));
        }
        Some(wanted)
    } else {
        None
    };
    let changes = crate::prefs::Changes {
        lang,
        reminders_daily,
        reminders_at: at,
        lock_minutes,
        retention,
    };
    let before = crate::prefs::preferences(&app);
    let saved = crate::prefs::set_preferences(&app, &changes)?;
    let names = before.changed(&saved);
    if !names.is_empty() {
        if let Ok(desk) = state.desk().await {
            let event = AuditEvent::new(AuditAction::SettingsChanged).detail(&names.join(", "));
            // Signed out (the language on the sign-in screen): nobody's log to write.
            let _ = desk.record_action(&event).await;
        }
    }
    Ok(saved)
}

/// The plain function behind [`app_info`].
pub async fn info(state: &AppState) -> AppInfo {
    let (status, server_clock_offset) = match state.service_now() {
        Some(service) => (
            service.desk.status().await.ok(),
            service.desk.server_clock_offset().await.ok().flatten(),
        ),
        None => (None, None),
    };
    let server_clock_offset_ms = server_clock_offset.map(|offset| offset.num_milliseconds());
    AppInfo {
        version: env!("CARGO_PKG_VERSION"),
        environment: state.environment(),
        online: status.as_ref().and_then(|s| s.online),
        last_sync_at: status.as_ref().and_then(|s| s.last_contact_at),
        queued_bookings: status.map_or(0, |s| s.queued_bookings),
        server_clock_offset_ms,
        limits: agenda_client::app::Limits::CURRENT,
        preferences: None,
        locked: state.is_locked(),
        idle_lock_secs: u64::from(crate::prefs::LOCK_MINUTES_DEFAULT) * 60,
    }
}

/// What Informazioni shows and "Copia informazioni di supporto" copies: the build, the
/// platform, the service in use and where the data is. Nothing personal: no operator, no
/// contributor (the service's URL is shown without any user or password in it).
#[derive(Debug, Serialize)]
pub struct About {
    /// The app's version (`src-tauri/Cargo.toml`, the one place the installers read too).
    pub version: &'static str,
    /// When this binary was built (UTC, `YYYY-MM-DD HH:MM`; see `build.rs`).
    pub build_date: Option<String>,
    /// The commit it was built from (12 hex digits, or "sconosciuto").
    pub commit: &'static str,
    /// The licence (SPDX).
    pub license: &'static str,
    /// The operating system (`linux`, `windows`, `macos`).
    pub os: &'static str,
    /// The processor architecture (`x86_64`, `aarch64`).
    pub arch: &'static str,
    /// The version of the system's web view (WebKitGTK, WebView2, WKWebView), when it tells.
    pub webview: Option<String>,
    /// The Tauri runtime's version.
    pub tauri: &'static str,
    /// The service in use.
    pub environment: Environment,
    /// The data folder (the stores, the embedded sandbox's database, the preferences).
    pub data_dir: Option<String>,
    /// The same with the user's home folder written `~`, for the text copied into a ticket.
    pub data_dir_short: Option<String>,
}

/// Informazioni: the build facts, the service in use and the data folder. Answers behind
/// the lock and before sign-in too (nothing personal in it).
#[tauri::command]
pub async fn about<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<About, CommandError> {
    let data_dir = crate::data_dir(&app).ok();
    let home = app.path().home_dir().ok();
    let short =
        data_dir.as_ref().map(
            |dir| match home.as_ref().and_then(|h| dir.strip_prefix(h).ok()) {
                Some(rest) => std::path::Path::new("~").join(rest).display().to_string(),
                None => dir.display().to_string(),
            },
        );
    let environment = match state.environment() {
        Environment::Remote { base_url } => Environment::Remote {
            base_url: without_credentials(&base_url),
        },
        embedded => embedded,
    };
    Ok(About {
        version: env!("CARGO_PKG_VERSION"),
        build_date: env!("CASSETTO_BUILD_EPOCH")
            .parse()
            .ok()
            .and_then(|secs| DateTime::<Utc>::from_timestamp(secs, 0))
            .map(|built| built.format("%Y-%m-%d %H:%M").to_string()),
        commit: env!("CASSETTO_COMMIT"),
        license: env!("CARGO_PKG_LICENSE"),
        os: std::env::consts::OS,
        arch: std::env::consts::ARCH,
        webview: tauri::webview_version().ok(),
        tauri: tauri::VERSION,
        environment,
        data_dir: data_dir.map(|dir| dir.display().to_string()),
        data_dir_short: short,
    })
}

/// `url` without a `user:password@` part (a service URL could carry one).
fn without_credentials(url: &str) -> String {
    match tauri::Url::parse(url) {
        Ok(mut parsed) if !parsed.username().is_empty() || parsed.password().is_some() => {
            // Setting them fails only for URLs that cannot have them (then there are none).
            let _ = parsed.set_username("");
            let _ = parsed.set_password(None);
            parsed.to_string()
        }
        Ok(_) => url.to_owned(),
        Err(_) => "(indirizzo non valido)".to_owned(),
    }
}

/// Called once by the UI when its first frame is interactive.
#[tauri::command]
pub async fn ui_ready(state: State<'_, AppState>) -> Result<(), CommandError> {
    tracing::info!("UI ready");
    state
        .mark_ui_ready()
        .map_err(|error| CommandError::internal("writing the ready file", error))
}

/// Chooses the service: a remote base URL, or `null` for the embedded sandbox. Saved in the
/// preferences; takes effect at once. Changing the service is a sign-out: the old service's
/// refresh token is revoked (when it can be reached) and deleted from the keychain, and the
/// operator's data is closed; the operator signs in again on the new service.
#[tauri::command]
pub async fn set_service_url<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    url: Option<String>,
) -> Result<AppInfo, CommandError> {
    let url = url.map(|u| u.trim().to_owned()).filter(|u| !u.is_empty());
    if let Some(url) = &url {
        agenda_client::BaseUrl::parse(url).map_err(|e| {
            CommandError::new(agenda_core::ErrorKind::InvalidBaseUrl, e.to_string())
        })?;
    }
    // Wait for a service still starting: its session is signed out too.
    if let Ok(old) = state.service().await {
        if let Err(error) = old.desk.sign_out().await {
            // The token is deleted locally even when the revocation could not be sent.
            tracing::warn!(code = error.code(), "old service: sign-out incomplete");
        }
    }
    crate::prefs::set_last_operator(&app, None);
    crate::prefs::set_service_url(&app, url.as_deref())?;
    let data_dir = crate::data_dir(&app)?;
    let slot = state.lock_for_restart().await;
    crate::service::start(&state, data_dir, url, slot).await;
    state.service().await?;
    Ok(full_info(&app, &state).await)
}

/// Sends what waits in the outbox now (also while the screen is locked: it shows counts
/// only, and a queued booking should not wait for the operator to come back).
#[tauri::command]
pub async fn sync_now(state: State<'_, AppState>) -> Result<SyncView, CommandError> {
    Ok(state.desk_even_locked().await?.sync_view().await?)
}

#[cfg(test)]
mod tests {
    use super::without_credentials;

    #[test]
    fn a_service_url_is_shown_without_user_or_password() {
        assert_eq!(
            without_credentials("https://mario:segreta@servizio.example.it/api/"),
            "https://servizio.example.it/api/"
        );
        assert_eq!(
            without_credentials("https://servizio.example.it/"),
            "https://servizio.example.it/"
        );
        assert_eq!(
            without_credentials("non un indirizzo"),
            "(indirizzo non valido)"
        );
    }
}
