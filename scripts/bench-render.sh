#!/usr/bin/env bash
# Render benchmark of Gestione appuntamenti with 10,000 appointments in the real window
# (a benchmark, not a test), with the release build of the app and an optimised service.
# Needs what the test command installs (Xvfb, tauri-driver, gnome-keyring…).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet -p cassetto-agenda
export CASSETTO_E2E_APP=$PWD/target/release/cassetto-agenda
exec cargo run --profile bench --quiet -p agenda-e2e --example render_bench
