//! One desk PC, several operators: each operator's drafts, outbox and caches are theirs
//! alone (own folder, own data key in the real keychain, owner bound into every sealed
//! value); holds follow the server's clock; files are private to the user.

use std::sync::Arc;

use agenda_client::{
    Agenda, BookingOutcome, DraftState, KeyringKeyStore, MemoryKeyStore, OperatorScope,
    OperatorStores, Secret, Store,
};
use agenda_core::AppointmentStatus;
use agenda_sandbox::seed::{DEMO_PASSWORD, DEMO_USERNAME, SECOND_PASSWORD, SECOND_USERNAME};

use crate::common::*;
use crate::proxy::FaultProxy;

/// A per-operator agenda on `url` as the app builds it: data keys in the real keychain,
/// removed again when the test ends.
pub(crate) struct DeskPc {
    pub(crate) agenda: Agenda,
    service: String,
    pub(crate) dir: TempDir,
    _keychain: Keychain,
}

impl DeskPc {
    pub(crate) fn new(config: agenda_client::ClientConfig) -> Self {
        let dir = TempDir::new();
        let keychain = Keychain::new();
        let service = random_name("test-service");
        let stores = OperatorStores::in_keychain(dir.path(), &service);
        let agenda = Agenda::for_operators(
            client_with(config, keychain.token_store()),
            Arc::new(stores),
        );
        Self {
            agenda,
            service,
            dir,
            _keychain: keychain,
        }
    }

    pub(crate) async fn sign_in(&self, username: &str, password: &str) {
        self.agenda
            .sign_in(username, &Secret::new(password))
            .await
            .unwrap_or_else(|e| panic!("{}", keychain_hint(&e)));
    }
}

impl Drop for DeskPc {
    fn drop(&mut self) {
        for operator in [DEMO_USERNAME, SECOND_USERNAME] {
            let scope = OperatorScope::new(&self.service, operator);
            if let Ok(keys) = KeyringKeyStore::with_account(&scope.key_account()) {
                let _ = keys.delete();
            }
        }
    }
}

/// The demo data as another desk sees it, straight from the sandbox: a signed-in client and
/// the communications bookable today.
pub(crate) struct Demo {
    pub(crate) direct: agenda_client::ApiClient,
    pub(crate) eligible: Vec<Eligible>,
    _keychain: Keychain,
}

impl Demo {
    pub(crate) async fn of(sandbox: &Sandbox) -> Self {
        let keychain = Keychain::new();
        let direct = signed_in(&sandbox.url(), &keychain).await;
        let eligible = eligible(&direct).await;
        Self {
            direct,
            eligible,
            _keychain: keychain,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_next_operator_starts_empty_and_the_first_finds_the_draft_intact() {
    let sandbox = Sandbox::start().await;
    let pc = DeskPc::new(config(&sandbox.url()));
    let demo = Demo::of(&sandbox).await;
    let (direct, e) = (&demo.direct, &demo.eligible[0]);
    let place = place(direct, &e.communication.topic_code).await;

    pc.sign_in(DEMO_USERNAME, DEMO_PASSWORD).await;
    let wizard = ready_wizard(e, &place, 0, "347 555 1234", NOTES);
    pc.agenda.save_draft(&wizard).unwrap();
    pc.agenda.contributors(None).await.unwrap();
    assert_eq!(pc.agenda.drafts().unwrap().len(), 1);

    pc.agenda.sign_out().await.unwrap();
    // Signed out, nothing personal can be read or written.
    assert_eq!(pc.agenda.drafts().unwrap_err().code(), "session_required");
    assert_eq!(
        pc.agenda.save_draft(&wizard).unwrap_err().code(),
        "session_required"
    );
    assert_eq!(pc.agenda.status().unwrap().queued_bookings, 0);

    pc.sign_in(SECOND_USERNAME, SECOND_PASSWORD).await;
    assert!(
        pc.agenda.drafts().unwrap().is_empty(),
        "the second operator sees no draft"
    );
    assert!(pc
        .agenda
        .draft(&e.fiscal_code, &e.communication.id)
        .unwrap()
        .is_none());
    let store = pc.agenda.store().unwrap();
    assert!(
        store.contributor(&e.fiscal_code).unwrap().is_none(),
        "no cached contributor"
    );
    drop(store);
    pc.agenda.sign_out().await.unwrap();

    pc.sign_in(DEMO_USERNAME, DEMO_PASSWORD).await;
    let drafts = pc.agenda.drafts().unwrap();
    assert_eq!(drafts.len(), 1);
    assert_eq!(drafts[0].wizard, wizard);
    // Two folders, named by hash: no operator's name on disk.
    let folders: Vec<String> = std::fs::read_dir(pc.dir.path().join("operators"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(folders.len(), 2, "{folders:?}");
    assert!(folders
        .iter()
        .all(|f| !f.contains("demo") && !f.contains("formazione")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_booking_queued_by_one_operator_waits_while_another_is_signed_in() {
    let sandbox = Sandbox::start().await;
    let proxy = FaultProxy::start(sandbox.addr).await;
    let pc = DeskPc::new(config(&proxy.url()));
    let demo = Demo::of(&sandbox).await;
    let (direct, e) = (&demo.direct, &demo.eligible[0]);
    let place = place(direct, &e.communication.topic_code).await;

    pc.sign_in(DEMO_USERNAME, DEMO_PASSWORD).await;
    pc.agenda
        .save_draft(&ready_wizard(e, &place, 0, "347 555 1234", NOTES))
        .unwrap();
    proxy.go_offline().await;
    let outcome = pc
        .agenda
        .book(&e.fiscal_code, &e.communication.id)
        .await
        .unwrap();
    assert!(
        matches!(outcome, BookingOutcome::Queued { .. }),
        "{outcome:?}"
    );
    // Esci while offline: the session ends here, the queued booking stays with its operator.
    pc.agenda.sign_out().await.unwrap();
    proxy.go_online().await;

    pc.sign_in(SECOND_USERNAME, SECOND_PASSWORD).await;
    assert_eq!(pc.agenda.status().unwrap().queued_bookings, 0);
    let report = pc.agenda.sync_outbox().await.unwrap();
    assert!(report.outcomes.is_empty(), "{report:?}");
    assert!(
        live_appointments(direct, e).await.is_empty(),
        "nothing was sent under the second operator's session"
    );
    assert_eq!(proxy.count("POST", "/bookings"), 0);
    pc.agenda.sign_out().await.unwrap();

    pc.sign_in(DEMO_USERNAME, DEMO_PASSWORD).await;
    assert_eq!(pc.agenda.status().unwrap().queued_bookings, 1);
    let report = pc.agenda.sync_outbox().await.unwrap();
    assert!(
        matches!(report.outcomes.as_slice(), [BookingOutcome::Held { .. }]),
        "{report:?}"
    );
    let live = live_appointments(direct, e).await;
    assert_eq!(live.len(), 1);
    assert_eq!(live[0].status, AppointmentStatus::Prenotato);
}

#[test]
fn rows_of_one_operator_cannot_be_opened_under_another_operators_context() {
    let dir = TempDir::new();
    let keys = MemoryKeyStore::new();
    let demo = OperatorScope::new("embedded-sandbox", "demo");
    let other = OperatorScope::new("embedded-sandbox", "formazione");
    Store::open_for(dir.path(), &keys, &demo.owner()).unwrap();
    // Same file, same key, another operator: refused, nothing readable.
    let err = Store::open_for(dir.path(), &keys, &other.owner()).unwrap_err();
    assert_eq!(err.code(), "data_key_mismatch");
    Store::open_for(dir.path(), &keys, &demo.owner()).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_sealed_rows_swapped_in_the_file_do_not_open() {
    let sandbox = Sandbox::start().await;
    let demo = Demo::of(&sandbox).await;
    let (first, second) = (&demo.eligible[0], &demo.eligible[1]);
    let place_a = place(&demo.direct, &first.communication.topic_code).await;
    let place_b = place(&demo.direct, &second.communication.topic_code).await;

    let dir = TempDir::new();
    let keys = MemoryKeyStore::new();
    let owner = OperatorScope::new("svc", "demo").owner();
    let store = Store::open_for(dir.path(), &keys, &owner).unwrap();
    store
        .save_draft(&ready_wizard(first, &place_a, 0, "347 555 1234", NOTES))
        .unwrap();
    store
        .save_draft(&ready_wizard(second, &place_b, 1, "347 555 9999", NOTES))
        .unwrap();
    assert_eq!(store.drafts().unwrap().len(), 2);
    let path = store.path().to_owned();
    drop(store);

    // Someone with the file swaps the sealed bodies of the two drafts.
    let conn = rusqlite::Connection::open(&path).unwrap();
    let rows: Vec<(i64, Vec<u8>)> = conn
        .prepare("SELECT rowid, sealed FROM drafts ORDER BY rowid")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(rows.len(), 2);
    conn.execute(
        "UPDATE drafts SET sealed = ?1 WHERE rowid = ?2",
        rusqlite::params![rows[1].1, rows[0].0],
    )
    .unwrap();
    conn.execute(
        "UPDATE drafts SET sealed = ?1 WHERE rowid = ?2",
        rusqlite::params![rows[0].1, rows[1].0],
    )
    .unwrap();
    drop(conn);

    let store = Store::open_for(dir.path(), &keys, &owner).unwrap();
    let err = store.drafts().unwrap_err();
    assert_eq!(err.code(), "store_damaged", "{err}");
}

#[cfg(unix)]
#[test]
fn the_data_folder_and_database_files_are_private_to_the_user() {
    use std::os::unix::fs::PermissionsExt;
    let root = TempDir::new();
    let scope = OperatorScope::new("svc", "demo");
    let store = Store::open_for(
        &scope.folder(root.path()),
        &MemoryKeyStore::new(),
        &scope.owner(),
    )
    .unwrap();
    store.topics().unwrap();
    let dir = store.path().parent().unwrap().to_owned();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700, "{}", dir.display());
    for name in ["agenda.sqlite3", "agenda.sqlite3-wal", "agenda.sqlite3-shm"] {
        let file = dir.join(name);
        assert!(file.exists(), "{name} exists in WAL mode");
        assert_eq!(mode(&file), 0o600, "{name}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hold_follows_the_servers_clock_when_the_pcs_clock_is_two_hours_ahead() {
    let sandbox = Sandbox::start().await;
    let mut skewed = config(&sandbox.url());
    skewed.local_clock_skew = chrono::TimeDelta::hours(2);
    let pc = DeskPc::new(skewed);
    let demo = Demo::of(&sandbox).await;
    let (direct, e) = (&demo.direct, &demo.eligible[0]);
    let place = place(direct, &e.communication.topic_code).await;

    pc.sign_in(DEMO_USERNAME, DEMO_PASSWORD).await;
    let offset = pc
        .agenda
        .client()
        .server_clock_offset()
        .expect("measured from Date");
    assert!(
        (offset + chrono::TimeDelta::hours(2)).abs() <= chrono::TimeDelta::seconds(3),
        "offset {offset}"
    );
    pc.agenda
        .save_draft(&ready_wizard(e, &place, 0, "347 555 1234", NOTES))
        .unwrap();
    let outcome = pc
        .agenda
        .book(&e.fiscal_code, &e.communication.id)
        .await
        .unwrap();
    let BookingOutcome::Held { appointment } = outcome else {
        panic!("held expected, got {outcome:?}");
    };
    // On the PC's own clock the ten-minute hold ended long ago; on the server's it has not.
    let expires = appointment.hold_expires_at.unwrap();
    assert!(expires < pc.agenda.client().local_now());
    assert!(expires > pc.agenda.client().server_now());
    let draft = pc
        .agenda
        .draft(&e.fiscal_code, &e.communication.id)
        .unwrap()
        .unwrap();
    assert!(matches!(draft.state, DraftState::Held { .. }), "{draft:?}");
    let confirmed = pc.agenda.confirm(&appointment.id).await.unwrap();
    assert_eq!(confirmed.status, AppointmentStatus::Confermato);
}
