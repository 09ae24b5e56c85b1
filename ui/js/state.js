// The app's state as a plain object and a pure update function: no DOM, no I/O, no clock
// (times arrive inside actions). Views read it; the controller dispatches actions.

/** Routes and their hashes. `accesso` is the sign-in screen. */
export const ROUTES = [
  "accesso", "impostazioni", "assistiti", "comunicazioni", "prenotazione", "appuntamenti", "bozze",
];
/** Routes reachable without a session. */
const PUBLIC_ROUTES = ["accesso", "impostazioni"];

/** Wizard stages in order; `attesa` is the held appointment, `esito` the outcome. */
export const WIZARD_STAGES = ["argomento", "struttura", "data_ora", "contatti", "attesa", "esito"];
/** The stages shown in the stepper. */
export const STEPPER_STAGES = ["argomento", "struttura", "data_ora", "contatti"];

/** The field bounds before app_info has given the real ones (`limits`, from agenda-core). */
export const NO_LIMITS = Object.freeze({ notes_max_chars: null, slot_horizon_days: 0, cancel_reason_max_chars: null });

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
    route: "assistiti",
    lang: "it",
    now: 0,
    app: { known: false, version: null, environment: null, online: true, last_sync_at: null, clock_offset_ms: 0, limits: NO_LIMITS },
    session: { known: false, signed_in: false, operator: null },
    signin: { busy: false, error: null },
    settings: { busy: false, error: null },
    search: { q: "", status: "idle", seq: 0, items: [], next_cursor: null, from_cache: false, synced_at: null, error: null },
    selected: null,
    comms: { status: "idle", fiscal_code: null, items: [], from_cache: false, synced_at: null, error: null },
    thread: { id: null, status: "idle", data: null, error: null },
    wizard: null,
    history: {
      status: "idle", fiscal_code: null, items: [], filters: { status: "", from: "", to: "" },
      filter_errors: { from: null, to: null }, filter_raw: { from: "", to: "" },
      from_cache: false, synced_at: null, error: null, received_at: 0, version: 0,
    },
    detail: { id: null, status: "idle", data: null, error: null },
    cancel: { busy: false, error: null },
    drafts: { status: "idle", items: [], error: null, busy_id: null },
    labels: { topics: {}, points: {}, offices: {} },
    notice: null,
    focus: null,
    seq: 0,
  };
}

/** The screen actually shown: the sign-in screen guards every private route. */
export function screenOf(state) {
  if (!state.session.known) return "avvio";
  if (!state.session.signed_in && !PUBLIC_ROUTES.includes(state.route)) return "accesso";
  if (state.session.signed_in && state.route === "accesso") return "assistiti";
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
  step: "argomento",
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

/** The stage a saved draft resumes at. */
export function stageOfDraft(draft) {
  const order = ["argomento", "struttura", "data_ora", "contatti"];
  let stage = draft.step === "pronto" ? "contatti" : order.includes(draft.step) ? draft.step : "argomento";
  // Never resume past a missing choice.
  if (!draft.consultation_point) return "argomento";
  if (order.indexOf(stage) >= 2 && !draft.office_code) stage = "struttura";
  if (order.indexOf(stage) >= 3 && !draft.slot_start) stage = "data_ora";
  return stage;
}

/** Whether the contact fields are valid as they are now typed. */
export function contactReady(wizard) {
  const v = wizard && wizard.contact.validation;
  return Boolean(v && v.phone.ok && v.notes.ok
    && wizard.contact.checked_phone === wizard.draft.phone
    && wizard.contact.checked_notes === wizard.draft.notes);
}

/** Whether the wizard may move on from its current stage. */
export function canAdvance(wizard) {
  if (!wizard) return false;
  const d = wizard.draft;
  switch (wizard.stage) {
    case "argomento": return Boolean(d.consultation_point);
    case "struttura": return Boolean(d.office_code);
    case "data_ora": return Boolean(d.slot_start);
    case "contatti": return contactReady(wizard) && !wizard.booking.busy;
    default: return false;
  }
}

/** The draft's `step` for a wizard stage. */
function draftStep(wizard, stage) {
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

function withFocus(state, id) {
  return { ...state, seq: state.seq + 1, focus: { id, n: state.seq + 1 } };
}

function withNotice(state, notice) {
  return { ...state, seq: state.seq + 1, notice: { ...notice, n: state.seq + 1 } };
}

function learnLabels(labels, { topics = [], points = [], offices = [] }) {
  const next = { topics: { ...labels.topics }, points: { ...labels.points }, offices: { ...labels.offices } };
  for (const [code, label] of topics) if (code && label) next.topics[code] = label;
  for (const [code, label] of points) if (code && label) next.points[code] = label;
  for (const [code, label] of offices) if (code && label) next.offices[code] = label;
  return next;
}

function wizardWith(state, patch) {
  return { ...state, wizard: { ...state.wizard, ...patch } };
}

function draftWith(state, fields) {
  const w = state.wizard;
  const draft = { ...w.draft, ...fields };
  const wizard = { ...w, draft, dirty: w.dirty + 1 };
  wizard.draft = { ...draft, step: draftStep(wizard, wizard.stage) };
  return { ...state, wizard };
}

function emptyWizard(draft, stage) {
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

function replaceAppointment(items, appointment) {
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
    case "navigate": {
      if (!ROUTES.includes(action.route)) return state;
      const next = { ...state, route: action.route };
      return action.focus === false ? next : withFocus(next, "page-title");
    }
    case "set_lang":
      return action.lang === "it" || action.lang === "en" ? { ...state, lang: action.lang } : state;
    case "tick":
      return { ...state, now: action.now };

    case "app_info": {
      const info = action.info || {};
      return {
        ...state,
        app: {
          known: true,
          version: info.version ?? state.app.version,
          environment: info.environment ?? state.app.environment,
          online: info.online !== false,
          last_sync_at: info.last_sync_at ?? state.app.last_sync_at,
          // The service's clock minus this PC's: holds count down on the service's time.
          clock_offset_ms: Number.isFinite(info.server_clock_offset_ms) ? info.server_clock_offset_ms : state.app.clock_offset_ms,
          limits: info.limits && typeof info.limits === "object" ? { ...NO_LIMITS, ...info.limits } : state.app.limits,
        },
      };
    }
    case "offline":
      return state.app.online ? { ...state, app: { ...state.app, online: false } } : state;
    case "sync_done": {
      const r = action.result || {};
      const app = { ...state.app, online: r.online !== false, last_sync_at: r.last_sync_at ?? state.app.last_sync_at };
      let next = { ...state, app };
      if ((r.sent || 0) > 0 || (r.needs_attention || 0) > 0) {
        next = withNotice(next, {
          tone: r.needs_attention ? "warning" : "success",
          key: r.needs_attention ? "notice_sync_attention" : "notice_sync_sent",
          params: { sent: r.sent || 0, needs_attention: r.needs_attention || 0 },
        });
      }
      return next;
    }

    case "session":
      return {
        ...state,
        session: { known: true, signed_in: Boolean(action.status && action.status.signed_in), operator: (action.status && action.status.operator) || null },
      };
    case "signin_start":
      return { ...state, signin: { busy: true, error: null } };
    case "signin_failed":
      return withFocus({ ...state, signin: { busy: false, error: action.error } }, "signin-error");
    case "signed_in": {
      const next = {
        ...state,
        session: { known: true, signed_in: true, operator: action.operator || null },
        signin: { busy: false, error: null },
        route: state.selected ? "comunicazioni" : "assistiti",
      };
      return withFocus(next, "page-title");
    }
    case "signed_out": {
      // Forget everything about the previous session but the app and the language.
      const fresh = initialState();
      const next = {
        ...fresh,
        lang: state.lang,
        now: state.now,
        app: state.app,
        seq: state.seq,
        session: { known: true, signed_in: false, operator: null },
        signin: { busy: false, error: action.error || null },
        route: action.route || "accesso",
      };
      return withFocus(next, action.error ? "signin-error" : "page-title");
    }

    case "settings_start":
      return { ...state, settings: { busy: true, error: null } };
    case "settings_failed":
      return withFocus({ ...state, settings: { busy: false, error: action.error } }, "settings-error");
    case "settings_saved": {
      const next = update({ ...state, settings: { busy: false, error: null } }, { type: "app_info", info: action.info });
      return withNotice(next, { tone: "success", key: next.session.signed_in ? "notice_settings_unchanged" : "notice_settings_saved" });
    }

    case "search_start":
      return {
        ...state,
        search: { ...state.search, q: action.q, seq: action.seq, status: "loading", error: null },
      };
    case "search_done": {
      if (action.seq !== state.search.seq) return state;
      const r = action.result || {};
      const items = Array.isArray(r.items) ? r.items : [];
      return {
        ...state,
        search: {
          ...state.search, status: "ready", error: null,
          items: action.append ? [...state.search.items, ...items] : items,
          next_cursor: r.next_cursor || null, from_cache: Boolean(r.from_cache), synced_at: r.synced_at || null,
        },
      };
    }
    case "search_failed":
      if (action.seq !== state.search.seq) return state;
      return { ...state, search: { ...state.search, status: "error", error: action.error } };

    case "selected": {
      const same = state.selected && action.contributor && state.selected.fiscal_code === action.contributor.fiscal_code;
      if (same) return { ...state, selected: action.contributor };
      const fresh = initialState();
      return {
        ...state,
        selected: action.contributor || null,
        comms: fresh.comms,
        thread: fresh.thread,
        history: { ...fresh.history, filters: state.history.filters },
        detail: fresh.detail,
        wizard: state.wizard && action.keepWizard ? state.wizard : null,
      };
    }

    case "comms_start":
      return { ...state, comms: { ...state.comms, status: "loading", fiscal_code: action.fiscal_code, error: null } };
    case "comms_done": {
      if (state.comms.fiscal_code !== action.fiscal_code) return state;
      const r = action.result || {};
      const items = Array.isArray(r.items) ? r.items : [];
      return {
        ...state,
        comms: { ...state.comms, status: "ready", items, from_cache: Boolean(r.from_cache), synced_at: r.synced_at || null, error: null },
        labels: learnLabels(state.labels, { topics: items.map((c) => [c.topic_code, c.topic_label]) }),
      };
    }
    case "comms_failed":
      if (state.comms.fiscal_code !== action.fiscal_code) return state;
      return { ...state, comms: { ...state.comms, status: "error", error: action.error } };

    case "thread_start":
      return { ...state, thread: { id: action.id, status: "loading", data: null, error: null } };
    case "thread_done":
      if (state.thread.id !== action.id) return state;
      return withFocus({ ...state, thread: { ...state.thread, status: "ready", data: action.data } }, "thread-heading");
    case "thread_failed":
      if (state.thread.id !== action.id) return state;
      return { ...state, thread: { ...state.thread, status: "error", error: action.error } };
    case "thread_close":
      return withFocus({ ...state, thread: initialState().thread }, action.returnFocus || "page-title");

    case "wizard_open": {
      const stage = action.stage || "argomento";
      const wizard = emptyWizard({ ...action.draft }, stage);
      if (action.draft.phone || action.draft.notes) {
        wizard.contact = { ...wizard.contact, touched: { phone: Boolean(action.draft.phone), notes: Boolean(action.draft.notes) } };
      }
      if (action.problem) {
        wizard.booking = { busy: false, error: action.problem, alternatives: action.problem.alternatives || [] };
      }
      if (action.appointment) wizard.appointment = action.appointment;
      return withFocus({ ...state, route: "prenotazione", wizard }, "wizard-heading");
    }
    case "wizard_options_done": {
      if (!state.wizard) return state;
      const data = action.data || {};
      const points = Array.isArray(data.points) ? data.points : [];
      const d = state.wizard.draft;
      let kind = state.wizard.point_kind;
      if (!kind && d.consultation_point) {
        // A resumed draft holds a struttura's own point: find its kind by code, else by channel.
        const same = points.find((p) => p.code === d.consultation_point);
        const byChannel = points.filter((p) => p.channel === d.channel);
        kind = same ? same.code : byChannel.length === 1 ? byChannel[0].code : null;
      }
      const next = wizardWith(state, { point_kind: kind, options: { status: "ready", data: { ...data, points }, error: null } });
      return {
        ...next,
        labels: learnLabels(state.labels, {
          topics: data.topic ? [[data.topic.code, data.topic.label]] : [],
          points: points.map((p) => [p.code, p.label]),
        }),
      };
    }
    case "wizard_options_failed":
      if (!state.wizard) return state;
      return wizardWith(state, { options: { status: "error", data: null, error: action.error } });
    case "wizard_choose_point": {
      if (!state.wizard) return state;
      const d = state.wizard.draft;
      if (state.wizard.point_kind === action.code) return state;
      const next = draftWith(state, { consultation_point: action.code, channel: action.channel || "", office_code: "", slot_start: "" });
      return wizardWith(next, {
        point_kind: action.code,
        offices: { ...emptyWizard(d, "").offices },
        slots: { ...emptyWizard(d, "").slots },
      });
    }
    case "wizard_choose_office": {
      if (!state.wizard) return state;
      const d = state.wizard.draft;
      const point = action.point_code || d.consultation_point;
      if (d.office_code === action.code && d.consultation_point === point) return state;
      const next = draftWith(state, { office_code: action.code, consultation_point: point, slot_start: "" });
      return wizardWith(next, { slots: { ...emptyWizard(next.wizard.draft, "").slots } });
    }
    case "wizard_choose_slot": {
      if (!state.wizard) return state;
      const next = draftWith(state, { slot_start: action.start });
      return wizardWith(next, { booking: { ...next.wizard.booking, error: null, alternatives: [] } });
    }
    case "wizard_stage": {
      if (!state.wizard || !WIZARD_STAGES.includes(action.stage)) return state;
      const wizard = { ...state.wizard, stage: action.stage };
      wizard.draft = { ...wizard.draft, step: draftStep(wizard, action.stage) };
      return withFocus({ ...state, wizard }, "wizard-heading");
    }
    case "wizard_close":
      return withFocus({ ...state, wizard: null, route: action.route || "comunicazioni" }, "page-title");

    case "offices_start":
      if (!state.wizard) return state;
      return wizardWith(state, { offices: { ...state.wizard.offices, status: "loading", error: null } });
    case "offices_done": {
      if (!state.wizard) return state;
      const items = Array.isArray(action.items) ? action.items : [];
      return {
        ...wizardWith(state, { offices: { ...state.wizard.offices, status: "ready", items, error: null } }),
        labels: learnLabels(state.labels, { offices: items.map((o) => [o.code, o.name]) }),
      };
    }
    case "offices_failed":
      if (!state.wizard) return state;
      return wizardWith(state, { offices: { ...state.wizard.offices, status: "error", error: action.error } });
    case "offices_filter":
      if (!state.wizard) return state;
      return wizardWith(state, { offices: { ...state.wizard.offices, filter: action.text } });

    case "slots_start":
      if (!state.wizard) return state;
      return wizardWith(state, {
        slots: { ...state.wizard.slots, status: "loading", week: action.week, error: null,
          first_week: state.wizard.slots.first_week || action.first_week || action.week },
      });
    case "slots_done": {
      if (!state.wizard || state.wizard.slots.week !== action.week) return state;
      const items = Array.isArray(action.items) ? action.items : [];
      return wizardWith(state, { slots: { ...state.wizard.slots, status: "ready", items, error: null } });
    }
    case "slots_failed":
      if (!state.wizard || state.wizard.slots.week !== action.week) return state;
      return wizardWith(state, { slots: { ...state.wizard.slots, status: "error", error: action.error } });

    case "contact_edit": {
      if (!state.wizard || !["phone", "notes"].includes(action.field)) return state;
      const next = draftWith(state, { [action.field]: String(action.value ?? "") });
      const touched = { ...next.wizard.contact.touched, [action.field]: true };
      return wizardWith(next, { contact: { ...next.wizard.contact, touched } });
    }
    case "contact_touch": {
      if (!state.wizard) return state;
      const touched = { ...state.wizard.contact.touched, [action.field]: true };
      return wizardWith(state, { contact: { ...state.wizard.contact, touched } });
    }
    case "contact_validated": {
      if (!state.wizard) return state;
      const d = state.wizard.draft;
      if (d.phone !== action.phone || d.notes !== action.notes) return state; // stale answer
      const contact = { ...state.wizard.contact, validation: action.result, checked_phone: action.phone, checked_notes: action.notes };
      const wizard = { ...state.wizard, contact };
      wizard.draft = { ...wizard.draft, step: draftStep(wizard, wizard.stage) };
      return { ...state, wizard };
    }

    case "draft_saving":
      if (!state.wizard) return state;
      return wizardWith(state, { saving: true });
    case "draft_saved": {
      if (!state.wizard) return state;
      const draft = { ...state.wizard.draft, id: action.id };
      return wizardWith(state, { draft, saving: false, saved_at: action.saved_at || null, save_error: null });
    }
    case "draft_save_failed":
      if (!state.wizard) return state;
      return wizardWith(state, { saving: false, save_error: action.error });

    case "book_start":
      if (!state.wizard) return state;
      return wizardWith(state, { booking: { busy: true, error: null, alternatives: [] } });
    case "book_done": {
      if (!state.wizard) return state;
      const r = action.result || {};
      if (r.outcome === "booked" && r.appointment && r.appointment.status === "confermato") {
        // Already confirmed (a replayed booking): straight to the outcome.
        const next = wizardWith(state, {
          booking: { busy: false, error: null, alternatives: [] },
          appointment: r.appointment, stage: "esito", outcome: { result: "confirmed", appointment: r.appointment },
        });
        return withFocus(next, "wizard-heading");
      }
      if (r.outcome === "booked" && r.appointment) {
        const next = wizardWith(state, {
          booking: { busy: false, error: null, alternatives: [] },
          appointment: r.appointment, stage: "attesa", hold: { busy: null, error: null },
        });
        return withFocus(next, "wizard-heading");
      }
      const next = wizardWith(state, {
        booking: { busy: false, error: null, alternatives: [] },
        stage: "esito", outcome: { result: "queued" },
      });
      return withFocus(next, "wizard-heading");
    }
    case "book_failed": {
      if (!state.wizard) return state;
      const e = action.error || {};
      if (e.kind === "offline") {
        const next = wizardWith(state, { booking: { busy: false, error: null, alternatives: [] }, stage: "esito", outcome: { result: "queued", error: e } });
        return withFocus(next, "wizard-heading");
      }
      const alternatives = e.kind === "slot_taken" && Array.isArray(e.details && e.details.alternatives) ? e.details.alternatives : [];
      let next = wizardWith(state, { booking: { busy: false, error: e, alternatives } });
      if (e.kind === "invalid_phone" || e.kind === "notes_required" || e.kind === "notes_too_long" || e.kind === "invalid_notes") {
        const field = e.kind === "invalid_phone" ? "phone" : "notes";
        const v = next.wizard.contact.validation || { phone: { ok: true, message: "" }, notes: { ok: true, message: "", length: 0, max: state.app.limits.notes_max_chars } };
        const validation = { ...v, [field]: { ...v[field], ok: false, message: e.message } };
        next = wizardWith(next, { contact: { ...next.wizard.contact, validation, touched: { phone: true, notes: true } } });
        return withFocus(next, field === "phone" ? "contact-phone" : "contact-notes");
      }
      return withFocus(next, "booking-error");
    }

    case "hold_start":
      if (!state.wizard) return state;
      return wizardWith(state, { hold: { busy: action.op, error: null } });
    case "hold_done": {
      if (!state.wizard) return state;
      const result = action.op === "confirm" ? "confirmed" : "cancelled";
      const next = wizardWith(state, {
        appointment: action.appointment, hold: { busy: null, error: null },
        stage: "esito", outcome: { result, appointment: action.appointment },
      });
      return withFocus({ ...next, history: { ...next.history, status: "stale" } }, "wizard-heading");
    }
    case "hold_failed": {
      if (!state.wizard) return state;
      const e = action.error || {};
      if (e.kind === "hold_expired" || e.kind === "invalid_state" || e.kind === "not_found") {
        const next = wizardWith(state, { hold: { busy: null, error: null }, stage: "esito", outcome: { result: "failed", error: e, appointment: state.wizard.appointment } });
        return withFocus(next, "wizard-heading");
      }
      return withFocus(wizardWith(state, { hold: { busy: null, error: e } }), "hold-error");
    }

    case "history_filter": {
      if (!["status", "from", "to"].includes(action.field)) return state;
      const h = state.history;
      const next = { ...h, filters: { ...h.filters, [action.field]: action.value || "" } };
      if (action.field !== "status") {
        next.filter_errors = { ...h.filter_errors, [action.field]: null };
        next.filter_raw = { ...h.filter_raw, [action.field]: "" };
      }
      return { ...state, history: next };
    }
    case "history_filter_invalid": {
      if (!["from", "to"].includes(action.field)) return state;
      const h = state.history;
      return withFocus({
        ...state,
        history: {
          ...h,
          filter_errors: { ...h.filter_errors, [action.field]: action.error },
          filter_raw: { ...h.filter_raw, [action.field]: action.raw },
        },
      }, `history-filter-${action.field}`);
    }
    case "history_reset_filters":
      return {
        ...state,
        history: {
          ...state.history, filters: { status: "", from: "", to: "" },
          filter_errors: { from: null, to: null }, filter_raw: { from: "", to: "" },
        },
      };
    case "history_start":
      return { ...state, history: { ...state.history, status: "loading", fiscal_code: action.fiscal_code, error: null, request: action.request } };
    case "history_done": {
      if (state.history.request !== action.request) return state;
      const r = action.result || {};
      const items = Array.isArray(r.items) ? r.items : [];
      return {
        ...state,
        history: {
          ...state.history, status: "ready", items, from_cache: Boolean(r.from_cache), synced_at: r.synced_at || null,
          error: null, received_at: action.received_at || 0, version: state.history.version + 1,
        },
      };
    }
    case "history_failed":
      if (state.history.request !== action.request) return state;
      return { ...state, history: { ...state.history, status: "error", error: action.error } };

    case "detail_start":
      return { ...state, detail: { id: action.id, status: "loading", data: null, error: null }, cancel: { busy: false, error: null } };
    case "detail_done":
      if (state.detail.id !== action.id) return state;
      return withFocus({ ...state, detail: { ...state.detail, status: "ready", data: action.data } }, "detail-heading");
    case "detail_failed":
      if (state.detail.id !== action.id) return state;
      return { ...state, detail: { ...state.detail, status: "error", error: action.error } };
    case "detail_close":
      // The view puts focus back on the row that was opened.
      return { ...state, detail: initialState().detail };

    case "cancel_start":
      return { ...state, cancel: { busy: true, error: null } };
    case "cancel_done": {
      const a = action.appointment;
      const history = { ...state.history, items: replaceAppointment(state.history.items, a), version: state.history.version + 1 };
      const detail = state.detail.id === a.id && state.detail.data
        ? { ...state.detail, data: { ...state.detail.data, ...a } }
        : state.detail;
      const next = { ...state, history, detail, cancel: { busy: false, error: null } };
      return withFocus(withNotice(next, { tone: "success", key: "notice_appointment_cancelled", params: { id: a.id } }), "detail-heading");
    }
    case "cancel_failed":
      return withFocus({ ...state, cancel: { busy: false, error: action.error } }, "detail-error");

    case "drafts_start":
      return { ...state, drafts: { ...state.drafts, status: "loading", error: null } };
    case "drafts_done":
      return { ...state, drafts: { ...state.drafts, status: "ready", items: Array.isArray(action.items) ? action.items : [], error: null } };
    case "drafts_failed":
      return { ...state, drafts: { ...state.drafts, status: "error", error: action.error } };
    case "draft_busy":
      return { ...state, drafts: { ...state.drafts, busy_id: action.id } };
    case "draft_deleted": {
      const items = state.drafts.items.filter((d) => d.id !== action.id);
      const wizard = state.wizard && state.wizard.draft.id === action.id ? null : state.wizard;
      const next = { ...state, wizard, drafts: { ...state.drafts, items, busy_id: null } };
      return action.quiet ? next : withNotice(next, { tone: "success", key: "notice_draft_deleted" });
    }

    case "notice":
      return withNotice(state, { tone: action.tone || "info", key: action.key || null, params: action.params || {}, error: action.error || null });
    case "notice_clear":
      return state.notice ? { ...state, notice: null } : state;
    case "focus":
      return withFocus(state, action.id);
    default:
      return state;
  }
}
