// The controller: turns the operator's intentions into api.js calls and state actions.
// No DOM here. Everything it needs comes in through `createController` so the tests can pass
// a fake api, fake timers and a fixed clock.

import { addDays, holdRemaining, mondayOf, parseDateInput, romeDate } from "./format.js";
import {
  canAdvance, contactReady, draftForWire, draftFrom, newDraft, screenOf, stageOfDraft, STEPPER_STAGES, update,
} from "./state.js";

/** Errors after which the operator must sign in again. */
const SESSION_KINDS = ["session_expired", "not_signed_in"];
/** How often the app asks the shell whether the service is reachable. */
export const POLL_MS = 10000;
/** After a failure, ask again this soon. */
export const RETRY_POLL_MS = 2000;
export const SEARCH_DEBOUNCE_MS = 250;
export const VALIDATE_DEBOUNCE_MS = 200;
export const SAVE_DEBOUNCE_MS = 700;

function normalise(error) {
  if (error && typeof error === "object" && typeof error.kind === "string") {
    return { kind: error.kind, message: typeof error.message === "string" ? error.message : "", details: error.details || {} };
  }
  return { kind: "internal", message: "", details: {} };
}

/** A tiny store: the state, a dispatch that runs `update`, and listeners. */
export function createStore(initial) {
  let state = initial;
  const listeners = new Set();
  return {
    getState: () => state,
    dispatch(action) {
      const next = update(state, action);
      if (next === state) return;
      state = next;
      for (const l of listeners) l(state, action);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/**
 * Creates the controller.
 * @param {object} deps
 * @param {object} deps.api        the functions of api.js (or a fake)
 * @param {object} deps.store      from createStore
 * @param {object} [deps.timers]   {setTimeout, clearTimeout, setInterval, clearInterval}
 * @param {Function} [deps.now]    wall clock in ms (Date.now)
 * @param {Function} [deps.perfNow] monotonic clock in ms (performance.now)
 * @param {object} [deps.prefs]    {get(key), set(key, value)} for the language
 * @param {Function} [deps.resetPage] after Esci, drops everything the page still holds (the
 *   window reloads: no node of a hidden screen keeps the previous operator's data)
 */
export function createController({ api, store, timers = globalThis, now = () => Date.now(), perfNow = () => now(), prefs = null, resetPage = () => {} }) {
  const { getState } = store;
  const dispatch = (action) => {
    store.dispatch(action);
    syncTicker();
  };

  let pollTimer = null;
  let retryTimer = null;
  let searchTimer = null;
  let validateTimer = null;
  let saveTimer = null;
  let ticker = null;
  let searchSeq = 0;
  let historySeq = 0;
  let saving = null;
  let saveAgain = false;
  let syncing = null;

  // --- plumbing -------------------------------------------------------------------------

  /** Runs an api call; offline and session errors are handled here for every caller. */
  async function run(fn) {
    try {
      return { ok: true, value: await fn() };
    } catch (raw) {
      const error = normalise(raw);
      if (error.kind === "offline") markOffline();
      if (SESSION_KINDS.includes(error.kind)) {
        dispatch({ type: "signed_out", error });
        return { ok: false, error, handled: true };
      }
      return { ok: false, error, handled: false };
    }
  }

  function clear(timer) {
    if (timer !== null) timers.clearTimeout(timer);
    return null;
  }

  function needsTicker(state) {
    if (state.wizard && state.wizard.stage === "attesa") return true;
    const d = state.detail.data;
    return Boolean(d && d.status === "prenotato" && d.hold_expires_at);
  }

  /** The service's time as this PC can tell (its clock plus the offset the shell measured). */
  function serverNow() {
    return now() + (getState().app.clock_offset_ms || 0);
  }

  function syncTicker() {
    const want = needsTicker(getState());
    if (want && ticker === null) {
      ticker = timers.setInterval(() => store.dispatch({ type: "tick", now: serverNow() }), 1000);
      store.dispatch({ type: "tick", now: serverNow() });
    } else if (!want && ticker !== null) {
      timers.clearInterval(ticker);
      ticker = null;
    }
  }

  function markOffline() {
    dispatch({ type: "offline" });
    if (retryTimer === null) {
      retryTimer = timers.setTimeout(() => {
        retryTimer = null;
        poll();
      }, RETRY_POLL_MS);
    }
  }

  // --- app, session, settings -----------------------------------------------------------

  async function start(initialRoute) {
    const lang = prefs && prefs.get("lang");
    if (lang) dispatch({ type: "set_lang", lang });
    dispatch({ type: "tick", now: now() });
    const info = await run(() => api.appInfo());
    if (info.ok) dispatch({ type: "app_info", info: info.value });
    else dispatch({ type: "notice", tone: "error", error: info.error });

    const status = await run(() => api.sessionStatus());
    if (!status.ok) {
      dispatch({ type: "session", status: { signed_in: false, operator: null } });
      if (!status.handled) dispatch({ type: "signed_out", error: status.error });
    } else {
      dispatch({ type: "session", status: status.value });
      if (status.value && status.value.signed_in) await afterSignIn(initialRoute);
      else if (initialRoute === "impostazioni") dispatch({ type: "navigate", route: "impostazioni", focus: false });
    }
    if (pollTimer === null) pollTimer = timers.setInterval(poll, POLL_MS);
  }

  /** Restores the utente selezionato and opens the first screen. */
  async function afterSignIn(route) {
    const selected = await run(() => api.selectedContributor());
    if (selected.ok && selected.value) dispatch({ type: "selected", contributor: selected.value });
    loadDrafts(); // for the count beside "Bozze"; not awaited
    const target = route && route !== "accesso" && route !== "prenotazione"
      ? route
      : getState().selected ? "comunicazioni" : "assistiti";
    await navigate(target, { focus: false });
  }

  async function poll() {
    const wasOnline = getState().app.online;
    const info = await run(() => api.appInfo());
    if (!info.ok) return;
    dispatch({ type: "app_info", info: info.value });
    if (!wasOnline && info.value.online !== false) await syncNow();
  }

  async function syncNow() {
    if (syncing) return syncing;
    syncing = (async () => {
      const r = await run(() => api.syncNow());
      if (r.ok) {
        dispatch({ type: "sync_done", result: r.value });
        const screen = screenOf(getState());
        if (screen === "bozze") await loadDrafts();
        else if (screen === "comunicazioni") await loadCommunications();
        else if (screen === "appuntamenti") await loadHistory();
      } else if (!r.handled) {
        dispatch({ type: "notice", tone: "error", error: r.error });
      }
    })();
    try {
      await syncing;
    } finally {
      syncing = null;
    }
  }

  async function signIn(username, password) {
    if (getState().signin.busy) return;
    dispatch({ type: "signin_start" });
    const r = await run(() => api.signIn(String(username || "").trim(), String(password || "")));
    if (!r.ok) {
      dispatch({ type: "signin_failed", error: r.error });
      return;
    }
    dispatch({ type: "signed_in", operator: r.value && r.value.operator });
    await afterSignIn(null);
  }

  async function signOut() {
    await flushSave();
    const r = await run(() => api.signOut());
    if (r.ok) {
      dispatch({ type: "signed_out" });
      // The desk PC passes to the next operator: nothing of this session may stay in the page.
      resetPage();
    } else if (!r.handled) dispatch({ type: "notice", tone: "error", error: r.error });
  }

  /** `mode` is "embedded_sandbox" or "remote" (then `url` is required). */
  async function saveSettings({ mode, url }) {
    dispatch({ type: "settings_start" });
    const value = mode === "remote" ? String(url || "").trim() : null;
    if (mode === "remote" && !value) {
      dispatch({ type: "settings_failed", error: { kind: "invalid_base_url", message: "", details: {} } });
      return;
    }
    const env = getState().app.environment;
    const same = env && (value === null ? env.mode === "embedded_sandbox" : env.mode === "remote" && env.base_url === value);
    if (same) {
      // Nothing changed: keep the session.
      dispatch({ type: "settings_saved", info: {} });
      return;
    }
    const r = await run(() => api.setServiceUrl(value));
    if (!r.ok) {
      if (!r.handled) dispatch({ type: "settings_failed", error: r.error });
      return;
    }
    if (getState().session.signed_in) dispatch({ type: "signed_out", route: "impostazioni" });
    dispatch({ type: "settings_saved", info: r.value });
  }

  function setLang(lang) {
    dispatch({ type: "set_lang", lang });
    if (prefs) prefs.set("lang", getState().lang);
  }

  /** Shows a route and loads what it needs. */
  async function navigate(route, { focus = true } = {}) {
    if (getState().route === "prenotazione" && route !== "prenotazione") await flushSave();
    dispatch({ type: "navigate", route, focus });
    switch (screenOf(getState())) {
      case "assistiti":
        if (getState().search.status === "idle") await searchNow(getState().search.q);
        break;
      case "comunicazioni":
        await loadCommunications();
        break;
      case "appuntamenti":
        await loadHistory();
        break;
      case "bozze":
        await loadDrafts();
        break;
      default:
        break;
    }
  }

  // --- Assistiti --------------------------------------------------------------------------

  /** As typed: searches after a short pause. */
  function searchInput(q) {
    searchTimer = clear(searchTimer);
    searchTimer = timers.setTimeout(() => {
      searchTimer = null;
      searchNow(q);
    }, SEARCH_DEBOUNCE_MS);
  }

  async function searchNow(q, { more = false } = {}) {
    const seq = ++searchSeq;
    const query = String(q ?? "").trim();
    const cursor = more ? getState().search.next_cursor : undefined;
    dispatch({ type: "search_start", q: query, seq, append: more });
    const r = await run(() => api.searchContributors(query, cursor || undefined));
    if (r.ok) dispatch({ type: "search_done", seq, result: r.value, append: more });
    else if (!r.handled) dispatch({ type: "search_failed", seq, error: r.error });
  }

  const searchMore = () => searchNow(getState().search.q, { more: true });

  async function pickContributor(fiscalCode) {
    const r = await run(() => api.selectContributor(fiscalCode));
    if (!r.ok) {
      if (!r.handled) dispatch({ type: "notice", tone: "error", error: r.error });
      return;
    }
    dispatch({ type: "selected", contributor: r.value });
    dispatch({ type: "notice", tone: "success", key: "notice_contributor_selected", params: { name: r.value.display_name } });
    await navigate("comunicazioni");
  }

  // --- Comunicazioni ----------------------------------------------------------------------

  async function loadCommunications() {
    const selected = getState().selected;
    if (!selected) return;
    const fc = selected.fiscal_code;
    dispatch({ type: "comms_start", fiscal_code: fc });
    const r = await run(() => api.listCommunications(fc));
    if (r.ok) dispatch({ type: "comms_done", fiscal_code: fc, result: r.value });
    else if (!r.handled) dispatch({ type: "comms_failed", fiscal_code: fc, error: r.error });
  }

  async function openThread(id) {
    dispatch({ type: "thread_start", id });
    const r = await run(() => api.getCommunication(id));
    if (r.ok) dispatch({ type: "thread_done", id, data: r.value });
    else if (!r.handled) dispatch({ type: "thread_failed", id, error: r.error });
  }

  const closeThread = (returnFocus) => dispatch({ type: "thread_close", returnFocus });

  // --- The wizard -------------------------------------------------------------------------

  async function startWizard(communicationId) {
    const state = getState();
    const communication = state.comms.items.find((c) => c.id === communicationId)
      || (state.thread.data && state.thread.data.id === communicationId ? state.thread.data : null);
    if (!communication || !state.selected) return;
    await flushSave();
    dispatch({ type: "wizard_open", draft: newDraft(state.selected, communication) });
    await loadWizardOptions();
  }

  async function loadWizardOptions() {
    const w = getState().wizard;
    if (!w) return;
    const r = await run(() => api.wizardOptions(w.draft.communication_id));
    if (r.ok) dispatch({ type: "wizard_options_done", data: r.value });
    else if (!r.handled) dispatch({ type: "wizard_options_failed", error: r.error });
  }

  function choosePoint(code) {
    const w = getState().wizard;
    if (!w) return;
    const points = (w.options.data && w.options.data.points) || [];
    const point = points.find((p) => p.code === code);
    dispatch({ type: "wizard_choose_point", code, channel: point ? point.channel : "" });
    scheduleSave();
  }

  async function loadOffices() {
    const w = getState().wizard;
    if (!w || !w.draft.consultation_point) return;
    dispatch({ type: "offices_start" });
    const r = await run(() => api.listOffices(w.draft.topic_code, w.point_kind || w.draft.consultation_point));
    if (!r.ok) {
      if (!r.handled) dispatch({ type: "offices_failed", error: r.error });
      return;
    }
    dispatch({ type: "offices_done", items: r.value });
    const after = getState().wizard;
    if (after && !after.draft.office_code && Array.isArray(r.value) && r.value.length === 1) {
      chooseOffice(r.value[0].code);
    }
  }

  const filterOffices = (text) => dispatch({ type: "offices_filter", text });

  /** Picks a struttura; the draft takes that struttura's own point of the chosen kind. */
  function chooseOffice(code) {
    const w = getState().wizard;
    const office = w && w.offices.items.find((o) => o.code === code);
    dispatch({ type: "wizard_choose_office", code, point_code: office && office.point_code });
    scheduleSave();
  }

  function today() {
    return romeDate(now());
  }

  /** The first and last Monday the week view may show. */
  function weekBounds() {
    const first = mondayOf(today());
    const last = mondayOf(addDays(today(), getState().app.limits.slot_horizon_days));
    return { first, last };
  }

  /**
   * Loads the free slots of the week starting `week` (a Monday). With `seek`, an empty week
   * moves on to the next one until a slot is found or the horizon is reached.
   */
  async function loadSlots(week, { seek = false, origin = null } = {}) {
    const w = getState().wizard;
    if (!w || !w.draft.office_code || !w.draft.consultation_point) return;
    const { first, last } = weekBounds();
    let monday = week || (w.draft.slot_start ? mondayOf(romeDate(w.draft.slot_start)) : first);
    if (monday < first) monday = first;
    if (monday > last) monday = last;
    const from = monday < today() ? today() : monday;
    const to = addDays(monday, 6);
    dispatch({ type: "slots_start", week: monday, first_week: first });
    const d = w.draft;
    const r = await run(() => api.listSlots(d.office_code, d.consultation_point, d.topic_code, from, to));
    if (!r.ok) {
      if (!r.handled) dispatch({ type: "slots_failed", week: monday, error: r.error });
      return;
    }
    const items = Array.isArray(r.value) ? r.value : [];
    if (seek && !items.some((s) => s.available)) {
      if (monday < last) {
        await loadSlots(addDays(monday, 7), { seek: true, origin: origin || monday });
        return;
      }
      // Nothing free up to the horizon: show the first week, empty.
      if (origin && origin !== monday) {
        dispatch({ type: "slots_start", week: origin, first_week: first });
        dispatch({ type: "slots_done", week: origin, items: [] });
        return;
      }
    }
    dispatch({ type: "slots_done", week: monday, items });
  }

  function shiftWeek(delta) {
    const w = getState().wizard;
    if (!w || !w.slots.week) return Promise.resolve();
    return loadSlots(addDays(w.slots.week, 7 * delta));
  }

  function chooseSlot(start) {
    dispatch({ type: "wizard_choose_slot", start });
    scheduleSave();
  }

  function editContact(field, value) {
    dispatch({ type: "contact_edit", field, value });
    validateTimer = clear(validateTimer);
    validateTimer = timers.setTimeout(() => {
      validateTimer = null;
      validateNow();
    }, VALIDATE_DEBOUNCE_MS);
    scheduleSave();
  }

  const touchContact = (field) => dispatch({ type: "contact_touch", field });

  async function validateNow() {
    validateTimer = clear(validateTimer);
    const w = getState().wizard;
    if (!w) return;
    const { phone, notes } = w.draft;
    const r = await run(() => api.validateContact(phone, notes));
    if (r.ok) dispatch({ type: "contact_validated", phone, notes, result: r.value });
    else if (!r.handled) dispatch({ type: "notice", tone: "error", error: r.error });
  }

  async function goToStage(stage) {
    const w = getState().wizard;
    if (!w) return;
    dispatch({ type: "wizard_stage", stage });
    await Promise.all([saveNow(), loadForStage(stage)]);
  }

  async function loadForStage(stage) {
    const w = getState().wizard;
    if (!w) return;
    if (stage === "struttura" && (w.offices.status === "idle" || w.offices.status === "error")) await loadOffices();
    if (stage === "data_ora" && (w.slots.status === "idle" || w.slots.status === "error")) {
      await loadSlots(w.slots.week, { seek: !w.draft.slot_start && !w.slots.week });
    }
    if (stage === "contatti" && (w.draft.phone || w.draft.notes) && !contactReady(w)) await validateNow();
  }

  /** "Avanti": to the next stage; from Contatti it books. */
  async function next() {
    const w = getState().wizard;
    if (!w || !canAdvance(w)) return;
    const i = STEPPER_STAGES.indexOf(w.stage);
    if (w.stage === "contatti") return book();
    if (i >= 0) await goToStage(STEPPER_STAGES[i + 1]);
  }

  /** "Indietro", or a completed step of the stepper. */
  async function back(stage) {
    const w = getState().wizard;
    if (!w) return;
    const i = STEPPER_STAGES.indexOf(w.stage);
    const target = stage || STEPPER_STAGES[i - 1];
    if (i <= 0 || STEPPER_STAGES.indexOf(target) < 0 || STEPPER_STAGES.indexOf(target) >= i) return;
    await goToStage(target);
  }

  function scheduleSave() {
    saveTimer = clear(saveTimer);
    saveTimer = timers.setTimeout(() => {
      saveTimer = null;
      saveNow();
    }, SAVE_DEBOUNCE_MS);
  }

  /** Saves the wizard's draft now; saves never overlap (the second waits for the id). */
  async function saveNow() {
    saveTimer = clear(saveTimer);
    if (saving) {
      saveAgain = true;
      return saving;
    }
    const w = getState().wizard;
    if (!w || w.stage === "attesa" || w.stage === "esito") return;
    const draft = draftForWire(w.draft);
    saving = (async () => {
      dispatch({ type: "draft_saving" });
      const r = await run(() => api.saveDraft(draft));
      const current = getState().wizard;
      if (!current || current.draft.communication_id !== draft.communication_id) return;
      if (r.ok) dispatch({ type: "draft_saved", id: r.value.id, saved_at: r.value.saved_at });
      else if (!r.handled) dispatch({ type: "draft_save_failed", error: r.error });
    })();
    try {
      await saving;
    } finally {
      saving = null;
    }
    if (saveAgain) {
      saveAgain = false;
      await saveNow();
    }
  }

  /** Saves pending changes before leaving the wizard or booking. */
  async function flushSave() {
    if (saveTimer !== null || saving) await saveNow();
  }

  /** "Prenota Appuntamento". */
  async function book() {
    let w = getState().wizard;
    if (!w || w.booking.busy) return;
    if (!contactReady(w)) {
      await validateNow();
      w = getState().wizard;
      if (!w || !contactReady(w)) {
        dispatch({ type: "contact_touch", field: "phone" });
        dispatch({ type: "contact_touch", field: "notes" });
        dispatch({ type: "focus", id: w && w.contact.validation && !w.contact.validation.phone.ok ? "contact-phone" : "contact-notes" });
        return;
      }
    }
    dispatch({ type: "book_start" });
    // The booking saves the draft as it is on screen: a pending save is not needed, and an
    // in-flight one finishes first so that two writes of one draft never cross.
    saveTimer = clear(saveTimer);
    if (saving) await saving;
    w = getState().wizard;
    if (!w) return;
    const r = await run(() => api.book(draftForWire(w.draft)));
    if (r.ok) dispatch({ type: "book_done", result: r.value });
    else if (!r.handled) dispatch({ type: "book_failed", error: r.error });
    if (r.ok || (r.error && r.error.kind === "offline")) loadDrafts(); // the count beside "Bozze"
  }

  /** A slot offered after slot_taken: take it and book again. */
  async function chooseAlternative(start) {
    chooseSlot(start);
    await book();
  }

  async function holdAction(op) {
    const w = getState().wizard;
    if (!w || !w.appointment || w.hold.busy) return;
    dispatch({ type: "hold_start", op });
    const id = w.appointment.id;
    const r = await run(() => (op === "confirm" ? api.confirmBooking(id) : api.cancelBooking(id)));
    if (r.ok) dispatch({ type: "hold_done", op, appointment: r.value });
    else if (!r.handled) dispatch({ type: "hold_failed", op, error: r.error });
  }

  const confirmHold = () => holdAction("confirm");
  const cancelHold = () => holdAction("cancel");

  /** Leaves the wizard (its draft stays saved unless it was booked). */
  async function closeWizard(route = "comunicazioni") {
    await flushSave();
    dispatch({ type: "wizard_close", route });
    await navigate(route, { focus: true });
  }

  // --- Gestione appuntamenti --------------------------------------------------------------

  async function loadHistory() {
    const state = getState();
    if (!state.selected) return;
    const fc = state.selected.fiscal_code;
    const request = ++historySeq;
    const filters = { ...state.history.filters };
    dispatch({ type: "history_start", fiscal_code: fc, request });
    const r = await run(() => api.listAppointments(fc, filters));
    if (r.ok) dispatch({ type: "history_done", request, result: r.value, received_at: perfNow() });
    else if (!r.handled) dispatch({ type: "history_failed", request, error: r.error });
  }

  /** `value` is a status, or a date as typed (dd/mm/yyyy); a bad date is reported, not sent. */
  async function setHistoryFilter(field, value) {
    let v = value;
    if (field === "from" || field === "to") {
      v = parseDateInput(value);
      if (v === null) {
        dispatch({ type: "history_filter_invalid", field, raw: String(value), error: "filter_date_invalid" });
        return;
      }
      const f = { ...getState().history.filters, [field]: v };
      if (f.from && f.to && f.from > f.to) {
        dispatch({ type: "history_filter_invalid", field, raw: String(value), error: "filter_range_invalid" });
        return;
      }
    }
    const current = getState().history;
    if (current.filters[field] === v && !(current.filter_errors[field])) return;
    dispatch({ type: "history_filter", field, value: v });
    await loadHistory();
  }

  async function resetHistoryFilters() {
    dispatch({ type: "history_reset_filters" });
    await loadHistory();
  }

  async function openAppointment(id) {
    dispatch({ type: "detail_start", id });
    const r = await run(() => api.getAppointment(id));
    if (r.ok) dispatch({ type: "detail_done", id, data: r.value });
    else if (!r.handled) dispatch({ type: "detail_failed", id, error: r.error });
  }

  const closeAppointment = () => dispatch({ type: "detail_close" });

  /** "Annulla appuntamento" (after the confirm dialog). */
  async function cancelAppointment(id, reason) {
    if (getState().cancel.busy) return false;
    dispatch({ type: "cancel_start" });
    const text = String(reason || "").trim();
    const r = await run(() => api.cancelAppointment(id, text || undefined));
    if (r.ok) {
      dispatch({ type: "cancel_done", appointment: r.value });
      return true;
    }
    if (!r.handled) dispatch({ type: "cancel_failed", error: r.error });
    return false;
  }

  /** Conferma / Cancella Prenotazione on a held appointment opened from the history. */
  async function detailHoldAction(op) {
    const d = getState().detail.data;
    if (!d || getState().cancel.busy) return;
    dispatch({ type: "cancel_start" });
    const r = await run(() => (op === "confirm" ? api.confirmBooking(d.id) : api.cancelBooking(d.id)));
    if (r.ok) {
      dispatch({ type: "cancel_done", appointment: r.value });
      dispatch({ type: "notice", tone: "success", key: op === "confirm" ? "notice_appointment_confirmed" : "notice_hold_cancelled", params: { id: d.id } });
    } else if (!r.handled) {
      dispatch({ type: "cancel_failed", error: r.error });
    }
  }

  // --- Bozze ------------------------------------------------------------------------------

  async function loadDrafts() {
    dispatch({ type: "drafts_start" });
    const r = await run(() => api.listDrafts());
    if (r.ok) dispatch({ type: "drafts_done", items: r.value });
    else if (!r.handled) dispatch({ type: "drafts_failed", error: r.error });
  }

  /** Reopens the wizard where a draft was left. */
  async function resumeDraft(id) {
    const draft = getState().drafts.items.find((d) => d.id === id);
    if (!draft) return;
    await flushSave();
    const selected = getState().selected;
    if (!selected || selected.fiscal_code !== draft.contributor_fiscal_code) {
      const r = await run(() => api.selectContributor(draft.contributor_fiscal_code));
      if (!r.ok) {
        if (!r.handled) dispatch({ type: "notice", tone: "error", error: r.error });
        return;
      }
      dispatch({ type: "selected", contributor: r.value });
    }
    const fields = draftFrom(draft);
    if (draft.appointment_id) {
      // The service already holds a slot for it: straight to Conferma / Cancella Prenotazione.
      const held = await run(() => api.getAppointment(draft.appointment_id));
      if (!held.ok) {
        if (!held.handled) dispatch({ type: "notice", tone: "error", error: held.error });
        return;
      }
      const { communication: _c, office: _o, from_cache: _f, ...appointment } = held.value;
      dispatch({ type: "wizard_open", draft: fields, stage: "attesa", appointment });
      if (appointment.status === "confermato" || appointment.status === "prenotazione_cancellata") {
        dispatch({ type: "hold_done", op: appointment.status === "confermato" ? "confirm" : "cancel", appointment });
      } else if (appointment.status !== "prenotato") {
        dispatch({ type: "hold_failed", error: { kind: "hold_expired", message: "", details: {} } });
      }
      loadWizardOptions();
      return;
    }
    const stage = stageOfDraft(fields);
    dispatch({ type: "wizard_open", draft: fields, stage, problem: draft.problem || null });
    await loadWizardOptions();
    const order = STEPPER_STAGES.indexOf(stage);
    if (order >= 1) await loadOffices();
    if (order >= 2) await loadSlots(null, { seek: !fields.slot_start });
    if (order >= 3 && (fields.phone || fields.notes)) await validateNow();
  }

  async function deleteDraft(id) {
    dispatch({ type: "draft_busy", id });
    const r = await run(() => api.deleteDraft(id));
    if (r.ok) dispatch({ type: "draft_deleted", id });
    else {
      dispatch({ type: "draft_busy", id: null });
      if (!r.handled) dispatch({ type: "notice", tone: "error", error: r.error });
    }
  }

  /** Reloads what the current screen shows. */
  async function refresh() {
    switch (screenOf(getState())) {
      case "assistiti": return searchNow(getState().search.q);
      case "comunicazioni": return loadCommunications();
      case "appuntamenti": return loadHistory();
      case "bozze": return loadDrafts();
      default: return undefined;
    }
  }

  function stop() {
    for (const t of [pollTimer, ticker]) if (t !== null) timers.clearInterval(t);
    for (const t of [retryTimer, searchTimer, validateTimer, saveTimer]) if (t !== null) timers.clearTimeout(t);
    pollTimer = ticker = retryTimer = searchTimer = validateTimer = saveTimer = null;
  }

  const dismissNotice = () => dispatch({ type: "notice_clear" });

  return {
    state: getState, dismissNotice,
    start, stop, poll, syncNow, signIn, signOut, saveSettings, setLang, navigate, refresh,
    searchInput, searchNow, searchMore, pickContributor,
    loadCommunications, openThread, closeThread,
    startWizard, choosePoint, chooseOffice, filterOffices, loadSlots, shiftWeek, chooseSlot,
    editContact, touchContact, validateNow, next, back, book, chooseAlternative,
    confirmHold, cancelHold, closeWizard, saveNow, flushSave, weekBounds,
    loadHistory, setHistoryFilter, resetHistoryFilters, openAppointment, closeAppointment,
    cancelAppointment, detailHoldAction,
    loadDrafts, resumeDraft, deleteDraft,
    holdRemaining: (appointment) => holdRemaining(appointment && appointment.hold_expires_at, getState().now || serverNow()),
  };
}
