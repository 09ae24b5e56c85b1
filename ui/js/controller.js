// The controller: turns the operator's intentions into api.js calls and state actions.
// No DOM here. Everything it needs comes in through `createController` so the tests can pass
// a fake api, fake timers and a fixed clock. The actions live by feature in
// `features/<feature>/controller.js`; this module holds the plumbing they share (`ctx`: api
// calls with their common error handling, timers, the clocks) and the screen registry.

import { holdRemaining } from "./format.js";
import { screenOf, update } from "./state.js";
import { createAbout } from "./features/about/controller.js";
import { createAgenda } from "./features/agenda/controller.js";
import { createCommunications } from "./features/communications/controller.js";
import { createContributors } from "./features/contributors/controller.js";
import { createDrafts } from "./features/drafts/controller.js";
import { createHistory } from "./features/history/controller.js";
import { createPrivacy } from "./features/privacy/controller.js";
import { createSession } from "./features/session/controller.js";
import { createTakeHome } from "./features/takehome/controller.js";
import { createWizard } from "./features/wizard/controller.js";

export { POLL_MS } from "./features/session/controller.js";
export { SEARCH_DEBOUNCE_MS } from "./features/contributors/controller.js";
export { SAVE_DEBOUNCE_MS, VALIDATE_DEBOUNCE_MS } from "./features/wizard/controller.js";

/** Errors after which the operator must sign in again. */
const SESSION_KINDS = ["session_expired", "not_signed_in"];
/** After a failure, ask again this soon. */
export const RETRY_POLL_MS = 2000;

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

  let retryTimer = null;
  let ticker = null;

  /** Runs an api call; offline and session errors are handled here for every caller. */
  async function run(fn) {
    try {
      return { ok: true, value: await fn() };
    } catch (raw) {
      const error = normalise(raw);
      if (error.kind === "offline") markOffline();
      if (error.kind === "screen_locked") {
        // The shell is locked (by this window's idle time or a reload): show the lock, say nothing.
        dispatch({ type: "screen_locked" });
        return { ok: false, error, handled: true };
      }
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
    if (d && d.status === "prenotato" && d.hold_expires_at) return true;
    const agenda = state.agenda.data;
    return Boolean(state.route === "agenda" && agenda && agenda.holds && agenda.holds.length > 0);
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
        features.session.poll();
      }, RETRY_POLL_MS);
    }
  }

  /** What the features share. `features` is filled below; reach it at call time. */
  const features = {};
  const ctx = { api, getState, dispatch, run, clear, timers, now, serverNow, perfNow, prefs, resetPage, features, navigate, refresh };
  Object.assign(features, {
    session: createSession(ctx),
    agenda: createAgenda(ctx),
    contributors: createContributors(ctx),
    communications: createCommunications(ctx),
    wizard: createWizard(ctx),
    history: createHistory(ctx),
    drafts: createDrafts(ctx),
    takeHome: createTakeHome(ctx),
    privacy: createPrivacy(ctx),
    about: createAbout(ctx),
  });
  features.privacy.startIdleWatch();

  /** The screens that load data when shown, and how (the one registry of them). */
  const SCREENS = {
    agenda: { load: () => features.agenda.loadAgenda() },
    assistiti: {
      load: ({ search = true } = {}) => (search ? features.contributors.searchNow(getState().search.q) : undefined),
      onShow: () => getState().search.status === "idle",
    },
    comunicazioni: { load: () => features.communications.loadCommunications() },
    appuntamenti: { load: () => features.history.loadHistory() },
    bozze: { load: () => features.drafts.loadDrafts() },
    registro: { load: () => features.privacy.loadAudit() },
    informazioni: { load: () => features.about.loadAbout() },
  };

  /** Shows a route and loads what it needs. */
  async function navigate(route, { focus = true } = {}) {
    if (getState().route === "prenotazione" && route !== "prenotazione") await features.wizard.flushSave();
    dispatch({ type: "navigate", route, focus });
    const screen = SCREENS[screenOf(getState())];
    if (screen && (!screen.onShow || screen.onShow())) await screen.load();
  }

  /** Reloads what the current screen shows (`search: false` leaves the search as it is). */
  async function refresh(options) {
    const screen = SCREENS[screenOf(getState())];
    return screen ? screen.load(options) : undefined;
  }

  function stop() {
    if (ticker !== null) timers.clearInterval(ticker);
    retryTimer = clear(retryTimer);
    ticker = null;
    for (const feature of Object.values(features)) if (feature.stop) feature.stop();
  }

  const dismissNotice = () => dispatch({ type: "notice_clear" });

  // Every feature's actions, then the controller's own (its `stop` stops them all).
  return {
    ...Object.assign({}, ...Object.values(features)),
    state: getState, dismissNotice, navigate, refresh, stop,
    holdRemaining: (appointment) => holdRemaining(appointment && appointment.hold_expires_at, getState().now || serverNow()),
  };
}
