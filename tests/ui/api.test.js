import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as api from "../../ui/js/api.js";

const { call, toUiError } = api;

/** Installs a fake Tauri bridge recording every invoke; returns the calls. */
function bridge(answer = () => null) {
  const calls = [];
  globalThis.window = { __TAURI__: { core: { invoke: async (command, args) => { calls.push([command, args]); return answer(command, args); } } } };
  return calls;
}

test("a command error keeps its kind, message and details", () => {
  const details = { alternatives: [{ start: "s", end: "e", available: true }] };
  assert.deepEqual(toUiError({ kind: "slot_taken", message: "Orario non più disponibile.", details }), {
    kind: "slot_taken", message: "Orario non più disponibile.", details,
  });
});

test("anything else becomes a readable internal error, never undefined or raw", () => {
  for (const raw of [undefined, null, 42, {}, { kind: "x" }, "", "command book not found", new Error("boom"), { kind: "x", message: "{\"a\":1}" }]) {
    const error = toUiError(raw);
    assert.equal(typeof error.kind, "string", String(raw));
    assert.ok(error.message && !/undefined|\{|command/.test(error.message), String(raw));
    assert.equal(typeof error.details, "object");
  }
  assert.deepEqual(toUiError("boom"), { kind: "internal", message: "Errore imprevisto dell'applicazione.", details: { raw: "boom" } });
});

test("without the Tauri bridge a call rejects with no_backend", async () => {
  delete globalThis.window;
  await assert.rejects(call("app_info"), { kind: "no_backend" });
});

test("each command is invoked with the name and camelCase arguments of docs/ipc.md", async () => {
  const calls = bridge();
  const draft = { id: "D-1", step: "argomento" };
  await api.appInfo();
  await api.uiReady();
  await api.setServiceUrl(null);
  await api.sessionStatus();
  await api.signIn("demo", "demo");
  await api.signOut();
  await api.searchContributors("ros");
  await api.searchContributors("ros", "c2");
  await api.selectContributor("RSSMRA80A01H501U");
  await api.selectedContributor();
  await api.listCommunications("RSSMRA80A01H501U");
  await api.getCommunication("COM-1");
  await api.wizardOptions("COM-1");
  await api.listOffices("rateazioni", "AC-SPORTELLO");
  await api.listSlots("RM0", "AC-SPORTELLO", "rateazioni", "2026-11-30", "2026-12-06");
  await api.validateContact("333", "nota");
  await api.saveDraft(draft);
  await api.listDrafts();
  await api.deleteDraft("D-1");
  await api.book(draft);
  await api.confirmBooking("AP-1");
  await api.cancelBooking("AP-1");
  await api.listAppointments("RSSMRA80A01H501U", { status: "confermato", from: "", to: "2026-12-31" });
  await api.getAppointment("AP-1");
  await api.cancelAppointment("AP-1", "motivo");
  await api.cancelAppointment("AP-1");
  await api.syncNow();
  assert.deepEqual(calls, [
    ["app_info", {}],
    ["ui_ready", {}],
    ["set_service_url", { url: null }],
    ["session_status", {}],
    ["sign_in", { username: "demo", password: "demo" }],
    ["sign_out", {}],
    ["search_contributors", { q: "ros" }],
    ["search_contributors", { q: "ros", cursor: "c2" }],
    ["select_contributor", { fiscalCode: "RSSMRA80A01H501U" }],
    ["selected_contributor", {}],
    ["list_communications", { fiscalCode: "RSSMRA80A01H501U" }],
    ["get_communication", { id: "COM-1" }],
    ["wizard_options", { communicationId: "COM-1" }],
    ["list_offices", { topicCode: "rateazioni", pointCode: "AC-SPORTELLO" }],
    ["list_slots", { officeCode: "RM0", pointCode: "AC-SPORTELLO", topicCode: "rateazioni", from: "2026-11-30", to: "2026-12-06" }],
    ["validate_contact", { phone: "333", notes: "nota" }],
    ["save_draft", { draft }],
    ["list_drafts", {}],
    ["delete_draft", { id: "D-1" }],
    ["book", { draft }],
    ["confirm_booking", { id: "AP-1" }],
    ["cancel_booking", { id: "AP-1" }],
    ["list_appointments", { fiscalCode: "RSSMRA80A01H501U", status: "confermato", to: "2026-12-31" }],
    ["get_appointment", { id: "AP-1" }],
    ["cancel_appointment", { id: "AP-1", reason: "motivo" }],
    ["cancel_appointment", { id: "AP-1" }],
    ["sync_now", {}],
  ]);
  delete globalThis.window;
});

test("every command of docs/ipc.md has a function in api.js", () => {
  const doc = readFileSync(new URL("../../docs/ipc.md", import.meta.url), "utf8");
  const commands = [...doc.matchAll(/^\| `([a-z_]+)` \|/gm)].map((m) => m[1]);
  assert.ok(commands.length >= 25, `found ${commands.length} commands`);
  const source = readFileSync(new URL("../../ui/js/api.js", import.meta.url), "utf8");
  for (const command of commands) assert.match(source, new RegExp(`call\\("${command}"`), command);
});

test("a call with an argument the table does not declare, or without a required one, is refused", async () => {
  const calls = bridge();
  await assert.rejects(call("book", { draftId: "D-1" }), { kind: "internal" });
  await assert.rejects(call("sign_in", { username: "demo" }), { kind: "internal" });
  await assert.rejects(call("no_such_command"), { kind: "internal" });
  assert.deepEqual(calls, []);
  assert.equal(api.argumentProblem("list_slots", { officeCode: "RM0", pointCode: "P" }), null);
  delete globalThis.window;
});

test("a rejection from the bridge arrives normalised", async () => {
  globalThis.window = { __TAURI__: { core: { invoke: async () => { throw { kind: "offline", message: "Servizio non raggiungibile." }; } } } };
  await assert.rejects(api.syncNow(), { kind: "offline", message: "Servizio non raggiungibile.", details: {} });
  delete globalThis.window;
});
