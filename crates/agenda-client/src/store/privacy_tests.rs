//! The Registro attività, retention and the lock verifier against a real SQLite file; the
//! tampering is done as an intruder would, by opening the file directly.

use super::audit::{AuditAction, AuditEvent, AuditFilter};
use super::privacy::Retention;
use super::tests::TempDir;
use super::*;
use crate::keychain::MemoryKeyStore;
use agenda_core::{AppointmentStatus, Channel, Notes, PhoneNumber, WizardAction, WizardContext};

const FC: &str = "RSSMRA85T10A562S";
const OTHER: &str = "BNCGLI75L62F205S";

fn fc(code: &str) -> FiscalCode {
    FiscalCode::parse(code).unwrap()
}

fn contributor(code: &str, name: &str) -> Contributor {
    Contributor {
        fiscal_code: fc(code),
        display_name: name.to_owned(),
        gestione: agenda_core::Gestione::Artigiani,
        delegation: crate::wire::Delegation {
            kind: "generale".to_owned(),
            valid_until: NaiveDate::from_ymd_opt(2027, 12, 31).unwrap(),
        },
    }
}

fn appointment(n: u8, code: &str, start: &str) -> Appointment {
    let start = DateTime::parse_from_rfc3339(start).unwrap();
    Appointment {
        id: AppointmentId::from_random([n; 8]),
        communication_id: format!("COM-{n}"),
        fiscal_code: fc(code),
        topic_code: "contributi".to_owned(),
        consultation_point: "RM01-SPORTELLO".to_owned(),
        channel: Channel::InPresenza,
        office_code: "RM01".to_owned(),
        start,
        end: start + chrono::Duration::minutes(30),
        phone: PhoneNumber::parse("333 765 4321").unwrap(),
        notes: Notes::parse("nota").unwrap(),
        status: AppointmentStatus::Confermato,
        hold_expires_at: None,
        created_at: start,
        updated_at: start,
        provenance: Default::default(),
    }
}

fn wizard(code: &str, communication: &str) -> Wizard {
    let mut wizard = Wizard::new(
        fc(code),
        communication.parse().unwrap(),
        "contributi".parse().unwrap(),
    );
    let ctx = WizardContext::default();
    wizard
        .apply(WizardAction::SetPhone("3331234567".to_owned()), &ctx)
        .unwrap();
    wizard
        .apply(WizardAction::SetNotes("nota".to_owned()), &ctx)
        .unwrap();
    wizard
}

fn open(dir: &TempDir) -> (Store, MemoryKeyStore) {
    let keys = MemoryKeyStore::new();
    let store = Store::open(dir.path(), &keys).unwrap();
    store.set_actor("op-1");
    store
        .save_contributors(
            &[
                contributor(FC, "Mario Rossi"),
                contributor(OTHER, "Clara Bianchi"),
            ],
            true,
            Utc::now(),
        )
        .unwrap();
    (store, keys)
}

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

/// The intruder: a plain SQLite connection to the same file.
fn raw(dir: &TempDir) -> Connection {
    Connection::open(dir.path().join(FILE_NAME)).unwrap()
}

fn five_entries(store: &Store) {
    for (i, action) in [
        AuditAction::SignIn,
        AuditAction::Confirm,
        AuditAction::Annul,
        AuditAction::Receipt,
        AuditAction::SignOut,
    ]
    .into_iter()
    .enumerate()
    {
        let mut event = AuditEvent::new(action);
        if i == 1 || i == 2 {
            event = event.contributor(&fc(FC));
        }
        store
            .audit(
                &event,
                at("2026-12-04T09:00:00Z") + chrono::Duration::minutes(i as i64),
            )
            .unwrap();
    }
}

#[test]
fn local_changes_are_recorded_with_them_and_the_chain_verifies() {
    let dir = TempDir::new();
    let (store, _keys) = open(&dir);
    store.save_draft(&wizard(FC, "COM-1")).unwrap();
    store.save_draft(&wizard(FC, "COM-1")).unwrap(); // a second save creates nothing
    assert!(store.discard_draft(&fc(FC), "COM-1").unwrap());
    store.save_draft(&wizard(OTHER, "COM-2")).unwrap();
    assert!(store.delete_draft(&fc(OTHER), "COM-2").unwrap()); // consumed by a booking
    let entries = store.audit_entries(&AuditFilter::default()).unwrap();
    let actions: Vec<_> = entries.iter().map(|e| e.action).collect();
    assert_eq!(
        actions,
        [
            AuditAction::DraftCreated,
            AuditAction::DraftDeleted,
            AuditAction::DraftCreated
        ]
    );
    assert_eq!(entries[1].contributor_name.as_deref(), Some("Mario Rossi"));
    assert_eq!(
        entries[0].contributor_name.as_deref(),
        Some("Clara Bianchi")
    );
    assert_eq!(entries[0].operator, "op-1");
    let only_mario = store
        .audit_entries(&AuditFilter {
            contributor: Some(fc(FC)),
            ..AuditFilter::default()
        })
        .unwrap();
    assert_eq!(only_mario.len(), 2);
    let check = store.verify_audit().unwrap();
    assert!(check.intact, "{check:?}");
    assert_eq!(
        (check.entries, check.first_seq, check.last_seq),
        (3, Some(1), Some(3))
    );
    // The names are sealed and the fiscal code never stored in clear.
    drop(store);
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        bytes.extend(std::fs::read(entry.unwrap().path()).unwrap());
    }
    for needle in ["Mario Rossi", "Clara Bianchi", FC, OTHER] {
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
            "{needle}"
        );
    }
}

#[test]
fn the_day_and_action_filters_follow_romes_clock() {
    let dir = TempDir::new();
    let (store, _keys) = open(&dir);
    // 23:30 UTC on 28 March 2027 is already 29 March in Rome (DST began that night).
    store
        .audit(
            &AuditEvent::new(AuditAction::SignIn),
            at("2027-03-28T22:30:00Z"),
        )
        .unwrap();
    store
        .audit(
            &AuditEvent::new(AuditAction::SignOut),
            at("2027-03-28T21:30:00Z"),
        )
        .unwrap();
    let day = |d: u32| AuditFilter {
        day: NaiveDate::from_ymd_opt(2027, 3, d),
        ..AuditFilter::default()
    };
    assert_eq!(store.audit_entries(&day(29)).unwrap().len(), 1);
    assert_eq!(store.audit_entries(&day(28)).unwrap().len(), 1);
    let sign_out = AuditFilter {
        action: Some(AuditAction::SignOut),
        ..AuditFilter::default()
    };
    assert_eq!(
        store.audit_entries(&sign_out).unwrap()[0].action,
        AuditAction::SignOut
    );
}

#[test]
fn an_edited_row_is_found_by_the_verifier() {
    let dir = TempDir::new();
    let (store, _keys) = open(&dir);
    five_entries(&store);
    raw(&dir)
        .execute(
            "UPDATE audit_log SET outcome = 'invalid_state' WHERE seq = 3",
            [],
        )
        .unwrap();
    let check = store.verify_audit().unwrap();
    assert!(!check.intact);
    assert_eq!(check.broken_at, Some(3));
    assert_eq!(
        check.problem.as_deref(),
        Some("la voce 3 è stata modificata")
    );
}

#[test]
fn an_edit_that_recomputes_a_plain_hash_is_still_found() {
    let dir = TempDir::new();
    let (store, _keys) = open(&dir);
    five_entries(&store);
    // An intruder who swaps the time and copies another row's hash fields gets nowhere:
    // the hash is keyed.
    raw(&dir)
        .execute(
            "UPDATE audit_log SET at = (SELECT at FROM audit_log WHERE seq = 1),
                 hash = (SELECT hash FROM audit_log WHERE seq = 1) WHERE seq = 2",
            [],
        )
        .unwrap();
    let check = store.verify_audit().unwrap();
    assert_eq!(check.broken_at, Some(2));
}

#[test]
fn deleted_rows_are_found_in_the_middle_at_the_start_and_at_the_end() {
    for (sql, broken_at, problem) in [
        (
            "DELETE FROM audit_log WHERE seq = 3",
            4,
            "mancano le voci da 3 a 3",
        ),
        (
            "DELETE FROM audit_log WHERE seq = 1",
            2,
            "mancano le voci prima della voce 2",
        ),
        (
            "DELETE FROM audit_log WHERE seq >= 4",
            4,
            "mancano le ultime voci, da 4 a 5",
        ),
        (
            "DELETE FROM audit_log",
            1,
            "mancano tutte le voci, fino alla 5",
        ),
    ] {
        let dir = TempDir::new();
        let (store, _keys) = open(&dir);
        five_entries(&store);
        raw(&dir).execute(sql, []).unwrap();
        let check = store.verify_audit().unwrap();
        assert!(!check.intact, "{sql}");
        assert_eq!(check.broken_at, Some(broken_at), "{sql}");
        assert_eq!(check.problem.as_deref(), Some(problem), "{sql}");
    }
}

#[test]
fn a_forged_head_is_found() {
    let dir = TempDir::new();
    let (store, _keys) = open(&dir);
    five_entries(&store);
    let conn = raw(&dir);
    conn.execute("DELETE FROM audit_log WHERE seq = 5", [])
        .unwrap();
    // Point the head at entry 4 by hand: its MAC cannot be made without the key.
    conn.execute(
        "UPDATE meta SET value = (SELECT CAST(X'0000000000000004' || hash || zeroblob(32) AS BLOB)
             FROM audit_log WHERE seq = 4) WHERE key = 'audit_head'",
        [],
    )
    .unwrap();
    let check = store.verify_audit().unwrap();
    assert!(!check.intact);
    assert_eq!(
        check.problem.as_deref(),
        Some("il sigillo finale del registro non corrisponde")
    );
}

#[test]
fn retention_purges_old_data_and_cuts_the_chain_with_a_checkpoint() {
    let dir = TempDir::new();
    let (store, _keys) = open(&dir);
    let now = at("2026-12-04T10:00:00Z");
    // Entries of two years: those older than a year go.
    for day in 0..5 {
        let when = at("2025-11-01T09:00:00Z") + chrono::Duration::days(day * 20);
        store
            .audit(&AuditEvent::new(AuditAction::SignIn), when)
            .unwrap();
    }
    store
        .audit(
            &AuditEvent::new(AuditAction::SignOut),
            at("2026-06-01T09:00:00Z"),
        )
        .unwrap();
    // Appointments: one 100 days ago, one 10 days ago, one next week.
    let old = appointment(1, FC, "2026-08-26T09:00:00+02:00");
    let recent = appointment(2, FC, "2026-11-24T09:00:00+01:00");
    let future = appointment(3, FC, "2026-12-11T09:00:00+01:00");
    store
        .save_appointments(&fc(FC), &[old.clone(), recent.clone(), future.clone()], now)
        .unwrap();
    store.save_draft(&wizard(FC, "COM-9")).unwrap();

    let report = store.purge(&Retention::default(), now).unwrap();
    assert_eq!(report.appointments, 1);
    assert_eq!(report.drafts, 0, "saved today");
    assert_eq!(report.audit_entries, 2, "the two entries of November 2025");
    assert!(store.verify_audit().unwrap().intact);
    let kept: Vec<_> = store
        .appointments(&fc(FC), &AppointmentFilter::default())
        .unwrap()
        .items
        .into_iter()
        .map(|a| a.id)
        .collect();
    assert_eq!(kept, [future.id.clone(), recent.id.clone()]);
    assert!(store.appointment(&old.id).unwrap().is_none());

    // A month and a day later (fake clock), the draft is abandoned, and the log is cut again.
    let later = Utc::now() + chrono::Duration::days(31);
    let report = store.purge(&Retention::default(), later).unwrap();
    assert_eq!(report.drafts, 1);
    assert!(report.audit_entries >= 2, "{report:?}");
    assert!(store.draft(&fc(FC), "COM-9").unwrap().is_none());

    let entries = store.audit_entries(&AuditFilter::default()).unwrap();
    assert!(entries
        .iter()
        .all(|e| e.at >= later - chrono::Duration::days(365)));
    assert!(entries.iter().any(|e| e.action == AuditAction::Checkpoint));
    let check = store.verify_audit().unwrap();
    assert!(check.intact, "{check:?}");
    assert!(check.first_seq.unwrap() > 1);

    // The cut chain still catches an intruder who removes its new first entry.
    let first = check.first_seq.unwrap();
    raw(&dir)
        .execute("DELETE FROM audit_log WHERE seq = ?1", [first])
        .unwrap();
    let check = store.verify_audit().unwrap();
    assert!(!check.intact);
    assert_eq!(check.broken_at, Some(first + 1));
}

#[test]
fn the_lock_verifier_accepts_the_password_only() {
    let dir = TempDir::new();
    let (store, _keys) = open(&dir);
    assert_eq!(store.check_lock_verifier("demo").unwrap(), None);
    store
        .set_lock_verifier("demo", "la password giusta")
        .unwrap();
    assert_eq!(
        store.check_lock_verifier("la password giusta").unwrap(),
        Some(true)
    );
    assert_eq!(
        store.check_lock_verifier("la password giusta ").unwrap(),
        Some(false)
    );
    assert_eq!(store.check_lock_verifier("").unwrap(), Some(false));
    assert_eq!(store.lock_username().unwrap().as_deref(), Some("demo"));
}

#[test]
fn the_csv_is_for_spreadsheets_and_never_runs_a_formula() {
    let dir = TempDir::new();
    let (store, _keys) = open(&dir);
    five_entries(&store);
    store
        .audit(
            &AuditEvent::new(AuditAction::SettingsChanged).detail("=HYPERLINK(\"x\";1)"),
            at("2026-12-04T10:00:00Z"),
        )
        .unwrap();
    let (bytes, rows) = store
        .audit_csv(&AuditFilter::default(), &|a| a.as_str().to_owned())
        .unwrap();
    assert_eq!(rows, 6);
    let text = String::from_utf8(bytes).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("\u{feff}n;data_ora;operatore;azione"));
    assert!(lines[1].starts_with("1;2026-12-04 10:00:00;op-1;sign_in;"));
    assert!(lines[2].contains(";Mario Rossi;"));
    assert!(
        lines[6].contains("\"'=HYPERLINK(\"\"x\"\";1)\""),
        "{}",
        lines[6]
    );
}
