//! The application layer against the real sandbox: the wizard's steps follow the catalog,
//! every appointment view carries the actions core's lifecycle allows, and the rules a
//! screen used to hold (the annulment reason's length, a reversed date range) are refused
//! here before anything is sent.

use agenda_client::app::{AppError, Booked, RequestError, Search, MAX_CANCEL_REASON_CHARS};
use agenda_client::AppointmentFilter;
use agenda_client::IdempotencyKey;
use agenda_core::{AppointmentStatus, Transition};

use crate::common::*;

/// A code of the service as its type (the wire still holds them as text).
fn code<T: std::str::FromStr>(text: &str) -> T
where
    T::Err: std::fmt::Debug,
{
    text.parse().unwrap()
}

/// The demo operator signed in on a fresh sandbox, and a communication bookable now.
struct Desk {
    agenda: agenda_client::Agenda,
    e: Eligible,
    _sandbox: Sandbox,
    _dir: TempDir,
    _keychain: Keychain,
}

impl Desk {
    async fn start() -> Self {
        let sandbox = Sandbox::start().await;
        let dir = TempDir::new();
        let keychain = Keychain::new();
        let agenda = agenda(&sandbox.url(), dir.path(), &keychain).await;
        let e = eligible(agenda.client()).await.remove(0);
        Self {
            agenda,
            e,
            _sandbox: sandbox,
            _dir: dir,
            _keychain: keychain,
        }
    }
}

#[tokio::test]
async fn the_wizard_steps_follow_the_catalog_and_views_carry_their_allowed_actions() {
    let Desk { agenda, e, .. } = &Desk::start().await;

    // Step 1: one kind per label and channel; step 2: each struttura with its own point.
    let options = agenda
        .wizard_options(&code(&e.communication.id))
        .await
        .unwrap();
    assert_eq!(options.topic.code, e.communication.topic_code);
    assert!(!options.points.is_empty());
    for (i, a) in options.points.iter().enumerate() {
        for b in &options.points[i + 1..] {
            assert!(
                a.label != b.label || a.channel != b.channel,
                "{} twice",
                a.label
            );
        }
    }
    let kind = &options.points[0];
    let offices = agenda
        .offices_for(&code(&options.topic.code), &code(&kind.code), None)
        .await
        .unwrap();
    assert!(!offices.is_empty());
    let catalog = agenda.catalog().await.unwrap();
    for office in &offices {
        let point = catalog.point(&office.point_code).unwrap();
        assert_eq!(
            point.office_code.as_deref(),
            Some(office.office.code.as_str())
        );
        assert_eq!((&point.label, point.channel), (&kind.label, kind.channel));
    }
    assert!(matches!(
        agenda
            .offices_for(&code(&options.topic.code), &code("NO-SUCH-POINT"), None)
            .await,
        Err(AppError::Request(RequestError::NotFound(_)))
    ));

    // Book through the facade, then read it back as views.
    let place = place(agenda.client(), &e.communication.topic_code).await;
    let wizard = ready_wizard(e, &place, 0, "+39 347 555 1234", NOTES);
    agenda.save_draft(&wizard).unwrap();
    let Booked::Appointment(held) = agenda
        .book_draft(&e.fiscal_code, &e.communication.id)
        .await
        .unwrap()
    else {
        panic!("the slot is held");
    };
    assert_eq!(held.status, AppointmentStatus::Prenotato);
    assert_eq!(
        held.allowed_actions,
        [Transition::Confirm, Transition::CancelHold]
    );
    assert_eq!(held.topic_label, options.topic.label);

    let confirmed = agenda.confirm_view(&held.id).await.unwrap();
    assert_eq!(confirmed.allowed_actions, [Transition::Cancel]);
    let detail = agenda.appointment_detail(&held.id).await.unwrap();
    assert_eq!(detail.appointment.allowed_actions, [Transition::Cancel]);
    assert_eq!(detail.office.unwrap().code, place.office);

    let long = "x".repeat(MAX_CANCEL_REASON_CHARS + 1);
    assert!(matches!(
        agenda.annul(&held.id, Some(&long)).await,
        Err(AppError::Request(RequestError::ReasonTooLong))
    ));
    let annulled = agenda
        .annul(&held.id, Some("  Impedimento  "))
        .await
        .unwrap();
    assert_eq!(annulled.status, AppointmentStatus::Annullato);
    assert!(annulled.allowed_actions.is_empty());

    let history = agenda
        .history(
            &e.fiscal_code,
            &AppointmentFilter::default(),
            &Search::default(),
            None,
        )
        .await
        .unwrap();
    let row = history.items.iter().find(|a| a.id == held.id).unwrap();
    assert!(row.allowed_actions.is_empty());
    let reversed = AppointmentFilter {
        from: chrono::NaiveDate::from_ymd_opt(2026, 12, 31),
        to: chrono::NaiveDate::from_ymd_opt(2026, 12, 1),
        ..AppointmentFilter::default()
    };
    assert!(matches!(
        agenda
            .history(&e.fiscal_code, &reversed, &Search::default(), None)
            .await,
        Err(AppError::Request(RequestError::DatesReversed))
    ));
}

#[tokio::test]
async fn a_draft_is_restored_against_the_real_catalog_and_slots_and_booked_in_one_request() {
    use agenda_core::{Step, WizardInput};
    let Desk { agenda, e, .. } = &Desk::start().await;
    let options = agenda
        .wizard_options(&code(&e.communication.id))
        .await
        .unwrap();
    let topic = options.topic.code.clone();
    // A kind offered at more than one struttura, chosen in step 1 by the code of the first.
    let mut chosen = None;
    for kind in &options.points {
        let offices = agenda
            .offices_for(&code(&topic), &code(&kind.code), None)
            .await
            .unwrap();
        if let Some(office) = offices.into_iter().find(|o| o.point_code != kind.code) {
            chosen = Some((kind.clone(), office));
            break;
        }
    }
    let (kind, office) = chosen.expect("the demo data offers a kind at two strutture");
    let today = chrono::Utc::now().date_naive();
    let slots = agenda
        .slots_for(
            &code(&office.office.code),
            &code(&kind.code),
            Some(&code(&topic)),
            Some(today),
            Some(today + chrono::Days::new(30)),
        )
        .await
        .unwrap();
    let free = slots.iter().find(|s| s.available).expect("a free slot");
    let input = WizardInput {
        fiscal_code: e.fiscal_code.clone(),
        communication_id: code(&e.communication.id),
        topic_code: code(&topic),
        consultation_point: Some(code(&kind.code)),
        channel: Some(kind.channel),
        office_code: Some(code(&office.office.code)),
        slot_start: Some(code(&agenda_client::wire::format_timestamp(&free.start))),
        phone: "+39 347 555 1234".into(),
        notes: NOTES.into(),
        desk: agenda_core::DeskFields {
            case_ref: Some(code("CNA/Pratica-42")),
        },
        step: Step::Pronto,
    };

    // A struttura that does not offer the kind is dropped: the draft waits at step 2.
    let mut elsewhere = input.clone();
    elsewhere.office_code = Some(code("NO-SUCH-OFFICE"));
    agenda.save_input(&elsewhere).await.unwrap();
    let drafts = agenda.draft_views().await.unwrap();
    assert_eq!(drafts.len(), 1);
    assert_eq!(drafts[0].input.step, Step::Struttura);
    assert_eq!(drafts[0].input.office_code, None);

    // A slot the last listing showed taken is dropped: the draft waits at step 3.
    if let Some(taken) = slots.iter().find(|s| !s.available) {
        let mut late = input.clone();
        late.slot_start = Some(code(&agenda_client::wire::format_timestamp(&taken.start)));
        agenda.save_input(&late).await.unwrap();
        let draft = agenda.draft_views().await.unwrap().remove(0);
        assert_eq!(
            (draft.input.step, draft.input.slot_start),
            (Step::DataOra, None)
        );
    }

    // The real thing books in one request, at the chosen struttura's own point.
    let Booked::Appointment(held) = agenda.book_input(&input).await.unwrap() else {
        panic!("the slot is held");
    };
    assert_eq!(held.consultation_point, office.point_code);
    assert_eq!(held.office_code, office.office.code);
    assert_eq!(held.start, free.start);

    // The riferimento pratica stays on this PC with the appointment: in its details, and
    // found by Cerca whatever the case (and by part of the identificativo).
    let detail = agenda.appointment_detail(&held.id).await.unwrap();
    assert_eq!(
        detail.appointment.desk.case_ref.as_deref(),
        Some("CNA/Pratica-42")
    );
    let all = AppointmentFilter::default();
    for (text, found) in [
        ("pratica-42", 1),
        (&held.id.as_str()[..6], 1),
        ("altra", 0),
        ("  ", usize::MAX),
    ] {
        let listed = agenda
            .history(&e.fiscal_code, &all, &Search::new(text), None)
            .await
            .unwrap()
            .items;
        let cached = agenda
            .cached_history(&e.fiscal_code, &all, &Search::new(text), None)
            .unwrap();
        assert_eq!(cached.total, Some(cached.items.len()), "{text:?}");
        assert_eq!(cached.items.len(), listed.len(), "{text:?}");
        if found == usize::MAX {
            assert!(listed.iter().any(|a| a.id == held.id), "blank finds all");
        } else {
            assert_eq!(listed.len(), found, "{text:?}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_desk_view_puts_holds_first_and_lists_requestable_threads_with_their_contributor() {
    let Desk { agenda, .. } = &Desk::start().await;
    // A thread that became requestable lately (the agenda lists the last two weeks').
    let since = chrono::Utc::now().date_naive()
        - chrono::Days::new(agenda_client::app::REQUESTABLE_SINCE_DAYS - 1);
    let e = &eligible(agenda.client())
        .await
        .into_iter()
        .find(|c| c.communication.appointment_request.allowed_from >= since)
        .expect("a thread requestable lately");
    // Nothing kept yet: the first screen waits for the service.
    assert!(agenda
        .cached_desk_view(agenda_client::app::DESK_DAYS)
        .unwrap()
        .is_none());
    let before = agenda
        .desk_view(agenda_client::app::DESK_DAYS)
        .await
        .unwrap();
    assert!(before.offered && !before.from_cache && before.synced_at.is_some());
    let thread = before
        .requestable
        .iter()
        .find(|r| r.communication.communication.id == e.communication.id)
        .expect("the eligible thread is requestable");
    assert_eq!(thread.contributor.fiscal_code, e.fiscal_code);
    assert!(!thread.communication.topic_label.is_empty());

    let place = place(agenda.client(), &e.communication.topic_code).await;
    let held = agenda
        .client()
        .create_booking(
            &agenda_client::IdempotencyKey::generate(),
            &booking(e, &place, 0),
        )
        .await
        .unwrap();
    let days = (place.slots[0].start.date_naive() - chrono::Utc::now().date_naive())
        .num_days()
        .max(0) as u64
        + 1;
    let after = agenda.desk_view(days).await.unwrap();
    let hold = after
        .holds
        .iter()
        .find(|h| h.id == held.id)
        .expect("the hold is among the holds");
    assert!(hold.allowed_actions.contains(&Transition::Confirm));
    assert_eq!(
        hold.provenance.contributor.as_ref().unwrap().fiscal_code,
        e.fiscal_code
    );
    assert!(after.appointments.iter().all(|a| a.id != held.id));
    assert!(after
        .requestable
        .iter()
        .all(|r| r.communication.communication.id != e.communication.id));

    // The next opening draws the kept copy at once, as it was, with no network.
    let kept = agenda.cached_desk_view(days).unwrap().expect("kept");
    assert!(kept.from_cache);
    assert_eq!(kept.synced_at, after.synced_at);
    let ids = |v: &[agenda_client::app::AppointmentView]| {
        v.iter().map(|a| a.id.clone()).collect::<Vec<_>>()
    };
    assert_eq!(ids(&kept.holds), ids(&after.holds));
    assert_eq!(ids(&kept.appointments), ids(&after.appointments));
    assert_eq!(kept.requestable.len(), after.requestable.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn riprogramma_moves_a_confirmed_appointment_and_the_view_links_the_old_one() {
    let Desk { agenda, e, .. } = &Desk::start().await;
    let place = place(agenda.client(), &e.communication.topic_code).await;
    let held = agenda
        .client()
        .create_booking(
            &agenda_client::IdempotencyKey::generate(),
            &booking(e, &place, 0),
        )
        .await
        .unwrap();
    let old = agenda.confirm_view(&held.id).await.unwrap();
    let start = code(&agenda_client::wire::format_timestamp(
        &place.slots[2].start,
    ));
    let new = agenda
        .reschedule_view(&old.id, &start, None, None)
        .await
        .unwrap();
    assert_eq!(new.status, AppointmentStatus::Confermato);
    assert_eq!(new.start, place.slots[2].start);
    assert_eq!(
        new.provenance.rescheduled_from.as_deref(),
        Some(old.id.as_str())
    );
    assert!(new.allowed_actions.contains(&Transition::Cancel));
    let before = agenda
        .appointment_detail(&old.id)
        .await
        .unwrap()
        .appointment;
    assert_eq!(before.status, AppointmentStatus::Annullato);
    assert_eq!(
        before.provenance.rescheduled_to.as_deref(),
        Some(new.id.as_str())
    );
    // The annulled one cannot move again.
    let again = agenda
        .reschedule_view(&old.id, &start, None, None)
        .await
        .unwrap_err();
    assert_eq!(again.code(), "invalid_state");
}

#[tokio::test]
async fn the_history_opens_from_the_cache_and_fetches_only_what_changed() {
    let Desk {
        agenda,
        e,
        _sandbox: sandbox,
        _keychain: keychain,
        ..
    } = &Desk::start().await;
    let all = AppointmentFilter::default();

    // Never synced: the cache has nothing, and says so; the first refresh fetches it all.
    let cold = agenda
        .cached_history(&e.fiscal_code, &all, &Search::default(), None)
        .unwrap();
    assert!(cold.items.is_empty() && cold.from_cache && cold.synced_at.is_none());
    let first = agenda
        .history(&e.fiscal_code, &all, &Search::default(), None)
        .await
        .unwrap();
    assert!(!first.unchanged && first.synced_at.is_some());

    // The cached copy is what the refresh gave, at once.
    let cached = agenda
        .cached_history(&e.fiscal_code, &all, &Search::default(), None)
        .unwrap();
    let ids = |items: &[agenda_client::app::AppointmentView]| {
        items.iter().map(|a| a.id.clone()).collect::<Vec<_>>()
    };
    assert_eq!(ids(&cached.items), ids(&first.items));
    assert_eq!(cached.synced_at, first.synced_at);
    assert_eq!(cached.total, Some(first.items.len()));
    // Its first part only, for the first paint: the newest, and how many there are.
    let part = agenda
        .cached_history(&e.fiscal_code, &all, &Search::default(), Some(1))
        .unwrap();
    assert_eq!(ids(&part.items), ids(&first.items[..1]));
    assert_eq!(part.total, Some(first.items.len()));

    // Nothing changed: the screen that drew the cache keeps it, no items travel.
    let again = agenda
        .history(&e.fiscal_code, &all, &Search::default(), cached.synced_at)
        .await
        .unwrap();
    assert!(again.unchanged && again.items.is_empty(), "{again:?}");

    // Another desk books for the same person: the next refresh brings just that change.
    let other = signed_in(&sandbox.url(), keychain).await;
    let place = place(&other, &e.communication.topic_code).await;
    let held = other
        .create_booking(&IdempotencyKey::generate(), &booking(e, &place, 0))
        .await
        .unwrap();
    let after = agenda
        .history(&e.fiscal_code, &all, &Search::default(), again.synced_at)
        .await
        .unwrap();
    assert!(!after.unchanged);
    assert_eq!(after.items.len(), first.items.len() + 1);
    let row = after.items.iter().find(|a| a.id == held.id).unwrap();
    assert_eq!(row.status, AppointmentStatus::Prenotato);
    assert_eq!(
        ids(&agenda
            .cached_history(&e.fiscal_code, &all, &Search::default(), None)
            .unwrap()
            .items),
        ids(&after.items)
    );

    // Released elsewhere too: merged in place, not added twice.
    other.cancel_hold(&held.id).await.unwrap();
    let released = agenda
        .history(&e.fiscal_code, &all, &Search::default(), after.synced_at)
        .await
        .unwrap();
    assert_eq!(released.items.len(), after.items.len());
    let row = released.items.iter().find(|a| a.id == held.id).unwrap();
    assert_eq!(row.status, AppointmentStatus::PrenotazioneCancellata);
}

#[tokio::test]
async fn step_2_lists_the_strutture_of_the_contributors_province_first() {
    let Desk { agenda, .. } = &Desk::start().await;
    // Rossi Mario's last appointment was at the Rome directorate.
    let rossi: agenda_core::FiscalCode =
        agenda_sandbox::seed::ELIGIBLE_FISCAL_CODE.parse().unwrap();
    let options = agenda
        .wizard_options(&code(agenda_sandbox::seed::ELIGIBLE_COMMUNICATION))
        .await
        .unwrap();
    let kind = options
        .points
        .iter()
        .find(|p| p.channel == agenda_core::Channel::InPresenza)
        .unwrap();
    let topic = code(&options.topic.code);
    let point = code(&kind.code);

    // Nothing known about the person yet: no province is preferred.
    let plain = agenda
        .offices_for(&topic, &point, Some(&rossi))
        .await
        .unwrap();
    assert!(plain.iter().all(|o| !o.in_home_province));

    agenda
        .history(
            &rossi,
            &AppointmentFilter::default(),
            &Search::default(),
            None,
        )
        .await
        .unwrap();
    let offices = agenda
        .offices_for(&topic, &point, Some(&rossi))
        .await
        .unwrap();
    let home: Vec<_> = offices.iter().take_while(|o| o.in_home_province).collect();
    assert!(
        home.len() >= 2,
        "the Roman strutture come first: {offices:?}"
    );
    assert!(home.iter().all(|o| o.office.province == "RM"));
    assert!(offices[home.len()..]
        .iter()
        .all(|o| !o.in_home_province && o.office.province != "RM"));
    assert_eq!(offices.len(), plain.len(), "the same strutture, reordered");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_receipt_is_for_a_confirmed_appointment_and_the_calendar_follows_a_reschedule() {
    use agenda_export::Lang;
    let Desk { agenda, e, .. } = &Desk::start().await;
    let place = place(agenda.client(), &e.communication.topic_code).await;
    let held = agenda
        .client()
        .create_booking(&IdempotencyKey::generate(), &booking(e, &place, 0))
        .await
        .unwrap();
    // A hold has no receipt yet: only Conferma Appuntamento makes it an appointment.
    let refused = agenda.receipt_file(&held.id, Lang::It).await.unwrap_err();
    assert!(
        matches!(refused, AppError::Request(RequestError::NotConfirmed)),
        "{refused:?}"
    );
    assert_eq!(refused.code(), "invalid_state");

    let old = agenda.confirm_view(&held.id).await.unwrap();
    let receipt = agenda.receipt_file(&old.id, Lang::It).await.unwrap();
    assert_eq!(
        receipt.file_name,
        format!("ricevuta-{}.pdf", old.id.as_str())
    );
    assert!(receipt.bytes.starts_with(b"%PDF-"));
    let english = agenda.receipt_file(&old.id, Lang::En).await.unwrap();
    assert_eq!(
        english.file_name,
        format!("receipt-{}.pdf", old.id.as_str())
    );

    let first = agenda
        .calendar_file(std::slice::from_ref(&old.id), Lang::It)
        .await
        .unwrap();
    let first = String::from_utf8(first.bytes).unwrap();
    assert!(first.contains(&format!("UID:{}\r\n", old.id.as_str())));
    assert!(first.contains("SEQUENCE:0\r\n") && first.contains("METHOD:PUBLISH\r\n"));
    assert!(first.contains("DTSTART;TZID=Europe/Rome:"));

    // Riprogramma: a new identificativo; the event keeps the first one's UID, one step on.
    let start = code(&agenda_client::wire::format_timestamp(
        &place.slots[2].start,
    ));
    let new = agenda
        .reschedule_view(&old.id, &start, None, None)
        .await
        .unwrap();
    let moved = agenda
        .calendar_file(std::slice::from_ref(&new.id), Lang::It)
        .await
        .unwrap();
    assert_eq!(
        moved.file_name,
        format!("appuntamento-{}.ics", new.id.as_str())
    );
    let moved = String::from_utf8(moved.bytes).unwrap();
    assert!(
        moved.contains(&format!("UID:{}\r\n", old.id.as_str())),
        "{moved}"
    );
    assert!(moved.contains("SEQUENCE:1\r\n"), "{moved}");
    assert!(moved.contains(new.id.as_str()));
    // The old identificativo stands for where it went.
    let via_old = agenda
        .calendar_file(std::slice::from_ref(&old.id), Lang::It)
        .await
        .unwrap();
    assert_eq!(
        String::from_utf8(via_old.bytes)
            .unwrap()
            .matches("BEGIN:VEVENT")
            .count(),
        1
    );
    // A list leaves out what a reschedule replaced: one event, not two with one UID.
    let list = agenda
        .calendar_file(&[old.id.clone(), new.id.clone()], Lang::It)
        .await
        .unwrap();
    let list = String::from_utf8(list.bytes).unwrap();
    assert_eq!(list.matches("BEGIN:VEVENT").count(), 1, "{list}");

    // Annulled: the file cancels the event.
    let annulled = agenda.annul(&new.id, None).await.unwrap();
    assert_eq!(annulled.status, AppointmentStatus::Annullato);
    let cancel = agenda
        .calendar_file(std::slice::from_ref(&new.id), Lang::It)
        .await
        .unwrap();
    let cancel = String::from_utf8(cancel.bytes).unwrap();
    assert!(cancel.contains("METHOD:CANCEL\r\n") && cancel.contains("STATUS:CANCELLED\r\n"));
    assert!(cancel.contains(&format!("UID:{}\r\n", old.id.as_str())));

    let none = agenda.calendar_file(&[], Lang::It).await.unwrap_err();
    assert_eq!(none.code(), "validation");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reminders_warn_of_a_lapsing_hold_once_and_announce_the_operators_next_day() {
    use agenda_client::app::ReminderRunner;
    use agenda_core::reminders::{Reminder, ReminderSettings};
    use chrono::{Duration, TimeZone, Utc};
    let Desk { agenda, e, .. } = &Desk::start().await;
    let place = place(agenda.client(), &e.communication.topic_code).await;
    let held = agenda
        .client()
        .create_booking(&IdempotencyKey::generate(), &booking(e, &place, 0))
        .await
        .unwrap();
    let expires_at = held.hold_expires_at.unwrap().with_timezone(&Utc);
    let quiet = ReminderSettings {
        daily: false,
        ..ReminderSettings::default()
    };
    let mut runner = ReminderRunner::default();
    // Eight minutes left: nothing; 90 seconds left with the window in front: nothing.
    let early = runner
        .due(agenda, expires_at - Duration::minutes(8), false, &quiet)
        .await
        .unwrap();
    assert!(early.is_empty(), "{early:?}");
    let near = expires_at - Duration::seconds(90);
    assert!(runner
        .due(agenda, near, true, &quiet)
        .await
        .unwrap()
        .is_empty());
    // Behind another program: warned once, with the first name only.
    let due = runner.due(agenda, near, false, &quiet).await.unwrap();
    let [Reminder::HoldExpiring(hold)] = due.as_slice() else {
        panic!("one hold reminder: {due:?}");
    };
    assert_eq!(hold.id, held.id);
    assert!(!hold.first_name.is_empty() && !hold.first_name.contains(' '));
    assert!(runner
        .due(agenda, near, false, &quiet)
        .await
        .unwrap()
        .is_empty());

    // Confirmed, it is the operator's own appointment of its day: announced the day before
    // at the opening time, once.
    agenda.confirm_view(&held.id).await.unwrap();
    let day = agenda_core::time::rome_date(held.start.with_timezone(&Utc));
    let eve = day.pred_opt().unwrap().and_hms_opt(9, 0, 0).unwrap();
    let eve = agenda_core::time::ROME
        .from_local_datetime(&eve)
        .single()
        .unwrap()
        .with_timezone(&Utc);
    let settings = ReminderSettings::default();
    let mut runner = ReminderRunner::default();
    let due = runner.due(agenda, eve, true, &settings).await.unwrap();
    let [Reminder::Tomorrow { date, items }] = due.as_slice() else {
        panic!("the day's reminder: {due:?}");
    };
    assert_eq!(*date, day);
    assert!(items.iter().any(|i| i.id == held.id));
    let later = eve + Duration::hours(2);
    assert!(runner
        .due(agenda, later, true, &settings)
        .await
        .unwrap()
        .is_empty());
}
