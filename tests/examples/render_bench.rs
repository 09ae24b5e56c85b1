//! Render benchmark (not a test): the Gestione appuntamenti history of a contributor with
//! 10,000 appointments, in the real window.
//!
//! Starts a service (the sandbox library) on loopback, gives Rossi Mario 10,000 appointments
//! through the HTTP API (each booked, then released with Cancella Prenotazione, so the slot and
//! the communication are free for the next), opens the app against it, and reports:
//! the time from the list reaching the UI to the first paint with it (`history_render_ms`,
//! measured by the UI), the rows in the DOM, and the same after scrolling to the end.
//!
//! Run: `cargo run -p agenda-e2e --example render_bench` (or `scripts/bench-render.sh`).
//! `APPOINTMENTS=N` changes the count.

use agenda_e2e::flows::{pick_contributor, sign_in_demo, tid, WAIT};
use agenda_e2e::{free_port, Harness};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), String> {
    let count: usize = std::env::var("APPOINTMENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let dir = std::env::temp_dir().join(format!("cassetto-render-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let mut config = agenda_sandbox::Config::new(dir.join("service.db"));
    config.seed_demo = true;
    let addr = format!("127.0.0.1:{}", free_port()?).parse().unwrap();
    let (addr, service) = agenda_sandbox::spawn(config, addr)
        .await
        .map_err(|e| e.to_string())?;
    let base = format!("http://{addr}/api/v1");

    let started = Instant::now();
    fill_history(&base, count).await?;
    eprintln!(
        "history of {count} appointments created in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    // A history written long before the desk looks at it: wait out the refresh's overlap
    // (`SYNC_OVERLAP`), or "no changes" would still bring back the appointments just made.
    eprintln!("waiting 35 s: the refresh's overlap with the last look");
    tokio::time::sleep(Duration::from_secs(35)).await;

    let url = format!("http://{addr}");
    let harness = Harness::start(&[("CASSETTO_SERVICE_URL", &url)]).await?;
    let session = &harness.session;
    sign_in_demo(session).await?;
    pick_contributor(session, "Rossi", "Rossi Mario").await?;

    let mut figures = Vec::new();
    let mut clicks = Vec::new();
    let mut refreshes = Vec::new();
    for round in 1..=4 {
        session.click_testid("nav-assistiti").await?;
        session.wait_screen("assistiti").await?;
        session
            .execute("window.__cassettoMetrics = undefined", json!([]))
            .await?;
        let clicked = Instant::now();
        session.click_testid("nav-appuntamenti").await?;
        // The first paint: the newest rows of the local copy (or, with nothing kept, the
        // service's whole answer).
        let metrics = wait_metrics(session, if round == 1 { count } else { 1 }).await?;
        let total = clicked.elapsed();
        let rows = session.find_all(&tid("history-row")).await?.len();
        let refreshed = wait_refresh(session, count).await?;
        eprintln!(
            "round {round}: history_render_ms {:.1}, items {}, rows in DOM {rows}, click to paint {} ms, \
             then the refresh {} ms (unchanged: {})",
            metrics["history_render_ms"].as_f64().unwrap_or(f64::NAN),
            metrics["history_items"],
            total.as_millis(),
            refreshed["history_refresh_ms"],
            refreshed["history_refresh_unchanged"],
        );
        figures.push(metrics["history_render_ms"].as_f64().unwrap_or(f64::NAN));
        clicks.push(total.as_secs_f64() * 1000.0);
        if round > 1 {
            refreshes.push(refreshed["history_refresh_ms"].as_f64().unwrap_or(f64::NAN));
        }
    }
    harness.screenshot("90-storico-10000").await?;

    // Scroll to the end and to random places: the DOM stays small.
    let mut most_rows = 0;
    for fraction in [1.0, 0.5, 0.1, 0.9, 0.33] {
        session
            .execute(
                "const l = document.querySelector('[data-testid=history-list]');
                 l.scrollTop = (l.scrollHeight - l.clientHeight) * arguments[0];",
                json!([fraction]),
            )
            .await?;
        tokio::time::sleep(Duration::from_millis(150)).await;
        most_rows = most_rows.max(session.find_all(&tid("history-row")).await?.len());
    }
    harness.screenshot("91-storico-fine").await?;

    // The cached read alone, from the page: IPC, store and views, no drawing; and its size.
    let mut alone = Vec::new();
    let mut bytes = 0.0;
    for _ in 0..5 {
        let v = session
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 const t0 = performance.now();
                 window.__TAURI__.core.invoke('list_appointments', { fiscalCode: arguments[0], cached: true })
                   .then((r) => done([performance.now() - t0, JSON.stringify(r).length]), () => done([-1, 0]));",
                json!([agenda_sandbox::seed::ELIGIBLE_FISCAL_CODE]),
            )
            .await?;
        alone.push(v[0].as_f64().unwrap_or(f64::NAN));
        bytes = v[1].as_f64().unwrap_or(0.0);
    }
    alone.sort_by(f64::total_cmp);
    eprintln!(
        "list_appointments {{cached}} alone: {alone:?} ms, {:.1} MB of JSON",
        bytes / 1e6
    );
    // Round 1 fetched the whole history (nothing kept yet); rounds 2-4 drew the local copy.
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let mut later = clicks.split_off(1);
    println!(
        "history of {count}: click to first paint from the local copy {:.1} ms, render {:.1} ms, \
         refresh with no changes {:.1} ms (medians of rounds 2-4; round 1, nothing kept: {:.1} ms), \
         at most {most_rows} rows in the DOM while scrolling",
        median(&mut later),
        median(&mut figures),
        median(&mut refreshes),
        clicks[0]
    );
    harness.stop().await?;
    let _ = service.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

async fn wait_metrics(session: &agenda_e2e::Session, count: usize) -> Result<Value, String> {
    let deadline = Instant::now() + WAIT * 4;
    loop {
        let metrics = session
            .execute("return window.__cassettoMetrics || null", json!([]))
            .await?;
        if metrics["history_items"].as_u64().unwrap_or(0) as usize >= count {
            return Ok(metrics);
        }
        if Instant::now() >= deadline {
            return Err(format!("the history never showed {count} items: {metrics}"));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Waits until the refresh after the local copy has finished (`history_refresh_ms`) and the
/// whole history is drawn.
async fn wait_refresh(session: &agenda_e2e::Session, count: usize) -> Result<Value, String> {
    let deadline = Instant::now() + WAIT * 4;
    loop {
        let metrics = session
            .execute("return window.__cassettoMetrics || null", json!([]))
            .await?;
        if metrics["history_refresh_ms"].as_f64().is_some()
            && metrics["history_items"].as_u64().unwrap_or(0) as usize >= count
        {
            return Ok(metrics);
        }
        if Instant::now() >= deadline {
            return Err(format!("the history never finished its refresh: {metrics}"));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Books and releases one slot `count` times for Rossi Mario's bookable communication.
async fn fill_history(base: &str, count: usize) -> Result<(), String> {
    let http = reqwest::Client::new();
    let get = |path: String, bearer: String| {
        let http = http.clone();
        async move {
            http.get(path)
                .header("Authorization", bearer)
                .send()
                .await
                .map_err(|e| e.to_string())?
                .json::<Value>()
                .await
                .map_err(|e| e.to_string())
        }
    };
    let token: Value = http
        .post(format!("{base}/auth/token"))
        .json(&json!({"grant_type": "password", "username": "demo", "password": "demo"}))
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    let bearer = format!(
        "Bearer {}",
        token["access_token"].as_str().unwrap_or_default()
    );
    let found = get(format!("{base}/contributors?q=Rossi"), bearer.clone()).await?;
    let code = found["items"][0]["fiscal_code"]
        .as_str()
        .ok_or("no Rossi")?
        .to_owned();
    let comms = get(
        format!("{base}/contributors/{code}/communications"),
        bearer.clone(),
    )
    .await?;
    let comm = comms["items"]
        .as_array()
        .and_then(|items| {
            items
                .iter()
                .find(|c| c["appointment_request"]["allowed"] == json!(true))
        })
        .ok_or("no bookable communication")?
        .clone();
    let points = get(
        format!(
            "{base}/consultation-points?topic={}",
            comm["topic_code"].as_str().unwrap()
        ),
        bearer.clone(),
    )
    .await?;
    let point = &points[0];
    let office = point["office_code"].as_str().ok_or("no office")?;
    let point_code = point["code"].as_str().ok_or("no point")?;
    let slots = get(
        format!("{base}/slots?office={office}&consultation_point={point_code}"),
        bearer.clone(),
    )
    .await?;
    let slot = slots
        .as_array()
        .and_then(|s| s.iter().find(|s| s["available"] == json!(true)))
        .ok_or("no free slot")?["start"]
        .clone();
    for i in 0..count {
        let held: Value = http
            .post(format!("{base}/bookings"))
            .header("Authorization", &bearer)
            .header("Idempotency-Key", format!("render-bench-{i}"))
            .json(&json!({
                "communication_id": comm["id"], "fiscal_code": code,
                "topic_code": comm["topic_code"], "consultation_point": point_code,
                "office_code": office, "slot_start": slot,
                "phone": "333 123 4567", "notes": format!("Appuntamento di prova n. {i}")
            }))
            .send()
            .await
            .map_err(|e| e.to_string())?
            .json()
            .await
            .map_err(|e| e.to_string())?;
        let id = held["id"]
            .as_str()
            .ok_or_else(|| format!("booking {i}: {held}"))?;
        let released = http
            .delete(format!("{base}/bookings/{id}"))
            .header("Authorization", &bearer)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if !released.status().is_success() {
            return Err(format!("release {i}: {}", released.status()));
        }
    }
    Ok(())
}
