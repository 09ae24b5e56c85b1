//! A small W3C WebDriver client: just the calls the end-to-end tests use.

use crate::Result;
use base64::Engine as _;
use serde_json::{json, Value};
use std::path::Path;
use std::time::{Duration, Instant};

const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A WebDriver session: one launched app window.
pub struct Session {
    http: reqwest::Client,
    url: String,
}

/// An element of the page.
#[derive(Clone)]
pub struct Element<'s> {
    session: &'s Session,
    id: String,
}

impl Session {
    /// Starts the app at `application` through the WebDriver server at `base`.
    pub async fn create(base: &str, application: &Path) -> Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| e.to_string())?;
        let body = json!({
            "capabilities": {
                "alwaysMatch": {
                    "browserName": "wry",
                    "tauri:options": { "application": application }
                }
            }
        });
        let value = send(http.post(format!("{base}/session")).json(&body)).await?;
        let id = value["sessionId"]
            .as_str()
            .ok_or_else(|| format!("no sessionId in {value}"))?
            .to_owned();
        Ok(Self {
            http,
            url: format!("{base}/session/{id}"),
        })
    }

    async fn get(&self, path: &str) -> Result<Value> {
        send(self.http.get(format!("{}{path}", self.url))).await
    }

    async fn post(&self, path: &str, body: Value) -> Result<Value> {
        send(self.http.post(format!("{}{path}", self.url)).json(&body)).await
    }

    /// The window title.
    pub async fn title(&self) -> Result<String> {
        Ok(self
            .get("/title")
            .await?
            .as_str()
            .unwrap_or_default()
            .to_owned())
    }

    /// Finds all elements matching a CSS selector (possibly none).
    pub async fn find_all(&self, css: &str) -> Result<Vec<Element<'_>>> {
        let value = self
            .post("/elements", json!({"using": "css selector", "value": css}))
            .await?;
        Ok(value
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v[ELEMENT_KEY].as_str())
            .map(|id| Element {
                session: self,
                id: id.to_owned(),
            })
            .collect())
    }

    /// Waits up to `timeout` for an element matching `css` to be displayed.
    pub async fn wait(&self, css: &str, timeout: Duration) -> Result<Element<'_>> {
        let deadline = Instant::now() + timeout;
        loop {
            for element in self.find_all(css).await? {
                // A node redrawn meanwhile is stale: look again.
                if element.displayed().await.unwrap_or(false) {
                    return Ok(element);
                }
            }
            if Instant::now() >= deadline {
                self.failure_screenshot(css).await;
                return Err(format!("no visible element `{css}` after {timeout:?}"));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits up to `timeout` until the text of `css` satisfies `pred`; returns that text.
    pub async fn wait_text(
        &self,
        css: &str,
        timeout: Duration,
        pred: impl Fn(&str) -> bool,
    ) -> Result<String> {
        let deadline = Instant::now() + timeout;
        let mut last = String::new();
        loop {
            if let Some(element) = self.find_all(css).await?.into_iter().next() {
                if let Ok(text) = element.text().await {
                    last = text;
                    if pred(&last) {
                        return Ok(last);
                    }
                }
            }
            if Instant::now() >= deadline {
                self.failure_screenshot(css).await;
                return Err(format!(
                    "text of `{css}` never matched after {timeout:?}; last: {last:?}"
                ));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Saves what the window shows as `target/e2e-artifacts/failure-<what>.png`, so that a
    /// failed wait can be looked at.
    pub async fn failure_screenshot(&self, what: &str) {
        let name: String = what
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        let _ = self.save_screenshot(&format!("failure-{name}")).await;
    }

    /// Saves what the window shows as `target/e2e-artifacts/<name>.png`.
    pub async fn save_screenshot(&self, name: &str) -> Result<std::path::PathBuf> {
        let png = self.screenshot().await?;
        let dir = crate::artifacts_dir();
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(path)
    }

    /// Runs `script` in the page (synchronously) and returns its value.
    pub async fn execute(&self, script: &str, args: Value) -> Result<Value> {
        self.post("/execute/sync", json!({"script": script, "args": args}))
            .await
    }

    /// Runs an async `script` whose last argument is the callback to call with the result.
    pub async fn execute_async(&self, script: &str, args: Value) -> Result<Value> {
        self.post("/execute/async", json!({"script": script, "args": args}))
            .await
    }

    /// A PNG screenshot of the window.
    pub async fn screenshot(&self) -> Result<Vec<u8>> {
        let value = self.get("/screenshot").await?;
        let data = value.as_str().ok_or("the screenshot is not a string")?;
        base64::engine::general_purpose::STANDARD
            .decode(data)
            .map_err(|e| format!("the screenshot is not base64: {e}"))
    }

    /// The element that has focus (the page's body when none has).
    pub async fn active_element(&self) -> Result<Element<'_>> {
        let value = self.get("/element/active").await?;
        let id = value[ELEMENT_KEY]
            .as_str()
            .ok_or_else(|| format!("no active element in {value}"))?;
        Ok(Element {
            session: self,
            id: id.to_owned(),
        })
    }

    /// Presses `chord` on whatever has focus, as a person at the keyboard would: the keys go
    /// down in order and come up in reverse (W3C Actions). Keys are characters or WebDriver's
    /// codes of the other keys: `&["\u{E004}"]` is Tab, `&["\u{E00A}", "r"]` Alt+R.
    pub async fn press(&self, chord: &[&str]) -> Result<()> {
        let mut actions: Vec<Value> = chord
            .iter()
            .map(|key| json!({"type": "keyDown", "value": key}))
            .collect();
        actions.extend(
            chord
                .iter()
                .rev()
                .map(|key| json!({"type": "keyUp", "value": key})),
        );
        self.post(
            "/actions",
            json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]}),
        )
        .await
        .map(|_| ())
    }

    /// Ends the session, closing the app.
    pub async fn delete(&self) -> Result<()> {
        send(self.http.delete(&self.url)).await.map(|_| ())
    }
}

impl<'s> Element<'s> {
    /// The first descendant matching a CSS selector, if any.
    pub async fn find(&self, css: &str) -> Result<Option<Element<'s>>> {
        let value = self
            .session
            .post(
                &format!("/element/{}/elements", self.id),
                json!({"using": "css selector", "value": css}),
            )
            .await?;
        Ok(value
            .as_array()
            .and_then(|a| a.first())
            .and_then(|v| v[ELEMENT_KEY].as_str())
            .map(|id| Element {
                session: self.session,
                id: id.to_owned(),
            }))
    }

    /// The same element, bound to `session` (for helpers that take both).
    pub fn with_session(self, session: &'s Session) -> Element<'s> {
        Element {
            session,
            id: self.id,
        }
    }

    async fn get(&self, what: &str) -> Result<Value> {
        self.session
            .get(&format!("/element/{}/{what}", self.id))
            .await
    }

    /// The rendered text.
    pub async fn text(&self) -> Result<String> {
        Ok(self
            .get("text")
            .await?
            .as_str()
            .unwrap_or_default()
            .to_owned())
    }

    /// Whether it is displayed.
    pub async fn displayed(&self) -> Result<bool> {
        Ok(self.get("displayed").await?.as_bool().unwrap_or(false))
    }

    /// Whether it is enabled.
    pub async fn enabled(&self) -> Result<bool> {
        Ok(self.get("enabled").await?.as_bool().unwrap_or(false))
    }

    /// An attribute's value, if set.
    pub async fn attribute(&self, name: &str) -> Result<Option<String>> {
        Ok(self
            .get(&format!("attribute/{name}"))
            .await?
            .as_str()
            .map(str::to_owned))
    }

    /// A DOM property's value.
    pub async fn property(&self, name: &str) -> Result<Value> {
        self.get(&format!("property/{name}")).await
    }

    /// Clicks it.
    pub async fn click(&self) -> Result<()> {
        self.session
            .post(&format!("/element/{}/click", self.id), json!({}))
            .await
            .map(|_| ())
    }

    /// Clears it (inputs and textareas).
    pub async fn clear(&self) -> Result<()> {
        self.session
            .post(&format!("/element/{}/clear", self.id), json!({}))
            .await
            .map(|_| ())
    }

    /// Types `text` into it.
    pub async fn send_keys(&self, text: &str) -> Result<()> {
        self.session
            .post(
                &format!("/element/{}/value", self.id),
                json!({"text": text}),
            )
            .await
            .map(|_| ())
    }
}

/// Asks the WebDriver server at `base` whether it is ready for a new session (`GET /status`,
/// which tauri-driver forwards to WebKitWebDriver).
pub(crate) async fn status(base: &str) -> Result<bool> {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .map_err(|e| e.to_string())?;
    let value = send(http.get(format!("{base}/status"))).await?;
    Ok(value["ready"].as_bool().unwrap_or(false))
}

/// The error and every cause below it: reqwest's own message ("error sending request")
/// hides whether the connection was refused, reset or timed out.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

async fn send(request: reqwest::RequestBuilder) -> Result<Value> {
    let response = request
        .send()
        .await
        .map_err(|e| format!("WebDriver request failed: {}", chain(&e)))?;
    let status = response.status();
    let body: Value = response
        .json()
        .await
        .map_err(|e| format!("WebDriver answered {status} with no JSON: {}", chain(&e)))?;
    let value = body.get("value").cloned().unwrap_or(Value::Null);
    if status.is_success() {
        Ok(value)
    } else {
        Err(format!(
            "WebDriver error {status}: {} {}",
            value["error"].as_str().unwrap_or(""),
            value["message"].as_str().unwrap_or("")
        ))
    }
}
