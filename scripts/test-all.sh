#!/usr/bin/env bash
# Runs every test of Cassetto Agenda, installing what the tests need (Debian/Ubuntu):
# formatting and lints, Rust unit and integration tests (with a real keychain in a private
# D-Bus session), the UI logic tests, the contract check of the sandbox (schemathesis), and
# the end-to-end tests that drive the real app window under Xvfb, and the Linux packages
# (.deb built, installed, launched and removed; .rpm built and read).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/setup.sh
export CARGO_TERM_PROGRESS_WHEN=never
started=$SECONDS

ensure_rust
ensure_packages "${APP_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
ensure_tauri_driver

say "cargo fmt --check"
cargo fmt --all --check || die "code is not formatted: run 'cargo fmt --all'"

say "cargo clippy (warnings are errors)"
cargo clippy --workspace --all-targets --quiet -- -D warnings

say "Building the app for the end-to-end tests; axe-core for their accessibility checks"
cargo build --quiet -p cassetto-agenda
npm ci --prefix tests --silent --no-audit --no-fund

say "Python's icalendar, the outside parser of the calendar files"
ICALENDAR_VERSION=7.3.2
export AGENDA_TEST_PYTHON="$PWD/target/export-venv/bin/python"
if ! "$AGENDA_TEST_PYTHON" -c "import icalendar, sys; sys.exit(icalendar.__version__ != '$ICALENDAR_VERSION')" 2>/dev/null; then
  python3 -m venv target/export-venv
  target/export-venv/bin/pip install --quiet --disable-pip-version-check "icalendar==$ICALENDAR_VERSION"
fi

say "Rust tests (real keychain in a private D-Bus session)"
keyring_home=$(mktemp -d)
trap 'rm -rf "$keyring_home"' EXIT
XDG_DATA_HOME="$keyring_home" dbus-run-session -- bash -c '
  set -e
  echo -n ci-keyring-pass | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  cargo test --workspace --no-fail-fast
'

say "UI logic tests and the release set-up (node --test)"
node --test tests/ui/*.test.js tests/packaging/*.test.js

say "Contract check of the sandbox (schemathesis against docs/openapi.yaml)"
scripts/schemathesis.sh

say "Linux packages: .deb built, installed, launched, removed; .rpm built and read"
scripts/test-packages.sh

say "All tests passed in $((SECONDS - started)) s"
