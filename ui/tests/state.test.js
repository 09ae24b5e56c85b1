import { test } from "node:test";
import assert from "node:assert/strict";
import { initialState, routeFromHash, update } from "../js/state.js";

test("navigation accepts only known routes", () => {
  const start = initialState();
  assert.equal(update(start, { type: "navigate", route: "appuntamenti" }).route, "appuntamenti");
  assert.equal(update(start, { type: "navigate", route: "altrove" }), start);
});

test("the hash maps to a route, unknown hashes to Comunicazioni", () => {
  const rows = [
    ["#/appuntamenti", "appuntamenti"],
    ["#/comunicazioni", "comunicazioni"],
    ["", "comunicazioni"],
    ["#/boh", "comunicazioni"],
  ];
  for (const [hash, route] of rows) assert.equal(routeFromHash(hash), route, hash);
});

test("only Italian and English can be chosen", () => {
  const start = initialState();
  assert.equal(update(start, { type: "set_lang", lang: "en" }).lang, "en");
  assert.equal(update(start, { type: "set_lang", lang: "de" }).lang, "it");
});

test("app info sets the environment and clears an error", () => {
  const withError = update(initialState(), { type: "error", error: { kind: "x", message: "m" } });
  const next = update(withError, {
    type: "app_info",
    info: { version: "0.1.0", environment: { mode: "embedded_sandbox" } },
  });
  assert.deepEqual(next.environment, { mode: "embedded_sandbox" });
  assert.equal(next.error, null);
});

test("update never mutates the state it is given", () => {
  const start = Object.freeze(initialState());
  update(start, { type: "navigate", route: "appuntamenti" });
  update(start, { type: "set_lang", lang: "en" });
});
