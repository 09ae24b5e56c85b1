#!/usr/bin/env bash
# Render benchmark of Gestione appuntamenti with 10,000 appointments in the real window
# (a benchmark, not a test). Needs what the test command installs (Xvfb, tauri-driver…).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet -p cassetto-agenda
exec cargo run --quiet -p agenda-e2e --example render_bench
