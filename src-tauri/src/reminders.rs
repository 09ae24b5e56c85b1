//! The desk's reminders as system notifications (tauri-plugin-notification): a hold about
//! to lapse while the window is behind another program, and the operator's own appointments
//! of tomorrow at the desk's opening time (Impostazioni). What is due is decided by the
//! application layer ([`ReminderRunner`]) on core's rules; this module looks every
//! [`PERIOD`], shows, and opens what a notification named.
//!
//! Opening: the notification plugin reports no click on Windows, macOS or Linux desktops,
//! and a click on a notification brings the app to the front. So when the window next comes
//! to the front within [`OPEN_WITHIN`] of a notification, the app opens what it named (the
//! appointment, by its identificativo, or the agenda for a day's list).

use std::sync::Mutex;
use std::time::{Duration, Instant};

use agenda_client::app::ReminderRunner;
use agenda_core::reminders::{Reminder, ReminderLang};
use agenda_core::AppointmentId;
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_notification::NotificationExt;

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
    if at.elapsed() > OPEN_WITHIN {
        return;
    }
    // The identificativo is a parsed `AP-XXXX-XXXX` (letters, digits, dashes): safe in JS.
    let detail = match &target {
        Some(id) => format!("{{id: \"{}\"}}", id.as_str()),
        None => "{id: null}".to_owned(),
    };
    let script = format!(
        "window.dispatchEvent(new CustomEvent('cassetto:reminder-open', {{detail: {detail}}}))"
    );
    if let Some(window) = app.get_webview_window("main") {
        if let Err(error) = window.eval(&script) {
            tracing::warn!(%error, "a reminder's target could not be opened");
        }
    }
}

/// Looks for due reminders every [`PERIOD`] and shows them, for as long as the app runs.
/// Signed out, nothing is looked at, and the next operator starts afresh.
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
        let in_front = app.state::<Attention>().focused();
        let now = chrono::Utc::now();
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
    match app.notification().builder().title(title).body(body).show() {
        Ok(()) => tracing::info!(kind, "reminder shown"),
        Err(error) => tracing::warn!(kind, %error, "a reminder could not be shown"),
    }
    *lock(&app.state::<Attention>().pending) =
        Some((reminder.appointment().cloned(), Instant::now()));
}
