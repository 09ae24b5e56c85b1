//! The route table — the one place that lists the service's endpoints — and the router
//! built from it, with problem+json answers for unknown routes and methods.

use std::collections::BTreeMap;
use std::time::Instant;

use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::header::CONTENT_LENGTH;
use axum::http::{Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, MethodRouter};
use axum::Router;

use crate::error::ApiError;
use crate::extract::{payload_too_large, MAX_BODY_BYTES};
use crate::state::AppState;
use crate::{appointments, auth, bookings, communications, contributors, reference, slots};

/// Base path of the API.
pub const API_PREFIX: &str = "/api/v1";

/// One endpoint: method and path template below [`API_PREFIX`] (`/contributors/{fiscal_code}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// HTTP method.
    pub method: Method,
    /// Path template, with `{name}` parameters, relative to [`API_PREFIX`].
    pub path: &'static str,
}

/// The endpoints of the service, with their handlers.
fn table() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    vec![
        (Method::POST, "/auth/token", post(auth::token)),
        (Method::POST, "/auth/revoke", post(auth::revoke)),
        (Method::GET, "/contributors", get(contributors::list)),
        (
            Method::GET,
            "/contributors/{fiscal_code}",
            get(contributors::get),
        ),
        (
            Method::GET,
            "/contributors/{fiscal_code}/communications",
            get(communications::list),
        ),
        (
            Method::GET,
            "/contributors/{fiscal_code}/appointments",
            get(appointments::history),
        ),
        (Method::GET, "/topics", get(reference::topics)),
        (Method::GET, "/offices", get(reference::offices)),
        (
            Method::GET,
            "/consultation-points",
            get(reference::consultation_points),
        ),
        (
            Method::GET,
            "/communications/{id}",
            get(communications::get),
        ),
        (Method::GET, "/slots", get(slots::slots)),
        (Method::POST, "/bookings", post(bookings::create)),
        (
            Method::POST,
            "/bookings/{id}/confirm",
            post(appointments::confirm),
        ),
        (
            Method::DELETE,
            "/bookings/{id}",
            delete(appointments::cancel_hold),
        ),
        (Method::GET, "/appointments/{id}", get(appointments::get)),
        // Contract 1.1: the desk's agenda, requestable threads, rescheduling.
        (Method::GET, "/appointments", get(appointments::agenda)),
        (
            Method::GET,
            "/communications",
            get(communications::requestable),
        ),
        (
            Method::POST,
            "/appointments/{id}/reschedule",
            post(bookings::reschedule),
        ),
        (
            Method::POST,
            "/appointments/{id}/cancel",
            post(appointments::cancel),
        ),
    ]
}

/// Every endpoint of the service (for documentation checks).
pub fn routes() -> Vec<Route> {
    table()
        .into_iter()
        .map(|(method, path, _)| Route { method, path })
        .collect()
}

/// The service as an axum router, ready to serve.
pub fn app(state: AppState) -> Router {
    let mut by_path: BTreeMap<&'static str, MethodRouter<AppState>> = BTreeMap::new();
    for (_, path, handler) in table() {
        let merged = match by_path.remove(path) {
            Some(existing) => existing.merge(handler),
            None => handler,
        };
        by_path.insert(path, merged);
    }
    let mut router = Router::new();
    for (path, handler) in by_path {
        router = router.route(
            &format!("{API_PREFIX}{path}"),
            handler.fallback(method_not_allowed),
        );
    }
    router
        .fallback(route_not_found)
        .layer(middleware::from_fn(observe))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::guard::host,
        ))
        .with_state(state)
}

async fn route_not_found() -> ApiError {
    ApiError::not_found("route_not_found", "Risorsa inesistente.")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "Metodo non consentito su questa risorsa.",
    )
}

/// Refuses declared oversized bodies early and logs each request by its route template,
/// never by its actual path (which may hold a fiscal code).
async fn observe(matched: Option<MatchedPath>, request: Request, next: Next) -> Response {
    let declared = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > MAX_BODY_BYTES as u64) {
        return payload_too_large().into_response();
    }
    let method = request.method().clone();
    let route = matched
        .as_ref()
        .map_or("<unmatched>", |m| m.as_str())
        .to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16();
    let micros = started.elapsed().as_micros() as u64;
    if response.status().is_server_error() {
        tracing::warn!(%method, route, status, micros, "request failed");
    } else {
        tracing::debug!(%method, route, status, micros, "request");
    }
    response
}
