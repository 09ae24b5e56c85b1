#!/usr/bin/env bash
# Builds the .deb bundle with the Tauri CLI (npm package @tauri-apps/cli) from the one
# top-level tauri.conf.json.
#
# The CLI insists that the config sits beside the app's package manifest (src-tauri/), while
# this project keeps it at the top level, where cargo and the build script read it. So this
# script writes a temporary src-tauri/tauri.conf.json derived from the top-level file (its
# relative paths rewritten one level up), runs the CLI, and removes the copy. The top-level
# file stays the only one under version control (see ARCHITECTURE.md).
set -euo pipefail
cd "$(dirname "$0")/.."
generated=src-tauri/tauri.conf.json
[ -e "$generated" ] && { echo "error: $generated exists; it must not be committed" >&2; exit 1; }
trap 'rm -f "$generated"' EXIT
node -e '
  const fs = require("fs");
  const conf = JSON.parse(fs.readFileSync("tauri.conf.json", "utf8"));
  const up = (p) => (p.startsWith("/") || /^[a-z]+:/.test(p) ? p : "../" + p);
  conf.build.frontendDist = up(conf.build.frontendDist);
  conf.bundle.icon = conf.bundle.icon.map(up);
  fs.writeFileSync(process.argv[1], JSON.stringify(conf, null, 2));
' "$generated"
cli=${TAURI_CLI:-npx --yes @tauri-apps/cli@2}
(cd src-tauri && $cli build --bundles deb "$@")
ls -la target/release/bundle/deb/*.deb
