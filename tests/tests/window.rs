//! The app window opens and shows its frame: heading, environment badge, navigation.

use agenda_e2e::Harness;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(30);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_window_opens_with_its_heading_and_navigation() {
    let harness = Harness::start(&[]).await.expect("the e2e harness starts");
    let session = &harness.session;

    assert_eq!(session.title().await.unwrap(), "Cassetto Agenda");
    let brand = session.wait(".brand-name", WAIT).await.unwrap();
    assert_eq!(brand.text().await.unwrap(), "Cassetto Agenda");
    session
        .wait_text("#env-badge", WAIT, |t| t == "Ambiente di prova")
        .await
        .expect("the sandbox badge is shown");
    let nav: Vec<String> = {
        let mut texts = Vec::new();
        for link in session.find_all(".app-nav a").await.unwrap() {
            texts.push(link.text().await.unwrap());
        }
        texts
    };
    assert_eq!(nav, ["Comunicazioni", "Gestione appuntamenti"]);
    harness.screenshot("01-window").await.unwrap();

    session
        .find_all(".app-nav a[data-route=appuntamenti]")
        .await
        .unwrap()[0]
        .click()
        .await
        .unwrap();
    session
        .wait_text("#page-title", WAIT, |t| t == "Gestione appuntamenti")
        .await
        .unwrap();
    harness
        .screenshot("02-gestione-appuntamenti")
        .await
        .unwrap();

    harness.stop().await.unwrap();
}
