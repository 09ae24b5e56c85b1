import { test } from "node:test";
import assert from "node:assert/strict";
import { MESSAGES, t } from "../js/i18n.js";

test("every Italian key has an English translation and vice versa", () => {
  assert.deepEqual(Object.keys(MESSAGES.en).sort(), Object.keys(MESSAGES.it).sort());
});

test("the product's Italian labels are kept verbatim", () => {
  assert.equal(t("it", "nav_appointments"), "Gestione appuntamenti");
  assert.equal(t("it", "env_sandbox"), "Ambiente di prova");
});

test("unknown languages fall back to Italian, unknown keys to the key", () => {
  assert.equal(t("fr", "nav_communications"), "Comunicazioni");
  assert.equal(t("it", "no_such_key"), "no_such_key");
});
