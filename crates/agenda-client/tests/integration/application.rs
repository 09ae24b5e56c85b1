//! The application layer against the real sandbox: the wizard's steps follow the catalog,
//! every appointment view carries the actions core's lifecycle allows, and the rules a
//! screen used to hold (the annulment reason's length, a reversed date range) are refused
//! here before anything is sent.

use agenda_client::app::{AppError, Booked, RequestError, MAX_CANCEL_REASON_CHARS};
use agenda_client::AppointmentFilter;
use agenda_core::{AppointmentStatus, Transition};

use crate::common::*;

#[tokio::test]
async fn the_wizard_steps_follow_the_catalog_and_views_carry_their_allowed_actions() {
    let sandbox = Sandbox::start().await;
    let dir = TempDir::new();
    let keychain = Keychain::new();
    let agenda = agenda(&sandbox.url(), dir.path(), &keychain).await;
    let e = eligible(agenda.client()).await.remove(0);

    // Step 1: one kind per label and channel; step 2: each struttura with its own point.
    let options = agenda.wizard_options(&e.communication.id).await.unwrap();
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
        .offices_for(&options.topic.code, &kind.code)
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
            .offices_for(&options.topic.code, "NO-SUCH-POINT")
            .await,
        Err(AppError::Request(RequestError::NotFound(_)))
    ));

    // Book through the facade, then read it back as views.
    let place = place(agenda.client(), &e.communication.topic_code).await;
    let wizard = ready_wizard(&e, &place, 0, "+39 347 555 1234", NOTES);
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
        .history(&e.fiscal_code, &AppointmentFilter::default())
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
        agenda.history(&e.fiscal_code, &reversed).await,
        Err(AppError::Request(RequestError::DatesReversed))
    ));
}
