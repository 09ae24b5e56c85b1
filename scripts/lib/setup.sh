# Shared set-up for run-app.sh and test-all.sh: checks (and on Debian/Ubuntu installs) what
# the app and its tests need. Sourced, not run.

# System packages (Debian/Ubuntu names) the app needs to build and run.
APP_PACKAGES=(build-essential pkg-config libssl-dev libwebkit2gtk-4.1-dev libgtk-3-dev
  libayatana-appindicator3-dev librsvg2-dev libsecret-1-dev gnome-keyring dbus dbus-x11)
# Extra packages for the tests: a virtual display and the WebKit WebDriver; poppler, qpdf and
# zbar, which read back the receipt (text, validity, tags, QR code); rpm and
# desktop-file-utils, which read the built packages; Node.js + npm for the UI tests, axe-core
# and the Tauri CLI, and Python's venv for schemathesis and icalendar, unless already there.
TEST_PACKAGES=(xvfb xauth webkit2gtk-driver poppler-utils qpdf zbar-tools rpm desktop-file-utils)
command -v node >/dev/null 2>&1 || TEST_PACKAGES+=(nodejs)
command -v npm >/dev/null 2>&1 || TEST_PACKAGES+=(npm)
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || TEST_PACKAGES+=(python3 python3-venv)

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# ensure_rust: cargo must be there; we do not download toolchains behind your back.
ensure_rust() {
  command -v cargo >/dev/null 2>&1 && return 0
  die "Rust is not installed. Install it with rustup (https://rustup.rs):
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh
then open a new shell and run this command again."
}

# missing_debs PKG...: prints the packages that dpkg does not report as installed.
missing_debs() {
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || printf '%s\n' "$pkg"
  done
}

# root_runner: sets the array `as_root` to what runs a command as root: nothing when root,
# `sudo -n` with passwordless sudo (as on CI machines); fails when neither.
root_runner() {
  as_root=()
  [ "$(id -u)" -eq 0 ] && return 0
  sudo -n true 2>/dev/null && as_root=(sudo -n)
}

# ensure_packages PKG...: installs missing Debian packages when root (or with passwordless
# sudo, as on CI machines), else prints the exact sudo line and stops. On systems without dpkg, checks the libraries with pkg-config.
ensure_packages() {
  if ! command -v dpkg-query >/dev/null 2>&1; then
    local lib missing=()
    for lib in webkit2gtk-4.1 gtk+-3.0 librsvg-2.0 libsecret-1; do
      pkg-config --exists "$lib" 2>/dev/null || missing+=("$lib")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    die "missing system libraries: ${missing[*]}. This script installs them on Debian/Ubuntu;
elsewhere install the packages that provide them (see README.md, 'Other platforms')."
  fi
  local missing
  mapfile -t missing < <(missing_debs "$@")
  [ ${#missing[@]} -eq 0 ] && return 0
  local as_root
  if root_runner; then
    say "Installing system packages: ${missing[*]}"
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq || die "apt-get update failed"
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
      || die "apt-get install failed for: ${missing[*]}"
  else
    die "missing system packages. Install them with:
    sudo apt-get install -y ${missing[*]}
then run this command again."
  fi
}

# ensure_tauri_driver: the WebDriver bridge for the real-window tests, from crates.io.
ensure_tauri_driver() {
  command -v tauri-driver >/dev/null 2>&1 && return 0
  [ -x "$HOME/.cargo/bin/tauri-driver" ] && { export PATH="$HOME/.cargo/bin:$PATH"; return 0; }
  say "Installing tauri-driver from crates.io (about a minute)"
  cargo install tauri-driver --locked --version '^2' --quiet || die "cargo install tauri-driver failed"
}
