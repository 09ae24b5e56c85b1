//! Contract 1.1 through the client against the real sandbox: the desk agenda, the threads
//! requestable across contributors, the atomic reschedule, who booked and why; and a 1.0
//! service, which does not offer them, told apart from a failure.

use agenda_client::{DeskAgendaQuery, IdempotencyKey, MemoryTokenStore, RescheduleRequest, Secret};
use agenda_core::AppointmentStatus;
use agenda_sandbox::seed::{DEMO_PASSWORD, DEMO_USERNAME};
use std::sync::Arc;

use crate::common::*;

/// A client of `url`, signed in as the demo operator (token in memory).
async fn demo(url: &str) -> agenda_client::ApiClient {
    let client = client_with(config(url), Arc::new(MemoryTokenStore::new()));
    client
        .sign_in(DEMO_USERNAME, &Secret::new(DEMO_PASSWORD))
        .await
        .unwrap();
    client
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_desk_agenda_and_requestable_threads_span_contributors() {
    let sandbox = Sandbox::start().await;
    let client = demo(&sandbox.url()).await;
    let eligible = eligible(&client).await;
    let e = &eligible[0];
    let requestable = client.requestable(None).await.unwrap();
    let thread = requestable
        .iter()
        .find(|r| r.communication.id == e.communication.id)
        .expect("an eligible thread is requestable today");
    assert_eq!(thread.contributor.fiscal_code, e.fiscal_code);
    assert!(!thread.contributor.display_name.is_empty());

    let place = place(&client, &e.communication.topic_code).await;
    let held = client
        .create_booking(&IdempotencyKey::generate(), &booking(e, &place, 0))
        .await
        .unwrap();
    let week = DeskAgendaQuery {
        from: None,
        to: Some(chrono::Utc::now().date_naive() + chrono::Days::new(45)),
        statuses: vec![AppointmentStatus::Prenotato],
    };
    let agenda = client.desk_agenda(&week).await.unwrap();
    let listed = agenda
        .iter()
        .find(|a| a.id == held.id)
        .expect("the hold is in the desk agenda");
    let who = listed.provenance.contributor.as_ref().unwrap();
    assert_eq!(who.fiscal_code, e.fiscal_code);
    assert_eq!(
        listed.provenance.booked_by.as_ref().unwrap().operator_id,
        "op-demo"
    );
    assert!(agenda.windows(2).all(|w| w[0].start <= w[1].start));
    assert!(agenda
        .iter()
        .all(|a| a.status == AppointmentStatus::Prenotato));
    // Booked, the thread is no longer requestable.
    let after = client.requestable(None).await.unwrap();
    assert!(after
        .iter()
        .all(|r| r.communication.id != e.communication.id));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reschedule_replaces_the_appointment_and_replays_after_a_lost_answer() {
    let sandbox = Sandbox::start().await;
    let client = demo(&sandbox.url()).await;
    let eligible = eligible(&client).await;
    let e = &eligible[0];
    let place = place(&client, &e.communication.topic_code).await;
    let held = client
        .create_booking(&IdempotencyKey::generate(), &booking(e, &place, 0))
        .await
        .unwrap();
    let old = client.confirm_booking(&held.id).await.unwrap();
    let key = IdempotencyKey::generate();
    let body = RescheduleRequest {
        slot_start: agenda_client::wire::format_timestamp(&place.slots[1].start),
        office_code: None,
        consultation_point: None,
    };
    let new = client.reschedule(&old.id, &key, &body).await.unwrap();
    assert_eq!(new.status, AppointmentStatus::Confermato);
    assert_eq!(new.start, place.slots[1].start);
    assert_eq!(
        new.provenance.rescheduled_from.as_deref(),
        Some(old.id.as_str())
    );
    let before = client.appointment(&old.id).await.unwrap();
    assert_eq!(before.status, AppointmentStatus::Annullato);
    assert_eq!(
        before.provenance.cancel_reason.as_deref(),
        Some("riprogrammato")
    );
    assert_eq!(
        before.provenance.rescheduled_to.as_deref(),
        Some(new.id.as_str())
    );
    // The same key again (an answer lost on the way): the same new appointment.
    let again = client.reschedule(&old.id, &key, &body).await.unwrap();
    assert_eq!(again.id, new.id);
}

/// A 1.0 service on loopback: a token for anyone, and 404 for every other path (with a
/// problem body when `problem`, a bare 404 otherwise).
async fn service_1_0(problem: bool) -> std::net::SocketAddr {
    use tokio::io::AsyncWriteExt;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let Some(head) = read_request(&mut stream).await else {
                    return;
                };
                let (status, body) = if head.contains("/auth/token") {
                    (
                        "200 OK",
                        r#"{"access_token":"a","refresh_token":"r","expires_in":900,"token_type":"Bearer",
                        "operator":{"id":"op-demo","display_name":"Demo","organization":"CNA"}}"#,
                    )
                } else if problem {
                    (
                        "404 Not Found",
                        r#"{"type":"about:blank","title":"Not found","status":404,"code":"route_not_found"}"#,
                    )
                } else {
                    ("404 Not Found", "")
                };
                let answer = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(answer.as_bytes()).await;
            });
        }
    });
    addr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_service_without_contract_1_1_is_told_apart_from_a_failure() {
    for problem in [true, false] {
        let addr = service_1_0(problem).await;
        let client = client_with(
            config(&format!("http://{addr}")),
            Arc::new(MemoryTokenStore::new()),
        );
        client.sign_in("demo", &Secret::new("demo")).await.unwrap();
        let agenda = client
            .desk_agenda(&DeskAgendaQuery::default())
            .await
            .unwrap_err();
        assert!(agenda.is_not_offered(), "{agenda:?}");
        let threads = client.requestable(None).await.unwrap_err();
        assert!(threads.is_not_offered(), "{threads:?}");
        // The desk agenda says it is not offered, and does not fail.
        let dir = TempDir::new();
        let store =
            agenda_client::Store::open(dir.path(), &agenda_client::MemoryKeyStore::new()).unwrap();
        let agenda = agenda_client::Agenda::with_parts(client, Arc::new(store));
        let desk = agenda.desk_view(7).await.unwrap();
        assert!(!desk.offered && desk.holds.is_empty() && desk.requestable.is_empty());
    }
    // An unknown appointment, or no service at all, is not a missing feature.
    let sandbox = Sandbox::start().await;
    let client = demo(&sandbox.url()).await;
    let unknown = client
        .appointment(&agenda_core::AppointmentId::parse("AP-2222-2222").unwrap())
        .await
        .unwrap_err();
    assert!(!unknown.is_not_offered(), "{unknown:?}");
    let nobody = client_with(
        config("http://127.0.0.1:9"),
        Arc::new(MemoryTokenStore::new()),
    );
    let error = nobody.requestable(None).await.unwrap_err();
    assert!(!error.is_not_offered(), "{error:?}");
}
