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
app=./target/release/cassetto-agenda

# secret_service_reachable: whether a Secret Service (GNOME Keyring, KWallet…) answers on
# the session bus, or can be started by it.
secret_service_reachable() {
  [ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ] || return 1
  command -v dbus-send >/dev/null 2>&1 || return 1
  local method
  for method in ListNames ListActivatableNames; do
    dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
      "org.freedesktop.DBus.$method" 2>/dev/null | grep -q '"org.freedesktop.secrets"' && return 0
  done
  return 1
}

if [ "$(uname -s)" = Linux ] && [ -z "${CASSETTO_SERVICE_URL:-}" ] && ! secret_service_reachable; then
  # The demo (embedded sandbox) needs a keychain for its session and data key. Without one
  # (a headless machine, xvfb-run over SSH), offer a throwaway keyring for this run only.
  say "No system keychain (Secret Service) is reachable in this session."
  if [ -t 0 ]; then
    read -r -p "Start the demo with a temporary keyring, discarded when the app closes? [Y/n] " answer
    case "${answer:-y}" in
      [nN]*) die "no keychain: start GNOME Keyring (or another Secret Service) and run this again" ;;
    esac
  fi
  say "Starting the demo with a temporary keyring: the demo's session and local data last for this run only."
  throwaway=$(mktemp -d)
  trap 'rm -rf "$throwaway"' EXIT
  export XDG_DATA_HOME="$throwaway/data"
  mkdir -p "$XDG_DATA_HOME"
  dbus-run-session -- bash -c '
    head -c 24 /dev/urandom | od -An -tx1 | tr -d " \n" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
    exec "$0" "$@"' "$app" "$@"
  exit $?
fi
exec "$app" "$@"
