// The release set-up, checked where it cannot run: the workflow of .github/workflows/release.yml
// (it runs on GitHub's Windows, macOS and Linux machines) and the Windows and macOS parts of
// tauri.conf.json (the Linux build here parses them, but builds only .deb and .rpm).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import YAML from "yaml";

const root = fileURLToPath(new URL("../../", import.meta.url));
const read = (path) => readFileSync(root + path, "utf8");

function workflow() {
  const doc = YAML.parseDocument(read(".github/workflows/release.yml"), { prettyErrors: true });
  assert.deepEqual(doc.errors, [], "release.yml parses as YAML");
  return doc.toJS();
}

const runsOf = (job) => (job.steps || []).map((s) => s.run || "").join("\n");

test("the release workflow parses, runs for a version tag and names the three OSes", () => {
  const wf = workflow();
  assert.deepEqual(wf.on.push.tags, ["v*"]);
  assert.equal(wf.permissions.contents, "write", "it attaches files to a release");
  const testOs = wf.jobs.test.strategy.matrix.os;
  const buildOs = wf.jobs.build.strategy.matrix.include.map((m) => m.os);
  for (const oses of [testOs, buildOs]) {
    for (const family of ["ubuntu", "windows", "macos"]) {
      assert.ok(oses.some((os) => os.startsWith(family)), `${family} in ${oses}`);
    }
  }
});

test("the installers are built only after the tests passed on every OS", () => {
  const wf = workflow();
  assert.equal(wf.jobs.build.needs, "test");
  const runs = runsOf(wf.jobs.test);
  assert.match(runs, /\.\/scripts\/test-all\.sh/, "Linux runs the README test command");
  assert.match(runs, /cargo test --workspace --exclude agenda-e2e/, "Windows and macOS run the Rust tests");
  assert.match(runs, /node --test tests\/ui\/\*\.test\.js/, "and the UI tests");
});

test("each OS builds its bundles with the official Tauri action, macOS as a universal binary", () => {
  const wf = workflow();
  const args = Object.fromEntries(wf.jobs.build.strategy.matrix.include.map((m) => [m.os.split("-")[0], m.args]));
  assert.match(args.ubuntu, /deb/);
  assert.match(args.ubuntu, /rpm/);
  assert.match(args.windows, /nsis/);
  assert.match(args.windows, /msi/);
  assert.match(args.macos, /--target universal-apple-darwin/);
  assert.match(args.macos, /dmg/);
  const action = wf.jobs.build.steps.find((s) => String(s.uses || "").startsWith("tauri-apps/tauri-action@"));
  assert.ok(action, "tauri-apps/tauri-action is used");
  assert.equal(action.with.releaseDraft, true, "a person publishes the draft");
  assert.match(runsOf(wf.jobs.build), /cli-config\.js tauri\.conf\.json src-tauri\/tauri\.conf\.json/);
});

test("no signing secret is in the repository: the workflow reads them from secrets", () => {
  const text = read(".github/workflows/release.yml");
  assert.doesNotMatch(text, /-----BEGIN/);
  for (const name of ["APPLE_CERTIFICATE", "APPLE_PASSWORD", "WINDOWS_CERTIFICATE"]) {
    assert.match(text, new RegExp(`${name}: \\$\\{\\{ secrets\\.${name} \\}\\}`));
  }
  const conf = JSON.parse(read("tauri.conf.json"));
  assert.equal(conf.bundle.windows.certificateThumbprint, undefined);
  assert.equal(conf.bundle.macOS.signingIdentity, undefined);
});

test("tauri.conf.json holds the identity once and the Windows and macOS installers by convention", () => {
  const conf = JSON.parse(read("tauri.conf.json"));
  const cargo = read("Cargo.toml");
  assert.equal(conf.identifier, "it.cassetto.agenda");
  assert.equal(conf.productName, "Cassetto Agenda");
  assert.equal(conf.bundle.license, "EUPL-1.2");
  assert.match(cargo, /^license = "EUPL-1\.2"$/m);
  assert.equal(conf.version, undefined, "the version is src-tauri/Cargo.toml's, which the CLI and the app read");
  assert.match(read("src-tauri/Cargo.toml"), /^version = "\d+\.\d+\.\d+"$/m);
  assert.match(read(conf.bundle.licenseFile), /^EUROPEAN UNION PUBLIC LICENCE v\. 1\.2/);
  assert.ok(conf.bundle.publisher && conf.bundle.copyright);
  const win = conf.bundle.windows;
  assert.equal(win.nsis.installMode, "perMachine");
  assert.equal(win.nsis.languages[0], "Italian");
  assert.equal(win.wix.language, "it-IT");
  assert.equal(win.webviewInstallMode.type, "embedBootstrapper");
  assert.match(conf.bundle.macOS.minimumSystemVersion, /^\d+\.\d+$/);
});
