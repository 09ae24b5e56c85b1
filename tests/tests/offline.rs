//! Offline work: a booking made while the service is unreachable is kept as a queued draft,
//! survives closing the app, and reaches the service when it is back — where the operator
//! confirms it (never automatically).

use agenda_e2e::flows::{pick_contributor, sign_in_demo, tid, wizard_to_contacts};
use agenda_e2e::service::start_service;
use agenda_e2e::{free_port, Harness};
use std::net::SocketAddr;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_booking_made_offline_is_kept_and_sent_when_the_service_is_back() {
    let dir = std::env::temp_dir().join(format!("cassetto-offline-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("service.db");
    let addr: SocketAddr = format!("127.0.0.1:{}", free_port().unwrap())
        .parse()
        .unwrap();
    let service = start_service(&db, addr).await;
    let url = format!("http://{addr}");

    let fiscal_code;
    let mut harness = Harness::start(&[("CASSETTO_SERVICE_URL", &url)])
        .await
        .unwrap();
    {
        let session = &harness.session;
        sign_in_demo(session).await.unwrap();
        // A remote service: no "Ambiente di prova" badge.
        let badge = session.find_all(&tid("env-badge")).await.unwrap();
        assert!(!badge[0].displayed().await.unwrap());
        fiscal_code = pick_contributor(session, "Rossi", "Rossi Mario")
            .await
            .unwrap();
        session.click_testid("nav-comunicazioni").await.unwrap();
        wizard_to_contacts(session, "Variazione dell'indirizzo di residenza")
            .await
            .unwrap();
        session
            .type_into("contact-phone", "06 1234 5678")
            .await
            .unwrap();
        session
            .type_into("contact-notes", "Nota scritta senza connessione")
            .await
            .unwrap();
        // Let the debounced draft save happen, then lose the connection.
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    service.shutdown().await.unwrap();
    {
        let session = &harness.session;
        session.click_testid("book-submit").await.unwrap();
        session
            .wait_attribute("outcome", "data-result", "queued")
            .await
            .unwrap();
        session.testid("offline-banner").await.unwrap();
        harness.screenshot("30-offline-in-coda").await.unwrap();
    }

    // The operator closes the app and opens it again, still offline.
    harness.restart_app().await.unwrap();
    {
        let session = &harness.session;
        // The session resumes offline on the agenda; then to Bozze.
        session.wait_screen("agenda").await.unwrap();
        session.click_testid("nav-bozze").await.unwrap();
        session.wait_screen("bozze").await.unwrap();
        session
            .wait_attribute("draft-row", "data-state", "queued")
            .await
            .unwrap();
        harness.screenshot("31-bozze-dopo-riavvio").await.unwrap();
    }

    // The service is back (same data): the queued booking is sent and held, not confirmed.
    let service = start_service(&db, addr).await;
    {
        let session = &harness.session;
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        loop {
            let _ = session.click_testid("drafts-refresh").await;
            let states: Vec<String> = {
                let mut v = Vec::new();
                for row in session.find_all(&tid("draft-row")).await.unwrap() {
                    v.push(
                        row.attribute("data-state")
                            .await
                            .ok()
                            .flatten()
                            .unwrap_or_default(),
                    );
                }
                v
            };
            if states.iter().any(|s| s == "needs_attention") {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "never sent: {states:?}"
            );
            tokio::time::sleep(Duration::from_secs(2)).await;
        }
        harness.screenshot("32-bozza-inviata").await.unwrap();
        session.click_testid("draft-resume").await.unwrap();
        session.click_testid("confirm-booking").await.unwrap();
        session
            .wait_attribute("outcome", "data-result", "confirmed")
            .await
            .unwrap();
        harness
            .screenshot("33-confermata-dopo-offline")
            .await
            .unwrap();
    }
    harness
        .assert_log_free_of(&[
            &fiscal_code,
            "06 1234 5678",
            "Nota scritta senza connessione",
        ])
        .unwrap();
    harness.stop().await.unwrap();
    service.shutdown().await.unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}
