// Writes, for the Tauri CLI, a copy of the top-level tauri.conf.json that can sit in
// src-tauri/: every path relative to the top level is rewritten one level up.
// Usage: node scripts/lib/cli-config.js <top-level config> <output>
"use strict";
const fs = require("fs");
const [source, output] = process.argv.slice(2);
const conf = JSON.parse(fs.readFileSync(source, "utf8"));
const up = (p) => (p.startsWith("/") || /^[a-z]+:/.test(p) ? p : "../" + p);
conf.build.frontendDist = up(conf.build.frontendDist);
conf.bundle.icon = conf.bundle.icon.map(up);
conf.bundle.licenseFile = up(conf.bundle.licenseFile);
for (const kind of ["deb", "rpm"]) {
  const linux = conf.bundle.linux[kind];
  if (linux.desktopTemplate) linux.desktopTemplate = up(linux.desktopTemplate);
  for (const [dest, src] of Object.entries(linux.files || {})) linux.files[dest] = up(src);
}
fs.writeFileSync(output, JSON.stringify(conf, null, 2));
