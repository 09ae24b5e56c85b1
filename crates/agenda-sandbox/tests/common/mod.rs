//! Helpers shared by the integration tests: temporary databases, the router driven with
//! `oneshot`, and the real binary on port 0.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use agenda_sandbox::{app, open_state_with_clock, AppState, Config, ManualClock};
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use axum::Router;
use chrono::{DateTime, Utc};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

pub const DEMO_FC: &str = agenda_sandbox::seed::ELIGIBLE_FISCAL_CODE;

/// A database file in a fresh temporary directory, removed on drop.
pub struct TempDb {
    dir: PathBuf,
}

impl TempDb {
    pub fn new(name: &str) -> Self {
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "agenda-sandbox-{name}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        Self { dir }
    }

    pub fn path(&self) -> PathBuf {
        self.dir.join("sandbox.db")
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// An answer: status, headers and JSON body (`Null` when empty).
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Reply {
    /// The problem `code`, or "" when the body has none.
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }

    pub fn content_type(&self) -> &str {
        self.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

/// The router over a seeded database, with a clock the test moves.
pub struct TestApp {
    pub router: Router,
    pub state: AppState,
    pub clock: ManualClock,
    pub db: TempDb,
}

/// Thursday 26 November 2026, 10:00 in Rome.
pub fn default_now() -> DateTime<Utc> {
    "2026-11-26T09:00:00Z".parse().unwrap()
}

impl TestApp {
    pub async fn new() -> Self {
        Self::at(default_now(), Duration::from_secs(600)).await
    }

    pub async fn at(now: DateTime<Utc>, hold_ttl: Duration) -> Self {
        let db = TempDb::new("router");
        let clock = ManualClock::new(now);
        let config = Config {
            db_path: db.path(),
            hold_ttl,
            seed_demo: true,
            durable: false,
        };
        let state = open_state_with_clock(&config, clock.clock())
            .await
            .expect("open state");
        Self {
            router: app(state.clone()),
            state,
            clock,
            db,
        }
    }

    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&bytes)))
        };
        Reply {
            status,
            headers,
            body,
        }
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        key: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut request = Request::builder()
            .method(method)
            .uri(format!("/api/v1{path}"));
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        if let Some(key) = key {
            request = request.header("idempotency-key", key);
        }
        let request = match body {
            Some(body) => request
                .header("content-type", "application/json")
                .body(Body::from(body.to_string())),
            None => request.body(Body::empty()),
        };
        self.send(request.unwrap()).await
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.call(Method::GET, path, Some(token), None, None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Reply {
        self.call(Method::POST, path, Some(token), None, Some(body))
            .await
    }

    pub async fn book(&self, token: &str, key: &str, body: &Value) -> Reply {
        self.call(
            Method::POST,
            "/bookings",
            Some(token),
            Some(key),
            Some(body.clone()),
        )
        .await
    }

    pub async fn login_as(&self, username: &str, password: &str) -> Reply {
        self.call(
            Method::POST,
            "/auth/token",
            None,
            None,
            Some(json!({"grant_type": "password", "username": username, "password": password})),
        )
        .await
    }

    /// An access token of the demo operator.
    pub async fn login(&self) -> String {
        let reply = self.login_as("demo", "demo").await;
        assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
        reply.body["access_token"].as_str().unwrap().to_owned()
    }

    /// The first available slot of a point, at or after `from` (a date).
    pub async fn first_free_slot(&self, token: &str, office: &str, point: &str) -> String {
        let reply = self
            .get(
                &format!("/slots?office={office}&consultation_point={point}"),
                token,
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
        reply
            .body
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["available"] == true)
            .expect("a free slot")["start"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}

/// A booking body for a communication of the seed at a Rome sportello slot.
pub fn booking(communication: &str, fiscal_code: &str, topic: &str, slot: &str) -> Value {
    json!({
        "communication_id": communication,
        "fiscal_code": fiscal_code,
        "topic_code": topic,
        "consultation_point": "RM-DP-SPORTELLO",
        "office_code": "RM-DP",
        "slot_start": slot,
        "phone": "+39 333 123 4567",
        "notes": "Porterò la documentazione richiesta.",
    })
}

/// The real binary, started on port 0.
pub struct Process {
    child: Option<Child>,
    pub url: String,
}

impl Process {
    pub fn start(db: &Path, extra: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_agenda-sandbox"))
            .arg("--listen")
            .arg("127.0.0.1:0")
            .arg("--db")
            .arg(db)
            .args(extra)
            .env("AGENDA_SANDBOX_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start agenda-sandbox");
        let stdout = child.stdout.take().expect("stdout");
        let mut first = String::new();
        BufReader::new(stdout)
            .read_line(&mut first)
            .expect("first line");
        let url = first
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line: {first:?}"))
            .to_owned();
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        Self {
            child: Some(child),
            url,
        }
    }

    pub fn api(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.url)
    }

    /// Sends SIGTERM and waits (at most 10 s) for the exit.
    pub fn terminate(mut self) -> ExitStatus {
        let mut child = self.child.take().expect("running");
        let pid = child.id().to_string();
        let sent = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill");
        assert!(sent.success());
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = child.try_wait().expect("wait") {
                return status;
            }
            assert!(Instant::now() < deadline, "no exit 10 s after SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// An HTTP client for the real process.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

/// Logs in as the demo operator on the real process.
pub async fn login(client: &reqwest::Client, process: &Process) -> String {
    let reply: Value = client
        .post(process.api("/auth/token"))
        .json(&json!({"grant_type": "password", "username": "demo", "password": "demo"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    reply["access_token"].as_str().expect("token").to_owned()
}
