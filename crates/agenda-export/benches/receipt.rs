//! Receipt generation time: `cargo bench -p agenda-export` (bench profile), or
//! `cargo bench -p agenda-export --profile release` (the shipped profile: size-optimised,
//! fat LTO). Renders the receipt 300 times after 20 warm-up runs and prints p50, p95 and
//! the largest, with the file's size. The target is p95 ≤ 150 ms.

use std::time::Instant;

use agenda_core::Channel;
use agenda_export::{receipt, Lang};

#[path = "../tests/common/mod.rs"]
mod common;

fn main() -> Result<(), String> {
    let data = common::receipt(Lang::It, Channel::InPresenza);
    let mut size = 0;
    for _ in 0..20 {
        size = receipt::render(&data).map_err(|e| e.to_string())?.len();
    }
    let mut times: Vec<f64> = (0..300)
        .map(|_| {
            let t = Instant::now();
            let _ = receipt::render(&data);
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "receipt: p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms over {} renders; {} bytes",
        at(0.5),
        at(0.95),
        at(1.0),
        times.len(),
        size
    );
    Ok(())
}
