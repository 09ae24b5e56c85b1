//! A server that does not keep the contract, on loopback: answers too big, endless cursors,
//! numbers out of range, codes of any length. The client must end each with a typed error
//! (or cope), never a panic and never unbounded memory. These are the fixed cases; the
//! generated ones are in `hostile_property.rs`.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use agenda_client::client::{MAX_BODY_BYTES, MAX_PAGES};
use agenda_client::{MemoryTokenStore, Secret};
use tokio::io::AsyncWriteExt;

use crate::common::*;

/// Serves every connection one raw HTTP answer made by `answer(request head)`, then closes.
async fn hostile(answer: impl Fn(&str) -> Vec<u8> + Send + Sync + 'static) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let answer = Arc::new(answer);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let answer = answer.clone();
            tokio::spawn(async move {
                let Some(head) = read_request(&mut stream).await else {
                    return;
                };
                let _ = stream.write_all(&answer(&head)).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    addr
}

fn ok_json(body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

const TOKEN: &str = r#"{"access_token":"a","refresh_token":"r","expires_in":900,
    "operator":{"id":"op-demo","display_name":"Demo","organization":"CNA"}}"#;

/// A client for `addr`, signed in when the server grants a token.
async fn client_of(addr: SocketAddr) -> agenda_client::ApiClient {
    let mut config = config(&format!("http://{addr}"));
    config.retry = agenda_client::RetryPolicy::never();
    let client = client_with(config, Arc::new(MemoryTokenStore::new()));
    client
        .sign_in("demo", &Secret::new("demo"))
        .await
        .expect("the hostile server grants a token");
    client
}

fn route(head: &str) -> &str {
    head.split_whitespace().nth(1).unwrap_or("")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_bigger_than_the_cap_is_an_invalid_response() {
    let addr = hostile(|head| {
        if route(head).contains("/auth/token") {
            return ok_json(TOKEN);
        }
        let huge = format!("[{}]", " ".repeat(MAX_BODY_BYTES + 10));
        if route(head).contains("/topics") {
            // Declared too big.
            ok_json(&huge)
        } else {
            // Not declared: streamed until the connection closes.
            let mut out =
                b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n"
                    .to_vec();
            out.extend_from_slice(huge.as_bytes());
            out
        }
    })
    .await;
    let client = client_of(addr).await;
    let declared = client.topics().await.unwrap_err();
    assert_eq!(declared.code(), "invalid_response", "{declared}");
    let streamed = client.offices(None).await.unwrap_err();
    assert_eq!(streamed.code(), "invalid_response", "{streamed}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn endless_fresh_cursors_stop_after_the_page_cap() {
    let pages = Arc::new(AtomicUsize::new(0));
    let seen = pages.clone();
    let addr = hostile(move |head| {
        if route(head).contains("/auth/token") {
            return ok_json(TOKEN);
        }
        let n = seen.fetch_add(1, Ordering::SeqCst);
        ok_json(&format!(r#"{{"items":[],"next_cursor":"c{n}"}}"#))
    })
    .await;
    let client = client_of(addr).await;
    let err = client.all_contributors(None).await.unwrap_err();
    assert_eq!(err.code(), "invalid_response", "{err}");
    assert_eq!(pages.load(Ordering::SeqCst), MAX_PAGES);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_huge_token_lifetime_does_not_overflow() {
    let addr = hostile(|_| {
        ok_json(
            r#"{"access_token":"a","refresh_token":"r","expires_in":18446744073709551615,
                "operator":{"id":"op-demo","display_name":"Demo","organization":"CNA"}}"#,
        )
    })
    .await;
    let client = client_of(addr).await;
    assert!(client.operator().await.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_appointment_with_a_300_character_office_code_is_refused_at_the_edge() {
    let addr = hostile(|head| {
        if route(head).contains("/auth/token") {
            return ok_json(TOKEN);
        }
        let office = "X".repeat(300);
        ok_json(&format!(
            r#"{{"items":[{{"id":"AP-7K3M-Q9TX","communication_id":"CM-1",
            "fiscal_code":"RSSMRA85T10A562S","topic_code":"ANAG","consultation_point":"P1",
            "channel":"in_presenza","office_code":"{office}",
            "start":"2026-12-10T09:00:00+01:00","end":"2026-12-10T09:30:00+01:00",
            "phone":"+393331234567","notes":"Chiarimenti","status":"confermato",
            "hold_expires_at":null,"created_at":"2026-12-03T18:00:00+01:00",
            "updated_at":"2026-12-03T18:00:00+01:00"}}],"next_cursor":null}}"#
        ))
    })
    .await;
    let client = client_of(addr).await;
    let fc = agenda_core::FiscalCode::parse("RSSMRA85T10A562S").unwrap();
    let err = client
        .all_appointments(&fc, &Default::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "invalid_response", "{err}");
}
