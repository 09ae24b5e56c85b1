//! Accountability and data protection in the real window: the idle lock hides every
//! contributor's data from the page and opens only with the operator's password (the shell
//! refuses personal data behind it too); Esporta dati and Cancella dati locali from
//! Comunicazioni; the Registro attività lists them and verifies intact. The save dialog is
//! replaced by `CASSETTO_SAVE_DIR`, the idle time shortened by `CASSETTO_IDLE_LOCK_SECS`.

use std::time::{Duration, Instant};

use agenda_e2e::flows::{pick_contributor, sign_in_demo, tid, WAIT};
use agenda_e2e::Harness;
use serde_json::json;

/// Seconds without input before the lock: long enough that no step of the flows below
/// (each types or clicks) waits that long, short enough for a test.
const IDLE_SECS: &str = "12";

async fn page_html(session: &agenda_e2e::Session) -> String {
    session
        .execute("return document.documentElement.outerHTML;", json!([]))
        .await
        .unwrap()
        .as_str()
        .expect("the page's HTML as a string")
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_idle_lock_hides_the_contributors_data_until_the_password_and_the_registro_records_it()
{
    let saved = std::env::temp_dir().join(format!("cassetto-privacy-{}", std::process::id()));
    std::fs::create_dir_all(&saved).unwrap();
    let harness = Harness::start(&[
        ("CASSETTO_IDLE_LOCK_SECS", IDLE_SECS),
        ("CASSETTO_SAVE_DIR", saved.to_str().unwrap()),
    ])
    .await
    .expect("the e2e harness starts");
    let session = &harness.session;
    sign_in_demo(session).await.unwrap();
    let fiscal_code = pick_contributor(session, "Rossi", "Rossi Mario")
        .await
        .unwrap();
    assert_eq!(fiscal_code.len(), 16);
    session.click_testid("nav-comunicazioni").await.unwrap();
    session.wait_screen("comunicazioni").await.unwrap();
    assert!(page_html(session).await.contains("Rossi Mario"));

    // Nobody touches the PC: the lock comes, and the page holds nobody's data.
    let lock = session
        .wait(&tid("lock-screen"), Duration::from_secs(40))
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(40);
    while !lock.displayed().await.unwrap() {
        assert!(Instant::now() < deadline, "the lock never showed");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    harness.screenshot("50-blocco").await.unwrap();
    let html = page_html(session).await;
    for personal in [
        "Rossi Mario",
        fiscal_code.as_str(),
        "Variazione dell'indirizzo",
    ] {
        assert!(
            !html.contains(personal),
            "{personal} is in the DOM behind the lock"
        );
    }
    assert!(
        html.contains("Sessione di "),
        "the lock names whose session it is: {html}"
    );
    // The shell refuses personal data behind the lock, whatever the page asks.
    let refused = session
        .execute_async(
            "const done = arguments[arguments.length - 1];
             window.__TAURI__.core.invoke('list_drafts', {})
               .then(() => done('answered'), (e) => done(e.kind));",
            json!([]),
        )
        .await
        .unwrap();
    assert_eq!(refused, json!("screen_locked"));

    // A wrong password is refused; the right one returns to the same screen.
    session
        .type_into("lock-password", "sbagliata")
        .await
        .unwrap();
    session.click_testid("lock-unlock").await.unwrap();
    session
        .wait_text(&tid("lock-error"), WAIT, |t| {
            t.contains("Password non corretta")
        })
        .await
        .unwrap();
    harness
        .screenshot("51-blocco-password-errata")
        .await
        .unwrap();
    session.type_into("lock-password", "demo").await.unwrap();
    session.click_testid("lock-unlock").await.unwrap();
    session.wait_screen("comunicazioni").await.unwrap();
    session
        .wait_text(&tid("selected-contributor-name"), WAIT, |t| {
            t.contains("Rossi Mario")
        })
        .await
        .unwrap();
    assert!(!lock.displayed().await.unwrap());

    // Esporta dati: the person's data as JSON.
    session.click_testid("contributor-export").await.unwrap();
    let notice = session
        .wait_text(&tid("notice-text"), WAIT, |t| t.contains(".json"))
        .await
        .unwrap();
    assert!(notice.contains("Rossi Mario"), "{notice}");
    let file = std::fs::read_dir(&saved)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "json"))
        .expect("the export was saved");
    let data: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(data["contribuente"]["fiscal_code"], fiscal_code.as_str());
    assert!(!data["comunicazioni"].as_array().unwrap().is_empty());
    harness.screenshot("52-esporta-dati").await.unwrap();

    // Cancella dati locali, after its confirmation.
    session.click_testid("contributor-erase").await.unwrap();
    let dialog = session.testid("confirm-dialog").await.unwrap();
    let body = session
        .wait_text("#confirm-dialog-body", WAIT, |t| t.contains("Rossi Mario"))
        .await
        .unwrap();
    assert!(body.contains(&fiscal_code), "{body}");
    harness
        .screenshot("53-cancella-dati-conferma")
        .await
        .unwrap();
    session.click_testid("confirm-dialog-ok").await.unwrap();
    session.wait_screen("assistiti").await.unwrap();
    session
        .wait_text(&tid("notice-text"), WAIT, |t| t.contains("cancellati"))
        .await
        .unwrap();
    assert!(!dialog.displayed().await.unwrap());

    // The Registro attività has it all, and verifies intact.
    session.click_testid("nav-registro").await.unwrap();
    session.wait_screen("registro").await.unwrap();
    session
        .wait_attribute("audit-row", "data-action", "data_erasure")
        .await
        .unwrap();
    let mut actions = Vec::new();
    for row in session.find_all(&tid("audit-row")).await.unwrap() {
        actions.push(
            row.attribute("data-action")
                .await
                .unwrap()
                .unwrap_or_default(),
        );
    }
    for expected in ["data_erasure", "data_export", "unlock", "sign_in"] {
        assert!(
            actions.iter().any(|a| a == expected),
            "{expected} in {actions:?}"
        );
    }
    assert_eq!(
        actions.iter().filter(|a| *a == "unlock").count(),
        2,
        "{actions:?}"
    );
    session.click_testid("audit-verify").await.unwrap();
    session
        .wait_text(&tid("audit-check"), WAIT, |t| {
            t.starts_with("Registro integro")
        })
        .await
        .unwrap();
    harness.screenshot("54-registro-attivita").await.unwrap();
    // Filtered by action.
    session
        .execute(
            "const s = document.getElementById('audit-action'); s.value = 'unlock';",
            json!([]),
        )
        .await
        .unwrap();
    session.click_testid("audit-apply").await.unwrap();
    let deadline = Instant::now() + WAIT;
    loop {
        let rows = session.find_all(&tid("audit-row")).await.unwrap();
        let mut only_unlock = !rows.is_empty();
        for row in &rows {
            only_unlock &=
                row.attribute("data-action").await.ok().flatten().as_deref() == Some("unlock");
        }
        if only_unlock && rows.len() == 2 {
            break;
        }
        assert!(Instant::now() < deadline, "the filter never applied");
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    harness
        .assert_log_free_of(&[&fiscal_code, "Rossi Mario", "sbagliata"])
        .unwrap();
    harness.stop().await.unwrap();
    std::fs::remove_dir_all(&saved).ok();
}
