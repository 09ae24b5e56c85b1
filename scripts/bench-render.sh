#!/usr/bin/env bash
# Render benchmarks in the real window (benchmarks, not tests): Gestione appuntamenti with
# 10,000 appointments, and the Agenda dello sportello of 300 contributors x 30 appointments.
# Needs what the test command installs (Xvfb, tauri-driver…) and a keyring session.
set -euo pipefail
cd "$(dirname "$0")/.."
# The release build, as shipped (debug-built crypto and JSON would measure the wrong thing).
cargo build --release --quiet -p cassetto-agenda
export CASSETTO_APP_BINARY=$PWD/target/release/cassetto-agenda
cargo run --quiet -p agenda-e2e --example render_bench
exec cargo run --quiet -p agenda-e2e --example agenda_bench
