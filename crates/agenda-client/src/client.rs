//! [`ApiClient`]: typed calls for every endpoint of the service contract.
//!
//! # Timeouts
//! Every request has a connect timeout and a total timeout ([`ClientConfig`]); running out
//! of either is [`ApiError::Timeout`].
//!
//! # Which requests are re-sent
//! A request is re-sent (with [`RetryPolicy`] backoff, or after `Retry-After`) only when the
//! failure is transient ([`ApiError::is_retryable`]) *and* sending it twice cannot do
//! something twice:
//!
//! | request | re-sent after |
//! |---|---|
//! | every `GET` | any transient failure |
//! | `POST /bookings` | any transient failure, always with the **same** `Idempotency-Key`: the server replays the first answer instead of booking again; `409 request_in_progress` means the first attempt is still running, so it is waited for and asked again |
//! | `POST /bookings/{id}/confirm` | any transient failure: confirming twice is a success by contract |
//! | `DELETE /bookings/{id}`, `POST /appointments/{id}/cancel` | any transient failure: a repeated cancellation cannot cancel anything else. If a repeat answers `409 invalid_state` (the first one did arrive and its answer was lost), the client reads the appointment and returns it when it is in the state the cancellation leads to |
//! | `POST /auth/revoke` | any transient failure: revoking twice is harmless |
//! | `POST /auth/token` | only when the connection was never established: a password attempt counts toward the lockout, and a refresh token is rotated (spent) by the first attempt that reaches the server |
//!
//! # Tokens
//! The access token lives in memory only; the refresh token in a [`TokenStore`] (the OS
//! keychain in the app). A call made with an access token about to expire, or answered
//! `401`, refreshes it first, with rotation: the new refresh token replaces the old one in
//! the store. Refreshes are single-flight: the session lives behind one async mutex, and a
//! caller whose token was rejected refreshes only if nobody refreshed since it read the
//! token, so concurrent calls never spend the same refresh token twice. A refused refresh
//! forgets the token and answers [`ApiError::SessionExpired`]: the operator signs in again.
//! A refresh whose answer is lost after the server rotated leaves a spent token behind; the
//! next refresh is then refused and the operator signs in again (nothing else can be done
//! safely with a rotated token).

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use agenda_core::{AppointmentId, AppointmentStatus, FiscalCode};
use chrono::{DateTime, Utc};
use reqwest::header::{HeaderValue, ACCEPT, CONTENT_TYPE, RETRY_AFTER};
use reqwest::{Method, StatusCode, Url};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::base_url::BaseUrl;
use crate::error::{ApiError, Problem};
use crate::keychain::TokenStore;
use crate::retry::{parse_retry_after, RetryPolicy};
use crate::secret::Secret;
use crate::wire::{
    Appointment, AppointmentFilter, BookingRequest, CancelRequest, Communication,
    CommunicationThread, ConsultationPoint, Contributor, DeskAgendaQuery, Office, Operator, Page,
    PageRequest, ProblemBody, RequestableCommunication, RescheduleRequest, Slot, SlotQuery,
    TokenResponse, Topic,
};

/// The largest response body read (bigger ones are "risposta del servizio non valida"):
/// a page of 500 appointments is well under 1 MiB.
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// The most pages one listing follows (500 items each: 100,000 items).
pub const MAX_PAGES: usize = 200;

/// The most items one listing keeps, over all its pages: with every text bounded at the
/// edge, a listing's memory is bounded too (the desk's largest history is ~10,000).
pub const MAX_LISTING_ITEMS: usize = 50_000;

/// The longest access-token lifetime believed, whatever `expires_in` says.
const MAX_TOKEN_LIFETIME_SECS: u64 = 24 * 60 * 60;

/// Settings of an [`ApiClient`].
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// The service root.
    pub base_url: BaseUrl,
    /// Retry behaviour.
    pub retry: RetryPolicy,
    /// Longest wait for a TCP + TLS connection.
    pub connect_timeout: Duration,
    /// Longest wait for a whole request, answer body included.
    pub request_timeout: Duration,
    /// An access token closer than this to its expiry is refreshed before use.
    pub refresh_margin: Duration,
    /// How far this PC's clock is taken to be from its system clock: zero in the app; a
    /// test sets it to play a desk PC whose clock is wrong (see [`ApiClient::server_now`]).
    pub local_clock_skew: chrono::TimeDelta,
}

impl ClientConfig {
    /// Defaults: 5 s to connect, 20 s per request, refresh 30 s before expiry.
    pub fn new(base_url: BaseUrl) -> Self {
        Self {
            base_url,
            retry: RetryPolicy::default(),
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(20),
            refresh_margin: Duration::from_secs(30),
            local_clock_skew: chrono::TimeDelta::zero(),
        }
    }
}

/// The `Idempotency-Key` of one user action: generated once, persisted with the action, and
/// sent unchanged with every attempt of it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IdempotencyKey(String);

/// A string that cannot be an `Idempotency-Key` (1–255 visible ASCII characters).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("chiave di idempotenza non valida: da 1 a 255 caratteri ASCII visibili")]
pub struct InvalidIdempotencyKey;

impl IdempotencyKey {
    /// A new random key (128 bits from the OS random source).
    pub fn generate() -> Self {
        use chacha20poly1305::aead::rand_core::RngCore;
        let mut bytes = [0u8; 16];
        chacha20poly1305::aead::OsRng.fill_bytes(&mut bytes);
        Self(format!("ca-{}", crate::crypto::hex(&bytes)))
    }

    /// Validates a key read back from storage.
    pub fn parse(value: &str) -> Result<Self, InvalidIdempotencyKey> {
        let ok = (1..=255).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_graphic());
        if ok {
            Ok(Self(value.to_owned()))
        } else {
            Err(InvalidIdempotencyKey)
        }
    }

    /// The key.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for IdempotencyKey {
    type Error = InvalidIdempotencyKey;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<IdempotencyKey> for String {
    fn from(value: IdempotencyKey) -> Self {
        value.0
    }
}

/// Whether the service was reachable the last time it was tried.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connectivity {
    /// `Some(true)` after an answer, `Some(false)` after a transport failure or a timeout,
    /// `None` before the first call.
    pub online: Option<bool>,
    /// When the service last answered (any status).
    pub last_contact_at: Option<DateTime<Utc>>,
}

/// Client of the remote service. Cheap to clone: clones share the session.
#[derive(Clone)]
pub struct ApiClient {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for ApiClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiClient")
            .field("base_url", &self.inner.config.base_url)
            .finish_non_exhaustive()
    }
}

struct Inner {
    http: reqwest::Client,
    config: ClientConfig,
    tokens: Arc<dyn TokenStore>,
    session: tokio::sync::Mutex<Session>,
    connectivity: Mutex<Connectivity>,
    /// The server's clock minus this PC's, from the `Date` header of the last answer.
    clock_offset: Mutex<Option<chrono::TimeDelta>>,
}

#[derive(Default)]
struct Session {
    access: Option<AccessToken>,
    /// The refresh token as last written to the store; `None` until read or after sign-out.
    refresh: Option<Secret>,
    /// Bumped by every successful sign-in or refresh.
    generation: u64,
    operator: Option<Operator>,
}

struct AccessToken {
    token: Secret,
    expires_at: Instant,
}

/// Whether a request may be sent again after a failure (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Replay {
    /// Sending it again cannot do anything twice.
    Safe,
    /// Only if it certainly never reached the server.
    IfNotDelivered,
}

struct Request<'a> {
    method: Method,
    url: Url,
    query: Vec<(&'static str, String)>,
    body: Option<Vec<u8>>,
    idempotency_key: Option<&'a IdempotencyKey>,
    auth: bool,
    replay: Replay,
}

impl<'a> Request<'a> {
    fn new(method: Method, url: Url) -> Self {
        Self {
            method,
            url,
            query: Vec::new(),
            body: None,
            idempotency_key: None,
            auth: true,
            replay: Replay::Safe,
        }
    }

    fn json(mut self, body: &impl Serialize) -> Self {
        self.body = Some(serde_json::to_vec(body).expect("wire types always serialize"));
        self
    }

    fn query(mut self, name: &'static str, value: Option<impl ToString>) -> Self {
        if let Some(value) = value {
            self.query.push((name, value.to_string()));
        }
        self
    }
}

/// A successful (2xx) answer.
struct Answer {
    status: StatusCode,
    body: Vec<u8>,
}

/// A failed call and how many attempts it took.
struct Failure {
    error: ApiError,
    attempts: u32,
}

impl From<Failure> for ApiError {
    fn from(value: Failure) -> Self {
        value.error
    }
}

impl ApiClient {
    /// A client for `config.base_url`, keeping the refresh token in `tokens`.
    pub fn new(config: ClientConfig, tokens: Arc<dyn TokenStore>) -> Result<Self, ApiError> {
        let http = reqwest::Client::builder()
            .use_rustls_tls()
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("cassetto-agenda/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(ApiError::Transport)?;
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                config,
                tokens,
                session: tokio::sync::Mutex::new(Session::default()),
                connectivity: Mutex::new(Connectivity::default()),
                clock_offset: Mutex::new(None),
            }),
        })
    }

    /// The service root.
    pub fn base_url(&self) -> &BaseUrl {
        &self.inner.config.base_url
    }

    /// Whether the service answered the last time it was tried.
    pub fn connectivity(&self) -> Connectivity {
        *lock(&self.inner.connectivity)
    }

    /// This PC's clock (the system clock, plus [`ClientConfig::local_clock_skew`]).
    pub fn local_now(&self) -> DateTime<Utc> {
        Utc::now() + self.inner.config.local_clock_skew
    }

    /// The server's clock minus this PC's, as measured from the `Date` header of the last
    /// answer (to the second); `None` before any answer carried one.
    pub fn server_clock_offset(&self) -> Option<chrono::TimeDelta> {
        *lock(&self.inner.clock_offset)
    }

    /// The server's time now, as well as this PC can tell: its own clock corrected by
    /// [`ApiClient::server_clock_offset`]. Deadlines set by the server (a hold's
    /// `hold_expires_at`) are compared with this, never with the PC's clock alone, so a PC
    /// whose clock is wrong neither expires a hold early nor keeps it past its end.
    pub fn server_now(&self) -> DateTime<Utc> {
        self.local_now() + self.server_clock_offset().unwrap_or_default()
    }

    // ---------------------------------------------------------------- auth

    /// `POST /auth/token` (password grant): signs in, stores the refresh token.
    /// Wrong credentials: `Problem` `invalid_credentials`; too many: `429` with `retry_after`.
    pub async fn sign_in(&self, username: &str, password: &Secret) -> Result<Operator, ApiError> {
        let mut session = self.inner.session.lock().await;
        let request = self.request(Method::POST, &["auth", "token"]).json(&json!({
            "grant_type": "password",
            "username": username,
            "password": password.expose(),
        }));
        let request = Request {
            auth: false,
            replay: Replay::IfNotDelivered,
            ..request
        };
        let (answer, _) = self.execute(&request, None).await?;
        let tokens: TokenResponse = decode(&answer)?;
        Ok(self.install(&mut session, tokens))
    }

    /// Restores the session of a previous run from the stored refresh token.
    /// `Ok(None)`: nobody is signed in. A refused token: [`ApiError::SessionExpired`].
    pub async fn resume(&self) -> Result<Option<Operator>, ApiError> {
        let mut session = self.inner.session.lock().await;
        if session.access.is_some() {
            return Ok(session.operator.clone());
        }
        if session.refresh.is_none() && crate::blocking(|| self.inner.tokens.get())?.is_none() {
            return Ok(None);
        }
        self.refresh_locked(&mut session).await?;
        Ok(session.operator.clone())
    }

    /// `POST /auth/token` (refresh grant), now, whatever the access token's age.
    pub async fn refresh_session(&self) -> Result<Operator, ApiError> {
        let mut session = self.inner.session.lock().await;
        self.refresh_locked(&mut session).await?;
        Ok(session
            .operator
            .clone()
            .expect("a successful refresh sets the operator"))
    }

    /// `POST /auth/revoke` for the stored refresh token, then forgets every token.
    /// The local sign-out happens even when the service cannot be reached; the answer tells
    /// whether the service confirmed the revocation.
    pub async fn sign_out(&self) -> Result<bool, ApiError> {
        // Make sure the access token is usable (this may rotate the refresh token) before
        // reading the refresh token to revoke.
        let access = self.access_token().await.ok();
        let mut session = self.inner.session.lock().await;
        let refresh = match session.refresh.clone() {
            Some(token) => Some(token),
            None => crate::blocking(|| self.inner.tokens.get())?,
        };
        let mut revoked = false;
        if let (Some((token, _)), Some(refresh)) = (access, refresh) {
            let request = self
                .request(Method::POST, &["auth", "revoke"])
                .json(&json!({ "refresh_token": refresh.expose() }));
            match self.execute(&request, Some(&token)).await {
                Ok(_) => revoked = true,
                Err(failure) => {
                    tracing::warn!(code = failure.error.code(), "revoca del token non riuscita");
                }
            }
        }
        *session = Session {
            generation: session.generation + 1,
            ..Session::default()
        };
        crate::blocking(|| self.inner.tokens.delete())?;
        Ok(revoked)
    }

    /// The signed-in operator, if any.
    pub async fn operator(&self) -> Option<Operator> {
        self.inner.session.lock().await.operator.clone()
    }

    // ---------------------------------------------------------------- contributors

    /// `GET /contributors?q=&limit=&cursor=`: one page.
    pub async fn contributors(
        &self,
        q: Option<&str>,
        page: &PageRequest,
    ) -> Result<Page<Contributor>, ApiError> {
        let request = self
            .request(Method::GET, &["contributors"])
            .query("q", q)
            .query("limit", page.limit)
            .query("cursor", page.cursor.as_deref());
        self.get_json(&request).await
    }

    /// Every contributor matching `q`, all pages.
    pub async fn all_contributors(&self, q: Option<&str>) -> Result<Vec<Contributor>, ApiError> {
        collect_pages(|page| async move { self.contributors(q, &page).await }).await
    }

    /// `GET /contributors/{fiscal_code}`.
    pub async fn contributor(&self, fiscal_code: &FiscalCode) -> Result<Contributor, ApiError> {
        let request = self.request(Method::GET, &["contributors", fiscal_code.as_str()]);
        self.get_json(&request).await
    }

    // ---------------------------------------------------------------- reference data

    /// `GET /topics`.
    pub async fn topics(&self) -> Result<Vec<Topic>, ApiError> {
        self.get_json(&self.request(Method::GET, &["topics"])).await
    }

    /// `GET /offices?province=`.
    pub async fn offices(&self, province: Option<&str>) -> Result<Vec<Office>, ApiError> {
        let request = self
            .request(Method::GET, &["offices"])
            .query("province", province);
        self.get_json(&request).await
    }

    /// `GET /consultation-points?topic=&office=`.
    pub async fn consultation_points(
        &self,
        topic: Option<&str>,
        office: Option<&str>,
    ) -> Result<Vec<ConsultationPoint>, ApiError> {
        let request = self
            .request(Method::GET, &["consultation-points"])
            .query("topic", topic)
            .query("office", office);
        self.get_json(&request).await
    }

    // ---------------------------------------------------------------- communications

    /// `GET /contributors/{fiscal_code}/communications`: one page.
    pub async fn communications(
        &self,
        fiscal_code: &FiscalCode,
        page: &PageRequest,
    ) -> Result<Page<Communication>, ApiError> {
        let request = self
            .request(
                Method::GET,
                &["contributors", fiscal_code.as_str(), "communications"],
            )
            .query("limit", page.limit)
            .query("cursor", page.cursor.as_deref());
        self.get_json(&request).await
    }

    /// Every communication of a contributor, all pages.
    pub async fn all_communications(
        &self,
        fiscal_code: &FiscalCode,
    ) -> Result<Vec<Communication>, ApiError> {
        collect_pages(|page| async move { self.communications(fiscal_code, &page).await }).await
    }

    /// `GET /communications/{id}`: the thread with its messages.
    pub async fn communication(&self, id: &str) -> Result<CommunicationThread, ApiError> {
        self.get_json(&self.request(Method::GET, &["communications", id]))
            .await
    }

    // ---------------------------------------------------------------- slots

    /// `GET /slots?office=&consultation_point=&topic=&from=&to=`.
    pub async fn slots(&self, query: &SlotQuery) -> Result<Vec<Slot>, ApiError> {
        let request = self
            .request(Method::GET, &["slots"])
            .query("office", Some(&query.office))
            .query("consultation_point", Some(&query.consultation_point))
            .query("topic", query.topic.as_deref())
            .query("from", query.from)
            .query("to", query.to);
        self.get_json(&request).await
    }

    // ---------------------------------------------------------------- bookings

    /// `POST /bookings` with `Idempotency-Key: key`: holds a slot (`prenotato`).
    ///
    /// Re-sent on transient failures with the same key, so at most one appointment results
    /// whatever the network does. Pass the same key again for the same user action (the
    /// outbox does).
    pub async fn create_booking(
        &self,
        key: &IdempotencyKey,
        booking: &BookingRequest,
    ) -> Result<Appointment, ApiError> {
        let mut request = self.request(Method::POST, &["bookings"]).json(booking);
        request.idempotency_key = Some(key);
        self.send_json(&request).await.map_err(ApiError::from)
    }

    /// `POST /bookings/{id}/confirm` ("Conferma Appuntamento"): `confermato`.
    pub async fn confirm_booking(&self, id: &AppointmentId) -> Result<Appointment, ApiError> {
        let request = self.request(Method::POST, &["bookings", id.as_str(), "confirm"]);
        self.send_json(&request).await.map_err(ApiError::from)
    }

    /// `DELETE /bookings/{id}` ("Cancella Prenotazione"): `prenotazione_cancellata`.
    pub async fn cancel_hold(&self, id: &AppointmentId) -> Result<Appointment, ApiError> {
        let request = self.request(Method::DELETE, &["bookings", id.as_str()]);
        let result = self.send_json(&request).await;
        self.reconcile_repeat(id, result, AppointmentStatus::PrenotazioneCancellata)
            .await
    }

    // ---------------------------------------------------------------- appointments

    /// `GET /contributors/{fiscal_code}/appointments`: one page of the history, newest first.
    pub async fn appointments(
        &self,
        fiscal_code: &FiscalCode,
        filter: &AppointmentFilter,
        page: &PageRequest,
    ) -> Result<Page<Appointment>, ApiError> {
        self.history_page(fiscal_code, filter, None, page).await
    }

    async fn history_page(
        &self,
        fiscal_code: &FiscalCode,
        filter: &AppointmentFilter,
        updated_since: Option<DateTime<Utc>>,
        page: &PageRequest,
    ) -> Result<Page<Appointment>, ApiError> {
        let request = self
            .request(
                Method::GET,
                &["contributors", fiscal_code.as_str(), "appointments"],
            )
            .query("status", filter.status.map(|s| s.as_str()))
            .query("from", filter.from)
            .query("to", filter.to)
            .query(
                "updated_since",
                updated_since.map(agenda_core::time::format_rfc3339),
            )
            .query("limit", page.limit)
            .query("cursor", page.cursor.as_deref());
        self.get_json(&request).await
    }

    /// The appointments of a contributor whose status changed at or after `since` (the
    /// server's clock), all pages: `GET /contributors/{fiscal_code}/appointments?updated_since=`
    /// (contract 1.1). A 1.0 service ignores the parameter and sends the whole history, which
    /// merges just as well.
    pub async fn appointments_changed_since(
        &self,
        fiscal_code: &FiscalCode,
        since: DateTime<Utc>,
    ) -> Result<Vec<Appointment>, ApiError> {
        let filter = AppointmentFilter::default();
        collect_pages(|page| {
            let filter = &filter;
            async move {
                self.history_page(fiscal_code, filter, Some(since), &page)
                    .await
            }
        })
        .await
    }

    /// The whole history of a contributor matching `filter`, all pages.
    pub async fn all_appointments(
        &self,
        fiscal_code: &FiscalCode,
        filter: &AppointmentFilter,
    ) -> Result<Vec<Appointment>, ApiError> {
        collect_pages(|page| async move { self.appointments(fiscal_code, filter, &page).await })
            .await
    }

    /// `GET /appointments/{id}`.
    pub async fn appointment(&self, id: &AppointmentId) -> Result<Appointment, ApiError> {
        self.get_json(&self.request(Method::GET, &["appointments", id.as_str()]))
            .await
    }

    /// `POST /appointments/{id}/cancel`: a confirmed future appointment becomes `annullato`.
    pub async fn cancel_appointment(
        &self,
        id: &AppointmentId,
        reason: Option<&str>,
    ) -> Result<Appointment, ApiError> {
        let request = self
            .request(Method::POST, &["appointments", id.as_str(), "cancel"])
            .json(&CancelRequest {
                reason: reason.map(str::to_owned),
            });
        let result = self.send_json(&request).await;
        self.reconcile_repeat(id, result, AppointmentStatus::Annullato)
            .await
    }

    // ---------------------------------------------------------------- contract 1.1

    /// `GET /appointments`: one page of the desk agenda, earliest first (contract 1.1; a
    /// 1.0 service answers 404, see [`ApiError::is_not_offered`]).
    pub async fn desk_agenda_page(
        &self,
        query: &DeskAgendaQuery,
        page: &PageRequest,
    ) -> Result<Page<Appointment>, ApiError> {
        let mut request = self
            .request(Method::GET, &["appointments"])
            .query("from", query.from)
            .query("to", query.to);
        for status in &query.statuses {
            request = request.query("status", Some(status.as_str()));
        }
        let request = request
            .query("limit", page.limit)
            .query("cursor", page.cursor.as_deref());
        self.get_json(&request).await
    }

    /// The whole desk agenda matching `query`, all pages.
    pub async fn desk_agenda(&self, query: &DeskAgendaQuery) -> Result<Vec<Appointment>, ApiError> {
        collect_pages(|page| async move { self.desk_agenda_page(query, &page).await }).await
    }

    /// `GET /communications?requestable_by=&requestable_from=`: one page of the threads of
    /// every delegated contributor where "Richiedi appuntamento" is allowed by `by` (and, with
    /// `since`, not before it: a sandbox addition a 1.1 service may ignore) (contract 1.1).
    pub async fn requestable_page(
        &self,
        by: Option<chrono::NaiveDate>,
        since: Option<chrono::NaiveDate>,
        page: &PageRequest,
    ) -> Result<Page<RequestableCommunication>, ApiError> {
        let request = self
            .request(Method::GET, &["communications"])
            .query("requestable_by", by)
            .query("requestable_from", since)
            .query("limit", page.limit)
            .query("cursor", page.cursor.as_deref());
        self.get_json(&request).await
    }

    /// Every requestable thread by `by` (from `since`, when given), all pages; threads allowed
    /// before `since` are dropped here too, whatever the service did with the parameter.
    pub async fn requestable_between(
        &self,
        since: Option<chrono::NaiveDate>,
        by: Option<chrono::NaiveDate>,
    ) -> Result<Vec<RequestableCommunication>, ApiError> {
        let mut all =
            collect_pages(|page| async move { self.requestable_page(by, since, &page).await })
                .await?;
        if let Some(since) = since {
            all.retain(|r| r.communication.appointment_request.allowed_from >= since);
        }
        Ok(all)
    }

    /// Every requestable thread by `by`, all pages.
    pub async fn requestable(
        &self,
        by: Option<chrono::NaiveDate>,
    ) -> Result<Vec<RequestableCommunication>, ApiError> {
        self.requestable_between(None, by).await
    }

    /// `POST /appointments/{id}/reschedule` (contract 1.1): moves a confirmed future
    /// appointment to another slot in one step; the answer is the new appointment,
    /// `confermato`. Sent again with the same `key` after a lost answer, it replays.
    pub async fn reschedule(
        &self,
        id: &AppointmentId,
        key: &IdempotencyKey,
        body: &RescheduleRequest,
    ) -> Result<Appointment, ApiError> {
        let mut request = self
            .request(Method::POST, &["appointments", id.as_str(), "reschedule"])
            .json(body);
        request.idempotency_key = Some(key);
        self.send_json(&request).await.map_err(ApiError::from)
    }

    // ---------------------------------------------------------------- machinery

    fn request(&self, method: Method, segments: &[&str]) -> Request<'static> {
        Request::new(method, self.inner.config.base_url.endpoint(segments))
    }

    async fn get_json<T: DeserializeOwned>(&self, request: &Request<'_>) -> Result<T, ApiError> {
        self.send_json(request).await.map_err(ApiError::from)
    }

    async fn send_json<T: DeserializeOwned>(&self, request: &Request<'_>) -> Result<T, Failure> {
        let (answer, attempts) = self.send(request).await?;
        decode(&answer).map_err(|error| Failure { error, attempts })
    }

    /// A cancellation re-sent after a lost answer meets `409 invalid_state`: the first one
    /// arrived. Read the appointment and call it a success if it is where the cancellation
    /// leads.
    async fn reconcile_repeat(
        &self,
        id: &AppointmentId,
        result: Result<Appointment, Failure>,
        target: AppointmentStatus,
    ) -> Result<Appointment, ApiError> {
        match result {
            Ok(appointment) => Ok(appointment),
            Err(failure) if failure.attempts > 1 && failure.error.code() == "invalid_state" => {
                let current = self.appointment(id).await?;
                if current.status == target {
                    Ok(current)
                } else {
                    Err(failure.error)
                }
            }
            Err(failure) => Err(failure.error),
        }
    }

    /// Sends an authenticated (or not) request: retries, then one refresh on `401`.
    async fn send(&self, request: &Request<'_>) -> Result<(Answer, u32), Failure> {
        let mut reauthenticated = false;
        let mut attempts = 0;
        loop {
            let token = if request.auth {
                Some(
                    self.access_token()
                        .await
                        .map_err(|error| Failure { error, attempts })?,
                )
            } else {
                None
            };
            match self
                .execute(request, token.as_ref().map(|(token, _)| token))
                .await
            {
                Ok((answer, n)) => return Ok((answer, attempts + n)),
                Err(failure) if request.auth && failure.error.status() == Some(401) => {
                    attempts += failure.attempts;
                    if reauthenticated {
                        return Err(Failure {
                            error: ApiError::Unauthorized,
                            attempts,
                        });
                    }
                    reauthenticated = true;
                    let generation = token.map_or(0, |(_, generation)| generation);
                    self.refresh_after_rejection(generation)
                        .await
                        .map_err(|error| Failure { error, attempts })?;
                }
                Err(failure) => {
                    return Err(Failure {
                        error: failure.error,
                        attempts: attempts + failure.attempts,
                    })
                }
            }
        }
    }

    /// The retry loop around single attempts, with a fixed token.
    async fn execute(
        &self,
        request: &Request<'_>,
        token: Option<&Secret>,
    ) -> Result<(Answer, u32), Failure> {
        let policy = &self.inner.config.retry;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let error = match self.attempt(request, token).await {
                Ok(answer) => return Ok((answer, attempt)),
                Err(error) => error,
            };
            let may_repeat = match request.replay {
                Replay::Safe => error.is_retryable(),
                Replay::IfNotDelivered => {
                    matches!(&error, ApiError::Transport(e) if e.is_connect())
                }
            };
            let wait = if may_repeat && attempt < policy.max_attempts.max(1) {
                policy.delay(attempt - 1, error.problem().and_then(|p| p.retry_after))
            } else {
                None
            };
            match wait {
                Some(wait) => {
                    tracing::debug!(
                        code = error.code(),
                        attempt,
                        wait_ms = wait.as_millis() as u64,
                        "nuovo tentativo"
                    );
                    tokio::time::sleep(wait).await;
                }
                None => {
                    return Err(Failure {
                        error,
                        attempts: attempt,
                    })
                }
            }
        }
    }

    /// One HTTP exchange. Error statuses become [`ApiError::Problem`].
    async fn attempt(
        &self,
        request: &Request<'_>,
        token: Option<&Secret>,
    ) -> Result<Answer, ApiError> {
        let mut builder = self
            .inner
            .http
            .request(request.method.clone(), request.url.clone())
            .header(ACCEPT, "application/json, application/problem+json");
        if !request.query.is_empty() {
            builder = builder.query(&request.query);
        }
        if let Some(token) = token {
            builder = builder.bearer_auth(token.expose());
        }
        if let Some(key) = request.idempotency_key {
            builder = builder.header("Idempotency-Key", key.as_str());
        }
        if let Some(body) = &request.body {
            builder = builder
                .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
                .body(body.clone());
        }
        let response = match builder.send().await {
            Ok(response) => response,
            Err(err) => {
                self.note_contact(false);
                return Err(ApiError::from_reqwest(err));
            }
        };
        let status = response.status();
        self.note_server_date(response.headers().get(reqwest::header::DATE));
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, Utc::now()));
        let body = match read_body(response, MAX_BODY_BYTES).await {
            Ok(body) => body,
            Err(BodyError::TooLarge) => {
                self.note_contact(true);
                return Err(ApiError::Decode {
                    status: status.as_u16(),
                    detail: format!("risposta oltre {} MiB", MAX_BODY_BYTES / (1024 * 1024)),
                });
            }
            Err(BodyError::Transport(err)) => {
                // The answer was lost half-way: as good as no answer.
                self.note_contact(false);
                return Err(ApiError::from_reqwest(err));
            }
        };
        self.note_contact(true);
        if status.is_success() {
            Ok(Answer { status, body })
        } else {
            Err(problem(status, retry_after, &body))
        }
    }

    /// Keeps the server's clock offset from an HTTP `Date` header; ignores an unreadable
    /// one and any offset beyond a year (a server's mistake, not this PC's).
    fn note_server_date(&self, header: Option<&HeaderValue>) {
        let Some(date) = header
            .and_then(|v| v.to_str().ok())
            .and_then(|v| DateTime::parse_from_rfc2822(v).ok())
        else {
            return;
        };
        let offset = date.with_timezone(&Utc) - self.local_now();
        if offset.abs() <= chrono::TimeDelta::days(366) {
            *lock(&self.inner.clock_offset) = Some(offset);
        }
    }

    fn note_contact(&self, answered: bool) {
        let mut connectivity = lock(&self.inner.connectivity);
        connectivity.online = Some(answered);
        if answered {
            connectivity.last_contact_at = Some(Utc::now());
        }
    }

    /// A usable access token and the session generation it belongs to.
    async fn access_token(&self) -> Result<(Secret, u64), ApiError> {
        let mut session = self.inner.session.lock().await;
        let margin = self.inner.config.refresh_margin;
        let fresh = session
            .access
            .as_ref()
            .is_some_and(|a| a.expires_at > Instant::now() + margin);
        if !fresh {
            self.refresh_locked(&mut session).await?;
        }
        let access = session
            .access
            .as_ref()
            .expect("a fresh or just refreshed session has an access token");
        Ok((access.token.clone(), session.generation))
    }

    /// Refreshes after the server refused the token of `generation`, unless another caller
    /// already did.
    async fn refresh_after_rejection(&self, generation: u64) -> Result<(), ApiError> {
        let mut session = self.inner.session.lock().await;
        if session.generation != generation && session.access.is_some() {
            return Ok(());
        }
        session.access = None;
        self.refresh_locked(&mut session).await
    }

    async fn refresh_locked(&self, session: &mut Session) -> Result<(), ApiError> {
        let refresh = match &session.refresh {
            Some(token) => token.clone(),
            None => crate::blocking(|| self.inner.tokens.get())?.ok_or(ApiError::Unauthorized)?,
        };
        let request = Request {
            auth: false,
            replay: Replay::IfNotDelivered,
            ..self.request(Method::POST, &["auth", "token"]).json(&json!({
                "grant_type": "refresh_token",
                "refresh_token": refresh.expose(),
            }))
        };
        match self.execute(&request, None).await {
            Ok((answer, _)) => {
                let tokens: TokenResponse = decode(&answer)?;
                self.install(session, tokens);
                Ok(())
            }
            Err(failure) if matches!(failure.error.status(), Some(400 | 401 | 403)) => {
                session.access = None;
                session.refresh = None;
                session.operator = None;
                crate::blocking(|| self.inner.tokens.delete())?;
                Err(ApiError::SessionExpired)
            }
            Err(failure) => Err(failure.error),
        }
    }

    fn install(&self, session: &mut Session, tokens: TokenResponse) -> Operator {
        let refresh = Secret::new(tokens.refresh_token);
        if let Err(err) = crate::blocking(|| self.inner.tokens.set(&refresh)) {
            // The session works for this run; the next start will ask to sign in again.
            tracing::warn!(
                code = err.code(),
                "token di aggiornamento non salvato nel portachiavi"
            );
        }
        session.access = Some(AccessToken {
            token: Secret::new(tokens.access_token),
            // A server's `expires_in` is capped (a day): no overflow, and no token kept
            // for longer than a desk day on a server's word.
            expires_at: Instant::now()
                + Duration::from_secs(tokens.expires_in.min(MAX_TOKEN_LIFETIME_SECS)),
        });
        session.refresh = Some(refresh);
        session.generation += 1;
        session.operator = Some(tokens.operator.clone());
        tokens.operator
    }
}

fn decode<T: DeserializeOwned>(answer: &Answer) -> Result<T, ApiError> {
    let body: &[u8] = if answer.body.is_empty() {
        b"null"
    } else {
        &answer.body
    };
    serde_json::from_slice(body).map_err(|e| ApiError::decode(answer.status, &e))
}

fn problem(status: StatusCode, retry_after: Option<Duration>, body: &[u8]) -> ApiError {
    let parsed: ProblemBody = serde_json::from_slice(body).unwrap_or_default();
    let fallback_title = match status.as_u16() {
        429 => "troppe richieste: riprovare più tardi".to_owned(),
        500 => "errore interno del servizio".to_owned(),
        502 | 504 => "servizio momentaneamente non raggiungibile".to_owned(),
        503 => "servizio momentaneamente non disponibile".to_owned(),
        s => format!("errore del servizio (stato {s})"),
    };
    // A code is a machine word (it is logged and switched on): anything else, such as free
    // text that might carry personal data, is replaced by the status. Texts are shown, so
    // they are cut to a screenful; the contract gives at most five alternatives.
    let code = parsed
        .code
        .filter(|c| is_machine_word(c))
        .unwrap_or_else(|| format!("http_{}", status.as_u16()));
    let mut alternatives = parsed.alternatives;
    alternatives.truncate(MAX_ALTERNATIVES);
    ApiError::Problem(Box::new(Problem {
        status: status.as_u16(),
        code,
        title: parsed.title.and_then(cut).unwrap_or(fallback_title),
        detail: parsed.detail.and_then(cut),
        allowed_from: parsed.allowed_from,
        alternatives,
        retry_after,
    }))
}

/// The most alternatives kept from a `slot_taken` answer.
const MAX_ALTERNATIVES: usize = 5;

/// `[a-z][a-z0-9_]*`, at most [`crate::wire::MAX_CODE_LEN`] bytes: a problem code.
fn is_machine_word(code: &str) -> bool {
    code.len() <= crate::wire::MAX_CODE_LEN
        && code.starts_with(|c: char| c.is_ascii_lowercase())
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// A server's text cut to [`crate::wire::MAX_TEXT_CHARS`] characters; `None` when blank
/// (a message must say something).
fn cut(text: String) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.chars().take(crate::wire::MAX_TEXT_CHARS).collect())
}

/// Why a response body was not read.
enum BodyError {
    /// Larger than the cap (declared or actual).
    TooLarge,
    /// The connection failed half-way.
    Transport(reqwest::Error),
}

/// Reads a body chunk by chunk, stopping as soon as it passes `cap` bytes (a declared
/// `Content-Length` over the cap is refused before reading).
async fn read_body(mut response: reqwest::Response, cap: usize) -> Result<Vec<u8>, BodyError> {
    if response
        .content_length()
        .is_some_and(|len| len > cap as u64)
    {
        return Err(BodyError::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(BodyError::Transport)? {
        if body.len().saturating_add(chunk.len()) > cap {
            return Err(BodyError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Fetches every page of a cursor-paged list, 500 items at a time.
///
/// Stops with [`ApiError::Decode`] if the service hands back a cursor it already gave (a
/// loop), or more than [`MAX_PAGES`] pages (endless fresh cursors), instead of fetching
/// forever.
pub async fn collect_pages<T, F, Fut>(mut fetch: F) -> Result<Vec<T>, ApiError>
where
    F: FnMut(PageRequest) -> Fut,
    Fut: Future<Output = Result<Page<T>, ApiError>>,
{
    let mut items = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut page = PageRequest::first_max();
    for _ in 0..MAX_PAGES {
        let Page {
            items: batch,
            next_cursor,
        } = fetch(page.clone()).await?;
        if items.len().saturating_add(batch.len()) > MAX_LISTING_ITEMS {
            return Err(ApiError::Decode {
                status: 200,
                detail: format!("elenco oltre {MAX_LISTING_ITEMS} elementi"),
            });
        }
        items.extend(batch);
        match next_cursor {
            None => return Ok(items),
            Some(cursor) => {
                if !seen.insert(cursor.clone()) {
                    return Err(ApiError::Decode {
                        status: 200,
                        detail: "il servizio ha ripetuto un cursore di pagina".to_owned(),
                    });
                }
                page.cursor = Some(cursor);
            }
        }
    }
    Err(ApiError::Decode {
        status: 200,
        detail: format!("elenco oltre {MAX_PAGES} pagine"),
    })
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idempotency_keys_are_random_and_valid() {
        let a = IdempotencyKey::generate();
        let b = IdempotencyKey::generate();
        assert_ne!(a, b);
        assert_eq!(IdempotencyKey::parse(a.as_str()), Ok(a.clone()));
        assert_eq!(a.as_str().len(), 35);
    }

    #[test]
    fn idempotency_keys_are_checked_when_read_back() {
        let check = |value: &str, ok: bool| {
            assert_eq!(IdempotencyKey::parse(value).is_ok(), ok, "{value:?}");
        };
        check("k", true);
        check(&"x".repeat(255), true);
        check("", false);
        check(&"x".repeat(256), false);
        check("con spazio", false);
        check("àccento", false);
        assert!(serde_json::from_str::<IdempotencyKey>("\"\"").is_err());
    }

    #[test]
    fn error_statuses_become_problems_even_without_a_problem_body() {
        let err = problem(StatusCode::SERVICE_UNAVAILABLE, None, b"<html>busy</html>");
        assert_eq!(err.code(), "http_503");
        assert!(err.is_retryable());
        assert_eq!(err.to_string(), "servizio momentaneamente non disponibile");

        let body = br#"{"type":"about:blank","title":"Orario non disponibile","status":409,
            "detail":"L'orario scelto e' stato appena prenotato","code":"slot_taken",
            "alternatives":[{"start":"2026-12-03T09:30:00+01:00","end":"2026-12-03T10:00:00+01:00","available":true}]}"#;
        let err = problem(StatusCode::CONFLICT, None, body);
        let p = err.problem().unwrap();
        assert_eq!(p.code, "slot_taken");
        assert_eq!(p.alternatives.len(), 1);
        assert!(!err.is_retryable());

        let body = br#"{"title":"Non ancora","status":422,"code":"not_eligible_yet","allowed_from":"2026-12-10"}"#;
        let err = problem(StatusCode::UNPROCESSABLE_ENTITY, None, body);
        assert_eq!(
            err.problem().unwrap().allowed_from,
            chrono::NaiveDate::from_ymd_opt(2026, 12, 10)
        );

        let err = problem(
            StatusCode::TOO_MANY_REQUESTS,
            Some(Duration::from_secs(900)),
            b"",
        );
        assert_eq!(
            err.problem().unwrap().retry_after,
            Some(Duration::from_secs(900))
        );
    }

    #[tokio::test]
    async fn pages_are_collected_until_the_last_cursor() {
        let pages = std::sync::Mutex::new(vec![
            Page {
                items: vec![3],
                next_cursor: None,
            },
            Page {
                items: vec![1, 2],
                next_cursor: Some("c1".to_owned()),
            },
        ]);
        let all = collect_pages(|_page| {
            let next = pages.lock().unwrap().pop().unwrap();
            async move { Ok::<_, ApiError>(next) }
        })
        .await
        .unwrap();
        assert_eq!(all, vec![1, 2, 3]);
    }

    #[tokio::test]
    async fn a_repeated_cursor_stops_the_collection() {
        let result: Result<Vec<u8>, ApiError> = collect_pages(|_page| async {
            Ok(Page {
                items: vec![1],
                next_cursor: Some("same".to_owned()),
            })
        })
        .await;
        assert_eq!(result.unwrap_err().code(), "invalid_response");
    }
}
