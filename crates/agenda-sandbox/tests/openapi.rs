//! `docs/openapi.yaml` and the router agree: every route is documented, and every documented
//! operation is answered by a handler (not by the router's 404 or 405).

mod common;

use std::collections::BTreeSet;

use agenda_sandbox::routes;
use axum::http::Method;
use common::TestApp;
use serde_json::json;

const OPENAPI: &str = include_str!("../../../docs/openapi.yaml");

/// The (METHOD, path) pairs under `paths:`. The document is ours and keeps the usual layout
/// (paths indented by two spaces, methods by four), which is all this reader relies on.
fn documented_operations(yaml: &str) -> BTreeSet<(String, String)> {
    let mut in_paths = false;
    let mut path: Option<String> = None;
    let mut out = BTreeSet::new();
    for line in yaml.lines() {
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        let text = line.trim();
        if indent == 0 {
            in_paths = text == "paths:";
            path = None;
            continue;
        }
        if !in_paths {
            continue;
        }
        if indent == 2 && text.starts_with('/') && text.ends_with(':') {
            path = Some(text.trim_end_matches(':').to_owned());
        } else if indent == 4 {
            let key = text.trim_end_matches(':');
            if ["get", "put", "post", "delete", "patch", "head", "options"].contains(&key) {
                let path = path.clone().expect("a method below a path");
                out.insert((key.to_uppercase(), path));
            }
        }
    }
    out
}

fn routed_operations() -> BTreeSet<(String, String)> {
    routes()
        .into_iter()
        .map(|r| (r.method.as_str().to_owned(), r.path.to_owned()))
        .collect()
}

#[test]
fn the_reader_finds_operations_in_a_small_document() {
    let yaml = "openapi: 3.0.3\npaths:\n  /a:\n    get:\n      x: 1\n    post:\n      y: 2\n  /b/{id}:\n    delete:\n      z: 3\ncomponents:\n  schemas:\n    get:\n      type: object\n";
    let expected: BTreeSet<(String, String)> =
        [("GET", "/a"), ("POST", "/a"), ("DELETE", "/b/{id}")]
            .into_iter()
            .map(|(m, p)| (m.to_owned(), p.to_owned()))
            .collect();
    assert_eq!(documented_operations(yaml), expected);
}

#[test]
fn every_route_is_documented_and_every_documented_operation_is_routed() {
    let documented = documented_operations(OPENAPI);
    let routed = routed_operations();
    let undocumented: Vec<_> = routed.difference(&documented).collect();
    let unrouted: Vec<_> = documented.difference(&routed).collect();
    assert!(
        undocumented.is_empty(),
        "routes missing from docs/openapi.yaml: {undocumented:?}"
    );
    assert!(
        unrouted.is_empty(),
        "documented operations without a route: {unrouted:?}"
    );
    assert_eq!(routed.len(), 19, "16 of contract 1.0 and 3 of 1.1");
}

#[test]
fn the_document_declares_the_bearer_scheme_and_the_base_path() {
    assert!(OPENAPI.contains("    bearerAuth:\n      type: http\n      scheme: bearer"));
    assert!(OPENAPI.contains("servers:\n  - url: /api/v1"));
    assert!(OPENAPI.contains("application/problem+json"));
}

#[tokio::test]
async fn every_documented_operation_is_answered_by_its_handler() {
    let app = TestApp::new().await;
    let token = app.login().await;
    for (method, path) in documented_operations(OPENAPI) {
        let concrete = path
            .replace("{fiscal_code}", agenda_sandbox::seed::ELIGIBLE_FISCAL_CODE)
            .replace("{id}", "AP-2222-2222");
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let body = (method == Method::POST).then(|| json!({}));
        let reply = app
            .call(method.clone(), &concrete, Some(&token), Some("k"), body)
            .await;
        assert_ne!(
            reply.status.as_u16(),
            405,
            "{method} {path}: {:?}",
            reply.body
        );
        assert_ne!(reply.code(), "route_not_found", "{method} {path}");
        assert_ne!(reply.code(), "method_not_allowed", "{method} {path}");
        assert!(
            reply.status.as_u16() < 500,
            "{method} {path}: {:?}",
            reply.body
        );
    }
}
