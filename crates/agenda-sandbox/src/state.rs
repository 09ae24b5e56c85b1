//! The shared state of the server: database, reference data, clock and settings.

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Duration, Utc};

use crate::auth::{retry_after, LOCKOUT_WINDOW_SECS, MAX_CLIENT_FAILURES};
use crate::catalog::Catalog;
use crate::clock::Clock;
use crate::db::Db;
use crate::slot_cache::SlotCache;

/// Lifetime of an access token unless changed with [`AppState::set_access_token_ttl`].
pub const DEFAULT_ACCESS_TOKEN_TTL_SECS: i64 = 15 * 60;
/// Lifetime of a refresh token.
pub const REFRESH_TOKEN_TTL_SECS: i64 = 30 * 24 * 60 * 60;

/// An access token known to be valid until `expires_at` (unless revoked).
#[derive(Debug, Clone)]
pub(crate) struct CachedToken {
    pub operator_id: Arc<str>,
    pub family: Arc<str>,
    pub expires_at: i64,
}

/// Everything a handler needs; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    db: Arc<Db>,
    catalog: Catalog,
    clock: Clock,
    hold_ttl: Duration,
    access_ttl_secs: AtomicI64,
    tokens: Mutex<HashMap<[u8; 32], CachedToken>>,
    in_flight: Mutex<HashSet<(Arc<str>, String)>>,
    slots: SlotCache,
    /// Names served besides loopback ones (`--public-host`).
    public_hosts: std::sync::RwLock<Vec<String>>,
    /// Times of the failed logins per client address within the lockout window.
    client_failures: Mutex<HashMap<Option<IpAddr>, Vec<i64>>>,
    /// One permit per password hash running (Argon2id takes 19 MiB each).
    hashing: Arc<tokio::sync::Semaphore>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("hold_ttl", &self.inner.hold_ttl)
            .finish_non_exhaustive()
    }
}

impl AppState {
    pub(crate) fn new(db: Db, catalog: Catalog, clock: Clock, hold_ttl: Duration) -> Self {
        Self {
            inner: Arc::new(Inner {
                db: Arc::new(db),
                catalog,
                clock,
                hold_ttl,
                access_ttl_secs: AtomicI64::new(DEFAULT_ACCESS_TOKEN_TTL_SECS),
                tokens: Mutex::new(HashMap::new()),
                in_flight: Mutex::new(HashSet::new()),
                slots: SlotCache::default(),
                public_hosts: std::sync::RwLock::new(Vec::new()),
                client_failures: Mutex::new(HashMap::new()),
                hashing: Arc::new(tokio::sync::Semaphore::new(
                    std::thread::available_parallelism().map_or(2, |n| n.get()),
                )),
            }),
        }
    }

    /// Seconds until `client` may try a password again, when its failed logins within the
    /// lockout window reached [`MAX_CLIENT_FAILURES`].
    pub(crate) fn client_retry_after(&self, client: Option<IpAddr>, now: i64) -> Option<i64> {
        let mut all = self.client_failures();
        let failures = all.get_mut(&client)?;
        failures.retain(|at| *at > now - LOCKOUT_WINDOW_SECS);
        retry_after(failures, MAX_CLIENT_FAILURES, now)
    }

    /// The failed logins per client address.
    fn client_failures(&self) -> std::sync::MutexGuard<'_, HashMap<Option<IpAddr>, Vec<i64>>> {
        self.inner
            .client_failures
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Counts a failed login of `client`; forgets failures that left the window.
    pub(crate) fn record_client_failure(&self, client: Option<IpAddr>, now: i64) {
        let mut all = self.client_failures();
        all.retain(|_, failures| {
            failures.retain(|at| *at > now - LOCKOUT_WINDOW_SECS);
            !failures.is_empty()
        });
        all.entry(client).or_default().push(now);
    }

    /// Takes back the latest failure counted for `client` (its password proved right).
    pub(crate) fn forgive_client_failure(&self, client: Option<IpAddr>, now: i64) {
        let mut all = self.client_failures();
        if let Some(failures) = all.get_mut(&client) {
            if let Some(at) = failures.iter().rposition(|at| *at <= now) {
                failures.remove(at);
            }
        }
    }

    /// A permit to run one password hash: as many at once as the machine has cores.
    /// It is held by the hash itself, even when the request that asked for it is gone.
    pub(crate) async fn hashing(
        &self,
    ) -> Result<tokio::sync::OwnedSemaphorePermit, crate::error::ApiError> {
        Arc::clone(&self.inner.hashing)
            .acquire_owned()
            .await
            .map_err(crate::error::ApiError::internal)
    }

    /// "Now", from the state's clock, truncated to whole seconds.
    pub fn now(&self) -> DateTime<Utc> {
        let now = (self.inner.clock)();
        DateTime::from_timestamp(now.timestamp(), 0).unwrap_or(now)
    }

    /// How long a hold (`prenotato`) lasts before it expires.
    pub fn hold_ttl(&self) -> Duration {
        self.inner.hold_ttl
    }

    /// How long a new access token lasts.
    pub fn access_token_ttl(&self) -> Duration {
        Duration::seconds(self.inner.access_ttl_secs.load(Ordering::Relaxed))
    }

    /// Host names served besides loopback names and addresses (see [`crate::guard`]).
    pub fn set_public_hosts(&self, hosts: Vec<String>) {
        *self
            .inner
            .public_hosts
            .write()
            .unwrap_or_else(|p| p.into_inner()) = hosts;
    }

    /// Host names served besides loopback ones.
    pub fn public_hosts(&self) -> Vec<String> {
        self.inner
            .public_hosts
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Changes the lifetime of access tokens issued from now on (one second to one year).
    pub fn set_access_token_ttl(&self, ttl: std::time::Duration) {
        const YEAR: i64 = 365 * 24 * 3600;
        let secs = i64::try_from(ttl.as_secs()).unwrap_or(YEAR).clamp(1, YEAR);
        self.inner.access_ttl_secs.store(secs, Ordering::Relaxed);
    }

    pub(crate) fn db(&self) -> &Arc<Db> {
        &self.inner.db
    }

    pub(crate) fn catalog(&self) -> &Catalog {
        &self.inner.catalog
    }

    pub(crate) fn slot_cache(&self) -> &SlotCache {
        &self.inner.slots
    }

    pub(crate) fn cached_token(&self, hash: &[u8; 32]) -> Option<CachedToken> {
        self.tokens().get(hash).cloned()
    }

    pub(crate) fn cache_token(&self, hash: [u8; 32], token: CachedToken) {
        self.tokens().insert(hash, token);
    }

    /// Forgets every cached access token of a token family (after revocation or reuse).
    pub(crate) fn forget_family(&self, family: &str) {
        self.tokens().retain(|_, t| &*t.family != family);
    }

    /// Forgets cached tokens that expired before `now`.
    pub(crate) fn forget_expired_tokens(&self, now: i64) {
        self.tokens().retain(|_, t| t.expires_at > now);
    }

    fn tokens(&self) -> std::sync::MutexGuard<'_, HashMap<[u8; 32], CachedToken>> {
        self.inner
            .tokens
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Marks an idempotency key as in flight; `None` if it already is.
    pub(crate) fn begin_request(&self, operator: Arc<str>, key: String) -> Option<InFlight> {
        let entry = (operator, key);
        let fresh = self
            .inner
            .in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(entry.clone());
        fresh.then(|| InFlight {
            state: self.clone(),
            entry,
        })
    }
}

/// An idempotency key in flight; dropping it ends the flight.
pub(crate) struct InFlight {
    state: AppState,
    entry: (Arc<str>, String),
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.state
            .inner
            .in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.entry);
    }
}
