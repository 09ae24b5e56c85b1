//! The desk's reminders as system notifications (tauri-plugin-notification): a hold about
//! to lapse while the window is behind another program, and the operator's own appointments
//! of tomorrow at the desk's opening time (Impostazioni). What is due is decided by the
//! application layer ([`ReminderRunner`]) on core's rules; this module looks every
//! [`PERIOD`], shows, and opens what a notification named.
//!
//! Opening: on Linux the notification carries a default action, and a click on it opens
//! what it named (the appointment, by its identificativo, or the agenda for a day's list)
//! with the window brought to the front; notify-rust over libdbus reports it. Elsewhere
//! tauri-plugin-notification reports no click, and a click brings the app to the front:
//! when the window next comes to the front within [`OPEN_WITHIN`] of a notification, the
//! app opens what it named. The Linux path keeps that too, for a daemon without actions.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use agenda_client::app::ReminderRunner;
use agenda_core::reminders::{Reminder, ReminderLang};
use agenda_core::AppointmentId;
use tauri::{AppHandle, Manager, Runtime};

use crate::AppState;

/// How often the reminders look.
pub const PERIOD: Duration = Duration::from_secs(20);

/// How long after a notification the window's coming to the front opens what it named.
pub const OPEN_WITHIN: Duration = Duration::from_secs(10 * 60);

/// Whether the window is in front, and what the last notification named.
#[derive(Debug, Default)]
pub struct Attention {
    focused: Mutex<bool>,
    pending: Mutex<Option<(Option<AppointmentId>, Instant)>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Attention {
    fn focused(&self) -> bool {
        *lock(&self.focused)
    }
}

/// The window came to the front (`true`) or went behind: remembered for the next look; in
/// front after a notification, what it named is opened.
pub fn window_focus<R: Runtime>(app: &AppHandle<R>, focused: bool) {
    let attention = app.state::<Attention>();
    *lock(&attention.focused) = focused;
    if !focused {
        return;
    }
    let pending = lock(&attention.pending).take();
    let Some((target, at)) = pending else {
        return;
    };
    if at.elapsed() <= OPEN_WITHIN {
        open_target(app, target.as_ref());
    }
}

/// Opens `target` in the page (the agenda when `None`), the window in front.
fn open_target<R: Runtime>(app: &AppHandle<R>, target: Option<&AppointmentId>) {
    // The identificativo is a parsed `AP-XXXX-XXXX` (letters, digits, dashes): safe in JS.
    let detail = match target {
        Some(id) => format!("{{id: \"{}\"}}", id.as_str()),
        None => "{id: null}".to_owned(),
    };
    let script = format!(
        "window.dispatchEvent(new CustomEvent('cassetto:reminder-open', {{detail: {detail}}}))"
    );
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
        if let Err(error) = window.eval(&script) {
            tracing::warn!(%error, "a reminder's target could not be opened");
        }
    }
}

/// Looks for due reminders every [`PERIOD`] and shows them, for as long as the app runs, and
/// runs the retention purge when it is due. Signed out, nothing is looked at, and the next
/// operator starts afresh.
pub async fn reminder_loop<R: Runtime>(app: AppHandle<R>) {
    let mut runner = ReminderRunner::default();
    let mut interval = tokio::time::interval(PERIOD);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        interval.tick().await;
        let Some(service) = app.state::<AppState>().service_now() else {
            continue;
        };
        if service.desk.require_session().await.is_err() {
            runner = ReminderRunner::default();
            continue;
        }
        let prefs = crate::prefs::preferences(&app);
        let now = chrono::Utc::now();
        // The retention purge: at the first look after a sign-in, then once a day.
        match service.desk.purge_if_due(&prefs.retention, now).await {
            Ok(Some(report)) => tracing::info!(?report, "retention purge"),
            Ok(None) => {}
            Err(error) => tracing::warn!(code = error.code(), "retention purge failed"),
        }
        // Behind the lock no reminder names anyone; they show once it is opened.
        if app.state::<AppState>().is_locked() {
            continue;
        }
        let in_front = app.state::<Attention>().focused();
        match runner
            .due(service.desk.as_ref(), now, in_front, &prefs.reminders())
            .await
        {
            Ok(due) => {
                for reminder in &due {
                    show(&app, reminder, prefs.reminder_lang());
                }
            }
            Err(error) => tracing::debug!(code = error.code(), "reminders: no look this time"),
        }
    }
}

fn show<R: Runtime>(app: &AppHandle<R>, reminder: &Reminder, lang: ReminderLang) {
    let (title, body) = reminder.text(lang);
    let kind = match reminder {
        Reminder::HoldExpiring(_) => "hold_expiring",
        Reminder::Tomorrow { .. } => "tomorrow",
    };
    let target = reminder.appointment().cloned();
    *lock(&app.state::<Attention>().pending) = Some((target.clone(), Instant::now()));
    let open_label = match lang {
        ReminderLang::It => "Apri",
        ReminderLang::En => "Open",
    };
    notify(app, kind, title, body, open_label, target);
}

/// Shows the notification; a click on it opens `target` (Linux: notify-rust over libdbus,
/// waiting for the action on a thread of its own until the notification is closed).
#[cfg(target_os = "linux")]
fn notify<R: Runtime>(
    app: &AppHandle<R>,
    kind: &'static str,
    title: String,
    body: String,
    open_label: &'static str,
    target: Option<AppointmentId>,
) {
    let app = app.clone();
    let spawned = std::thread::Builder::new()
        .name("reminder".into())
        .spawn(move || {
            let shown = notify_rust::Notification::new()
                .appname("Cassetto Agenda")
                .summary(&title)
                .body(&body)
                .action("default", open_label)
                .show();
            match shown {
                Ok(handle) => {
                    tracing::info!(kind, "reminder shown");
                    handle.wait_for_action(|action| {
                        if action == "default" {
                            lock(&app.state::<Attention>().pending).take();
                            open_target(&app, target.as_ref());
                        }
                    });
                }
                Err(error) => tracing::warn!(kind, %error, "a reminder could not be shown"),
            }
        });
    if let Err(error) = spawned {
        tracing::warn!(kind, %error, "a reminder could not be shown");
    }
}

/// Shows the notification (tauri-plugin-notification); see the module's note on clicks.
#[cfg(not(target_os = "linux"))]
fn notify<R: Runtime>(
    app: &AppHandle<R>,
    kind: &'static str,
    title: String,
    body: String,
    _open_label: &'static str,
    _target: Option<AppointmentId>,
) {
    use tauri_plugin_notification::NotificationExt;
    match app.notification().builder().title(title).body(body).show() {
        Ok(()) => tracing::info!(kind, "reminder shown"),
        Err(error) => tracing::warn!(kind, %error, "a reminder could not be shown"),
    }
}
