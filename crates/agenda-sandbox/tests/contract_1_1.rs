//! Contract 1.1 through the router: the desk agenda, the threads requestable across
//! contributors, and the atomic reschedule (`booked_by`, `cancel_reason`,
//! `rescheduled_from`/`rescheduled_to`, `contributor` on each appointment).

mod common;

use agenda_sandbox::seed::{
    ELIGIBLE_COMMUNICATION, ELIGIBLE_FISCAL_CODE, EXPIRED_DELEGATION_FISCAL_CODE,
    NON_ACCOLTA_COMMUNICATION, NON_ACCOLTA_FISCAL_CODE, NOT_YET_COMMUNICATION,
    NO_DELEGATION_FISCAL_CODE, SECOND_PASSWORD, SECOND_USERNAME,
};
use axum::http::{Method, StatusCode};
use common::{booking, Reply, TestApp};
use serde_json::{json, Value};

fn assert_problem(reply: &Reply, status: u16, code: &str) {
    assert_eq!(reply.status.as_u16(), status, "{:?}", reply.body);
    assert_eq!(reply.code(), code, "{:?}", reply.body);
}

fn id_of(reply: &Reply) -> String {
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    reply.body["id"].as_str().unwrap().to_owned()
}

/// Holds the first free sportello slot for Rossi's eligible thread; confirms it if asked.
async fn rossi(app: &TestApp, token: &str, key: &str, confirm: bool) -> (String, String) {
    let slot = app.first_free_slot(token, "RM-DP", "RM-DP-SPORTELLO").await;
    let body = booking(
        ELIGIBLE_COMMUNICATION,
        ELIGIBLE_FISCAL_CODE,
        "anagrafica",
        &slot,
    );
    let id = id_of(&app.book(token, key, &body).await);
    if confirm {
        confirm_booking(app, token, &id).await;
    }
    (id, slot)
}

/// Holds the first free sportello slot for the non-accolta thread; confirms it if asked.
async fn esposito(app: &TestApp, token: &str, key: &str, confirm: bool) -> (String, String) {
    let slot = app.first_free_slot(token, "RM-DP", "RM-DP-SPORTELLO").await;
    let body = booking(
        NON_ACCOLTA_COMMUNICATION,
        NON_ACCOLTA_FISCAL_CODE,
        "rimborsi",
        &slot,
    );
    let id = id_of(&app.book(token, key, &body).await);
    if confirm {
        confirm_booking(app, token, &id).await;
    }
    (id, slot)
}

async fn confirm_booking(app: &TestApp, token: &str, id: &str) {
    let reply = app
        .call(
            Method::POST,
            &format!("/bookings/{id}/confirm"),
            Some(token),
            None,
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
}

async fn reschedule(app: &TestApp, token: &str, id: &str, key: &str, body: Value) -> Reply {
    app.call(
        Method::POST,
        &format!("/appointments/{id}/reschedule"),
        Some(token),
        Some(key),
        Some(body),
    )
    .await
}

/// Every item of a paged list, following `next_cursor` with `limit` items a page.
async fn all_pages(app: &TestApp, token: &str, path: &str, limit: u32) -> Vec<Value> {
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    let join = if path.contains('?') { '&' } else { '?' };
    for _ in 0..200 {
        let url = match &cursor {
            Some(c) => format!("{path}{join}limit={limit}&cursor={c}"),
            None => format!("{path}{join}limit={limit}"),
        };
        let reply = app.get(&url, token).await;
        assert_eq!(reply.status, StatusCode::OK, "{url}: {:?}", reply.body);
        items.extend(reply.body["items"].as_array().unwrap().iter().cloned());
        match reply.body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return items,
        }
    }
    panic!("endless cursors on {path}");
}

fn ids(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect()
}

// ---------------------------------------------------------------- desk agenda

#[tokio::test]
async fn the_desk_agenda_lists_delegated_appointments_earliest_first_with_filters_and_pages() {
    let app = TestApp::new().await;
    let token = app.login().await;
    let (confirmed, _) = rossi(&app, &token, "1", true).await;
    let (held, _) = esposito(&app, &token, "2", false).await;

    let agenda = app.get("/appointments", &token).await;
    assert_eq!(agenda.status, StatusCode::OK, "{:?}", agenda.body);
    let items = agenda.body["items"].as_array().unwrap().clone();
    let listed = ids(&items);
    assert!(
        listed.contains(&confirmed) && listed.contains(&held),
        "{listed:?}"
    );
    let starts: Vec<&str> = items.iter().map(|i| i["start"].as_str().unwrap()).collect();
    let mut sorted = starts.clone();
    sorted.sort_by_key(|s| chrono::DateTime::parse_from_rfc3339(s).unwrap());
    assert_eq!(starts, sorted, "earliest start first");
    let ours = items
        .iter()
        .find(|i| i["id"] == confirmed.as_str())
        .unwrap();
    assert_eq!(ours["contributor"]["fiscal_code"], ELIGIBLE_FISCAL_CODE);
    assert!(!ours["contributor"]["display_name"]
        .as_str()
        .unwrap()
        .is_empty());
    assert_eq!(ours["booked_by"]["operator_id"], "op-demo");
    assert_eq!(ours["rescheduled_from"], Value::Null);

    // Filters: one status, repeated statuses, a comma list.
    let only = |reply: Reply| ids(reply.body["items"].as_array().unwrap());
    let holds = only(app.get("/appointments?status=prenotato", &token).await);
    assert!(holds.contains(&held) && !holds.contains(&confirmed));
    let both = only(
        app.get("/appointments?status=prenotato&status=confermato", &token)
            .await,
    );
    assert!(both.contains(&held) && both.contains(&confirmed));
    assert_eq!(
        both,
        only(
            app.get("/appointments?status=prenotato,confermato", &token)
                .await
        )
    );
    // A day range that ends before the appointments: nothing of ours.
    let yesterday = only(
        app.get("/appointments?from=2026-11-01&to=2026-11-25", &token)
            .await,
    );
    assert!(!yesterday.contains(&held) && !yesterday.contains(&confirmed));

    // Paging one at a time gives the same list, in the same order.
    assert_eq!(
        ids(&all_pages(&app, &token, "/appointments", 1).await),
        listed
    );

    // Bad parameters.
    for query in [
        "from=2026-12-10&to=2026-12-01",
        "status=nessuno",
        "from=ieri",
        "limit=0",
    ] {
        assert_problem(
            &app.get(&format!("/appointments?{query}"), &token).await,
            400,
            "invalid_parameter",
        );
    }

    // Another operator's agenda has none of demo's contributors.
    let other = app.login_as(SECOND_USERNAME, SECOND_PASSWORD).await.body["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let theirs = only(app.get("/appointments", &other).await);
    assert!(!theirs.contains(&held) && !theirs.contains(&confirmed));
}

// ---------------------------------------------------------------- requestable threads

#[tokio::test]
async fn requestable_threads_span_contributors_earliest_first_without_live_appointments() {
    let app = TestApp::new().await;
    let token = app.login().await;
    let reply = app.get("/communications", &token).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    let items = reply.body["items"].as_array().unwrap().clone();
    let listed = ids(&items);
    assert!(
        listed.contains(&ELIGIBLE_COMMUNICATION.to_owned()),
        "{listed:?}"
    );
    assert!(listed.contains(&NON_ACCOLTA_COMMUNICATION.to_owned()));
    assert!(!listed.contains(&NOT_YET_COMMUNICATION.to_owned()));
    let keys: Vec<(String, String)> = items
        .iter()
        .map(|i| {
            (
                i["appointment_request"]["allowed_from"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
                i["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "earliest allowed_from first, then id");
    for item in &items {
        assert!(
            item["appointment_request"]["allowed_from"]
                .as_str()
                .unwrap()
                <= "2026-11-26"
        );
        let fiscal_code = item["contributor"]["fiscal_code"].as_str().unwrap();
        assert_eq!(item["fiscal_code"], fiscal_code);
        assert!(![NO_DELEGATION_FISCAL_CODE, EXPIRED_DELEGATION_FISCAL_CODE].contains(&fiscal_code));
        assert!(!item["contributor"]["display_name"]
            .as_str()
            .unwrap()
            .is_empty());
    }
    assert_eq!(
        ids(&all_pages(&app, &token, "/communications", 2).await),
        listed
    );

    // Looking further ahead brings in the thread not yet requestable today.
    let later = app
        .get("/communications?requestable_by=2027-01-31", &token)
        .await;
    assert!(
        ids(later.body["items"].as_array().unwrap()).contains(&NOT_YET_COMMUNICATION.to_owned())
    );

    // requestable_from keeps those allowed from that day on, with the same order and pages.
    let whole = all_pages(
        &app,
        &token,
        "/communications?requestable_by=2027-01-31",
        500,
    )
    .await;
    let day = |i: &Value| {
        i["appointment_request"]["allowed_from"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let middle = day(&whole[whole.len() / 2]);
    let recent: Vec<Value> = whole.iter().filter(|i| day(i) >= middle).cloned().collect();
    assert!(!recent.is_empty() && recent.len() < whole.len());
    let path = format!("/communications?requestable_by=2027-01-31&requestable_from={middle}");
    assert_eq!(
        ids(&all_pages(&app, &token, &path, 500).await),
        ids(&recent)
    );
    assert_eq!(ids(&all_pages(&app, &token, &path, 2).await), ids(&recent));
    assert_problem(
        &app.get("/communications?requestable_from=ieri", &token)
            .await,
        400,
        "invalid_parameter",
    );

    // Once booked, a thread is no longer requestable.
    rossi(&app, &token, "1", false).await;
    let after = ids(app.get("/communications", &token).await.body["items"]
        .as_array()
        .unwrap());
    assert!(!after.contains(&ELIGIBLE_COMMUNICATION.to_owned()));
    assert_problem(
        &app.get("/communications?requestable_by=domani", &token)
            .await,
        400,
        "invalid_parameter",
    );
}

// ---------------------------------------------------------------- reschedule

#[tokio::test]
async fn a_reschedule_moves_a_confirmed_appointment_atomically_and_replays() {
    let app = TestApp::new().await;
    let token = app.login().await;
    let (old, old_slot) = rossi(&app, &token, "1", true).await;
    let new_slot = app
        .first_free_slot(&token, "RM-DP", "RM-DP-SPORTELLO")
        .await;
    assert_ne!(new_slot, old_slot);

    let body = json!({"slot_start": new_slot});
    let moved = reschedule(&app, &token, &old, "r1", body.clone()).await;
    let new = id_of(&moved);
    assert_eq!(moved.body["status"], "confermato");
    assert_eq!(moved.body["start"], new_slot.as_str());
    assert_eq!(moved.body["rescheduled_from"], old.as_str());
    assert_eq!(moved.body["communication_id"], ELIGIBLE_COMMUNICATION);
    assert_eq!(moved.body["booked_by"]["operator_id"], "op-demo");
    assert_eq!(moved.body["hold_expires_at"], Value::Null);
    assert_eq!(
        moved.headers["location"],
        format!("/api/v1/appointments/{new}")
    );

    let before = app.get(&format!("/appointments/{old}"), &token).await.body;
    assert_eq!(before["status"], "annullato");
    assert_eq!(before["cancel_reason"], "riprogrammato");
    assert_eq!(before["rescheduled_to"], new.as_str());
    // Never two live appointments, never a gap: the old slot is free again, the new taken.
    assert_eq!(
        app.first_free_slot(&token, "RM-DP", "RM-DP-SPORTELLO")
            .await,
        old_slot
    );

    // The same key and body replay the answer; the same key for another body is refused.
    let replay = reschedule(&app, &token, &old, "r1", body).await;
    assert_eq!(id_of(&replay), new);
    assert_problem(
        &reschedule(&app, &token, &old, "r1", json!({"slot_start": old_slot})).await,
        422,
        "idempotency_key_reused",
    );
    // The annulled one cannot move again; the new one can.
    assert_problem(
        &reschedule(&app, &token, &old, "r2", json!({"slot_start": old_slot})).await,
        409,
        "invalid_state",
    );
    let back = reschedule(&app, &token, &new, "r3", json!({"slot_start": old_slot})).await;
    assert_eq!(back.body["rescheduled_from"], new.as_str());

    // A hold is not rescheduled (it is confirmed or cancelled), nor without a key.
    let (hold, _) = esposito(&app, &token, "2", false).await;
    let free = app
        .first_free_slot(&token, "RM-DP", "RM-DP-SPORTELLO")
        .await;
    assert_problem(
        &reschedule(&app, &token, &hold, "r4", json!({"slot_start": free})).await,
        409,
        "invalid_state",
    );
    let keyless = app
        .call(
            Method::POST,
            &format!("/appointments/{new}/reschedule"),
            Some(&token),
            None,
            Some(json!({"slot_start": free})),
        )
        .await;
    assert_problem(&keyless, 400, "missing_idempotency_key");
    assert_problem(
        &reschedule(
            &app,
            &token,
            "AP-2222-2222",
            "r5",
            json!({"slot_start": free}),
        )
        .await,
        404,
        "appointment_not_found",
    );
}

#[tokio::test]
async fn a_refused_reschedule_leaves_the_old_appointment_untouched() {
    let app = TestApp::new().await;
    let token = app.login().await;
    let (old, old_slot) = rossi(&app, &token, "1", true).await;
    let (_, taken) = esposito(&app, &token, "2", false).await;
    let untouched = app.get(&format!("/appointments/{old}"), &token).await.body;

    let refused = reschedule(&app, &token, &old, "r1", json!({"slot_start": taken})).await;
    assert_problem(&refused, 409, "slot_taken");
    assert!(!refused.body["alternatives"].as_array().unwrap().is_empty());
    let outside = reschedule(
        &app,
        &token,
        &old,
        "r2",
        json!({"slot_start": "2026-11-27T03:00:00+01:00"}),
    )
    .await;
    assert_problem(&outside, 422, "slot_not_bookable");
    let elsewhere = reschedule(
        &app,
        &token,
        &old,
        "r3",
        json!({"slot_start": taken, "office_code": "NOPE"}),
    )
    .await;
    assert_problem(&elsewhere, 404, "office_not_found");

    let after = app.get(&format!("/appointments/{old}"), &token).await.body;
    assert_eq!(after, untouched, "the old appointment changed");
    assert_eq!(after["status"], "confermato");
    assert_eq!(after["start"], old_slot.as_str());
}

#[tokio::test]
async fn two_desks_rescheduling_onto_one_slot_one_wins_and_the_other_keeps_its_appointment() {
    let app = TestApp::new().await;
    let token = app.login().await;
    let (a, a_slot) = rossi(&app, &token, "1", true).await;
    let (b, b_slot) = esposito(&app, &token, "2", true).await;
    let target = app
        .first_free_slot(&token, "RM-DP", "RM-DP-SPORTELLO")
        .await;
    let body = json!({"slot_start": target});
    let (first, second) = tokio::join!(
        reschedule(&app, &token, &a, "ra", body.clone()),
        reschedule(&app, &token, &b, "rb", body.clone()),
    );
    let mut statuses = [first.status.as_u16(), second.status.as_u16()];
    statuses.sort();
    assert_eq!(statuses, [201, 409], "{:?} / {:?}", first.body, second.body);
    let (loser, loser_slot, lost) = if first.status == StatusCode::CREATED {
        (&b, &b_slot, &second)
    } else {
        (&a, &a_slot, &first)
    };
    assert_eq!(lost.code(), "slot_taken");
    let kept = app
        .get(&format!("/appointments/{loser}"), &token)
        .await
        .body;
    assert_eq!(kept["status"], "confermato");
    assert_eq!(kept["start"], loser_slot.as_str());
    assert_eq!(kept["rescheduled_to"], Value::Null);
    // One live appointment on the target slot.
    let live: Vec<Value> = app
        .get("/appointments?status=prenotato,confermato", &token)
        .await
        .body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["start"] == target.as_str())
        .cloned()
        .collect();
    assert_eq!(live.len(), 1, "{live:?}");
}

#[tokio::test]
async fn a_booking_answered_before_contract_1_1_replays_with_the_newer_members() {
    let app = TestApp::new().await;
    let token = app.login().await;
    let slot = app
        .first_free_slot(&token, "RM-DP", "RM-DP-SPORTELLO")
        .await;
    let body = booking(
        ELIGIBLE_COMMUNICATION,
        ELIGIBLE_FISCAL_CODE,
        "anagrafica",
        &slot,
    );
    let first = app.book(&token, "k", &body).await;
    let id = id_of(&first);
    // As a sandbox before 1.1 stored it.
    rusqlite::Connection::open(app.db.path())
        .unwrap()
        .execute(
            "UPDATE idempotency_keys SET body = json_remove(body, '$.booked_by',
                '$.contributor', '$.rescheduled_from', '$.rescheduled_to')",
            [],
        )
        .unwrap();
    let replay = app.book(&token, "k", &body).await;
    assert_eq!(id_of(&replay), id);
    assert_eq!(replay.body["booked_by"]["operator_id"], "op-demo");
    assert_eq!(
        replay.body["contributor"]["fiscal_code"],
        ELIGIBLE_FISCAL_CODE
    );
    assert_eq!(replay.body["rescheduled_from"], Value::Null);
    assert!(replay
        .body
        .as_object()
        .unwrap()
        .contains_key("rescheduled_to"));
    assert_eq!(replay.body["status"], first.body["status"]);
}

// ---------------------------------------------------------------- updated_since

/// The RFC 3339 form of the test clock's now, for `updated_since`.
fn since(app: &TestApp) -> String {
    agenda_core::time::format_rfc3339(app.clock.now()).replace('+', "%2B")
}

#[tokio::test]
async fn updated_since_returns_only_what_changed_including_holds_that_expired() {
    let app = TestApp::new().await;
    let token = app.login().await;
    let history = format!("/contributors/{ELIGIBLE_FISCAL_CODE}/appointments");
    let full = all_pages(&app, &token, &history, 500).await;
    assert!(!full.is_empty(), "the demo history is not empty");

    // Nothing changed since now: both lists come back empty.
    app.clock.advance(chrono::Duration::seconds(1));
    let mark = since(&app);
    let reply = app
        .get(&format!("{history}?updated_since={mark}"), &token)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    assert_eq!(reply.body["items"], json!([]));
    let reply = app
        .get(&format!("/appointments?updated_since={mark}"), &token)
        .await;
    assert_eq!(reply.body["items"], json!([]), "{:?}", reply.body);

    // A hold written after the mark comes back, on both lists, and nothing else.
    app.clock.advance(chrono::Duration::seconds(1));
    let (held, _) = rossi(&app, &token, "since-1", false).await;
    let changed = all_pages(
        &app,
        &token,
        &format!("{history}?updated_since={mark}"),
        500,
    )
    .await;
    assert_eq!(ids(&changed), vec![held.clone()]);
    let desk = all_pages(
        &app,
        &token,
        &format!("/appointments?updated_since={mark}"),
        500,
    )
    .await;
    assert_eq!(ids(&desk), vec![held.clone()]);

    // Later, with no write, the hold expires: it comes back as scaduto since a mark taken
    // before the expiry, and not since one taken after it.
    app.clock.advance(chrono::Duration::seconds(5));
    let before_expiry = since(&app);
    app.clock.advance(chrono::Duration::minutes(11));
    let changed = all_pages(
        &app,
        &token,
        &format!("{history}?updated_since={before_expiry}"),
        500,
    )
    .await;
    assert_eq!(ids(&changed), vec![held.clone()]);
    assert_eq!(changed[0]["status"], "scaduto");
    let after_expiry = since(&app);
    let reply = app
        .get(&format!("{history}?updated_since={after_expiry}"), &token)
        .await;
    assert_eq!(reply.body["items"], json!([]));

    // Not an instant: 400 invalid_parameter, on both lists.
    for path in [history.as_str(), "/appointments"] {
        let reply = app
            .get(&format!("{path}?updated_since=yesterday"), &token)
            .await;
        assert_problem(&reply, 400, "invalid_parameter");
    }
}
