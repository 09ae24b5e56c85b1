//! The real `agenda-sandbox` binary on port 0: end-to-end flows, expiry in real time,
//! concurrency, restarts and graceful shutdown.

mod common;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use agenda_sandbox::seed::{
    ELIGIBLE_COMMUNICATION, ELIGIBLE_FISCAL_CODE, NON_ACCOLTA_COMMUNICATION,
    NON_ACCOLTA_FISCAL_CODE, NOT_YET_COMMUNICATION, NOT_YET_FISCAL_CODE, NO_DELEGATION_FISCAL_CODE,
};
use common::{booking, client, login, Process, TempDb};
use reqwest::StatusCode;
use serde_json::{json, Value};

struct Http {
    client: reqwest::Client,
    token: String,
}

impl Http {
    async fn new(process: &Process) -> Self {
        let client = client();
        let token = login(&client, process).await;
        Self { client, token }
    }

    async fn get(&self, process: &Process, path: &str) -> (StatusCode, Value) {
        let response = self
            .client
            .get(process.api(path))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap();
        (
            response.status(),
            response.json().await.unwrap_or(Value::Null),
        )
    }

    async fn post(&self, process: &Process, path: &str, body: Value) -> (StatusCode, Value) {
        let response = self
            .client
            .post(process.api(path))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .unwrap();
        (
            response.status(),
            response.json().await.unwrap_or(Value::Null),
        )
    }

    async fn book(&self, process: &Process, key: &str, body: &Value) -> (StatusCode, Value) {
        let response = self
            .client
            .post(process.api("/bookings"))
            .bearer_auth(&self.token)
            .header("idempotency-key", key)
            .json(body)
            .send()
            .await
            .unwrap();
        (
            response.status(),
            response.json().await.unwrap_or(Value::Null),
        )
    }

    async fn free_slots(&self, process: &Process) -> Vec<String> {
        let (status, slots) = self
            .get(
                process,
                "/slots?office=RM-DP&consultation_point=RM-DP-SPORTELLO",
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        slots
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["available"] == true)
            .map(|s| s["start"].as_str().unwrap().to_owned())
            .collect()
    }
}

#[tokio::test]
async fn the_binary_prints_its_address_first_and_exits_0_on_sigterm() {
    let db = TempDb::new("sigterm");
    let process = Process::start(&db.path(), &["--seed", "demo"]);
    let http = Http::new(&process).await;
    let (status, topics) = http.get(&process, "/topics").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(topics.as_array().unwrap().len(), 12);
    let status = process.terminate();
    assert_eq!(status.code(), Some(0), "{status:?}");
}

#[tokio::test]
async fn an_operator_books_confirms_reads_the_history_and_cancels() {
    let db = TempDb::new("flow");
    let process = Process::start(&db.path(), &["--seed", "demo"]);
    let http = Http::new(&process).await;

    let (status, page) = http.get(&process, "/contributors?q=rossi").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["items"][0]["fiscal_code"], ELIGIBLE_FISCAL_CODE);
    let (_, communications) = http
        .get(
            &process,
            &format!("/contributors/{ELIGIBLE_FISCAL_CODE}/communications"),
        )
        .await;
    let communication = communications["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["appointment_request"]["allowed"] == true)
        .unwrap()
        .clone();
    assert_eq!(communication["id"], ELIGIBLE_COMMUNICATION);
    let (_, points) = http
        .get(
            &process,
            "/consultation-points?topic=anagrafica&office=RM-DP",
        )
        .await;
    assert!(points
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["code"] == "RM-DP-SPORTELLO"));
    let slot = http.free_slots(&process).await.remove(0);

    let body = booking(
        ELIGIBLE_COMMUNICATION,
        ELIGIBLE_FISCAL_CODE,
        "anagrafica",
        &slot,
    );
    let (status, held) = http.book(&process, "flow-1", &body).await;
    assert_eq!(status, StatusCode::CREATED, "{held}");
    assert_eq!(held["status"], "prenotato");
    let id = held["id"].as_str().unwrap().to_owned();
    assert!(!http.free_slots(&process).await.contains(&slot));

    let (status, confirmed) = http
        .post(&process, &format!("/bookings/{id}/confirm"), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(confirmed["status"], "confermato");

    let (_, history) = http
        .get(
            &process,
            &format!("/contributors/{ELIGIBLE_FISCAL_CODE}/appointments"),
        )
        .await;
    assert_eq!(history["items"][0]["id"], id.as_str());
    assert_eq!(history["items"][0]["status"], "confermato");
    assert_eq!(
        history["items"][0]["communication_id"],
        ELIGIBLE_COMMUNICATION
    );

    let (status, cancelled) = http
        .post(
            &process,
            &format!("/appointments/{id}/cancel"),
            json!({"reason": "Impegno sopravvenuto"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(cancelled["status"], "annullato");
    assert!(http.free_slots(&process).await.contains(&slot));
    assert_eq!(process.terminate().code(), Some(0));
}

#[tokio::test]
async fn error_paths_answer_403_404_409_410_and_422_over_http() {
    let db = TempDb::new("errors");
    // Holds of four seconds: long enough that the second booking below always finds the
    // first still held, even on a loaded machine (one second was not, once in CI-like runs).
    let process = Process::start(&db.path(), &["--seed", "demo", "--hold-ttl", "4"]);
    let http = Http::new(&process).await;
    let slots = http.free_slots(&process).await;

    let (status, body) = http
        .get(
            &process,
            &format!("/contributors/{NO_DELEGATION_FISCAL_CODE}"),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("no_delegation"))
    );
    let (status, body) = http.get(&process, "/appointments/AP-2222-3333").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("appointment_not_found"))
    );
    let early = booking(
        NOT_YET_COMMUNICATION,
        NOT_YET_FISCAL_CODE,
        "sgravi",
        &slots[0],
    );
    let (status, body) = http.book(&process, "early", &early).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("not_eligible_yet"))
    );
    assert!(body["allowed_from"].is_string());

    // A hold confirmed too late: 410; its slot is free again.
    let first = booking(
        ELIGIBLE_COMMUNICATION,
        ELIGIBLE_FISCAL_CODE,
        "anagrafica",
        &slots[0],
    );
    let (status, held) = http.book(&process, "first", &first).await;
    assert_eq!(status, StatusCode::CREATED);
    let other = booking(
        NON_ACCOLTA_COMMUNICATION,
        NON_ACCOLTA_FISCAL_CODE,
        "rimborsi",
        &slots[0],
    );
    let (status, body) = http.book(&process, "other", &other).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("slot_taken"))
    );
    tokio::time::sleep(Duration::from_millis(4500)).await;
    let id = held["id"].as_str().unwrap();
    let (status, body) = http
        .post(&process, &format!("/bookings/{id}/confirm"), json!({}))
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::GONE, Some("hold_expired"))
    );
    let (_, expired) = http.get(&process, &format!("/appointments/{id}")).await;
    assert_eq!(expired["status"], "scaduto");
    assert!(http.free_slots(&process).await.contains(&slots[0]));
    // The same key and body replays the stored 409; a new key takes the freed slot.
    let (status, replay) = http.book(&process, "other", &other).await;
    assert_eq!(
        (status, replay["code"].as_str()),
        (StatusCode::CONFLICT, Some("slot_taken"))
    );
    let (status, _) = http.book(&process, "other-2", &other).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(process.terminate().code(), Some(0));
}

/// Every communication the demo operator could book today.
async fn eligible_communications(http: &Http, process: &Process) -> Vec<(String, String, String)> {
    let (_, contributors) = http.get(process, "/contributors?limit=500").await;
    let mut out = Vec::new();
    for c in contributors["items"].as_array().unwrap() {
        let fc = c["fiscal_code"].as_str().unwrap();
        let (_, list) = http
            .get(process, &format!("/contributors/{fc}/communications"))
            .await;
        for item in list["items"].as_array().unwrap() {
            if item["appointment_request"]["allowed"] == true {
                out.push((
                    item["id"].as_str().unwrap().to_owned(),
                    fc.to_owned(),
                    item["topic_code"].as_str().unwrap().to_owned(),
                ));
            }
        }
    }
    out
}

#[tokio::test]
async fn a_hundred_concurrent_bookings_of_one_slot_make_exactly_one_appointment() {
    let db = TempDb::new("race");
    let process = Arc::new(Process::start(&db.path(), &["--seed", "demo"]));
    let http = Arc::new(Http::new(&process).await);
    let communications = eligible_communications(&http, &process).await;
    assert!(communications.len() >= 10, "{}", communications.len());
    let slot = http.free_slots(&process).await.remove(0);

    let mut tasks = Vec::new();
    for n in 0..100 {
        let (id, fc, topic) = communications[n % communications.len()].clone();
        let body = booking(&id, &fc, &topic, &slot);
        let (http, process) = (Arc::clone(&http), Arc::clone(&process));
        tasks.push(tokio::spawn(async move {
            http.book(&process, &format!("race-{n}"), &body).await
        }));
    }
    let mut created = Vec::new();
    for task in tasks {
        let (status, body) = task.await.unwrap();
        match status {
            StatusCode::CREATED => created.push(body),
            StatusCode::CONFLICT => assert!(
                ["slot_taken", "already_booked"].contains(&body["code"].as_str().unwrap()),
                "{body}"
            ),
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!(created.len(), 1, "exactly one booking wins");
    assert!(!http.free_slots(&process).await.contains(&slot));
    let holders: HashSet<&String> = communications.iter().map(|c| &c.1).collect();
    let mut live = 0;
    for fc in holders {
        let (_, history) = http
            .get(
                &process,
                &format!("/contributors/{fc}/appointments?status=prenotato"),
            )
            .await;
        live += history["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["start"] == slot.as_str())
            .count();
    }
    assert_eq!(live, 1, "one live appointment holds the slot");
}

#[tokio::test]
async fn concurrent_retries_with_one_key_create_one_appointment() {
    let db = TempDb::new("retries");
    let process = Arc::new(Process::start(&db.path(), &["--seed", "demo"]));
    let http = Arc::new(Http::new(&process).await);
    let slot = http.free_slots(&process).await.remove(0);
    let body = booking(
        ELIGIBLE_COMMUNICATION,
        ELIGIBLE_FISCAL_CODE,
        "anagrafica",
        &slot,
    );
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let (http, process, body) = (Arc::clone(&http), Arc::clone(&process), body.clone());
        tasks.push(tokio::spawn(async move {
            http.book(&process, "same-key", &body).await
        }));
    }
    let mut ids = HashSet::new();
    for task in tasks {
        let (status, body) = task.await.unwrap();
        match status {
            StatusCode::CREATED => {
                ids.insert(body["id"].as_str().unwrap().to_owned());
            }
            StatusCode::CONFLICT => assert_eq!(body["code"], "request_in_progress", "{body}"),
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!(ids.len(), 1, "every success is the same appointment");
    let (status, replay) = http.book(&process, "same-key", &body).await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(ids.contains(replay["id"].as_str().unwrap()));
}

#[tokio::test]
async fn a_restart_keeps_appointments_tokens_and_idempotency_keys() {
    let db = TempDb::new("restart");
    let process = Process::start(&db.path(), &["--seed", "demo"]);
    let http = Http::new(&process).await;
    let slots = http.free_slots(&process).await;
    let confirmed_body = booking(
        ELIGIBLE_COMMUNICATION,
        ELIGIBLE_FISCAL_CODE,
        "anagrafica",
        &slots[0],
    );
    let (_, confirmed) = http.book(&process, "keep-1", &confirmed_body).await;
    let confirmed_id = confirmed["id"].as_str().unwrap().to_owned();
    http.post(
        &process,
        &format!("/bookings/{confirmed_id}/confirm"),
        json!({}),
    )
    .await;
    let held_body = booking(
        NON_ACCOLTA_COMMUNICATION,
        NON_ACCOLTA_FISCAL_CODE,
        "rimborsi",
        &slots[1],
    );
    let (_, held) = http.book(&process, "keep-2", &held_body).await;
    assert_eq!(process.terminate().code(), Some(0));

    // Same database, seeded again on purpose: nothing is reseeded, nothing is lost.
    let process = Process::start(&db.path(), &["--seed", "demo"]);
    let (status, after) = http
        .get(&process, &format!("/appointments/{confirmed_id}"))
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the access token survives the restart"
    );
    assert_eq!(after["status"], "confermato");
    let (_, after_hold) = http
        .get(
            &process,
            &format!("/appointments/{}", held["id"].as_str().unwrap()),
        )
        .await;
    assert_eq!(after_hold, held);
    let (status, replay) = http.book(&process, "keep-2", &held_body).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(replay, held);
    let free = http.free_slots(&process).await;
    assert!(!free.contains(&slots[0]) && !free.contains(&slots[1]));
    let (_, contributors) = http.get(&process, "/contributors?limit=500").await;
    assert_eq!(contributors["items"].as_array().unwrap().len(), 22);
    assert_eq!(process.terminate().code(), Some(0));
}

#[tokio::test]
async fn holds_expire_across_a_restart_and_free_their_slot() {
    let db = TempDb::new("expiry-restart");
    let process = Process::start(&db.path(), &["--seed", "demo", "--hold-ttl", "1"]);
    let http = Http::new(&process).await;
    let slot = http.free_slots(&process).await.remove(0);
    let body = booking(
        ELIGIBLE_COMMUNICATION,
        ELIGIBLE_FISCAL_CODE,
        "anagrafica",
        &slot,
    );
    let (status, held) = http.book(&process, "short", &body).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(process.terminate().code(), Some(0));
    tokio::time::sleep(Duration::from_millis(1200)).await;

    let process = Process::start(&db.path(), &[]);
    let (_, after) = http
        .get(
            &process,
            &format!("/appointments/{}", held["id"].as_str().unwrap()),
        )
        .await;
    assert_eq!(after["status"], "scaduto");
    assert!(http.free_slots(&process).await.contains(&slot));
    let again = booking(
        NON_ACCOLTA_COMMUNICATION,
        NON_ACCOLTA_FISCAL_CODE,
        "rimborsi",
        &slot,
    );
    let (status, _) = http.book(&process, "again", &again).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(process.terminate().code(), Some(0));
}

#[tokio::test]
async fn the_library_spawns_a_server_on_port_0_and_shuts_it_down_gracefully() {
    let db = TempDb::new("spawn");
    let config = agenda_sandbox::Config {
        db_path: db.path(),
        hold_ttl: Duration::from_secs(600),
        seed_demo: true,
        durable: false,
    };
    let (addr, server) = agenda_sandbox::spawn(config, "127.0.0.1:0".parse().unwrap())
        .await
        .expect("spawn");
    assert!(addr.ip().is_loopback() && addr.port() != 0);
    let client = client();
    let reply: Value = client
        .post(format!("http://{addr}/api/v1/auth/token"))
        .json(&json!({"grant_type": "password", "username": "demo", "password": "demo"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(reply["operator"]["id"], "op-demo");
    server.shutdown().await.expect("graceful shutdown");
    assert!(client
        .get(format!("http://{addr}/api/v1/topics"))
        .send()
        .await
        .is_err());
}

#[tokio::test(flavor = "current_thread")]
async fn a_server_on_its_own_runtime_answers_while_the_callers_runtime_is_busy() {
    let db = TempDb::new("dedicated");
    let mut config = agenda_sandbox::Config::new(db.path());
    config.seed_demo = true;
    let (addr, server) = agenda_sandbox::spawn_dedicated(config, "127.0.0.1:0".parse().unwrap(), 1)
        .await
        .expect("spawn on its own runtime");
    // The caller's only thread is blocked: a server on this runtime could not answer.
    let answered = std::thread::spawn(move || {
        let mut stream = std::net::TcpStream::connect(addr).unwrap();
        use std::io::{Read, Write};
        stream
            .write_all(
                b"GET /api/v1/topics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
            )
            .unwrap();
        let mut reply = String::new();
        stream.read_to_string(&mut reply).unwrap();
        reply
    });
    let reply = answered.join().unwrap();
    assert!(reply.starts_with("HTTP/1.1 401"), "{reply}");
    server.shutdown().await.expect("graceful shutdown");
    assert!(std::net::TcpStream::connect(addr).is_err());
}
