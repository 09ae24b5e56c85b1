import { test } from "node:test";
import assert from "node:assert/strict";
import {
  canAdvance, contactReady, draftForWire, filterOffices, initialState, newDraft, routeFromHash, screenOf, update,
} from "../../ui/js/state.js";
import { appointment, COMMUNICATION, CONTRIBUTOR, OFFICES } from "./helpers.js";

/** Applies actions in order. */
function run(...actions) {
  return actions.reduce((s, a) => update(s, a), initialState());
}

function deepFreeze(value) {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

const signedIn = [
  { type: "session", status: { signed_in: true, operator: { id: "op", display_name: "Op" } } },
  { type: "selected", contributor: CONTRIBUTOR },
];

function wizardState(...more) {
  return run(...signedIn, { type: "wizard_open", draft: newDraft(CONTRIBUTOR, COMMUNICATION) }, ...more);
}

test("the hash maps to a route; unknown hashes to none", () => {
  const rows = [
    ["#/appuntamenti", "appuntamenti"],
    ["#/comunicazioni", "comunicazioni"],
    ["#/bozze", "bozze"],
    ["#/impostazioni", "impostazioni"],
    ["", null],
    ["#/boh", null],
  ];
  for (const [hash, route] of rows) assert.equal(routeFromHash(hash), route, hash);
});

test("navigation accepts only known routes and moves focus to the page title", () => {
  const start = initialState();
  const next = update(start, { type: "navigate", route: "appuntamenti" });
  assert.equal(next.route, "appuntamenti");
  assert.equal(next.focus.id, "page-title");
  assert.equal(update(start, { type: "navigate", route: "altrove" }), start);
  assert.equal(update(start, { type: "navigate", route: "bozze", focus: false }).focus, null);
});

test("the screen shown follows the session: loading, sign-in, or the route", () => {
  const rows = [
    [run(), "avvio"],
    [run({ type: "session", status: { signed_in: false } }, { type: "navigate", route: "appuntamenti" }), "accesso"],
    [run({ type: "session", status: { signed_in: false } }, { type: "navigate", route: "impostazioni" }), "impostazioni"],
    [run(...signedIn, { type: "navigate", route: "accesso" }), "agenda"],
    [run(...signedIn, { type: "navigate", route: "prenotazione" }), "comunicazioni"],
    [run(...signedIn, { type: "navigate", route: "bozze" }), "bozze"],
  ];
  for (const [state, screen] of rows) assert.equal(screenOf(state), screen);
});

test("only Italian and English can be chosen", () => {
  const start = initialState();
  assert.equal(update(start, { type: "set_lang", lang: "en" }).lang, "en");
  assert.equal(update(start, { type: "set_lang", lang: "de" }).lang, "it");
});

test("app info sets the environment, the connection, the last sync, the field limits and the preferences", () => {
  const limits = { notes_max_chars: 1000, slot_horizon_days: 60, cancel_reason_max_chars: 500, step_requires: [{ step: "argomento", field: "consultation_point" }] };
  const preferences = { lang: "it", reminders_daily: true, reminders_at: "08:30" };
  const next = update(initialState(), {
    type: "app_info",
    info: { version: "0.1.0", environment: { mode: "embedded_sandbox" }, online: false, last_sync_at: "2026-11-26T10:00:00+01:00", server_clock_offset_ms: -1500, limits, preferences, locked: false, idle_lock_secs: 300 },
  });
  assert.deepEqual(next.app, {
    known: true, version: "0.1.0", environment: { mode: "embedded_sandbox" }, online: false, last_sync_at: "2026-11-26T10:00:00+01:00",
    clock_offset_ms: -1500, limits, preferences, idle_lock_secs: 300, locked: false,
  });
});

test("signing out forgets the session's data but keeps language and environment", () => {
  const before = run(
    { type: "set_lang", lang: "en" },
    { type: "app_info", info: { environment: { mode: "remote", base_url: "https://x" } } },
    ...signedIn,
    { type: "comms_start", fiscal_code: CONTRIBUTOR.fiscal_code },
  );
  const after = update(before, { type: "signed_out", error: { kind: "session_expired", message: "m" } });
  assert.equal(after.lang, "en");
  assert.equal(after.app.environment.mode, "remote");
  assert.equal(after.selected, null);
  assert.equal(after.comms.status, "idle");
  assert.equal(after.signin.error.kind, "session_expired");
  assert.equal(after.focus.id, "signin-error");
  assert.equal(screenOf(after), "accesso");
});

test("choosing another assistito clears the previous one's lists but keeps the filters", () => {
  const other = { ...CONTRIBUTOR, fiscal_code: "BNCLRA75C45F205X" };
  const s = run(
    ...signedIn,
    { type: "comms_start", fiscal_code: CONTRIBUTOR.fiscal_code },
    { type: "comms_done", fiscal_code: CONTRIBUTOR.fiscal_code, result: { items: [COMMUNICATION] } },
    { type: "history_filter", field: "status", value: "confermato" },
    { type: "selected", contributor: other },
  );
  assert.equal(s.selected.fiscal_code, other.fiscal_code);
  assert.deepEqual(s.comms.items, []);
  assert.equal(s.history.filters.status, "confermato");
});

test("answers for a previous assistito or request are ignored", () => {
  const s = run(...signedIn, { type: "comms_start", fiscal_code: CONTRIBUTOR.fiscal_code });
  assert.equal(update(s, { type: "comms_done", fiscal_code: "ALTRO", result: { items: [COMMUNICATION] } }), s);
  const h = update(s, { type: "history_start", fiscal_code: "X", request: 2 });
  assert.equal(update(h, { type: "history_done", request: 1, result: { items: [appointment()] } }), h);
  const q = update(s, { type: "search_start", q: "b", seq: 5 });
  assert.equal(update(q, { type: "search_done", seq: 4, result: { items: [CONTRIBUTOR] } }), q);
});

test("a new draft starts at argomento with the communication's topic", () => {
  const d = newDraft(CONTRIBUTOR, COMMUNICATION);
  assert.equal(d.step, "argomento");
  assert.equal(d.topic_code, "rateazioni");
  assert.equal(d.communication_id, "COM-1");
  assert.equal(d.contributor_name, "ROSSI MARIO");
  assert.equal(d.phone, "");
});

test("changing the punto di consulenza resets the struttura and the slot", () => {
  const s = wizardState(
    { type: "wizard_choose_point", code: "A", channel: "in_presenza" },
    { type: "wizard_choose_office", code: "RM0" },
    { type: "wizard_choose_slot", start: "2026-12-01T09:00:00+01:00" },
    { type: "wizard_choose_point", code: "B", channel: "telefonica" },
  );
  assert.equal(s.wizard.draft.consultation_point, "B");
  assert.equal(s.wizard.draft.channel, "telefonica");
  assert.equal(s.wizard.draft.office_code, "");
  assert.equal(s.wizard.draft.slot_start, "");
});

test("Avanti is allowed only once the choice core requires of the stage is made", () => {
  const limits = { step_requires: [
    { step: "argomento", field: "consultation_point" }, { step: "struttura", field: "office_code" }, { step: "data_ora", field: "slot_start" },
  ] };
  let s = wizardState();
  assert.equal(canAdvance(s.wizard, limits), false);
  s = update(s, { type: "wizard_choose_point", code: "A", channel: "in_presenza" });
  assert.equal(canAdvance(s.wizard, limits), true);
  assert.equal(canAdvance(s.wizard, { step_requires: [] }), false, "no rule known yet: wait for app_info");
  s = update(s, { type: "wizard_stage", stage: "struttura" });
  assert.equal(canAdvance(s.wizard, limits), false);
  assert.equal(s.wizard.draft.step, "struttura");
  assert.equal(s.focus.id, "wizard-heading");
});

test("a validation answer for text that has since changed is ignored", () => {
  const ok = { phone: { ok: true, message: "", e164: "+393331234567" }, notes: { ok: true, message: "", length: 4, max: 1000 } };
  let s = wizardState(
    { type: "wizard_stage", stage: "contatti" },
    { type: "contact_edit", field: "phone", value: "3331234567" },
    { type: "contact_edit", field: "notes", value: "Nota" },
  );
  const stale = update(s, { type: "contact_validated", phone: "333", notes: "Nota", result: ok });
  assert.equal(stale, s);
  s = update(s, { type: "contact_validated", phone: "3331234567", notes: "Nota", result: ok });
  assert.equal(contactReady(s.wizard), true);
  assert.equal(s.wizard.draft.step, "pronto");
  s = update(s, { type: "contact_edit", field: "notes", value: "Nota cambiata" });
  assert.equal(contactReady(s.wizard), false);
  assert.equal(s.wizard.draft.step, "contatti");
});

test("booked, the wizard shows the hold; queued, the outcome says so", () => {
  const booked = update(wizardState(), { type: "book_done", result: { outcome: "booked", appointment: appointment() } });
  assert.equal(booked.wizard.stage, "attesa");
  assert.equal(booked.wizard.appointment.id, "AP-7K3M-Q9TX");
  const queued = update(wizardState(), { type: "book_done", result: { outcome: "queued" } });
  assert.equal(queued.wizard.stage, "esito");
  assert.equal(queued.wizard.outcome.result, "queued");
});

test("booking errors: slot_taken keeps its alternatives, others stay on Contatti with focus on the error", () => {
  const alt = [{ start: "a", end: "b", available: true }];
  const taken = update(wizardState({ type: "wizard_stage", stage: "contatti" }), {
    type: "book_failed", error: { kind: "slot_taken", message: "m", details: { alternatives: alt } },
  });
  assert.deepEqual(taken.wizard.booking.alternatives, alt);
  assert.equal(taken.focus.id, "booking-error");
  const notes = update(wizardState({ type: "wizard_stage", stage: "contatti" }), {
    type: "book_failed", error: { kind: "notes_required", message: "Le note sono obbligatorie.", details: {} },
  });
  assert.equal(notes.wizard.contact.validation.notes.ok, false);
  assert.equal(notes.focus.id, "contact-notes");
});

test("confirming or cancelling the hold ends in the outcome; an expired hold fails", () => {
  const held = update(wizardState(), { type: "book_done", result: { outcome: "booked", appointment: appointment() } });
  const confirmed = update(held, { type: "hold_done", op: "confirm", appointment: appointment({ status: "confermato" }) });
  assert.equal(confirmed.wizard.outcome.result, "confirmed");
  const cancelled = update(held, { type: "hold_done", op: "cancel", appointment: appointment({ status: "prenotazione_cancellata" }) });
  assert.equal(cancelled.wizard.outcome.result, "cancelled");
  const expired = update(held, { type: "hold_failed", error: { kind: "hold_expired", message: "m" } });
  assert.equal(expired.wizard.outcome.result, "failed");
  const retry = update(held, { type: "hold_failed", error: { kind: "internal", message: "m" } });
  assert.equal(retry.wizard.stage, "attesa");
  assert.equal(retry.wizard.hold.error.kind, "internal");
});

test("an annulled appointment replaces its row, keeping the labels the list had", () => {
  const row = { ...appointment({ status: "confermato" }), topic_label: "Rateazioni" };
  const s = run(
    { type: "history_start", fiscal_code: "X", request: 1 },
    { type: "history_done", request: 1, result: { items: [row, appointment({ id: "AP-OTHER" })] }, received_at: 5 },
    { type: "cancel_done", appointment: appointment({ status: "annullato" }) },
  );
  assert.equal(s.history.items[0].status, "annullato");
  assert.equal(s.history.items[0].topic_label, "Rateazioni");
  assert.equal(s.history.items[1].id, "AP-OTHER");
  assert.equal(s.history.version, 2);
  assert.equal(s.notice.key, "notice_appointment_cancelled");
});

test("a bad date filter keeps the typed text and its error until corrected", () => {
  let s = update(initialState(), { type: "history_filter_invalid", field: "from", raw: "32/13/2026", error: "filter_date_invalid" });
  assert.equal(s.history.filter_raw.from, "32/13/2026");
  assert.equal(s.history.filter_errors.from, "filter_date_invalid");
  assert.equal(s.focus.id, "history-filter-from");
  s = update(s, { type: "history_filter", field: "from", value: "2026-12-01" });
  assert.equal(s.history.filters.from, "2026-12-01");
  assert.equal(s.history.filter_errors.from, null);
});

test("sync results with sent or refused drafts raise a notice", () => {
  const quiet = update(initialState(), { type: "sync_done", result: { online: true, last_sync_at: "t", sent: 0, needs_attention: 0 } });
  assert.equal(quiet.notice, null);
  assert.equal(quiet.app.last_sync_at, "t");
  const sent = update(initialState(), { type: "sync_done", result: { online: true, sent: 2, needs_attention: 0 } });
  assert.equal(sent.notice.key, "notice_sync_sent");
  const bad = update(initialState(), { type: "sync_done", result: { online: true, sent: 1, needs_attention: 1 } });
  assert.equal(bad.notice.key, "notice_sync_attention");
});

test("deleting the draft open in the wizard closes the wizard", () => {
  const s = wizardState({ type: "draft_saved", id: "D-1", saved_at: "t" }, { type: "drafts_done", items: [{ id: "D-1" }] });
  const after = update(s, { type: "draft_deleted", id: "D-1" });
  assert.equal(after.wizard, null);
  assert.deepEqual(after.drafts.items, []);
});

test("offices are filtered by every typed word across name, city, address and province", () => {
  const rows = [
    ["", 2],
    ["roma", 1],
    ["MILANO gioia", 1],
    ["direzione", 2],
    ["napoli", 0],
    ["RM", 1],
  ];
  for (const [text, count] of rows) assert.equal(filterOffices(OFFICES, text).length, count, text);
});

test("update never mutates the state it is given", () => {
  const actions = [
    ...signedIn,
    { type: "navigate", route: "appuntamenti" },
    { type: "set_lang", lang: "en" },
    { type: "comms_start", fiscal_code: CONTRIBUTOR.fiscal_code },
    { type: "comms_done", fiscal_code: CONTRIBUTOR.fiscal_code, result: { items: [COMMUNICATION] } },
    { type: "wizard_open", draft: newDraft(CONTRIBUTOR, COMMUNICATION) },
    { type: "wizard_choose_point", code: "A", channel: "in_presenza" },
    { type: "contact_edit", field: "phone", value: "3" },
    { type: "book_failed", error: { kind: "invalid_phone", message: "m" } },
    { type: "history_start", fiscal_code: "X", request: 1 },
    { type: "history_done", request: 1, result: { items: [appointment()] } },
    { type: "cancel_done", appointment: appointment({ status: "annullato" }) },
    { type: "signed_out" },
  ];
  let s = deepFreeze(initialState());
  for (const action of actions) s = deepFreeze(update(s, action));
  assert.equal(s.session.signed_in, false);
});

test("choices not made yet travel as null, and UI-only fields stay home", () => {
  const wire = draftForWire({ ...newDraft(CONTRIBUTOR, COMMUNICATION), extra: 1 });
  assert.deepEqual(wire, {
    id: null, contributor_fiscal_code: CONTRIBUTOR.fiscal_code, contributor_name: "ROSSI MARIO", communication_id: "COM-1",
    topic_code: "rateazioni", consultation_point: null, channel: null, office_code: null, slot_start: null,
    phone: "", notes: "", case_ref: null, step: "argomento",
  });
  const full = draftForWire({ ...newDraft(CONTRIBUTOR, COMMUNICATION), id: "X~COM-1", channel: "telefonica", slot_start: "s" });
  assert.equal(full.id, "X~COM-1");
  assert.equal(full.channel, "telefonica");
  assert.equal(full.slot_start, "s");
});

test("a struttura's own point replaces the kind chosen in step 1, which stays checked", () => {
  let s = wizardState({ type: "wizard_choose_point", code: "KIND-SPORTELLO", channel: "in_presenza" });
  s = update(s, { type: "wizard_choose_office", code: "RM0", point_code: "RM0-SPORTELLO" });
  assert.equal(s.wizard.draft.consultation_point, "RM0-SPORTELLO");
  assert.equal(s.wizard.point_kind, "KIND-SPORTELLO");
  // Clicking the same kind again keeps the struttura.
  assert.equal(update(s, { type: "wizard_choose_point", code: "KIND-SPORTELLO", channel: "in_presenza" }), s);
});

test("a resumed draft finds its kind of punto di consulenza by code, else by channel", () => {
  const points = [
    { code: "KIND-SPORTELLO", label: "Sportello", channel: "in_presenza" },
    { code: "KIND-TEL", label: "Telefono", channel: "telefonica" },
  ];
  const open = (fields) => run(...signedIn, { type: "wizard_open", draft: { ...newDraft(CONTRIBUTOR, COMMUNICATION), ...fields } },
    { type: "wizard_options_done", data: { points } });
  assert.equal(open({ consultation_point: "KIND-TEL", channel: "telefonica" }).wizard.point_kind, "KIND-TEL");
  assert.equal(open({ consultation_point: "MI0-TEL", channel: "telefonica" }).wizard.point_kind, "KIND-TEL");
  assert.equal(open({ consultation_point: "", channel: "" }).wizard.point_kind, null);
});

test("a booking answered already confirmed goes straight to the positive outcome", () => {
  const s = update(wizardState(), { type: "book_done", result: { outcome: "booked", appointment: appointment({ status: "confermato" }) } });
  assert.equal(s.wizard.stage, "esito");
  assert.equal(s.wizard.outcome.result, "confirmed");
});

test("the agenda's filters keep the appointments of the day, stato, canale and struttura chosen", async () => {
  const { filterAgenda, NO_FILTERS } = await import("../../ui/js/features/agenda/state.js");
  const { romeDate } = await import("../../ui/js/format.js");
  const a = { start: "2026-12-07T08:00:00+01:00", status: "confermato", channel: "in_presenza", office_code: "RM-DP" };
  const b = { start: "2026-12-08T23:30:00+01:00", status: "prenotato", channel: "telefonica", office_code: "MI-DP" };
  const rows = [
    [NO_FILTERS, [a, b]],
    [{ ...NO_FILTERS, day: "2026-12-08" }, [b]],
    [{ ...NO_FILTERS, status: "confermato" }, [a]],
    [{ ...NO_FILTERS, channel: "telefonica", office: "MI-DP" }, [b]],
    [{ ...NO_FILTERS, channel: "telefonica", office: "RM-DP" }, []],
  ];
  for (const [filters, expected] of rows) assert.deepEqual(filterAgenda([a, b], filters, romeDate), expected, JSON.stringify(filters));
});

test("a long agenda list is drawn a page at a time, and Mostra altri adds a page", async () => {
  const { AGENDA_PAGE } = await import("../../ui/js/features/agenda/state.js");
  let s = initialState();
  assert.equal(s.agenda.shown.request, AGENDA_PAGE);
  s = update(s, { type: "agenda_more", list: "request" });
  assert.equal(s.agenda.shown.request, 2 * AGENDA_PAGE);
  assert.equal(s.agenda.shown.appointments, AGENDA_PAGE);
  assert.equal(update(s, { type: "agenda_more", list: "holds" }), s, "holds are never paged");
});
