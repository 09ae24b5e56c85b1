#!/usr/bin/env bash
# Runs Cassetto Agenda: installs what it needs (Debian/Ubuntu), builds it, opens the window.
# With no service configured it starts the embedded sandbox with demo data (operator demo/demo).
# CASSETTO_SERVICE_URL=https://… selects a remote service instead.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/setup.sh

ensure_rust
ensure_packages "${APP_PACKAGES[@]}"
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  die "no graphical session (neither DISPLAY nor WAYLAND_DISPLAY is set).
Run it from your desktop, or headless under Xvfb:
    sudo apt-get install -y xvfb && xvfb-run -a ./scripts/run-app.sh"
fi
say "Building Cassetto Agenda (release; the first build takes several minutes)"
cargo build --release --quiet -p cassetto-agenda
exec ./target/release/cassetto-agenda "$@"
