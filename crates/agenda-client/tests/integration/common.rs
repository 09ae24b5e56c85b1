//! Shared fixtures: a real sandbox on loopback, real keychain entries, and the way to a
//! bookable slot in the demo data.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use agenda_client::{
    Agenda, ApiClient, BaseUrl, BookingRequest, ClientConfig, Communication, KeyringKeyStore,
    KeyringTokenStore, RetryPolicy, Secret, SlotQuery, Store, TokenStore,
};
use agenda_core::wizard::{PointOption, SlotOption};
use agenda_core::{FiscalCode, Notes, PhoneNumber, Wizard, WizardAction, WizardContext};
use agenda_sandbox::seed::{DEMO_PASSWORD, DEMO_USERNAME};
use agenda_sandbox::{AppState, Config, ServerHandle};
use chacha20poly1305::aead::rand_core::RngCore;

/// Random lower-case hex, for unique names.
pub fn random_name(prefix: &str) -> String {
    let mut bytes = [0u8; 6];
    chacha20poly1305::aead::OsRng.fill_bytes(&mut bytes);
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{prefix}-{hex}")
}

/// A fresh folder, removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new() -> Self {
        let path = std::env::temp_dir().join(random_name("agenda-client-it"));
        std::fs::create_dir_all(&path).unwrap();
        Self(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Says clearly why keychain tests cannot run, instead of skipping them.
pub fn keychain_hint(error: &dyn std::fmt::Display) -> String {
    format!(
        "the keychain tests need a Secret Service (gnome-keyring) in a D-Bus session: run \
         `dbus-run-session -- bash -c 'echo -n ci-pass | gnome-keyring-daemon --unlock \
         --components=secrets >/dev/null; XDG_DATA_HOME=$(mktemp -d) cargo test -p \
         agenda-client'`. Error: {error}"
    )
}

/// Keychain entries of one test (data key and refresh token), deleted on drop.
pub struct Keychain {
    pub key_account: String,
    pub token_account: String,
}

impl Keychain {
    pub fn new() -> Self {
        Self {
            key_account: random_name("test-data-key"),
            token_account: random_name("test-refresh-token"),
        }
    }

    pub fn key_store(&self) -> KeyringKeyStore {
        KeyringKeyStore::with_account(&self.key_account)
            .unwrap_or_else(|e| panic!("{}", keychain_hint(&e)))
    }

    pub fn token_store(&self) -> Arc<KeyringTokenStore> {
        Arc::new(
            KeyringTokenStore::new(&self.token_account)
                .unwrap_or_else(|e| panic!("{}", keychain_hint(&e))),
        )
    }
}

impl Drop for Keychain {
    fn drop(&mut self) {
        let _ = self.key_store().delete();
        let _ = self.token_store().delete();
    }
}

/// A sandbox with the demo data on a free loopback port, its database in a temp folder.
pub struct Sandbox {
    pub addr: SocketAddr,
    pub state: AppState,
    handle: Option<ServerHandle>,
    _dir: TempDir,
}

impl Sandbox {
    pub async fn start() -> Self {
        Self::with_hold_ttl(Duration::from_secs(600)).await
    }

    pub async fn with_hold_ttl(hold_ttl: Duration) -> Self {
        let dir = TempDir::new();
        let config = Config {
            db_path: dir.path().join("sandbox.db"),
            hold_ttl,
            seed_demo: true,
            durable: false,
        };
        let state = agenda_sandbox::open_state(&config).await.unwrap();
        let (addr, handle) =
            agenda_sandbox::spawn_with_state(state.clone(), "127.0.0.1:0".parse().unwrap())
                .await
                .unwrap();
        Self {
            addr,
            state,
            handle: Some(handle),
            _dir: dir,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        // Dropping the handle stops the server.
        self.handle.take();
    }
}

/// Retries with tiny waits, so tests stay fast.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 5,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(50),
        max_retry_after: Duration::from_secs(2),
    }
}

pub fn config(url: &str) -> ClientConfig {
    let mut config = ClientConfig::new(BaseUrl::parse(url).unwrap());
    config.retry = fast_retry();
    config.connect_timeout = Duration::from_secs(2);
    config.request_timeout = Duration::from_secs(5);
    config
}

/// A client for `url` with its refresh token in the real keychain.
pub fn client(url: &str, keychain: &Keychain) -> ApiClient {
    client_with(config(url), keychain.token_store())
}

pub fn client_with(config: ClientConfig, tokens: Arc<dyn TokenStore>) -> ApiClient {
    ApiClient::new(config, tokens).unwrap()
}

/// A signed-in client (demo operator).
pub async fn signed_in(url: &str, keychain: &Keychain) -> ApiClient {
    let client = client(url, keychain);
    client
        .sign_in(DEMO_USERNAME, &Secret::new(DEMO_PASSWORD))
        .await
        .unwrap();
    client
}

/// An `Agenda` on `url` with a store in `dir`, both keys in the real keychain, signed in.
pub async fn agenda(url: &str, dir: &Path, keychain: &Keychain) -> Agenda {
    let agenda = agenda_signed_out(config(url), dir, keychain);
    agenda
        .sign_in(DEMO_USERNAME, &Secret::new(DEMO_PASSWORD))
        .await
        .unwrap();
    agenda
}

pub fn agenda_signed_out(config: ClientConfig, dir: &Path, keychain: &Keychain) -> Agenda {
    let store =
        Store::open(dir, &keychain.key_store()).unwrap_or_else(|e| panic!("{}", keychain_hint(&e)));
    let client = client_with(config, keychain.token_store());
    Agenda::with_parts(client, Arc::new(store))
}

/// A communication the demo operator may book now, with its contributor.
#[derive(Debug, Clone)]
pub struct Eligible {
    pub fiscal_code: FiscalCode,
    pub communication: Communication,
}

/// Every communication the demo operator may book today.
pub async fn eligible(client: &ApiClient) -> Vec<Eligible> {
    let mut out = Vec::new();
    for contributor in client.all_contributors(None).await.unwrap() {
        for communication in client
            .all_communications(&contributor.fiscal_code)
            .await
            .unwrap()
        {
            if communication.appointment_request.allowed {
                out.push(Eligible {
                    fiscal_code: contributor.fiscal_code.clone(),
                    communication,
                });
            }
        }
    }
    assert!(out.len() >= 3, "the demo data has eligible communications");
    out
}

/// Two eligible communications on the same topic (so they can compete for one slot).
pub fn pair_on_one_topic(eligible: &[Eligible]) -> (&Eligible, &Eligible) {
    for (i, first) in eligible.iter().enumerate() {
        if let Some(second) = eligible[i + 1..]
            .iter()
            .find(|e| e.communication.topic_code == first.communication.topic_code)
        {
            return (first, second);
        }
    }
    panic!("the demo data has two eligible communications on one topic");
}

/// A point, office and free slots for a topic.
#[derive(Debug, Clone)]
pub struct Place {
    pub point: agenda_client::ConsultationPoint,
    pub office: String,
    pub slots: Vec<agenda_client::Slot>,
}

/// An in-person consultation point of the topic with free slots in the next weeks.
pub async fn place(client: &ApiClient, topic: &str) -> Place {
    let points = client.consultation_points(Some(topic), None).await.unwrap();
    for point in points {
        let Some(office) = point.office_code.clone() else {
            continue;
        };
        let today = chrono::Utc::now().date_naive();
        let slots = client
            .slots(&SlotQuery {
                office: office.clone(),
                consultation_point: point.code.clone(),
                topic: Some(topic.to_owned()),
                from: Some(today),
                to: Some(today + chrono::Days::new(30)),
            })
            .await
            .unwrap();
        let free: Vec<_> = slots.into_iter().filter(|s| s.available).collect();
        if free.len() >= 3 {
            return Place {
                point,
                office,
                slots: free,
            };
        }
    }
    panic!("no consultation point with free slots for topic {topic}");
}

pub fn phone() -> PhoneNumber {
    PhoneNumber::parse("+39 347 555 1234").unwrap()
}

pub const NOTES: &str = "Il contribuente chiede chiarimenti sui contributi IVS del 2025";

/// The booking body for a communication at a slot.
pub fn booking(e: &Eligible, place: &Place, slot: usize) -> BookingRequest {
    BookingRequest {
        communication_id: e.communication.id.clone(),
        fiscal_code: e.fiscal_code.clone(),
        topic_code: e.communication.topic_code.clone(),
        consultation_point: place.point.code.clone(),
        office_code: place.office.clone(),
        slot_start: agenda_client::wire::format_timestamp(&place.slots[slot].start),
        phone: phone(),
        notes: Notes::parse(NOTES).unwrap(),
    }
}

/// A wizard walked to *Pronto* for a communication at a slot, as the shell would.
pub fn ready_wizard(e: &Eligible, place: &Place, slot: usize, phone: &str, notes: &str) -> Wizard {
    let start = agenda_client::wire::format_timestamp(&place.slots[slot].start);
    let ctx = WizardContext {
        points: vec![PointOption {
            code: place.point.code.clone(),
            channel: place.point.channel,
            office_code: place.point.office_code.clone(),
        }],
        offices: vec![place.office.clone()],
        slots: vec![SlotOption {
            office_code: place.office.clone(),
            point_code: place.point.code.clone(),
            start,
        }],
    };
    let mut wizard = Wizard::new(
        e.fiscal_code.clone(),
        e.communication.id.parse().unwrap(),
        e.communication.topic_code.parse().unwrap(),
    );
    let actions = vec![
        WizardAction::ChoosePoint {
            code: place.point.code.clone(),
            channel: place.point.channel,
            office_code: place.point.office_code.clone(),
        },
        WizardAction::Next,
        WizardAction::ChooseOffice {
            code: place.office.clone(),
        },
        WizardAction::Next,
        WizardAction::ChooseSlot {
            start: ctx.slots[0].start.clone(),
        },
        WizardAction::Next,
        WizardAction::SetPhone(phone.to_owned()),
        WizardAction::SetNotes(notes.to_owned()),
        WizardAction::Next,
    ];
    for action in actions {
        let name = format!("{action:?}");
        // Some steps are skipped when a choice implies the next one (e.g. the point's own
        // office); a refused `Next`/`ChooseOffice` there is fine.
        if let Err(e) = wizard.apply(action, &ctx) {
            assert!(
                matches!(e.code(), "wrong_step"),
                "wizard refused {name}: {e}"
            );
        }
    }
    assert_eq!(wizard.step(), agenda_core::Step::Pronto, "{wizard:?}");
    wizard
}

/// Live (`prenotato` or `confermato`) appointments of a communication, as the service says.
pub async fn live_appointments(
    client: &ApiClient,
    e: &Eligible,
) -> Vec<agenda_client::Appointment> {
    client
        .all_appointments(&e.fiscal_code, &Default::default())
        .await
        .unwrap()
        .into_iter()
        .filter(|a| a.communication_id == e.communication.id && a.status.is_live())
        .collect()
}

/// Reads an HTTP request's head and as much body as it declares (test servers on
/// loopback); `None` if the client went away.
pub async fn read_request(stream: &mut tokio::net::TcpStream) -> Option<String> {
    let mut request = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        let n = tokio::io::AsyncReadExt::read(stream, &mut buf).await.ok()?;
        if n == 0 {
            return None;
        }
        request.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&request);
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .and_then(|v| v.trim().parse::<usize>().ok())
                })
                .unwrap_or(0);
            if request.len() >= end + 4 + length {
                return Some(String::from_utf8_lossy(&request).into_owned());
            }
        }
    }
}
