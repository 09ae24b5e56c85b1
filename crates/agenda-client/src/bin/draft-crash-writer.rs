//! Test helper for the crash test (`tests/crash.rs`), not part of the app.
//!
//! `draft-crash-writer <data-dir> <keychain-account> <first-sequence>` opens the store
//! (data key from the real keychain entry `<keychain-account>`), then saves drafts forever,
//! cycling over a few communications of one contributor, and prints `ack <communication>
//! <sequence>` after each save returned `Ok`. The test kills it with SIGKILL at random
//! moments and checks that every acknowledged draft survived.

use std::io::Write;
use std::path::PathBuf;

use agenda_client::{KeyringKeyStore, Store};
use agenda_core::{FiscalCode, Wizard, WizardAction, WizardContext};

/// Communications the writer cycles over.
const COMMUNICATIONS: usize = 5;

fn main() {
    let mut args = std::env::args().skip(1);
    let usage = "uso: draft-crash-writer <cartella> <voce-portachiavi> <prima-sequenza>";
    let dir = PathBuf::from(args.next().expect(usage));
    let account = args.next().expect(usage);
    let first: u64 = args.next().expect(usage).parse().expect(usage);

    let keys = KeyringKeyStore::with_account(&account).unwrap_or_else(|e| fail(&e));
    let store = Store::open(&dir, &keys).unwrap_or_else(|e| fail(&e));
    let fiscal_code = FiscalCode::parse("RSSMRA85T10A562S").expect("valid fiscal code");
    let stdout = std::io::stdout();
    println!("ready");
    for sequence in first.. {
        let communication = format!("COM-{}", sequence as usize % COMMUNICATIONS);
        let mut wizard = Wizard::new(
            fiscal_code.clone(),
            communication.parse().expect("a valid communication id"),
            "contributi".parse().expect("a valid topic code"),
        );
        let ctx = WizardContext::default();
        wizard
            .apply(
                WizardAction::SetPhone(format!("333 {:07}", sequence % 10_000_000)),
                &ctx,
            )
            .expect("phone can be typed at any step");
        wizard
            .apply(
                WizardAction::SetNotes(format!("nota riservata {sequence}")),
                &ctx,
            )
            .expect("notes can be typed at any step");
        let saved = store.save_draft(&wizard).unwrap_or_else(|e| fail(&e));
        let mut out = stdout.lock();
        writeln!(out, "ack {communication} {sequence} {}", saved.revision).expect("stdout");
        out.flush().expect("stdout");
    }
}

fn fail(error: &dyn std::fmt::Display) -> ! {
    eprintln!("draft-crash-writer: {error}");
    std::process::exit(2)
}
