//! Refusals that protect the sandbox from the browser next door: it listens on a desk PC's
//! loopback port, where any web page can send it requests.
//!
//! - **Host**: a page that rebinds its DNS name to 127.0.0.1 reaches the port with its own
//!   name in `Host`. Only loopback names and addresses are served (`localhost`, `*.localhost`,
//!   `127.0.0.0/8`, `[::1]`), plus the names given with `--public-host`; anything else is
//!   `421 misdirected_request`. A request with no `Host` (HTTP/1.0, in-process tests) comes
//!   from no browser and is served.
//! - **Content-Type**: see [`crate::extract`]: a body must say `application/json`, so a
//!   page's "simple" form POST (no preflight) is refused with 415.

use axum::extract::{Request, State};
use axum::http::header::HOST;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::AppState;

/// Whether `host` (a `Host` header: name or address, optional port) may be served.
pub fn host_is_allowed(host: &str, public_hosts: &[String]) -> bool {
    let host = host.trim();
    let name = if let Some(rest) = host.strip_prefix('[') {
        // [v6]:port
        match rest.split_once(']') {
            Some((v6, tail)) if tail.is_empty() || is_port(tail) => v6,
            _ => return false,
        }
    } else {
        match host.rsplit_once(':') {
            Some((name, port)) if is_port(port) => name,
            Some(_) => return false,
            None => host,
        }
    };
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    if name.is_empty() {
        return false;
    }
    if name == "localhost" || name.ends_with(".localhost") {
        return true;
    }
    if let Ok(ip) = name.parse::<std::net::IpAddr>() {
        return ip.is_loopback();
    }
    public_hosts.iter().any(|h| h.eq_ignore_ascii_case(&name))
}

fn is_port(text: &str) -> bool {
    let digits = text.strip_prefix(':').unwrap_or(text);
    !digits.is_empty() && digits.len() <= 5 && digits.bytes().all(|b| b.is_ascii_digit())
}

/// Middleware: refuses a request whose `Host` is not served (see the module docs).
pub(crate) async fn host(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let allowed = match request.headers().get(HOST) {
        None => true,
        Some(value) => value
            .to_str()
            .is_ok_and(|host| host_is_allowed(host, &state.public_hosts())),
    };
    if !allowed {
        return ApiError::new(
            StatusCode::MISDIRECTED_REQUEST,
            "misdirected_request",
            "Il servizio di prova risponde solo agli indirizzi locali di questo PC.",
        )
        .into_response();
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_names_and_addresses_are_served_and_others_are_not() {
        let public = vec!["agenda.ufficio.lan".to_owned()];
        for ok in [
            "127.0.0.1:8787",
            "127.0.0.1",
            "127.1.2.3:80",
            "localhost",
            "LOCALHOST:8787",
            "app.localhost:1",
            "[::1]:8787",
            "[::1]",
            "agenda.ufficio.lan:8443",
        ] {
            assert!(host_is_allowed(ok, &public), "{ok}");
        }
        for bad in [
            "evil.example.com",
            "evil.example.com:8787",
            "192.168.1.10:8787",
            "10.0.0.1",
            "[fe80::1]:8787",
            "localhost.evil.com",
            "127.0.0.1.evil.com",
            "",
            ":8787",
            "127.0.0.1:port",
            "[::1]x",
        ] {
            assert!(!host_is_allowed(bad, &public), "{bad:?}");
        }
        assert!(!host_is_allowed("agenda.ufficio.lan", &[]));
    }
}
