//! A desk PC shared by operators in turn: what one operator keeps on the PC (drafts, the
//! outbox) never reaches the next, and comes back intact to its own operator.

use agenda_e2e::flows::{
    pick_contributor, sign_in_as, sign_in_demo, sign_out, tid, wizard_to_contacts, WAIT,
};
use agenda_e2e::service::{bearer, get_json, start_service};
use agenda_e2e::{free_port, Harness, Session};
use serde_json::json;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

const ELIGIBLE: &str = "Variazione dell'indirizzo di residenza";
/// Rossi Mario in the demo seed.
const ROSSI: &str = agenda_sandbox::seed::ELIGIBLE_FISCAL_CODE;

/// The number beside "Bozze" in the navigation ("" when hidden).
async fn drafts_count(session: &Session) -> String {
    let value = session
        .execute(
            "const el = document.querySelector('[data-testid=nav-drafts-count]'); \
             return el.hidden ? '' : el.textContent.trim();",
            json!([]),
        )
        .await
        .unwrap();
    value.as_str().unwrap_or_default().to_owned()
}

/// Opens Bozze and returns the state of every draft row, once the list has loaded.
async fn draft_states(session: &Session) -> Vec<String> {
    session.click_testid("nav-bozze").await.unwrap();
    session.wait_screen("bozze").await.unwrap();
    session
        .wait("[data-testid=draft-row], [data-testid=drafts-empty]", WAIT)
        .await
        .unwrap();
    let mut states = Vec::new();
    for row in session.find_all(&tid("draft-row")).await.unwrap() {
        states.push(
            row.attribute("data-state")
                .await
                .ok()
                .flatten()
                .unwrap_or_default(),
        );
    }
    states
}

/// Starts a booking for Rossi Mario and leaves it as a draft ("Chiudi e conserva la bozza").
async fn draft_for_rossi(session: &Session, notes: &str) {
    pick_contributor(session, "Rossi", "Rossi Mario")
        .await
        .unwrap();
    session.click_testid("nav-comunicazioni").await.unwrap();
    wizard_to_contacts(session, ELIGIBLE).await.unwrap();
    session
        .type_into("contact-phone", "06 1234 5678")
        .await
        .unwrap();
    session.type_into("contact-notes", notes).await.unwrap();
    // The debounced save, then the operator closes the wizard keeping the draft.
    tokio::time::sleep(Duration::from_secs(2)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_next_operator_sees_no_draft_and_the_first_finds_theirs_intact() {
    let harness = Harness::start(&[]).await.expect("the e2e harness starts");
    let session = &harness.session;
    sign_in_demo(session).await.unwrap();
    draft_for_rossi(session, "Nota riservata del primo operatore").await;
    session.click_testid("wizard-close").await.unwrap();
    assert_eq!(draft_states(session).await, ["draft"]);
    assert_eq!(drafts_count(session).await, "1");
    sign_out(session).await.unwrap();

    // The next operator, of another organisation, on the same PC.
    sign_in_as(session, "formazione", "formazione")
        .await
        .unwrap();
    assert!(draft_states(session).await.is_empty());
    assert_eq!(drafts_count(session).await, "");
    let text = session
        .execute("return document.body.textContent", json!([]))
        .await
        .unwrap();
    let text = text.as_str().unwrap_or_default();
    assert!(
        !text.contains(ROSSI) && !text.contains("Rossi Mario"),
        "{text}"
    );
    harness
        .screenshot("40-secondo-operatore-nessuna-bozza")
        .await
        .unwrap();
    sign_out(session).await.unwrap();

    sign_in_demo(session).await.unwrap();
    assert_eq!(draft_states(session).await, ["draft"]);
    assert_eq!(drafts_count(session).await, "1");
    session.click_testid("draft-resume").await.unwrap();
    session.wait(&tid("contact-notes"), WAIT).await.unwrap();
    let notes = session
        .execute(
            "return document.querySelector('[data-testid=contact-notes]').value",
            json!([]),
        )
        .await
        .unwrap();
    assert_eq!(notes, json!("Nota riservata del primo operatore"));
    harness
        .screenshot("41-primo-operatore-bozza-intatta")
        .await
        .unwrap();
    harness.stop().await.unwrap();
}

/// Live appointments of Rossi Mario, as the service says (asked as `demo`, over HTTP).
async fn rossi_live_appointments(base: &str) -> usize {
    let http = reqwest::Client::new();
    let bearer = bearer(&http, base, "demo", "demo").await;
    let list = get_json(
        &http,
        base,
        &format!("/api/v1/contributors/{ROSSI}/appointments"),
        &bearer,
    )
    .await;
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["status"] == json!("prenotato") || a["status"] == json!("confermato"))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_booking_queued_offline_waits_for_its_own_operator() {
    let dir = std::env::temp_dir().join(format!("cassetto-operators-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("service.db");
    let addr: SocketAddr = format!("127.0.0.1:{}", free_port().unwrap())
        .parse()
        .unwrap();
    let service = start_service(&db, addr).await;
    let url = format!("http://{addr}");
    let harness = Harness::start(&[("CASSETTO_SERVICE_URL", &url)])
        .await
        .unwrap();
    let session = &harness.session;
    sign_in_demo(session).await.unwrap();
    draft_for_rossi(session, "Prenotazione fatta senza connessione").await;
    service.shutdown().await.unwrap();
    session.click_testid("book-submit").await.unwrap();
    session
        .wait_attribute("outcome", "data-result", "queued")
        .await
        .unwrap();
    // Esci while the service is unreachable: the session ends on this PC.
    sign_out(session).await.unwrap();

    let service = start_service(&db, addr).await;
    sign_in_as(session, "formazione", "formazione")
        .await
        .unwrap();
    assert!(draft_states(session).await.is_empty());
    // Longer than the background sync period (15 s) and a manual sync: nothing is sent.
    let until = Instant::now() + Duration::from_secs(20);
    while Instant::now() < until {
        let _ = session.click_testid("drafts-refresh").await;
        tokio::time::sleep(Duration::from_secs(4)).await;
    }
    assert_eq!(rossi_live_appointments(&url).await, 0);
    sign_out(session).await.unwrap();

    // Its own operator is back: the booking goes out and is held, waiting for Conferma.
    sign_in_demo(session).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let states = draft_states(session).await;
        if states.iter().any(|s| s == "needs_attention") {
            break;
        }
        assert!(Instant::now() < deadline, "never sent: {states:?}");
        let _ = session.click_testid("drafts-refresh").await;
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    assert_eq!(rossi_live_appointments(&url).await, 1);
    harness
        .screenshot("42-coda-inviata-dal-suo-operatore")
        .await
        .unwrap();
    harness.stop().await.unwrap();
    service.shutdown().await.unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}
