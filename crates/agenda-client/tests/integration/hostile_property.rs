//! The property of a client that trusts no server: whatever a server on the other end
//! answers — wrong types, huge strings and numbers, endless or repeated cursors, truncated
//! or oversized bodies, a slow drip, wrong or missing content types, any status — every call
//! of the client, and of the agenda with its store, ends in time, without a panic, in a value
//! whose texts and lists are bounded or in a typed error with a machine-word code.
//!
//! Each generated case is a script of raw HTTP answers, served in turn by a server on
//! loopback, and a list of operations to run against it. Most answers start from a valid
//! body of the contract and break one field, so the decoders are pushed past their first
//! check. `CASSETTO_HOSTILE_CASES` changes the number of cases (default 2,000).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use agenda_client::client::MAX_BODY_BYTES;
use agenda_client::wire::{MAX_MESSAGE_CHARS, MAX_OPAQUE_LEN};
use agenda_client::{
    Agenda, ApiError, AppointmentFilter, IdempotencyKey, MemoryKeyStore, MemoryTokenStore,
    RetryPolicy, Secret, SlotQuery, Store,
};
use agenda_core::{AppointmentId, FiscalCode, Notes, PhoneNumber};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{json, Value};
use tokio::io::AsyncWriteExt;

use crate::common::*;

/// How the body of an answer reaches the client.
#[derive(Debug, Clone)]
enum Framing {
    /// `Content-Length` right.
    Exact,
    /// `Content-Length` says more than is sent, then the connection closes.
    Truncated,
    /// No `Content-Length`: the body ends when the connection closes.
    UntilClose,
    /// Sent in 16 pieces, a few milliseconds apart.
    Drip,
    /// Padded past the client's body cap.
    Oversized,
}

/// One raw answer.
#[derive(Debug, Clone)]
struct Reply {
    status: u16,
    content_type: Option<&'static str>,
    body: Vec<u8>,
    framing: Framing,
}

/// What a case asks of the client.
#[derive(Debug, Clone, Copy)]
enum Op {
    Topics,
    Offices,
    Points,
    Contributors,
    Contributor,
    Communications,
    Thread,
    Slots,
    Book,
    Confirm,
    CancelHold,
    History,
    Appointment,
    Annul,
    Refresh,
    CachedHistory,
    CachedCommunications,
    CachedContributors,
    SignOut,
}

const OPS: [Op; 19] = [
    Op::Topics,
    Op::Offices,
    Op::Points,
    Op::Contributors,
    Op::Contributor,
    Op::Communications,
    Op::Thread,
    Op::Slots,
    Op::Book,
    Op::Confirm,
    Op::CancelHold,
    Op::History,
    Op::Appointment,
    Op::Annul,
    Op::Refresh,
    Op::CachedHistory,
    Op::CachedCommunications,
    Op::CachedContributors,
    Op::SignOut,
];

const FISCAL_CODE: &str = "RSSMRA85T10A562S";

fn appointment() -> Value {
    json!({"id":"AP-7K3M-Q9TX","communication_id":"CM-1","fiscal_code":FISCAL_CODE,
        "topic_code":"anagrafica","consultation_point":"P1","channel":"in_presenza",
        "office_code":"RM01","start":"2026-12-10T09:00:00+01:00",
        "end":"2026-12-10T09:30:00+01:00","phone":"+393331234567","notes":"Chiarimenti",
        "status":"prenotato","hold_expires_at":"2026-12-04T18:10:00+01:00",
        "created_at":"2026-12-03T18:00:00+01:00","updated_at":"2026-12-03T18:00:00+01:00"})
}

fn communication() -> Value {
    json!({"id":"CM-1","topic_code":"anagrafica","subject":"Variazione indirizzo",
        "sent_at":"2026-11-01T10:00:00+01:00","status":"inviata",
        "last_message_at":"2026-11-02T10:00:00+01:00",
        "appointment_request":{"allowed":true,"reason":"days_elapsed","allowed_from":"2026-11-05"}})
}

/// Valid bodies of the contract, the starting points of most answers.
fn templates() -> Vec<Value> {
    let slot = json!({"start":"2026-12-10T09:00:00+01:00","end":"2026-12-10T09:30:00+01:00","available":true});
    let mut thread = communication();
    thread["messages"] =
        json!([{"at":"2026-11-01T10:00:00+01:00","from":"utente","text":"Buongiorno"}]);
    vec![
        json!({"access_token":"at_1","token_type":"Bearer","expires_in":900,"refresh_token":"rt_1",
            "operator":{"id":"op-demo","display_name":"Demo","organization":"CNA"}}),
        json!([{"code":"anagrafica","label":"Anagrafica","appointment_after_days":3}]),
        json!([{"code":"RM01","name":"Roma","kind":"direzione_provinciale","address":"Via X 1",
            "city":"Roma","province":"RM",
            "opening_hours":{"monday":["08:30-12:30","14:00-16:00"],"tuesday":["08:30-12:30"]},
            "closures":[{"date":"2026-12-24","reason":"Chiusura"}],
            "patron_saint":{"month":6,"day":29,"name":"Santi Pietro e Paolo"}}]),
        json!([{"code":"P1","label":"Sportello","channel":"in_presenza","office_code":"RM01",
            "slot_minutes":30,"topics":["anagrafica"],"opening_hours":{"monday":["09:00-12:00"]}}]),
        json!({"items":[{"fiscal_code":FISCAL_CODE,"display_name":"Rossi Mario","gestione":"artigiani",
            "delegation":{"kind":"generale","valid_until":"2027-12-31"}}],"next_cursor":null}),
        json!({"items":[communication()],"next_cursor":null}),
        thread,
        json!([slot]),
        appointment(),
        json!({"items":[appointment()],"next_cursor":"c2"}),
        json!({"type":"about:blank","title":"Conflitto","status":409,"code":"slot_taken",
            "detail":"Orario occupato","alternatives":[slot]}),
    ]
}

/// Any JSON value, leaning to the ones that break decoders: extreme numbers, long strings.
fn hostile_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        Just(json!(u64::MAX)),
        Just(json!(-1)),
        Just(json!(1e308)),
        "[ -~]{0,12}".prop_map(Value::String),
        "\\PC{0,8}".prop_map(Value::String),
        prop_oneof![
            Just(1_001usize),
            Just(MAX_MESSAGE_CHARS + 1),
            Just(MAX_OPAQUE_LEN + 1),
            Just(300_000)
        ]
        .prop_map(|n| Value::String("X".repeat(n))),
        Just(json!("2026-02-30T25:61:00+01:00")),
        Just(json!("AP-0000-0000")),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec(("[a-z_]{1,12}", inner), 0..4)
                .prop_map(|fields| Value::Object(fields.into_iter().collect())),
        ]
    })
}

/// Replaces (or removes) the `pick`-th field met walking `value` depth first.
fn break_field(value: &mut Value, pick: usize, with: Option<Value>) {
    fn walk(value: &mut Value, left: &mut usize, with: &mut Option<Option<Value>>) {
        match value {
            Value::Object(map) => {
                let keys: Vec<String> = map.keys().cloned().collect();
                for key in keys {
                    if with.is_none() {
                        return;
                    }
                    if *left == 0 {
                        match with.take().flatten() {
                            Some(new) => map.insert(key, new),
                            None => map.remove(&key),
                        };
                        return;
                    }
                    *left -= 1;
                    if let Some(child) = map.get_mut(&key) {
                        walk(child, left, with);
                    }
                }
            }
            Value::Array(items) => {
                for item in items {
                    walk(item, left, with);
                }
            }
            _ => {}
        }
    }
    let mut with = Some(with);
    let mut left = pick;
    walk(value, &mut left, &mut with);
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    let all = templates();
    let count = all.len();
    let broken = (
        0..count,
        0usize..40,
        prop::option::weighted(0.8, hostile_value()),
    )
        .prop_map(move |(t, pick, with)| {
            let mut value = all[t].clone();
            break_field(&mut value, pick, with);
            serde_json::to_vec(&value).unwrap_or_default()
        });
    let intact = (0..count).prop_map(|t| serde_json::to_vec(&templates()[t]).unwrap_or_default());
    prop_oneof![
        5 => broken,
        2 => intact,
        2 => hostile_value().prop_map(|v| serde_json::to_vec(&v).unwrap_or_default()),
        1 => prop::collection::vec(any::<u8>(), 0..64),
        1 => Just(b"<html><body>Bad gateway</body></html>".to_vec()),
        1 => Just(Vec::new()),
    ]
}

fn reply() -> impl Strategy<Value = Reply> {
    let status = prop_oneof![
        6 => Just(200u16),
        2 => Just(201),
        1 => Just(204),
        3 => prop::sample::select(vec![400u16, 401, 403, 404, 409, 410, 413, 415, 422, 429, 500, 503]),
        1 => 100u16..600,
    ];
    let content_type = prop::sample::select(vec![
        Some("application/json"),
        Some("application/json"),
        Some("application/problem+json"),
        Some("text/html"),
        Some("application/json; charset=latin1"),
        None,
    ]);
    let framing = prop_oneof![
        10 => Just(Framing::Exact),
        2 => Just(Framing::Truncated),
        2 => Just(Framing::UntilClose),
        1 => Just(Framing::Drip),
        1 => Just(Framing::Oversized),
    ];
    (status, content_type, body(), framing).prop_map(|(status, content_type, body, framing)| {
        Reply {
            status,
            content_type,
            body,
            framing,
        }
    })
}

/// A case: whether sign-in gets a valid token first, the answers in turn, the operations.
#[derive(Debug, Clone)]
struct Case {
    valid_sign_in: bool,
    replies: Vec<Reply>,
    ops: Vec<Op>,
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop::bool::weighted(0.7),
        prop::collection::vec(reply(), 1..8),
        prop::collection::vec(prop::sample::select(OPS.to_vec()), 1..5),
    )
        .prop_map(|(valid_sign_in, replies, ops)| Case {
            valid_sign_in,
            replies,
            ops,
        })
}

/// The answers of the running case, served in turn (again from the first when they run out).
#[derive(Default)]
struct Script {
    replies: Vec<Reply>,
    next: usize,
}

async fn serve(script: Arc<Mutex<Script>>) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let script = script.clone();
            tokio::spawn(async move {
                if read_request(&mut stream).await.is_none() {
                    return;
                }
                let reply = {
                    let mut script = script.lock().unwrap_or_else(|p| p.into_inner());
                    let count = script.replies.len().max(1);
                    let at = script.next % count;
                    script.next += 1;
                    script.replies.get(at).cloned()
                };
                if let Some(reply) = reply {
                    let _ = write_reply(&mut stream, &reply).await;
                }
                let _ = stream.shutdown().await;
            });
        }
    });
    addr
}

async fn write_reply(stream: &mut tokio::net::TcpStream, reply: &Reply) -> std::io::Result<()> {
    let mut body = reply.body.clone();
    if matches!(reply.framing, Framing::Oversized) {
        body.resize(MAX_BODY_BYTES + 1024, b' ');
    }
    let mut head = format!("HTTP/1.1 {} X\r\nconnection: close\r\n", reply.status);
    if let Some(content_type) = reply.content_type {
        head.push_str(&format!("content-type: {content_type}\r\n"));
    }
    match reply.framing {
        Framing::Exact | Framing::Drip | Framing::Oversized => {
            head.push_str(&format!("content-length: {}\r\n", body.len()));
        }
        Framing::Truncated => {
            head.push_str(&format!("content-length: {}\r\n", body.len() + 100));
        }
        Framing::UntilClose => {}
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await?;
    if matches!(reply.framing, Framing::Drip) {
        for piece in body.chunks(body.len().div_ceil(16).max(1)) {
            stream.write_all(piece).await?;
            stream.flush().await?;
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        return Ok(());
    }
    stream.write_all(&body).await
}

/// Every string in `value` is within the longest bound of the edge, and every list within
/// the page cap of a listing.
fn assert_bounded(what: &str, value: &Value) -> Result<(), TestCaseError> {
    match value {
        Value::String(text) => prop_assert!(
            text.chars().count() <= MAX_OPAQUE_LEN.max(MAX_MESSAGE_CHARS),
            "{what}: a string of {} characters got through",
            text.chars().count()
        ),
        Value::Array(items) => {
            prop_assert!(
                items.len() <= agenda_client::client::MAX_LISTING_ITEMS,
                "{what}: {} items",
                items.len()
            );
            for item in items {
                assert_bounded(what, item)?;
            }
        }
        Value::Object(map) => {
            for item in map.values() {
                assert_bounded(what, item)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// A value, or a typed error: its code a machine word, its message printable.
fn check<T: serde::Serialize>(
    op: Op,
    result: Result<Result<T, ApiError>, tokio::time::error::Elapsed>,
) -> Result<(), TestCaseError> {
    let Ok(result) = result else {
        return Err(TestCaseError::fail(format!("{op:?} did not end")));
    };
    match result {
        Ok(value) => assert_bounded(
            &format!("{op:?}"),
            &serde_json::to_value(&value).unwrap_or_default(),
        ),
        Err(error) => {
            let code = error.code();
            prop_assert!(
                !code.is_empty()
                    && code.len() <= 64
                    && code
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                "{op:?}: code {code:?} is not a machine word"
            );
            prop_assert!(!error.to_string().is_empty());
            Ok(())
        }
    }
}

/// [`check`] for the agenda's errors.
fn check_agenda<T: serde::Serialize>(
    op: Op,
    result: Result<Result<T, agenda_client::AgendaError>, tokio::time::error::Elapsed>,
) -> Result<(), TestCaseError> {
    let result = result.map(|r| {
        r.map_err(|e| match e {
            agenda_client::AgendaError::Api(api) => api,
            // A store or wizard refusal is typed too; carry its code as a problem.
            other => ApiError::Problem(Box::new(agenda_client::Problem {
                status: 0,
                code: other.code().to_owned(),
                title: other.to_string(),
                detail: None,
                allowed_from: None,
                alternatives: Vec::new(),
                retry_after: None,
            })),
        })
    });
    check(op, result)
}

/// `f`, given at most 30 s: a hostile answer may fail a call, never hang it.
async fn within<F: std::future::Future>(f: F) -> Result<F::Output, tokio::time::error::Elapsed> {
    tokio::time::timeout(Duration::from_secs(30), f).await
}

async fn run(agenda: &Agenda, op: Op) -> Result<(), TestCaseError> {
    let client = agenda.client();
    let fc = FiscalCode::parse(FISCAL_CODE).unwrap();
    let id = AppointmentId::parse("AP-7K3M-Q9TX").unwrap();
    match op {
        Op::Topics => check(op, within(client.topics()).await),
        Op::Offices => check(op, within(client.offices(None)).await),
        Op::Points => check(
            op,
            within(client.consultation_points(Some("anagrafica"), Some("RM01"))).await,
        ),
        Op::Contributors => check(op, within(client.all_contributors(None)).await),
        Op::Contributor => check(op, within(client.contributor(&fc)).await),
        Op::Communications => check(op, within(client.all_communications(&fc)).await),
        Op::Thread => check(op, within(client.communication("CM-1")).await),
        Op::Slots => {
            let query = SlotQuery {
                office: "RM01".into(),
                consultation_point: "P1".into(),
                topic: None,
                from: None,
                to: None,
            };
            check(op, within(client.slots(&query)).await)
        }
        Op::Book => {
            let booking = agenda_client::BookingRequest {
                communication_id: "CM-1".into(),
                fiscal_code: fc.clone(),
                topic_code: "anagrafica".into(),
                consultation_point: "P1".into(),
                office_code: "RM01".into(),
                slot_start: "2026-12-10T09:00:00+01:00".into(),
                phone: PhoneNumber::parse("+393331234567").unwrap(),
                notes: Notes::parse("Chiarimenti").unwrap(),
            };
            let key = IdempotencyKey::generate();
            check(op, within(client.create_booking(&key, &booking)).await)
        }
        Op::Confirm => check(op, within(client.confirm_booking(&id)).await),
        Op::CancelHold => check(op, within(client.cancel_hold(&id)).await),
        Op::History => check(
            op,
            within(client.all_appointments(&fc, &AppointmentFilter::default())).await,
        ),
        Op::Appointment => check(op, within(client.appointment(&id)).await),
        Op::Annul => check(op, within(client.cancel_appointment(&id, None)).await),
        Op::Refresh => check(op, within(client.refresh_session()).await),
        Op::CachedHistory => check_agenda(
            op,
            within(agenda.appointments(&fc, &AppointmentFilter::default()))
                .await
                .map(|r| r.map(|l| l.items)),
        ),
        Op::CachedCommunications => check_agenda(
            op,
            within(agenda.communications(&fc))
                .await
                .map(|r| r.map(|l| l.items)),
        ),
        Op::CachedContributors => check_agenda(
            op,
            within(agenda.contributors(None))
                .await
                .map(|r| r.map(|l| l.items)),
        ),
        Op::SignOut => check(op, within(client.sign_out()).await),
    }
}

#[test]
fn no_answer_of_a_hostile_server_panics_hangs_or_gets_through_unbounded() {
    let cases = std::env::var("CASSETTO_HOSTILE_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(2_000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let script = Arc::new(Mutex::new(Script::default()));
    let addr = runtime.block_on(serve(script.clone()));
    let dir = TempDir::new();
    let mut config = config(&format!("http://{addr}"));
    config.retry = RetryPolicy::never();
    config.connect_timeout = Duration::from_secs(2);
    config.request_timeout = Duration::from_secs(5);
    // One agenda and one store for every case: the store takes whatever got through, case
    // after case.
    let store = Store::open(dir.path(), &MemoryKeyStore::new()).unwrap();
    let agenda = Agenda::with_parts(
        client_with(config, Arc::new(MemoryTokenStore::new())),
        Arc::new(store),
    );
    let valid_token = serde_json::to_vec(&templates()[0]).unwrap();

    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let outcome = runner.run(&case(), |case| {
        let mut replies = Vec::with_capacity(case.replies.len() + 1);
        if case.valid_sign_in {
            replies.push(Reply {
                status: 200,
                content_type: Some("application/json"),
                body: valid_token.clone(),
                framing: Framing::Exact,
            });
        }
        replies.extend(case.replies.iter().cloned());
        *script.lock().unwrap() = Script { replies, next: 0 };
        runtime.block_on(async {
            let signed_in = tokio::time::timeout(
                Duration::from_secs(30),
                agenda.sign_in("demo", &Secret::new("demo")),
            )
            .await;
            prop_assert!(signed_in.is_ok(), "sign-in did not end");
            for op in &case.ops {
                run(&agenda, *op).await?;
            }
            Ok(())
        })
    });
    if let Err(failure) = outcome {
        panic!("{failure}");
    }
}
