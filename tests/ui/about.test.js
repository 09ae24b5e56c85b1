import { test } from "node:test";
import assert from "node:assert/strict";
import { aboutRows, supportText } from "../../ui/js/features/about/state.js";
import { screenOf } from "../../ui/js/state.js";
import { CONTRIBUTOR, reject, setup } from "./helpers.js";

const ABOUT = {
  version: "0.1.0", build_date: "2026-12-05 07:30", commit: "499036b1c2d3", license: "EUPL-1.2",
  os: "linux", arch: "x86_64", webview: "2.50.4", tauri: "2.12.5",
  environment: { mode: "remote", base_url: "https://servizio.example.it/" },
  data_dir: "/home/mario.rossi/.local/share/it.cassetto.agenda", data_dir_short: "~/.local/share/it.cassetto.agenda",
};

test("Informazioni opens before sign-in and loads the build facts", async () => {
  const t = setup({ sessionStatus: { signed_in: false, operator: null }, about: ABOUT });
  await t.ctrl.start(null);
  await t.ctrl.navigate("informazioni");
  assert.equal(screenOf(t.state()), "informazioni");
  assert.equal(t.api.callsOf("about").length, 1);
  assert.equal(t.state().about.status, "ready");
  const rows = Object.fromEntries(aboutRows(t.state().about.data, "it"));
  assert.equal(rows.about_version, "0.1.0");
  assert.equal(rows.about_build_date, "2026-12-05 07:30 UTC");
  assert.equal(rows.about_commit, "499036b1c2d3");
  assert.equal(rows.about_license, "EUPL-1.2");
  assert.equal(rows.about_service, "https://servizio.example.it/");
  assert.equal(rows.about_data_dir, "/home/mario.rossi/.local/share/it.cassetto.agenda");
});

test("the support text names the build, the service and the folder, and nothing personal", async () => {
  const t = setup({ selectedContributor: CONTRIBUTOR, about: ABOUT });
  await t.ctrl.start(null);
  await t.ctrl.navigate("informazioni");
  const text = supportText(t.state().about.data, "it");
  assert.match(text, /^Cassetto Agenda — informazioni di supporto\n/);
  for (const line of ["Versione: 0.1.0", "Data di compilazione: 2026-12-05 07:30 UTC", "Commit: 499036b1c2d3", "Licenza: EUPL-1.2",
    "Servizio in uso: https://servizio.example.it/", "Cartella dei dati: ~/.local/share/it.cassetto.agenda", "Sistema: linux x86_64",
    "Motore web: 2.50.4"]) {
    assert.ok(text.includes(line), `missing "${line}" in:\n${text}`);
  }
  // The signed-in operator, the utente selezionato and the PC user's home are not in it.
  for (const secret of ["Operatore", CONTRIBUTOR.fiscal_code, CONTRIBUTOR.display_name, "mario.rossi"]) {
    assert.ok(!text.includes(secret), `"${secret}" must not be in the support text`);
  }
  const english = supportText(t.state().about.data, "en");
  assert.ok(english.includes("Build date: 2026-12-05 07:30 UTC"));
});

test("the embedded sandbox is named as such; missing facts read 'non disponibile'", () => {
  const rows = Object.fromEntries(aboutRows({ ...ABOUT, environment: { mode: "embedded_sandbox" }, webview: null, data_dir: null, data_dir_short: null }, "it"));
  assert.equal(rows.about_service, "Ambiente di prova integrato (dati dimostrativi)");
  assert.equal(rows.about_webview, "non disponibile");
  assert.equal(rows.about_data_dir, "non disponibile");
});

test("a copy that the system refuses is said, with what to do instead", async () => {
  const t = setup({ about: ABOUT });
  await t.ctrl.start(null);
  await t.ctrl.navigate("informazioni");
  t.ctrl.aboutCopied(false);
  assert.equal(t.state().about.copied, false);
  t.ctrl.aboutCopied(true);
  assert.equal(t.state().about.copied, true);
  await t.ctrl.navigate("informazioni"); // shown again: the old outcome is gone
  assert.equal(t.state().about.copied, null);
});

test("a failure to read the facts is shown as an error", async () => {
  const t = setup({ about: reject("internal", "Errore imprevisto.") });
  await t.ctrl.start(null);
  await t.ctrl.navigate("informazioni");
  assert.equal(t.state().about.status, "error");
  assert.equal(t.state().about.error.kind, "internal");
});
