//! The app window opens and shows its frame: heading, environment badge, sign-in; after
//! signing in, the navigation works. axe-core finds no serious accessibility violation.

use agenda_e2e::flows::{assert_accessible, sign_in_demo, tid, WAIT};
use agenda_e2e::Harness;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_window_opens_with_its_heading_badge_and_navigation() {
    let harness = Harness::start(&[]).await.expect("the e2e harness starts");
    let session = &harness.session;

    assert_eq!(session.title().await.unwrap(), "Cassetto Agenda");
    let brand = session.wait(".brand-name", WAIT).await.unwrap();
    assert_eq!(brand.text().await.unwrap(), "Cassetto Agenda");
    session
        .wait_text("#env-badge", WAIT, |t| t == "Ambiente di prova")
        .await
        .expect("the sandbox badge is shown");
    session.wait_screen("accesso").await.unwrap();
    session.testid("signin-demo-hint").await.unwrap();
    harness.screenshot("01-accesso").await.unwrap();
    assert_accessible(&harness, "accesso").await.unwrap();

    sign_in_demo(session).await.unwrap();
    let mut nav = Vec::new();
    for link in session.find_all(".app-nav a[data-route]").await.unwrap() {
        if link.displayed().await.unwrap() {
            nav.push(link.text().await.unwrap());
        }
    }
    assert!(nav.iter().any(|t| t.contains("Comunicazioni")), "{nav:?}");
    assert!(
        nav.iter().any(|t| t.contains("Gestione appuntamenti")),
        "{nav:?}"
    );
    session.testid("agenda-range").await.unwrap();
    harness.screenshot("02-agenda").await.unwrap();
    assert_accessible(&harness, "agenda").await.unwrap();
    session.click_testid("nav-assistiti").await.unwrap();
    session.wait_screen("assistiti").await.unwrap();
    harness.screenshot("02-assistiti").await.unwrap();
    assert_accessible(&harness, "assistiti").await.unwrap();

    session.click_testid("nav-appuntamenti").await.unwrap();
    session
        .wait_text("#page-title", WAIT, |t| t == "Gestione appuntamenti")
        .await
        .unwrap();
    assert!(session.find_all(&tid("env-badge")).await.unwrap().len() == 1);
    harness
        .screenshot("03-gestione-appuntamenti-vuota")
        .await
        .unwrap();

    harness.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_is_refused_with_a_message() {
    let harness = Harness::start(&[]).await.unwrap();
    let session = &harness.session;
    session.wait_screen("accesso").await.unwrap();
    session.type_into("signin-username", "demo").await.unwrap();
    session
        .type_into("signin-password", "sbagliata")
        .await
        .unwrap();
    session.click_testid("signin-submit").await.unwrap();
    let message = session
        .wait_text(&tid("signin-error"), WAIT, |t| !t.trim().is_empty())
        .await
        .unwrap();
    assert!(
        !message.contains("undefined") && !message.contains('{'),
        "{message}"
    );
    harness.screenshot("04-accesso-errato").await.unwrap();
    harness.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_launch_hands_over_to_the_open_window_and_exits() {
    let harness = Harness::start(&[]).await.expect("the e2e harness starts");
    let session = &harness.session;
    session.wait_screen("accesso").await.unwrap();

    // The operator double-clicks the icon again on the same desktop.
    let mut second = std::process::Command::new(agenda_e2e::app_binary().unwrap());
    harness.desktop.apply_env(&mut second);
    let mut second = second
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let status = loop {
        if let Some(status) = second.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = second.kill();
            panic!("the second instance kept running next to the first");
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert!(status.success(), "{status}");
    // The first window is still there and answers.
    sign_in_demo(session).await.unwrap();
    harness.stop().await.unwrap();
}
