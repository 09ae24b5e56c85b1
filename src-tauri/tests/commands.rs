//! Every command through the real IPC path (mock runtime, the app's own config and
//! capabilities) against a fake application layer: what each command parses from the UI's
//! arguments, what it hands to the [`Desk`], and how it maps the answer and the failures.
//! The real layer behind the same seam is tested in agenda-client and in the real window.

use std::sync::{Arc, Mutex};

use agenda_client::app::{AppError, Booked, Desk, ListingView, RequestError, Search};
use agenda_client::store::ReturnedProblem;
use agenda_client::{AgendaError, AppointmentFilter, StoreError};
use agenda_core::{AppointmentId, FiscalCode, WizardInput};
use cassetto_agenda::{AppState, Environment, StartOptions};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::WebviewWindow;

const ORIGIN: &str = if cfg!(any(windows, target_os = "android")) {
    "http://tauri.localhost"
} else {
    "tauri://localhost"
};
const FC: &str = "RSSMRA80A01H501U";

/// What the fake was asked, in order.
#[derive(Default)]
struct Fake {
    calls: Mutex<Vec<String>>,
    booked: Mutex<Option<Booked>>,
    signed_in: bool,
}

impl Fake {
    fn record(&self, call: String) {
        self.calls.lock().unwrap().push(call);
    }
}

fn empty<T: Default>() -> ListingView<T> {
    ListingView {
        items: T::default(),
        from_cache: false,
        synced_at: None,
        unchanged: false,
        total: None,
    }
}

#[async_trait::async_trait]
impl Desk for Fake {
    async fn require_session(&self) -> Result<(), AppError> {
        self.record("require_session".into());
        if self.signed_in {
            Ok(())
        } else {
            Err(AgendaError::from(StoreError::SignedOut).into())
        }
    }

    async fn history(
        &self,
        fiscal_code: &FiscalCode,
        filter: &AppointmentFilter,
        search: &Search,
        drawn: Option<DateTime<Utc>>,
    ) -> Result<ListingView<Vec<agenda_client::app::AppointmentView>>, AppError> {
        self.record(format!(
            "history {} {:?} {:?} {:?} {:?} {:?} {}",
            fiscal_code.as_str(),
            filter.status.map(|s| s.as_str()),
            filter.from,
            filter.to,
            search.text(),
            drawn.map(|d| d.to_rfc3339()),
            "network"
        ));
        Ok(empty())
    }

    async fn cached_history(
        &self,
        _fiscal_code: &FiscalCode,
        _filter: &AppointmentFilter,
        search: &Search,
        first: Option<usize>,
    ) -> Result<ListingView<Vec<agenda_client::app::AppointmentView>>, AppError> {
        self.record(format!("cached_history {:?} {first:?}", search.text()));
        Ok(empty())
    }

    async fn desk_view(&self, days: u64) -> Result<agenda_client::app::DeskView, AppError> {
        self.record(format!("desk_view {days}"));
        Err(RequestError::NotFound("Agenda").into())
    }

    async fn book_input(&self, input: &WizardInput) -> Result<Booked, AppError> {
        self.record(format!(
            "book {} {:?}",
            input.communication_id, input.desk.case_ref
        ));
        self.booked
            .lock()
            .unwrap()
            .take()
            .ok_or_else(|| RequestError::NotProvided.into())
    }

    async fn annul(
        &self,
        id: &AppointmentId,
        reason: Option<&str>,
    ) -> Result<agenda_client::app::AppointmentView, AppError> {
        self.record(format!("annul {} {reason:?}", id.as_str()));
        Err(RequestError::ReasonTooLong.into())
    }

    async fn record_action(
        &self,
        event: &agenda_client::store::audit::AuditEvent,
    ) -> Result<(), AppError> {
        self.record(format!("record {} {}", event.action.as_str(), event.detail));
        Ok(())
    }

    async fn sign_out(&self) -> Result<bool, AppError> {
        self.record("sign_out".into());
        Ok(true)
    }

    async fn unlock(&self, password: &agenda_client::Secret) -> Result<(), AppError> {
        self.record("unlock".into());
        if password.expose() == "giusta" {
            Ok(())
        } else {
            Err(RequestError::WrongPassword.into())
        }
    }

    async fn audit_log(
        &self,
        query: &agenda_client::app::AuditQuery,
    ) -> Result<agenda_client::app::AuditLogView, AppError> {
        self.record(format!(
            "audit_log {:?} {:?} {}",
            query.day,
            query.action,
            query.contributor.is_some()
        ));
        Ok(agenda_client::app::AuditLogView {
            entries: Vec::new(),
            truncated: false,
            actions: Vec::new(),
        })
    }
}

struct Shell {
    _app: tauri::App<MockRuntime>,
    webview: WebviewWindow<MockRuntime>,
    fake: Arc<Fake>,
}

fn shell(fake: Fake) -> Shell {
    let fake = Arc::new(fake);
    let state = AppState::with_desk(
        StartOptions::default(),
        Environment::EmbeddedSandbox,
        fake.clone(),
    );
    let app = cassetto_agenda::build_app_with(mock_builder(), state)
        .build(tauri::generate_context!("../tauri.conf.json"))
        .expect("the app builds on the mock runtime");
    let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();
    Shell {
        _app: app,
        webview,
        fake,
    }
}

impl Shell {
    fn invoke(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        get_ipc_response(
            &self.webview,
            InvokeRequest {
                cmd: cmd.into(),
                callback: CallbackFn(0),
                error: CallbackFn(1),
                url: ORIGIN.parse().unwrap(),
                body: InvokeBody::Json(args),
                headers: Default::default(),
                invoke_key: INVOKE_KEY.to_string(),
            },
        )
        .map(|body| body.deserialize::<Value>().unwrap())
    }

    fn calls(&self) -> Vec<String> {
        std::mem::take(&mut *self.fake.calls.lock().unwrap())
    }
}

#[test]
fn list_appointments_parses_the_filters_and_the_search_and_picks_the_cache_or_the_service() {
    let s = shell(Fake::default());
    let listed = s
        .invoke(
            "list_appointments",
            json!({"fiscalCode": FC, "status": "confermato", "from": "2026-03-29",
                   "to": "2026-10-25", "search": "  CNA/42 ", "drawn": "2026-12-03T09:15:00+01:00"}),
        )
        .unwrap();
    assert_eq!(listed["items"], json!([]));
    assert_eq!(
        s.calls(),
        [format!(
            "history {FC} Some(\"confermato\") Some({:?}) Some({:?}) Some(\"cna/42\") Some(\"2026-12-03T08:15:00+00:00\") network",
            NaiveDate::from_ymd_opt(2026, 3, 29).unwrap(),
            NaiveDate::from_ymd_opt(2026, 10, 25).unwrap(),
        )]
    );
    s.invoke(
        "list_appointments",
        json!({"fiscalCode": FC, "cached": true, "first": 100}),
    )
    .unwrap();
    assert_eq!(s.calls(), ["cached_history None Some(100)"]);
}

#[test]
fn bad_arguments_are_refused_before_the_application_layer_is_asked() {
    let s = shell(Fake::default());
    for (cmd, args, kind) in [
        (
            "list_appointments",
            json!({"fiscalCode": "RSSMRA80A01H501X"}),
            "invalid_fiscal_code",
        ),
        (
            "list_appointments",
            json!({"fiscalCode": FC, "status": "forse"}),
            "validation",
        ),
        (
            "list_appointments",
            json!({"fiscalCode": FC, "from": "29/03/2026"}),
            "validation",
        ),
        ("get_appointment", json!({"id": "not an id"}), "validation"),
        ("delete_draft", json!({"id": "senza tilde"}), "validation"),
        (
            "list_slots",
            json!({"officeCode": " ", "pointCode": "P"}),
            "validation",
        ),
        (
            "sign_in",
            json!({"username": "  ", "password": "x"}),
            "validation",
        ),
    ] {
        let error = s.invoke(cmd, args).expect_err(cmd);
        assert_eq!(error["kind"], kind, "{cmd}: {error}");
        assert!(!error["message"].as_str().unwrap().is_empty(), "{cmd}");
    }
    assert!(s.calls().is_empty(), "the fake was asked");
}

#[test]
fn the_desk_agenda_asks_at_most_the_booking_horizon_and_maps_a_failure_to_its_kind() {
    let s = shell(Fake::default());
    let error = s.invoke("desk_agenda", json!({"days": 1000})).unwrap_err();
    assert_eq!(s.calls(), ["desk_view 60"]);
    assert_eq!(error["kind"], "not_found");
    assert_eq!(error["message"], "Agenda non trovato.");
}

#[test]
fn book_renders_each_outcome_and_a_refusal_carries_its_details() {
    let s = shell(Fake::default());
    let draft = json!({
        "contributor_fiscal_code": FC, "communication_id": "COM-1", "topic_code": "versamenti",
        "consultation_point": null, "channel": null, "office_code": null, "slot_start": null,
        "phone": "333 1234567", "notes": "n", "case_ref": " PR-9 ", "step": "pronto",
    });
    *s.fake.booked.lock().unwrap() = Some(Booked::Queued {
        needs_sign_in: true,
    });
    let queued = s.invoke("book", json!({"draft": draft})).unwrap();
    assert_eq!(queued, json!({"outcome": "queued", "needs_sign_in": true}));
    assert_eq!(s.calls(), ["book COM-1 Some(\"PR-9\")"]);

    // Codes are typed at the boundary: what is not one never reaches the layer.
    let mut garbled = draft.clone();
    garbled["slot_start"] = json!("domani alle 9");
    assert!(s.invoke("book", json!({"draft": garbled})).is_err());
    assert!(s.calls().is_empty());

    *s.fake.booked.lock().unwrap() = Some(Booked::Returned(ReturnedProblem {
        code: "not_eligible_yet".into(),
        message: "la richiesta sarà possibile dal 10/12/2026".into(),
        allowed_from: NaiveDate::from_ymd_opt(2026, 12, 10),
        alternatives: Vec::new(),
        at: Utc::now(),
    }));
    let refused = s.invoke("book", json!({"draft": draft})).unwrap_err();
    assert_eq!(refused["kind"], "not_eligible_yet");
    assert_eq!(
        refused["message"],
        "La richiesta sarà possibile dal 10/12/2026"
    );
    assert_eq!(refused["details"]["allowed_from"], "2026-12-10");
}

#[test]
fn failures_of_the_application_layer_keep_their_kind() {
    let s = shell(Fake::default());
    let too_long = s
        .invoke(
            "cancel_appointment",
            json!({"id": "AP-7K3M-9QXT", "reason": "r"}),
        )
        .unwrap_err();
    assert_eq!(too_long["kind"], "validation");
    assert_eq!(s.calls(), ["annul AP-7K3M-9QXT Some(\"r\")"]);
    // The contributor selected is personal data: only with an operator signed in.
    let locked = s.invoke("selected_contributor", json!({})).unwrap_err();
    assert_eq!(s.calls(), ["require_session"]);
    assert_eq!(locked["kind"], "not_signed_in", "{locked}");
    let signed_in = shell(Fake {
        signed_in: true,
        ..Fake::default()
    });
    assert_eq!(
        signed_in.invoke("selected_contributor", json!({})).unwrap(),
        Value::Null
    );
    // What a layer does not provide is an internal failure, said in Italian.
    let missing = s.invoke("list_drafts", json!({})).unwrap_err();
    assert_eq!(missing["kind"], "internal");
    assert_eq!(missing["message"], "Operazione non disponibile.");
}

#[test]
fn app_info_reads_the_layer_it_was_given() {
    let s = shell(Fake::default());
    let info = s.invoke("app_info", json!({})).unwrap();
    assert_eq!(info["environment"]["mode"], "embedded_sandbox");
    // The fake tells no status: nothing is claimed.
    assert_eq!(info["online"], Value::Null);
    assert_eq!(info["queued_bookings"], 0);
    assert!(info["limits"]["notes_max_chars"].as_u64().unwrap() > 0);
}

#[test]
fn informazioni_tells_the_build_and_answers_behind_the_lock() {
    let s = shell(Fake {
        signed_in: true,
        ..Fake::default()
    });
    s.invoke("lock_screen", json!({})).unwrap();
    let about = s.invoke("about", json!({})).unwrap();
    assert_eq!(about["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(about["license"], "EUPL-1.2");
    assert_eq!(about["environment"]["mode"], "embedded_sandbox");
    let commit = about["commit"].as_str().unwrap();
    assert!(
        commit == "sconosciuto"
            || (commit.len() == 12 && commit.chars().all(|c| c.is_ascii_hexdigit())),
        "{commit}"
    );
    let built = about["build_date"].as_str().unwrap();
    assert_eq!(built.len(), "2026-12-05 07:30".len(), "{built}");
    assert!(
        built.starts_with("20") && built.as_bytes()[10] == b' ',
        "{built}"
    );
    assert_eq!(about["os"], std::env::consts::OS);
    // The data folder ends in the app's identifier; its short form starts from `~` when the
    // folder is under the home folder.
    let dir = about["data_dir"].as_str().unwrap();
    assert!(dir.ends_with("it.cassetto.agenda"), "{dir}");
    let short = about["data_dir_short"].as_str().unwrap();
    assert!(short.ends_with("it.cassetto.agenda"), "{short}");
}

#[test]
fn behind_the_lock_no_command_reaches_personal_data_until_the_password() {
    let s = shell(Fake {
        signed_in: true,
        ..Fake::default()
    });
    s.invoke("lock_screen", json!({})).unwrap();
    assert_eq!(s.invoke("app_info", json!({})).unwrap()["locked"], true);
    for (cmd, args) in [
        ("list_drafts", json!({})),
        ("selected_contributor", json!({})),
        ("audit_log", json!({})),
        ("list_appointments", json!({"fiscalCode": FC})),
        ("sign_in", json!({"username": "altro", "password": "x"})),
    ] {
        let refused = s.invoke(cmd, args).unwrap_err();
        assert_eq!(refused["kind"], "screen_locked", "{cmd}: {refused}");
    }
    s.calls();
    let empty = s
        .invoke("unlock_screen", json!({"password": ""}))
        .unwrap_err();
    assert_eq!(empty["kind"], "validation");
    let wrong = s
        .invoke("unlock_screen", json!({"password": "sbagliata"}))
        .unwrap_err();
    assert_eq!(wrong["kind"], "invalid_credentials");
    assert_eq!(wrong["message"], "Password non corretta.");
    assert_eq!(s.invoke("app_info", json!({})).unwrap()["locked"], true);
    s.invoke("unlock_screen", json!({"password": "giusta"}))
        .unwrap();
    assert_eq!(s.invoke("app_info", json!({})).unwrap()["locked"], false);
    s.invoke(
        "audit_log",
        json!({"day": "2026-03-29", "action": "confirm", "fiscalCode": FC}),
    )
    .unwrap();
    assert_eq!(
        s.calls(),
        [
            "unlock",
            "unlock",
            "audit_log Some(2026-03-29) Some(Confirm) true"
        ]
    );
    let bad = s
        .invoke("audit_log", json!({"action": "drop_table"}))
        .unwrap_err();
    assert_eq!(bad["kind"], "validation");

    // Guessing at the lock: the fifth wrong password in a row closes the session.
    s.invoke("lock_screen", json!({})).unwrap();
    s.calls();
    for _ in 0..4 {
        let wrong = s
            .invoke("unlock_screen", json!({"password": "sbagliata"}))
            .unwrap_err();
        assert_eq!(wrong["kind"], "invalid_credentials");
    }
    let closed = s
        .invoke("unlock_screen", json!({"password": "sbagliata"}))
        .unwrap_err();
    assert_eq!(closed["kind"], "locked_out", "{closed}");
    assert_eq!(s.calls().last().map(String::as_str), Some("sign_out"));
    assert_eq!(s.invoke("app_info", json!({})).unwrap()["locked"], false);
}

#[test]
fn impostazioni_refuses_an_idle_lock_or_a_retention_out_of_bounds() {
    let s = shell(Fake::default());
    for args in [
        json!({"lockMinutes": 0}),
        json!({"lockMinutes": 121}),
        json!({"cacheDays": 3}),
        json!({"auditDays": 10}),
    ] {
        let refused = s.invoke("set_preferences", args.clone()).unwrap_err();
        assert_eq!(refused["kind"], "validation", "{args}");
    }
    // Refused before anything is saved (a save would write this user's real preferences:
    // what a change records is tested beside `Preferences::changed`).
    assert!(s.calls().is_empty(), "nothing saved, nothing recorded");
}
