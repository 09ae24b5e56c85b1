//! `POST /auth/token` (password and refresh-token grants), `POST /auth/revoke`, and the
//! helpers behind bearer authentication.
//!
//! Tokens are random, handed out once, and stored only as SHA-256 hashes. A login and all the
//! tokens refreshed from it form a *family*: refreshing rotates the refresh token (the old one
//! stops working), presenting a rotated refresh token again revokes the whole family, and
//! revoking a refresh token ends its family's access tokens too.
//!
//! Passwords are kept as Argon2id hashes, checked off the async workers and outside the
//! database's writer; an unknown username costs the same hash. Wrong passwords are limited
//! per username (lockout) and per client address (throttle).

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use argon2::{Algorithm, Argon2, Params, Version};
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::header::{CACHE_CONTROL, RETRY_AFTER};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use rand::RngCore;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::extract::{JsonBody, Operator};
use crate::state::{AppState, CachedToken, REFRESH_TOKEN_TTL_SECS};

/// Failed logins for one username tolerated within [`LOCKOUT_WINDOW_SECS`].
pub const MAX_FAILURES: usize = 5;
/// The lockout window: 15 minutes.
pub const LOCKOUT_WINDOW_SECS: i64 = 15 * 60;
/// Failed logins from one client address (whatever the usernames) tolerated within
/// [`LOCKOUT_WINDOW_SECS`]: trying many names with one password is throttled too.
pub const MAX_CLIENT_FAILURES: usize = 20;
/// `operators.password_scheme` of an Argon2id hash.
const ARGON2ID: &str = "argon2id";
/// Rounds of the legacy salted SHA-256 (`password_scheme = 'sha256x4096'`), kept only to
/// accept, once, a password stored before Argon2id and re-hash it.
const LEGACY_ROUNDS: u32 = 4096;
/// The salt of the hash an unknown username costs.
const UNKNOWN_USER_SALT: &[u8] = b"cassetto-agenda/unknown-user";

/// SHA-256 of a token, the only form in which tokens are stored.
pub fn token_hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// Argon2id (v1.3) of a password with OWASP's setting: 19 MiB, 2 passes, 1 lane
/// (`Params::default()`), 32 bytes. Fails only on a salt under 8 bytes.
pub(crate) fn password_hash(salt: &[u8], password: &str) -> Result<[u8; 32], argon2::Error> {
    let mut hash = [0u8; 32];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::default()).hash_password_into(
        password.as_bytes(),
        salt,
        &mut hash,
    )?;
    Ok(hash)
}

/// The legacy salted, iterated SHA-256 of a password.
fn legacy_password_hash(salt: &[u8], password: &str) -> [u8; 32] {
    let mut digest: [u8; 32] = Sha256::new()
        .chain_update(salt)
        .chain_update(password.as_bytes())
        .finalize()
        .into();
    for _ in 1..LEGACY_ROUNDS {
        digest = Sha256::new()
            .chain_update(digest)
            .chain_update(salt)
            .finalize()
            .into();
    }
    digest
}

/// Compares two hashes in constant time.
fn same_hash(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// `n` random bytes as lower-case hex.
pub(crate) fn random_hex(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex(&bytes)
}

/// Lower-case hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Adds an operator with a freshly salted password (seeding).
pub(crate) fn insert_operator(
    conn: &Connection,
    id: &str,
    username: &str,
    password: &str,
    display_name: &str,
    organization: &str,
) -> rusqlite::Result<()> {
    let (salt, hash) = new_password_hash(password)
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(e.into()))?;
    conn.execute(
        "INSERT INTO operators
         (id, username, password_salt, password_hash, password_scheme, display_name, organization)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            id,
            username,
            &salt[..],
            &hash[..],
            ARGON2ID,
            display_name,
            organization
        ],
    )?;
    Ok(())
}

/// A fresh salt and the Argon2id hash of `password` with it.
fn new_password_hash(password: &str) -> Result<([u8; 16], [u8; 32]), String> {
    let mut salt = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut salt);
    let hash = password_hash(&salt, password).map_err(|e| e.to_string())?;
    Ok((salt, hash))
}

/// The address of the client, when the server was started with connection info (always,
/// except in tests that call the router directly).
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let info = parts.extensions.get::<ConnectInfo<SocketAddr>>();
        Ok(Self(info.map(|ConnectInfo(addr)| addr.ip())))
    }
}

/// Body of `POST /auth/token`.
#[derive(Debug, Deserialize)]
pub struct TokenRequest {
    grant_type: Option<String>,
    username: Option<String>,
    password: Option<String>,
    refresh_token: Option<String>,
}

/// The operator, as returned with a token.
#[derive(Debug, Clone, Serialize)]
pub struct OperatorInfo {
    id: String,
    display_name: String,
    organization: String,
}

/// Answer of `POST /auth/token`.
#[derive(Debug, Serialize)]
pub struct TokenResponse {
    access_token: String,
    token_type: &'static str,
    expires_in: i64,
    refresh_token: String,
    operator: OperatorInfo,
}

/// Body of `POST /auth/revoke`.
#[derive(Debug, Deserialize)]
pub struct RevokeRequest {
    refresh_token: String,
}

/// `POST /auth/token`.
pub async fn token(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    JsonBody(request): JsonBody<TokenRequest>,
) -> Result<Response, ApiError> {
    let grant = match request.grant_type.as_deref() {
        Some("password") => Grant::Password {
            username: required(request.username, "username")?,
            password: required(request.password, "password")?,
        },
        Some("refresh_token") => Grant::Refresh {
            token: required(request.refresh_token, "refresh_token")?,
        },
        Some(_) => {
            return Err(ApiError::bad_request(
                "unsupported_grant_type",
                "grant_type deve essere \"password\" o \"refresh_token\".",
            ))
        }
        None => return Err(missing("grant_type")),
    };
    let now = state.now().timestamp();
    let access_ttl = state.access_token_ttl().num_seconds();
    // Refusals are committed too: they record failures and revocations.
    let outcome = match grant {
        Grant::Password { username, password } => {
            password_grant(&state, client, username, password, now, access_ttl).await?
        }
        Grant::Refresh { token } => {
            state
                .db()
                .write(move |tx| refresh_grant(tx, &token, now, access_ttl))
                .await?
        }
    };
    let (response, (hash, cached)) = match outcome {
        Ok(issued) => issued,
        Err(refusal) => {
            if let Some(family) = refusal.revoked_family {
                state.forget_family(&family);
            }
            return Err(refusal.error);
        }
    };
    state.cache_token(hash, cached);
    Ok((
        [(CACHE_CONTROL, HeaderValue::from_static("no-store"))],
        Json(response),
    )
        .into_response())
}

/// `POST /auth/revoke`: ends the refresh token's family. Always 204, as RFC 7009 asks.
pub async fn revoke(
    State(state): State<AppState>,
    operator: Operator,
    JsonBody(request): JsonBody<RevokeRequest>,
) -> Result<StatusCode, ApiError> {
    let hash = token_hash(&request.refresh_token);
    let operator_id = operator.id.to_string();
    let family = state
        .db()
        .write(move |tx| {
            let family: Option<String> = tx
                .query_row(
                    "SELECT family FROM refresh_tokens WHERE token_hash = ?1 AND operator_id = ?2",
                    params![&hash[..], operator_id],
                    |row| row.get(0),
                )
                .optional()?;
            if let Some(family) = &family {
                revoke_family(tx, family)?;
            }
            Ok(family)
        })
        .await?;
    if let Some(family) = family {
        state.forget_family(&family);
    }
    Ok(StatusCode::NO_CONTENT)
}

enum Grant {
    Password { username: String, password: String },
    Refresh { token: String },
}

fn required(value: Option<String>, field: &str) -> Result<String, ApiError> {
    value.ok_or_else(|| missing(field))
}

fn missing(field: &str) -> ApiError {
    ApiError::bad_request(
        "invalid_request",
        format!("Campo obbligatorio mancante: {field}."),
    )
}

type Issued = (TokenResponse, ([u8; 32], CachedToken));

/// A grant refused after its side effects (failure recorded, family revoked) were written.
struct Refusal {
    error: ApiError,
    revoked_family: Option<String>,
}

impl From<ApiError> for Refusal {
    fn from(error: ApiError) -> Self {
        Self {
            error,
            revoked_family: None,
        }
    }
}

/// The result of a grant: tokens, or a refusal to commit; `Err` rolls back.
type GrantOutcome = Result<Result<Issued, Refusal>, ApiError>;

/// An operator's stored password, and who they are.
struct Account {
    salt: Vec<u8>,
    hash: Vec<u8>,
    scheme: String,
    info: OperatorInfo,
}

/// 429 `too_many_attempts`, to be retried after `retry_after` seconds.
fn too_many_attempts(retry_after: i64) -> ApiError {
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_attempts",
        "Troppi tentativi di accesso falliti. Riprovare più tardi.",
    )
    .with("retry_after", retry_after)
    .with_header(RETRY_AFTER, HeaderValue::from(retry_after))
}

/// Seconds until `key` may try again, when its failures in the window reached the limit.
fn lockout(conn: &Connection, key: &str, now: i64) -> rusqlite::Result<Option<i64>> {
    let failures: Vec<i64> = conn
        .prepare_cached(
            "SELECT at FROM login_failures WHERE username = ?1 AND at > ?2 ORDER BY at",
        )?
        .query_map(params![key, now - LOCKOUT_WINDOW_SECS], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(retry_after(&failures, MAX_FAILURES, now))
}

/// Seconds until one more attempt is allowed, when `failures` (times within the lockout
/// window, oldest first) reached `limit`: locked until enough of them leave the window to
/// get below the limit. The rule of both the per-username lockout and the per-client
/// throttle.
pub(crate) fn retry_after(failures: &[i64], limit: usize, now: i64) -> Option<i64> {
    let over = failures.len().checked_sub(limit)?;
    failures
        .get(over)
        .map(|releasing| (releasing + LOCKOUT_WINDOW_SECS - now).max(1))
}

fn find_account(conn: &Connection, username: &str) -> rusqlite::Result<Option<Account>> {
    conn.prepare_cached(
        "SELECT password_salt, password_hash, password_scheme, id, display_name, organization
         FROM operators WHERE username = ?1",
    )?
    .query_row([username], |row| {
        Ok(Account {
            salt: row.get(0)?,
            hash: row.get(1)?,
            scheme: row.get(2)?,
            info: OperatorInfo {
                id: row.get(3)?,
                display_name: row.get(4)?,
                organization: row.get(5)?,
            },
        })
    })
    .optional()
}

/// Whether `password` is the account's. An unknown username costs the same Argon2id hash
/// as a known one: the time of the answer must not tell which usernames exist.
fn verify(account: Option<&Account>, password: &str) -> Result<bool, argon2::Error> {
    Ok(match account {
        None => {
            std::hint::black_box(password_hash(UNKNOWN_USER_SALT, password)?);
            false
        }
        Some(account) if account.scheme == ARGON2ID => {
            same_hash(&password_hash(&account.salt, password)?, &account.hash)
        }
        Some(account) => same_hash(
            &legacy_password_hash(&account.salt, password),
            &account.hash,
        ),
    })
}

/// The password grant. The attempt counts as a failure (per client, per username) before
/// the password is checked, so guesses sent side by side meet the limits as if sent one by
/// one; a right password takes its count back. The hash runs on a blocking thread (never on
/// the async workers nor on the database's writer), as many at once as there are cores
/// (each takes 19 MiB).
async fn password_grant(
    state: &AppState,
    client: Option<IpAddr>,
    username: String,
    password: String,
    now: i64,
    access_ttl: i64,
) -> GrantOutcome {
    if let Some(retry_after) = state.client_retry_after(client, now) {
        return Ok(Err(too_many_attempts(retry_after).into()));
    }
    state.record_client_failure(client, now);
    let name = username.trim().to_owned();
    let key = name.to_lowercase();
    let looked_up = {
        let key = key.clone();
        state
            .db()
            .write(move |tx| {
                if let Some(retry_after) = lockout(tx, &key, now)? {
                    return Ok(Err(retry_after));
                }
                tx.execute(
                    "INSERT INTO login_failures (username, at) VALUES (?1, ?2)",
                    params![key, now],
                )?;
                Ok(Ok(find_account(tx, &name)?))
            })
            .await?
    };
    let account = match looked_up {
        Err(retry_after) => return Ok(Err(too_many_attempts(retry_after).into())),
        Ok(account) => account,
    };
    let permit = state.hashing().await?;
    let checked = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let right = verify(account.as_ref(), &password)?;
        // A legacy hash that just proved right is replaced by an Argon2id one.
        let upgrade = match &account {
            Some(a) if right && a.scheme != ARGON2ID => Some(new_password_hash(&password)),
            _ => None,
        };
        Ok::<_, argon2::Error>((right.then_some(account).flatten(), upgrade))
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(ApiError::internal)?;
    let Some(account) = checked.0 else {
        return Ok(Err(ApiError::unauthorized(
            "invalid_credentials",
            "Nome utente o password errati.",
        )
        .into()));
    };
    let upgrade = checked.1.transpose().map_err(ApiError::internal)?;
    state.forgive_client_failure(client, now);
    state
        .db()
        .write(move |tx| {
            tx.execute("DELETE FROM login_failures WHERE username = ?1", [&key])?;
            if let Some((salt, hash)) = upgrade {
                tx.execute(
                    "UPDATE operators SET password_salt = ?2, password_hash = ?3,
                     password_scheme = ?4 WHERE id = ?1",
                    params![account.info.id, &salt[..], &hash[..], ARGON2ID],
                )?;
            }
            let family = random_hex(16);
            issue(tx, account.info, &family, now, access_ttl).map(Ok)
        })
        .await
}

fn refresh_grant(tx: &Connection, token: &str, now: i64, access_ttl: i64) -> GrantOutcome {
    let hash = token_hash(token);
    let found: Option<(String, i64, Option<i64>, OperatorInfo)> = tx
        .prepare_cached(
            "SELECT r.family, r.expires_at, r.used_at, o.id, o.display_name, o.organization
             FROM refresh_tokens r JOIN operators o ON o.id = r.operator_id
             WHERE r.token_hash = ?1",
        )?
        .query_row([&hash[..]], |row| {
            Ok((
                row.get(0)?,
                row.get(1)?,
                row.get(2)?,
                OperatorInfo {
                    id: row.get(3)?,
                    display_name: row.get(4)?,
                    organization: row.get(5)?,
                },
            ))
        })
        .optional()?;
    let invalid = || {
        ApiError::unauthorized(
            "invalid_grant",
            "Refresh token non valido, scaduto o già usato: accedere di nuovo.",
        )
    };
    match found {
        None => Ok(Err(invalid().into())),
        Some((family, _, Some(_), _)) => {
            // A rotated token came back: someone may have copied it. End the whole family.
            revoke_family(tx, &family)?;
            Ok(Err(Refusal {
                error: invalid(),
                revoked_family: Some(family),
            }))
        }
        Some((_, expires_at, None, _)) if expires_at <= now => Ok(Err(invalid().into())),
        Some((family, _, None, info)) => {
            tx.execute(
                "UPDATE refresh_tokens SET used_at = ?2 WHERE token_hash = ?1",
                params![&hash[..], now],
            )?;
            issue(tx, info, &family, now, access_ttl).map(Ok)
        }
    }
}

fn issue(
    tx: &Connection,
    operator: OperatorInfo,
    family: &str,
    now: i64,
    access_ttl: i64,
) -> Result<Issued, ApiError> {
    let access_token = format!("at_{}", random_hex(32));
    let refresh_token = format!("rt_{}", random_hex(32));
    let access_hash = token_hash(&access_token);
    let expires_at = now + access_ttl;
    tx.execute(
        "INSERT INTO access_tokens (token_hash, operator_id, family, expires_at)
         VALUES (?1, ?2, ?3, ?4)",
        params![&access_hash[..], operator.id, family, expires_at],
    )?;
    tx.execute(
        "INSERT INTO refresh_tokens (token_hash, operator_id, family, expires_at)
         VALUES (?1, ?2, ?3, ?4)",
        params![
            &token_hash(&refresh_token)[..],
            operator.id,
            family,
            now + REFRESH_TOKEN_TTL_SECS
        ],
    )?;
    let cached = CachedToken {
        operator_id: Arc::from(operator.id.as_str()),
        family: Arc::from(family),
        expires_at,
    };
    Ok((
        TokenResponse {
            access_token,
            token_type: "Bearer",
            expires_in: access_ttl,
            refresh_token,
            operator,
        },
        (access_hash, cached),
    ))
}

fn revoke_family(tx: &Connection, family: &str) -> rusqlite::Result<()> {
    tx.execute("DELETE FROM access_tokens WHERE family = ?1", [family])?;
    tx.execute("DELETE FROM refresh_tokens WHERE family = ?1", [family])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_hash_depends_on_salt_and_password() {
        let hash = |salt: &[u8], password| password_hash(salt, password).unwrap();
        let a = hash(b"salt-aaa", "demo");
        assert_eq!(a, hash(b"salt-aaa", "demo"));
        assert_ne!(a, hash(b"salt-bbb", "demo"));
        assert_ne!(a, hash(b"salt-aaa", "demo2"));
    }

    #[test]
    fn a_password_is_checked_with_the_scheme_it_was_stored_with() {
        let account = |scheme: &str, hash: Vec<u8>| Account {
            salt: b"salt-aaa".to_vec(),
            hash,
            scheme: scheme.into(),
            info: OperatorInfo {
                id: "op".into(),
                display_name: "Op".into(),
                organization: "Org".into(),
            },
        };
        let argon = account(
            ARGON2ID,
            password_hash(b"salt-aaa", "demo").unwrap().to_vec(),
        );
        assert!(verify(Some(&argon), "demo").unwrap());
        assert!(!verify(Some(&argon), "Demo").unwrap());
        let legacy = account(
            "sha256x4096",
            legacy_password_hash(b"salt-aaa", "demo").to_vec(),
        );
        assert!(verify(Some(&legacy), "demo").unwrap());
        assert!(!verify(Some(&legacy), "demo2").unwrap());
        assert!(!verify(None, "demo").unwrap());
    }

    #[test]
    fn hashes_compare_in_full() {
        assert!(same_hash(b"abc", b"abc"));
        assert!(!same_hash(b"abc", b"abd"));
        assert!(!same_hash(b"abc", b"ab"));
    }

    #[test]
    fn random_hex_has_two_digits_per_byte() {
        let token = random_hex(32);
        assert_eq!(token.len(), 64);
        assert!(token.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(token, random_hex(32));
    }
}
