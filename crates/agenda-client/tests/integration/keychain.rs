//! The real OS keychain (Secret Service) and what ends up on disk.

use std::process::Command;

use agenda_client::{
    AppointmentFilter, BookingOutcome, DataKey, KeyStore, TokenStore, KEYRING_SERVICE,
};
use keyring::credential::CredentialApi;
use keyring::secret_service::SsCredential;

use crate::common::*;

/// Reads an entry straight from the Secret Service, bypassing any cache.
fn secret_service_entry(account: &str) -> Option<String> {
    let credential = SsCredential::new_with_target(None, KEYRING_SERVICE, account)
        .unwrap_or_else(|e| panic!("{}", keychain_hint(&e)));
    match credential.get_password() {
        Ok(value) => Some(value),
        Err(keyring::Error::NoEntry) => None,
        Err(e) => panic!("{}", keychain_hint(&e)),
    }
}

#[test]
fn the_data_key_is_created_in_the_secret_service_on_first_open() {
    let dir = TempDir::new();
    let keychain = Keychain::new();
    assert_eq!(secret_service_entry(&keychain.key_account), None);
    agenda_client::Store::open(dir.path(), &keychain.key_store())
        .unwrap_or_else(|e| panic!("{}", keychain_hint(&e)));
    let stored = secret_service_entry(&keychain.key_account).expect("a Secret Service entry");
    let key = DataKey::from_hex(&stored).expect("64 hex digits");
    assert_eq!(keychain.key_store().load().unwrap(), Some(key));
    // Reopening uses the same key.
    agenda_client::Store::open(dir.path(), &keychain.key_store()).unwrap();
    assert_eq!(secret_service_entry(&keychain.key_account), Some(stored));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_refresh_token_lives_in_the_secret_service_until_sign_out() {
    let sandbox = Sandbox::start().await;
    let keychain = Keychain::new();
    let client = signed_in(&sandbox.url(), &keychain).await;
    let stored = secret_service_entry(&keychain.token_account).expect("refresh token entry");
    assert_eq!(
        keychain
            .token_store()
            .get()
            .unwrap()
            .map(|s| s.expose().to_owned()),
        Some(stored)
    );
    client.sign_out().await.unwrap();
    assert_eq!(secret_service_entry(&keychain.token_account), None);
}

#[test]
fn without_a_keychain_the_store_refuses_to_open_and_says_what_to_do() {
    let dir = TempDir::new();
    let account = random_name("test-no-keychain");
    let output = Command::new(env!("CARGO_BIN_EXE_draft-crash-writer"))
        .arg(dir.path())
        .arg(&account)
        .arg("0")
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/agenda-client-test-bus",
        )
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(2),
        "stdout: {stdout} stderr: {stderr}"
    );
    assert!(!stdout.contains("ack"), "nothing was saved: {stdout}");
    assert!(
        stderr.contains("portachiavi di sistema non disponibile")
            && stderr.contains("sbloccare il portachiavi"),
        "{stderr}"
    );
}

/// Every file of the store (database, WAL, shared memory) as bytes.
fn store_bytes(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| {
            let path = entry.unwrap().path();
            (path.display().to_string(), std::fs::read(&path).unwrap())
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_store_files_hold_no_phone_note_name_or_fiscal_code_in_clear() {
    let sandbox = Sandbox::start().await;
    let dir = TempDir::new();
    let keychain = Keychain::new();
    let agenda = agenda(&sandbox.url(), dir.path(), &keychain).await;
    let eligible = eligible(agenda.client()).await;
    let e = &eligible[0];
    let place = place(agenda.client(), &e.communication.topic_code).await;
    const PHONE: &str = "347 918 2736";
    const NOTE: &str = "Segnalata invalidità civile al 74 per cento";
    agenda
        .save_draft(&ready_wizard(e, &place, 0, PHONE, NOTE))
        .unwrap();
    let second = &eligible[1];
    agenda
        .save_draft(&ready_wizard(
            second,
            &place_for(&agenda, second).await,
            0,
            PHONE,
            NOTE,
        ))
        .unwrap();
    let outcome = agenda
        .book(&e.fiscal_code, &e.communication.id)
        .await
        .unwrap();
    assert!(
        matches!(outcome, BookingOutcome::Held { .. }),
        "{outcome:?}"
    );
    agenda
        .refresh_cache(std::slice::from_ref(&e.fiscal_code))
        .await
        .unwrap();
    agenda
        .appointments(&e.fiscal_code, &AppointmentFilter::default())
        .await
        .unwrap();
    agenda.communication(&e.communication.id).await.unwrap();
    let contributor = agenda.contributor(&e.fiscal_code).await.unwrap().items;

    // With the store still open: database, WAL and shared memory as they are on disk.
    let files = store_bytes(dir.path());
    assert!(
        files.iter().any(|(name, _)| name.ends_with("-wal")),
        "WAL present"
    );
    let needles = [
        PHONE.to_owned(),
        PHONE.replace(' ', ""),
        format!("+39{}", PHONE.replace(' ', "")),
        NOTE.to_owned(),
        "invalidit".to_owned(),
        e.fiscal_code.as_str().to_owned(),
        contributor.display_name.clone(),
        e.communication.subject.clone(),
    ];
    for (name, bytes) in &files {
        for needle in &needles {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
                "{needle:?} in clear in {name}"
            );
        }
    }
    drop(agenda);
    for (name, bytes) in store_bytes(dir.path()) {
        for needle in &needles {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
                "{needle:?} in clear in {name} after closing"
            );
        }
    }
}

async fn place_for(agenda: &agenda_client::Agenda, e: &Eligible) -> Place {
    place(agenda.client(), &e.communication.topic_code).await
}
