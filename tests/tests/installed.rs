//! The app as installed from its .deb: `scripts/test-packages.sh` installs the package with
//! `dpkg -i` and runs this test with `CASSETTO_APP_BINARY=/usr/bin/cassetto-agenda`, then
//! removes the package. It drives the installed binary to the sign-in screen and to
//! Informazioni, whose build facts must be this build's. `cargo test` alone has no installed
//! package to drive, so the test is ignored there and run by that script with `--ignored`.

use agenda_e2e::flows::{tid, WAIT};
use agenda_e2e::Harness;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the installed .deb: run by scripts/test-packages.sh"]
async fn the_installed_app_opens_at_sign_in_and_tells_its_build() {
    let binary = std::env::var("CASSETTO_APP_BINARY")
        .expect("CASSETTO_APP_BINARY names the installed binary (scripts/test-packages.sh)");
    assert!(
        binary.starts_with("/usr/"),
        "this test drives an installed binary, not {binary}"
    );
    let harness = Harness::start(&[]).await.expect("the e2e harness starts");
    let session = &harness.session;

    assert_eq!(session.title().await.unwrap(), "Cassetto Agenda");
    session.wait_screen("accesso").await.unwrap();
    session
        .wait_text("#env-badge", WAIT, |t| t == "Ambiente di prova")
        .await
        .expect("the embedded sandbox is the default service");
    harness.screenshot("installed-01-accesso").await.unwrap();

    session.click_testid("signin-about").await.unwrap();
    session.wait_screen("informazioni").await.unwrap();
    let version = session
        .wait_text(&tid("about-version"), WAIT, |t| !t.is_empty())
        .await
        .unwrap();
    assert_eq!(version, env!("CARGO_PKG_VERSION"));
    let license = session
        .testid("about-license")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(license, "EUPL-1.2");
    let commit = session
        .testid("about-commit")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    if let Ok(expected) = std::env::var("CASSETTO_EXPECT_COMMIT") {
        assert_eq!(commit, expected, "the package holds the commit under test");
    }
    let built = session
        .testid("about-build-date")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        built.len() == "2026-12-05 07:30 UTC".len() && built.ends_with(" UTC"),
        "build date: {built:?}"
    );
    let text = session
        .testid("about-text")
        .await
        .unwrap()
        .property("value")
        .await
        .unwrap();
    let text = text.as_str().unwrap_or_default().to_owned();
    assert!(text.contains(&format!("Commit: {commit}")), "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("Cartella dei dati: ") && l.ends_with("it.cassetto.agenda")),
        "{text}"
    );
    harness
        .screenshot("installed-02-informazioni")
        .await
        .unwrap();

    harness.stop().await.unwrap();
}
