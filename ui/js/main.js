// Bootstrap: the store, the controller with the real api.js, the views, the hash route.

import * as api from "./api.js";
import { createController, createStore } from "./controller.js";
import { applyTranslations } from "./i18n.js";
import { initialState, routeFromHash, screenOf } from "./state.js";
import { createAbout } from "./features/about/view.js";
import { createAgendaView } from "./features/agenda/view.js";
import { createCommunications } from "./features/communications/view.js";
import { createContributors } from "./features/contributors/view.js";
import { createDrafts } from "./features/drafts/view.js";
import { createAppointments } from "./features/history/view.js";
import { createPrivacy } from "./features/privacy/view.js";
import { createAccess } from "./features/session/view.js";
import { createShortcuts } from "./features/shortcuts/view.js";
import { createWizard } from "./features/wizard/view.js";
import { createCopyId } from "./views/copy-id.js";
import { createFrame } from "./views/frame.js";
import { createTakeHome } from "./views/take-home.js";

/** The language choice survives restarts; nothing personal is stored here. */
const prefs = {
  get(key) {
    try {
      return window.localStorage.getItem(`cassetto.${key}`);
    } catch {
      return null;
    }
  },
  set(key, value) {
    try {
      window.localStorage.setItem(`cassetto.${key}`, value);
    } catch {
      // Storage unavailable: the choice lasts for this session only.
    }
  },
};

const store = createStore(initialState());
const ctrl = createController({
  api,
  store,
  timers: window,
  now: () => Date.now(),
  perfNow: () => performance.now(),
  prefs,
  resetPage: () => window.location.reload(),
});

// The frame (header, navigation, notices) on every screen, then each feature's view
// (`features/<feature>/view.js`); each draws its screens and hides itself on the others.
const frame = createFrame(ctrl);
const privacy = createPrivacy(ctrl); // Registro attività, Esporta dati / Cancella dati locali, the idle lock
const views = [
  frame,
  createAccess(ctrl), // session: accesso, impostazioni
  createAgendaView(ctrl),
  createContributors(ctrl),
  createCommunications(ctrl),
  createWizard(ctrl),
  createAppointments(ctrl), // history: appuntamenti
  createDrafts(ctrl),
  createShortcuts(ctrl, { announce: frame.announce }), // the "?" dialog, Alt+R / Alt+C
  createCopyId(ctrl, { announce: frame.announce }), // "Copia identificativo"
  createTakeHome(ctrl), // "Stampa ricevuta", "Salva PDF", "Calendario (.ics)"
  privacy,
  createAbout(ctrl), // Informazioni
];

let lang = null;
function render(state) {
  if (state.lang !== lang) {
    lang = state.lang;
    applyTranslations(document, lang);
  }
  const screen = screenOf(state);
  for (const view of views) {
    // Behind the lock the other views' elements are out of the document: they draw again,
    // from the state kept, once it opens.
    if (state.lock.locked && view !== privacy) continue;
    try {
      view.render(state, screen);
    } catch (error) {
      // One broken view must not stop the others from drawing.
      console.error("render failed", error && error.stack);
    }
  }
  frame.applyFocus(state);
  const hash = `#/${state.route}`;
  if (state.session.known && location.hash !== hash && screen === state.route) {
    history.replaceState(null, "", hash);
  }
}

store.subscribe(render);
window.addEventListener("hashchange", () => {
  const route = routeFromHash(location.hash);
  if (route && route !== store.getState().route) ctrl.navigate(route);
});
// Escape closes an open <dialog> natively; make sure focus never gets lost behind it.
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && document.activeElement === document.body) document.getElementById("main").focus();
});

render(store.getState());

// A reminder's notification was followed by the window coming to the front: open what it
// named (the shell dispatches this; see docs/ipc.md, set_preferences).
window.addEventListener("cassetto:reminder-open", (event) => {
  const id = event.detail && event.detail.id;
  if (!store.getState().session.signed_in) return;
  if (typeof id === "string" && id) ctrl.findAppointment(id);
  else ctrl.navigate("agenda");
});

// The first interactive frame (the sign-in screen or the desk) tells the shell once, after
// the browser has painted it; the startup benchmark waits for it.
let readySent = false;
function sendReady() {
  if (readySent) return;
  readySent = true;
  requestAnimationFrame(() => setTimeout(() => api.uiReady().catch(() => {}), 0));
}
const unsubscribeReady = store.subscribe((state) => {
  if (state.session.known) {
    unsubscribeReady();
    sendReady();
  }
});
ctrl.start(routeFromHash(location.hash)).finally(sendReady);
