//! Access token expiry and refresh rotation against the real sandbox.

use std::sync::Arc;
use std::time::Duration;

use agenda_client::{ApiError, Secret, TokenStore};
use agenda_sandbox::seed::{DEMO_PASSWORD, DEMO_USERNAME};

use crate::common::*;
use crate::proxy::FaultProxy;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejected_access_token_is_refreshed_once_and_the_call_goes_through() {
    let sandbox = Sandbox::start().await;
    let proxy = FaultProxy::start(sandbox.addr).await;
    let keychain = Keychain::new();
    let client = signed_in(&proxy.url(), &keychain).await;
    client.topics().await.unwrap();
    let first_refresh = keychain.token_store().get().unwrap().unwrap();

    proxy.expire_access_tokens();
    let topics = client.topics().await.unwrap();
    assert!(!topics.is_empty());
    assert_eq!(proxy.grants("refresh_token"), 1);
    let rotated = keychain.token_store().get().unwrap().unwrap();
    assert_ne!(
        rotated, first_refresh,
        "the refresh token rotated in the keychain"
    );
    assert_eq!(
        proxy.count("GET", "/topics"),
        3,
        "ok, 401, then ok with the new token"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_calls_with_an_expired_token_refresh_only_once() {
    let sandbox = Sandbox::start().await;
    let proxy = FaultProxy::start(sandbox.addr).await;
    let keychain = Keychain::new();
    let client = signed_in(&proxy.url(), &keychain).await;
    client.topics().await.unwrap();
    proxy.expire_access_tokens();

    let calls: Vec<_> = (0..8)
        .map(|i| {
            let client = client.clone();
            tokio::spawn(async move {
                if i % 2 == 0 {
                    client.topics().await.map(|_| ())
                } else {
                    client.offices(None).await.map(|_| ())
                }
            })
        })
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
    // Spending the same refresh token twice would have revoked the whole session.
    assert_eq!(proxy.grants("refresh_token"), 1);
    client
        .contributors(None, &Default::default())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_past_its_lifetime_is_refreshed_before_the_call() {
    let sandbox = Sandbox::start().await;
    // The sandbox counts token lifetimes in whole seconds: 2 s leave at least 1 s.
    sandbox.state.set_access_token_ttl(Duration::from_secs(2));
    let proxy = FaultProxy::start(sandbox.addr).await;
    let keychain = Keychain::new();
    let mut config = config(&proxy.url());
    config.refresh_margin = Duration::ZERO;
    let client = client_with(config, keychain.token_store());
    client
        .sign_in(DEMO_USERNAME, &Secret::new(DEMO_PASSWORD))
        .await
        .unwrap();
    for round in 1..=3 {
        tokio::time::sleep(Duration::from_millis(2100)).await;
        client.topics().await.unwrap();
        assert_eq!(
            proxy.grants("refresh_token"),
            round,
            "one refresh per expiry"
        );
    }
    // No call was ever answered 401: the client refreshed before sending.
    assert!(proxy.seen().iter().all(|s| s.answered != Some(401)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_resumes_after_a_restart_from_the_keychain() {
    let sandbox = Sandbox::start().await;
    let keychain = Keychain::new();
    let first = signed_in(&sandbox.url(), &keychain).await;
    let operator = first.operator().await.unwrap();
    drop(first);

    let restarted = client(&sandbox.url(), &keychain);
    assert_eq!(restarted.resume().await.unwrap(), Some(operator));
    restarted.topics().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_refresh_expires_the_session_and_forgets_the_token() {
    let sandbox = Sandbox::start().await;
    let proxy = FaultProxy::start(sandbox.addr).await;
    let keychain = Keychain::new();
    let client = signed_in(&proxy.url(), &keychain).await;
    let stale = keychain.token_store().get().unwrap().unwrap();

    // Another instance with the same keychain entry refreshes: our copy of the refresh token
    // is now spent (rotated), and presenting it again is refused.
    let other = crate::common::client(&sandbox.url(), &keychain);
    other.refresh_session().await.unwrap();
    keychain.token_store().set(&stale).unwrap();
    let tokens: Arc<dyn TokenStore> = keychain.token_store();
    let replica = client_with(config(&proxy.url()), tokens);

    let err = replica.resume().await.unwrap_err();
    assert!(matches!(err, ApiError::SessionExpired), "{err:?}");
    assert!(err.to_string().contains("entrare di nuovo"), "{err}");
    assert!(keychain.token_store().get().unwrap().is_none());
    // Presenting the rotated token revoked the family: the first client must sign in too.
    proxy.expire_access_tokens();
    let err = client.topics().await.unwrap_err();
    assert!(err.needs_sign_in(), "{err:?}");
}
