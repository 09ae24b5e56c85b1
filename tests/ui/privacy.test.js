import { test } from "node:test";
import assert from "node:assert/strict";
import { screenOf } from "../../ui/js/state.js";
import { CONTRIBUTOR, reject, setup } from "./helpers.js";

const INFO = {
  version: "0.1.0", environment: { mode: "embedded_sandbox" }, online: true, last_sync_at: null,
  limits: { notes_max_chars: 1000, slot_horizon_days: 60, cancel_reason_max_chars: 500, step_requires: [] },
  idle_lock_secs: 60, locked: false,
};

async function signedIn(answers = {}) {
  const t = setup({ selectedContributor: CONTRIBUTOR, appInfo: INFO, ...answers });
  await t.ctrl.start(null);
  await t.ctrl.navigate("comunicazioni");
  return t;
}

test("after the idle time without activity the shell is locked first, then the page", async () => {
  const t = await signedIn();
  await t.timers.advance(45_000);
  t.ctrl.touchActivity(); // the operator moves the mouse: the minute starts again
  await t.timers.advance(45_000);
  assert.equal(t.state().lock.locked, false);
  assert.equal(t.api.callsOf("lockScreen").length, 0);
  await t.timers.advance(20_000);
  assert.equal(t.api.callsOf("lockScreen").length, 1);
  assert.equal(t.state().lock.locked, true);
  assert.equal(t.state().focus.id, "lock-password");
  // The screen behind stays what it was, to come back to.
  assert.equal(screenOf(t.state()), "comunicazioni");
  await t.timers.advance(120_000);
  assert.equal(t.api.callsOf("lockScreen").length, 1, "locked once");
});

test("a wrong password is refused on the lock; the right one returns to the same screen, refreshed", async () => {
  const t = await signedIn({
    unlockScreen: (password) => (password === "demo" ? null : reject("invalid_credentials", "Password non corretta.")),
  });
  await t.ctrl.lock();
  await t.ctrl.unlock("sbagliata");
  assert.equal(t.state().lock.locked, true);
  assert.equal(t.state().lock.error.kind, "invalid_credentials");
  assert.equal(t.state().focus.id, "lock-error");
  const before = t.api.callsOf("listCommunications").length;
  await t.ctrl.unlock("demo");
  assert.equal(t.state().lock.locked, false);
  assert.equal(t.state().lock.error, null);
  assert.equal(screenOf(t.state()), "comunicazioni");
  assert.equal(t.api.callsOf("listCommunications").length, before + 1);
  assert.deepEqual(t.api.callsOf("unlockScreen").map((c) => c.args[0]), ["sbagliata", "demo"]);
});

test("a command refused because the shell is locked shows the lock and no error", async () => {
  const t = await signedIn({ listDrafts: reject("screen_locked", "Schermo bloccato per inattività.") });
  const notice = t.state().notice;
  await t.ctrl.loadDrafts();
  assert.equal(t.state().lock.locked, true);
  assert.equal(t.state().notice, notice);
});

test("a reload behind the shell's lock starts on the lock", async () => {
  const t = setup({ appInfo: { ...INFO, locked: true } });
  await t.ctrl.start(null);
  assert.equal(t.state().lock.locked, true);
});

test("Cambia operatore on the lock is a full Esci", async () => {
  const t = await signedIn();
  await t.ctrl.lock();
  await t.ctrl.switchOperator();
  assert.equal(t.api.callsOf("signOut").length, 1);
  assert.equal(t.resets.length, 1);
  assert.equal(t.state().lock.locked, false);
});

test("the Registro attività loads with its filters, verifies and exports them", async () => {
  const t = await signedIn({
    verifyAudit: { intact: false, entries: 4, first_seq: 1, last_seq: 4, broken_at: 3, problem: "la voce 3 è stata modificata" },
  });
  await t.ctrl.navigate("registro");
  assert.equal(screenOf(t.state()), "registro");
  assert.deepEqual(t.api.callsOf("auditLog")[0].args, [{ day: "", action: "", fiscalCode: "" }]);
  assert.deepEqual(t.state().audit.actions, ["sign_in", "confirm"]);
  await t.ctrl.filterAudit({ day: "2026-03-29", action: "confirm", fiscal_code: " rssmra80a01h501u " });
  assert.deepEqual(t.api.callsOf("auditLog")[1].args, [{ day: "2026-03-29", action: "confirm", fiscalCode: "RSSMRA80A01H501U" }]);
  await t.ctrl.verifyAudit();
  assert.equal(t.state().audit.check.broken_at, 3);
  assert.equal(t.state().focus.id, "audit-check");
  await t.ctrl.exportAuditCsv();
  assert.deepEqual(t.api.callsOf("saveAuditCsv")[0].args, [{ day: "2026-03-29", action: "confirm", fiscalCode: "RSSMRA80A01H501U" }, "it"]);
  assert.equal(t.state().notice.key, "audit_exported");
});

test("Esporta dati and Cancella dati locali act on the utente selezionato; after the erasure it is no longer selected", async () => {
  const t = await signedIn({ erasurePreview: { outbox: 1, drafts: 2 } });
  await t.ctrl.exportContributorData();
  assert.deepEqual(t.api.callsOf("saveContributorData")[0].args, [CONTRIBUTOR.fiscal_code, "it"]);
  assert.equal(t.state().notice.key, "contributor_exported");
  assert.deepEqual(await t.ctrl.erasurePreview(), { outbox: 1, drafts: 2 });
  await t.ctrl.eraseContributorData();
  assert.deepEqual(t.api.callsOf("eraseContributorData")[0].args, [CONTRIBUTOR.fiscal_code]);
  assert.equal(t.state().selected, null);
  assert.equal(t.state().notice.key, "erased");
  assert.equal(screenOf(t.state()), "assistiti");
});

test("Impostazioni sends the idle lock and the retention as whole numbers, and refuses anything else", async () => {
  const t = await signedIn({ appInfo: { ...INFO, preferences: { lang: "it", reminders_daily: true, reminders_at: "08:30" } } });
  const privacy = { lockMinutes: "5", cacheDays: "90", draftsDays: "30", auditDays: "365" };
  await t.ctrl.saveSettings({ mode: "embedded_sandbox", url: "", reminders: { daily: true, at: "08:30" }, privacy });
  assert.deepEqual(t.api.callsOf("setPreferences").at(-1).args, [
    { remindersDaily: true, remindersAt: "08:30", lockMinutes: 5, cacheDays: 90, draftsDays: 30, auditDays: 365 },
  ]);
  const calls = t.api.callsOf("setPreferences").length;
  await t.ctrl.saveSettings({ mode: "embedded_sandbox", url: "", reminders: { daily: true, at: "08:30" }, privacy: { ...privacy, cacheDays: "tre" } });
  assert.equal(t.api.callsOf("setPreferences").length, calls);
  assert.equal(t.state().settings.error.kind, "validation");
});

test("too many wrong passwords at the lock: the page starts again at Accesso, saying why", async () => {
  const message = "Troppi tentativi errati: la sessione è stata chiusa.";
  const t = await signedIn({ unlockScreen: reject("locked_out", message) });
  await t.ctrl.lock();
  await t.ctrl.unlock("sbagliata");
  assert.equal(t.resets.length, 1);
  assert.equal(t.prefs.get("signout_notice"), message);
  // The reloaded page (a new controller on the same preferences) tells it once.
  const next = setup({ sessionStatus: { signed_in: false, operator: null } });
  next.prefs.set("signout_notice", message);
  await next.ctrl.start(null);
  assert.equal(screenOf(next.state()), "accesso");
  assert.equal(next.state().signin.error.message, message);
  assert.equal(next.prefs.get("signout_notice"), "");
});
