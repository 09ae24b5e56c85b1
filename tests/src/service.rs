//! The service side of the end-to-end tests: a sandbox the test starts and stops itself
//! (to play a service that goes away and comes back), and the HTTP calls a second desk
//! would make.

use serde_json::{json, Value};
use std::net::SocketAddr;
use std::path::Path;

/// Starts a sandbox with the demo data on `addr`, its database at `db` (kept across a stop
/// and a start, as a real service's would be).
pub async fn start_service(db: &Path, addr: SocketAddr) -> agenda_sandbox::ServerHandle {
    let mut config = agenda_sandbox::Config::new(db);
    config.seed_demo = true;
    let (bound, handle) = agenda_sandbox::spawn(config, addr)
        .await
        .expect("the service starts");
    assert_eq!(bound, addr);
    handle
}

/// Signs in over HTTP at `base` and returns the `Authorization` header value.
pub async fn bearer(http: &reqwest::Client, base: &str, username: &str, password: &str) -> String {
    let token: Value = http
        .post(format!("{base}/api/v1/auth/token"))
        .json(&json!({"grant_type": "password", "username": username, "password": password}))
        .send()
        .await
        .expect("the service answers the sign-in")
        .json()
        .await
        .expect("a token in JSON");
    format!(
        "Bearer {}",
        token["access_token"].as_str().expect("an access token")
    )
}

/// GET `base` + `path` with `bearer`, as JSON.
pub async fn get_json(http: &reqwest::Client, base: &str, path: &str, bearer: &str) -> Value {
    http.get(format!("{base}{path}"))
        .header("Authorization", bearer)
        .send()
        .await
        .expect("the service answers")
        .json()
        .await
        .expect("JSON")
}
