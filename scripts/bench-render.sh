#!/usr/bin/env bash
# Render benchmarks in the real window (benchmarks, not tests): Gestione appuntamenti with
# 10,000 appointments, and the Agenda dello sportello of 300 contributors x 30 appointments. Needs what the test command installs (Xvfb, tauri-driver…).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet -p cassetto-agenda
cargo run --quiet -p agenda-e2e --example render_bench
exec cargo run --quiet -p agenda-e2e --example agenda_bench
