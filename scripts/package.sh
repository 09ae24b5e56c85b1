#!/usr/bin/env bash
# Builds the Linux packages (.deb and .rpm; or the bundles named in $BUNDLES, e.g.
# BUNDLES=deb) with the Tauri CLI from the one top-level tauri.conf.json, into
# target/release/bundle/{deb,rpm}/. The CLI is the npm package @tauri-apps/cli, pinned in
# tests/package.json and installed here with `npm ci` (a prebuilt binary, seconds).
#
# The CLI insists that the config sits beside the app's package manifest (src-tauri/), while
# this project keeps it at the top level, where cargo and the build script read it. So this
# script writes a temporary src-tauri/tauri.conf.json derived from the top-level file (its
# relative paths rewritten one level up), runs the CLI, and removes the copy. The top-level
# file stays the only one under version control (see ARCHITECTURE.md, "Packaging").
# Extra arguments go to `tauri build` (e.g. `--target`).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/setup.sh
bundles=${BUNDLES:-deb,rpm}
generated=src-tauri/tauri.conf.json
[ -e "$generated" ] && die "$generated exists; it must not be committed"
[ -x tests/node_modules/.bin/tauri ] || npm ci --prefix tests --silent --no-audit --no-fund
trap 'rm -f "$generated"' EXIT
node scripts/lib/cli-config.js tauri.conf.json "$generated"
say "Building the release binary and the $bundles bundles (Tauri CLI $(tests/node_modules/.bin/tauri --version | awk '{print $2}'))"
(cd src-tauri && ../tests/node_modules/.bin/tauri build --ci --bundles "$bundles" "$@")
find target/release/bundle -maxdepth 2 \( -name '*.deb' -o -name '*.rpm' \) -newer "$generated" -printf '%s\t%p\n' \
  | awk -F'\t' '{printf "%6.1f MiB  %s\n", $1 / 1048576, $2}'
