//! The Tauri shell of Cassetto Agenda: window, commands, app state and wiring.
//!
//! The shell holds no business rules: those live in `agenda-core`; networking and the
//! local store live in `agenda-client`; the embedded sandbox service in `agenda-sandbox`.
//! Every command is a thin `async fn` that calls one plain function (see `commands/`).

pub mod commands;
mod error;
mod prefs;
pub mod reminders;
mod service;
mod state;

pub use error::CommandError;
pub use state::{AppState, Environment, StartOptions};

use std::path::PathBuf;
use std::time::Duration;
use tauri::{AppHandle, Manager, Runtime};

/// How often the outbox is sent in the background.
const SYNC_PERIOD: Duration = Duration::from_secs(15);

/// Checks what the window needs before GTK is touched, so that a missing display is a
/// sentence a person can act on rather than a panic from deep inside GTK.
pub fn preflight() -> Result<(), String> {
    #[cfg(target_os = "linux")]
    {
        let has_display = ["DISPLAY", "WAYLAND_DISPLAY"]
            .iter()
            .any(|name| std::env::var_os(name).is_some_and(|v| !v.is_empty()));
        if !has_display {
            return Err(
                "Cassetto Agenda needs a graphical session, but neither DISPLAY nor \
                 WAYLAND_DISPLAY is set.\n\
                 Start it from your desktop, or on a headless machine run it under Xvfb: \
                 xvfb-run -a ./scripts/run-app.sh"
                    .to_owned(),
            );
        }
    }
    Ok(())
}

/// Process-wide settings that must be in place before GTK and WebKit start.
///
/// On Linux, WebKitGTK's accelerated compositing is switched off unless the environment
/// already decides: the app's screens are forms and lists, and without a GPU (remote desktops,
/// Xvfb, many office PCs) compositing falls back to software GL, which costs the web process
/// about 100 MB for nothing. Set `WEBKIT_DISABLE_COMPOSITING_MODE=0` to keep it.
pub fn configure_process() {
    #[cfg(target_os = "linux")]
    if std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_none() {
        // Called first thing in `main`, before any other thread exists.
        std::env::set_var("WEBKIT_DISABLE_COMPOSITING_MODE", "1");
    }
}

/// Registers the app's commands and state on `builder`. Generic over the runtime so that
/// tests can pass `tauri::test::mock_builder()`.
pub fn build_app<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    build_app_with(builder, AppState::new(StartOptions::from_env()))
}

/// [`build_app`] with a state of the caller's: a command test passes
/// [`AppState::with_desk`] and a fake application layer, and no service is started.
pub fn build_app_with<R: Runtime>(
    builder: tauri::Builder<R>,
    state: AppState,
) -> tauri::Builder<R> {
    #[cfg(not(target_os = "linux"))]
    let builder = builder.plugin(tauri_plugin_notification::init());
    builder
        .plugin(tauri_plugin_store::Builder::default().build())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .manage(state)
        .manage(reminders::Attention::default())
        .on_window_event(|window, event| {
            if let tauri::WindowEvent::Focused(focused) = event {
                reminders::window_focus(window.app_handle(), *focused);
            }
        })
        .setup(|app| {
            commands::export::clear_print_dir(app.handle());
            tauri::async_runtime::spawn(reminders::reminder_loop(app.handle().clone()));
            start_service(app.handle());
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(service::sync_loop(handle, SYNC_PERIOD));
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::app::app_info,
            commands::app::ui_ready,
            commands::app::set_service_url,
            commands::app::sync_now,
            commands::auth::session_status,
            commands::auth::sign_in,
            commands::auth::sign_out,
            commands::contributors::search_contributors,
            commands::contributors::select_contributor,
            commands::contributors::selected_contributor,
            commands::contributors::list_communications,
            commands::contributors::get_communication,
            commands::wizard::wizard_options,
            commands::wizard::list_offices,
            commands::wizard::list_slots,
            commands::wizard::validate_contact,
            commands::wizard::book,
            commands::wizard::confirm_booking,
            commands::wizard::cancel_booking,
            commands::drafts::save_draft,
            commands::drafts::list_drafts,
            commands::drafts::delete_draft,
            commands::appointments::list_appointments,
            commands::appointments::get_appointment,
            commands::appointments::desk_agenda,
            commands::appointments::reschedule_appointment,
            commands::appointments::cancel_appointment,
            commands::export::save_receipt,
            commands::export::print_receipt,
            commands::export::save_calendar,
            commands::app::set_preferences,
            commands::privacy::audit_log,
            commands::privacy::verify_audit,
            commands::privacy::save_audit_csv,
            commands::privacy::save_contributor_data,
            commands::privacy::erasure_preview,
            commands::privacy::erase_contributor_data,
            commands::privacy::lock_screen,
            commands::privacy::unlock_screen,
            commands::app::about,
        ])
}

/// The app's data folder (SQLite files live below it).
pub(crate) fn data_dir<R: Runtime>(app: &AppHandle<R>) -> Result<PathBuf, CommandError> {
    app.path()
        .app_data_dir()
        .map_err(|e| CommandError::internal("finding the app data folder", e))
}

/// Starts the configured service in the background; commands wait for it.
fn start_service<R: Runtime>(app: &AppHandle<R>) {
    let state = app.state::<AppState>();
    if state.service_now().is_some() {
        return; // given up front (a test's fake)
    }
    let Some(slot) = state.begin_start() else {
        return;
    };
    let url = state
        .options
        .service_url
        .clone()
        .or_else(|| prefs::service_url(app));
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let state = app.state::<AppState>();
        match data_dir(&app) {
            Ok(dir) => service::start(&state, dir, url, slot).await,
            Err(error) => {
                let mut slot = slot;
                *slot = state::ServiceSlot::Failed(error);
            }
        }
    });
}

/// Runs the desktop app until its window closes.
pub fn run() {
    init_logging();
    let context = tauri::generate_context!("../tauri.conf.json");
    // One instance per desktop session: a second launch hands over to the first, which
    // comes to the front, and exits (two instances would share one data folder and
    // keychain entries). Registered here, not in `build_app`: in tests a second instance
    // exits the test process.
    let builder =
        tauri::Builder::default().plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            focus_main_window(app)
        }));
    if let Err(error) = build_app(builder).run(context) {
        eprintln!("Cassetto Agenda could not start: {error}");
        std::process::exit(1);
    }
}

/// Brings the main window to the front (a second launch of the app).
fn focus_main_window<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("CASSETTO_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // A second initialisation (tests) is harmless: keep the first subscriber.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
