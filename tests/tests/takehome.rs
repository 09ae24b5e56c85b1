//! What the contributor takes home, in the real window: after Conferma Appuntamento the
//! outcome offers Stampa ricevuta, Salva PDF and Calendario (.ics); the details offer them
//! again, and Gestione appuntamenti exports its list. The save dialog is replaced by
//! `CASSETTO_SAVE_DIR` (a native dialog is outside the page WebDriver drives) and the PDF
//! viewer by a script that records what it was asked to open (`CASSETTO_OPEN_WITH`); the
//! files are read back with pdftotext.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use agenda_e2e::flows::{pick_contributor, sign_in_demo, tid, wizard_to_contacts, WAIT};
use agenda_e2e::Harness;

const ELIGIBLE: &str = "Variazione dell'indirizzo di residenza";

/// Waits until `path` exists and is not empty (the file is renamed into place whole).
async fn wait_file(path: &Path) -> Vec<u8> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(bytes) = std::fs::read(path) {
            if !bytes.is_empty() {
                return bytes;
            }
        }
        assert!(
            Instant::now() < deadline,
            "{} never appeared",
            path.display()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn pdf_text(path: &Path) -> String {
    let out = Command::new("pdftotext")
        .arg(path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed by scripts/test-all.sh");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_receipt_and_the_calendar_file_are_printed_and_saved_from_the_outcome_and_the_details()
{
    let work = std::env::temp_dir().join(format!("cassetto-takehome-{}", std::process::id()));
    let saved = work.join("salvati");
    std::fs::create_dir_all(&saved).unwrap();
    // The "PDF viewer": records the file it is asked to open.
    let opened_log = work.join("opened.txt");
    let viewer = work.join("viewer.sh");
    std::fs::write(
        &viewer,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$@\" >> '{}'\n",
            opened_log.display()
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&viewer, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let harness = Harness::start(&[
        ("CASSETTO_SAVE_DIR", saved.to_str().unwrap()),
        ("CASSETTO_OPEN_WITH", viewer.to_str().unwrap()),
    ])
    .await
    .expect("the e2e harness starts");
    let session = &harness.session;
    sign_in_demo(session).await.unwrap();
    pick_contributor(session, "Rossi", "Rossi Mario")
        .await
        .unwrap();
    session.click_testid("nav-comunicazioni").await.unwrap();
    session.wait_screen("comunicazioni").await.unwrap();
    wizard_to_contacts(session, ELIGIBLE).await.unwrap();
    session
        .type_into("contact-phone", "333 123 4567")
        .await
        .unwrap();
    session
        .type_into("contact-notes", "Nota riservata sulla residenza")
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
    // While held there is nothing to take home yet.
    for element in session.find_all(&tid("outcome-take-home")).await.unwrap() {
        assert!(!element.displayed().await.unwrap());
    }
    session.click_testid("confirm-booking").await.unwrap();
    session
        .wait_attribute("outcome", "data-result", "confirmed")
        .await
        .unwrap();
    harness.screenshot("40-esito-ricevuta").await.unwrap();

    // Salva PDF: the receipt, with the ID, the date in words, never the notes.
    session.click_testid("outcome-save-receipt").await.unwrap();
    let pdf = saved.join(format!("ricevuta-{id}.pdf"));
    let bytes = wait_file(&pdf).await;
    assert!(bytes.starts_with(b"%PDF-"));
    let text = pdf_text(&pdf);
    assert!(text.contains(&id), "{text}");
    assert!(text.contains(", ore "), "{text}");
    assert!(text.contains("Rossi Mario"), "{text}");
    assert!(
        !text.contains("Nota riservata"),
        "the notes are never printed"
    );
    session
        .wait_text(&tid("notice-text"), WAIT, |t| {
            t.contains(&format!("ricevuta-{id}.pdf"))
        })
        .await
        .unwrap();
    harness.screenshot("41-ricevuta-salvata").await.unwrap();

    // Calendario (.ics): the event, its UID the ID, in Rome's time zone.
    session.click_testid("outcome-save-ics").await.unwrap();
    let ics = wait_file(&saved.join(format!("appuntamento-{id}.ics"))).await;
    let ics = String::from_utf8(ics).unwrap();
    assert!(ics.contains(&format!("UID:{id}\r\n")), "{ics}");
    assert!(ics.contains("DTSTART;TZID=Europe/Rome:"), "{ics}");
    assert!(ics.contains("BEGIN:VTIMEZONE"), "{ics}");

    // Stampa ricevuta: written to the print folder and handed to the viewer.
    session.click_testid("outcome-print-receipt").await.unwrap();
    let opened = String::from_utf8(wait_file(&opened_log).await).unwrap();
    let printed = PathBuf::from(opened.lines().next().unwrap().trim());
    assert!(printed.ends_with(format!("ricevuta-{id}.pdf")), "{opened}");
    assert!(
        printed.starts_with(harness.desktop.cache_home()),
        "{}",
        printed.display()
    );
    assert!(pdf_text(&printed).contains(&id));

    // The details offer them again; Gestione appuntamenti exports its list.
    session.click_testid("outcome-to-history").await.unwrap();
    session.wait_screen("appuntamenti").await.unwrap();
    session
        .wait_attribute("history-row", "data-status", "confermato")
        .await
        .unwrap();
    session.click_testid("history-open").await.unwrap();
    session.testid("detail-save-receipt").await.unwrap();
    harness.screenshot("42-dettaglio-ricevuta").await.unwrap();
    std::fs::remove_file(&pdf).unwrap();
    session.click_testid("detail-save-receipt").await.unwrap();
    wait_file(&pdf).await;
    assert!(pdf_text(&pdf).contains(&id));
    session.click_testid("history-export-ics").await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let list = loop {
        let found = std::fs::read_dir(&saved)
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .find(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("appuntamenti-") && n.ends_with(".ics"))
            });
        if let Some(path) = found {
            break String::from_utf8(wait_file(&path).await).unwrap();
        }
        assert!(
            Instant::now() < deadline,
            "the list's calendar file never appeared"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(list.contains(&format!("UID:{id}\r\n")), "{list}");

    // Impostazioni: the reminders' opening time, refused when it is not a time, kept when
    // it is (the shell reads it for its next look).
    session.click_testid("open-settings").await.unwrap();
    session.wait_screen("impostazioni").await.unwrap();
    let daily = session.testid("settings-reminders-daily").await.unwrap();
    assert_eq!(
        daily.property("checked").await.unwrap(),
        serde_json::json!(true)
    );
    let at = session.testid("settings-reminders-at").await.unwrap();
    assert_eq!(
        at.property("value").await.unwrap(),
        serde_json::json!("08:30")
    );
    session
        .type_into("settings-reminders-at", "25:00")
        .await
        .unwrap();
    session.click_testid("settings-save").await.unwrap();
    session
        .wait_text(&tid("settings-error"), WAIT, |t| t.contains("HH:MM"))
        .await
        .unwrap();
    harness
        .screenshot("43-impostazioni-promemoria-errore")
        .await
        .unwrap();
    session
        .type_into("settings-reminders-at", "07:45")
        .await
        .unwrap();
    session.click_testid("settings-save").await.unwrap();
    session
        .wait_text(&tid("notice-text"), WAIT, |t| {
            t.contains("Impostazioni salvate")
        })
        .await
        .unwrap();
    let prefs_file = harness
        .desktop
        .data_home()
        .join("it.cassetto.agenda/preferences.json");
    let prefs = std::fs::read_to_string(&prefs_file).unwrap();
    assert!(
        prefs.contains("\"reminders_at\":\"07:45\"")
            || prefs.contains("\"reminders_at\": \"07:45\""),
        "{prefs}"
    );
    harness
        .screenshot("44-impostazioni-promemoria")
        .await
        .unwrap();

    // Esci empties the print folder: the next operator finds no receipt of this one's.
    agenda_e2e::flows::sign_out(session).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while printed.exists() {
        assert!(
            Instant::now() < deadline,
            "the printed receipt outlived Esci"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    harness.stop().await.unwrap();
    std::fs::remove_dir_all(&work).ok();
}
