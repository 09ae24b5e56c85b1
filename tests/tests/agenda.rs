//! Agenda dello sportello, the first screen after sign-in, in the real window against the
//! embedded sandbox: a thread requestable today is one click from the wizard; the hold
//! booked from there waits at the top of the agenda with its countdown and is confirmed in
//! place; its ID, typed as read over the phone, opens its details, where Riprogramma moves
//! it to another slot in one step (the old one annullato, linked to the new).

use agenda_e2e::flows::{
    assert_accessible, retry_transient, row_child, sign_in_demo, through_the_wizard, tid, WAIT,
};
use agenda_e2e::{Element, Harness, Session};

/// Rossi Mario's thread bookable today in the demo seed.
const ELIGIBLE: &str = "Variazione dell'indirizzo di residenza";
/// Its row in the agenda (another assistito has a thread with the same subject).
const ROSSI_ELIGIBLE: &str = "Rossi Mario;Variazione dell'indirizzo di residenza";

/// The row of `testid` whose text contains `text`, once the agenda shows it.
async fn agenda_row<'s>(
    session: &'s Session,
    testid: &str,
    text: &str,
) -> Result<Element<'s>, String> {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        for row in session.find_all(&tid(testid)).await? {
            if row
                .text()
                .await
                .is_ok_and(|t| text.split(';').all(|part| t.contains(part)))
            {
                return Ok(row);
            }
        }
        if std::time::Instant::now() >= deadline {
            session.failure_screenshot(testid).await;
            return Err(format!("no {testid} with {text:?}"));
        }
        tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thread_requestable_today_is_booked_from_the_agenda_and_confirmed_in_place() {
    let harness = Harness::start(&[]).await.expect("the e2e harness starts");
    let session = &harness.session;
    sign_in_demo(session).await.unwrap();
    session
        .wait_text("#page-title", WAIT, |t| t == "Agenda dello sportello")
        .await
        .unwrap();
    agenda_row(session, "agenda-request-row", ROSSI_ELIGIBLE)
        .await
        .unwrap();
    harness.screenshot("40-agenda").await.unwrap();
    assert_accessible(&harness, "agenda").await.unwrap();

    // Richiedi appuntamento from the agenda: the wizard opens for Rossi Mario.
    retry_transient(|| async {
        let row = agenda_row(session, "agenda-request-row", ROSSI_ELIGIBLE).await?;
        row_child(session, &row, "agenda-request")
            .await?
            .click()
            .await
    })
    .await
    .unwrap();
    session
        .wait_text(&tid("selected-contributor-name"), WAIT, |t| {
            t.contains("Rossi Mario")
        })
        .await
        .unwrap();
    through_the_wizard(session, None).await.unwrap();
    session
        .type_into("contact-phone", "333 765 4321")
        .await
        .unwrap();
    session
        .type_into("contact-notes", "Prenotata dall'agenda dello sportello")
        .await
        .unwrap();
    session.click_testid("book-submit").await.unwrap();
    let id = session
        .wait_text(&tid("appointment-id"), WAIT, |t| {
            t.trim().starts_with("AP-")
        })
        .await
        .unwrap()
        .trim()
        .to_owned();

    // Back on the agenda: the hold is first, counting down, and confirmed in place.
    session.click_testid("nav-agenda").await.unwrap();
    session.wait_screen("agenda").await.unwrap();
    let hold = agenda_row(session, "agenda-hold", &id).await.unwrap();
    let left = row_child(session, &hold, "agenda-hold-left")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(left.contains(':'), "countdown {left:?}");
    harness.screenshot("41-agenda-prenotato").await.unwrap();
    assert_accessible(&harness, "agenda con prenotazione")
        .await
        .unwrap();
    retry_transient(|| async {
        let row = agenda_row(session, "agenda-hold", &id).await?;
        row_child(session, &row, "agenda-confirm")
            .await?
            .click()
            .await
    })
    .await
    .unwrap();
    // The agenda is drawn again after the confirmation: find the row anew each time.
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let row = agenda_row(session, "agenda-appointment", &id)
            .await
            .unwrap();
        let status = row.attribute("data-status").await.ok().flatten();
        if status.as_deref() == Some("confermato") {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "never confermato");
        tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    }
    assert!(session
        .find_all(&tid("agenda-hold"))
        .await
        .unwrap()
        .is_empty());
    // The thread is no longer requestable.
    for row in session.find_all(&tid("agenda-request-row")).await.unwrap() {
        let text = row.text().await.unwrap_or_default();
        assert!(
            !(text.contains("Rossi Mario") && text.contains(ELIGIBLE)),
            "{text}"
        );
    }
    // Its draft is gone with the confirmation: Bozze counts none.
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let badges = session.find_all(&tid("nav-drafts-count")).await.unwrap();
        let shown = match badges.first() {
            Some(badge) => badge.displayed().await.unwrap_or(false),
            None => false,
        };
        if !shown {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "Bozze still counts a draft"
        );
        tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    }
    harness.screenshot("42-agenda-confermato").await.unwrap();

    // Filters: only the confirmed ones of the week.
    retry_transient(|| async {
        session
            .wait(
                "[data-testid=\"agenda-filter-status\"] option[value=\"confermato\"]",
                WAIT,
            )
            .await?
            .click()
            .await
    })
    .await
    .unwrap();
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let mut statuses = Vec::new();
        for row in session.find_all(&tid("agenda-appointment")).await.unwrap() {
            statuses.push(row.attribute("data-status").await.ok().flatten());
        }
        if !statuses.is_empty() && statuses.iter().all(|s| s.as_deref() == Some("confermato")) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "filter not applied: {statuses:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    }
    harness
        .screenshot("42-agenda-filtro-confermati")
        .await
        .unwrap();
    session.click_testid("agenda-filter-reset").await.unwrap();

    // Trova per identificativo: the ID as read over the phone, lower case, no dashes.
    let spoken = id.replace('-', "").to_lowercase();
    session.type_into("find-id", &spoken).await.unwrap();
    session.click_testid("find-submit").await.unwrap();
    session.wait_screen("appuntamenti").await.unwrap();
    session
        .wait_text(&tid("detail-id"), WAIT, |t| t.trim() == id)
        .await
        .unwrap();
    // Who booked it, as the service tells.
    session
        .wait_text(&tid("detail-booked-by"), WAIT, |t| !t.trim().is_empty())
        .await
        .unwrap();
    harness
        .screenshot("43-trova-per-identificativo")
        .await
        .unwrap();
    assert_accessible(&harness, "dettaglio trovato per identificativo")
        .await
        .unwrap();

    // Riprogramma: another free slot of the same struttura, in one step.
    session.click_testid("detail-reschedule").await.unwrap();
    session.testid("reschedule-slot").await.unwrap();
    harness.screenshot("44-riprogramma").await.unwrap();
    assert_accessible(&harness, "riprogramma").await.unwrap();
    session.click_testid("reschedule-slot").await.unwrap();
    let new_id = session
        .wait_text(&tid("detail-id"), WAIT, |t| {
            t.trim().starts_with("AP-") && t.trim() != id
        })
        .await
        .unwrap()
        .trim()
        .to_owned();
    session
        .wait_text(&tid("detail-rescheduled-from"), WAIT, |t| t.trim() == id)
        .await
        .unwrap();
    harness.screenshot("45-riprogrammato").await.unwrap();
    // The old one: annullato, riprogrammato into the new one.
    session.type_into("find-id", &id).await.unwrap();
    session.click_testid("find-submit").await.unwrap();
    session
        .wait_text(&tid("detail-rescheduled-to"), WAIT, |t| t.trim() == new_id)
        .await
        .unwrap();
    session
        .wait_text(&tid("detail-status"), WAIT, |t| t.contains("Annullato"))
        .await
        .unwrap();
    session
        .wait_text(&tid("detail-cancel-reason"), WAIT, |t| {
            t.contains("Riprogrammato")
        })
        .await
        .unwrap();
    harness
        .assert_log_free_of(&["333 765 4321", "Prenotata dall'agenda dello sportello"])
        .unwrap();
    harness.stop().await.unwrap();
}
