//! The `cassetto-agenda` executable: checks that a desktop session is there, then hands
//! over to the shell library.

// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    cassetto_agenda::configure_process();
    if let Err(message) = cassetto_agenda::preflight() {
        eprintln!("{message}");
        std::process::exit(2);
    }
    cassetto_agenda::run();
}
