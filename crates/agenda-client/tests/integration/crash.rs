//! `kill -9` at random moments while drafts are being saved: every draft that was
//! acknowledged is there afterwards, and the file stays sound.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use agenda_client::Store;
use agenda_core::FiscalCode;
use chacha20poly1305::aead::rand_core::RngCore;

use crate::common::*;

const ROUNDS: usize = 30;

#[test]
fn every_acknowledged_draft_survives_kill_9_at_random_moments() {
    let dir = TempDir::new();
    let keychain = Keychain::new();
    // Create the store and its key once, as the app's first start would.
    drop(
        Store::open(dir.path(), &keychain.key_store())
            .unwrap_or_else(|e| panic!("{}", keychain_hint(&e))),
    );
    let fiscal_code = FiscalCode::parse("RSSMRA85T10A562S").unwrap();
    let mut acknowledged: HashMap<String, u64> = HashMap::new();
    let mut next = 0u64;
    let mut total = 0usize;
    let mut rng = chacha20poly1305::aead::OsRng;

    for round in 0..ROUNDS {
        let mut child = Command::new(env!("CARGO_BIN_EXE_draft-crash-writer"))
            .arg(dir.path())
            .arg(&keychain.key_account)
            .arg(next.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel::<String>();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let ready = rx.recv_timeout(Duration::from_secs(20));
        if ready.as_deref() != Ok("ready") {
            let _ = child.kill();
            let output = child.wait_with_output().unwrap();
            panic!(
                "round {round}: the writer did not start: {ready:?} {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        // Let it write for a random while, then SIGKILL it wherever it is.
        let wait = 5 + rng.next_u64() % 120;
        std::thread::sleep(Duration::from_millis(wait));
        child.kill().unwrap();
        let status = child.wait().unwrap();
        assert!(!status.success(), "killed, not exited");
        reader.join().unwrap();
        let mut acks_this_round = 0;
        for line in rx.try_iter() {
            let parts: Vec<&str> = line.split(' ').collect();
            if let ["ack", communication, sequence, _revision] = parts.as_slice() {
                let sequence: u64 = sequence.parse().unwrap();
                let last = acknowledged.entry((*communication).to_owned()).or_default();
                *last = (*last).max(sequence);
                next = next.max(sequence + 1);
                acks_this_round += 1;
            }
        }
        total += acks_this_round;

        // Restart: every acknowledged draft is there, at least as new as acknowledged.
        let store = Store::open(dir.path(), &keychain.key_store()).unwrap();
        for (communication, sequence) in &acknowledged {
            let draft = store
                .draft(&fiscal_code, communication)
                .unwrap()
                .unwrap_or_else(|| panic!("round {round}: draft {communication} lost"));
            let stored: u64 = draft
                .wizard
                .notes_raw()
                .strip_prefix("nota riservata ")
                .unwrap()
                .parse()
                .unwrap();
            assert!(
                stored >= *sequence,
                "round {round}: {communication} has {stored}, acknowledged {sequence}"
            );
        }
        drop(store);
        let conn =
            rusqlite::Connection::open(dir.path().join(agenda_client::store::FILE_NAME)).unwrap();
        let integrity: String = conn
            .query_row("PRAGMA integrity_check", [], |row| row.get(0))
            .unwrap();
        assert_eq!(integrity, "ok", "round {round}");
    }
    assert!(
        total >= ROUNDS,
        "the writer saved drafts between kills ({total} acks)"
    );
    assert_eq!(acknowledged.len(), 5, "every communication was written");
}
