import { test } from "node:test";
import assert from "node:assert/strict";
import { allows, screenOf } from "../../ui/js/state.js";
import {
  appointment, COMMUNICATION, CONTRIBUTOR, NOW, OFFICES, refreshes, reject, setup, SLOT,
} from "./helpers.js";

/** Signed in, ROSSI MARIO selected, on Comunicazioni. */
async function signedIn(answers = {}) {
  const t = setup({ selectedContributor: CONTRIBUTOR, ...answers });
  await t.ctrl.start(null);
  await t.ctrl.navigate("comunicazioni");
  return t;
}

/** A wizard open on COMMUNICATION, at the Contatti stage with a slot chosen. */
async function atContacts(answers = {}) {
  const t = await signedIn(answers);
  await t.ctrl.startWizard(COMMUNICATION.id);
  t.ctrl.choosePoint("AC-SPORTELLO");
  await t.ctrl.next();
  t.ctrl.chooseOffice("RM0");
  await t.ctrl.next();
  t.ctrl.chooseSlot(SLOT.start);
  await t.ctrl.next();
  return t;
}

async function typeContacts(t, phone, notes) {
  t.ctrl.editContact("phone", phone);
  t.ctrl.editContact("notes", notes);
  await t.timers.advance(1000);
}

test("a resumed session restores the utente selezionato and opens the desk's agenda", async () => {
  const t = setup({ selectedContributor: CONTRIBUTOR });
  await t.ctrl.start(null);
  assert.equal(screenOf(t.state()), "agenda");
  assert.equal(refreshes(t, "deskAgenda"), 1);
  await t.ctrl.navigate("comunicazioni");
  const s = t.state();
  assert.equal(s.session.signed_in, true);
  assert.equal(s.selected.fiscal_code, CONTRIBUTOR.fiscal_code);
  assert.equal(screenOf(s), "comunicazioni");
  assert.deepEqual(t.api.callsOf("listCommunications")[0].args, [CONTRIBUTOR.fiscal_code]);
  assert.equal(s.comms.items.length, 1);
  assert.equal(s.comms.items[0].topic_label, "Rateazioni e dilazioni");
});

test("without a session the sign-in screen is shown, whatever the route asked", async () => {
  const t = setup({ sessionStatus: { signed_in: false, operator: null } });
  await t.ctrl.start("appuntamenti");
  assert.equal(screenOf(t.state()), "accesso");
  assert.equal(t.api.callsOf("listAppointments").length, 0);
});

test("a wrong password shows the service's message and keeps the operator on the sign-in screen", async () => {
  const t = setup({
    sessionStatus: { signed_in: false, operator: null },
    signIn: reject("invalid_credentials", "Nome utente o password non corretti."),
  });
  await t.ctrl.start(null);
  await t.ctrl.signIn("demo", "sbagliata");
  const s = t.state();
  assert.equal(screenOf(s), "accesso");
  assert.equal(s.signin.error.kind, "invalid_credentials");
  assert.equal(s.signin.busy, false);
  assert.equal(s.focus.id, "signin-error");
});

test("signing in trims the user name, then opens the desk's agenda", async () => {
  const t = setup({ sessionStatus: { signed_in: false, operator: null } });
  await t.ctrl.start(null);
  await t.ctrl.signIn("  demo ", "demo");
  assert.deepEqual(t.api.callsOf("signIn")[0].args, ["demo", "demo"]);
  assert.equal(screenOf(t.state()), "agenda");
  assert.equal(refreshes(t, "deskAgenda"), 1);
});

test("an expired session on any call sends the operator back to sign in with the reason", async () => {
  const t = await signedIn({ getCommunication: reject("session_expired", "La sessione è scaduta.") });
  await t.ctrl.openThread(COMMUNICATION.id);
  const s = t.state();
  assert.equal(s.session.signed_in, false);
  assert.equal(screenOf(s), "accesso");
  assert.equal(s.signin.error.kind, "session_expired");
  assert.equal(s.selected, null);
});

test("Esci revokes the session and forgets the utente selezionato", async () => {
  const t = await signedIn();
  await t.ctrl.signOut();
  assert.equal(t.api.callsOf("signOut").length, 1);
  assert.equal(t.state().selected, null);
  assert.equal(screenOf(t.state()), "accesso");
  assert.equal(t.resets.length, 1, "the page is reset for the next operator");
});

test("the search waits for a pause in typing and sends only the last text", async () => {
  const t = await signedIn();
  await t.ctrl.navigate("assistiti");
  const before = t.api.callsOf("searchContributors").length;
  t.ctrl.searchInput("r");
  await t.timers.advance(100);
  t.ctrl.searchInput("ro");
  await t.timers.advance(100);
  t.ctrl.searchInput("ros ");
  await t.timers.advance(300);
  const calls = t.api.callsOf("searchContributors").slice(before);
  assert.equal(calls.length, 1);
  assert.deepEqual(calls[0].args, ["ros", undefined]);
});

test("a slower, older search answer never replaces a newer one", async () => {
  let release;
  const slow = new Promise((resolve) => { release = resolve; });
  const t = await signedIn({
    searchContributors: (q) => (q === "old" ? slow : { items: [{ ...CONTRIBUTOR, display_name: "NUOVO" }], next_cursor: null }),
  });
  const first = t.ctrl.searchNow("old");
  await t.ctrl.searchNow("new");
  release({ items: [{ ...CONTRIBUTOR, display_name: "VECCHIO" }], next_cursor: null });
  await first;
  assert.equal(t.state().search.items[0].display_name, "NUOVO");
});

test("picking an assistito selects it in the shell and opens its communications", async () => {
  const t = setup();
  await t.ctrl.start(null);
  await t.ctrl.navigate("assistiti");
  assert.equal(screenOf(t.state()), "assistiti");
  assert.deepEqual(t.api.callsOf("searchContributors")[0].args, ["", undefined]);
  await t.ctrl.pickContributor(CONTRIBUTOR.fiscal_code);
  assert.deepEqual(t.api.callsOf("selectContributor")[0].args, [CONTRIBUTOR.fiscal_code]);
  assert.equal(t.state().selected.display_name, "ROSSI MARIO");
  assert.equal(screenOf(t.state()), "comunicazioni");
});

test("the wizard walks the three steps, saving the draft at each one", async () => {
  const t = await signedIn();
  await t.ctrl.startWizard(COMMUNICATION.id);
  assert.equal(t.state().wizard.stage, "argomento");
  assert.deepEqual(t.api.callsOf("wizardOptions")[0].args, [COMMUNICATION.id]);

  t.ctrl.choosePoint("AC-TELEFONO");
  assert.equal(t.state().wizard.draft.channel, "telefonica");
  await t.ctrl.next();
  assert.equal(t.state().wizard.stage, "struttura");
  assert.deepEqual(t.api.callsOf("listOffices")[0].args, ["rateazioni", "AC-TELEFONO", CONTRIBUTOR.fiscal_code]);
  assert.equal(t.api.callsOf("saveDraft").length, 1);
  assert.equal(t.api.callsOf("saveDraft")[0].args[0].step, "struttura");

  t.ctrl.chooseOffice("MI0");
  await t.ctrl.next();
  assert.equal(t.state().wizard.stage, "data_ora");
  // Thursday 26/11: the week view starts on Monday 23/11 but never asks for past days.
  assert.deepEqual(t.api.callsOf("listSlots")[0].args, ["MI0", "AC-TELEFONO", "rateazioni", "2026-11-26", "2026-11-29"]);
  assert.equal(t.state().wizard.slots.week, "2026-11-23");

  t.ctrl.chooseSlot(SLOT.start);
  await t.ctrl.next();
  const w = t.state().wizard;
  assert.equal(w.stage, "contatti");
  assert.equal(w.draft.id, "D-1");
  assert.equal(w.draft.step, "contatti");
  assert.equal(t.api.callsOf("saveDraft").length, 3);
});

test("Avanti does nothing until the step's choice is made", async () => {
  const t = await signedIn();
  await t.ctrl.startWizard(COMMUNICATION.id);
  await t.ctrl.next();
  assert.equal(t.state().wizard.stage, "argomento");
  assert.equal(t.api.callsOf("listOffices").length, 0);
});

test("an empty week moves on to the first week with a free slot", async () => {
  const t = await signedIn({
    listSlots: (office, point, topic, from) => (from >= "2026-12-07" ? [SLOT] : []),
  });
  await t.ctrl.startWizard(COMMUNICATION.id);
  t.ctrl.choosePoint("AC-SPORTELLO");
  await t.ctrl.next();
  t.ctrl.chooseOffice("RM0");
  await t.ctrl.next();
  const froms = t.api.callsOf("listSlots").map((c) => c.args[3]);
  assert.deepEqual(froms, ["2026-11-26", "2026-11-30", "2026-12-07"]);
  assert.equal(t.state().wizard.slots.week, "2026-12-07");
  await t.ctrl.shiftWeek(-1);
  assert.equal(t.state().wizard.slots.week, "2026-11-30");
  assert.equal(t.state().wizard.slots.items.length, 0);
});

test("with no free slot up to the horizon the first week is shown empty", async () => {
  const t = await signedIn({ listSlots: [] });
  await t.ctrl.startWizard(COMMUNICATION.id);
  t.ctrl.choosePoint("AC-SPORTELLO");
  await t.ctrl.next();
  t.ctrl.chooseOffice("RM0");
  await t.ctrl.next();
  const s = t.state().wizard.slots;
  assert.equal(s.week, "2026-11-23");
  assert.equal(s.status, "ready");
  assert.deepEqual(s.items, []);
  assert.ok(t.api.callsOf("listSlots").length <= 11);
});

test("contacts are validated by the shell as typed, after a short pause", async () => {
  const t = await atContacts();
  t.ctrl.editContact("phone", "3");
  t.ctrl.editContact("phone", "33");
  t.ctrl.editContact("phone", "333 123 4567");
  await t.timers.advance(250);
  const calls = t.api.callsOf("validateContact");
  assert.equal(calls.length, 1);
  assert.deepEqual(calls[0].args, ["333 123 4567", ""]);
  const v = t.state().wizard.contact.validation;
  assert.equal(v.phone.ok, true);
  assert.equal(v.notes.ok, false);
});

test("typed contacts are saved in the draft after a pause, and the step becomes pronto when valid", async () => {
  const t = await atContacts();
  const saves = t.api.callsOf("saveDraft").length;
  await typeContacts(t, "333 123 4567", "Verifica versamenti");
  const last = t.api.callsOf("saveDraft").at(-1).args[0];
  assert.equal(t.api.callsOf("saveDraft").length, saves + 1);
  assert.equal(last.phone, "333 123 4567");
  assert.equal(last.notes, "Verifica versamenti");
  assert.equal(t.state().wizard.draft.step, "pronto");
});

test("saves never overlap: the second waits for the first and carries its id", async () => {
  let release;
  const t = await signedIn({
    saveDraft: (draft) => (draft.id ? { id: draft.id, saved_at: "x" } : new Promise((r) => { release = () => r({ id: "D-9", saved_at: "x" }); })),
  });
  await t.ctrl.startWizard(COMMUNICATION.id);
  t.ctrl.choosePoint("AC-SPORTELLO");
  const first = t.ctrl.saveNow();
  const second = t.ctrl.saveNow();
  assert.equal(t.api.callsOf("saveDraft").length, 1);
  release();
  await Promise.all([first, second]);
  const calls = t.api.callsOf("saveDraft");
  assert.equal(calls.length, 2);
  assert.equal(calls[1].args[0].id, "D-9");
});

test("Prenota Appuntamento with invalid contacts books nothing and points at the field", async () => {
  const t = await atContacts();
  await typeContacts(t, "12", "");
  await t.ctrl.book();
  assert.equal(t.api.callsOf("book").length, 0);
  const s = t.state();
  assert.equal(s.wizard.contact.touched.phone, true);
  assert.equal(s.focus.id, "contact-phone");
});

test("booking shows the held appointment, counts down, and Conferma Appuntamento confirms it", async () => {
  const t = await atContacts();
  await typeContacts(t, "333 123 4567", "Verifica versamenti");
  await t.ctrl.book();
  const [sent] = t.api.callsOf("book")[0].args;
  assert.equal(sent.phone, "333 123 4567");
  assert.equal(sent.notes, "Verifica versamenti");
  assert.equal(sent.step, "pronto");
  let w = t.state().wizard;
  assert.equal(w.stage, "attesa");
  assert.equal(w.appointment.id, "AP-7K3M-Q9TX");
  // Typing took one second of the ten-minute hold.
  assert.equal(t.ctrl.holdRemaining(w.appointment), 599000);
  await t.timers.advance(61000);
  assert.equal(t.ctrl.holdRemaining(t.state().wizard.appointment), 538000);

  const draftLoads = t.api.callsOf("listDrafts").length;
  await t.ctrl.confirmHold();
  assert.deepEqual(t.api.callsOf("confirmBooking")[0].args, ["AP-7K3M-Q9TX"]);
  // The booked draft is gone: the count beside "Bozze" is read again.
  assert.equal(t.api.callsOf("listDrafts").length, draftLoads + 1);
  w = t.state().wizard;
  assert.equal(w.stage, "esito");
  assert.equal(w.outcome.result, "confirmed");
  assert.equal(w.outcome.appointment.status, "confermato");
  assert.equal(t.timers.pendingCount() > 0, true); // the 10 s poll keeps running
});

test("a hold counts down on the service's clock when this PC's clock is ahead", async () => {
  // The PC is one hour ahead of the service: on its own clock the hold would be over.
  const t = await atContacts({
    appInfo: { version: "0.1.0", environment: { mode: "embedded_sandbox" }, online: true, last_sync_at: null, server_clock_offset_ms: -3600000 },
  });
  await t.ctrl.poll();
  t.timers.jump(3600000); // the PC's clock jumps ahead; the service's does not
  await typeContacts(t, "333 123 4567", "Verifica versamenti");
  await t.ctrl.book();
  const w = t.state().wizard;
  assert.equal(w.stage, "attesa");
  assert.equal(t.ctrl.holdRemaining(w.appointment), 599000);
  await t.timers.advance(1000);
  assert.equal(t.ctrl.holdRemaining(t.state().wizard.appointment), 598000);
});

test("the countdown ticks only while a hold is on screen", async () => {
  const t = await atContacts();
  await typeContacts(t, "333 123 4567", "Verifica");
  const idle = t.timers.pendingCount();
  await t.ctrl.book();
  assert.equal(t.timers.pendingCount(), idle + 1);
  await t.ctrl.cancelHold();
  assert.equal(t.timers.pendingCount(), idle);
  assert.equal(t.state().wizard.outcome.result, "cancelled");
  assert.deepEqual(t.api.callsOf("cancelBooking")[0].args, ["AP-7K3M-Q9TX"]);
});

test("an expired hold ends in esito negativo with the reason", async () => {
  const t = await atContacts({ confirmBooking: reject("hold_expired", "Il tempo per confermare è scaduto.") });
  await typeContacts(t, "333 123 4567", "Verifica");
  await t.ctrl.book();
  await t.ctrl.confirmHold();
  const o = t.state().wizard.outcome;
  assert.equal(o.result, "failed");
  assert.equal(o.error.kind, "hold_expired");
});

test("a confirm that fails for the connection keeps the hold on screen to retry", async () => {
  const t = await atContacts({ confirmBooking: reject("offline", "Servizio non raggiungibile.") });
  await typeContacts(t, "333 123 4567", "Verifica");
  await t.ctrl.book();
  await t.ctrl.confirmHold();
  const w = t.state().wizard;
  assert.equal(w.stage, "attesa");
  assert.equal(w.hold.error.kind, "offline");
  assert.equal(t.state().app.online, false);
});

test("a slot taken in between offers the alternatives, and choosing one books it", async () => {
  const alternative = { start: "2026-11-30T10:30:00+01:00", end: "2026-11-30T11:00:00+01:00", available: true };
  let first = true;
  const t = await atContacts({
    book: () => {
      if (first) {
        first = false;
        return reject("slot_taken", "Orario non più disponibile.", { alternatives: [alternative] });
      }
      return { outcome: "booked", appointment: appointment({ start: alternative.start }) };
    },
  });
  await typeContacts(t, "333 123 4567", "Verifica");
  await t.ctrl.book();
  let w = t.state().wizard;
  assert.equal(w.stage, "contatti");
  assert.equal(w.booking.error.kind, "slot_taken");
  assert.deepEqual(w.booking.alternatives, [alternative]);

  await t.ctrl.chooseAlternative(alternative.start);
  const sent = t.api.callsOf("book").at(-1).args[0];
  assert.equal(sent.slot_start, alternative.start);
  w = t.state().wizard;
  assert.equal(w.stage, "attesa");
  assert.equal(t.api.callsOf("book").length, 2);
});

test("offline, booking keeps the draft queued and says so", async () => {
  for (const answer of [{ outcome: "queued" }, reject("offline", "Servizio non raggiungibile.")]) {
    const t = await atContacts({ book: answer });
    await typeContacts(t, "333 123 4567", "Verifica");
    await t.ctrl.book();
    const w = t.state().wizard;
    assert.equal(w.stage, "esito");
    assert.equal(w.outcome.result, "queued");
  }
});

test("the service's field errors on booking land beside the field", async () => {
  const t = await atContacts({ book: reject("invalid_phone", "Numero non valido per la richiamata.") });
  await typeContacts(t, "333 123 4567", "Verifica");
  await t.ctrl.book();
  const w = t.state().wizard;
  assert.equal(w.stage, "contatti");
  assert.equal(w.contact.validation.phone.ok, false);
  assert.equal(w.contact.validation.phone.message, "Numero non valido per la richiamata.");
  assert.equal(t.state().focus.id, "contact-phone");
});

test("a draft resumes at its step, for its assistito, with its problem and alternatives", async () => {
  const draft = {
    id: "D-2", updated_at: "2026-11-25T10:00:00+01:00", state: "needs_attention",
    problem: { kind: "slot_taken", message: "Orario non più disponibile.", alternatives: [SLOT] },
    contributor_fiscal_code: "BNCLRA75C45F205X", contributor_name: "BIANCHI LAURA", communication_id: "COM-2",
    topic_code: "contributi", consultation_point: "AC-TELEFONO", channel: "telefonica", office_code: "MI0",
    slot_start: "2026-12-02T09:00:00+01:00", phone: "02 1234 5678", notes: "Richiamare", step: "pronto", resume_step: "contatti",
  };
  const t = await signedIn({
    listDrafts: [draft],
    selectContributor: (fc) => ({ ...CONTRIBUTOR, fiscal_code: fc, display_name: "BIANCHI LAURA" }),
  });
  await t.ctrl.navigate("bozze");
  await t.ctrl.resumeDraft("D-2");
  assert.deepEqual(t.api.callsOf("selectContributor").at(-1).args, ["BNCLRA75C45F205X"]);
  const w = t.state().wizard;
  assert.equal(w.stage, "contatti");
  assert.equal(w.draft.id, "D-2");
  assert.equal(w.draft.state, undefined);
  assert.equal(w.booking.error.kind, "slot_taken");
  assert.equal(w.booking.alternatives.length, 1);
  assert.equal(t.api.callsOf("listSlots")[0].args[3], "2026-11-30");
  assert.equal(t.api.callsOf("validateContact").length, 1);
  assert.equal(screenOf(t.state()), "prenotazione");
});

test("deleting a draft removes it from the list", async () => {
  const t = await signedIn({ listDrafts: [{ id: "D-5", state: "draft", step: "argomento", contributor_fiscal_code: "X", contributor_name: "Y" }] });
  await t.ctrl.navigate("bozze");
  await t.ctrl.deleteDraft("D-5");
  assert.deepEqual(t.api.callsOf("deleteDraft")[0].args, ["D-5"]);
  assert.equal(t.state().drafts.items.length, 0);
});

test("the history is filtered by stato and Italian dates, and a bad date asks nothing", async () => {
  const t = await signedIn();
  await t.ctrl.navigate("appuntamenti");
  assert.deepEqual(t.api.callsOf("listAppointments")[0].args, [CONTRIBUTOR.fiscal_code, { status: "", from: "", to: "", search: "" }, { cached: true, first: 100 }]);
  await t.ctrl.setHistoryFilter("status", "confermato");
  await t.ctrl.setHistoryFilter("from", "01/12/2026");
  assert.deepEqual(t.api.callsOf("listAppointments").at(-1).args[1], { status: "confermato", from: "2026-12-01", to: "", search: "" });
  // Cerca: the riferimento pratica or part of an identificativo, sent as typed.
  await t.ctrl.setHistoryFilter("search", "CNA/42");
  assert.deepEqual(t.api.callsOf("listAppointments").at(-1).args[1], { status: "confermato", from: "2026-12-01", to: "", search: "CNA/42" });
  const count = t.api.callsOf("listAppointments").length;
  await t.ctrl.setHistoryFilter("to", "31/02/2026");
  await t.ctrl.setHistoryFilter("to", "30/11/2026"); // before "from"
  assert.equal(t.api.callsOf("listAppointments").length, count);
  assert.equal(t.state().history.filter_errors.to, "filter_range_invalid");
  await t.ctrl.resetHistoryFilters();
  assert.deepEqual(t.api.callsOf("listAppointments").at(-1).args[1], { status: "", from: "", to: "", search: "" });
  assert.equal(t.state().history.filter_errors.to, null);
});

test("the history draws the local copy at once, then patches in only a changed refresh", async () => {
  const old = appointment({ id: "AP-OLD1-OLD1", status: "confermato" });
  const fresh = appointment({ id: "AP-NEW1-NEW1", status: "prenotato" });
  let unchanged = true;
  let seenDuringRefresh = null;
  let t = null;
  t = await signedIn({
    listAppointments: (fc, filters, how) => {
      if (how && how.cached) return { items: [old], from_cache: true, synced_at: "2026-12-03T08:00:00+01:00" };
      seenDuringRefresh = t.state().history;
      assert.equal(how.drawn, "2026-12-03T08:00:00+01:00", "the refresh knows which copy is on screen");
      return unchanged
        ? { items: [], from_cache: false, synced_at: "2026-12-03T09:15:00+01:00", unchanged: true }
        : { items: [fresh, old], from_cache: false, synced_at: "2026-12-03T09:20:00+01:00" };
    },
  });
  await t.ctrl.navigate("appuntamenti");
  // While the refresh ran, the cached rows were already there.
  assert.equal(seenDuringRefresh.status, "refreshing");
  assert.deepEqual(seenDuringRefresh.items.map((a) => a.id), ["AP-OLD1-OLD1"]);
  // Unchanged: the same rows stay, only the time moves.
  let h = t.state().history;
  assert.equal(h.status, "ready");
  assert.deepEqual(h.items.map((a) => a.id), ["AP-OLD1-OLD1"]);
  assert.equal(h.synced_at, "2026-12-03T09:15:00+01:00");
  assert.equal(h.from_cache, false);
  // Changed: the refresh's rows replace them.
  unchanged = false;
  await t.ctrl.loadHistory();
  h = t.state().history;
  assert.deepEqual(h.items.map((a) => a.id), ["AP-NEW1-NEW1", "AP-OLD1-OLD1"]);
  assert.equal(h.synced_at, "2026-12-03T09:20:00+01:00");
});

test("a long local copy draws its newest rows first, and the refresh brings them all", async () => {
  const newest = appointment({ id: "AP-NEW1-NEW1" });
  let refreshHow = null;
  const t = await signedIn({
    listAppointments: (fc, filters, how) => {
      if (how && how.cached) return { items: [newest], total: 10000, from_cache: true, synced_at: "2026-12-03T08:00:00+01:00" };
      refreshHow = how;
      return { items: [newest, appointment({ id: "AP-OLD1-OLD1" })], from_cache: false, synced_at: "2026-12-03T09:00:00+01:00" };
    },
  });
  await t.ctrl.navigate("appuntamenti");
  // Only part of the copy was drawn: the refresh must send every row.
  assert.deepEqual(refreshHow, { drawn: null });
  assert.equal(t.state().history.items.length, 2);
});

test("a history never synced waits for the service instead of drawing an empty copy", async () => {
  const t = await signedIn({
    listAppointments: (fc, filters, how) => (how && how.cached
      ? { items: [], from_cache: true, synced_at: null }
      : { items: [appointment()], from_cache: false, synced_at: "2026-12-03T09:15:00+01:00" }),
  });
  await t.ctrl.navigate("appuntamenti");
  const calls = t.api.callsOf("listAppointments");
  assert.deepEqual(calls.at(-1).args[2], { drawn: null });
  assert.equal(t.state().history.items.length, 1);
});

test("the actions offered are the ones the appointment's view allows", () => {
  const confirmed = appointment({ status: "confermato", hold_expires_at: null, allowed_actions: ["cancel"] });
  assert.equal(allows(confirmed, "cancel"), true);
  assert.equal(allows({ ...confirmed, allowed_actions: [] }, "cancel"), false);
  assert.equal(allows({ ...confirmed, allowed_actions: undefined }, "cancel"), false);
  assert.equal(allows(null, "cancel"), false);
});

test("Annulla appuntamento updates the row and the details and says so", async () => {
  const confirmed = appointment({ status: "confermato", hold_expires_at: null, start: "2026-12-01T09:00:00+01:00" });
  const t = await signedIn({
    listAppointments: { items: [confirmed], from_cache: false, synced_at: null },
    getAppointment: { ...confirmed, communication: COMMUNICATION, office: OFFICES[0] },
    cancelAppointment: { ...confirmed, status: "annullato" },
  });
  await t.ctrl.navigate("appuntamenti");
  await t.ctrl.openAppointment(confirmed.id);
  assert.equal(t.state().detail.data.office.code, "RM0");
  const ok = await t.ctrl.cancelAppointment(confirmed.id, "  Richiesta dell'assistito ");
  assert.equal(ok, true);
  assert.deepEqual(t.api.callsOf("cancelAppointment")[0].args, [confirmed.id, "Richiesta dell'assistito"]);
  const s = t.state();
  assert.equal(s.history.items[0].status, "annullato");
  assert.equal(s.detail.data.status, "annullato");
  assert.equal(s.notice.key, "notice_appointment_cancelled");
});

test("a refused annulment shows the reason in the details", async () => {
  const confirmed = appointment({ status: "confermato", hold_expires_at: null });
  const t = await signedIn({
    getAppointment: { ...confirmed, communication: null, office: null },
    cancelAppointment: reject("invalid_state", "Appuntamento non annullabile."),
  });
  await t.ctrl.openAppointment(confirmed.id);
  const ok = await t.ctrl.cancelAppointment(confirmed.id, "");
  assert.equal(ok, false);
  assert.deepEqual(t.api.callsOf("cancelAppointment")[0].args, [confirmed.id, undefined]);
  assert.equal(t.state().cancel.error.kind, "invalid_state");
  assert.equal(t.state().focus.id, "detail-error");
});

test("the history records when its data became local, for the render benchmark", async () => {
  const t = await signedIn({ listAppointments: { items: [appointment()], from_cache: true, synced_at: "2026-11-26T15:00:00+01:00" } });
  await t.ctrl.navigate("appuntamenti");
  const h = t.state().history;
  assert.equal(h.status, "ready");
  assert.equal(h.received_at, NOW);
  assert.equal(h.from_cache, true);
});

test("when the service comes back the app syncs and refreshes the screen", async () => {
  let online = false;
  const t = await signedIn({
    appInfo: () => ({ version: "0.1.0", environment: { mode: "embedded_sandbox" }, online, last_sync_at: null }),
    syncNow: { online: true, last_sync_at: "2026-11-26T16:00:20+01:00", sent: 2, needs_attention: 1 },
  });
  assert.equal(t.state().app.online, false);
  const lists = t.api.callsOf("listCommunications").length;
  online = true;
  await t.timers.advance(10000);
  assert.equal(t.api.callsOf("syncNow").length, 1);
  const s = t.state();
  assert.equal(s.app.online, true);
  assert.equal(s.app.last_sync_at, "2026-11-26T16:00:20+01:00");
  assert.equal(s.notice.key, "notice_sync_attention");
  assert.equal(t.api.callsOf("listCommunications").length, lists + 1);
});

test("a call failing for the connection shows the banner and asks again soon", async () => {
  const t = await signedIn({ getCommunication: reject("offline", "Servizio non raggiungibile.") });
  const polls = t.api.callsOf("appInfo").length;
  await t.ctrl.openThread(COMMUNICATION.id);
  assert.equal(t.state().app.online, false);
  await t.timers.advance(2500);
  assert.equal(t.api.callsOf("appInfo").length, polls + 1);
});

test("a remote service needs an address; saving one signs out", async () => {
  const t = await signedIn();
  await t.ctrl.navigate("impostazioni");
  await t.ctrl.saveSettings({ mode: "remote", url: "  " });
  assert.equal(t.api.callsOf("setServiceUrl").length, 0);
  assert.equal(t.state().settings.error.kind, "invalid_base_url");
  await t.ctrl.saveSettings({ mode: "remote", url: " https://agenda.example.it " });
  assert.deepEqual(t.api.callsOf("setServiceUrl")[0].args, ["https://agenda.example.it"]);
  const s = t.state();
  assert.equal(s.session.signed_in, false);
  assert.equal(s.app.environment.mode, "remote");
  await t.ctrl.saveSettings({ mode: "embedded_sandbox", url: "https://ignored" });
  assert.deepEqual(t.api.callsOf("setServiceUrl")[1].args, [null]);
});

test("saving the settings unchanged keeps the session", async () => {
  const t = await signedIn();
  await t.ctrl.navigate("impostazioni");
  await t.ctrl.saveSettings({ mode: "embedded_sandbox", url: "" });
  assert.equal(t.api.callsOf("setServiceUrl").length, 0);
  assert.equal(t.state().session.signed_in, true);
  assert.equal(t.state().notice.key, "notice_settings_unchanged");
});

test("the language choice is remembered", async () => {
  const t = await signedIn();
  t.ctrl.setLang("en");
  assert.equal(t.state().lang, "en");
  assert.equal(t.prefs.get("lang"), "en");
  const again = setup({ selectedContributor: CONTRIBUTOR });
  again.prefs.set("lang", "en");
  await again.ctrl.start(null);
  assert.equal(again.state().lang, "en");
});

test("leaving the wizard keeps the draft saved and the wizard resumable", async () => {
  const t = await signedIn();
  await t.ctrl.startWizard(COMMUNICATION.id);
  t.ctrl.choosePoint("AC-SPORTELLO");
  await t.ctrl.navigate("appuntamenti");
  assert.equal(t.api.callsOf("saveDraft").length, 1);
  assert.notEqual(t.state().wizard, null);
  await t.ctrl.closeWizard("comunicazioni");
  assert.equal(t.state().wizard, null);
  assert.equal(screenOf(t.state()), "comunicazioni");
});

test("the draft goes to the shell with nulls for choices not made and the struttura's own point", async () => {
  const t = await signedIn({ listOffices: OFFICES.map((o) => ({ ...o, point_code: `${o.code}-SPORTELLO` })) });
  await t.ctrl.startWizard(COMMUNICATION.id);
  t.ctrl.choosePoint("AC-SPORTELLO");
  await t.ctrl.saveNow();
  const first = t.api.callsOf("saveDraft")[0].args[0];
  assert.equal(first.office_code, null);
  assert.equal(first.slot_start, null);
  assert.equal(first.channel, "in_presenza");
  await t.ctrl.next();
  assert.deepEqual(t.api.callsOf("listOffices")[0].args, ["rateazioni", "AC-SPORTELLO", CONTRIBUTOR.fiscal_code]);
  t.ctrl.chooseOffice("MI0");
  await t.ctrl.saveNow();
  const second = t.api.callsOf("saveDraft").at(-1).args[0];
  assert.equal(second.consultation_point, "MI0-SPORTELLO");
  assert.equal(second.office_code, "MI0");
  await t.ctrl.next();
  assert.deepEqual(t.api.callsOf("listSlots")[0].args.slice(0, 2), ["MI0", "MI0-SPORTELLO"]);
});

test("a draft whose slot the service holds resumes at Conferma Appuntamento", async () => {
  const held = appointment();
  const draft = {
    id: `${CONTRIBUTOR.fiscal_code}~COM-1`, state: "needs_attention", appointment_id: held.id, hold_expires_at: held.hold_expires_at,
    contributor_fiscal_code: CONTRIBUTOR.fiscal_code, contributor_name: null, communication_id: "COM-1", topic_code: "rateazioni",
    topic_label: "Rateazioni e dilazioni", consultation_point: "RM0-SPORTELLO", channel: "in_presenza", office_code: "RM0",
    slot_start: SLOT.start, phone: "3331234567", notes: "Nota", step: "pronto", problem: null, updated_at: "2026-11-26T14:00:00Z",
  };
  const t = await signedIn({ listDrafts: [draft], getAppointment: { ...held, communication: COMMUNICATION, office: OFFICES[0], from_cache: false } });
  await t.ctrl.navigate("bozze");
  await t.ctrl.resumeDraft(draft.id);
  const w = t.state().wizard;
  assert.equal(w.stage, "attesa");
  assert.equal(w.appointment.id, held.id);
  assert.equal(w.appointment.communication, undefined);
  await t.ctrl.confirmHold();
  assert.equal(t.state().wizard.outcome.result, "confirmed");
});

test("a held draft that expired meanwhile resumes at esito negativo", async () => {
  const expired = appointment({ status: "scaduto", hold_expires_at: null });
  const t = await signedIn({
    listDrafts: [{ id: "X~COM-1", state: "needs_attention", appointment_id: expired.id, contributor_fiscal_code: CONTRIBUTOR.fiscal_code, communication_id: "COM-1", topic_code: "rateazioni", step: "pronto" }],
    getAppointment: { ...expired, communication: null, office: null, from_cache: true },
  });
  await t.ctrl.navigate("bozze");
  await t.ctrl.resumeDraft("X~COM-1");
  const o = t.state().wizard.outcome;
  assert.equal(o.result, "failed");
  assert.equal(o.error.kind, "hold_expired");
});

// ---------------------------------------------------------------- agenda dello sportello

const REQUESTABLE = { ...COMMUNICATION, contributor: { fiscal_code: CONTRIBUTOR.fiscal_code, display_name: CONTRIBUTOR.display_name } };

test("the agenda shows the holds with Conferma in place, which confirms and reloads the agenda", async () => {
  const hold = appointment({ allowed_actions: ["confirm", "cancel_hold"], contributor: REQUESTABLE.contributor });
  let confirmed = false;
  const t = setup({
    deskAgenda: () => ({ offered: true, from: "2026-11-26", to: "2026-12-03", holds: confirmed ? [] : [hold], appointments: confirmed ? [{ ...hold, status: "confermato", allowed_actions: ["cancel"] }] : [], requestable: [] }),
    confirmBooking: () => { confirmed = true; return { ...hold, status: "confermato" }; },
  });
  await t.ctrl.start(null);
  assert.equal(t.state().agenda.data.holds.length, 1);
  await t.ctrl.agendaHoldAction(hold.id, "confirm");
  assert.deepEqual(t.api.callsOf("confirmBooking")[0].args, [hold.id]);
  assert.equal(refreshes(t, "deskAgenda"), 2);
  assert.equal(t.state().agenda.data.holds.length, 0);
  assert.equal(t.state().agenda.data.appointments[0].status, "confermato");
  assert.equal(t.state().notice.key, "notice_appointment_confirmed");
  assert.equal(t.state().agenda.busy_id, null);
  // The draft behind the hold is gone: Bozze's count is asked again.
  assert.ok(t.api.callsOf("listDrafts").length >= 2);
});

test("Richiedi appuntamento from the agenda selects the contributor and opens the wizard on the thread", async () => {
  const t = setup({
    deskAgenda: { offered: true, from: "2026-11-26", to: "2026-12-03", holds: [], appointments: [], requestable: [REQUESTABLE] },
  });
  await t.ctrl.start(null);
  await t.ctrl.requestFromAgenda(COMMUNICATION.id);
  assert.deepEqual(t.api.callsOf("selectContributor")[0].args, [CONTRIBUTOR.fiscal_code]);
  const s = t.state();
  assert.equal(s.selected.fiscal_code, CONTRIBUTOR.fiscal_code);
  assert.equal(screenOf(s), "prenotazione");
  assert.equal(s.wizard.draft.communication_id, COMMUNICATION.id);
  assert.equal(s.wizard.draft.topic_code, COMMUNICATION.topic_code);
  assert.deepEqual(t.api.callsOf("wizardOptions")[0].args, [COMMUNICATION.id]);
});

test("against a service without the desk agenda the screen says so, and a failure shows its reason", async () => {
  const t = setup({ deskAgenda: { offered: false, from: "2026-11-26", to: "2026-12-03", holds: [], appointments: [], requestable: [] } });
  await t.ctrl.start(null);
  assert.equal(t.state().agenda.data.offered, false);
  const u = setup({ deskAgenda: reject("offline", "Servizio non raggiungibile.") });
  await u.ctrl.start(null);
  assert.equal(u.state().agenda.status, "error");
  assert.equal(u.state().agenda.error.kind, "offline");
});


test("an ID read over the phone opens its details, whichever assistito it belongs to", async () => {
  const other = { ...CONTRIBUTOR, fiscal_code: "BNCGLI75L62F205S", display_name: "BIANCHI GIULIA" };
  const found = { ...appointment({ fiscal_code: other.fiscal_code, status: "confermato", allowed_actions: ["cancel"] }), communication: COMMUNICATION, office: null, from_cache: false };
  const t = setup({ selectedContributor: CONTRIBUTOR, getAppointment: found, selectContributor: other });
  await t.ctrl.start(null);
  await t.ctrl.findAppointment("  ap7k3mq9tx ");
  assert.deepEqual(t.api.callsOf("getAppointment")[0].args, ["ap7k3mq9tx"]);
  assert.deepEqual(t.api.callsOf("selectContributor")[0].args, [other.fiscal_code]);
  const s = t.state();
  assert.equal(screenOf(s), "appuntamenti");
  assert.equal(s.selected.fiscal_code, other.fiscal_code);
  assert.equal(s.detail.id, found.id);
  assert.equal(s.detail.data.status, "confermato");
  assert.equal(s.find.error, null);
});

test("an ID that is not one, or not found, is said beside the field", async () => {
  const t = setup({ getAppointment: reject("not_found", "Appuntamento non trovato.") });
  await t.ctrl.start(null);
  await t.ctrl.findAppointment("AP-2222-2222");
  assert.equal(t.state().find.error.kind, "not_found");
  assert.equal(t.state().focus.id, "find-id");
  assert.equal(screenOf(t.state()), "agenda");
  await t.ctrl.findAppointment("   ");
  assert.equal(t.api.callsOf("getAppointment").length, 1);
});

test("Riprogramma offers the free slots of the same struttura and moves the appointment in one step", async () => {
  const old = { ...appointment({ status: "confermato", hold_expires_at: null, allowed_actions: ["cancel"] }), communication: COMMUNICATION, office: null, from_cache: false };
  const later = { start: "2026-12-01T10:00:00+01:00", end: "2026-12-01T10:30:00+01:00", available: true };
  const moved = appointment({ id: "AP-2345-6789", start: later.start, status: "confermato", hold_expires_at: null, rescheduled_from: old.id, allowed_actions: ["cancel"] });
  const t = setup({
    selectedContributor: CONTRIBUTOR,
    getAppointment: (id) => (id === old.id ? old : { ...moved, communication: COMMUNICATION, office: null, from_cache: false }),
    listSlots: [SLOT, later, { ...later, start: "2026-12-01T11:00:00+01:00", available: false }],
    rescheduleAppointment: moved,
  });
  await t.ctrl.start(null);
  await t.ctrl.navigate("appuntamenti");
  await t.ctrl.openAppointment(old.id);
  await t.ctrl.openReschedule();
  const [office, point, topic, from, to] = t.api.callsOf("listSlots")[0].args;
  assert.deepEqual([office, point, topic], [old.office_code, old.consultation_point, old.topic_code]);
  assert.equal(from, "2026-11-26");
  assert.equal(to, "2026-12-09");
  // The appointment's own slot and the taken one are not offered.
  assert.deepEqual(t.state().reschedule.slots.map((s) => s.start), [later.start]);
  await t.ctrl.rescheduleTo(later.start);
  assert.deepEqual(t.api.callsOf("rescheduleAppointment")[0].args, [old.id, later.start]);
  const s = t.state();
  assert.equal(s.reschedule.id, null);
  assert.equal(s.detail.id, moved.id);
  assert.equal(s.notice.key, "notice_rescheduled");
});

test("a slot taken meanwhile offers the service's alternatives and leaves the appointment as it was", async () => {
  const old = { ...appointment({ status: "confermato", hold_expires_at: null, allowed_actions: ["cancel"] }), communication: COMMUNICATION, office: null, from_cache: false };
  const alternative = { start: "2026-12-02T09:00:00+01:00", end: "2026-12-02T09:30:00+01:00", available: true };
  const t = setup({
    selectedContributor: CONTRIBUTOR,
    getAppointment: old,
    listSlots: [{ ...SLOT, start: "2026-12-01T09:00:00+01:00" }],
    rescheduleAppointment: reject("slot_taken", "L'orario scelto è già stato prenotato.", { alternatives: [alternative] }),
  });
  await t.ctrl.start(null);
  await t.ctrl.navigate("appuntamenti");
  await t.ctrl.openAppointment(old.id);
  await t.ctrl.openReschedule();
  await t.ctrl.rescheduleTo("2026-12-01T09:00:00+01:00");
  const s = t.state();
  assert.equal(s.reschedule.error.kind, "slot_taken");
  assert.deepEqual(s.reschedule.slots, [alternative]);
  assert.equal(s.detail.id, old.id);
  assert.equal(s.reschedule.busy, false);
});

test("the agenda draws the copy kept on this computer at once, then the service's", async () => {
  const kept = { offered: true, from: "2026-11-26", to: "2026-12-03", holds: [], appointments: [], requestable: [REQUESTABLE], from_cache: true, synced_at: "2026-11-26T08:00:00+01:00" };
  const fresh = { ...kept, requestable: [], from_cache: false, synced_at: "2026-11-26T09:00:00+01:00" };
  let seenDuringRefresh = null;
  let t = null;
  t = setup({
    selectedContributor: CONTRIBUTOR,
    deskAgenda: (days, how) => {
      if (how && how.cached) return kept;
      seenDuringRefresh = seenDuringRefresh || t.state().agenda;
      return fresh;
    },
  });
  await t.ctrl.start(null); // a session: the agenda is the first screen
  assert.equal(t.state().route, "agenda");
  assert.equal(seenDuringRefresh.status, "refreshing");
  assert.equal(seenDuringRefresh.data.requestable.length, 1);
  assert.equal(t.state().agenda.status, "ready");
  assert.equal(t.state().agenda.data.synced_at, "2026-11-26T09:00:00+01:00");
  assert.equal(t.state().agenda.data.requestable.length, 0);
});

test("Stampa ricevuta, Salva PDF and Calendario (.ics) ask the shell in the UI's language and tell where the file went", async () => {
  const t = await signedIn();
  t.ctrl.setLang("en");
  await t.ctrl.saveReceipt("AP-7K3M-Q9TX");
  assert.deepEqual(t.api.callsOf("saveReceipt")[0].args, ["AP-7K3M-Q9TX", "en"]);
  assert.equal(t.state().notice.key, "notice_file_saved");
  assert.deepEqual(t.state().notice.params, { file: "ricevuta-AP-7K3M-Q9TX.pdf", folder: "/home/op/Documenti" });
  await t.ctrl.printReceipt("AP-7K3M-Q9TX");
  assert.equal(t.state().notice.key, "notice_receipt_opened");
  await t.ctrl.saveCalendar(["AP-7K3M-Q9TX", "AP-8MNP-2RST"]);
  assert.deepEqual(t.api.callsOf("saveCalendar")[0].args, [["AP-7K3M-Q9TX", "AP-8MNP-2RST"], "en"]);
});

test("a cancelled save dialog says nothing; a refusal is shown with the shell's reason", async () => {
  const t = await signedIn({ saveReceipt: null, saveCalendar: reject("invalid_state", "La ricevuta si rilascia solo per un appuntamento confermato.") });
  const before = t.state().notice;
  await t.ctrl.saveReceipt("AP-7K3M-Q9TX");
  assert.equal(t.state().notice, before);
  await t.ctrl.saveCalendar(["AP-7K3M-Q9TX"]);
  assert.equal(t.state().notice.tone, "error");
  assert.equal(t.state().notice.error.kind, "invalid_state");
});

test("Impostazioni saves the reminders before the service; a bad time is refused with the shell's reason", async () => {
  const t = await signedIn();
  await t.ctrl.saveSettings({ mode: "embedded_sandbox", url: "", reminders: { daily: false, at: " 07:45 " } });
  assert.deepEqual(t.api.callsOf("setPreferences").at(-1).args, [{ remindersDaily: false, remindersAt: "07:45" }]);
  assert.deepEqual(t.state().app.preferences, { lang: "it", reminders_daily: false, reminders_at: "07:45" });
  assert.equal(t.state().notice.key, "notice_settings_unchanged");

  const bad = await signedIn({ setPreferences: reject("validation", "Orario non valido: usare HH:MM, ad esempio 08:30.") });
  await bad.ctrl.saveSettings({ mode: "embedded_sandbox", url: "", reminders: { daily: true, at: "25:00" } });
  assert.equal(bad.state().settings.error.kind, "validation");
  assert.equal(bad.api.callsOf("setServiceUrl").length, 0);
});

test("the language chosen is handed to the shell, which writes the notifications", async () => {
  const t = await signedIn();
  t.ctrl.setLang("en");
  await Promise.resolve();
  assert.deepEqual(t.api.callsOf("setPreferences").at(-1).args, [{ lang: "en" }]);
});

test("a screen chosen while the session resumes is kept, not replaced by the agenda", async () => {
  let release;
  const t = setup({ selectedContributor: () => new Promise((resolve) => { release = () => resolve(CONTRIBUTOR); }) });
  const started = t.ctrl.start(null);
  for (let i = 0; i < 20 && !release; i++) await Promise.resolve();
  await new Promise((resolve) => setImmediate(resolve));
  t.ctrl.navigate("bozze");
  release();
  await started;
  assert.equal(screenOf(t.state()), "bozze");
});
