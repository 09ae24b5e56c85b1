//! A bare Tauri window that writes, like the app, the instant of its first frame (Unix
//! milliseconds) to `$CASSETTO_READY_FILE`.

use std::time::{SystemTime, UNIX_EPOCH};

#[tauri::command]
fn ui_ready() {
    if let Some(path) = std::env::var_os("CASSETTO_READY_FILE") {
        let millis = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or_default();
        let _ = std::fs::write(path, millis.to_string());
    }
}

fn main() {
    if std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_none() {
        // As the app does on Linux (src-tauri/src/lib.rs, configure_process).
        std::env::set_var("WEBKIT_DISABLE_COMPOSITING_MODE", "1");
    }
    let result = tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![ui_ready])
        .run(tauri::generate_context!());
    if let Err(error) = result {
        eprintln!("bare window: {error}");
        std::process::exit(1);
    }
}
