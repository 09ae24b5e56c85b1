#!/usr/bin/env bash
# Packaging benchmark (not a test): the sizes of the .deb and the .rpm, the installed size,
# and the start of the INSTALLED binary against a bare Tauri window built in the same run
# (benches/bare-window: same Tauri, same release profile, same signal), measured the same
# way: exec to the page's first frame after paint (each writes the instant to
# $CASSETTO_READY_FILE), alternating, RUNS runs each, under Xvfb in a D-Bus session with an
# unlocked gnome-keyring. The app is timed twice: its usual start (the user's data folder
# from an earlier start) and its very first start for a user (an empty folder: the embedded
# sandbox creates and seeds its demo database first).
# Target: the app's usual start within 15 % of the bare window's median. Needs root or passwordless sudo
# (it installs the .deb and removes it at the end).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/setup.sh
source scripts/lib/packages.sh
RUNS=${RUNS:-9}
ready_to_install

say "Packages"
scripts/package.sh >/dev/null
built_packages

say "The bare Tauri window (same Tauri, same profile, the project's Cargo.lock)"
cp Cargo.lock benches/bare-window/Cargo.lock
trap 'rm -f benches/bare-window/Cargo.lock' EXIT
CARGO_TARGET_DIR=target/bare-window cargo build --release --quiet --manifest-path benches/bare-window/Cargo.toml
bare=$PWD/target/bare-window/release/bare-window

work=$(mktemp -d)
installed=0
trap 'rm -f benches/bare-window/Cargo.lock; [ "$installed" = 1 ] && "${as_root[@]}" dpkg -r "$name" >/dev/null; rm -rf "$work"' EXIT
"${as_root[@]}" dpkg -i "$deb" >/dev/null
installed=1
app=/usr/bin/$name
installed_kb=$(dpkg-query -W -f='${Installed-Size}' "$name")
files_kb=$(dpkg -L "$name" | while IFS= read -r f; do [ -f "$f" ] && printf '%s\0' "$f"; done | du -ck --files0-from=- | tail -1 | cut -f1)

export RUNS app bare work
XDG_DATA_HOME="$work/keyring" dbus-run-session -- bash -c '
  echo -n bench | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  xvfb-run -a -s "-screen 0 1280x800x24" bash -s' <<'INNER'
set -euo pipefail
start_once() { # start_once <binary> <run folder>: prints ms from exec to the first frame
  local binary=$1 run=$2 t0 pid
  mkdir -p "$run"/{data,config,cache}
  rm -f "$run/ready"
  t0=$(date +%s%3N)
  XDG_DATA_HOME=$run/data XDG_CONFIG_HOME=$run/config XDG_CACHE_HOME=$run/cache \
    CASSETTO_READY_FILE=$run/ready NO_AT_BRIDGE=1 "$binary" >"$run/log" 2>&1 &
  pid=$!
  for _ in $(seq 1 600); do [ -s "$run/ready" ] && break; sleep 0.02; done
  [ -s "$run/ready" ] || { echo "$binary never signalled its first frame; log:" >&2; tail -20 "$run/log" >&2; exit 1; }
  echo $(( $(cat "$run/ready") - t0 ))
  kill "$pid"; wait "$pid" 2>/dev/null || true
  sleep 0.5
}
start_once "$bare" "$work/warm-bare" >/dev/null # the first start of each reads its files from disk
start_once "$app" "$work/warm-app" >/dev/null
apps=() firsts=() bares=()
for i in $(seq 1 "$RUNS"); do
  bares+=($(start_once "$bare" "$work/bare$i"))
  apps+=($(start_once "$app" "$work/warm-app"))
  firsts+=($(start_once "$app" "$work/first$i"))
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
m_app=$(median "${apps[@]}") m_first=$(median "${firsts[@]}") m_bare=$(median "${bares[@]}")
echo "start to first frame, $RUNS runs each (ms):"
echo "  bare window                 median $m_bare  all: ${bares[*]}"
echo "  installed app, usual start  median $m_app  all: ${apps[*]}"
echo "  installed app, first start  median $m_first  all: ${firsts[*]}"
awk -v a="$m_app" -v f="$m_first" -v b="$m_bare" 'BEGIN { printf "  usual / bare = %.2f (target <= 1.15); first / bare = %.2f\n", a / b, f / b }'
INNER
echo ".deb: $(( $(stat -c %s "$deb") / 1024 )) KiB  ($(basename "$deb"))"
echo ".rpm: $(( $(stat -c %s "$rpm_file") / 1024 )) KiB  ($(basename "$rpm_file"))"
echo "installed: $installed_kb KiB (dpkg Installed-Size), $files_kb KiB of files on disk"
echo "bare window binary: $(( $(stat -c %s "$bare") / 1024 )) KiB; app binary: $(( $(stat -c %s "$app") / 1024 )) KiB"
