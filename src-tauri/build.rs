//! Builds the Tauri context from the one top-level `tauri.conf.json` and declares the
//! app's own commands, so that `capabilities/main.json` can allow exactly these.

/// Every `#[tauri::command]` the shell registers; keep in step with `lib.rs`.
const COMMANDS: &[&str] = &["app_info", "ui_ready"];

fn main() {
    let attributes = tauri_build::Attributes::new()
        .config_path("../tauri.conf.json")
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(error) = tauri_build::try_build(attributes) {
        panic!("tauri-build failed: {error:#}");
    }
}
