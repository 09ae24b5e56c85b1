//! Offline work through the `Agenda` facade: cached lists, queued bookings, reconciliation.

use std::time::Duration;

use agenda_client::{AppointmentFilter, BookingOutcome, DraftState, IdempotencyKey, Source};
use agenda_core::{AppointmentStatus, FiscalCode};
use agenda_sandbox::seed::ELIGIBLE_FISCAL_CODE;

use crate::common::*;
use crate::proxy::{Fault, FaultProxy};

struct Desk {
    sandbox: Sandbox,
    proxy: FaultProxy,
    dir: TempDir,
    keychain: Keychain,
    agenda: agenda_client::Agenda,
    direct: agenda_client::ApiClient,
    _direct_keychain: Keychain,
}

async fn desk() -> Desk {
    let sandbox = Sandbox::start().await;
    let proxy = FaultProxy::start(sandbox.addr).await;
    let dir = TempDir::new();
    let keychain = Keychain::new();
    let agenda = agenda(&proxy.url(), dir.path(), &keychain).await;
    let direct_keychain = Keychain::new();
    let direct = signed_in(&sandbox.url(), &direct_keychain).await;
    Desk {
        sandbox,
        proxy,
        dir,
        keychain,
        agenda,
        direct,
        _direct_keychain: direct_keychain,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_list_opens_from_the_cache_when_the_service_is_unreachable() {
    let d = desk().await;
    let fc = FiscalCode::parse(ELIGIBLE_FISCAL_CODE).unwrap();
    let report = d
        .agenda
        .refresh_cache(std::slice::from_ref(&fc))
        .await
        .unwrap();
    assert!(report.contributors >= 20 && report.topics > 0 && report.communications > 0);
    let live_contributors = d.agenda.contributors(None).await.unwrap();
    assert_eq!(live_contributors.source, Source::Live);
    let live_communications = d.agenda.communications(&fc).await.unwrap();
    let thread_id = live_communications.items[0].id.clone();
    d.agenda.communication(&thread_id).await.unwrap();

    d.proxy.go_offline().await;
    let contributors = d.agenda.contributors(None).await.unwrap();
    assert_eq!(contributors.source, Source::Cache);
    assert!(contributors.last_synced_at.is_some());
    assert_eq!(contributors.items, live_contributors.items);
    let found = d.agenda.contributors(Some("rssmra")).await.unwrap();
    assert!(found.items.iter().any(|c| c.fiscal_code == fc));
    assert_eq!(
        d.agenda.contributor(&fc).await.unwrap().source,
        Source::Cache
    );

    let communications = d.agenda.communications(&fc).await.unwrap();
    assert_eq!(communications.source, Source::Cache);
    assert_eq!(communications.items, live_communications.items);
    let thread = d.agenda.communication(&thread_id).await.unwrap();
    assert_eq!(thread.source, Source::Cache);

    let topics = d.agenda.topics().await.unwrap();
    assert_eq!(topics.source, Source::Cache);
    assert!(!topics.items.is_empty());
    assert!(!d.agenda.offices(None).await.unwrap().items.is_empty());
    assert!(!d
        .agenda
        .consultation_points(None, None)
        .await
        .unwrap()
        .items
        .is_empty());
    let history = d
        .agenda
        .appointments(&fc, &AppointmentFilter::default())
        .await
        .unwrap();
    assert_eq!(history.source, Source::Cache);

    let status = d.agenda.status().unwrap();
    assert_eq!(status.online, Some(false));
    assert!(status.last_contact_at.is_some());

    // Something never synced cannot be shown offline: an error, not an empty list.
    let other = d
        .agenda
        .communications(&FiscalCode::parse(agenda_sandbox::seed::OMOCODIC_FISCAL_CODE).unwrap())
        .await
        .unwrap_err();
    assert_eq!(other.code(), "network_error");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_booking_made_offline_is_held_once_online_and_never_confirmed_by_itself() {
    let d = desk().await;
    let eligible = eligible(&d.direct).await;
    let e = &eligible[0];
    let place = place(&d.direct, &e.communication.topic_code).await;
    let wizard = ready_wizard(e, &place, 0, "347 555 1234", NOTES);
    d.agenda.save_draft(&wizard).unwrap();

    d.proxy.go_offline().await;
    let outcome = d
        .agenda
        .book(&e.fiscal_code, &e.communication.id)
        .await
        .unwrap();
    assert!(
        matches!(&outcome, BookingOutcome::Queued { error_code, needs_sign_in: false, .. } if error_code == "network_error"),
        "{outcome:?}"
    );
    let draft = d
        .agenda
        .draft(&e.fiscal_code, &e.communication.id)
        .unwrap()
        .unwrap();
    assert_eq!(draft.state, DraftState::Queued);
    assert_eq!(d.agenda.status().unwrap().queued_bookings, 1);
    let key = d.agenda.store().unwrap().outbox().unwrap()[0]
        .idempotency_key
        .clone();
    // Still offline: the sync stops at once and keeps it.
    let report = d.agenda.sync_outbox().await.unwrap();
    assert_eq!(report.remaining, 1);

    d.proxy.go_online().await;
    let report = d.agenda.sync_outbox().await.unwrap();
    assert_eq!(report.remaining, 0);
    let [BookingOutcome::Held { appointment }] = report.outcomes.as_slice() else {
        panic!("{report:?}");
    };
    assert_eq!(appointment.status, AppointmentStatus::Prenotato);
    let draft = d
        .agenda
        .draft(&e.fiscal_code, &e.communication.id)
        .unwrap()
        .unwrap();
    assert!(
        matches!(&draft.state, DraftState::Held { appointment_id, .. } if *appointment_id == appointment.id)
    );
    // Sent with the key written before the first attempt.
    assert!(d
        .proxy
        .seen()
        .iter()
        .filter(|s| s.path == "/api/v1/bookings")
        .all(|s| s.idempotency_key.as_deref() == Some(key.as_str())));

    // Nothing confirms it but the operator.
    let report = d.agenda.sync_outbox().await.unwrap();
    assert!(report.outcomes.is_empty());
    let live = live_appointments(&d.direct, e).await;
    assert_eq!(live.len(), 1);
    assert_eq!(live[0].status, AppointmentStatus::Prenotato);

    let confirmed = d.agenda.confirm(&appointment.id).await.unwrap();
    assert_eq!(confirmed.status, AppointmentStatus::Confermato);
    assert!(d
        .agenda
        .draft(&e.fiscal_code, &e.communication.id)
        .unwrap()
        .is_none());
    let cached = d
        .agenda
        .store()
        .unwrap()
        .appointment(&appointment.id)
        .unwrap()
        .unwrap();
    assert_eq!(cached.status, AppointmentStatus::Confermato);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slot_taken_while_offline_brings_the_draft_back_with_alternatives() {
    let d = desk().await;
    let eligible = eligible(&d.direct).await;
    let (e, rival) = pair_on_one_topic(&eligible);
    let place = place(&d.direct, &e.communication.topic_code).await;
    d.agenda
        .save_draft(&ready_wizard(e, &place, 0, "347 555 1234", NOTES))
        .unwrap();
    d.proxy.go_offline().await;
    d.agenda
        .book(&e.fiscal_code, &e.communication.id)
        .await
        .unwrap();

    // Meanwhile another desk takes the slot.
    d.direct
        .create_booking(&IdempotencyKey::generate(), &booking(rival, &place, 0))
        .await
        .unwrap();

    d.proxy.go_online().await;
    let report = d.agenda.sync_outbox().await.unwrap();
    let [BookingOutcome::Returned { problem, .. }] = report.outcomes.as_slice() else {
        panic!("{report:?}");
    };
    assert_eq!(problem.code, "slot_taken");
    assert!(!problem.alternatives.is_empty());
    let draft = d
        .agenda
        .draft(&e.fiscal_code, &e.communication.id)
        .unwrap()
        .unwrap();
    assert_eq!(draft.state, DraftState::Editing);
    assert_eq!(draft.problem.as_ref(), Some(problem));
    assert_eq!(draft.wizard.notes_raw(), NOTES, "nothing typed was lost");
    assert!(live_appointments(&d.direct, e).await.is_empty());

    // The operator picks an alternative and books again.
    let alternative = agenda_client::wire::format_timestamp(&problem.alternatives[0].start);
    let slot = place
        .slots
        .iter()
        .position(|s| agenda_client::wire::format_timestamp(&s.start) == alternative)
        .expect("the alternative is one of the free slots");
    d.agenda
        .save_draft(&ready_wizard(e, &place, slot, "347 555 1234", NOTES))
        .unwrap();
    let outcome = d
        .agenda
        .book(&e.fiscal_code, &e.communication.id)
        .await
        .unwrap();
    assert!(
        matches!(outcome, BookingOutcome::Held { .. }),
        "{outcome:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_booking_refused_for_good_returns_the_draft_with_the_reason() {
    let d = desk().await;
    let fc = FiscalCode::parse(agenda_sandbox::seed::NOT_YET_FISCAL_CODE).unwrap();
    let communication = d
        .direct
        .all_communications(&fc)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.id == agenda_sandbox::seed::NOT_YET_COMMUNICATION)
        .unwrap();
    let e = Eligible {
        fiscal_code: fc,
        communication,
    };
    let place = place(&d.direct, &e.communication.topic_code).await;
    d.agenda
        .save_draft(&ready_wizard(&e, &place, 0, "347 555 1234", NOTES))
        .unwrap();
    let outcome = d
        .agenda
        .book(&e.fiscal_code, &e.communication.id)
        .await
        .unwrap();
    let BookingOutcome::Returned { problem, .. } = &outcome else {
        panic!("{outcome:?}");
    };
    assert_eq!(problem.code, "not_eligible_yet");
    assert_eq!(
        problem.allowed_from,
        Some(e.communication.appointment_request.allowed_from)
    );
    let draft = d
        .agenda
        .draft(&e.fiscal_code, &e.communication.id)
        .unwrap()
        .unwrap();
    assert_eq!(draft.state, DraftState::Editing);
    assert_eq!(draft.problem.as_ref(), Some(problem));
    assert!(d.agenda.store().unwrap().outbox().unwrap().is_empty());
    assert_eq!(
        d.proxy.count("POST", "/bookings"),
        1,
        "a refusal is not retried"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_booking_whose_answer_was_lost_is_found_again_by_its_key() {
    let d = desk().await;
    let eligible = eligible(&d.direct).await;
    let e = &eligible[0];
    let place = place(&d.direct, &e.communication.topic_code).await;
    d.agenda
        .save_draft(&ready_wizard(e, &place, 0, "347 555 1234", NOTES))
        .unwrap();
    // Every attempt of the first "Prenota" loses its answer after the commit.
    d.proxy.inject(
        "POST",
        "/bookings",
        vec![Fault::DropResponse; fast_retry().max_attempts as usize],
    );
    let outcome = d
        .agenda
        .book(&e.fiscal_code, &e.communication.id)
        .await
        .unwrap();
    assert!(
        matches!(outcome, BookingOutcome::Queued { .. }),
        "{outcome:?}"
    );
    let live = live_appointments(&d.direct, e).await;
    assert_eq!(live.len(), 1, "the server did commit");

    let report = d.agenda.sync_outbox().await.unwrap();
    let [BookingOutcome::Held { appointment }] = report.outcomes.as_slice() else {
        panic!("{report:?}");
    };
    assert_eq!(
        appointment.id, live[0].id,
        "the replay returned the same appointment"
    );
    assert_eq!(live_appointments(&d.direct, e).await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_outbox_survives_a_restart_and_is_sent_with_the_same_key() {
    let Desk {
        sandbox,
        proxy,
        dir,
        keychain,
        agenda,
        direct,
        _direct_keychain,
    } = desk().await;
    let eligible = eligible(&direct).await;
    let e = &eligible[0];
    let place = place(&direct, &e.communication.topic_code).await;
    agenda
        .save_draft(&ready_wizard(e, &place, 0, "347 555 1234", NOTES))
        .unwrap();
    proxy.go_offline().await;
    agenda
        .book(&e.fiscal_code, &e.communication.id)
        .await
        .unwrap();
    let key = agenda.store().unwrap().outbox().unwrap()[0]
        .idempotency_key
        .clone();
    drop(agenda);

    // The app restarts (same data folder, same keychain) and the network is back.
    proxy.go_online().await;
    let restarted = agenda_signed_out(config(&proxy.url()), dir.path(), &keychain);
    assert!(restarted.resume().await.unwrap().is_some());
    assert_eq!(
        restarted.store().unwrap().outbox().unwrap()[0].idempotency_key,
        key
    );
    let report = restarted.sync_outbox().await.unwrap();
    assert!(
        matches!(report.outcomes.as_slice(), [BookingOutcome::Held { .. }]),
        "{report:?}"
    );
    assert_eq!(live_appointments(&direct, e).await.len(), 1);
    drop(sandbox);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_booking_for_an_already_booked_communication_surfaces_the_live_hold() {
    let d = desk().await;
    let eligible = eligible(&d.direct).await;
    let e = &eligible[0];
    let place = place(&d.direct, &e.communication.topic_code).await;
    // The communication gets booked elsewhere first.
    d.direct
        .create_booking(&IdempotencyKey::generate(), &booking(e, &place, 1))
        .await
        .unwrap();
    d.agenda
        .save_draft(&ready_wizard(e, &place, 0, "347 555 1234", NOTES))
        .unwrap();
    let outcome = d
        .agenda
        .book(&e.fiscal_code, &e.communication.id)
        .await
        .unwrap();
    // The live hold of the communication is found and surfaced, not duplicated.
    let BookingOutcome::Held { appointment } = &outcome else {
        panic!("{outcome:?}");
    };
    assert_eq!(appointment.start, place.slots[1].start);
    assert_eq!(live_appointments(&d.direct, e).await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn releasing_a_hold_reopens_the_draft_and_an_expired_hold_comes_back_by_itself() {
    let sandbox = Sandbox::with_hold_ttl(Duration::from_secs(1)).await;
    let dir = TempDir::new();
    let keychain = Keychain::new();
    let agenda = agenda(&sandbox.url(), dir.path(), &keychain).await;
    let eligible = eligible(agenda.client()).await;
    let e = &eligible[0];
    let place = place(agenda.client(), &e.communication.topic_code).await;
    agenda
        .save_draft(&ready_wizard(e, &place, 0, "347 555 1234", NOTES))
        .unwrap();
    let BookingOutcome::Held { appointment } = agenda
        .book(&e.fiscal_code, &e.communication.id)
        .await
        .unwrap()
    else {
        panic!("held");
    };
    let released = agenda.cancel_hold(&appointment.id).await.unwrap();
    assert_eq!(released.status, AppointmentStatus::PrenotazioneCancellata);
    let draft = agenda
        .draft(&e.fiscal_code, &e.communication.id)
        .unwrap()
        .unwrap();
    assert_eq!(draft.state, DraftState::Editing);

    let BookingOutcome::Held { appointment } = agenda
        .book(&e.fiscal_code, &e.communication.id)
        .await
        .unwrap()
    else {
        panic!("held again");
    };
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let draft = agenda
        .draft(&e.fiscal_code, &e.communication.id)
        .unwrap()
        .unwrap();
    assert_eq!(draft.state, DraftState::Editing);
    assert_eq!(draft.problem.unwrap().code, "hold_expired");
    let err = agenda.confirm(&appointment.id).await.unwrap_err();
    assert_eq!(err.code(), "hold_expired");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_bookings_queued_offline_are_all_sent_when_the_service_is_back() {
    let d = desk().await;
    let eligible = eligible(&d.direct).await;
    let (first, second) = pair_on_one_topic(&eligible);
    let third = eligible
        .iter()
        .find(|e| e.communication.topic_code != first.communication.topic_code)
        .expect("eligible communications on two topics");
    let place_a = place(&d.direct, &first.communication.topic_code).await;
    let place_b = place(&d.direct, &third.communication.topic_code).await;
    d.proxy.go_offline().await;
    let queued = [
        (first, &place_a, 0),
        (second, &place_a, 1),
        (third, &place_b, 2),
    ];
    for (e, place, slot) in queued {
        d.agenda
            .save_draft(&ready_wizard(e, place, slot, "06 4567 8901", NOTES))
            .unwrap();
        let outcome = d
            .agenda
            .book(&e.fiscal_code, &e.communication.id)
            .await
            .unwrap();
        assert!(
            matches!(outcome, BookingOutcome::Queued { .. }),
            "{outcome:?}"
        );
    }
    assert_eq!(d.agenda.status().unwrap().queued_bookings, 3);

    d.proxy.go_online().await;
    let report = d.agenda.sync_outbox().await.unwrap();
    assert_eq!(report.remaining, 0);
    assert_eq!(report.outcomes.len(), 3);
    for ((e, _, _), outcome) in queued.iter().zip(&report.outcomes) {
        let BookingOutcome::Held { appointment } = outcome else {
            panic!("{outcome:?}");
        };
        assert_eq!(
            appointment.communication_id, e.communication.id,
            "oldest first"
        );
        let live = live_appointments(&d.direct, e).await;
        assert_eq!(live.len(), 1);
        assert_eq!(live[0].id, appointment.id);
    }
    assert!(d.agenda.status().unwrap().last_outbox_sync_at.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_draft_saved_offline_before_any_catalog_keeps_every_choice() {
    use agenda_core::{Channel, Step, WizardInput};
    let d = desk().await;
    d.proxy.go_offline().await;
    let input = WizardInput {
        fiscal_code: FiscalCode::parse(ELIGIBLE_FISCAL_CODE).unwrap(),
        communication_id: "COM-OFFLINE".parse().unwrap(),
        topic_code: "versamenti".parse().unwrap(),
        consultation_point: Some("RM-SPORTELLO".parse().unwrap()),
        channel: Some(Channel::InPresenza),
        office_code: Some("RM".parse().unwrap()),
        slot_start: Some("2026-12-07T09:00:00+01:00".parse().unwrap()),
        phone: "+39 347 555 1234".into(),
        notes: NOTES.into(),
        desk: Default::default(),
        step: Step::Pronto,
    };
    // Nothing cached and the service unreachable: the choices are kept as typed (the
    // service checks them when the booking is sent), never dropped.
    d.agenda.save_input(&input).await.unwrap();
    let drafts = d.agenda.draft_views().await.unwrap();
    assert_eq!(drafts.len(), 1);
    assert_eq!(drafts[0].input, input);
}
