//! The service driven through its router with `oneshot`, time under the test's control.

mod common;

use agenda_sandbox::seed::{
    ELIGIBLE_COMMUNICATION, ELIGIBLE_FISCAL_CODE, EXPIRED_DELEGATION_FISCAL_CODE,
    NON_ACCOLTA_COMMUNICATION, NON_ACCOLTA_FISCAL_CODE, NOT_YET_COMMUNICATION, NOT_YET_FISCAL_CODE,
    NO_DELEGATION_FISCAL_CODE, OMOCODIC_FISCAL_CODE,
};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use chrono::Duration;
use common::{booking, Reply, TestApp};
use serde_json::{json, Value};

fn assert_problem(reply: &Reply, status: u16, code: &str) {
    assert_eq!(reply.status.as_u16(), status, "{:?}", reply.body);
    assert_eq!(reply.code(), code, "{:?}", reply.body);
    assert_eq!(reply.content_type(), "application/problem+json");
    assert_eq!(reply.body["status"], status);
    assert!(reply.body["title"].is_string() && reply.body["detail"].is_string());
    assert!(reply.body["type"].as_str().unwrap().ends_with(code));
}

/// A valid fiscal code nobody in the seed has.
fn unknown_fiscal_code() -> String {
    let birth = chrono::NaiveDate::from_ymd_opt(1980, 1, 1).unwrap();
    agenda_core::FiscalCode::encode("Verdi", "Luigi", birth, agenda_core::Sex::Male, "H501")
        .unwrap()
        .as_str()
        .to_owned()
}

fn eligible_booking(slot: &str) -> Value {
    booking(
        ELIGIBLE_COMMUNICATION,
        ELIGIBLE_FISCAL_CODE,
        "anagrafica",
        slot,
    )
}

fn non_accolta_booking(slot: &str) -> Value {
    booking(
        NON_ACCOLTA_COMMUNICATION,
        NON_ACCOLTA_FISCAL_CODE,
        "rimborsi",
        slot,
    )
}

// ---------------------------------------------------------------- auth

#[tokio::test]
async fn logging_in_as_demo_returns_tokens_and_the_operator() {
    let app = TestApp::new().await;
    let reply = app.login_as("demo", "demo").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["token_type"], "Bearer");
    assert_eq!(reply.body["expires_in"], 900);
    assert!(reply.body["access_token"].as_str().unwrap().len() > 32);
    assert!(reply.body["refresh_token"].as_str().unwrap().len() > 32);
    assert_eq!(reply.body["operator"]["id"], "op-demo");
    assert_eq!(
        reply.body["operator"]["organization"],
        "CNA Roma – Patronato EPASA-ITACO"
    );
    assert_eq!(reply.headers["cache-control"], "no-store");
}

#[tokio::test]
async fn five_failed_logins_lock_the_username_for_fifteen_minutes() {
    let app = TestApp::new().await;
    for _ in 0..5 {
        assert_problem(
            &app.login_as("demo", "wrong").await,
            401,
            "invalid_credentials",
        );
    }
    // Even the right password is refused while locked.
    let locked = app.login_as("demo", "demo").await;
    assert_problem(&locked, 429, "too_many_attempts");
    assert_eq!(locked.headers["retry-after"], "900");
    app.clock.advance(Duration::minutes(10));
    let locked = app.login_as("demo", "demo").await;
    assert_eq!(locked.headers["retry-after"], "300");
    // Another username is not affected.
    assert_problem(
        &app.login_as("formazione", "x").await,
        401,
        "invalid_credentials",
    );
    app.clock.advance(Duration::minutes(5));
    assert_eq!(app.login_as("demo", "demo").await.status, StatusCode::OK);
}

#[tokio::test]
async fn guesses_sent_side_by_side_meet_the_lockout_as_if_sent_one_by_one() {
    use tower::ServiceExt;
    let app = TestApp::new().await;
    let mut guesses = tokio::task::JoinSet::new();
    for _ in 0..10 {
        let router = app.router.clone();
        guesses.spawn(async move {
            let request = Request::builder()
                .method(Method::POST)
                .uri("/api/v1/auth/token")
                .header("content-type", "application/json")
                .body(Body::from(
                    json!({"grant_type": "password", "username": "demo", "password": "x"})
                        .to_string(),
                ))
                .unwrap();
            router.oneshot(request).await.unwrap().status().as_u16()
        });
    }
    let mut statuses = Vec::new();
    while let Some(status) = guesses.join_next().await {
        statuses.push(status.unwrap());
    }
    statuses.sort();
    assert_eq!(statuses, [401, 401, 401, 401, 401, 429, 429, 429, 429, 429]);
    assert_problem(
        &app.login_as("demo", "demo").await,
        429,
        "too_many_attempts",
    );
}

#[tokio::test]
async fn twenty_failed_logins_from_one_client_throttle_every_username() {
    let app = TestApp::new().await;
    // Twenty names, one wrong guess each: no username reaches its own lockout.
    for i in 0..20 {
        let name = format!("guess-{i}");
        assert_problem(
            &app.login_as(&name, "demo").await,
            401,
            "invalid_credentials",
        );
    }
    // The client is throttled, whatever the name and even with the right password.
    let throttled = app.login_as("demo", "demo").await;
    assert_problem(&throttled, 429, "too_many_attempts");
    assert_eq!(throttled.headers["retry-after"], "900");
    app.clock.advance(Duration::minutes(15));
    assert_eq!(app.login_as("demo", "demo").await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_password_stored_before_argon2id_is_accepted_and_rehashed() {
    use sha2::{Digest, Sha256};
    let app = TestApp::new().await;
    // The legacy scheme: SHA-256 of salt and password, then 4095 rounds over the digest.
    let salt = b"0123456789abcdef";
    let mut legacy: [u8; 32] = Sha256::new()
        .chain_update(salt)
        .chain_update(b"demo")
        .finalize()
        .into();
    for _ in 1..4096 {
        legacy = Sha256::new()
            .chain_update(legacy)
            .chain_update(salt)
            .finalize()
            .into();
    }
    let conn = rusqlite::Connection::open(app.db.path()).unwrap();
    conn.execute(
        "UPDATE operators SET password_salt = ?1, password_hash = ?2,
         password_scheme = 'sha256x4096' WHERE username = 'demo'",
        rusqlite::params![&salt[..], &legacy[..]],
    )
    .unwrap();
    let scheme = || -> String {
        conn.query_row(
            "SELECT password_scheme FROM operators WHERE username = 'demo'",
            [],
            |row| row.get(0),
        )
        .unwrap()
    };
    assert_problem(
        &app.login_as("demo", "wrong").await,
        401,
        "invalid_credentials",
    );
    assert_eq!(scheme(), "sha256x4096");
    assert_eq!(app.login_as("demo", "demo").await.status, StatusCode::OK);
    assert_eq!(scheme(), "argon2id");
    assert_eq!(app.login_as("demo", "demo").await.status, StatusCode::OK);
}

#[tokio::test]
async fn unknown_users_and_bad_grants_are_refused_without_a_500() {
    let app = TestApp::new().await;
    let check = |body: Value, status: u16, code: &'static str| {
        let app = &app;
        async move {
            let reply = app
                .call(Method::POST, "/auth/token", None, None, Some(body.clone()))
                .await;
            assert_problem(&reply, status, code);
        }
    };
    check(
        json!({"grant_type":"password","username":"nobody","password":"x"}),
        401,
        "invalid_credentials",
    )
    .await;
    check(
        json!({"grant_type":"password","username":"demo"}),
        400,
        "invalid_request",
    )
    .await;
    check(
        json!({"grant_type":"client_credentials"}),
        400,
        "unsupported_grant_type",
    )
    .await;
    check(
        json!({"username":"demo","password":"demo"}),
        400,
        "invalid_request",
    )
    .await;
    check(
        json!({"grant_type":"refresh_token","refresh_token":"rt_nope"}),
        401,
        "invalid_grant",
    )
    .await;
    check(
        json!({"grant_type":"password","username":5,"password":"demo"}),
        422,
        "invalid_body",
    )
    .await;
}

#[tokio::test]
async fn a_refresh_token_rotates_and_a_reused_one_ends_the_family() {
    let app = TestApp::new().await;
    let first = app.login_as("demo", "demo").await.body;
    let refresh = |token: &str| json!({"grant_type": "refresh_token", "refresh_token": token});
    let second = app
        .call(
            Method::POST,
            "/auth/token",
            None,
            None,
            Some(refresh(first["refresh_token"].as_str().unwrap())),
        )
        .await;
    assert_eq!(second.status, StatusCode::OK);
    assert_ne!(second.body["refresh_token"], first["refresh_token"]);
    let new_access = second.body["access_token"].as_str().unwrap();
    assert_eq!(app.get("/topics", new_access).await.status, StatusCode::OK);

    // The old refresh token came back: refused, and the whole family is revoked.
    let reused = app
        .call(
            Method::POST,
            "/auth/token",
            None,
            None,
            Some(refresh(first["refresh_token"].as_str().unwrap())),
        )
        .await;
    assert_problem(&reused, 401, "invalid_grant");
    assert_problem(&app.get("/topics", new_access).await, 401, "invalid_token");
    let newest = app
        .call(
            Method::POST,
            "/auth/token",
            None,
            None,
            Some(refresh(second.body["refresh_token"].as_str().unwrap())),
        )
        .await;
    assert_problem(&newest, 401, "invalid_grant");
}

#[tokio::test]
async fn revoking_a_refresh_token_ends_its_session() {
    let app = TestApp::new().await;
    let tokens = app.login_as("demo", "demo").await.body;
    let access = tokens["access_token"].as_str().unwrap();
    let revoke = app
        .post(
            "/auth/revoke",
            access,
            json!({"refresh_token": tokens["refresh_token"]}),
        )
        .await;
    assert_eq!(revoke.status, StatusCode::NO_CONTENT);
    assert_eq!(revoke.body, Value::Null);
    assert_problem(&app.get("/topics", access).await, 401, "invalid_token");
    // Revoking an unknown token is not an error (RFC 7009).
    let other = app.login().await;
    let again = app
        .post(
            "/auth/revoke",
            &other,
            json!({"refresh_token": "rt_unknown"}),
        )
        .await;
    assert_eq!(again.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn missing_bad_and_expired_tokens_are_401_with_a_bearer_challenge() {
    let app = TestApp::new().await;
    let missing = app.call(Method::GET, "/topics", None, None, None).await;
    assert_problem(&missing, 401, "unauthorized");
    assert_eq!(missing.headers["www-authenticate"], "Bearer");
    let bad = app.get("/topics", "at_forged").await;
    assert_problem(&bad, 401, "invalid_token");
    assert!(bad.headers["www-authenticate"]
        .to_str()
        .unwrap()
        .starts_with("Bearer"));
    let basic = app
        .send(
            Request::get("/api/v1/topics")
                .header("authorization", "Basic ZGVtbzpkZW1v")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_problem(&basic, 401, "invalid_token");
    let token = app.login().await;
    assert_eq!(app.get("/topics", &token).await.status, StatusCode::OK);
    app.clock.advance(Duration::seconds(901));
    assert_problem(&app.get("/topics", &token).await, 401, "invalid_token");
}

// ---------------------------------------------------------------- contributors

#[tokio::test]
async fn the_contributor_list_shows_valid_delegations_only_and_pages_with_a_cursor() {
    let app = TestApp::new().await;
    let token = app.login().await;
    let all = app.get("/contributors?limit=500", &token).await;
    assert_eq!(all.status, StatusCode::OK);
    let items = all.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 22);
    assert_eq!(all.body["next_cursor"], Value::Null);
    let codes: Vec<&str> = items
        .iter()
        .map(|i| i["fiscal_code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&ELIGIBLE_FISCAL_CODE));
    assert!(codes.contains(&OMOCODIC_FISCAL_CODE));
    assert!(!codes.contains(&NO_DELEGATION_FISCAL_CODE));
    assert!(!codes.contains(&EXPIRED_DELEGATION_FISCAL_CODE));
    let first = &items[0];
    assert!(first["display_name"].is_string());
    assert!(["artigiani", "commercianti"].contains(&first["gestione"].as_str().unwrap()));
    assert!(first["delegation"]["kind"].is_string());
    assert!(first["delegation"]["valid_until"].as_str().unwrap() >= "2026-11-26");

    // Walk the pages of 5: the same items, in the same order, then null.
    let mut walked = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/contributors?limit=5&cursor={c}"),
            None => "/contributors?limit=5".to_owned(),
        };
        let page = app.get(&path, &token).await;
        assert_eq!(page.status, StatusCode::OK);
        for item in page.body["items"].as_array().unwrap() {
            walked.push(item["fiscal_code"].as_str().unwrap().to_owned());
        }
        match page.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(walked, codes);

    assert_problem(
        &app.get("/contributors?limit=0", &token).await,
        400,
        "invalid_parameter",
    );
    assert_problem(
        &app.get("/contributors?limit=501", &token).await,
        400,
        "invalid_parameter",
    );
    assert_problem(
        &app.get("/contributors?cursor=zz", &token).await,
        400,
        "invalid_cursor",
    );
}

#[tokio::test]
async fn contributor_search_matches_a_fiscal_code_prefix_or_the_words_of_a_name() {
    let app = TestApp::new().await;
    let token = app.login().await;
    let check = |q: &'static str, expected: Vec<&'static str>| {
        let (app, token) = (&app, &token);
        async move {
            let reply = app.get(&format!("/contributors?q={q}"), token).await;
            let names: Vec<String> = reply.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["display_name"].as_str().unwrap().to_owned())
                .collect();
            assert_eq!(names, expected, "q={q}");
        }
    };
    check("rssmra", vec!["Rossi Mario"]).await;
    check("RSSMRA68C14H501M", vec!["Rossi Mario"]).await;
    check("rossi", vec!["Rossi Mario"]).await;
    check("MARIO%20ROSSI", vec!["Rossi Mario"]).await;
    check("niccol%C3%B2", vec!["D'Angelo Niccolò"]).await;
    check("mariani", vec![]).await; // no delegation
    check("zzz", vec![]).await;
}

#[tokio::test]
async fn a_contributor_lookup_tells_malformed_unknown_and_forbidden_apart() {
    let app = TestApp::new().await;
    let token = app.login().await;
    let check = |code: &'static str, status: u16, problem: &'static str| {
        let (app, token) = (&app, &token);
        async move {
            let reply = app.get(&format!("/contributors/{code}"), token).await;
            assert_eq!(reply.status.as_u16(), status, "{code}: {:?}", reply.body);
            if !problem.is_empty() {
                assert_problem(&reply, status, problem);
            }
        }
    };
    check(ELIGIBLE_FISCAL_CODE, 200, "").await;
    check("rssmra68c14h501m", 200, "").await;
    check(OMOCODIC_FISCAL_CODE, 200, "").await;
    check(NO_DELEGATION_FISCAL_CODE, 403, "no_delegation").await;
    check(EXPIRED_DELEGATION_FISCAL_CODE, 403, "no_delegation").await;
    check("RSSMRA68C14H501A", 400, "invalid_fiscal_code").await; // wrong check character
    check("RSSMRA68Z14H501M", 400, "invalid_fiscal_code").await; // no such month
    check("NOTAFISCALCODE", 400, "invalid_fiscal_code").await;
    let unknown = unknown_fiscal_code();
    let reply = app.get(&format!("/contributors/{unknown}"), &token).await;
    assert_problem(&reply, 404, "contributor_not_found");
    for path in ["communications", "appointments"] {
        let reply = app
            .get(
                &format!("/contributors/{NO_DELEGATION_FISCAL_CODE}/{path}"),
                &token,
            )
            .await;
        assert_problem(&reply, 403, "no_delegation");
        let reply = app.get(&format!("/contributors/XX/{path}"), &token).await;
        assert_problem(&reply, 400, "invalid_fiscal_code");
    }
}

// ---------------------------------------------------------------- communications

#[tokio::test]
async fn communications_carry_the_appointment_request_rule() {
    let app = TestApp::new().await;
    let token = app.login().await;
    let request_of = |fc: &'static str, id: &'static str| {
        let (app, token) = (&app, &token);
        async move {
            let reply = app
                .get(&format!("/contributors/{fc}/communications"), token)
                .await;
            assert_eq!(reply.status, StatusCode::OK);
            reply.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["id"] == id)
                .unwrap()["appointment_request"]
                .clone()
        }
    };
    assert_eq!(
        request_of(ELIGIBLE_FISCAL_CODE, ELIGIBLE_COMMUNICATION).await,
        json!({"allowed": true, "reason": "days_elapsed", "allowed_from": "2026-11-25"})
    );
    assert_eq!(
        request_of(NOT_YET_FISCAL_CODE, NOT_YET_COMMUNICATION).await,
        json!({"allowed": false, "reason": null, "allowed_from": "2026-12-23"})
    );
    assert_eq!(
        request_of(NON_ACCOLTA_FISCAL_CODE, NON_ACCOLTA_COMMUNICATION).await,
        json!({"allowed": true, "reason": "not_accepted", "allowed_from": "2026-11-24"})
    );
    // Russo Francesca's communication has a confirmed appointment in the seed.
    let russo = app.get("/contributors?q=russo", &token).await.body["items"][0]["fiscal_code"]
        .as_str()
        .unwrap()
        .to_owned();
    let list = app
        .get(&format!("/contributors/{russo}/communications"), &token)
        .await;
    assert!(list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["appointment_request"]["reason"] == "already_booked"));

    // Time passes: the not-yet one becomes bookable on its date.
    app.clock.advance(Duration::days(27));
    let token = app.login().await;
    let list = app
        .get(
            &format!("/contributors/{NOT_YET_FISCAL_CODE}/communications"),
            &token,
        )
        .await;
    let later = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == NOT_YET_COMMUNICATION)
        .unwrap()
        .clone();
    assert_eq!(later["appointment_request"]["allowed"], true);
}

#[tokio::test]
async fn every_communication_status_appears_and_lists_are_newest_first() {
    let app = TestApp::new().await;
    let token = app.login().await;
    let mut statuses = std::collections::BTreeSet::new();
    let contributors = app.get("/contributors?limit=500", &token).await;
    for c in contributors.body["items"].as_array().unwrap() {
        let fc = c["fiscal_code"].as_str().unwrap();
        let list = app
            .get(
                &format!("/contributors/{fc}/communications?limit=1"),
                &token,
            )
            .await;
        assert_eq!(list.status, StatusCode::OK);
        let all = app
            .get(&format!("/contributors/{fc}/communications"), &token)
            .await;
        let items = all.body["items"].as_array().unwrap();
        let sent: Vec<&str> = items
            .iter()
            .map(|i| i["sent_at"].as_str().unwrap())
            .collect();
        let mut sorted = sent.clone();
        sorted.sort_by(|a, b| b.cmp(a));
        assert_eq!(sent, sorted);
        if items.len() > 1 {
            assert!(list.body["next_cursor"].is_string());
        }
        for item in items {
            statuses.insert(item["status"].as_str().unwrap().to_owned());
        }
    }
    let expected: std::collections::BTreeSet<String> = [
        "inviata",
        "in_lavorazione",
        "accolta",
        "non_accolta",
        "chiusa",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(statuses, expected);
}

#[tokio::test]
async fn a_communication_thread_has_its_messages_and_needs_a_delegation() {
    let app = TestApp::new().await;
    let token = app.login().await;
    let thread = app
        .get(
            &format!("/communications/{NON_ACCOLTA_COMMUNICATION}"),
            &token,
        )
        .await;
    assert_eq!(thread.status, StatusCode::OK);
    assert_eq!(thread.body["status"], "non_accolta");
    let messages = thread.body["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[0]["from"], "utente");
    assert_eq!(messages[1]["from"], "inps");
    assert!(messages[0]["at"].as_str().unwrap() <= messages[1]["at"].as_str().unwrap());
    assert_problem(
        &app.get("/communications/CM-999999", &token).await,
        404,
        "communication_not_found",
    );
    // CM-100035 belongs to Mariani Claudio, for whom demo holds no delegation.
    assert_problem(
        &app.get("/communications/CM-100035", &token).await,
        403,
        "no_delegation",
    );
}

// ---------------------------------------------------------------- reference data

#[tokio::test]
async fn reference_data_lists_topics_offices_and_consultation_points() {
    let app = TestApp::new().await;
    let token = app.login().await;
    let topics = app.get("/topics", &token).await.body;
    let topics = topics.as_array().unwrap();
    assert_eq!(topics.len(), 12);
    let labels: Vec<&str> = topics
        .iter()
        .map(|t| t["label"].as_str().unwrap())
        .collect();
    assert!(labels.contains(&"Coadiuvanti e collaboratori familiari"));
    assert!(labels
        .iter()
        .any(|l| l.contains("50%") && l.contains("pensionati")));
    let days: Vec<u64> = topics
        .iter()
        .map(|t| t["appointment_after_days"].as_u64().unwrap())
        .collect();
    assert_eq!(days.iter().min(), Some(&0));
    assert_eq!(days.iter().max(), Some(&30));

    let offices = app.get("/offices", &token).await.body;
    let offices = offices.as_array().unwrap();
    assert!(offices.len() >= 10);
    let provinces: std::collections::BTreeSet<&str> = offices
        .iter()
        .map(|o| o["province"].as_str().unwrap())
        .collect();
    assert!(provinces.len() >= 10);
    let kinds: std::collections::BTreeSet<&str> = offices
        .iter()
        .map(|o| o["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.len(), 3, "direzione, filiale and agenzia: {kinds:?}");
    let rome = app.get("/offices?province=rm", &token).await.body;
    assert_eq!(rome.as_array().unwrap().len(), 3);
    let dp = rome
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["code"] == "RM-DP")
        .unwrap();
    assert_eq!(
        dp["name"],
        "Direzione di coordinamento metropolitano di Roma"
    );
    assert_eq!(dp["opening_hours"]["monday"], json!(["08:30-12:30"]));
    assert_eq!(dp["patron_saint"]["month"], 6);
    assert_eq!(dp["closures"][0]["date"], "2026-12-01");
    assert_eq!(
        app.get("/offices?province=ZZ", &token).await.body,
        json!([])
    );

    let points = app.get("/consultation-points", &token).await.body;
    let channels: std::collections::BTreeSet<&str> = points
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["channel"].as_str().unwrap())
        .collect();
    assert_eq!(channels.len(), 3);
    let durc_rome = app
        .get("/consultation-points?topic=durc&office=RM-DP", &token)
        .await
        .body;
    let codes: Vec<&str> = durc_rome
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, vec!["RM-DP-DURC", "RM-DP-SPORTELLO", "RM-DP-TEL"]);
    let video = app
        .get("/consultation-points?topic=anagrafica&office=RM-DP", &token)
        .await
        .body;
    assert!(video
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["channel"] != "videochiamata"));
}

// ---------------------------------------------------------------- slots

#[tokio::test]
async fn slot_queries_need_office_and_point_and_tell_unknown_codes() {
    let app = TestApp::new().await;
    let token = app.login().await;
    let check = |query: &'static str, status: u16, code: &'static str| {
        let (app, token) = (&app, &token);
        async move {
            let reply = app.get(&format!("/slots?{query}"), token).await;
            assert_problem(&reply, status, code);
        }
    };
    check("consultation_point=RM-DP-TEL", 400, "missing_parameter").await;
    check("office=RM-DP", 400, "missing_parameter").await;
    check(
        "office=&consultation_point=RM-DP-TEL",
        400,
        "missing_parameter",
    )
    .await;
    check(
        "office=XX&consultation_point=RM-DP-TEL",
        404,
        "office_not_found",
    )
    .await;
    check(
        "office=RM-DP&consultation_point=XX",
        404,
        "consultation_point_not_found",
    )
    .await;
    check(
        "office=RM-DP&consultation_point=MI-DP-TEL",
        404,
        "consultation_point_not_found",
    )
    .await;
    check(
        "office=RM-DP&consultation_point=RM-DP-TEL&topic=xx",
        404,
        "topic_not_found",
    )
    .await;
    check(
        "office=RM-DP&consultation_point=RM-DP-VIDEO&topic=anagrafica",
        400,
        "topic_not_served",
    )
    .await;
    check(
        "office=RM-DP&consultation_point=RM-DP-TEL&from=26-11-2026",
        400,
        "invalid_parameter",
    )
    .await;
    check(
        "office=RM-DP&consultation_point=RM-DP-TEL&from=2026-12-10&to=2026-12-01",
        400,
        "invalid_parameter",
    )
    .await;
}

async fn slot_starts(app: &TestApp, token: &str, query: &str) -> Vec<String> {
    let reply = app.get(&format!("/slots?{query}"), token).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    reply
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["start"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn slots_respect_notice_horizon_holidays_patron_days_and_closures() {
    let app = TestApp::new().await;
    let token = app.login().await;
    let rome = slot_starts(
        &app,
        &token,
        "office=RM-DP&consultation_point=RM-DP-SPORTELLO",
    )
    .await;
    // Now is Thursday 26 November, 10:00: 24 hours of notice leave Friday from 10:10 on.
    assert_eq!(rome.first().unwrap(), "2026-11-27T10:10:00+01:00");
    // Default window: 14 days, through 9 December.
    assert!(rome.last().unwrap().starts_with("2026-12-09"));
    let days: std::collections::BTreeSet<&str> = rome.iter().map(|s| &s[..10]).collect();
    assert!(!days.contains("2026-11-28") && !days.contains("2026-11-29")); // weekend
    assert!(!days.contains("2026-12-01")); // listed closure of RM-DP
    assert!(!days.contains("2026-12-08")); // Immacolata
    assert!(days.contains("2026-12-07"));

    let milan = slot_starts(
        &app,
        &token,
        "office=MI-DP&consultation_point=MI-DP-SPORTELLO&from=2026-12-04&to=2026-12-09",
    )
    .await;
    let milan_days: std::collections::BTreeSet<&str> = milan.iter().map(|s| &s[..10]).collect();
    assert!(!milan_days.contains("2026-12-07")); // Sant'Ambrogio
    assert!(milan_days.contains("2026-12-04") && milan_days.contains("2026-12-09"));

    // At most 60 days ahead.
    let far = slot_starts(
        &app,
        &token,
        "office=RM-DP&consultation_point=RM-DP-TEL&from=2027-01-20&to=2027-03-01",
    )
    .await;
    assert!(
        far.iter().all(|s| s.as_str() < "2027-01-26"),
        "{:?}",
        far.last()
    );
    assert!(!far.is_empty());
    // The past has no slots.
    assert!(slot_starts(
        &app,
        &token,
        "office=RM-DP&consultation_point=RM-DP-TEL&from=2026-11-01&to=2026-11-26"
    )
    .await
    .is_empty());
    // Every slot lies inside the point's own hours (telefonica: 09-12, 14-16).
    let phone = slot_starts(&app, &token, "office=RM-DP&consultation_point=RM-DP-TEL").await;
    assert!(phone.iter().all(|s| {
        let hm = &s[11..16];
        ("09:00".."12:00").contains(&hm) || ("14:00".."16:00").contains(&hm)
    }));
}

#[tokio::test]
async fn slots_follow_daylight_saving_time() {
    let app = TestApp::at(
        "2027-03-20T09:00:00Z".parse().unwrap(),
        std::time::Duration::from_secs(600),
    )
    .await;
    let token = app.login().await;
    // Clocks go forward on Sunday 28 March 2027, which is also Easter: Monday is a holiday.
    let slots = slot_starts(
        &app,
        &token,
        "office=RM-DP&consultation_point=RM-DP-TEL&from=2027-03-26&to=2027-03-30",
    )
    .await;
    let friday: Vec<&String> = slots
        .iter()
        .filter(|s| s.starts_with("2027-03-26"))
        .collect();
    let tuesday: Vec<&String> = slots
        .iter()
        .filter(|s| s.starts_with("2027-03-30"))
        .collect();
    assert!(
        !slots.iter().any(|s| s.starts_with("2027-03-29")),
        "Pasquetta"
    );
    assert_eq!(
        friday.first().unwrap().as_str(),
        "2027-03-26T09:00:00+01:00"
    );
    assert_eq!(
        tuesday.first().unwrap().as_str(),
        "2027-03-30T09:00:00+02:00"
    );
    assert_eq!(friday.len(), tuesday.len());
    let unique: std::collections::BTreeSet<&String> = slots.iter().collect();
    assert_eq!(unique.len(), slots.len());
}

// ---------------------------------------------------------------- bookings

#[tokio::test]
async fn a_booking_holds_the_slot_and_the_same_key_replays_the_answer() {
    let app = TestApp::new().await;
    let token = app.login().await;
    let slot = app
        .first_free_slot(&token, "RM-DP", "RM-DP-SPORTELLO")
        .await;
    let body = eligible_booking(&slot);
    let first = app.book(&token, "key-1", &body).await;
    assert_eq!(first.status, StatusCode::CREATED, "{:?}", first.body);
    let appointment = &first.body;
    let id = appointment["id"].as_str().unwrap();
    assert!(agenda_core::AppointmentId::parse(id).is_ok());
    assert_eq!(appointment["status"], "prenotato");
    assert_eq!(appointment["start"], slot.as_str());
    assert_eq!(appointment["end"], "2026-11-27T10:30:00+01:00");
    assert_eq!(appointment["hold_expires_at"], "2026-11-26T10:10:00+01:00");
    assert_eq!(appointment["phone"], "+393331234567");
    assert_eq!(appointment["channel"], "in_presenza");
    assert_eq!(appointment["communication_id"], ELIGIBLE_COMMUNICATION);
    assert_eq!(
        first.headers["location"],
        format!("/api/v1/appointments/{id}").as_str()
    );

    // Same key, same body (even re-serialised): the first answer again, nothing new.
    let replay = app
        .send(
            Request::post("/api/v1/bookings")
                .header("authorization", format!("Bearer {token}"))
                .header("idempotency-key", "key-1")
                .header("content-type", "application/json")
                .body(Body::from(serde_json::to_string_pretty(&body).unwrap()))
                .unwrap(),
        )
        .await;
    assert_eq!(replay.status, StatusCode::CREATED);
    assert_eq!(replay.body, first.body);

    // Same key, another body: 422.
    let mut other = body.clone();
    other["notes"] = json!("Altre note");
    assert_problem(
        &app.book(&token, "key-1", &other).await,
        422,
        "idempotency_key_reused",
    );

    // The slot is no longer available, and the communication is already booked.
    let slots = app
        .get(
            "/slots?office=RM-DP&consultation_point=RM-DP-SPORTELLO",
            &token,
        )
        .await;
    let held = slots
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["start"] == slot.as_str())
        .unwrap();
    assert_eq!(held["available"], false);
    let list = app
        .get(
            &format!("/contributors/{ELIGIBLE_FISCAL_CODE}/communications"),
            &token,
        )
        .await;
    let comm = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == ELIGIBLE_COMMUNICATION)
        .unwrap()
        .clone();
    assert_eq!(comm["appointment_request"]["allowed"], false);
    assert_eq!(comm["appointment_request"]["reason"], "already_booked");
    assert_eq!(
        app.get(&format!("/appointments/{id}"), &token).await.body,
        first.body
    );
}

#[tokio::test]
async fn a_booking_needs_an_idempotency_key_of_1_to_255_characters() {
    let app = TestApp::new().await;
    let token = app.login().await;
    let slot = app
        .first_free_slot(&token, "RM-DP", "RM-DP-SPORTELLO")
        .await;
    let body = eligible_booking(&slot);
    let missing = app
        .call(
            Method::POST,
            "/bookings",
            Some(&token),
            None,
            Some(body.clone()),
        )
        .await;
    assert_problem(&missing, 400, "missing_idempotency_key");
    assert_problem(
        &app.book(&token, &"k".repeat(256), &body).await,
        400,
        "invalid_idempotency_key",
    );
    assert_eq!(
        app.book(&token, &"k".repeat(255), &body).await.status,
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn invalid_booking_fields_are_422_with_their_codes() {
    let app = TestApp::new().await;
    let token = app.login().await;
    let slot = app
        .first_free_slot(&token, "RM-DP", "RM-DP-SPORTELLO")
        .await;
    let cases: Vec<(&str, Value, &str)> = vec![
        ("phone", json!("12345"), "invalid_phone"),
        ("phone", json!("+39 899 123456"), "invalid_phone"),
        ("phone", json!(""), "invalid_phone"),
        ("notes", json!("   "), "notes_required"),
        ("notes", json!("x".repeat(1001)), "notes_too_long"),
        (
            "fiscal_code",
            json!("RSSMRA68C14H501A"),
            "invalid_fiscal_code",
        ),
        (
            "slot_start",
            json!("2026-11-27 10:10"),
            "invalid_slot_start",
        ),
        (
            "slot_start",
            json!("2026-11-27T10:15:00+01:00"),
            "slot_not_bookable",
        ),
        (
            "slot_start",
            json!("2026-11-26T11:10:00+01:00"),
            "slot_not_bookable",
        ),
        (
            "slot_start",
            json!("2026-12-01T10:10:00+01:00"),
            "slot_not_bookable",
        ),
        ("topic_code", json!("rimborsi"), "topic_mismatch"),
        ("communication_id", json!(5), "invalid_body"),
    ];
    for (n, (field, value, code)) in cases.into_iter().enumerate() {
        let mut body = eligible_booking(&slot);
        body[field] = value;
        let reply = app.book(&token, &format!("bad-{n}"), &body).await;
        assert_problem(&reply, 422, code);
    }
    let mut missing = eligible_booking(&slot);
    missing.as_object_mut().unwrap().remove("notes");
    assert_problem(
        &app.book(&token, "no-notes", &missing).await,
        422,
        "notes_required",
    );
    let mut missing = eligible_booking(&slot);
    missing.as_object_mut().unwrap().remove("slot_start");
    assert_problem(
        &app.book(&token, "no-slot", &missing).await,
        422,
        "invalid_body",
    );
    // Unknown fields are ignored.
    let mut extra = eligible_booking(&slot);
    extra["colour"] = json!("blue");
    assert_eq!(
        app.book(&token, "extra", &extra).await.status,
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn a_booking_before_the_waiting_days_is_422_not_eligible_yet_with_the_date() {
    let app = TestApp::new().await;
    let token = app.login().await;
    let slot = app
        .first_free_slot(&token, "RM-DP", "RM-DP-SPORTELLO")
        .await;
    let body = booking(NOT_YET_COMMUNICATION, NOT_YET_FISCAL_CODE, "sgravi", &slot);
    let reply = app.book(&token, "early", &body).await;
    assert_problem(&reply, 422, "not_eligible_yet");
    assert_eq!(reply.body["allowed_from"], "2026-12-23");
    // The stored answer is replayed for the same key, even later.
    app.clock.advance(Duration::days(27));
    let token = app.login().await;
    assert_eq!(app.book(&token, "early", &body).await.body, reply.body);
    // A new key on the allowed date goes through.
    let slot = app
        .first_free_slot(&token, "RM-DP", "RM-DP-SPORTELLO")
        .await;
    let body = booking(NOT_YET_COMMUNICATION, NOT_YET_FISCAL_CODE, "sgravi", &slot);
    assert_eq!(
        app.book(&token, "on-time", &body).await.status,
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn a_booking_is_403_without_delegation_and_404_for_unknown_references() {
    let app = TestApp::new().await;
    let token = app.login().await;
    let slot = app
        .first_free_slot(&token, "RM-DP", "RM-DP-SPORTELLO")
        .await;
    let cases: Vec<(Value, u16, &str)> = vec![
        (
            booking("CM-100035", NO_DELEGATION_FISCAL_CODE, "durc", &slot),
            403,
            "no_delegation",
        ),
        (
            booking(
                "CM-100033",
                EXPIRED_DELEGATION_FISCAL_CODE,
                "rateizzazioni",
                &slot,
            ),
            403,
            "no_delegation",
        ),
        (
            booking("CM-100001", &unknown_fiscal_code(), "anagrafica", &slot),
            404,
            "contributor_not_found",
        ),
        (
            booking("CM-999999", ELIGIBLE_FISCAL_CODE, "anagrafica", &slot),
            404,
            "communication_not_found",
        ),
        // Another contributor's communication is not found for this one.
        (
            booking(
                NON_ACCOLTA_COMMUNICATION,
                ELIGIBLE_FISCAL_CODE,
                "rimborsi",
                &slot,
            ),
            404,
            "communication_not_found",
        ),
        (
            {
                let mut b = eligible_booking(&slot);
                b["office_code"] = json!("XX");
                b
            },
            404,
            "office_not_found",
        ),
        (
            {
                let mut b = eligible_booking(&slot);
                b["consultation_point"] = json!("MI-DP-TEL");
                b
            },
            404,
            "consultation_point_not_found",
        ),
        (
            {
                let mut b = eligible_booking(&slot);
                b["consultation_point"] = json!("RM-DP-VIDEO");
                b
            },
            422,
            "topic_not_served",
        ),
    ];
    for (n, (body, status, code)) in cases.into_iter().enumerate() {
        let reply = app.book(&token, &format!("case-{n}"), &body).await;
        assert_problem(&reply, status, code);
    }
}

#[tokio::test]
async fn a_taken_slot_is_409_with_free_alternatives_and_a_booked_communication_is_409() {
    let app = TestApp::new().await;
    let token = app.login().await;
    let slot = app
        .first_free_slot(&token, "RM-DP", "RM-DP-SPORTELLO")
        .await;
    assert_eq!(
        app.book(&token, "a", &eligible_booking(&slot)).await.status,
        StatusCode::CREATED
    );

    let taken = app.book(&token, "b", &non_accolta_booking(&slot)).await;
    assert_problem(&taken, 409, "slot_taken");
    let alternatives = taken.body["alternatives"].as_array().unwrap();
    assert_eq!(alternatives.len(), 5);
    assert!(alternatives
        .iter()
        .all(|s| s["available"] == true && s["start"] != slot.as_str()));
    // The first alternative can be booked as given.
    let alternative = alternatives[0]["start"].as_str().unwrap();
    assert_eq!(
        app.book(&token, "c", &non_accolta_booking(alternative))
            .await
            .status,
        StatusCode::CREATED
    );

    let second_slot = alternatives[1]["start"].as_str().unwrap();
    let again = app.book(&token, "d", &eligible_booking(second_slot)).await;
    assert_problem(&again, 409, "already_booked");
}

#[tokio::test]
async fn a_hold_expires_after_its_ttl_and_frees_the_slot() {
    let app = TestApp::new().await;
    let token = app.login().await;
    let slot = app
        .first_free_slot(&token, "RM-DP", "RM-DP-SPORTELLO")
        .await;
    let held = app.book(&token, "h", &eligible_booking(&slot)).await;
    let id = held.body["id"].as_str().unwrap().to_owned();
    app.clock.advance(Duration::minutes(10));

    let appointment = app.get(&format!("/appointments/{id}"), &token).await.body;
    assert_eq!(appointment["status"], "scaduto");
    assert_eq!(appointment["hold_expires_at"], Value::Null);
    assert_eq!(appointment["updated_at"], "2026-11-26T10:10:00+01:00");
    assert_problem(
        &app.post(&format!("/bookings/{id}/confirm"), &token, json!({}))
            .await,
        410,
        "hold_expired",
    );
    assert_problem(
        &app.call(
            Method::DELETE,
            &format!("/bookings/{id}"),
            Some(&token),
            None,
            None,
        )
        .await,
        409,
        "invalid_state",
    );

    let slots = app
        .get(
            "/slots?office=RM-DP&consultation_point=RM-DP-SPORTELLO",
            &token,
        )
        .await;
    let free = slots
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["start"] == slot.as_str())
        .unwrap();
    assert_eq!(free["available"], true);
    // Someone else takes it, and the first communication may book again.
    assert_eq!(
        app.book(&token, "other", &non_accolta_booking(&slot))
            .await
            .status,
        StatusCode::CREATED
    );
    let next = app
        .first_free_slot(&token, "RM-DP", "RM-DP-SPORTELLO")
        .await;
    assert_eq!(
        app.book(&token, "retry", &eligible_booking(&next))
            .await
            .status,
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn confirming_is_idempotent_and_a_cancelled_hold_cannot_be_confirmed() {
    let app = TestApp::new().await;
    let token = app.login().await;
    let slot = app
        .first_free_slot(&token, "RM-DP", "RM-DP-SPORTELLO")
        .await;
    let id = app.book(&token, "x", &eligible_booking(&slot)).await.body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.clock.advance(Duration::minutes(5));
    let confirmed = app
        .call(
            Method::POST,
            &format!("/bookings/{id}/confirm"),
            Some(&token),
            None,
            None,
        )
        .await;
    assert_eq!(confirmed.status, StatusCode::OK);
    assert_eq!(confirmed.body["status"], "confermato");
    assert_eq!(confirmed.body["hold_expires_at"], Value::Null);
    assert_eq!(confirmed.body["updated_at"], "2026-11-26T10:05:00+01:00");
    // Past the hold's end a confirmed appointment stays confirmed, and confirming again is 200.
    app.clock.advance(Duration::minutes(20));
    let token = app.login().await;
    let again = app
        .call(
            Method::POST,
            &format!("/bookings/{id}/confirm"),
            Some(&token),
            None,
            None,
        )
        .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.body, confirmed.body);
    assert_problem(
        &app.call(
            Method::DELETE,
            &format!("/bookings/{id}"),
            Some(&token),
            None,
            None,
        )
        .await,
        409,
        "invalid_state",
    );

    let slot = app
        .first_free_slot(&token, "RM-DP", "RM-DP-SPORTELLO")
        .await;
    let id = app
        .book(&token, "y", &non_accolta_booking(&slot))
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let cancelled = app
        .call(
            Method::DELETE,
            &format!("/bookings/{id}"),
            Some(&token),
            None,
            None,
        )
        .await;
    assert_eq!(cancelled.status, StatusCode::OK);
    assert_eq!(cancelled.body["status"], "prenotazione_cancellata");
    assert_problem(
        &app.call(
            Method::POST,
            &format!("/bookings/{id}/confirm"),
            Some(&token),
            None,
            None,
        )
        .await,
        409,
        "invalid_state",
    );
    assert_problem(
        &app.call(
            Method::DELETE,
            &format!("/bookings/{id}"),
            Some(&token),
            None,
            None,
        )
        .await,
        409,
        "invalid_state",
    );
    // The slot is free again.
    assert_eq!(
        app.first_free_slot(&token, "RM-DP", "RM-DP-SPORTELLO")
            .await,
        slot
    );
}

#[tokio::test]
async fn a_confirmed_appointment_can_be_cancelled_only_before_it_starts() {
    let app = TestApp::new().await;
    let token = app.login().await;
    let slot = app
        .first_free_slot(&token, "RM-DP", "RM-DP-SPORTELLO")
        .await;
    let id = app.book(&token, "1", &eligible_booking(&slot)).await.body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_problem(
        &app.post(&format!("/appointments/{id}/cancel"), &token, json!({}))
            .await,
        409,
        "invalid_state",
    );
    app.call(
        Method::POST,
        &format!("/bookings/{id}/confirm"),
        Some(&token),
        None,
        None,
    )
    .await;
    let too_long = app
        .post(
            &format!("/appointments/{id}/cancel"),
            &token,
            json!({"reason": "x".repeat(501)}),
        )
        .await;
    assert_problem(&too_long, 422, "reason_too_long");
    let cancelled = app
        .post(
            &format!("/appointments/{id}/cancel"),
            &token,
            json!({"reason": "Impegno di lavoro"}),
        )
        .await;
    assert_eq!(cancelled.status, StatusCode::OK);
    assert_eq!(cancelled.body["status"], "annullato");
    assert_eq!(cancelled.body["cancel_reason"], "Impegno di lavoro");
    assert_problem(
        &app.post(&format!("/appointments/{id}/cancel"), &token, json!({}))
            .await,
        409,
        "invalid_state",
    );
    assert_eq!(
        app.first_free_slot(&token, "RM-DP", "RM-DP-SPORTELLO")
            .await,
        slot
    );

    // Another one, confirmed, then its time comes: svolto, no longer cancellable.
    let id = app
        .book(&token, "2", &non_accolta_booking(&slot))
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.call(
        Method::POST,
        &format!("/bookings/{id}/confirm"),
        Some(&token),
        None,
        None,
    )
    .await;
    app.clock.advance(Duration::days(2));
    let token = app.login().await;
    // Without a body at all.
    let late = app
        .call(
            Method::POST,
            &format!("/appointments/{id}/cancel"),
            Some(&token),
            None,
            None,
        )
        .await;
    assert_problem(&late, 409, "invalid_state");
    assert_eq!(
        app.get(&format!("/appointments/{id}"), &token).await.body["status"],
        "svolto"
    );
}

#[tokio::test]
async fn the_history_lists_newest_first_and_filters_by_status_and_dates() {
    let app = TestApp::new().await;
    let token = app.login().await;
    let slot = app
        .first_free_slot(&token, "RM-DP", "RM-DP-SPORTELLO")
        .await;
    let id = app.book(&token, "1", &eligible_booking(&slot)).await.body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/contributors/{ELIGIBLE_FISCAL_CODE}/appointments");
    let all = app.get(&path, &token).await;
    let items = all.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "the new hold and the seeded past one");
    assert_eq!(items[0]["id"], id.as_str());
    assert_eq!(items[1]["status"], "svolto");
    for item in items {
        for field in [
            "topic_code",
            "consultation_point",
            "channel",
            "office_code",
            "start",
            "end",
            "phone",
            "notes",
            "status",
            "created_at",
            "updated_at",
            "communication_id",
            "topic_label",
            "office_name",
        ] {
            assert!(item[field].is_string(), "{field}: {item}");
        }
    }
    let held = app.get(&format!("{path}?status=prenotato"), &token).await;
    assert_eq!(held.body["items"].as_array().unwrap().len(), 1);
    let both = app
        .get(&format!("{path}?status=prenotato,svolto"), &token)
        .await;
    assert_eq!(both.body["items"].as_array().unwrap().len(), 2);
    let future = app.get(&format!("{path}?from=2026-11-26"), &token).await;
    assert_eq!(future.body["items"].as_array().unwrap().len(), 1);
    let past = app.get(&format!("{path}?to=2026-11-25"), &token).await;
    assert_eq!(past.body["items"][0]["status"], "svolto");
    let paged = app.get(&format!("{path}?limit=1"), &token).await;
    let cursor = paged.body["next_cursor"].as_str().unwrap();
    let rest = app
        .get(&format!("{path}?limit=1&cursor={cursor}"), &token)
        .await;
    assert_eq!(rest.body["items"][0]["status"], "svolto");
    assert_eq!(rest.body["next_cursor"], Value::Null);
    // Expiry shows in the filter at once.
    app.clock.advance(Duration::minutes(11));
    let expired = app.get(&format!("{path}?status=scaduto"), &token).await;
    assert_eq!(expired.body["items"][0]["id"], id.as_str());
    assert_problem(
        &app.get(&format!("{path}?status=lost"), &token).await,
        400,
        "invalid_parameter",
    );
    assert_problem(
        &app.get(&format!("{path}?from=yesterday"), &token).await,
        400,
        "invalid_parameter",
    );
}

#[tokio::test]
async fn appointments_are_visible_only_through_a_delegation() {
    let app = TestApp::new().await;
    let demo = app.login().await;
    let second = app.login_as("formazione", "formazione").await.body["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let slot = app
        .first_free_slot(&second, "RM-DP", "RM-DP-SPORTELLO")
        .await;
    // Santoro Anna: the second operator holds a delegation, demo's has expired.
    let body = booking(
        "CM-100033",
        EXPIRED_DELEGATION_FISCAL_CODE,
        "rateizzazioni",
        &slot,
    );
    let booked = app.book(&second, "s", &body).await;
    assert_eq!(booked.status, StatusCode::CREATED, "{:?}", booked.body);
    let id = booked.body["id"].as_str().unwrap();
    assert_problem(
        &app.get(&format!("/appointments/{id}"), &demo).await,
        403,
        "no_delegation",
    );
    assert_problem(
        &app.post(&format!("/bookings/{id}/confirm"), &demo, json!({}))
            .await,
        403,
        "no_delegation",
    );
    assert_problem(
        &app.get("/appointments/AP-2222-2222", &demo).await,
        404,
        "appointment_not_found",
    );
    assert_problem(
        &app.get("/appointments/not-an-id", &demo).await,
        404,
        "appointment_not_found",
    );
    // Ids are read case-insensitively, as over the phone.
    let lower = id.to_lowercase();
    assert_eq!(
        app.get(&format!("/appointments/{lower}"), &second)
            .await
            .status,
        StatusCode::OK
    );
    // Idempotency keys belong to the operator: the same key is fresh for another one.
    let slot = app.first_free_slot(&demo, "RM-DP", "RM-DP-SPORTELLO").await;
    assert_eq!(
        app.book(&demo, "s", &eligible_booking(&slot)).await.status,
        StatusCode::CREATED
    );
}

// ---------------------------------------------------------------- bad input

#[tokio::test]
async fn bad_input_gets_the_right_problem_and_never_a_500() {
    let app = TestApp::new().await;
    let token = app.login().await;
    let raw = |method: &str, path: &str, content_type: Option<&str>, body: Vec<u8>| {
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header("authorization", format!("Bearer {token}"))
            .header("idempotency-key", "raw");
        if let Some(ct) = content_type {
            request = request.header("content-type", ct);
        }
        request.body(Body::from(body)).unwrap()
    };
    let json = Some("application/json");
    let cases: Vec<(Request<Body>, u16, &str)> = vec![
        (
            raw(
                "POST",
                "/api/v1/bookings",
                json,
                b"{\"communication_id\":".to_vec(),
            ),
            400,
            "malformed_json",
        ),
        (
            raw("POST", "/api/v1/bookings", json, b"".to_vec()),
            400,
            "malformed_json",
        ),
        (
            raw("POST", "/api/v1/bookings", json, vec![b' '; 70 * 1024]),
            413,
            "payload_too_large",
        ),
        (
            raw(
                "POST",
                "/api/v1/bookings",
                Some("text/plain"),
                b"{}".to_vec(),
            ),
            415,
            "unsupported_media_type",
        ),
        (
            // A web page's form POST to this PC's port: no JSON content type, no preflight.
            raw(
                "POST",
                "/api/v1/auth/token",
                None,
                br#"{"grant_type":"password","username":"demo","password":"x"}"#.to_vec(),
            ),
            415,
            "unsupported_media_type",
        ),
        (
            raw(
                "POST",
                "/api/v1/auth/token",
                Some("text/plain"),
                br#"{"grant_type":"password","username":"demo","password":"x"}"#.to_vec(),
            ),
            415,
            "unsupported_media_type",
        ),
        (
            raw("POST", "/api/v1/auth/revoke", json, b"[]".to_vec()),
            422,
            "invalid_body",
        ),
        (
            raw("POST", "/api/v1/auth/token", json, b"\xff\xfe".to_vec()),
            400,
            "malformed_json",
        ),
        (
            raw("GET", "/api/v1/nothing/here", None, vec![]),
            404,
            "route_not_found",
        ),
        (raw("GET", "/", None, vec![]), 404, "route_not_found"),
        (
            raw("PUT", "/api/v1/topics", None, vec![]),
            405,
            "method_not_allowed",
        ),
        (
            raw("GET", "/api/v1/bookings", None, vec![]),
            405,
            "method_not_allowed",
        ),
        (
            raw("GET", "/api/v1/contributors?limit=abc", None, vec![]),
            400,
            "invalid_parameter",
        ),
        (
            raw("GET", "/api/v1/contributors/%FF%FE", None, vec![]),
            400,
            "invalid_path",
        ),
        (
            raw("GET", "/api/v1/appointments/%E2%82%AC", None, vec![]),
            404,
            "appointment_not_found",
        ),
    ];
    for (request, status, code) in cases {
        let description = format!("{} {}", request.method(), request.uri());
        let reply = app.send(request).await;
        assert_eq!(
            reply.status.as_u16(),
            status,
            "{description}: {:?}",
            reply.body
        );
        assert_problem(&reply, status, code);
    }
    let not_allowed = app.send(raw("PUT", "/api/v1/topics", None, vec![])).await;
    assert_eq!(not_allowed.headers["allow"], "GET,HEAD");
}

#[tokio::test]
async fn a_request_for_another_host_name_is_refused_and_loopback_names_are_served() {
    let app = TestApp::new().await;
    let token = app.login().await;
    let with_host = |host: &str| {
        Request::builder()
            .method("GET")
            .uri("/api/v1/topics")
            .header("host", host)
            .header("authorization", format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap()
    };
    // DNS rebinding: a page's own name pointed at 127.0.0.1.
    for host in [
        "evil.example.com",
        "evil.example.com:8787",
        "192.168.1.20:8787",
    ] {
        let reply = app.send(with_host(host)).await;
        assert_problem(&reply, 421, "misdirected_request");
    }
    for host in ["127.0.0.1:8787", "localhost:8787", "[::1]:8787"] {
        let reply = app.send(with_host(host)).await;
        assert_eq!(reply.status.as_u16(), 200, "{host}: {:?}", reply.body);
    }
    // Names given with --public-host are served too.
    app.state
        .set_public_hosts(vec!["agenda.ufficio.lan".into()]);
    let reply = app.send(with_host("agenda.ufficio.lan:8787")).await;
    assert_eq!(reply.status.as_u16(), 200, "{:?}", reply.body);
}
