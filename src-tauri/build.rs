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
    "about",
];

fn main() {
    build_facts();
    let attributes = tauri_build::Attributes::new()
        .config_path("../tauri.conf.json")
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(error) = tauri_build::try_build(attributes) {
        panic!("tauri-build failed: {error:#}");
    }
}

/// The build facts Informazioni shows: `CASSETTO_COMMIT` (the commit built, from git, or the
/// environment variable of that name for builds outside a clone) and `CASSETTO_BUILD_EPOCH`
/// (Unix seconds; `SOURCE_DATE_EPOCH` when set, for reproducible builds; the command writes
/// it as a UTC date with chrono). Both are recomputed when the checked-out commit changes.
fn build_facts() {
    println!("cargo:rerun-if-env-changed=CASSETTO_COMMIT");
    println!("cargo:rerun-if-env-changed=SOURCE_DATE_EPOCH");
    let commit = std::env::var("CASSETTO_COMMIT")
        .ok()
        .map(|c| c.trim().chars().take(12).collect::<String>())
        .filter(|c| !c.is_empty() && c.chars().all(|ch| ch.is_ascii_hexdigit()))
        .or_else(|| git(&["rev-parse", "--short=12", "HEAD"]))
        .unwrap_or_else(|| "sconosciuto".to_owned());
    if let Some(git_dir) = git(&["rev-parse", "--absolute-git-dir"]) {
        // HEAD moves with a checkout; logs/HEAD with every commit on the branch.
        for file in ["HEAD", "logs/HEAD"] {
            let path = std::path::Path::new(&git_dir).join(file);
            if path.exists() {
                println!("cargo:rerun-if-changed={}", path.display());
            }
        }
    }
    let epoch = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs())
        });
    println!("cargo:rustc-env=CASSETTO_COMMIT={commit}");
    println!("cargo:rustc-env=CASSETTO_BUILD_EPOCH={epoch}");
}

/// The trimmed output of `git <args>` run in the crate's folder, if git ran and succeeded.
fn git(args: &[&str]) -> Option<String> {
    let output = std::process::Command::new("git")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    (output.status.success() && !text.trim().is_empty()).then(|| text.trim().to_owned())
}
