//! Builds the Tauri context from the one top-level `tauri.conf.json` and declares the
//! app's own commands, so that `capabilities/main.json` can allow exactly these.

/// Every `#[tauri::command]` the shell registers; keep in step with `lib.rs`.
const COMMANDS: &[&str] = &[
    "app_info",
    "ui_ready",
    "set_service_url",
    "sync_now",
    "session_status",
    "sign_in",
    "sign_out",
    "search_contributors",
    "select_contributor",
    "selected_contributor",
    "list_communications",
    "get_communication",
    "wizard_options",
    "list_offices",
    "list_slots",
    "validate_contact",
    "book",
    "confirm_booking",
    "cancel_booking",
    "save_draft",
    "list_drafts",
    "delete_draft",
    "list_appointments",
    "get_appointment",
    "desk_agenda",
    "reschedule_appointment",
    "cancel_appointment",
    "save_receipt",
    "print_receipt",
    "save_calendar",
    "set_preferences",
    "audit_log",
    "verify_audit",
    "save_audit_csv",
    "save_contributor_data",
    "erasure_preview",
    "erase_contributor_data",
    "lock_screen",
    "unlock_screen",
];

fn main() {
    let attributes = tauri_build::Attributes::new()
        .config_path("../tauri.conf.json")
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(error) = tauri_build::try_build(attributes) {
        panic!("tauri-build failed: {error:#}");
    }
}
