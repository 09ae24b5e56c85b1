//! The Registro attività, a contributor's data exported and erased, retention and the idle
//! lock, through the facade against the real sandbox, with data keys in the real keychain.

use agenda_client::app::AuditQuery;
use agenda_client::store::audit::AuditAction;
use agenda_client::store::privacy::Retention;
use agenda_client::{BookingOutcome, Secret};
use agenda_sandbox::seed::{DEMO_PASSWORD, DEMO_USERNAME};
use chrono::Utc;

use crate::common::*;
use crate::operators::{Demo, DeskPc};
use crate::proxy::FaultProxy;

fn actions(pc: &DeskPc) -> Vec<(AuditAction, String, Option<String>)> {
    let mut entries = pc.agenda.audit_log(&AuditQuery::default()).unwrap().entries;
    entries.reverse();
    entries
        .into_iter()
        .map(|e| (e.action, e.outcome, e.contributor_name))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_action_is_recorded_once_with_its_outcome_and_the_chain_holds() {
    let sandbox = Sandbox::start().await;
    let pc = DeskPc::new(config(&sandbox.url()));
    let demo = Demo::of(&sandbox).await;
    let (e, other) = pair_on_one_topic(&demo.eligible);
    let place = place(&demo.direct, &e.communication.topic_code).await;

    pc.sign_in(DEMO_USERNAME, DEMO_PASSWORD).await;
    pc.agenda.contributors(None).await.unwrap();
    let name = pc
        .agenda
        .store()
        .unwrap()
        .contributor(&e.fiscal_code)
        .unwrap()
        .unwrap()
        .display_name;
    pc.agenda
        .save_draft(&ready_wizard(e, &place, 0, "347 555 1234", NOTES))
        .unwrap();
    let outcome = pc
        .agenda
        .book(&e.fiscal_code, &e.communication.id)
        .await
        .unwrap();
    let BookingOutcome::Held { appointment } = outcome else {
        panic!("{outcome:?}")
    };
    pc.agenda.confirm(&appointment.id).await.unwrap();
    pc.agenda
        .cancel_appointment(&appointment.id, None)
        .await
        .unwrap();
    // Annulled already: refused, and recorded as refused.
    assert!(pc
        .agenda
        .cancel_appointment(&appointment.id, None)
        .await
        .is_err());
    pc.agenda
        .save_draft(&ready_wizard(other, &place, 1, "347 555 1234", NOTES))
        .unwrap();
    pc.agenda
        .discard_draft(&other.fiscal_code, &other.communication.id)
        .unwrap();

    let recorded = actions(&pc);
    let words: Vec<(AuditAction, &str)> =
        recorded.iter().map(|(a, o, _)| (*a, o.as_str())).collect();
    assert_eq!(
        words[..7],
        [
            (AuditAction::SignIn, "ok"),
            (AuditAction::DraftCreated, "ok"),
            (AuditAction::Book, "prenotato"),
            (AuditAction::Confirm, "ok"),
            (AuditAction::Annul, "ok"),
            (AuditAction::Annul, "invalid_state"),
            (AuditAction::DraftCreated, "ok"),
        ],
        "{recorded:?}"
    );
    assert_eq!(words[7], (AuditAction::DraftDeleted, "ok"));
    assert_eq!(recorded.len(), 8);
    for (action, _, who) in &recorded[1..6] {
        assert_eq!(who.as_deref(), Some(name.as_str()), "{action:?}");
    }
    let by_id = pc.agenda.audit_log(&AuditQuery::default()).unwrap().entries;
    assert!(
        by_id
            .iter()
            .filter(|e| e.appointment_id.as_deref() == Some(appointment.id.as_str()))
            .count()
            >= 4
    );
    assert!(pc.agenda.verify_audit().unwrap().intact);

    let csv = pc.agenda.audit_csv(&AuditQuery::default()).unwrap();
    let text = String::from_utf8(csv.bytes).unwrap();
    assert!(text.contains(";Conferma Appuntamento;"));
    assert!(text.contains(appointment.id.as_str()));
    assert_eq!(text.lines().count(), 1 + 8);
    // What the shell records once a file is saved, and Esci.
    pc.agenda
        .record_action(&agenda_client::store::audit::AuditEvent::new(
            AuditAction::AuditExport,
        ))
        .unwrap();
    pc.agenda.sign_out().await.unwrap();
    pc.sign_in(DEMO_USERNAME, DEMO_PASSWORD).await;
    let recorded = actions(&pc);
    let tail: Vec<AuditAction> = recorded[8..].iter().map(|(a, _, _)| *a).collect();
    assert_eq!(
        tail,
        [
            AuditAction::AuditExport,
            AuditAction::SignOut,
            AuditAction::SignIn
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contributors_data_is_exported_whole_and_erased_without_a_trace() {
    let sandbox = Sandbox::start().await;
    let pc = DeskPc::new(config(&sandbox.url()));
    let demo = Demo::of(&sandbox).await;
    let (e, other) = pair_on_one_topic(&demo.eligible);
    assert_ne!(e.fiscal_code, other.fiscal_code);
    let place = place(&demo.direct, &e.communication.topic_code).await;
    pc.sign_in(DEMO_USERNAME, DEMO_PASSWORD).await;
    pc.agenda.contributors(None).await.unwrap();

    pc.agenda
        .save_draft(&ready_wizard(e, &place, 0, "347 555 1234", NOTES))
        .unwrap();
    let BookingOutcome::Held { appointment } = pc
        .agenda
        .book(&e.fiscal_code, &e.communication.id)
        .await
        .unwrap()
    else {
        panic!("not held")
    };
    pc.agenda.confirm(&appointment.id).await.unwrap();
    pc.agenda.communications(&e.fiscal_code).await.unwrap();
    pc.agenda.communication(&e.communication.id).await.unwrap();
    pc.agenda
        .appointments(&e.fiscal_code, &Default::default())
        .await
        .unwrap();
    pc.agenda.communications(&other.fiscal_code).await.unwrap();
    pc.agenda
        .save_draft(&ready_wizard(
            other,
            &place,
            1,
            "06 1234 5678",
            "altra persona",
        ))
        .unwrap();

    // Esporta dati: the person's, nobody else's.
    let file = pc.agenda.contributor_data_file(&e.fiscal_code).unwrap();
    assert!(file.file_name.ends_with(".json"));
    let json: serde_json::Value = serde_json::from_slice(&file.bytes).unwrap();
    let text = json.to_string();
    assert_eq!(json["contribuente"]["fiscal_code"], e.fiscal_code.as_str());
    assert!(text.contains(appointment.id.as_str()));
    assert!(text.contains(NOTES));
    assert!(!json["comunicazioni"].as_array().unwrap().is_empty());
    assert!(json["conversazioni"].as_array().unwrap().len() == 1);
    assert!(json["registro_attivita"].as_array().unwrap().len() >= 3);
    assert!(!text.contains(other.fiscal_code.as_str()));
    assert!(!text.contains("altra persona"));

    // Cancella dati locali.
    let preview = pc.agenda.erasure_preview(&e.fiscal_code).unwrap();
    assert_eq!((preview.outbox, preview.drafts), (0, 0));
    let report = pc.agenda.erase_local(&e.fiscal_code).unwrap();
    assert!(report.rows >= 3, "{report:?}");
    let store = pc.agenda.store().unwrap();
    assert!(store.contributor(&e.fiscal_code).unwrap().is_none());
    assert!(store
        .communications(&e.fiscal_code)
        .unwrap()
        .items
        .is_empty());
    assert!(store.thread(&e.communication.id).unwrap().is_none());
    assert!(store.appointment(&appointment.id).unwrap().is_none());
    assert!(store.desk().unwrap().is_none_or(|d| d
        .items
        .appointments
        .iter()
        .all(|a| a.fiscal_code != e.fiscal_code)));
    // The other person's data stays.
    assert!(store.contributor(&other.fiscal_code).unwrap().is_some());
    assert_eq!(store.drafts_of(&other.fiscal_code).unwrap().len(), 1);
    // The log keeps what happened, without the name, and still verifies.
    let about = pc
        .agenda
        .audit_log(&AuditQuery {
            contributor: Some(e.fiscal_code.clone()),
            ..AuditQuery::default()
        })
        .unwrap()
        .entries;
    assert_eq!(about[0].action, AuditAction::DataErasure);
    assert!(about.iter().all(|a| a.contributor_name.is_none()));
    assert!(about.iter().any(|a| a.action == AuditAction::Confirm));
    assert!(pc.agenda.verify_audit().unwrap().intact);

    // No trace in the file's pages (VACUUM ran; the WAL is emptied).
    let path = store.path().to_owned();
    drop(store);
    pc.agenda.sign_out().await.unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch("VACUUM;").unwrap();
    drop(conn);
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(path.parent().unwrap()).unwrap() {
        bytes.extend(std::fs::read(entry.unwrap().path()).unwrap());
    }
    for needle in [
        e.fiscal_code.as_str(),
        "3475551234",
        "347 555 1234",
        "+393475551234",
    ] {
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
            "{needle} found in the file"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_lock_opens_with_the_password_by_the_service_or_offline_by_the_verifier() {
    let sandbox = Sandbox::start().await;
    let proxy = FaultProxy::start(sandbox.addr).await;
    let pc = DeskPc::new(config(&proxy.url()));
    pc.sign_in(DEMO_USERNAME, DEMO_PASSWORD).await;

    let wrong = pc
        .agenda
        .unlock(&Secret::new("sbagliata"))
        .await
        .unwrap_err();
    assert_eq!(wrong.code(), "invalid_credentials");
    pc.agenda.unlock(&Secret::new(DEMO_PASSWORD)).await.unwrap();
    proxy.go_offline().await;
    pc.agenda.unlock(&Secret::new(DEMO_PASSWORD)).await.unwrap();
    let wrong = pc
        .agenda
        .unlock(&Secret::new("sbagliata"))
        .await
        .unwrap_err();
    assert_eq!(wrong.code(), "invalid_credentials");

    let unlocks: Vec<(String, String)> = pc
        .agenda
        .audit_log(&AuditQuery {
            action: Some(AuditAction::Unlock),
            ..AuditQuery::default()
        })
        .unwrap()
        .entries
        .into_iter()
        .rev()
        .map(|e| (e.outcome, e.detail))
        .collect();
    let pairs: Vec<(&str, &str)> = unlocks
        .iter()
        .map(|(o, d)| (o.as_str(), d.as_str()))
        .collect();
    assert_eq!(
        pairs,
        [
            ("invalid_credentials", "servizio"),
            ("ok", "servizio"),
            ("ok", "verifica locale"),
            ("invalid_credentials", "verifica locale"),
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_retention_purge_runs_at_sign_in_and_then_once_a_day() {
    let sandbox = Sandbox::start().await;
    let pc = DeskPc::new(config(&sandbox.url()));
    pc.sign_in(DEMO_USERNAME, DEMO_PASSWORD).await;
    let policy = Retention::default();
    let now = Utc::now();
    assert!(pc.agenda.purge_if_due(&policy, now).unwrap().is_some());
    assert!(pc
        .agenda
        .purge_if_due(&policy, now + chrono::Duration::hours(23))
        .unwrap()
        .is_none());
    assert!(pc
        .agenda
        .purge_if_due(&policy, now + chrono::Duration::hours(25))
        .unwrap()
        .is_some());
    let bad = Retention {
        cache_days: 1,
        ..policy
    };
    assert_eq!(
        pc.agenda.purge_if_due(&bad, now).unwrap_err().code(),
        "validation"
    );
    assert!(pc.agenda.verify_audit().unwrap().intact);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancella_prenotazione_and_riprogramma_are_recorded_on_their_ids() {
    let sandbox = Sandbox::start().await;
    let pc = DeskPc::new(config(&sandbox.url()));
    let demo = Demo::of(&sandbox).await;
    let (e, other) = pair_on_one_topic(&demo.eligible);
    let place = place(&demo.direct, &e.communication.topic_code).await;
    pc.sign_in(DEMO_USERNAME, DEMO_PASSWORD).await;
    // The names come from the cached list (filled after every sign-in in the app).
    pc.agenda.contributors(None).await.unwrap();

    pc.agenda
        .save_draft(&ready_wizard(e, &place, 0, "347 555 1234", NOTES))
        .unwrap();
    let BookingOutcome::Held { appointment } = pc
        .agenda
        .book(&e.fiscal_code, &e.communication.id)
        .await
        .unwrap()
    else {
        panic!("not held")
    };
    pc.agenda.confirm(&appointment.id).await.unwrap();
    let to = agenda_core::SlotStart::parse(&agenda_client::wire::format_timestamp(
        &place.slots[2].start,
    ))
    .unwrap();
    let moved = pc
        .agenda
        .reschedule_view(&appointment.id, &to, None, None)
        .await
        .unwrap();

    pc.agenda
        .save_draft(&ready_wizard(other, &place, 1, "347 555 1234", NOTES))
        .unwrap();
    let BookingOutcome::Held { appointment: held } = pc
        .agenda
        .book(&other.fiscal_code, &other.communication.id)
        .await
        .unwrap()
    else {
        panic!("not held")
    };
    pc.agenda.cancel_hold(&held.id).await.unwrap();

    let entries = pc.agenda.audit_log(&AuditQuery::default()).unwrap().entries;
    let reschedule: Vec<_> = entries
        .iter()
        .filter(|x| x.action == AuditAction::Reschedule)
        .collect();
    assert_eq!(reschedule.len(), 1);
    assert_eq!(
        reschedule[0].appointment_id.as_deref(),
        Some(appointment.id.as_str())
    );
    assert_eq!(reschedule[0].detail, format!("nuovo {}", moved.id));
    assert!(reschedule[0].contributor_name.is_some());
    let released: Vec<_> = entries
        .iter()
        .filter(|x| x.action == AuditAction::CancelHold)
        .collect();
    assert_eq!(released.len(), 1);
    assert_eq!(
        released[0].appointment_id.as_deref(),
        Some(held.id.as_str())
    );
    assert_eq!(released[0].outcome, "ok");
    assert!(pc.agenda.verify_audit().unwrap().intact);
}
