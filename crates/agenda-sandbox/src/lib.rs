//! # agenda-sandbox
//!
//! A faithful implementation of the Cassetto Agenda remote service (`SERVICE.md`, documented
//! in `docs/openapi.yaml`) on axum and SQLite (WAL), for the desktop app's embedded mode,
//! demos, operator training and tests. Every rule — fiscal codes, phone numbers, notes,
//! eligibility, office calendars and slots, the appointment lifecycle and identifiers —
//! comes from `agenda-core`.
//!
//! ```no_run
//! # async fn demo() -> Result<(), agenda_sandbox::SandboxError> {
//! use agenda_sandbox::{spawn, Config};
//! let config = Config {
//!     db_path: "sandbox.db".into(),
//!     hold_ttl: std::time::Duration::from_secs(600),
//!     seed_demo: true,
//!     durable: true,
//! };
//! let (addr, server) = spawn(config, "127.0.0.1:0".parse().unwrap()).await?;
//! println!("listening on http://{addr}");
//! server.shutdown().await?;
//! # Ok(()) }
//! ```
//!
//! Invariants kept by the database itself: at most one live (`prenotato` or `confermato`)
//! appointment per (office, consultation point, start) and per communication (partial
//! unique indexes); an idempotent booking and its stored response commit together.
#![deny(missing_docs)]

mod appointments;
mod auth;
mod bookings;
mod catalog;
mod clock;
mod common;
mod communications;
mod contributors;
mod db;
mod error;
mod extract;
pub mod guard;
mod idempotency;
mod reference;
mod routes;
pub mod seed;
mod slot_cache;
mod slots;
mod state;
mod sweep;

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use crate::clock::{system_clock, Clock, ManualClock};
pub use crate::db::DbError;
pub use crate::error::{ApiError, PROBLEM_JSON};
pub use crate::routes::{routes, Route, API_PREFIX};
pub use crate::state::{AppState, DEFAULT_ACCESS_TOKEN_TTL_SECS, REFRESH_TOKEN_TTL_SECS};
pub use crate::sweep::SweepReport;

/// Longest accepted hold TTL: one year.
pub const MAX_HOLD_TTL: Duration = Duration::from_secs(365 * 24 * 3600);

/// How often expired holds are swept while serving.
const SWEEP_INTERVAL: Duration = Duration::from_secs(1);

/// How to open the sandbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The SQLite database file (created if missing).
    pub db_path: PathBuf,
    /// How long a hold (`prenotato`) lasts before it becomes `scaduto`.
    pub hold_ttl: Duration,
    /// Whether to fill an empty database with the demo data (operator `demo` / `demo`).
    pub seed_demo: bool,
    /// Whether every commit reaches the disk before it is answered (`synchronous = FULL`):
    /// the standalone server sets it; the app's embedded sandbox (demo data) does not.
    pub durable: bool,
}

impl Config {
    /// A configuration with the default hold TTL (10 minutes) and no seed.
    pub fn new(db_path: impl Into<PathBuf>) -> Self {
        Self {
            db_path: db_path.into(),
            hold_ttl: Duration::from_secs(agenda_core::appointment::DEFAULT_HOLD_TTL_SECS),
            seed_demo: false,
            durable: false,
        }
    }
}

/// Why the sandbox could not start or stop.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// The database could not be opened, migrated or seeded.
    #[error(transparent)]
    Database(#[from] DbError),
    /// The listening socket could not be bound or served.
    #[error("network: {0}")]
    Io(#[from] std::io::Error),
    /// A background task failed.
    #[error("background task: {0}")]
    Task(#[from] tokio::task::JoinError),
    /// The hold TTL is longer than [`MAX_HOLD_TTL`].
    #[error("hold TTL out of range (at most one year)")]
    InvalidHoldTtl,
}

/// Opens (creating and migrating if needed) the database, seeds the demo data if asked and
/// the database is empty, sweeps expired holds, and loads the reference data. Real clock.
pub async fn open_state(config: &Config) -> Result<AppState, SandboxError> {
    open_state_with_clock(config, system_clock()).await
}

/// [`open_state`] with a chosen clock (tests move time with a [`ManualClock`]).
pub async fn open_state_with_clock(
    config: &Config,
    clock: Clock,
) -> Result<AppState, SandboxError> {
    let config = config.clone();
    tokio::task::spawn_blocking(move || open_blocking(&config, clock)).await?
}

fn open_blocking(config: &Config, clock: Clock) -> Result<AppState, SandboxError> {
    if config.hold_ttl > MAX_HOLD_TTL {
        return Err(SandboxError::InvalidHoldTtl);
    }
    let hold_ttl =
        chrono::Duration::from_std(config.hold_ttl).map_err(|_| SandboxError::InvalidHoldTtl)?;
    let db = db::Db::open(&config.db_path, config.durable)?;
    let now = clock();
    if config.seed_demo {
        let seeded = db.write_now(|conn| seed::seed_demo_if_empty(conn, now))?;
        if seeded {
            tracing::info!("demo data seeded");
        }
    }
    let report = db.write_now(|conn| {
        let tx = conn.transaction()?;
        let report = sweep::sweep(&tx, now)?;
        tx.commit()?;
        Ok(report)
    })?;
    if report.expired_holds > 0 {
        tracing::info!(
            expired = report.expired_holds,
            "expired holds swept at start-up"
        );
    }
    let catalog = db.write_now(|conn| catalog::Catalog::load(conn))?;
    Ok(AppState::new(db, catalog, clock, hold_ttl))
}

/// The service as an axum router (routes under [`API_PREFIX`]).
pub fn app(state: AppState) -> axum::Router {
    routes::app(state)
}

/// A running server; [`ServerHandle::shutdown`] stops it gracefully. Dropping the handle
/// stops it too.
#[derive(Debug)]
pub struct ServerHandle {
    stop: Option<oneshot::Sender<()>>,
    task: Finished,
}

/// How the end of a server is awaited: its task on the caller's runtime, or the report of
/// its own runtime's thread ([`spawn_dedicated`]).
#[derive(Debug)]
enum Finished {
    Task(JoinHandle<std::io::Result<()>>),
    Thread(oneshot::Receiver<std::io::Result<()>>),
}

impl ServerHandle {
    /// Stops accepting connections, lets in-flight requests finish, and waits for the end.
    pub async fn shutdown(mut self) -> Result<(), SandboxError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match &mut self.task {
            Finished::Task(task) => task.await??,
            // A thread that ended without a word is gone all the same.
            Finished::Thread(done) => {
                if let Ok(result) = done.await {
                    result?;
                }
            }
        }
        Ok(())
    }
}

/// [`spawn`] on a runtime of its own (`threads` workers on a thread named
/// `agenda-sandbox`), so that the sandbox's work never waits behind the caller's tasks and
/// theirs never behind the sandbox's: the app starts its embedded sandbox this way. The
/// runtime ends when the server does.
pub async fn spawn_dedicated(
    config: Config,
    listen: SocketAddr,
    threads: usize,
) -> Result<(SocketAddr, ServerHandle), SandboxError> {
    let (started_tx, started_rx) = oneshot::channel();
    let (done_tx, done_rx) = oneshot::channel();
    let (stop, stopped) = oneshot::channel::<()>();
    std::thread::Builder::new()
        .name("agenda-sandbox".to_owned())
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_multi_thread()
                .worker_threads(threads.max(1))
                .thread_name("agenda-sandbox")
                .enable_all()
                .build()
            {
                Ok(runtime) => runtime,
                Err(e) => {
                    let _ = started_tx.send(Err(SandboxError::Io(e)));
                    return;
                }
            };
            runtime.block_on(async move {
                let bound = async {
                    let state = open_state(&config).await?;
                    let listener = TcpListener::bind(listen).await?;
                    let addr = listener.local_addr()?;
                    Ok::<_, SandboxError>((state, listener, addr))
                };
                let (state, listener, addr) = match bound.await {
                    Ok(parts) => parts,
                    Err(e) => {
                        let _ = started_tx.send(Err(e));
                        return;
                    }
                };
                let _ = started_tx.send(Ok(addr));
                let result = serve(listener, state, async move {
                    let _ = stopped.await;
                })
                .await;
                let _ = done_tx.send(result);
            });
        })?;
    let addr = started_rx
        .await
        .map_err(|_| SandboxError::Io(std::io::Error::other("the sandbox thread ended")))??;
    Ok((
        addr,
        ServerHandle {
            stop: Some(stop),
            task: Finished::Thread(done_rx),
        },
    ))
}

/// Opens the state, binds `listen`, spawns the server on the current tokio runtime, and
/// returns the bound address (useful with port 0) and a handle to stop it.
pub async fn spawn(
    config: Config,
    listen: SocketAddr,
) -> Result<(SocketAddr, ServerHandle), SandboxError> {
    let state = open_state(&config).await?;
    spawn_with_state(state, listen).await
}

/// [`spawn`] with a state opened beforehand (e.g. with a [`ManualClock`]).
pub async fn spawn_with_state(
    state: AppState,
    listen: SocketAddr,
) -> Result<(SocketAddr, ServerHandle), SandboxError> {
    let listener = TcpListener::bind(listen).await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(serve(listener, state, async move {
        let _ = stopped.await;
    }));
    Ok((
        addr,
        ServerHandle {
            stop: Some(stop),
            task: Finished::Task(task),
        },
    ))
}

/// Serves on `listener` until `shutdown` completes, then finishes in-flight requests.
/// Sweeps expired holds and checkpoints the write-ahead log every second meanwhile.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let sweeper = tokio::spawn(sweep_forever(state.clone()));
    let result = axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await;
    sweeper.abort();
    result
}

async fn sweep_forever(state: AppState) {
    let mut ticks = tokio::time::interval(SWEEP_INTERVAL);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        if let Err(e) = state.db().checkpoint().await {
            tracing::warn!(code = e.code(), "checkpoint failed");
        }
        let now = state.now();
        state.forget_expired_tokens(now.timestamp());
        match state
            .db()
            .write(move |conn| Ok(sweep::sweep(conn, now)?))
            .await
        {
            Ok(report) if report != SweepReport::default() => {
                tracing::debug!(
                    expired = report.expired_holds,
                    completed = report.completed,
                    "swept"
                );
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(code = e.code(), "sweep failed"),
        }
    }
}
