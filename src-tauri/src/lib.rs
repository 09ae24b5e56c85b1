//! The Tauri shell of Cassetto Agenda: window, commands, app state and wiring.
//!
//! The shell holds no business rules: those live in `agenda-core`; networking and the
//! local store live in `agenda-client`; the embedded sandbox service in `agenda-sandbox`.
//! Every command is a thin `async fn` that calls one plain function (see `commands/`).

pub mod commands;
mod error;
mod state;

pub use error::CommandError;
pub use state::{AppState, Environment};

use tauri::Runtime;

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

/// Registers the app's commands and state on `builder`. Generic over the runtime so that
/// tests can pass `tauri::test::mock_builder()`.
pub fn build_app<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder
        .manage(AppState::from_env())
        .invoke_handler(tauri::generate_handler![
            commands::app::app_info,
            commands::app::ui_ready,
        ])
}

/// Runs the desktop app until its window closes.
pub fn run() {
    init_logging();
    let context = tauri::generate_context!("../tauri.conf.json");
    if let Err(error) = build_app(tauri::Builder::default()).run(context) {
        eprintln!("Cassetto Agenda could not start: {error}");
        std::process::exit(1);
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
