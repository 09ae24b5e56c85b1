//! Starting the service the app talks to — the embedded sandbox or a remote one — and the
//! agenda facade bound to it; the background sync loop.

use crate::error::{capitalise, CommandError};
use crate::state::{AppState, Environment, ServiceSlot};
use agenda_client::app::DeskHandle;
use agenda_client::{Agenda, ApiClient, BaseUrl, ClientConfig, KeyringTokenStore, OperatorStores};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::OwnedRwLockWriteGuard;

/// A running service: where it is and the application layer bound to it.
pub struct Service {
    /// Which service this is.
    pub environment: Environment,
    /// The workflows: the real [`Agenda`], or a test's fake.
    pub desk: DeskHandle,
    /// The embedded sandbox, when that is the service (stopped on drop).
    pub(crate) sandbox: Option<agenda_sandbox::ServerHandle>,
}

/// The keychain account of the embedded sandbox's session: fixed, because the sandbox's
/// port changes from run to run while its database (and so the session) persists.
const EMBEDDED_TOKEN_ACCOUNT: &str = "session:embedded-sandbox";

/// The name of the embedded sandbox in operator scopes (its port changes between runs).
const EMBEDDED_SERVICE: &str = "embedded-sandbox";

/// Starts the service chosen by `service_url` (`None`: the embedded sandbox) with its data
/// under `data_dir`, and puts it (or the reason it failed) into `slot`.
pub(crate) async fn start(
    state: &AppState,
    data_dir: PathBuf,
    service_url: Option<String>,
    mut slot: OwnedRwLockWriteGuard<ServiceSlot>,
) {
    // A restart first stops the old service, so the sandbox's database is closed.
    if let ServiceSlot::Ready(old) = std::mem::replace(&mut *slot, ServiceSlot::Starting) {
        if let Ok(old) = Arc::try_unwrap(old) {
            if let Some(handle) = old.sandbox {
                let _ = handle.shutdown().await;
            }
        }
    }
    state.set_selected(None);
    *slot = match open(state, &data_dir, service_url).await {
        Ok(service) => {
            tracing::info!(environment = ?service.environment, "service ready");
            ServiceSlot::Ready(Arc::new(service))
        }
        Err(error) => {
            tracing::error!(kind = %error.kind, "the service could not start");
            ServiceSlot::Failed(error)
        }
    };
}

async fn open(
    state: &AppState,
    data_dir: &Path,
    service_url: Option<String>,
) -> Result<Service, CommandError> {
    match service_url {
        None => {
            let dir = data_dir.join("sandbox");
            agenda_client::files::private_dir(&dir)
                .map_err(|e| CommandError::internal("creating the sandbox folder", e))?;
            let mut config = agenda_sandbox::Config::new(dir.join("sandbox.db"));
            config.seed_demo = true;
            if let Some(ttl) = state.options.sandbox_hold_ttl {
                config.hold_ttl = ttl;
            }
            let listen = state
                .options
                .sandbox_listen
                .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0)));
            // Its own runtime: a slow disk under the sandbox never stalls the app's commands.
            let (addr, handle) = agenda_sandbox::spawn_dedicated(config, listen, 1)
                .await
                .map_err(|e| CommandError::internal("starting the embedded sandbox", e))?;
            tracing::info!(%addr, "embedded sandbox listening");
            let base_url = BaseUrl::parse(&format!("http://{addr}"))
                .map_err(|e| CommandError::internal("the sandbox address", e))?;
            let agenda = open_agenda(
                base_url,
                &data_dir.join("store-sandbox"),
                EMBEDDED_SERVICE,
                || KeyringTokenStore::new(EMBEDDED_TOKEN_ACCOUNT),
            )?;
            Ok(Service {
                environment: Environment::EmbeddedSandbox,
                desk: Arc::new(agenda),
                sandbox: Some(handle),
            })
        }
        Some(url) => {
            let base_url = BaseUrl::parse(&url).map_err(|e| {
                CommandError::new(
                    agenda_core::ErrorKind::InvalidBaseUrl,
                    capitalise(&e.to_string()),
                )
            })?;
            let store_dir = data_dir.join(format!("store-{}", folder_name(&base_url)));
            let account = agenda_client::keychain::refresh_token_account(&base_url);
            let service = base_url.to_string();
            let agenda = open_agenda(base_url.clone(), &store_dir, &service, || {
                KeyringTokenStore::new(&account)
            })?;
            Ok(Service {
                environment: Environment::Remote {
                    base_url: base_url.to_string(),
                },
                desk: Arc::new(agenda),
                sandbox: None,
            })
        }
    }
}

/// The agenda of one service: its session's token in the keychain, and one local store
/// per operator below `store_dir` (opened at sign-in, closed at Esci).
fn open_agenda(
    base_url: BaseUrl,
    store_dir: &Path,
    service: &str,
    tokens: impl FnOnce() -> Result<KeyringTokenStore, agenda_client::KeychainError>,
) -> Result<Agenda, CommandError> {
    let keychain = |e: agenda_client::KeychainError| {
        CommandError::new(agenda_core::ErrorKind::of(e.code(), None), e.to_string())
    };
    // Keychain calls go over D-Bus (or to the OS's credential service): off the workers.
    agenda_client::blocking(agenda_client::keychain::ensure_persistent).map_err(keychain)?;
    let tokens = agenda_client::blocking(tokens).map_err(keychain)?;
    agenda_client::files::private_dir(store_dir)
        .map_err(|e| CommandError::internal("creating the data folder", e))?;
    let client = ApiClient::new(ClientConfig::new(base_url), Arc::new(tokens))
        .map_err(|e| CommandError::from(agenda_client::AgendaError::from(e)))?;
    let stores = OperatorStores::in_keychain(store_dir, service);
    Ok(Agenda::for_operators(client, Arc::new(stores)))
}

/// A folder name for a service's local store: its host and port, nothing else.
fn folder_name(base_url: &BaseUrl) -> String {
    base_url
        .to_string()
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Every `period`, sends what waits in the outbox (which also tells whether the service is
/// reachable). Runs for the life of the app.
pub async fn sync_loop<R: tauri::Runtime>(app: tauri::AppHandle<R>, period: Duration) {
    use tauri::Manager;
    let mut ticker = tokio::time::interval(period);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        let Some(service) = app.state::<AppState>().service_now() else {
            continue;
        };
        let desk = &service.desk;
        let status = desk.status().await.ok();
        let offline = status.as_ref().is_some_and(|s| s.online == Some(false));
        let queued = status.map_or(0, |s| s.queued_bookings);
        if queued > 0 {
            if let Err(error) = desk.sync_outbox().await {
                tracing::debug!(code = error.code(), "outbox not sent yet");
            }
        } else if offline {
            // A cheap read tells whether the service is back.
            let _ = desk.ping().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_folder_is_named_after_host_and_port_only() {
        let url = BaseUrl::parse("https://agenda.example.it:8443/api").unwrap();
        let name = folder_name(&url);
        assert!(name.starts_with("agenda.example.it_8443"), "{name}");
        assert!(name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_'));
    }
}
