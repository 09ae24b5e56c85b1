//! Render benchmark (not a test): the Agenda dello sportello of a desk with 300 delegated
//! contributors of 30 appointments each, in the real window.
//!
//! Starts a service (the sandbox library, demo seed) on loopback and adds, straight into its
//! SQLite file, 300 contributors delegated to the demo operator with 30 appointments each,
//! one every four days from 90 days ago (about 600 fall in the agenda's eight days). Then:
//! - signs in: the agenda comes from the service (nothing kept yet);
//! - reopens the app three times: the agenda is drawn from the copy kept on this computer,
//!   then refreshed with no changes.
//!
//! Reports the UI's own figures (`window.__cassettoMetrics`): the time from asking for the
//! kept copy to its first paint, from the data reaching the screen to the paint, and the
//! refresh's round trip.
//!
//! Run: `cargo run -p agenda-e2e --example agenda_bench` (or `scripts/bench-render.sh`).
//! `CONTRIBUTORS=N` and `EACH=N` change the sizes.

use agenda_core::{AppointmentId, FiscalCode, Sex};
use agenda_e2e::flows::{sign_in_demo, WAIT};
use agenda_e2e::{free_port, Harness, Session};
use chrono::{Duration as Span, NaiveDate, TimeZone, Utc};
use rusqlite::params;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const SURNAMES: &[&str] = &[
    "Albani",
    "Bellucci",
    "Cattaneo",
    "Donati",
    "Esposti",
    "Fabbri",
    "Galli",
    "Leone",
    "Morelli",
    "Negri",
    "Orlando",
    "Pellegrini",
    "Quaranta",
    "Rossetti",
    "Sartori",
    "Testa",
    "Valentini",
    "Zanetti",
    "Bernardi",
    "Caputo",
];
const NAMES: &[&str] = &[
    "Marco", "Laura", "Paolo", "Sara", "Luigi", "Anna", "Carlo", "Elisa", "Franco", "Giada", "Ivo",
    "Lucia", "Nino", "Olga", "Piero",
];
const OFFICES: &[&str] = &[
    "RM-DP", "RM-EUR", "MI-DP", "NA-DP", "TO-DP", "BO-DP", "FI-DP", "BA-DP", "PA-DP", "GE-DP",
    "VE-DP", "CA-DP", "VR-DP", "RM-CIV",
];

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), String> {
    let size = |name: &str, default: usize| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let (contributors, each) = (size("CONTRIBUTORS", 300), size("EACH", 30));
    let dir = std::env::temp_dir().join(format!("cassetto-agenda-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let db = dir.join("service.db");
    let mut config = agenda_sandbox::Config::new(db.clone());
    config.seed_demo = true;
    let addr = format!("127.0.0.1:{}", free_port()?)
        .parse()
        .map_err(|e| format!("{e}"))?;
    let (addr, service) = agenda_sandbox::spawn(config, addr)
        .await
        .map_err(|e| e.to_string())?;
    let in_window = fill_desk(&db, contributors, each).map_err(|e| e.to_string())?;
    eprintln!(
        "{contributors} contributors x {each} appointments added, {in_window} in the agenda's days"
    );

    let url = format!("http://{addr}");
    let mut harness = Harness::start(&[("CASSETTO_SERVICE_URL", &url)]).await?;
    let started = Instant::now();
    sign_in_demo(&harness.session).await?;
    let first = wait_metric(&harness.session, "agenda_service_render_ms").await?;
    eprintln!(
        "first opening (from the service): sign-in to paint {} ms, refresh {} ms, rows {}",
        started.elapsed().as_millis(),
        first["agenda_refresh_ms"],
        first["agenda_service_rows"]
    );
    harness.screenshot("92-agenda-300x30").await?;

    let mut cache_to_paint = Vec::new();
    let mut refresh = Vec::new();
    for round in 1..=3 {
        harness.restart_app().await?;
        let m = wait_metric(&harness.session, "agenda_refresh_ms").await?;
        let c = m["agenda_cache_to_paint_ms"].as_f64().unwrap_or(f64::NAN);
        let r = m["agenda_refresh_ms"].as_f64().unwrap_or(f64::NAN);
        eprintln!(
            "round {round}: kept copy asked to painted {c} ms (render {} ms, rows {}), refresh with no changes {r} ms",
            m["agenda_cache_render_ms"], m["agenda_cache_rows"]
        );
        cache_to_paint.push(c);
        refresh.push(r);
    }
    harness.screenshot("93-agenda-dalla-copia").await?;

    // The commands alone, from the page (IPC, store and view building, no drawing).
    let invoke = |cached: bool| {
        let session = &harness.session;
        async move {
            session
                .execute_async(
                    "const done = arguments[arguments.length - 1];
                     const t0 = performance.now();
                     window.__TAURI__.core.invoke('desk_agenda', arguments[0] ? { cached: true } : {})
                       .then(() => done(performance.now() - t0), (e) => done(-1));",
                    json!([cached]),
                )
                .await
                .map(|v| v.as_f64().unwrap_or(f64::NAN))
        }
    };
    let (mut kept, mut fresh) = (Vec::new(), Vec::new());
    for _ in 0..5 {
        kept.push(invoke(true).await?);
        fresh.push(invoke(false).await?);
    }
    kept.sort_by(f64::total_cmp);
    fresh.sort_by(f64::total_cmp);
    eprintln!("desk_agenda alone: kept copy {kept:?} ms, from the service {fresh:?} ms");
    cache_to_paint.sort_by(f64::total_cmp);
    refresh.sort_by(f64::total_cmp);
    println!(
        "agenda of {contributors} x {each} ({in_window} in its days): after a restart, from asking \
         for the local copy to its paint {:.1} ms, refresh with no changes {:.1} ms (medians of 3); \
         the command alone, warm: local copy {:.1} ms, from the service {:.1} ms (medians of 5)",
        cache_to_paint[1], refresh[1], kept[2], fresh[2]
    );
    harness.stop().await?;
    let _ = service.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// Waits for `window.__cassettoMetrics[name]` (set after the paint it measures).
async fn wait_metric(session: &Session, name: &str) -> Result<Value, String> {
    let deadline = Instant::now() + WAIT * 4;
    loop {
        let metrics = session
            .execute("return window.__cassettoMetrics || null", json!([]))
            .await
            .unwrap_or(Value::Null);
        if metrics.get(name).is_some_and(|v| !v.is_null()) {
            return Ok(metrics);
        }
        if Instant::now() >= deadline {
            return Err(format!("no {name} in the metrics: {metrics}"));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Adds the contributors, their delegations to the demo operator, a closed communication per
/// appointment and the appointments; returns how many start in the agenda's eight days.
fn fill_desk(db: &std::path::Path, contributors: usize, each: usize) -> rusqlite::Result<usize> {
    let mut conn = rusqlite::Connection::open(db)?;
    conn.busy_timeout(Duration::from_secs(10))?;
    let tx = conn.transaction()?;
    let now = Utc::now();
    let rome = chrono_tz::Europe::Rome;
    let today = now.with_timezone(&rome).date_naive();
    let valid_until = (today + Span::days(365)).format("%Y-%m-%d").to_string();
    let mut in_window = 0;
    let mut n = 0u64;
    for i in 0..contributors {
        let surname = format!(
            "{} {}",
            SURNAMES[i % SURNAMES.len()],
            SURNAMES[(i / SURNAMES.len()) % SURNAMES.len()]
        );
        let name = NAMES[i % NAMES.len()];
        let birth = NaiveDate::from_ymd_opt(
            1950 + (i % 50) as i32,
            1 + (i % 12) as u32,
            1 + (i % 28) as u32,
        )
        .unwrap_or_default();
        let Ok(code) = FiscalCode::encode(
            &surname,
            name,
            birth,
            if i % 2 == 0 { Sex::Male } else { Sex::Female },
            "H501",
        ) else {
            continue;
        };
        let display = format!("{} {}", surname.to_uppercase(), name.to_uppercase());
        let inserted = tx.execute(
            "INSERT OR IGNORE INTO contributors (fiscal_code, display_name, sort_name, gestione) VALUES (?1, ?2, ?3, ?4)",
            params![code.as_str(), display, display.to_lowercase(), if i % 2 == 0 { "artigiani" } else { "commercianti" }],
        )?;
        if inserted == 0 {
            continue;
        }
        tx.execute(
            "INSERT INTO delegations (operator_id, fiscal_code, kind, valid_until) VALUES ('op-demo', ?1, 'mandato_patrocinio', ?2)",
            params![code.as_str(), valid_until],
        )?;
        let office = OFFICES[i % OFFICES.len()];
        let point = format!("{office}-SPORTELLO");
        // Distinct start times per struttura: every contributor of an office has its own minute.
        let minute = 8 * 60 + ((i / OFFICES.len()) as u32 * 20) % (9 * 60);
        for k in 0..each {
            n += 1;
            let comm = format!("CB-{n:07}");
            let day = today + Span::days(k as i64 * 4 - 90);
            let local = day
                .and_hms_opt(minute / 60, minute % 60, 0)
                .unwrap_or_default();
            let Some(start) = rome.from_local_datetime(&local).earliest() else {
                continue;
            };
            let start = start.with_timezone(&Utc);
            let sent = start - Span::days(20);
            tx.execute(
                "INSERT INTO communications (id, fiscal_code, topic_code, subject, sent_at, status, last_message_at)
                 VALUES (?1, ?2, 'versamenti', 'Versamento F24 non abbinato', ?3, 'chiusa', ?3)",
                params![comm, code.as_str(), sent.timestamp()],
            )?;
            if (0..=7).contains(&(day - today).num_days()) {
                in_window += 1;
            }
            let status = if k % 7 == 3 {
                "annullato"
            } else {
                "confermato"
            };
            tx.execute(
                "INSERT INTO appointments (id, communication_id, fiscal_code, topic_code, consultation_point,
                    channel, office_code, start_at, end_at, phone, notes, status, hold_expires_at,
                    cancel_reason, operator_id, created_at, updated_at)
                 VALUES (?1, ?2, ?3, 'versamenti', ?4, 'in_presenza', ?5, ?6, ?7, '+393471234567',
                    'Verifica del versamento.', ?8, NULL, NULL, 'op-demo', ?9, ?9)",
                params![
                    AppointmentId::from_random(n.to_le_bytes()).as_str(),
                    comm,
                    code.as_str(),
                    point,
                    office,
                    start.timestamp(),
                    (start + Span::minutes(20)).timestamp(),
                    status,
                    (start - Span::days(3)).timestamp(),
                ],
            )?;
        }
    }
    tx.commit()?;
    Ok(in_window)
}
