//! Load benchmark of the sandbox (not a test): a bounded run on loopback against the
//! release-built binary on port 0.
//!
//! 1. Seeds a database with the demo data plus enough `non_accolta` communications for every
//!    booking attempt (a communication holds at most one live appointment).
//! 2. Holds: `--clients` concurrent clients book the slots of every office's sportello and
//!    telephone point over the next 60 days; one attempt in ten repeats a slot already in
//!    the list, so bookings also collide. Reports holds per second (201 answers) and the
//!    p50/p99 latency of every attempt.
//! 3. Reads: the same clients ask `GET /slots` for random points; reports p50/p99.
//! 4. Reschedule (contract 1.1): `--reschedules` of the holds are confirmed, then moved by
//!    the same clients, each to a slot nobody holds (often at another punto); reports
//!    p50/p99 of `POST /appointments/{id}/reschedule`.
//! 5. Counts double bookings: slots answered 201 twice (client side) and live appointments
//!    sharing a slot (in the database). Both must be 0.
//!
//! Run with `scripts/bench-sandbox.sh` (or `cargo bench -p agenda-sandbox --bench load`).
//! Options: `--clients N` (32), `--attempts N` (12000), `--reads N` (30000).

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use agenda_sandbox::{open_state, Config};
use chrono::{Days, Utc};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rusqlite::{params, Connection};
use serde_json::{json, Value};

struct Options {
    clients: usize,
    attempts: usize,
    reads: usize,
    reschedules: usize,
}

fn options() -> Options {
    let mut options = Options {
        clients: 32,
        attempts: 12_000,
        reads: 30_000,
        reschedules: 2_000,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut number = |name: &str| -> usize {
            args.next()
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("{name} needs a number"))
        };
        match arg.as_str() {
            "--clients" => options.clients = number("--clients").clamp(1, 256),
            "--attempts" => options.attempts = number("--attempts").clamp(1, 200_000),
            "--reads" => options.reads = number("--reads").clamp(1, 200_000),
            "--reschedules" => options.reschedules = number("--reschedules").clamp(0, 200_000),
            _ => {} // cargo bench passes --bench and filters
        }
    }
    options
}

/// The demo seed plus `n` bookable communications spread over the demo operator's
/// contributors; returns (communication id, fiscal code).
async fn prepare(db: &Path, n: usize) -> Vec<(String, String)> {
    let config = Config {
        db_path: db.to_owned(),
        hold_ttl: Duration::from_secs(3600),
        seed_demo: true,
        durable: false,
    };
    drop(open_state(&config).await.expect("seed"));
    let mut conn = Connection::open(db).expect("open db");
    let contributors: Vec<String> = conn
        .prepare(
            "SELECT fiscal_code FROM delegations WHERE operator_id = 'op-demo'
             AND valid_until >= date('now', '+1 day') ORDER BY fiscal_code",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let sent = Utc::now().timestamp() - 86_400;
    let tx = conn.transaction().unwrap();
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let id = format!("CM-LOAD-{i:06}");
        let fc = &contributors[i % contributors.len()];
        tx.execute(
            "INSERT INTO communications (id, fiscal_code, topic_code, subject, sent_at, status, last_message_at)
             VALUES (?1, ?2, 'anagrafica', 'Richiesta di verifica (carico)', ?3, 'non_accolta', ?3)",
            params![id, fc, sent],
        )
        .unwrap();
        out.push((id, fc.clone()));
    }
    tx.commit().unwrap();
    out
}

struct Server {
    child: Child,
    url: String,
}

impl Server {
    fn start(db: &Path) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_agenda-sandbox"))
            .args(["--listen", "127.0.0.1:0", "--hold-ttl", "3600", "--db"])
            .arg(db)
            .env("AGENDA_SANDBOX_LOG", "warn")
            .stdout(Stdio::piped())
            .spawn()
            .expect("start agenda-sandbox");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line.trim().trim_start_matches("listening on ").to_owned();
        assert!(url.starts_with("http://127.0.0.1:"), "{line}");
        Self { child, url }
    }
}

/// User + system CPU seconds of a process so far (Linux `/proc`).
fn cpu_seconds(pid: &str) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(") ")
        .map(|(_, rest)| rest.split(' ').collect())
        .unwrap_or_default();
    let ticks: f64 = [11, 12]
        .iter()
        .filter_map(|&i| fields.get(i).and_then(|v| v.parse::<f64>().ok()))
        .sum();
    ticks / 100.0
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

#[derive(Clone)]
struct SlotRef {
    office: String,
    point: String,
    start: String,
}

// One worker thread: the load generator shares the two cores with the server and should
// take as little of them as it can.
#[tokio::main(flavor = "multi_thread", worker_threads = 1)]
async fn main() {
    let options = options();
    let dir = std::env::temp_dir().join(format!("agenda-sandbox-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("load.db");
    let communications = prepare(&db, options.attempts).await;
    let server = Server::start(&db);
    let api = |path: &str| format!("{}/api/v1{path}", server.url);
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(options.clients)
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let token: Value = client
        .post(api("/auth/token"))
        .json(&json!({"grant_type": "password", "username": "demo", "password": "demo"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["access_token"].as_str().unwrap().to_owned();

    // Every slot of the sportello and telephone points over the horizon.
    let today = Utc::now().date_naive();
    let to = today + Days::new(60);
    let points: Value = client
        .get(api("/consultation-points?topic=anagrafica"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut slots = Vec::new();
    let mut point_refs = Vec::new();
    for point in points.as_array().unwrap() {
        let (office, code) = (
            point["office_code"].as_str().unwrap().to_owned(),
            point["code"].as_str().unwrap().to_owned(),
        );
        point_refs.push((office.clone(), code.clone()));
        let list: Value = client
            .get(api(&format!(
                "/slots?office={office}&consultation_point={code}&from={today}&to={to}"
            )))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for slot in list.as_array().unwrap() {
            slots.push(SlotRef {
                office: office.clone(),
                point: code.clone(),
                start: slot["start"].as_str().unwrap().to_owned(),
            });
        }
    }
    let mut rng = rand::rngs::StdRng::seed_from_u64(20_261_126);
    slots.shuffle(&mut rng);
    let mut work: Vec<SlotRef> = Vec::with_capacity(options.attempts);
    for i in 0..options.attempts {
        if i % 10 == 9 && !work.is_empty() {
            let again = work[rng.gen_range(0..work.len())].clone();
            work.push(again);
        } else {
            work.push(slots[i % slots.len()].clone());
        }
    }
    println!(
        "sandbox {} — {} slots over {} points, {} attempts, {} clients",
        server.url,
        slots.len(),
        point_refs.len(),
        work.len(),
        options.clients
    );

    // Phase 1: holds.
    let server_pid = server.child.id().to_string();
    let cpu_before = (cpu_seconds(&server_pid), cpu_seconds("self"));
    let work = Arc::new(work);
    let communications = Arc::new(communications);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..options.clients {
        let (client, token, work, communications, next) = (
            client.clone(),
            token.clone(),
            Arc::clone(&work),
            Arc::clone(&communications),
            Arc::clone(&next),
        );
        let url = api("/bookings");
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut won = Vec::new();
            let mut other = 0usize;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= work.len() {
                    break;
                }
                let slot = &work[i];
                let (communication, fc) = &communications[i];
                let body = json!({
                    "communication_id": communication,
                    "fiscal_code": fc,
                    "topic_code": "anagrafica",
                    "consultation_point": slot.point,
                    "office_code": slot.office,
                    "slot_start": slot.start,
                    "phone": "+393331234567",
                    "notes": "Prova di carico",
                });
                let t = Instant::now();
                let response = client
                    .post(&url)
                    .bearer_auth(&token)
                    .header("idempotency-key", format!("load-{i}"))
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                let status = response.status().as_u16();
                let bytes = response.bytes().await.unwrap();
                latencies.push(t.elapsed());
                match status {
                    201 => {
                        let body: Value = serde_json::from_slice(&bytes).unwrap();
                        won.push((i, body["id"].as_str().unwrap().to_owned()));
                    }
                    409 => {}
                    _ => other += 1,
                }
            }
            (latencies, won, other)
        }));
    }
    let mut latencies = Vec::new();
    let mut won = Vec::new();
    let mut other = 0;
    for task in tasks {
        let (l, w, o) = task.await.unwrap();
        latencies.extend(l);
        won.extend(w);
        other += o;
    }
    let elapsed = started.elapsed();
    let cpu_holds = (
        cpu_seconds(&server_pid) - cpu_before.0,
        cpu_seconds("self") - cpu_before.1,
    );
    latencies.sort();
    let mut per_slot: HashMap<(&str, &str, &str), usize> = HashMap::new();
    for (i, _) in &won {
        let s = &work[*i];
        *per_slot
            .entry((s.office.as_str(), s.point.as_str(), s.start.as_str()))
            .or_default() += 1;
    }
    let client_doubles = per_slot.values().filter(|&&n| n > 1).count();

    // Phase 2: slot reads.
    let next = Arc::new(AtomicUsize::new(0));
    let point_refs = Arc::new(point_refs);
    let reads_started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..options.clients {
        let (client, token, next, point_refs) = (
            client.clone(),
            token.clone(),
            Arc::clone(&next),
            Arc::clone(&point_refs),
        );
        let base = api("/slots");
        let total = options.reads;
        tasks.push(tokio::spawn(async move {
            let mut rng = rand::rngs::StdRng::seed_from_u64(c as u64);
            let mut latencies = Vec::new();
            let mut errors = 0usize;
            while next.fetch_add(1, Ordering::Relaxed) < total {
                let (office, point) = &point_refs[rng.gen_range(0..point_refs.len())];
                let t = Instant::now();
                let response = client
                    .get(format!("{base}?office={office}&consultation_point={point}"))
                    .bearer_auth(&token)
                    .send()
                    .await
                    .unwrap();
                let ok = response.status().is_success();
                let _ = response.bytes().await.unwrap();
                latencies.push(t.elapsed());
                errors += usize::from(!ok);
            }
            (latencies, errors)
        }));
    }
    let mut read_latencies = Vec::new();
    let mut read_errors = 0;
    for task in tasks {
        let (l, e) = task.await.unwrap();
        read_latencies.extend(l);
        read_errors += e;
    }
    let reads_elapsed = reads_started.elapsed();
    let cpu_reads = (
        cpu_seconds(&server_pid) - cpu_before.0 - cpu_holds.0,
        cpu_seconds("self") - cpu_before.1 - cpu_holds.1,
    );
    read_latencies.sort();

    // Phase 2b: reschedule (contract 1.1). Holds are confirmed, then moved, each to a slot
    // nobody holds, at another punto when the slot is there: one request each, all or
    // nothing on the service.
    let taken: std::collections::HashSet<(&str, &str, &str)> = per_slot.keys().copied().collect();
    let free: Vec<SlotRef> = slots
        .iter()
        .filter(|s| !taken.contains(&(s.office.as_str(), s.point.as_str(), s.start.as_str())))
        .cloned()
        .collect();
    let moves: Vec<(String, SlotRef)> = won
        .iter()
        .map(|(_, id)| id.clone())
        .zip(free)
        .take(options.reschedules)
        .collect();
    for chunk in moves.chunks(64) {
        let confirms = chunk.iter().map(|(id, _)| {
            client
                .post(api(&format!("/bookings/{id}/confirm")))
                .bearer_auth(&token)
                .send()
        });
        for response in futures_join(confirms).await {
            assert_eq!(response.unwrap().status().as_u16(), 200);
        }
    }
    let moves = Arc::new(moves);
    let next = Arc::new(AtomicUsize::new(0));
    let moves_started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..options.clients {
        let (client, token, next, moves) = (
            client.clone(),
            token.clone(),
            Arc::clone(&next),
            Arc::clone(&moves),
        );
        let base = api("/appointments");
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut moved = 0usize;
            let mut refused = 0usize;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some((id, slot)) = moves.get(i) else {
                    break;
                };
                let t = Instant::now();
                let response = client
                    .post(format!("{base}/{id}/reschedule"))
                    .bearer_auth(&token)
                    .header("idempotency-key", format!("move-{i}"))
                    .json(&json!({
                        "slot_start": slot.start,
                        "office_code": slot.office,
                        "consultation_point": slot.point,
                    }))
                    .send()
                    .await
                    .unwrap();
                let status = response.status().as_u16();
                let _ = response.bytes().await.unwrap();
                latencies.push(t.elapsed());
                match status {
                    201 => moved += 1,
                    _ => refused += 1,
                }
            }
            (latencies, moved, refused)
        }));
    }
    let mut move_latencies = Vec::new();
    let (mut moved, mut refused) = (0, 0);
    for task in tasks {
        let (l, m, r) = task.await.unwrap();
        move_latencies.extend(l);
        moved += m;
        refused += r;
    }
    let moves_elapsed = moves_started.elapsed();
    move_latencies.sort();
    drop(server);

    // Phase 3: the database's own word.
    let conn = Connection::open(&db).unwrap();
    let db_doubles: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM (SELECT 1 FROM appointments
               WHERE status IN ('prenotato', 'confermato')
               GROUP BY office_code, consultation_point, start_at HAVING COUNT(*) > 1)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let live: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM appointments
               WHERE status IN ('prenotato', 'confermato') AND communication_id LIKE 'CM-LOAD-%'",
            [],
            |r| r.get(0),
        )
        .unwrap();

    let holds_per_sec = won.len() as f64 / elapsed.as_secs_f64();
    println!();
    println!(
        "holds         {} created, {} refused (409), {} other, in {:.2} s",
        won.len(),
        work.len() - won.len() - other,
        other,
        elapsed.as_secs_f64()
    );
    println!(
        "holds/s       {holds_per_sec:.0}  (attempts/s {:.0})",
        work.len() as f64 / elapsed.as_secs_f64()
    );
    println!(
        "POST /bookings p50 {}  p99 {}  max {}",
        ms(percentile(&latencies, 50.0)),
        ms(percentile(&latencies, 99.0)),
        ms(*latencies.last().unwrap())
    );
    println!(
        "GET /slots     p50 {}  p99 {}  ({} reads in {:.2} s, {} errors)",
        ms(percentile(&read_latencies, 50.0)),
        ms(percentile(&read_latencies, 99.0)),
        read_latencies.len(),
        reads_elapsed.as_secs_f64(),
        read_errors
    );
    println!(
        "CPU seconds   holds: server {:.2}, load generator {:.2}; reads: server {:.2}, load generator {:.2}",
        cpu_holds.0, cpu_holds.1, cpu_reads.0, cpu_reads.1
    );
    if !move_latencies.is_empty() {
        println!(
            "POST /appointments/{{id}}/reschedule p50 {}  p99 {}  max {}  ({moved} moved, {refused} refused, in {:.2} s)",
            ms(percentile(&move_latencies, 50.0)),
            ms(percentile(&move_latencies, 99.0)),
            ms(*move_latencies.last().unwrap()),
            moves_elapsed.as_secs_f64()
        );
    }
    println!("double bookings: {client_doubles} (slots answered 201 twice), {db_doubles} (slots with two live appointments in the database)");
    println!(
        "live holds in the database: {live} (201 answers: {})",
        won.len()
    );
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(client_doubles, 0);
    assert_eq!(db_doubles, 0);
    assert_eq!(live as usize, won.len());
    assert_eq!(other, 0, "every attempt is 201 or 409");
}

/// Awaits every future of `futures` side by side (a small join, without another crate).
async fn futures_join<F>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
    let mut out = Vec::with_capacity(handles.len());
    for handle in handles {
        out.push(handle.await.unwrap());
    }
    out
}
