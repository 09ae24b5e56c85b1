//! The one managed state of the app: which service is in use, the agenda facade bound to
//! it and the selected contributor.

use crate::error::CommandError;
use crate::service::Service;
use agenda_client::app::DeskHandle;
use agenda_client::Contributor;
use serde::Serialize;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::{OwnedRwLockWriteGuard, RwLock};

/// Which service the app talks to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum Environment {
    /// The sandbox started in-process, with demo data ("Ambiente di prova").
    EmbeddedSandbox,
    /// A remote service chosen by base URL.
    Remote {
        /// The service's base URL.
        base_url: String,
    },
}

/// Start-up options read from the environment (tests and benchmarks use them).
#[derive(Debug, Clone, Default)]
pub struct StartOptions {
    /// `CASSETTO_SERVICE_URL`: a remote service instead of the embedded sandbox; overrides
    /// the saved preference.
    pub service_url: Option<String>,
    /// `CASSETTO_SANDBOX_LISTEN`: the loopback address of the embedded sandbox (default: a
    /// free port).
    pub sandbox_listen: Option<SocketAddr>,
    /// `CASSETTO_SANDBOX_HOLD_TTL`: seconds a hold lasts in the embedded sandbox.
    pub sandbox_hold_ttl: Option<Duration>,
    /// `CASSETTO_READY_FILE`: where to write the instant of the UI's first frame.
    pub ready_file: Option<PathBuf>,
    /// `CASSETTO_IDLE_LOCK_SECS`: seconds of inactivity before the screen locks, instead of
    /// Impostazioni's minutes (tests).
    pub idle_lock: Option<Duration>,
}

impl StartOptions {
    /// Reads the options from the process environment.
    pub fn from_env() -> Self {
        let var = |name: &str| {
            std::env::var(name)
                .ok()
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        Self {
            service_url: var("CASSETTO_SERVICE_URL"),
            sandbox_listen: var("CASSETTO_SANDBOX_LISTEN").and_then(|v| v.parse().ok()),
            sandbox_hold_ttl: var("CASSETTO_SANDBOX_HOLD_TTL")
                .and_then(|v| v.parse().ok())
                .map(Duration::from_secs),
            ready_file: var("CASSETTO_READY_FILE").map(PathBuf::from),
            idle_lock: var("CASSETTO_IDLE_LOCK_SECS")
                .and_then(|v| v.parse::<u64>().ok())
                .filter(|secs| (1..=7200).contains(secs))
                .map(Duration::from_secs),
        }
    }
}

/// Where the service stands.
pub(crate) enum ServiceSlot {
    /// Being started (commands wait on the lock).
    Starting,
    /// Running.
    Ready(Arc<Service>),
    /// Could not start: every command answers with this error.
    Failed(CommandError),
}

/// State shared by all commands.
pub struct AppState {
    pub(crate) options: StartOptions,
    service: Arc<RwLock<ServiceSlot>>,
    selected: Mutex<Option<Contributor>>,
    locked: AtomicBool,
    unlock_failures: AtomicU32,
}

impl AppState {
    /// A state with no service yet.
    pub fn new(options: StartOptions) -> Self {
        Self {
            options,
            service: Arc::new(RwLock::new(ServiceSlot::Starting)),
            selected: Mutex::new(None),
            locked: AtomicBool::new(false),
            unlock_failures: AtomicU32::new(0),
        }
    }

    /// A state whose service is already running with `desk` (a command test's fake): the
    /// app does not start one of its own.
    pub fn with_desk(options: StartOptions, environment: Environment, desk: DeskHandle) -> Self {
        let service = Service {
            environment,
            desk,
            sandbox: None,
        };
        Self {
            options,
            service: Arc::new(RwLock::new(ServiceSlot::Ready(Arc::new(service)))),
            selected: Mutex::new(None),
            locked: AtomicBool::new(false),
            unlock_failures: AtomicU32::new(0),
        }
    }

    /// Locks the service slot for (re)starting it; commands wait until the guard is dropped.
    pub(crate) fn begin_start(&self) -> Option<OwnedRwLockWriteGuard<ServiceSlot>> {
        self.service.clone().try_write_owned().ok()
    }

    /// Waits for the service slot for a restart.
    pub(crate) async fn lock_for_restart(&self) -> OwnedRwLockWriteGuard<ServiceSlot> {
        self.service.clone().write_owned().await
    }

    /// The running service, waiting while it starts.
    pub async fn service(&self) -> Result<Arc<Service>, CommandError> {
        match &*self.service.read().await {
            ServiceSlot::Ready(service) => Ok(service.clone()),
            ServiceSlot::Failed(error) => Err(error.clone()),
            ServiceSlot::Starting => Err(CommandError::new(
                agenda_core::ErrorKind::Internal,
                "Il servizio non è ancora avviato. Attendere qualche secondo e riprovare.",
            )),
        }
    }

    /// The running service if it is ready now, without waiting.
    pub fn service_now(&self) -> Option<Arc<Service>> {
        match &*self.service.try_read().ok()? {
            ServiceSlot::Ready(service) => Some(service.clone()),
            _ => None,
        }
    }

    /// The application layer of the running service; refused with `screen_locked` while the
    /// screen is locked, so no command reads or writes personal data behind the lock.
    pub async fn desk(&self) -> Result<DeskHandle, CommandError> {
        if self.is_locked() {
            return Err(CommandError::new(
                agenda_core::ErrorKind::ScreenLocked,
                "Schermo bloccato per inattività: inserire la password per continuare.",
            ));
        }
        self.desk_even_locked().await
    }

    /// The application layer, also while the screen is locked: for the lock itself, Esci
    /// ("Cambia operatore"), the session and the outbox's counts.
    pub async fn desk_even_locked(&self) -> Result<DeskHandle, CommandError> {
        Ok(self.service().await?.desk.clone())
    }

    /// Whether the screen is locked.
    pub fn is_locked(&self) -> bool {
        self.locked.load(Ordering::SeqCst)
    }

    /// Counts a wrong password at the lock (`true`, returning the failures in a row) or
    /// starts the count again (`false`, returning 0).
    pub fn unlock_failures(&self, failed: bool) -> u32 {
        if failed {
            self.unlock_failures
                .fetch_add(1, Ordering::SeqCst)
                .saturating_add(1)
        } else {
            self.unlock_failures.store(0, Ordering::SeqCst);
            0
        }
    }

    /// Locks or unlocks the screen.
    pub fn set_locked(&self, locked: bool) {
        self.locked.store(locked, Ordering::SeqCst);
    }

    /// The environment: the running service's, or the configured one while starting.
    pub fn environment(&self) -> Environment {
        if let Some(service) = self.service_now() {
            return service.environment.clone();
        }
        match &self.options.service_url {
            Some(url) => Environment::Remote {
                base_url: url.clone(),
            },
            None => Environment::EmbeddedSandbox,
        }
    }

    /// The *utente selezionato*.
    pub fn selected(&self) -> Option<Contributor> {
        lock(&self.selected).clone()
    }

    /// Sets (or clears) the *utente selezionato*.
    pub fn set_selected(&self, contributor: Option<Contributor>) {
        *lock(&self.selected) = contributor;
    }

    /// Records that the UI is interactive: writes the Unix time in milliseconds to the ready
    /// file, if one was asked for.
    pub fn mark_ui_ready(&self) -> std::io::Result<()> {
        let Some(path) = &self.options.ready_file else {
            return Ok(());
        };
        let millis = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or_default();
        std::fs::write(path, millis.to_string())
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
