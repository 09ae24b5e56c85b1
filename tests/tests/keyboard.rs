//! Keyboard first, in the real window against the embedded sandbox: from the agenda to a
//! confirmed appointment with Tab, Enter, Space, arrows and shortcuts only (typing telefono
//! and note aside) in at most 20 presses; the week of slots is one tab stop, a grid the
//! arrows move in; "?" lists the shortcuts.

use agenda_e2e::flows::{assert_accessible, sign_in_demo, tid, WAIT};
use agenda_e2e::{Harness, Session};
use serde_json::json;
use std::time::{Duration, Instant};

/// WebDriver's codes of the keys that type no character.
const TAB: &str = "\u{E004}";
const ENTER: &str = "\u{E007}";
const CONTROL: &str = "\u{E009}";
const ALT: &str = "\u{E00A}";
const ESCAPE: &str = "\u{E00C}";
const PAGE_UP: &str = "\u{E00E}";
const PAGE_DOWN: &str = "\u{E00F}";
const RIGHT: &str = "\u{E014}";

/// The most presses booking and confirming may take (issue 12, "Keyboard first").
const BUDGET: usize = 20;

/// Presses keys on whatever has focus and counts them: a chord (Alt+R) is one press.
struct Keyboard<'s> {
    session: &'s Session,
    presses: Vec<&'static str>,
}

impl<'s> Keyboard<'s> {
    async fn press(&mut self, name: &'static str, chord: &[&str]) {
        self.session.press(chord).await.unwrap();
        self.presses.push(name);
    }

    /// Types into the focused field (not a press: the text the operator dictates).
    async fn type_text(&self, text: &str) {
        self.session
            .active_element()
            .await
            .unwrap()
            .send_keys(text)
            .await
            .unwrap();
    }
}

/// Waits until the focused element matches `css`; fails with what has focus instead.
async fn wait_focus(session: &Session, css: &str) {
    let deadline = Instant::now() + WAIT;
    loop {
        let now = session
            .execute(
                "const a = document.activeElement;
                 return [a && a.matches(arguments[0]),
                   a ? a.outerHTML.slice(0, 160) : 'none'];",
                json!([css]),
            )
            .await
            .unwrap();
        if now[0].as_bool() == Some(true) {
            return;
        }
        if Instant::now() >= deadline {
            session.failure_screenshot(&format!("focus-{css}")).await;
            panic!("focus never on `{css}`; it is on {}", now[1]);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Whether the focused element matches `css` now.
async fn focused(session: &Session, css: &str) -> bool {
    session
        .execute(
            "return Boolean(document.activeElement && document.activeElement.matches(arguments[0]))",
            json!([css]),
        )
        .await
        .unwrap()
        .as_bool()
        .unwrap_or(false)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn from_the_agenda_to_confermato_by_keyboard_in_at_most_20_presses() {
    let harness = Harness::start(&[]).await.expect("the e2e harness starts");
    let session = &harness.session;
    sign_in_demo(session).await.unwrap();
    session
        .wait_text("#page-title", WAIT, |t| t == "Agenda dello sportello")
        .await
        .unwrap();
    session
        .wait(&format!("{}:not(:disabled)", tid("agenda-request")), WAIT)
        .await
        .unwrap();
    let mut keys = Keyboard {
        session,
        presses: Vec::new(),
    };

    // Alt+R: the agenda's first "Richiedi appuntamento"; Enter opens the wizard.
    keys.press("Alt+R", &[ALT, "r"]).await;
    wait_focus(session, &tid("agenda-request")).await;
    keys.press("Enter", &[ENTER]).await;
    session.wait_screen("prenotazione").await.unwrap();

    // Step 1: Tab to the first punto di consulenza; Enter chooses it and goes on.
    session.testid("point-option").await.unwrap();
    wait_focus(session, "#wizard-heading").await;
    keys.press("Tab", &[TAB]).await;
    wait_focus(session, "input[name=wizard-point]").await;
    keys.press("Enter", &[ENTER]).await;

    // Step 2: past the search field to the struttura; Enter chooses it and goes on.
    session.testid("office-option").await.unwrap();
    wait_focus(session, "#wizard-heading").await;
    keys.press("Tab", &[TAB]).await;
    wait_focus(session, &tid("office-search")).await;
    keys.press("Tab", &[TAB]).await;
    wait_focus(session, "input[name=wizard-office]").await;
    keys.press("Enter", &[ENTER]).await;

    // Step 3: the week is one tab stop (past the week buttons that are enabled).
    session
        .wait(
            &format!("#slots-week[role=grid] {}", tid("slot-option")),
            WAIT,
        )
        .await
        .unwrap();
    wait_focus(session, "#wizard-heading").await;
    for _ in 0..3 {
        keys.press("Tab", &[TAB]).await;
        if focused(session, "button.slot").await {
            break;
        }
    }
    wait_focus(
        session,
        "#slots-week button.slot:not(:disabled)[tabindex='0']",
    )
    .await;
    let stops = session
        .execute(
            "return document.querySelectorAll('#slots-week [tabindex=\"0\"]').length",
            json!([]),
        )
        .await
        .unwrap();
    assert_eq!(stops, json!(1), "the week has one tab stop");
    // PageDown / PageUp: the next week and back, focus on its tab stop. (Looking around,
    // not counted: the path below does not need them.)
    let week = session
        .testid("week-label")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    session.press(&[PAGE_DOWN]).await.unwrap();
    session
        .wait_text(&tid("week-label"), WAIT, |t| !t.is_empty() && t != week)
        .await
        .unwrap();
    wait_focus(
        session,
        "#slots-week button.slot:not(:disabled)[tabindex='0']",
    )
    .await;
    session.press(&[PAGE_UP]).await.unwrap();
    session
        .wait_text(&tid("week-label"), WAIT, |t| t == week)
        .await
        .unwrap();
    wait_focus(
        session,
        "#slots-week button.slot:not(:disabled)[tabindex='0']",
    )
    .await;
    // ArrowRight: the next day with a free slot, at the nearest time; the tab stop follows.
    let first = session
        .execute("return document.activeElement.dataset.start", json!([]))
        .await
        .unwrap();
    keys.press("ArrowRight", &[RIGHT]).await;
    let moved = session
        .execute(
            "const a = document.activeElement;
             return [a.dataset.start || '', a.tabIndex,
               document.querySelectorAll('#slots-week [tabindex=\"0\"]').length,
               a.closest('[role=row]') && a.closest('[role=gridcell]') ? 'cell' : 'not in a cell'];",
            json!([]),
        )
        .await
        .unwrap();
    let day = |start: &serde_json::Value| start.as_str().unwrap_or("").get(..10).map(str::to_owned);
    assert!(
        day(&moved[0]) > day(&first),
        "ArrowRight went to a later day: {first} → {}",
        moved[0]
    );
    assert_eq!(moved[1], json!(0), "the focused slot is the tab stop");
    assert_eq!(moved[2], json!(1), "still one tab stop");
    assert_eq!(moved[3], json!("cell"));
    harness.screenshot("50-tastiera-griglia").await.unwrap();
    assert_accessible(&harness, "passo 3, griglia degli orari")
        .await
        .unwrap();
    // Enter chooses the slot and moves to Avanti; Enter again goes on.
    let chosen = moved[0].as_str().unwrap().to_owned();
    keys.press("Enter", &[ENTER]).await;
    wait_focus(session, &tid("wizard-next")).await;
    session
        .wait(
            &format!(
                "{}[data-start=\"{chosen}\"][aria-pressed=true]",
                tid("slot-option")
            ),
            WAIT,
        )
        .await
        .unwrap();
    harness.screenshot("51-tastiera-avanti").await.unwrap();
    keys.press("Enter", &[ENTER]).await;

    // Contatti: Tab to Telefono, Enter to Note, Ctrl+Enter books.
    session.testid("contact-phone").await.unwrap();
    wait_focus(session, "#wizard-heading").await;
    keys.press("Tab", &[TAB]).await;
    wait_focus(session, &tid("contact-phone")).await;
    keys.type_text("333 246 8100").await;
    keys.press("Enter", &[ENTER]).await;
    wait_focus(session, &tid("contact-notes")).await;
    keys.type_text("Prenotata solo da tastiera").await;
    keys.press("Ctrl+Enter", &[CONTROL, ENTER]).await;
    let id = session
        .wait_text(&tid("appointment-id"), WAIT, |t| {
            t.trim().starts_with("AP-")
        })
        .await
        .unwrap()
        .trim()
        .to_owned();

    // The hold: Tab past Copia identificativo (beside the ID) to Conferma Appuntamento,
    // Enter.
    wait_focus(session, "#wizard-heading").await;
    keys.press("Tab", &[TAB]).await;
    wait_focus(session, &tid("copy-appointment-id")).await;
    keys.press("Tab", &[TAB]).await;
    wait_focus(session, &tid("confirm-booking")).await;
    keys.press("Enter", &[ENTER]).await;
    session
        .wait_attribute("outcome", "data-result", "confirmed")
        .await
        .unwrap();
    session
        .wait_text(&tid("outcome-appointment-id"), WAIT, |t| t.trim() == id)
        .await
        .unwrap();
    harness.screenshot("52-tastiera-confermato").await.unwrap();

    let count = keys.presses.len();
    eprintln!(
        "keyboard: {count} presses from the agenda to confermato: {}",
        keys.presses.join(", ")
    );
    assert!(
        count <= BUDGET,
        "{count} presses (budget {BUDGET}): {}",
        keys.presses.join(", ")
    );

    // As agenda.rs checks it: the agenda lists it confermato, and no hold is left.
    session.click_testid("nav-agenda").await.unwrap();
    session.wait_screen("agenda").await.unwrap();
    let deadline = Instant::now() + WAIT;
    'confirmed: loop {
        for row in session.find_all(&tid("agenda-appointment")).await.unwrap() {
            if row.text().await.is_ok_and(|t| t.contains(&id))
                && row.attribute("data-status").await.ok().flatten().as_deref()
                    == Some("confermato")
            {
                break 'confirmed;
            }
        }
        assert!(
            Instant::now() < deadline,
            "{id} never confermato in the agenda"
        );
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    assert!(session
        .find_all(&tid("agenda-hold"))
        .await
        .unwrap()
        .is_empty());

    // "?" (focus on no text field) opens the list of shortcuts, with the grid's keys.
    session
        .execute("document.getElementById('page-title').focus()", json!([]))
        .await
        .unwrap();
    session.press(&["?"]).await.unwrap();
    let dialog = session.testid("shortcuts-dialog").await.unwrap();
    wait_focus(session, "#shortcuts-title").await;
    assert_eq!(
        session
            .execute(
                "return document.getElementById('shortcuts-dialog').open",
                json!([])
            )
            .await
            .unwrap(),
        json!(true)
    );
    let text = dialog.text().await.unwrap();
    for listed in [
        "Scorciatoie da tastiera",
        "Alt + R",
        "←",
        "→",
        "↑",
        "↓",
        "Inizio",
        "Fine",
        "Ctrl + Inizio",
        "Pag ↑",
        "Pag ↓",
        "Invio",
        "Spazio",
        "Ctrl + Invio",
        "Settimana precedente o successiva",
    ] {
        assert!(
            text.contains(listed),
            "the dialog does not list {listed:?}:\n{text}"
        );
    }
    harness.screenshot("53-tastiera-scorciatoie").await.unwrap();
    assert_accessible(&harness, "scorciatoie da tastiera")
        .await
        .unwrap();
    // Escape closes it natively; focus goes back.
    session.press(&[ESCAPE]).await.unwrap();
    let deadline = Instant::now() + WAIT;
    while session
        .execute(
            "return document.getElementById('shortcuts-dialog').open",
            json!([]),
        )
        .await
        .unwrap()
        != json!(false)
    {
        assert!(Instant::now() < deadline, "Escape did not close the dialog");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    wait_focus(session, "#page-title").await;
    // The header's button opens it too.
    session.click_testid("shortcuts-open").await.unwrap();
    session.testid("shortcuts-dialog").await.unwrap();
    session.click_testid("shortcuts-close").await.unwrap();

    harness
        .assert_log_free_of(&["333 246 8100", "Prenotata solo da tastiera"])
        .unwrap();
    harness.stop().await.unwrap();
}
