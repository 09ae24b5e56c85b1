//! The desk workflows end to end in the real window, against the embedded sandbox:
//! Richiedi appuntamento → wizard → Prenota → Conferma / Cancella → Gestione appuntamenti.

use agenda_e2e::flows::{
    assert_accessible, communication_row, pick_contributor, retry_transient, row_child,
    sign_in_demo, tid, wizard_to_contacts, wizard_to_contacts_with, WAIT,
};
use agenda_e2e::service::{bearer, get_json};
use agenda_e2e::{free_port, Harness, Session};
use serde_json::{json, Value};

/// Rossi Mario's communications in the demo seed: one bookable today, one not yet.
const ELIGIBLE: &str = "Variazione dell'indirizzo di residenza";
const NOT_YET: &str = "Richiesta di rateizzazione";

/// Signs in, picks Rossi Mario and opens his communications; returns his fiscal code.
async fn open_rossi(session: &Session) -> String {
    sign_in_demo(session).await.unwrap();
    let fiscal_code = pick_contributor(session, "Rossi", "Rossi Mario")
        .await
        .unwrap();
    session.click_testid("nav-comunicazioni").await.unwrap();
    session.wait_screen("comunicazioni").await.unwrap();
    fiscal_code
}

async fn fill_contacts_and_book(session: &Session) -> String {
    session
        .type_into("contact-phone", "333 123 4567")
        .await
        .unwrap();
    session
        .type_into("contact-notes", "Chiarimenti sulla variazione di residenza")
        .await
        .unwrap();
    session.click_testid("book-submit").await.unwrap();
    session
        .wait_text(&tid("appointment-id"), WAIT, |t| {
            t.trim().starts_with("AP-")
        })
        .await
        .unwrap()
        .trim()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_books_confirms_and_annuls_an_appointment() {
    let harness = Harness::start(&[]).await.expect("the e2e harness starts");
    let session = &harness.session;
    let fiscal_code = open_rossi(session).await;
    assert_eq!(fiscal_code.len(), 16, "{fiscal_code:?}");
    harness.screenshot("10-comunicazioni").await.unwrap();
    assert_accessible(&harness, "comunicazioni").await.unwrap();

    // Not yet eligible: disabled, with the date from which it will be.
    let (enabled, reason) = retry_transient(|| async {
        let not_yet = communication_row(session, NOT_YET).await?;
        let button = row_child(session, &not_yet, "request-appointment").await?;
        let reason = row_child(session, &not_yet, "request-reason").await?;
        Ok((button.enabled().await?, reason.text().await?))
    })
    .await
    .unwrap();
    assert!(!enabled);
    assert!(reason.contains("dal") && reason.contains('/'), "{reason}");

    // Eligible: through the three steps.
    wizard_to_contacts_with(session, ELIGIBLE, Some("11-wizard"))
        .await
        .unwrap();
    harness.screenshot("11-wizard-4-contatti").await.unwrap();

    // Bad input is explained beside the field, and Prenota is refused.
    session
        .type_into("contact-phone", "899 123456")
        .await
        .unwrap();
    session.type_into("contact-notes", "   ").await.unwrap();
    let phone_error = session
        .wait_text(&tid("contact-phone-error"), WAIT, |t| !t.trim().is_empty())
        .await
        .unwrap();
    assert!(!phone_error.contains("undefined"), "{phone_error}");
    session.click_testid("book-submit").await.unwrap();
    session
        .wait_text(&tid("contact-notes-error"), WAIT, |t| !t.trim().is_empty())
        .await
        .unwrap();
    assert!(
        session
            .find_all(&tid("appointment-id"))
            .await
            .unwrap()
            .iter()
            .len()
            <= 1
    );
    harness.screenshot("12-wizard-errori").await.unwrap();
    assert_accessible(&harness, "wizard contatti con errori")
        .await
        .unwrap();

    // Riferimento pratica: the desk's own case number, optional, kept on this PC only.
    session
        .type_into("contact-case-ref", "CNA/2026-0042")
        .await
        .unwrap();
    let id = fill_contacts_and_book(session).await;
    session.testid("hold-countdown").await.unwrap();
    harness.screenshot("13-prenotato").await.unwrap();

    session.click_testid("confirm-booking").await.unwrap();
    session
        .wait_attribute("outcome", "data-result", "confirmed")
        .await
        .unwrap();
    harness.screenshot("14-confermato").await.unwrap();

    // Copia identificativo: copied, and spelt for the phone while the button has focus.
    session
        .click_testid("copy-outcome-appointment-id")
        .await
        .unwrap();
    session
        .wait_attribute("copy-outcome-appointment-id", "data-copied", "true")
        .await
        .unwrap();
    let spoken = session
        .wait_text(&tid("outcome-appointment-id-spoken"), WAIT, |t| {
            t.starts_with("Si legge: Ancona Palermo – ")
        })
        .await
        .unwrap();
    assert_eq!(spoken.matches(" – ").count(), 2, "{spoken}");
    harness.screenshot("14-copia-identificativo").await.unwrap();

    // Gestione appuntamenti: Confermato, then Annulla appuntamento.
    session.click_testid("nav-appuntamenti").await.unwrap();
    session.wait_screen("appuntamenti").await.unwrap();
    session
        .wait_attribute("history-row", "data-status", "confermato")
        .await
        .unwrap();
    let row = session.testid("history-row").await.unwrap();
    assert_eq!(
        row.attribute("data-id").await.unwrap().as_deref(),
        Some(id.as_str())
    );
    assert!(row.text().await.unwrap().contains("Confermato"));
    harness.screenshot("15-gestione-confermato").await.unwrap();
    session.click_testid("history-open").await.unwrap();
    session.testid("appointment-detail").await.unwrap();
    session
        .wait_text(&tid("detail-case-ref"), WAIT, |t| t == "CNA/2026-0042")
        .await
        .unwrap();
    harness.screenshot("16-dettaglio").await.unwrap();
    session.click_testid("cancel-appointment").await.unwrap();
    session.testid("cancel-dialog").await.unwrap();
    session
        .type_into("cancel-dialog-reason", "Il contribuente non è disponibile")
        .await
        .unwrap();
    harness.screenshot("17-annulla-dialogo").await.unwrap();
    session.click_testid("cancel-dialog-confirm").await.unwrap();
    session
        .wait_attribute("history-row", "data-status", "annullato")
        .await
        .unwrap();
    harness.screenshot("18-annullato").await.unwrap();

    // Cerca finds it by part of the riferimento pratica, whatever the case; another text
    // finds nothing.
    session
        .type_into("history-filter-search", "cna/2026")
        .await
        .unwrap();
    session
        .wait_text(&tid("history-count"), WAIT, |t| {
            t.starts_with("1 appuntamento ")
        })
        .await
        .unwrap();
    session
        .wait_attribute("history-row", "data-id", &id)
        .await
        .unwrap();
    harness.screenshot("19-cerca-riferimento").await.unwrap();
    session
        .type_into("history-filter-search", "altra pratica")
        .await
        .unwrap();
    session
        .wait_text(&tid("history-empty"), WAIT, |t| {
            t.contains("Nessun appuntamento corrisponde")
        })
        .await
        .unwrap();
    // The Registro attività: one entry each for Prenota, Conferma and Annulla, on the ID,
    // and the chain verifies.
    session.click_testid("nav-registro").await.unwrap();
    session.wait_screen("registro").await.unwrap();
    session
        .wait_attribute("audit-row", "data-action", "annul")
        .await
        .unwrap();
    let mut on_id = Vec::new();
    for row in session.find_all(&tid("audit-row")).await.unwrap() {
        let text = row.text().await.unwrap();
        if text.contains(&id) {
            on_id.push(
                row.attribute("data-action")
                    .await
                    .unwrap()
                    .unwrap_or_default(),
            );
        }
    }
    assert_eq!(on_id, ["annul", "confirm", "book"], "newest first");
    session.click_testid("audit-verify").await.unwrap();
    session
        .wait_text(&tid("audit-check"), WAIT, |t| {
            t.starts_with("Registro integro")
        })
        .await
        .unwrap();
    harness.screenshot("19-registro-attivita").await.unwrap();

    // Nothing personal the operator typed or saw reached the app's log.
    harness
        .assert_log_free_of(&[
            &fiscal_code,
            "333 123 4567",
            "899 123456",
            "Chiarimenti sulla variazione di residenza",
            "Il contribuente non è disponibile",
            "Rossi Mario",
        ])
        .unwrap();
    harness.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancella_prenotazione_releases_the_held_slot() {
    let harness = Harness::start(&[]).await.unwrap();
    let session = &harness.session;
    open_rossi(session).await;
    wizard_to_contacts(session, ELIGIBLE).await.unwrap();
    fill_contacts_and_book(session).await;
    session.click_testid("cancel-booking").await.unwrap();
    session
        .wait_attribute("outcome", "data-result", "cancelled")
        .await
        .unwrap();
    harness
        .screenshot("20-prenotazione-cancellata")
        .await
        .unwrap();
    harness.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_hold_cannot_be_confirmed() {
    let harness = Harness::start(&[("CASSETTO_SANDBOX_HOLD_TTL", "3")])
        .await
        .unwrap();
    let session = &harness.session;
    open_rossi(session).await;
    wizard_to_contacts(session, ELIGIBLE).await.unwrap();
    fill_contacts_and_book(session).await;
    tokio::time::sleep(std::time::Duration::from_secs(5)).await;
    session.click_testid("confirm-booking").await.unwrap_or(());
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let expired = !session
            .find_all(&tid("hold-expired"))
            .await
            .unwrap()
            .is_empty();
        let failed = session
            .find_all("[data-testid=outcome][data-result=failed]")
            .await
            .unwrap()
            .len()
            == 1;
        if expired || failed {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the expiry was never shown"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    harness.screenshot("21-prenotazione-scaduta").await.unwrap();
    harness.stop().await.unwrap();
}

/// Books `start` at the same office and point for another contributor, over HTTP, as a
/// second desk would.
async fn book_elsewhere(base: &str, office: &str, point: &str, start: &str) {
    let http = reqwest::Client::new();
    let bearer = bearer(&http, base, "demo", "demo").await;
    let contributors = get_json(&http, base, "/api/v1/contributors?limit=500", &bearer).await;
    for contributor in contributors["items"].as_array().unwrap() {
        let code = contributor["fiscal_code"].as_str().unwrap();
        let comms = get_json(
            &http,
            base,
            &format!("/api/v1/contributors/{code}/communications"),
            &bearer,
        )
        .await;
        let Some(comm) = comms["items"].as_array().unwrap().iter().find(|c| {
            c["appointment_request"]["allowed"] == json!(true)
                && !contributor["display_name"]
                    .as_str()
                    .unwrap()
                    .contains("Rossi")
        }) else {
            continue;
        };
        let response = http
            .post(format!("{base}/api/v1/bookings"))
            .header("Authorization", &bearer)
            .header("Idempotency-Key", format!("e2e-{code}"))
            .json(&json!({
                "communication_id": comm["id"], "fiscal_code": code,
                "topic_code": comm["topic_code"], "consultation_point": point,
                "office_code": office, "slot_start": start,
                "phone": "06 1234 5678", "notes": "Prenotato da un altro sportello"
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
        return;
    }
    panic!("no other contributor with a bookable communication");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slot_taken_in_between_offers_the_alternatives() {
    let port = free_port().unwrap();
    let listen = format!("127.0.0.1:{port}");
    let harness = Harness::start(&[("CASSETTO_SANDBOX_LISTEN", &listen)])
        .await
        .unwrap();
    let session = &harness.session;
    open_rossi(session).await;
    let start = wizard_to_contacts(session, ELIGIBLE).await.unwrap();
    let chosen: Value = session
        .execute(
            "const r = document.querySelector('[data-testid=office-option]:checked');
             const p = document.querySelector('[data-testid=point-option]:checked');
             return {office: r && r.value, point: p && p.value};",
            json!([]),
        )
        .await
        .unwrap();
    let office = chosen["office"]
        .as_str()
        .expect("the chosen office is known");
    // The draft keeps the office's own point of the chosen kind: read it from the draft.
    let drafts: Value = session
        .execute_async(
            "const done = arguments[arguments.length - 1];
             window.__TAURI__.core.invoke('list_drafts').then(done, e => done({error: e}));",
            json!([]),
        )
        .await
        .unwrap();
    let point = drafts[0]["consultation_point"]
        .as_str()
        .expect("a saved draft")
        .to_owned();
    book_elsewhere(&format!("http://{listen}"), office, &point, &start).await;

    session
        .type_into("contact-phone", "333 123 4567")
        .await
        .unwrap();
    session
        .type_into("contact-notes", "Chiarimenti")
        .await
        .unwrap();
    session.click_testid("book-submit").await.unwrap();
    session.testid("alternative-option").await.unwrap();
    harness.screenshot("22-orario-occupato").await.unwrap();
    // "Prenota alle …" books the alternative at once.
    session.click_testid("alternative-option").await.unwrap();
    session
        .wait_text(&tid("appointment-id"), WAIT, |t| {
            t.trim().starts_with("AP-")
        })
        .await
        .unwrap();
    harness
        .screenshot("23-alternativa-prenotata")
        .await
        .unwrap();
    harness.stop().await.unwrap();
}
