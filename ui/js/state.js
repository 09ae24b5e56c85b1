// The app's state as a plain object and a pure update function: no DOM, no I/O, no clock
// (times arrive inside actions). Views read it; the controller dispatches actions.

import { initialAbout, reduce as about } from "./features/about/state.js";
import { AGENDA_PAGE, reduce as agenda } from "./features/agenda/state.js";
import { reduce as communications } from "./features/communications/state.js";
import { reduce as contributors } from "./features/contributors/state.js";
import { reduce as drafts } from "./features/drafts/state.js";
import { reduce as history } from "./features/history/state.js";
import { initialAudit, reduce as privacy } from "./features/privacy/state.js";
import { reduce as session } from "./features/session/state.js";
import { reduce as wizard } from "./features/wizard/state.js";

/** Each feature's part of `update`, asked in turn (an action belongs to one feature). */
const FEATURES = [session, agenda, contributors, communications, wizard, history, drafts, privacy, about];

/** Routes and their hashes. `accesso` is the sign-in screen. */
export const ROUTES = [
  "accesso", "impostazioni", "agenda", "assistiti", "comunicazioni", "prenotazione", "appuntamenti", "bozze", "registro", "informazioni",
];
/** Routes reachable without a session. */
const PUBLIC_ROUTES = ["accesso", "impostazioni", "informazioni"];

/** Wizard stages in order; `attesa` is the held appointment, `esito` the outcome. */
export const WIZARD_STAGES = ["argomento", "struttura", "data_ora", "contatti", "attesa", "esito"];
/** The stages shown in the stepper. */
export const STEPPER_STAGES = ["argomento", "struttura", "data_ora", "contatti"];

/** The field bounds before app_info has given the real ones (`limits`, from agenda-core). */
export const NO_LIMITS = Object.freeze({ notes_max_chars: null, slot_horizon_days: 0, cancel_reason_max_chars: null, step_requires: [] });

/** The state before anything is known. */
/**
 * Whether the service's view of `appointment` allows `action` now ("confirm",
 * "cancel_hold", "cancel"): the rule lives in agenda-core and travels in `allowed_actions`.
 */
export function allows(appointment, action) {
  return Boolean(appointment && Array.isArray(appointment.allowed_actions) && appointment.allowed_actions.includes(action));
}

export function initialState() {
  return {
    route: "agenda",
    lang: "it",
    now: 0,
    app: { known: false, version: null, environment: null, online: true, last_sync_at: null, clock_offset_ms: 0, limits: NO_LIMITS, preferences: null, idle_lock_secs: 600, locked: false },
    session: { known: false, signed_in: false, operator: null },
    signin: { busy: false, error: null },
    settings: { busy: false, error: null },
    search: { q: "", status: "idle", seq: 0, items: [], next_cursor: null, from_cache: false, synced_at: null, error: null },
    selected: null,
    comms: { status: "idle", fiscal_code: null, items: [], from_cache: false, synced_at: null, error: null },
    thread: { id: null, status: "idle", data: null, error: null },
    wizard: null,
    history: {
      status: "idle", fiscal_code: null, items: [], filters: { status: "", from: "", to: "", search: "" },
      filter_errors: { from: null, to: null }, filter_raw: { from: "", to: "" },
      from_cache: false, synced_at: null, error: null, received_at: 0, version: 0,
    },
    detail: { id: null, status: "idle", data: null, error: null },
    cancel: { busy: false, error: null },
    drafts: { status: "idle", items: [], error: null, busy_id: null },
    agenda: { status: "idle", data: null, error: null, busy_id: null, filters: { day: "", status: "", channel: "", office: "" }, shown: { appointments: AGENDA_PAGE, request: AGENDA_PAGE } },
    find: { busy: false, error: null },
    audit: initialAudit(),
    about: initialAbout(),
    lock: { locked: false, busy: false, error: null },
    reschedule: { id: null, status: "idle", slots: [], busy: false, error: null },
    notice: null,
    focus: null,
    seq: 0,
  };
}

/** The screen actually shown: the sign-in screen guards every private route. */
export function screenOf(state) {
  if (!state.session.known) return "avvio";
  if (!state.session.signed_in && !PUBLIC_ROUTES.includes(state.route)) return "accesso";
  if (state.session.signed_in && state.route === "accesso") return "agenda";
  if (state.route === "prenotazione" && !state.wizard) return "comunicazioni";
  return state.route;
}

/** Route from a location hash like "#/appuntamenti"; unknown hashes mean null. */
export function routeFromHash(hash) {
  const name = String(hash || "").replace(/^#\/?/, "");
  return ROUTES.includes(name) ? name : null;
}

/**
 * The draft's fields as the wizard edits them, with their value before a choice ("" for a
 * choice not made): the UI's one list of them (Rust's is `WizardInput` in agenda-core).
 */
const DRAFT_FIELDS = Object.freeze({
  contributor_fiscal_code: "", contributor_name: "", communication_id: "", topic_code: "",
  consultation_point: "", channel: "", office_code: "", slot_start: "", phone: "", notes: "",
  case_ref: "", step: "argomento",
});

/** The draft fields of `source` (a draft read back, or a new one's start), nothing else. */
export function draftFrom(source) {
  const draft = source.id ? { id: source.id } : {};
  for (const [field, empty] of Object.entries(DRAFT_FIELDS)) {
    draft[field] = source[field] === null || source[field] === undefined ? empty : source[field];
  }
  return draft;
}

/** A new draft for a communication of the selected contributor. */
export function newDraft(contributor, communication) {
  return draftFrom({
    contributor_fiscal_code: contributor ? contributor.fiscal_code : "",
    contributor_name: contributor ? contributor.display_name : "",
    communication_id: communication.id,
    topic_code: communication.topic_code,
  });
}

/**
 * The draft as save_draft and book take it: choices not made yet travel as null (Rust parses
 * them only when present); UI-only fields are left out.
 */
export function draftForWire(draft) {
  const wire = { id: draft.id || null };
  for (const [field, empty] of Object.entries(DRAFT_FIELDS)) {
    const value = draft[field] === undefined || draft[field] === "" ? empty : draft[field];
    wire[field] = value === "" && field !== "phone" && field !== "notes" ? null : value;
  }
  return wire;
}

/** Whether the contact fields are valid as they are now typed. */
export function contactReady(wizard) {
  const v = wizard && wizard.contact.validation;
  return Boolean(v && v.phone.ok && v.notes.ok
    && wizard.contact.checked_phone === wizard.draft.phone
    && wizard.contact.checked_notes === wizard.draft.notes);
}

/**
 * Whether the wizard may move on from its current stage. What each stage needs comes from
 * agenda-core (`limits.step_requires` of app_info: the draft field that must be chosen);
 * Contatti needs telefono and note as `validate_contact` judged them.
 */
export function canAdvance(wizard, limits) {
  if (!wizard) return false;
  if (wizard.stage === "contatti") return contactReady(wizard) && !wizard.booking.busy;
  const rule = ((limits && limits.step_requires) || []).find((r) => r.step === wizard.stage);
  return Boolean(rule && rule.field && wizard.draft[rule.field]);
}

/** The draft's `step` for a wizard stage. */
export function draftStep(wizard, stage) {
  if (stage === "contatti" || stage === "attesa" || stage === "esito") {
    return contactReady(wizard) ? "pronto" : "contatti";
  }
  return stage;
}

/** Offices matching the operator's filter (name, city, address, province, code). */
export function filterOffices(offices, text) {
  const q = String(text || "").trim().toLowerCase();
  if (!q) return offices;
  const words = q.split(/\s+/);
  return offices.filter((o) => {
    const hay = [o.name, o.city, o.address, o.province, o.code].join(" ").toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}

export function withFocus(state, id) {
  return { ...state, seq: state.seq + 1, focus: { id, n: state.seq + 1 } };
}

export function withNotice(state, notice) {
  return { ...state, seq: state.seq + 1, notice: { ...notice, n: state.seq + 1 } };
}

export function wizardWith(state, patch) {
  return { ...state, wizard: { ...state.wizard, ...patch } };
}

export function draftWith(state, fields) {
  const w = state.wizard;
  const draft = { ...w.draft, ...fields };
  const wizard = { ...w, draft, dirty: w.dirty + 1 };
  wizard.draft = { ...draft, step: draftStep(wizard, wizard.stage) };
  return { ...state, wizard };
}

export function emptyWizard(draft, stage) {
  return {
    stage,
    draft,
    // The kind of punto di consulenza chosen in step 1; once a struttura is chosen the draft
    // holds that struttura's own point of this kind.
    point_kind: null,
    dirty: 0,
    saved_at: null,
    saving: false,
    save_error: null,
    options: { status: "loading", data: null, error: null },
    offices: { status: "idle", items: [], error: null, filter: "" },
    slots: { status: "idle", items: [], error: null, week: null, first_week: null },
    contact: { validation: null, checked_phone: null, checked_notes: null, touched: { phone: false, notes: false } },
    booking: { busy: false, error: null, alternatives: [] },
    appointment: null,
    hold: { busy: null, error: null },
    outcome: null,
  };
}

export function replaceAppointment(items, appointment) {
  let found = false;
  const next = items.map((a) => {
    if (a.id !== appointment.id) return a;
    found = true;
    return { ...a, ...appointment };
  });
  return found ? next : items;
}

/** Returns the state after `action`; never mutates `state`. */
export function update(state, action) {
  switch (action.type) {
    case "notice":
      return withNotice(state, { tone: action.tone || "info", key: action.key || null, params: action.params || {}, error: action.error || null });
    case "notice_clear":
      return state.notice ? { ...state, notice: null } : state;
    case "focus":
      return withFocus(state, action.id);
    default:
      for (const reduce of FEATURES) {
        const next = reduce(state, action);
        if (next !== undefined) return next;
      }
      return state;
  }
}
