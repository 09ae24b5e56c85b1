//! Steps that many end-to-end tests share, written the way an operator works the window.

use crate::{Element, Harness, Result, Session};
use serde_json::{json, Value};
use std::time::Duration;

/// How long a screen may take to show what a step waits for.
pub const WAIT: Duration = Duration::from_secs(30);

/// The CSS selector of a `data-testid`.
pub fn tid(testid: &str) -> String {
    format!("[data-testid=\"{testid}\"]")
}

impl Session {
    /// Waits for the visible element with `testid`.
    pub async fn testid(&self, testid: &str) -> Result<Element<'_>> {
        self.wait(&tid(testid), WAIT).await
    }

    /// Clicks the visible element with `testid` (again, if it was redrawn in between).
    pub async fn click_testid(&self, testid: &str) -> Result<()> {
        retry_transient(|| async { self.testid(testid).await?.click().await }).await
    }

    /// Replaces the text of the field with `testid`.
    pub async fn type_into(&self, testid: &str, text: &str) -> Result<()> {
        retry_transient(|| async {
            let field = self.testid(testid).await?;
            // As a person would: select everything, delete it, type. (WebDriver's "clear"
            // fires no input event, so the screen's state would keep the old text.)
            field.send_keys("\u{E009}a\u{E000}\u{E003}").await?;
            field.send_keys(text).await
        })
        .await
    }

    /// Waits until `<body data-screen>` is `screen`.
    pub async fn wait_screen(&self, screen: &str) -> Result<()> {
        let deadline = std::time::Instant::now() + WAIT;
        loop {
            let current = self
                .execute("return document.body.dataset.screen || ''", json!([]))
                .await?;
            if current.as_str() == Some(screen) {
                return Ok(());
            }
            if std::time::Instant::now() >= deadline {
                return Err(format!("screen is {current}, never became {screen:?}"));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the element with `testid` has `attribute` equal to `value`.
    pub async fn wait_attribute(&self, testid: &str, attribute: &str, value: &str) -> Result<()> {
        let deadline = std::time::Instant::now() + WAIT;
        loop {
            if let Some(element) = self.find_all(&tid(testid)).await?.into_iter().next() {
                if element.attribute(attribute).await?.as_deref() == Some(value) {
                    return Ok(());
                }
            }
            if std::time::Instant::now() >= deadline {
                return Err(format!("{testid} never had {attribute}={value:?}"));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// Signs in as the demo operator of the embedded sandbox and waits for the main screens.
pub async fn sign_in_demo(session: &Session) -> Result<()> {
    sign_in_as(session, "demo", "demo").await
}

/// Signs in as `username` and waits for the first screen, the desk's agenda.
pub async fn sign_in_as(session: &Session, username: &str, password: &str) -> Result<()> {
    session.wait_screen("accesso").await?;
    session.type_into("signin-username", username).await?;
    session.type_into("signin-password", password).await?;
    session.click_testid("signin-submit").await?;
    if let Err(error) = session.wait_screen("agenda").await {
        let shown = session
            .execute(
                "return [document.body.dataset.screen, \
                 document.querySelector('[data-testid=signin-error]').textContent].join(' | ')",
                json!([]),
            )
            .await;
        return Err(format!(
            "sign-in did not complete ({error}); window: {shown:?}"
        ));
    }
    Ok(())
}

/// "Esci" from the header; waits for the sign-in screen.
pub async fn sign_out(session: &Session) -> Result<()> {
    session.click_testid("sign-out").await?;
    session.wait_screen("accesso").await
}

/// Searches Assistiti for `query` and picks the result whose text contains `name`; waits for
/// the *utente selezionato* in the header. Returns the fiscal code.
pub async fn pick_contributor(session: &Session, query: &str, name: &str) -> Result<String> {
    session.click_testid("nav-assistiti").await?;
    session.wait_screen("assistiti").await?;
    session.type_into("contributor-search", query).await?;
    // The results are redrawn as the search settles: a row found a moment ago may be gone
    // (stale), so look again until one is clicked.
    let deadline = std::time::Instant::now() + WAIT;
    let code = loop {
        let mut clicked = None;
        for option in session.find_all(&tid("contributor-option")).await? {
            let Ok(text) = option.text().await else { break };
            if text.contains(name) {
                let code = option.attribute("data-fiscal-code").await;
                if let (Ok(code), Ok(())) = (code, option.click().await) {
                    clicked = Some(code.unwrap_or_default());
                }
                break;
            }
        }
        if let Some(code) = clicked {
            break code;
        }
        if std::time::Instant::now() >= deadline {
            return Err(format!("no contributor option with {name:?}"));
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    };
    // A click that landed while the list was redrawn selects nothing: click again.
    for _ in 0..5 {
        let selected = session
            .wait_text(&tid("selected-contributor-name"), WAIT / 6, |t| {
                t.contains(name)
            })
            .await;
        if selected.is_ok() {
            return Ok(code);
        }
        for option in session.find_all(&tid("contributor-option")).await? {
            if option.text().await.is_ok_and(|t| t.contains(name)) {
                let _ = option.click().await;
                break;
            }
        }
    }
    Err(format!("{name} never became the utente selezionato"))
}

/// The communication row whose text contains `subject`, once the list shows it.
pub async fn communication_row<'s>(session: &'s Session, subject: &str) -> Result<Element<'s>> {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        for row in session.find_all(&tid("comm-row")).await? {
            if row.text().await.is_ok_and(|t| t.contains(subject)) {
                return Ok(row);
            }
        }
        if std::time::Instant::now() >= deadline {
            return Err(format!("no communication row with {subject:?}"));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Clicks "Richiedi appuntamento" on the row with `subject` and goes through steps 1–3 of
/// the wizard, choosing the first punto di consulenza, struttura and free slot. Returns the
/// chosen slot's start.
pub async fn wizard_to_contacts(session: &Session, subject: &str) -> Result<String> {
    wizard_to_contacts_with(session, subject, None).await
}

/// [`wizard_to_contacts`], saving `<prefix>-1-argomento.png` … when `shots` is given.
pub async fn wizard_to_contacts_with(
    session: &Session,
    subject: &str,
    shots: Option<&str>,
) -> Result<String> {
    // The list and the week view are redrawn as their data arrives: an element found a
    // moment ago may be gone (stale), so find it again.
    retry_transient(|| async {
        let row = communication_row(session, subject).await?;
        row_child(session, &row, "request-appointment")
            .await?
            .click()
            .await
    })
    .await?;
    through_the_wizard(session, shots).await
}

/// From step 1 of an open wizard to the contact fields, choosing the first punto di
/// consulenza, struttura and free slot (screenshots `<prefix>-1-argomento.png` … when
/// `shots` is given). Returns the chosen slot's start.
pub async fn through_the_wizard(session: &Session, shots: Option<&str>) -> Result<String> {
    let shot = |step: &'static str| async move {
        if let Some(prefix) = shots {
            session.save_screenshot(&format!("{prefix}-{step}")).await?;
        }
        Ok::<(), String>(())
    };
    session.wait_screen("prenotazione").await?;
    session.click_testid("point-option").await?;
    shot("1-argomento").await?;
    session.click_testid("wizard-next").await?;
    session.click_testid("office-option").await?;
    shot("2-struttura").await?;
    session.click_testid("wizard-next").await?;
    let start = retry_transient(|| async {
        let slot = first_free_slot(session).await?;
        let start = slot.attribute("data-start").await?.unwrap_or_default();
        slot.click().await?;
        Ok(start)
    })
    .await?;
    shot("3-data-ora").await?;
    session.click_testid("wizard-next").await?;
    session.testid("contact-phone").await?;
    Ok(start)
}

/// Whether a WebDriver error is one a person would simply wait out: the element was redrawn
/// (stale), or is there but cannot take the click yet (covered by a screen being swapped,
/// laid out with no size for a frame). Such a click did not happen, so it is safe to repeat.
fn is_transient(error: &str) -> bool {
    ["stale element", "not interactable", "click intercepted"]
        .iter()
        .any(|word| error.contains(word))
}

/// Runs `step` again while it fails on an element that was redrawn or is not clickable yet,
/// for at most [`WAIT`]; the last error is returned after that.
pub async fn retry_transient<T, F, Fut>(mut step: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T>>,
{
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        match step().await {
            Err(e) if is_transient(&e) && std::time::Instant::now() < deadline => {}
            other => return other,
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

/// The first enabled slot of the week view, moving to later weeks while one is empty.
pub async fn first_free_slot(session: &Session) -> Result<Element<'_>> {
    for _ in 0..9 {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            for slot in session.find_all(&tid("slot-option")).await? {
                if slot.enabled().await? && slot.displayed().await? {
                    return Ok(slot);
                }
            }
            let mut empty = false;
            for element in session.find_all(&tid("slots-empty")).await? {
                empty |= element.displayed().await?;
            }
            if empty || std::time::Instant::now() >= deadline {
                break;
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
        session.click_testid("week-next").await?;
    }
    Err("no free slot in the next weeks".into())
}

/// The element with `testid` inside `row`.
pub async fn row_child<'s>(
    session: &'s Session,
    row: &Element<'s>,
    testid: &str,
) -> Result<Element<'s>> {
    row.find(&tid(testid))
        .await?
        .ok_or_else(|| format!("no {testid} in the row"))
        .map(|e| e.with_session(session))
}

/// Runs axe-core in the window and fails on any serious or critical violation.
pub async fn assert_accessible(harness: &Harness, screen: &str) -> Result<()> {
    let axe_path = crate::workspace_root().join("tests/node_modules/axe-core/axe.min.js");
    let axe = std::fs::read_to_string(&axe_path).map_err(|e| {
        format!(
            "axe-core is not installed ({}: {e}); run `npm ci --prefix tests`",
            axe_path.display()
        )
    })?;
    harness.session.execute(&axe, json!([])).await?;
    let result: Value = harness
        .session
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, {resultTypes: ['violations']})
               .then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                 nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))))
               .catch(e => done({error: String(e)}));",
            json!([]),
        )
        .await?;
    if let Some(error) = result.get("error") {
        return Err(format!("axe-core failed on {screen}: {error}"));
    }
    let serious: Vec<&Value> = result
        .as_array()
        .into_iter()
        .flatten()
        .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
        .collect();
    if serious.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "axe-core: serious or critical violations on {screen}: {}",
            serde_json::to_string_pretty(&serious).unwrap_or_default()
        ))
    }
}
