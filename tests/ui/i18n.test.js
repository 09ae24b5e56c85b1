import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { ERROR_KINDS, MESSAGES, t } from "../../ui/js/i18n.js";

const UI = new URL("../../ui/", import.meta.url).pathname;

function sources() {
  const files = [join(UI, "index.html"), join(UI, "js/state.js"), join(UI, "js/controller.js"), join(UI, "js/format.js")];
  for (const f of readdirSync(join(UI, "js/views"))) files.push(join(UI, "js/views", f));
  for (const feature of readdirSync(join(UI, "js/features"))) {
    for (const f of readdirSync(join(UI, "js/features", feature))) files.push(join(UI, "js/features", feature, f));
  }
  return files.map((f) => [f, readFileSync(f, "utf8")]);
}

test("every Italian key has an English translation and vice versa", () => {
  assert.deepEqual(Object.keys(MESSAGES.en).sort(), Object.keys(MESSAGES.it).sort());
});

test("both languages use the same placeholders for each key", () => {
  const names = (text) => (text.match(/\{\w+\}/g) || []).sort();
  for (const key of Object.keys(MESSAGES.it)) assert.deepEqual(names(MESSAGES.en[key]), names(MESSAGES.it[key]), key);
});

test("no text is empty", () => {
  for (const lang of ["it", "en"]) for (const [key, text] of Object.entries(MESSAGES[lang])) assert.ok(text.trim(), `${lang}.${key}`);
});

test("every key the markup and the code use exists", () => {
  const used = new Set();
  for (const [, text] of sources()) {
    for (const m of text.matchAll(/data-i18n(?:-aria-label|-placeholder)?="([a-z0-9_]+)"/g)) used.add(m[1]);
    for (const m of text.matchAll(/\bt\((?:lang|state\.lang), ([^)]*)/g)) {
      // String literals in the key position, leaving out the values a ternary compares with.
      for (const s of m[1].matchAll(/(=== )?"([a-z][a-z0-9_]+)"/g)) if (!s[1]) used.add(s[2]);
    }
    for (const m of text.matchAll(/\bkey: "([a-z0-9_]+)"/g)) used.add(m[1]);
    for (const m of text.matchAll(/error: "(filter_[a-z_]+)"/g)) used.add(m[1]);
    for (const m of text.matchAll(/: "((?:step|stage|title|empty|draft_step)_[a-z_]+)"/g)) used.add(m[1]);
  }
  const missing = [...used].filter((key) => !(key in MESSAGES.it));
  assert.deepEqual(missing, []);
  assert.ok(used.size > 150, `only ${used.size} keys found: the scan is broken`);
});

test("every error kind of docs/ipc.md has a message", () => {
  for (const kind of ERROR_KINDS) {
    assert.ok(MESSAGES.it[`error_${kind}`], kind);
    assert.ok(MESSAGES.en[`error_${kind}`], kind);
  }
});

test("the product's Italian labels are kept verbatim", () => {
  const rows = [
    ["request_appointment", "Richiedi appuntamento"],
    ["book", "Prenota Appuntamento"],
    ["confirm_booking", "Conferma Appuntamento"],
    ["cancel_booking", "Cancella Prenotazione"],
    ["nav_appointments", "Gestione appuntamenti"],
    ["cancel_appointment", "Annulla appuntamento"],
    ["topic", "Argomento"],
    ["consultation_point", "Punto di consulenza"],
    ["office", "Struttura territoriale"],
    ["date_time", "Data e ora"],
    ["phone", "Telefono"],
    ["notes", "Note"],
    ["selected_contributor", "Utente selezionato"],
    ["env_sandbox", "Ambiente di prova"],
    ["sign_out", "Esci"],
    ["status_prenotato", "Prenotato (da confermare)"],
  ];
  for (const [key, label] of rows) assert.equal(t("it", key), label, key);
});

test("placeholders are filled; unknown languages fall back to Italian, unknown keys to the key", () => {
  assert.equal(t("it", "eligible_from", { date: "12/12/2026" }), "Disponibile dal 12/12/2026");
  assert.equal(t("it", "eligible_from", {}), "Disponibile dal {date}");
  assert.equal(t("fr", "nav_communications"), "Comunicazioni");
  assert.equal(t("it", "no_such_key"), "no_such_key");
});
