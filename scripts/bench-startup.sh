#!/usr/bin/env bash
# Startup benchmark of the release build under Xvfb (a benchmark, not a test):
#  - time from process start to the UI's first interactive frame (the UI calls `ui_ready`,
#    the app writes the instant to $CASSETTO_READY_FILE), over RUNS runs;
#  - RSS and PSS of the app's process tree (app + WebKit children) after 5 s idle,
#    summed from /proc/*/smaps_rollup;
#  - the size of the (stripped) release binary.
# Targets on the 2-core reference machine: median start <= 0.8 s, tree PSS <= 300 MB,
# stripped binary <= 15 MB.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-7}
IDLE=${IDLE:-5}

cargo build --release --quiet -p cassetto-agenda
app=$PWD/target/release/cassetto-agenda

export RUNS IDLE app
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export work

XDG_DATA_HOME="$work/keyring" dbus-run-session -- bash -c '
  echo -n bench | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  xvfb-run -a -s "-screen 0 1280x800x24" bash -s' <<'INNER'
set -euo pipefail
tree_pids() { # the pid and all its descendants
  local pid=$1 child
  echo "$pid"
  for child in $(cat /proc/"$pid"/task/*/children 2>/dev/null); do tree_pids "$child"; done
}
sum_kb() { # sum of field $1 of smaps_rollup over the pids
  local field=$1 total=0 pid v
  shift
  for pid in "$@"; do
    v=$(awk -v f="$field:" '$1==f {print $2}' /proc/"$pid"/smaps_rollup 2>/dev/null || true)
    total=$((total + ${v:-0}))
  done
  echo "$total"
}
starts=() rss=() pss=()
for i in $(seq 1 "$RUNS"); do
  run=$work/run$i; mkdir -p "$run"/{data,config,cache}
  ready=$run/ready
  t0=$(date +%s%3N)
  XDG_DATA_HOME=$run/data XDG_CONFIG_HOME=$run/config XDG_CACHE_HOME=$run/cache \
    CASSETTO_READY_FILE=$ready NO_AT_BRIDGE=1 "$app" >"$run/log" 2>&1 &
  pid=$!
  for _ in $(seq 1 600); do [ -s "$ready" ] && break; sleep 0.05; done
  [ -s "$ready" ] || { echo "run $i: the UI never signalled ready; log:" >&2; tail -20 "$run/log" >&2; exit 1; }
  starts+=($(( $(cat "$ready") - t0 )))
  sleep "$IDLE"
  mapfile -t pids < <(tree_pids "$pid")
  rss+=($(sum_kb Rss "${pids[@]}"))
  pss+=($(sum_kb Pss "${pids[@]}"))
  kill "$pid"; wait "$pid" 2>/dev/null || true
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
echo "runs: $RUNS (idle ${IDLE}s before measuring memory)"
echo "start to first interactive frame (ms): median $(median "${starts[@]}"), all: ${starts[*]}"
echo "process tree RSS (MB): median $(( $(median "${rss[@]}") / 1024 )), all KB: ${rss[*]}"
echo "process tree PSS (MB): median $(( $(median "${pss[@]}") / 1024 )), all KB: ${pss[*]}"
INNER
size=$(stat -c %s "$app")
echo "release binary: $((size / 1024)) KiB ($(file -b "$app" | grep -o 'stripped\|not stripped'))"
