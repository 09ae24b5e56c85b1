//! Every call against the real sandbox: happy paths and problem paths.

use std::time::Duration;

use agenda_client::{
    ApiError, AppointmentFilter, IdempotencyKey, PageRequest, Secret, SlotQuery, TokenStore,
};
use agenda_core::{AppointmentId, AppointmentStatus, FiscalCode, Notes};
use agenda_sandbox::seed::{
    DEMO_USERNAME, ELIGIBLE_COMMUNICATION, ELIGIBLE_FISCAL_CODE, EXPIRED_DELEGATION_FISCAL_CODE,
    NON_ACCOLTA_COMMUNICATION, NOT_YET_COMMUNICATION, NOT_YET_FISCAL_CODE,
    NO_DELEGATION_FISCAL_CODE, OMOCODIC_FISCAL_CODE,
};

use crate::common::*;

fn code(result: Result<impl std::fmt::Debug, ApiError>) -> String {
    result.unwrap_err().code().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_credentials_are_refused_and_repeated_failures_lock_the_username() {
    let sandbox = Sandbox::start().await;
    let keychain = Keychain::new();
    let client = client(&sandbox.url(), &keychain);
    let wrong = Secret::new("sbagliata");
    for _ in 0..5 {
        let err = client.sign_in(DEMO_USERNAME, &wrong).await.unwrap_err();
        assert_eq!(err.code(), "invalid_credentials");
        assert_eq!(err.status(), Some(401));
        assert!(!err.is_retryable());
    }
    // The sixth answer is 429 with a Retry-After far beyond the policy: returned at once,
    // with the wait for the UI.
    let started = std::time::Instant::now();
    let err = client.sign_in(DEMO_USERNAME, &wrong).await.unwrap_err();
    assert_eq!(err.status(), Some(429), "{err:?}");
    let retry_after = err.problem().unwrap().retry_after.expect("Retry-After");
    assert!(retry_after > Duration::from_secs(60), "{retry_after:?}");
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(client.operator().await.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_returns_the_operator_and_sign_out_revokes_the_session() {
    let sandbox = Sandbox::start().await;
    let keychain = Keychain::new();
    let client = signed_in(&sandbox.url(), &keychain).await;
    let operator = client.operator().await.unwrap();
    assert!(!operator.display_name.is_empty());
    assert!(client.topics().await.is_ok());
    assert!(keychain.token_store().get().unwrap().is_some());

    assert!(
        client.sign_out().await.unwrap(),
        "the service confirmed the revocation"
    );
    assert!(keychain.token_store().get().unwrap().is_none());
    assert_eq!(code(client.topics().await), "unauthorized");
    // A new client (the app restarted) finds nobody signed in.
    let restarted = crate::common::client(&sandbox.url(), &keychain);
    assert_eq!(restarted.resume().await.unwrap(), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_without_a_session_ask_to_sign_in() {
    let sandbox = Sandbox::start().await;
    let keychain = Keychain::new();
    let client = client(&sandbox.url(), &keychain);
    let err = client.topics().await.unwrap_err();
    assert!(err.needs_sign_in(), "{err:?}");
    assert_eq!(err.code(), "unauthorized");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contributors_page_with_cursors_and_search_like_the_contract() {
    let sandbox = Sandbox::start().await;
    let keychain = Keychain::new();
    let client = signed_in(&sandbox.url(), &keychain).await;

    let all = client.all_contributors(None).await.unwrap();
    assert!(all.len() >= 20, "{}", all.len());
    let mut paged = Vec::new();
    let mut page = PageRequest {
        limit: Some(7),
        cursor: None,
    };
    loop {
        let answer = client.contributors(None, &page).await.unwrap();
        assert!(answer.items.len() <= 7);
        paged.extend(answer.items);
        match answer.next_cursor {
            Some(cursor) => page.cursor = Some(cursor),
            None => break,
        }
    }
    assert_eq!(paged, all);

    let rossi = client.all_contributors(Some("rss")).await.unwrap();
    assert!(rossi
        .iter()
        .all(|c| c.fiscal_code.as_str().starts_with("RSS")
            || c.display_name.to_lowercase().contains("rss")));
    assert!(rossi
        .iter()
        .any(|c| c.fiscal_code.as_str() == ELIGIBLE_FISCAL_CODE));

    let omocodic = FiscalCode::parse(OMOCODIC_FISCAL_CODE).unwrap();
    assert_eq!(
        client.contributor(&omocodic).await.unwrap().fiscal_code,
        omocodic
    );

    let check = |fc: &str| FiscalCode::parse(fc).unwrap();
    assert_eq!(
        code(client.contributor(&check(NO_DELEGATION_FISCAL_CODE)).await),
        "no_delegation"
    );
    assert_eq!(
        code(
            client
                .contributor(&check(EXPIRED_DELEGATION_FISCAL_CODE))
                .await
        ),
        "no_delegation"
    );
    let unknown = FiscalCode::encode(
        "Nessuno",
        "Ignoto",
        chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap(),
        agenda_core::Sex::Male,
        "H501",
    )
    .unwrap();
    let err = client.contributor(&unknown).await.unwrap_err();
    assert_eq!(err.status(), Some(404), "{err:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reference_data_lists_topics_offices_and_points() {
    let sandbox = Sandbox::start().await;
    let keychain = Keychain::new();
    let client = signed_in(&sandbox.url(), &keychain).await;

    let topics = client.topics().await.unwrap();
    assert!(topics.len() >= 3);
    assert!(topics.iter().any(|t| t.appointment_after_days == 0));
    assert!(topics.iter().any(|t| t.appointment_after_days >= 30));

    let offices = client.offices(None).await.unwrap();
    assert!(offices.len() >= 10);
    let province = offices[0].province.clone();
    let some = client.offices(Some(&province)).await.unwrap();
    assert!(!some.is_empty() && some.iter().all(|o| o.province == province));

    let points = client.consultation_points(None, None).await.unwrap();
    let channels: std::collections::HashSet<_> = points.iter().map(|p| p.channel).collect();
    assert_eq!(channels.len(), 3, "all three channels are offered");
    let office = points[0].office_code.clone().unwrap();
    let of_office = client
        .consultation_points(None, Some(&office))
        .await
        .unwrap();
    assert!(of_office
        .iter()
        .all(|p| p.office_code.as_deref() == Some(office.as_str())));
    let topic = &topics[0].code;
    let of_topic = client.consultation_points(Some(topic), None).await.unwrap();
    assert!(!of_topic.is_empty() && of_topic.len() <= points.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn communications_list_their_eligibility_and_threads_their_messages() {
    let sandbox = Sandbox::start().await;
    let keychain = Keychain::new();
    let client = signed_in(&sandbox.url(), &keychain).await;

    let eligible_fc = FiscalCode::parse(ELIGIBLE_FISCAL_CODE).unwrap();
    let list = client.all_communications(&eligible_fc).await.unwrap();
    let first = list
        .iter()
        .find(|c| c.id == ELIGIBLE_COMMUNICATION)
        .unwrap();
    assert!(first.appointment_request.allowed);

    let not_yet_fc = FiscalCode::parse(NOT_YET_FISCAL_CODE).unwrap();
    let not_yet = client
        .all_communications(&not_yet_fc)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.id == NOT_YET_COMMUNICATION)
        .unwrap();
    assert!(!not_yet.appointment_request.allowed);
    assert!(not_yet.appointment_request.allowed_from > chrono::Utc::now().date_naive());

    let one_page = client
        .communications(
            &eligible_fc,
            &PageRequest {
                limit: Some(1),
                cursor: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(one_page.items.len(), 1);

    let thread = client.communication(ELIGIBLE_COMMUNICATION).await.unwrap();
    assert_eq!(thread.communication.id, ELIGIBLE_COMMUNICATION);
    assert!(!thread.messages.is_empty());
    assert_eq!(
        code(client.communication("CM-999999").await),
        "communication_not_found"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slots_need_an_office_and_a_point_and_respect_the_notice() {
    let sandbox = Sandbox::start().await;
    let keychain = Keychain::new();
    let client = signed_in(&sandbox.url(), &keychain).await;
    let topics = client.topics().await.unwrap();
    let place = place(&client, &topics[0].code).await;
    let tomorrow = chrono::Utc::now() + chrono::Duration::hours(24);
    assert!(place
        .slots
        .iter()
        .all(|s| s.start > tomorrow - chrono::Duration::minutes(1)));
    assert!(place.slots.windows(2).all(|w| w[0].start < w[1].start));

    let missing = client
        .slots(&SlotQuery {
            office: String::new(),
            consultation_point: place.point.code.clone(),
            topic: None,
            from: None,
            to: None,
        })
        .await
        .unwrap_err();
    assert_eq!(
        (missing.status(), missing.code()),
        (Some(400), "missing_parameter")
    );
    let unknown = client
        .slots(&SlotQuery {
            office: "XX99".to_owned(),
            consultation_point: place.point.code.clone(),
            topic: None,
            from: None,
            to: None,
        })
        .await
        .unwrap_err();
    assert_eq!(unknown.status(), Some(404), "{unknown:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_booking_holds_confirms_and_cancels_through_its_whole_lifecycle() {
    let sandbox = Sandbox::start().await;
    let keychain = Keychain::new();
    let client = signed_in(&sandbox.url(), &keychain).await;
    let eligible = eligible(&client).await;
    let (e, rival) = pair_on_one_topic(&eligible);
    let place = place(&client, &e.communication.topic_code).await;
    let key = IdempotencyKey::generate();
    let body = booking(e, &place, 0);

    let held = client.create_booking(&key, &body).await.unwrap();
    assert_eq!(held.status, AppointmentStatus::Prenotato);
    assert!(held.hold_expires_at.is_some());
    assert_eq!(held.start, place.slots[0].start);
    assert_eq!(held.phone, phone());

    // Same key, same body: the first answer again. Same key, other body: refused.
    let replay = client.create_booking(&key, &body).await.unwrap();
    assert_eq!(replay.id, held.id);
    let mut other = body.clone();
    other.notes = Notes::parse("altro testo").unwrap();
    assert_eq!(
        code(client.create_booking(&key, &other).await),
        "idempotency_key_reused"
    );
    // A new key for the same communication: already booked.
    assert_eq!(
        code(
            client
                .create_booking(&IdempotencyKey::generate(), &body)
                .await
        ),
        "already_booked"
    );

    let confirmed = client.confirm_booking(&held.id).await.unwrap();
    assert_eq!(confirmed.status, AppointmentStatus::Confermato);
    assert_eq!(confirmed.hold_expires_at, None);
    let again = client.confirm_booking(&held.id).await.unwrap();
    assert_eq!(
        again.status,
        AppointmentStatus::Confermato,
        "confirming twice is fine"
    );
    assert_eq!(code(client.cancel_hold(&held.id).await), "invalid_state");

    let fetched = client.appointment(&held.id).await.unwrap();
    assert_eq!(fetched.status, AppointmentStatus::Confermato);
    let history = client
        .all_appointments(
            &e.fiscal_code,
            &AppointmentFilter {
                status: Some(AppointmentStatus::Confermato),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(history.iter().any(|a| a.id == held.id));
    assert!(history
        .iter()
        .all(|a| a.status == AppointmentStatus::Confermato));

    let cancelled = client
        .cancel_appointment(&held.id, Some("Il contribuente non può venire"))
        .await
        .unwrap();
    assert_eq!(cancelled.status, AppointmentStatus::Annullato);
    assert_eq!(
        code(client.cancel_appointment(&held.id, None).await),
        "invalid_state"
    );
    assert_eq!(
        code(client.confirm_booking(&held.id).await),
        "invalid_state"
    );

    // The slot is free again for another communication.
    let second = rival;
    let again = client
        .create_booking(&IdempotencyKey::generate(), &booking(second, &place, 0))
        .await
        .unwrap();
    assert_eq!(again.status, AppointmentStatus::Prenotato);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_released_hold_frees_the_slot_and_cannot_be_confirmed() {
    let sandbox = Sandbox::start().await;
    let keychain = Keychain::new();
    let client = signed_in(&sandbox.url(), &keychain).await;
    let eligible = eligible(&client).await;
    let e = &eligible[0];
    let place = place(&client, &e.communication.topic_code).await;
    let held = client
        .create_booking(&IdempotencyKey::generate(), &booking(e, &place, 1))
        .await
        .unwrap();
    let released = client.cancel_hold(&held.id).await.unwrap();
    assert_eq!(released.status, AppointmentStatus::PrenotazioneCancellata);
    assert_eq!(code(client.cancel_hold(&held.id).await), "invalid_state");
    assert_eq!(
        code(client.confirm_booking(&held.id).await),
        "invalid_state"
    );
    // The communication can be booked again.
    let again = client
        .create_booking(&IdempotencyKey::generate(), &booking(e, &place, 1))
        .await
        .unwrap();
    assert_eq!(again.status, AppointmentStatus::Prenotato);
    assert_ne!(again.id, held.id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_taken_slot_is_refused_with_the_nearest_alternatives() {
    let sandbox = Sandbox::start().await;
    let keychain = Keychain::new();
    let client = signed_in(&sandbox.url(), &keychain).await;
    let eligible = eligible(&client).await;
    let (first, second) = pair_on_one_topic(&eligible);
    let place = place(&client, &first.communication.topic_code).await;
    client
        .create_booking(&IdempotencyKey::generate(), &booking(first, &place, 0))
        .await
        .unwrap();
    let err = client
        .create_booking(&IdempotencyKey::generate(), &booking(second, &place, 0))
        .await
        .unwrap_err();
    let problem = err.problem().expect("a problem");
    assert_eq!((problem.status, problem.code.as_str()), (409, "slot_taken"));
    assert!(!problem.alternatives.is_empty() && problem.alternatives.len() <= 5);
    assert!(problem
        .alternatives
        .iter()
        .all(|s| s.start != place.slots[0].start && s.available));
    assert!(!err.is_retryable());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_communication_not_yet_eligible_is_refused_with_its_first_allowed_day() {
    let sandbox = Sandbox::start().await;
    let keychain = Keychain::new();
    let client = signed_in(&sandbox.url(), &keychain).await;
    let fc = FiscalCode::parse(NOT_YET_FISCAL_CODE).unwrap();
    let communication = client
        .all_communications(&fc)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.id == NOT_YET_COMMUNICATION)
        .unwrap();
    let e = Eligible {
        fiscal_code: fc,
        communication: communication.clone(),
    };
    let place = place(&client, &communication.topic_code).await;
    let err = client
        .create_booking(&IdempotencyKey::generate(), &booking(&e, &place, 0))
        .await
        .unwrap_err();
    let problem = err.problem().expect("a problem");
    assert_eq!(
        (problem.status, problem.code.as_str()),
        (422, "not_eligible_yet")
    );
    assert_eq!(
        problem.allowed_from,
        Some(communication.appointment_request.allowed_from)
    );

    // A contributor without delegation cannot be booked for.
    let mut stranger = booking(&e, &place, 0);
    stranger.fiscal_code = FiscalCode::parse(NO_DELEGATION_FISCAL_CODE).unwrap();
    stranger.communication_id = NON_ACCOLTA_COMMUNICATION.to_owned();
    let err = client
        .create_booking(&IdempotencyKey::generate(), &stranger)
        .await
        .unwrap_err();
    assert_eq!((err.status(), err.code()), (Some(403), "no_delegation"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unconfirmed_hold_expires_and_can_no_longer_be_confirmed() {
    let sandbox = Sandbox::with_hold_ttl(Duration::from_secs(1)).await;
    let keychain = Keychain::new();
    let client = signed_in(&sandbox.url(), &keychain).await;
    let eligible = eligible(&client).await;
    let e = &eligible[0];
    let place = place(&client, &e.communication.topic_code).await;
    let held = client
        .create_booking(&IdempotencyKey::generate(), &booking(e, &place, 0))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(2200)).await;
    assert_eq!(code(client.confirm_booking(&held.id).await), "hold_expired");
    let now = client.appointment(&held.id).await.unwrap();
    assert_eq!(now.status, AppointmentStatus::Scaduto);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_appointments_are_not_found() {
    let sandbox = Sandbox::start().await;
    let keychain = Keychain::new();
    let client = signed_in(&sandbox.url(), &keychain).await;
    let id = AppointmentId::from_random([7; 8]);
    assert_eq!(
        client.appointment(&id).await.unwrap_err().status(),
        Some(404)
    );
    assert_eq!(
        client.confirm_booking(&id).await.unwrap_err().status(),
        Some(404)
    );
    assert_eq!(
        client.cancel_hold(&id).await.unwrap_err().status(),
        Some(404)
    );
    assert_eq!(
        client
            .cancel_appointment(&id, None)
            .await
            .unwrap_err()
            .status(),
        Some(404)
    );
}
