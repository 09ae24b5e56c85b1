//! Retries through the fault-injecting proxy: whatever the network does, at most one
//! appointment results, and only safe requests are sent again.

use std::time::{Duration, Instant};

use agenda_client::{IdempotencyKey, Secret};
use agenda_core::AppointmentStatus;
use agenda_sandbox::seed::{DEMO_PASSWORD, DEMO_USERNAME};

use crate::common::*;
use crate::proxy::{Fault, FaultProxy};

struct Setup {
    _sandbox: Sandbox,
    proxy: FaultProxy,
    _keychain: Keychain,
    client: agenda_client::ApiClient,
    direct: agenda_client::ApiClient,
    _direct_keychain: Keychain,
}

async fn setup() -> Setup {
    let sandbox = Sandbox::start().await;
    let proxy = FaultProxy::start(sandbox.addr).await;
    let keychain = Keychain::new();
    let client = signed_in(&proxy.url(), &keychain).await;
    let direct_keychain = Keychain::new();
    let direct = signed_in(&sandbox.url(), &direct_keychain).await;
    Setup {
        _sandbox: sandbox,
        proxy,
        _keychain: keychain,
        client,
        direct,
        _direct_keychain: direct_keychain,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_is_retried_through_503s_and_resets() {
    let s = setup().await;
    s.proxy.inject(
        "GET",
        "/topics",
        vec![
            Fault::Status(503, None),
            Fault::Reset,
            Fault::Status(502, None),
        ],
    );
    let topics = s.client.topics().await.unwrap();
    assert!(!topics.is_empty());
    assert_eq!(s.proxy.count("GET", "/topics"), 4);
    assert_eq!(s.client.connectivity().online, Some(true));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retries_stop_after_the_policy_s_attempts_with_the_last_problem() {
    let s = setup().await;
    s.proxy
        .inject("GET", "/topics", vec![Fault::Status(503, None); 10]);
    let err = s.client.topics().await.unwrap_err();
    assert_eq!(err.code(), "http_503");
    assert!(err.is_retryable());
    assert_eq!(
        s.proxy.count("GET", "/topics"),
        fast_retry().max_attempts as usize
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_is_retried_after_its_retry_after() {
    let s = setup().await;
    s.proxy
        .inject("GET", "/offices", vec![Fault::Status(429, Some(1))]);
    let started = Instant::now();
    s.client.offices(None).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(s.proxy.count("GET", "/offices"), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_sign_in_is_not_sent_twice_after_a_reset() {
    let s = setup().await;
    s.proxy.inject("POST", "/auth/token", vec![Fault::Reset]);
    let before = s.proxy.grants("password");
    let err = s
        .client
        .sign_in(DEMO_USERNAME, &Secret::new(DEMO_PASSWORD))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "network_error", "{err:?}");
    assert_eq!(s.proxy.grants("password"), before + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_booking_is_not_retried() {
    let s = setup().await;
    let eligible = eligible(&s.direct).await;
    let place = place(&s.direct, &eligible[0].communication.topic_code).await;
    let mut body = booking(&eligible[0], &place, 0);
    body.slot_start = "2020-01-01T09:00:00+01:00".to_owned();
    let err = s
        .client
        .create_booking(&IdempotencyKey::generate(), &body)
        .await
        .unwrap_err();
    assert_eq!((err.status(), err.code()), (Some(422), "slot_not_bookable"));
    assert_eq!(s.proxy.count("POST", "/bookings"), 1);
}

/// The heart of it: the booking is sent again after each fault, always with the same key,
/// and exactly one appointment results.
async fn exactly_one_appointment_after(faults: Vec<Fault>) {
    let s = setup().await;
    let eligible = eligible(&s.direct).await;
    let e = &eligible[0];
    let place = place(&s.direct, &e.communication.topic_code).await;
    let n_faults = faults.len();
    s.proxy.inject("POST", "/bookings", faults);
    let key = IdempotencyKey::generate();
    let appointment = s
        .client
        .create_booking(&key, &booking(e, &place, 0))
        .await
        .unwrap();
    assert_eq!(appointment.status, AppointmentStatus::Prenotato);

    // Let any delayed request reach the server before counting.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let live = live_appointments(&s.direct, e).await;
    assert_eq!(live.len(), 1, "{live:?}");
    assert_eq!(live[0].id, appointment.id);
    let posts: Vec<_> = s
        .proxy
        .seen()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path == "/api/v1/bookings")
        .collect();
    assert!(posts.len() > n_faults, "{posts:?}");
    assert_eq!(posts.iter().filter(|r| r.fault.is_some()).count(), n_faults);
    assert!(posts
        .iter()
        .all(|r| r.idempotency_key.as_deref() == Some(key.as_str())));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_booking_retried_after_resets_books_once() {
    exactly_one_appointment_after(vec![Fault::Reset, Fault::Reset]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_booking_whose_answer_was_lost_after_the_commit_books_once() {
    exactly_one_appointment_after(vec![Fault::DropResponse, Fault::DropResponse]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_booking_retried_through_503s_books_once() {
    exactly_one_appointment_after(vec![Fault::Status(503, None), Fault::DropResponse]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_booking_that_timed_out_while_the_server_committed_books_once() {
    let s = setup().await;
    let eligible = eligible(&s.direct).await;
    let e = &eligible[0];
    let place = place(&s.direct, &e.communication.topic_code).await;
    let mut config = config(&s.proxy.url());
    config.request_timeout = Duration::from_millis(400);
    let keychain = Keychain::new();
    let client = client_with(config, keychain.token_store());
    client
        .sign_in(DEMO_USERNAME, &Secret::new(DEMO_PASSWORD))
        .await
        .unwrap();
    // The first attempt is held back past the client's timeout, then committed.
    s.proxy.inject(
        "POST",
        "/bookings",
        vec![Fault::Delay(Duration::from_millis(700))],
    );
    let key = IdempotencyKey::generate();
    let appointment = client
        .create_booking(&key, &booking(e, &place, 0))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(800)).await;
    let live = live_appointments(&s.direct, e).await;
    assert_eq!(live.len(), 1, "{live:?}");
    assert_eq!(live[0].id, appointment.id);
    assert!(s.proxy.count("POST", "/bookings") >= 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_confirmation_whose_answer_was_lost_is_confirmed_once() {
    let s = setup().await;
    let eligible = eligible(&s.direct).await;
    let e = &eligible[0];
    let place = place(&s.direct, &e.communication.topic_code).await;
    let held = s
        .client
        .create_booking(&IdempotencyKey::generate(), &booking(e, &place, 0))
        .await
        .unwrap();
    s.proxy
        .inject("POST", "/bookings/", vec![Fault::DropResponse]);
    let confirmed = s.client.confirm_booking(&held.id).await.unwrap();
    assert_eq!(confirmed.status, AppointmentStatus::Confermato);
    assert_eq!(
        s.proxy
            .count("POST", &format!("/bookings/{}/confirm", held.id)),
        2
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_release_whose_answer_was_lost_is_recognised_on_the_repeat() {
    let s = setup().await;
    let eligible = eligible(&s.direct).await;
    let e = &eligible[0];
    let place = place(&s.direct, &e.communication.topic_code).await;
    let held = s
        .client
        .create_booking(&IdempotencyKey::generate(), &booking(e, &place, 0))
        .await
        .unwrap();
    s.proxy
        .inject("DELETE", "/bookings/", vec![Fault::DropResponse]);
    let released = s.client.cancel_hold(&held.id).await.unwrap();
    assert_eq!(released.status, AppointmentStatus::PrenotazioneCancellata);
    assert_eq!(s.proxy.count("DELETE", "/bookings/"), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancellation_whose_answer_was_lost_is_recognised_on_the_repeat() {
    let s = setup().await;
    let eligible = eligible(&s.direct).await;
    let e = &eligible[0];
    let place = place(&s.direct, &e.communication.topic_code).await;
    let held = s
        .client
        .create_booking(&IdempotencyKey::generate(), &booking(e, &place, 0))
        .await
        .unwrap();
    s.client.confirm_booking(&held.id).await.unwrap();
    s.proxy
        .inject("POST", "/appointments/", vec![Fault::DropResponse]);
    let cancelled = s.client.cancel_appointment(&held.id, None).await.unwrap();
    assert_eq!(cancelled.status, AppointmentStatus::Annullato);
    assert_eq!(s.proxy.count("POST", "/appointments/"), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_service_is_a_retryable_network_error() {
    let s = setup().await;
    s.proxy.go_offline().await;
    let err = s.client.topics().await.unwrap_err();
    assert_eq!(err.code(), "network_error", "{err:?}");
    assert!(err.is_retryable() && err.is_offline());
    assert_eq!(s.client.connectivity().online, Some(false));
    s.proxy.go_online().await;
    s.client.topics().await.unwrap();
    assert_eq!(s.client.connectivity().online, Some(true));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_answer_is_a_timeout() {
    let s = setup().await;
    let mut config = config(&s.proxy.url());
    config.request_timeout = Duration::from_millis(300);
    config.retry.max_attempts = 1;
    let keychain = Keychain::new();
    let client = client_with(config, keychain.token_store());
    client
        .sign_in(DEMO_USERNAME, &Secret::new(DEMO_PASSWORD))
        .await
        .unwrap();
    s.proxy.inject(
        "GET",
        "/topics",
        vec![Fault::Delay(Duration::from_millis(800))],
    );
    let err = client.topics().await.unwrap_err();
    assert_eq!(err.code(), "timeout");
    assert!(err.is_retryable());
}
