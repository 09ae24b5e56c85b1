import { test } from "node:test";
import assert from "node:assert/strict";
import { call, toUiError } from "../js/api.js";

test("a command error keeps its kind and message", () => {
  assert.deepEqual(toUiError({ kind: "slot_taken", message: "Orario non più disponibile." }), {
    kind: "slot_taken",
    message: "Orario non più disponibile.",
  });
});

test("anything else becomes a readable internal error, never undefined", () => {
  for (const raw of [undefined, null, 42, {}, { kind: "x" }, ""]) {
    const error = toUiError(raw);
    assert.equal(typeof error.kind, "string", String(raw));
    assert.ok(error.message && !error.message.includes("undefined"), String(raw));
  }
  assert.deepEqual(toUiError("boom"), { kind: "internal", message: "boom" });
});

test("without the Tauri bridge a call rejects with no_backend", async () => {
  await assert.rejects(call("app_info"), { kind: "no_backend" });
});
