//! Unit tests of the store against a real SQLite file in a temporary folder.

use super::*;
use crate::keychain::MemoryKeyStore;
use agenda_core::{
    AppointmentStatus, Channel, DeskFields, Notes, PhoneNumber, WizardAction, WizardContext,
};
use chrono::FixedOffset;

/// A fresh folder under the system temp dir, removed on drop.
pub(crate) struct TempDir(PathBuf);

impl TempDir {
    pub(crate) fn new() -> Self {
        let mut bytes = [0u8; 8];
        chacha20poly1305::aead::rand_core::RngCore::fill_bytes(
            &mut chacha20poly1305::aead::OsRng,
            &mut bytes,
        );
        let path = std::env::temp_dir().join(format!("agenda-client-test-{}", hex(&bytes)));
        std::fs::create_dir_all(&path).unwrap();
        Self(path)
    }

    pub(crate) fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const FC: &str = "RSSMRA85T10A562S";

fn fc() -> FiscalCode {
    FiscalCode::parse(FC).unwrap()
}

fn ts(text: &str) -> Timestamp {
    DateTime::parse_from_rfc3339(text).unwrap()
}

fn appointment(n: u8, start: &str, status: AppointmentStatus) -> Appointment {
    let start = ts(start);
    Appointment {
        id: AppointmentId::from_random([n; 8]),
        communication_id: format!("COM-{n}"),
        fiscal_code: fc(),
        topic_code: "contributi".to_owned(),
        consultation_point: "RM01-SPORTELLO".to_owned(),
        channel: Channel::InPresenza,
        office_code: "RM01".to_owned(),
        start,
        end: start + chrono::Duration::minutes(30),
        phone: PhoneNumber::parse("333 765 4321").unwrap(),
        notes: Notes::parse(&format!("nota segreta {n}")).unwrap(),
        status,
        hold_expires_at: None,
        created_at: ts("2026-11-20T10:00:00+01:00"),
        updated_at: ts("2026-11-20T10:00:00+01:00"),
        provenance: Default::default(),
    }
}

fn wizard(communication: &str, phone: &str, notes: &str) -> Wizard {
    let mut wizard = Wizard::new(
        fc(),
        communication.parse().unwrap(),
        "contributi".parse().unwrap(),
    );
    let ctx = WizardContext::default();
    wizard
        .apply(WizardAction::SetPhone(phone.to_owned()), &ctx)
        .unwrap();
    wizard
        .apply(WizardAction::SetNotes(notes.to_owned()), &ctx)
        .unwrap();
    wizard
}

fn booking(communication: &str) -> BookingRequest {
    BookingRequest {
        communication_id: communication.to_owned(),
        fiscal_code: fc(),
        topic_code: "contributi".to_owned(),
        consultation_point: "RM01-SPORTELLO".to_owned(),
        office_code: "RM01".to_owned(),
        slot_start: "2026-12-03T09:30:00+01:00".to_owned(),
        phone: PhoneNumber::parse("3331234567").unwrap(),
        notes: Notes::parse("nota").unwrap(),
    }
}

fn open(dir: &TempDir, keys: &MemoryKeyStore) -> Store {
    Store::open(dir.path(), keys).unwrap()
}

#[test]
fn a_new_store_is_migrated_to_the_latest_schema_and_reopens_unchanged() {
    let dir = TempDir::new();
    let keys = MemoryKeyStore::new();
    let store = open(&dir, &keys);
    assert_eq!(store.schema_version().unwrap(), MIGRATIONS.len() as u32);
    store.save_draft(&wizard("COM-1", "333", "n")).unwrap();
    drop(store);
    let store = open(&dir, &keys);
    assert_eq!(store.schema_version().unwrap(), MIGRATIONS.len() as u32);
    assert!(store.draft(&fc(), "COM-1").unwrap().is_some());
}

#[test]
fn the_file_runs_in_wal_mode_with_full_sync() {
    let dir = TempDir::new();
    let store = open(&dir, &MemoryKeyStore::new());
    let conn = store.conn.lock().unwrap();
    let mode: String = conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    let sync: i64 = conn
        .pragma_query_value(None, "synchronous", |r| r.get(0))
        .unwrap();
    assert_eq!((mode.as_str(), sync), ("wal", 2));
}

#[test]
fn a_version_1_store_is_migrated_and_its_history_refetched() {
    let dir = TempDir::new();
    let keys = MemoryKeyStore::new();
    {
        let conn = Connection::open(dir.path().join(FILE_NAME)).unwrap();
        conn.execute_batch(MIGRATIONS[0]).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        conn.execute(
            "INSERT INTO sync_marks (dataset, synced_at) VALUES ('appointments:x', '2026-11-01T00:00:00Z'), ('topics', '2026-11-01T00:00:00Z')",
            [],
        )
        .unwrap();
    }
    let store = open(&dir, &keys);
    assert_eq!(store.schema_version().unwrap(), MIGRATIONS.len() as u32);
    let marks: Vec<String> = {
        let conn = store.conn.lock().unwrap();
        let mut stmt = conn.prepare("SELECT dataset FROM sync_marks").unwrap();
        let rows = stmt
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        rows
    };
    assert_eq!(marks, vec!["topics".to_owned()]);
    let a = appointment(
        1,
        "2026-12-01T09:00:00+01:00",
        AppointmentStatus::Confermato,
    );
    store.upsert_appointment(&a).unwrap();
    assert_eq!(store.appointment(&a.id).unwrap(), Some(a));
}

#[test]
fn a_store_from_a_newer_app_is_refused() {
    let dir = TempDir::new();
    let keys = MemoryKeyStore::new();
    drop(open(&dir, &keys));
    let conn = Connection::open(dir.path().join(FILE_NAME)).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    let err = Store::open(dir.path(), &keys).unwrap_err();
    assert!(matches!(err, StoreError::TooNew { found: 99, .. }), "{err}");
    assert!(err.to_string().contains("aggiornare l'applicazione"));
}

#[test]
fn the_first_open_creates_a_key_in_the_key_store() {
    let dir = TempDir::new();
    let keys = MemoryKeyStore::new();
    assert!(keys.load().unwrap().is_none());
    open(&dir, &keys);
    assert!(keys.load().unwrap().is_some());
}

#[test]
fn a_store_whose_key_vanished_is_refused_with_instructions() {
    let dir = TempDir::new();
    open(&dir, &MemoryKeyStore::new());
    let err = Store::open(dir.path(), &MemoryKeyStore::new()).unwrap_err();
    assert_eq!(err.code(), "data_key_missing");
    assert!(err.to_string().contains("portachiavi"), "{err}");
}

#[test]
fn a_store_opened_with_another_key_is_refused() {
    let dir = TempDir::new();
    open(&dir, &MemoryKeyStore::new());
    let other = MemoryKeyStore::new();
    other.store(&DataKey::generate()).unwrap();
    let err = Store::open(dir.path(), &other).unwrap_err();
    assert_eq!(err.code(), "data_key_mismatch");
}

#[test]
fn a_keychain_that_fails_stops_the_open_without_writing_anything() {
    struct Broken;
    impl KeyStore for Broken {
        fn load(&self) -> Result<Option<DataKey>, KeychainError> {
            Err(KeychainError::Unavailable {
                detail: "nessun servizio".to_owned(),
            })
        }
        fn store(&self, _: &DataKey) -> Result<(), KeychainError> {
            unreachable!("never asked to store after a failed load")
        }
    }
    let dir = TempDir::new();
    let err = Store::open(dir.path(), &Broken).unwrap_err();
    assert_eq!(err.code(), "keychain_unavailable");
    assert!(
        err.to_string().contains("sbloccare il portachiavi"),
        "{err}"
    );
}

#[test]
fn drafts_are_saved_with_increasing_revisions_and_read_back() {
    let dir = TempDir::new();
    let store = open(&dir, &MemoryKeyStore::new());
    assert_eq!(
        store
            .save_draft(&wizard("COM-1", "333", "a"))
            .unwrap()
            .revision,
        1
    );
    assert_eq!(
        store
            .save_draft(&wizard("COM-1", "3331", "ab"))
            .unwrap()
            .revision,
        2
    );
    store.save_draft(&wizard("COM-2", "06", "x")).unwrap();
    let draft = store.draft(&fc(), "COM-1").unwrap().unwrap();
    assert_eq!(draft.wizard.phone_raw(), "3331");
    assert_eq!(draft.wizard.notes_raw(), "ab");
    assert_eq!(draft.revision, 2);
    assert_eq!(draft.state, DraftState::Editing);
    assert_eq!(store.drafts().unwrap().len(), 2);
    assert_eq!(store.drafts_of(&fc()).unwrap().len(), 2);
    assert!(store.delete_draft(&fc(), "COM-2").unwrap());
    assert!(!store.delete_draft(&fc(), "COM-2").unwrap());
    assert_eq!(store.drafts().unwrap().len(), 1);
}

#[test]
fn a_queued_draft_cannot_be_edited_until_the_service_answers() {
    let dir = TempDir::new();
    let store = open(&dir, &MemoryKeyStore::new());
    store.save_draft(&wizard("COM-1", "333", "a")).unwrap();
    let key = IdempotencyKey::generate();
    let entry = store.queue_booking(&booking("COM-1"), &key).unwrap();
    assert_eq!(
        store.draft(&fc(), "COM-1").unwrap().unwrap().state,
        DraftState::Queued
    );
    assert!(matches!(
        store.save_draft(&wizard("COM-1", "333", "b")),
        Err(StoreError::DraftLocked)
    ));
    assert!(matches!(
        store.queue_booking(&booking("COM-1"), &IdempotencyKey::generate()),
        Err(StoreError::DraftLocked)
    ));
    let outbox = store.outbox().unwrap();
    assert_eq!(outbox, vec![entry.clone()]);
    store.record_attempt(entry.id, "network_error").unwrap();
    let again = &store.outbox().unwrap()[0];
    assert_eq!(again.attempts, 1);
    assert_eq!(again.last_error.as_deref(), Some("network_error"));
    assert_eq!(again.idempotency_key, key);
}

#[test]
fn a_booking_needs_a_draft() {
    let dir = TempDir::new();
    let store = open(&dir, &MemoryKeyStore::new());
    assert!(matches!(
        store.queue_booking(&booking("COM-9"), &IdempotencyKey::generate()),
        Err(StoreError::DraftNotFound)
    ));
}

#[test]
fn a_held_booking_leaves_the_outbox_and_locks_the_draft() {
    let dir = TempDir::new();
    let store = open(&dir, &MemoryKeyStore::new());
    store.save_draft(&wizard("COM-1", "333", "a")).unwrap();
    let entry = store
        .queue_booking(&booking("COM-1"), &IdempotencyKey::generate())
        .unwrap();
    let mut held = appointment(1, "2026-12-03T09:30:00+01:00", AppointmentStatus::Prenotato);
    held.communication_id = "COM-1".to_owned();
    held.hold_expires_at = Some(ts("2026-11-26T16:10:00+01:00"));
    store
        .resolve_held(&entry, &held, &DeskFields::default())
        .unwrap();
    assert!(store.outbox().unwrap().is_empty());
    let draft = store.draft(&fc(), "COM-1").unwrap().unwrap();
    assert_eq!(
        draft.state,
        DraftState::Held {
            appointment_id: held.id.clone(),
            hold_expires_at: held.hold_expires_at,
        }
    );
    assert_eq!(store.appointment(&held.id).unwrap(), Some(held));
    assert!(matches!(
        store.save_draft(&wizard("COM-1", "333", "b")),
        Err(StoreError::DraftLocked)
    ));
    assert!(store.reopen_draft(&fc(), "COM-1", None).unwrap());
    store.save_draft(&wizard("COM-1", "333", "b")).unwrap();
}

#[test]
fn the_desk_fields_are_kept_with_the_held_appointment_sealed() {
    let dir = TempDir::new();
    let store = open(&dir, &MemoryKeyStore::new());
    store.save_draft(&wizard("COM-1", "333", "a")).unwrap();
    let entry = store
        .queue_booking(&booking("COM-1"), &IdempotencyKey::generate())
        .unwrap();
    let mut held = appointment(1, "2026-12-03T09:30:00+01:00", AppointmentStatus::Prenotato);
    held.communication_id = "COM-1".to_owned();
    let desk = DeskFields {
        case_ref: Some("PRATICA-777".to_owned()),
    };
    store.resolve_held(&entry, &held, &desk).unwrap();
    assert_eq!(store.desk_of(&held.id).unwrap(), desk);
    let other = appointment(
        2,
        "2026-12-04T09:30:00+01:00",
        AppointmentStatus::Confermato,
    );
    assert_eq!(store.desk_of(&other.id).unwrap(), DeskFields::default());
    store.keep_desk(&fc(), &other.id, &desk).unwrap();
    let all = store.desks_of(&fc()).unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all.get(&held.id), Some(&desk));
    // Nothing entered, nothing kept.
    let third = appointment(
        3,
        "2026-12-05T09:30:00+01:00",
        AppointmentStatus::Confermato,
    );
    store
        .keep_desk(&fc(), &third.id, &DeskFields::default())
        .unwrap();
    assert_eq!(store.desks_of(&fc()).unwrap().len(), 2);
    drop(store);
    let bytes = std::fs::read(dir.path().join(FILE_NAME)).unwrap();
    assert!(!bytes.windows(11).any(|w| w == b"PRATICA-777"));
}

#[test]
fn a_refused_booking_brings_the_draft_back_with_the_alternatives() {
    let dir = TempDir::new();
    let store = open(&dir, &MemoryKeyStore::new());
    store.save_draft(&wizard("COM-1", "333", "a")).unwrap();
    let entry = store
        .queue_booking(&booking("COM-1"), &IdempotencyKey::generate())
        .unwrap();
    let problem = ReturnedProblem {
        code: "slot_taken".to_owned(),
        message: "orario già occupato".to_owned(),
        allowed_from: None,
        alternatives: vec![Slot {
            start: ts("2026-12-03T10:00:00+01:00"),
            end: ts("2026-12-03T10:30:00+01:00"),
            available: true,
        }],
        at: Utc::now(),
    };
    store.resolve_returned(&entry, &problem).unwrap();
    assert!(store.outbox().unwrap().is_empty());
    let draft = store.draft(&fc(), "COM-1").unwrap().unwrap();
    assert_eq!(draft.state, DraftState::Editing);
    assert_eq!(draft.problem, Some(problem.clone()));
    // Editing keeps the reason on screen until the next "Prenota".
    store.save_draft(&wizard("COM-1", "333", "b")).unwrap();
    assert_eq!(
        store.draft(&fc(), "COM-1").unwrap().unwrap().problem,
        Some(problem)
    );
}

#[test]
fn the_history_is_newest_first_and_filters_like_the_service() {
    let dir = TempDir::new();
    let store = open(&dir, &MemoryKeyStore::new());
    use AppointmentStatus::*;
    let list = vec![
        appointment(1, "2026-10-01T09:00:00+02:00", Svolto),
        appointment(2, "2026-11-30T23:30:00+01:00", Confermato),
        appointment(3, "2026-12-01T00:00:00+01:00", Annullato),
        appointment(4, "2026-12-15T09:00:00+01:00", Confermato),
    ];
    store.save_appointments(&fc(), &list, Utc::now()).unwrap();
    let ids = |filter: AppointmentFilter| -> Vec<String> {
        store
            .appointments(&fc(), &filter)
            .unwrap()
            .items
            .iter()
            .map(|a| a.communication_id.clone())
            .collect()
    };
    let day = |d: u32, m: u32| NaiveDate::from_ymd_opt(2026, m, d);
    let check = |filter: AppointmentFilter, expected: &[&str]| {
        assert_eq!(ids(filter.clone()), expected, "{filter:?}");
    };
    check(
        AppointmentFilter::default(),
        &["COM-4", "COM-3", "COM-2", "COM-1"],
    );
    check(
        AppointmentFilter {
            status: Some(Confermato),
            ..Default::default()
        },
        &["COM-4", "COM-2"],
    );
    // Days are Europe/Rome days: 23:30 on 30 November is still 30 November.
    check(
        AppointmentFilter {
            to: day(30, 11),
            ..Default::default()
        },
        &["COM-2", "COM-1"],
    );
    check(
        AppointmentFilter {
            from: day(1, 12),
            to: day(1, 12),
            ..Default::default()
        },
        &["COM-3"],
    );
    check(
        AppointmentFilter {
            status: Some(Confermato),
            from: day(1, 12),
            ..Default::default()
        },
        &["COM-4"],
    );
    let read = store
        .appointments(&fc(), &AppointmentFilter::default())
        .unwrap();
    assert!(read.last_synced_at.is_some());
    assert_eq!(read.items[3], list[0]);
    let other = FiscalCode::encode(
        "Verdi",
        "Luigi",
        NaiveDate::from_ymd_opt(1980, 1, 1).unwrap(),
        agenda_core::Sex::Male,
        "H501",
    )
    .unwrap();
    assert!(store
        .appointments(&other, &AppointmentFilter::default())
        .unwrap()
        .items
        .is_empty());
}

#[test]
fn a_long_history_reads_back_whole_and_in_order() {
    let dir = TempDir::new();
    let store = open(&dir, &MemoryKeyStore::new());
    use AppointmentStatus::*;
    let statuses = [
        Svolto,
        Annullato,
        Confermato,
        Scaduto,
        PrenotazioneCancellata,
    ];
    let first = ts("2019-01-07T09:00:00+01:00");
    let list: Vec<Appointment> = (0..1500u32)
        .map(|i| {
            let mut a = appointment(0, "2019-01-07T09:00:00+01:00", statuses[i as usize % 5]);
            a.id = AppointmentId::from_random(u64::from(i).to_le_bytes());
            a.start = first + chrono::Duration::hours(i64::from(i) * 29);
            a.end = a.start + chrono::Duration::minutes(30);
            a.notes = Notes::parse(&format!("{i}: {}", "nota lunga ".repeat(40))).unwrap();
            a
        })
        .collect();
    // Big enough to be decoded on several threads.
    let sealed: usize = list.iter().map(|a| a.notes.as_str().len()).sum();
    assert!(sealed > 256 * 1024);
    store.save_appointments(&fc(), &list, Utc::now()).unwrap();
    let mut expected = list.clone();
    expected.reverse();
    let read = store
        .appointments(&fc(), &AppointmentFilter::default())
        .unwrap()
        .items;
    assert_eq!(read, expected);
    let confirmed = store
        .appointments(
            &fc(),
            &AppointmentFilter {
                status: Some(Confermato),
                ..Default::default()
            },
        )
        .unwrap()
        .items;
    assert_eq!(confirmed.len(), 300);
    assert!(confirmed.windows(2).all(|w| w[0].start > w[1].start));
}

#[test]
fn saving_the_history_again_replaces_it() {
    let dir = TempDir::new();
    let store = open(&dir, &MemoryKeyStore::new());
    let a = appointment(1, "2026-12-01T09:00:00+01:00", AppointmentStatus::Prenotato);
    store
        .save_appointments(&fc(), std::slice::from_ref(&a), Utc::now())
        .unwrap();
    let mut b = a.clone();
    b.status = AppointmentStatus::Confermato;
    store.upsert_appointment(&b).unwrap();
    assert_eq!(
        store.appointment(&a.id).unwrap().unwrap().status,
        AppointmentStatus::Confermato
    );
    store.save_appointments(&fc(), &[], Utc::now()).unwrap();
    assert_eq!(store.appointment(&a.id).unwrap(), None);
}

#[test]
fn contributors_are_searched_offline_like_the_service_searches() {
    let dir = TempDir::new();
    let store = open(&dir, &MemoryKeyStore::new());
    let contributor = |code: &str, name: &str| Contributor {
        fiscal_code: FiscalCode::parse(code).unwrap(),
        display_name: name.to_owned(),
        gestione: agenda_core::Gestione::Artigiani,
        delegation: crate::wire::Delegation {
            kind: "generale".to_owned(),
            valid_until: NaiveDate::from_ymd_opt(2027, 12, 31).unwrap(),
        },
    };
    let mario = contributor(FC, "Mario Rossi");
    store
        .save_contributors(std::slice::from_ref(&mario), true, Utc::now())
        .unwrap();
    let check = |q: Option<&str>, expected: usize| {
        assert_eq!(
            store.contributors(q).unwrap().items.len(),
            expected,
            "{q:?}"
        );
    };
    check(None, 1);
    check(Some("rss"), 1);
    check(Some("ROSSI"), 1);
    check(Some("mario r"), 1);
    check(Some("A562"), 0);
    check(Some("bianchi"), 0);
    assert_eq!(store.contributor(&fc()).unwrap(), Some(mario));
    assert!(store.contributors(None).unwrap().last_synced_at.is_some());
}

#[test]
fn reference_data_is_cached_with_its_sync_time() {
    let dir = TempDir::new();
    let store = open(&dir, &MemoryKeyStore::new());
    assert_eq!(store.topics().unwrap().last_synced_at, None);
    let topics = vec![Topic {
        code: "contributi".to_owned(),
        label: "Contributi".to_owned(),
        appointment_after_days: 7,
    }];
    let at = Utc::now();
    store.save_topics(&topics, at).unwrap();
    let cached = store.topics().unwrap();
    assert_eq!(cached.items, topics);
    assert_eq!(
        cached.last_synced_at.map(|t| t.timestamp()),
        Some(at.timestamp())
    );
    assert_eq!(
        store
            .last_synced_at(&Dataset::Topics)
            .unwrap()
            .map(|t| t.timestamp()),
        Some(at.timestamp())
    );
}

#[test]
fn personal_data_never_reaches_the_file_in_clear() {
    let dir = TempDir::new();
    let store = open(&dir, &MemoryKeyStore::new());
    store
        .save_draft(&wizard(
            "COM-1",
            "347 999 8877",
            "il contribuente ha il diabete",
        ))
        .unwrap();
    let mut a = appointment(
        1,
        "2026-12-01T09:00:00+01:00",
        AppointmentStatus::Confermato,
    );
    a.notes = Notes::parse("nota segreta sul reddito").unwrap();
    store.save_appointments(&fc(), &[a], Utc::now()).unwrap();
    store.save_draft(&wizard("COM-2", "333", "n")).unwrap();
    let entry = store
        .queue_booking(&booking("COM-2"), &IdempotencyKey::generate())
        .unwrap();
    let problem = ReturnedProblem {
        code: "invalid_phone".to_owned(),
        message: "Il numero 347 999 8877 non è valido".to_owned(),
        allowed_from: None,
        alternatives: Vec::new(),
        at: Utc::now(),
    };
    store.resolve_returned(&entry, &problem).unwrap();
    assert_eq!(
        store.draft(&fc(), "COM-2").unwrap().unwrap().problem,
        Some(problem)
    );
    drop(store);
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        bytes.extend(std::fs::read(entry.unwrap().path()).unwrap());
    }
    for needle in [
        "347 999 8877",
        "3479998877",
        "diabete",
        "reddito",
        FC,
        "3337654321",
    ] {
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
            "{needle} found in clear"
        );
    }
}

#[test]
fn a_sealed_chunk_moved_under_another_key_does_not_open() {
    let dir = TempDir::new();
    let store = open(&dir, &MemoryKeyStore::new());
    let a = appointment(
        1,
        "2026-12-01T09:00:00+01:00",
        AppointmentStatus::Confermato,
    );
    let b = appointment(2, "2026-12-02T09:00:00+01:00", AppointmentStatus::Annullato);
    store
        .save_appointments(&fc(), &[a.clone(), b], Utc::now())
        .unwrap();
    store
        .conn
        .lock()
        .unwrap()
        .execute(
            "UPDATE appointment_chunks SET sealed =
                 (SELECT sealed FROM appointment_chunks WHERE status = 'confermato')
             WHERE status = 'annullato'",
            [],
        )
        .unwrap();
    let err = store
        .appointments(&fc(), &AppointmentFilter::default())
        .unwrap_err();
    assert_eq!(err.code(), "store_damaged");
    // The chunk that was not touched still opens.
    assert_eq!(store.appointment(&a.id).unwrap(), Some(a));
}

#[test]
fn a_changed_status_moves_the_personal_fields_to_the_right_chunk() {
    let dir = TempDir::new();
    let store = open(&dir, &MemoryKeyStore::new());
    let chunks = |store: &Store| -> Vec<(String, i64)> {
        let conn = store.conn.lock().unwrap();
        let mut stmt = conn
            .prepare("SELECT status, year FROM appointment_chunks ORDER BY status, year")
            .unwrap();
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        rows
    };
    let mut a = appointment(1, "2026-12-01T09:00:00+01:00", AppointmentStatus::Prenotato);
    store.upsert_appointment(&a).unwrap();
    assert_eq!(chunks(&store), vec![("prenotato".to_owned(), 2026)]);
    a.status = AppointmentStatus::Confermato;
    a.start = ts("2027-01-04T09:00:00+01:00");
    a.end = a.start + chrono::Duration::minutes(30);
    store.upsert_appointment(&a).unwrap();
    assert_eq!(chunks(&store), vec![("confermato".to_owned(), 2027)]);
    assert_eq!(store.appointment(&a.id).unwrap(), Some(a.clone()));
    let b = appointment(
        2,
        "2027-02-01T09:00:00+01:00",
        AppointmentStatus::Confermato,
    );
    store.upsert_appointment(&b).unwrap();
    assert_eq!(chunks(&store), vec![("confermato".to_owned(), 2027)]);
    let all = store
        .appointments(&fc(), &AppointmentFilter::default())
        .unwrap()
        .items;
    assert_eq!(all, vec![b, a]);
}

#[test]
fn merged_changes_land_in_their_chunks_and_move_the_sync_mark() {
    let dir = TempDir::new();
    let store = open(&dir, &MemoryKeyStore::new());
    let held = appointment(1, "2026-12-01T09:00:00+01:00", AppointmentStatus::Prenotato);
    let kept = appointment(
        2,
        "2026-12-02T09:00:00+01:00",
        AppointmentStatus::Confermato,
    );
    let first = ts("2026-11-30T08:00:00+01:00").with_timezone(&chrono::Utc);
    store
        .save_appointments(&fc(), &[held.clone(), kept.clone()], first)
        .unwrap();

    // The hold was confirmed elsewhere, and a new appointment was booked; the same change
    // twice in one answer (the overlap of two fetches) is merged once.
    let mut confirmed = held.clone();
    confirmed.status = AppointmentStatus::Confermato;
    let new = appointment(3, "2027-01-10T09:00:00+01:00", AppointmentStatus::Prenotato);
    let later = first + chrono::Duration::minutes(5);
    store
        .merge_appointments(
            &fc(),
            &[confirmed.clone(), new.clone(), confirmed.clone()],
            later,
        )
        .unwrap();
    let cached = store
        .appointments(&fc(), &AppointmentFilter::default())
        .unwrap();
    assert_eq!(cached.items, vec![new.clone(), kept, confirmed.clone()]);
    assert_eq!(cached.last_synced_at, Some(later));
    assert_eq!(store.appointment(&held.id).unwrap(), Some(confirmed));

    // Nothing changed: only the mark moves.
    let latest = later + chrono::Duration::minutes(5);
    store.merge_appointments(&fc(), &[], latest).unwrap();
    let again = store
        .appointments(&fc(), &AppointmentFilter::default())
        .unwrap();
    assert_eq!(again.items, cached.items);
    assert_eq!(again.last_synced_at, Some(latest));

    // Someone else's appointment is refused, and nothing is merged.
    let mut stranger = appointment(
        4,
        "2026-12-03T09:00:00+01:00",
        AppointmentStatus::Confermato,
    );
    stranger.fiscal_code = "BNCGLI75L62F205S".parse().unwrap();
    assert!(store
        .merge_appointments(&fc(), &[new, stranger], latest)
        .is_err());
    assert_eq!(
        store
            .appointments(&fc(), &AppointmentFilter::default())
            .unwrap()
            .items,
        cached.items
    );
}

#[test]
fn a_history_answered_for_another_person_is_not_cached() {
    let dir = TempDir::new();
    let store = open(&dir, &MemoryKeyStore::new());
    let mut a = appointment(
        1,
        "2026-12-01T09:00:00+01:00",
        AppointmentStatus::Confermato,
    );
    a.fiscal_code = FiscalCode::encode(
        "Verdi",
        "Luigi",
        NaiveDate::from_ymd_opt(1980, 1, 1).unwrap(),
        agenda_core::Sex::Male,
        "H501",
    )
    .unwrap();
    assert_eq!(
        store
            .save_appointments(&fc(), &[a], Utc::now())
            .unwrap_err()
            .code(),
        "store_damaged"
    );
}

#[test]
fn rome_midnight_follows_daylight_saving_time() {
    let offset = |d: NaiveDate| {
        let t = DateTime::from_timestamp(history::rome_midnight(d), 0).unwrap();
        t.with_timezone(&FixedOffset::east_opt(0).unwrap())
            .to_rfc3339()
    };
    assert_eq!(
        offset(NaiveDate::from_ymd_opt(2026, 7, 1).unwrap()),
        "2026-06-30T22:00:00+00:00"
    );
    assert_eq!(
        offset(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()),
        "2026-11-30T23:00:00+00:00"
    );
}

#[test]
fn a_slow_disk_stalls_only_the_command_that_waits_for_it() {
    use std::time::{Duration, Instant};
    // One worker: were the store's work done on it, every other task would wait too.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let dir = TempDir::new();
    let store = std::sync::Arc::new(Store::open(dir.path(), &MemoryKeyStore::new()).unwrap());
    // Another thread holds the connection for 800 ms, as a slow flush to disk would.
    let (held, is_held) = std::sync::mpsc::channel();
    let holder = {
        let store = store.clone();
        std::thread::spawn(move || {
            let _conn = store.conn.lock().unwrap();
            held.send(()).unwrap();
            std::thread::sleep(Duration::from_millis(800));
        })
    };
    is_held.recv().unwrap();
    runtime.block_on(async {
        let waiting = tokio::spawn({
            let store = store.clone();
            async move { store.drafts().map(|drafts| drafts.len()) }
        });
        let started = Instant::now();
        let other = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(20)).await;
            started.elapsed()
        });
        let other = other.await.unwrap();
        assert!(
            other < Duration::from_millis(400),
            "another task waited {other:?} behind the store"
        );
        assert_eq!(waiting.await.unwrap().unwrap(), 0);
    });
    holder.join().unwrap();
}
