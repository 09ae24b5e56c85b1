//! A small fault-injecting HTTP/1.1 proxy between the client and the sandbox.
//!
//! One request per connection (the proxy answers with `connection: close`). Faults are
//! scripted per method and path prefix and consumed in order; requests without a fault pass
//! through. The proxy can also go offline (its port refuses connections) and come back on
//! the same port, and can treat the access tokens seen so far as expired (answering `401`).
//! Every request is logged, so tests can count what reached the wire.

use std::collections::{HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// What to do with one matching request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Wait, then forward (the client may time out meanwhile; the server still commits).
    Delay(Duration),
    /// Answer this status with an HTML body without forwarding (`Retry-After` if given).
    Status(u16, Option<u64>),
    /// Reset the connection without forwarding.
    Reset,
    /// Forward, let the server commit, then reset the connection instead of answering.
    DropResponse,
}

/// One request as the proxy saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    /// `GET`, `POST`, …
    pub method: String,
    /// Path without the query.
    pub path: String,
    /// The `Idempotency-Key` header, if any.
    pub idempotency_key: Option<String>,
    /// The `grant_type` of a token request, if any.
    pub grant_type: Option<String>,
    /// The fault applied, if any.
    pub fault: Option<Fault>,
    /// The status the client got, if it got one.
    pub answered: Option<u16>,
}

struct Rule {
    method: &'static str,
    path_prefix: String,
    faults: VecDeque<Fault>,
}

#[derive(Default)]
struct State {
    rules: Vec<Rule>,
    seen: Vec<Seen>,
    expired_tokens: HashSet<String>,
    tokens_seen: HashSet<String>,
}

/// The proxy. Dropping it stops it.
pub struct FaultProxy {
    addr: SocketAddr,
    upstream: SocketAddr,
    state: Arc<Mutex<State>>,
    accept: Mutex<Option<JoinHandle<()>>>,
}

impl FaultProxy {
    /// A proxy on a free loopback port in front of `upstream`.
    pub async fn start(upstream: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let proxy = Self {
            addr,
            upstream,
            state: Arc::new(Mutex::new(State::default())),
            accept: Mutex::new(None),
        };
        proxy.serve(listener);
        proxy
    }

    /// `http://127.0.0.1:PORT`, the base URL to give the client.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn serve(&self, listener: TcpListener) {
        let state = self.state.clone();
        let upstream = self.upstream;
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                tokio::spawn(handle(stream, upstream, state.clone()));
            }
        });
        *self.accept.lock().unwrap() = Some(task);
    }

    /// Stops listening: connections to the port are refused, as with no network.
    pub async fn go_offline(&self) {
        let task = self.accept.lock().unwrap().take();
        if let Some(task) = task {
            task.abort();
            let _ = task.await;
        }
    }

    /// Listens again on the same port.
    pub async fn go_online(&self) {
        let mut tries = 0;
        let listener = loop {
            match TcpListener::bind(self.addr).await {
                Ok(listener) => break listener,
                Err(e) if tries < 50 => {
                    tries += 1;
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                Err(e) => panic!("cannot listen again on {}: {e}", self.addr),
            }
        };
        self.serve(listener);
    }

    /// Applies `faults`, in order, to the next requests with `method` and a path starting
    /// with `/api/v1{path_prefix}`.
    pub fn inject(&self, method: &'static str, path_prefix: &str, faults: Vec<Fault>) {
        self.state.lock().unwrap().rules.push(Rule {
            method,
            path_prefix: format!("/api/v1{path_prefix}"),
            faults: faults.into(),
        });
    }

    /// From now on, every access token seen so far is answered `401` (as if expired).
    pub fn expire_access_tokens(&self) {
        let mut state = self.state.lock().unwrap();
        let seen: Vec<String> = state.tokens_seen.iter().cloned().collect();
        state.expired_tokens.extend(seen);
    }

    /// Everything seen so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.state.lock().unwrap().seen.clone()
    }

    /// Requests seen with `method` and a path starting with `/api/v1{path_prefix}`.
    pub fn count(&self, method: &str, path_prefix: &str) -> usize {
        let prefix = format!("/api/v1{path_prefix}");
        self.seen()
            .iter()
            .filter(|s| s.method == method && s.path.starts_with(&prefix))
            .count()
    }

    /// Token requests seen with this `grant_type`.
    pub fn grants(&self, grant_type: &str) -> usize {
        self.seen()
            .iter()
            .filter(|s| s.grant_type.as_deref() == Some(grant_type))
            .count()
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        if let Some(task) = self.accept.lock().unwrap().take() {
            task.abort();
        }
    }
}

struct Parsed {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Parsed {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The request again, with `connection: close`.
    fn to_bytes(&self) -> Vec<u8> {
        let mut out = format!("{} {} HTTP/1.1\r\n", self.method, self.path_and_query());
        for (name, value) in &self.headers {
            if !name.eq_ignore_ascii_case("connection") {
                out.push_str(&format!("{name}: {value}\r\n"));
            }
        }
        out.push_str("connection: close\r\n\r\n");
        let mut bytes = out.into_bytes();
        bytes.extend_from_slice(&self.body);
        bytes
    }

    fn path_and_query(&self) -> &str {
        &self.path
    }
}

async fn read_head(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Option<usize> {
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            return Some(end + 4);
        }
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

async fn read_request(stream: &mut TcpStream) -> Option<Parsed> {
    let mut buf = Vec::new();
    let head_len = read_head(stream, &mut buf).await?;
    let head = String::from_utf8_lossy(&buf[..head_len]).to_string();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let method = request_line.next()?.to_owned();
    let path = request_line.next()?.to_owned();
    let headers: Vec<(String, String)> = lines
        .filter(|l| !l.is_empty())
        .filter_map(|l| {
            let (n, v) = l.split_once(':')?;
            Some((n.trim().to_owned(), v.trim().to_owned()))
        })
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf[head_len..].to_vec();
    while body.len() < length {
        let mut chunk = vec![0u8; length - body.len()];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some(Parsed {
        method,
        path,
        headers,
        body,
    })
}

fn reset(stream: TcpStream) {
    // A zero linger makes the close send RST. (Deprecated because a non-zero linger blocks
    // on drop; zero does not.)
    #[allow(deprecated)]
    let _ = stream.set_linger(Some(Duration::ZERO));
    drop(stream);
}

async fn respond(stream: &mut TcpStream, status: u16, extra: &str, content_type: &str, body: &str) {
    let reason = match status {
        401 => "Unauthorized",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Error",
    };
    let response = format!(
        "HTTP/1.1 {status} {reason}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\n{extra}connection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}

/// Forwards the request and returns the upstream answer with `connection: close`.
async fn forward(request: &Parsed, upstream: SocketAddr) -> Option<(u16, Vec<u8>)> {
    let mut server = TcpStream::connect(upstream).await.ok()?;
    server.write_all(&request.to_bytes()).await.ok()?;
    let mut raw = Vec::new();
    server.read_to_end(&mut raw).await.ok()?;
    let head_end = raw.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let head = String::from_utf8_lossy(&raw[..head_end]).to_string();
    let status: u16 = head.split(' ').nth(1)?.parse().ok()?;
    let mut out = String::new();
    for (i, line) in head.split("\r\n").filter(|l| !l.is_empty()).enumerate() {
        if i > 0 && line.to_ascii_lowercase().starts_with("connection:") {
            continue;
        }
        out.push_str(line);
        out.push_str("\r\n");
    }
    out.push_str("connection: close\r\n\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(&raw[head_end..]);
    Some((status, bytes))
}

async fn handle(mut stream: TcpStream, upstream: SocketAddr, state: Arc<Mutex<State>>) {
    let Some(request) = read_request(&mut stream).await else {
        return;
    };
    let path = request
        .path
        .split('?')
        .next()
        .unwrap_or_default()
        .to_owned();
    let token = request
        .header("authorization")
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_owned);
    let grant_type = if path.ends_with("/auth/token") {
        serde_json::from_slice::<serde_json::Value>(&request.body)
            .ok()
            .and_then(|v| v.get("grant_type")?.as_str().map(str::to_owned))
    } else {
        None
    };
    let (fault, expired) = {
        let mut state = state.lock().unwrap();
        let fault = state
            .rules
            .iter_mut()
            .find(|r| {
                r.method == request.method
                    && path.starts_with(&r.path_prefix)
                    && !r.faults.is_empty()
            })
            .and_then(|r| r.faults.pop_front());
        let expired = token
            .as_ref()
            .is_some_and(|t| state.expired_tokens.contains(t));
        if let Some(token) = &token {
            state.tokens_seen.insert(token.clone());
        }
        (fault, expired)
    };
    let log = |answered: Option<u16>| {
        state.lock().unwrap().seen.push(Seen {
            method: request.method.clone(),
            path: path.clone(),
            idempotency_key: request.header("idempotency-key").map(str::to_owned),
            grant_type: grant_type.clone(),
            fault: fault.clone(),
            answered,
        });
    };
    if expired {
        log(Some(401));
        let body =
            r#"{"type":"about:blank","title":"Token scaduto","status":401,"code":"invalid_token"}"#;
        respond(
            &mut stream,
            401,
            "www-authenticate: Bearer error=\"invalid_token\"\r\n",
            "application/problem+json",
            body,
        )
        .await;
        return;
    }
    match fault {
        Some(Fault::Status(status, retry_after)) => {
            log(Some(status));
            let extra = retry_after
                .map(|s| format!("retry-after: {s}\r\n"))
                .unwrap_or_default();
            respond(
                &mut stream,
                status,
                &extra,
                "text/html",
                "<html>occupato</html>",
            )
            .await;
        }
        Some(Fault::Reset) => {
            log(None);
            reset(stream);
        }
        Some(Fault::DropResponse) => {
            let answer = forward(&request, upstream).await;
            log(None);
            let _ = answer;
            reset(stream);
        }
        Some(Fault::Delay(wait)) => {
            tokio::time::sleep(wait).await;
            let answer = forward(&request, upstream).await;
            log(answer.as_ref().map(|(s, _)| *s));
            if let Some((_, bytes)) = answer {
                let _ = stream.write_all(&bytes).await;
                let _ = stream.shutdown().await;
            }
        }
        None => {
            let answer = forward(&request, upstream).await;
            log(answer.as_ref().map(|(s, _)| *s));
            match answer {
                Some((_, bytes)) => {
                    let _ = stream.write_all(&bytes).await;
                    let _ = stream.shutdown().await;
                }
                None => reset(stream),
            }
        }
    }
}
