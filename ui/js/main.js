// Controller: wires the DOM to state.update and to api.js.

import * as api from "./api.js";
import { applyTranslations, t } from "./i18n.js";
import { initialState, routeFromHash, update } from "./state.js";

let state = initialState();

function dispatch(action) {
  state = update(state, action);
  render();
}

function render() {
  applyTranslations(document, state.lang);
  const badge = document.getElementById("env-badge");
  badge.hidden = !(state.environment && state.environment.mode === "embedded_sandbox");
  for (const link of document.querySelectorAll(".app-nav a[data-route]")) {
    if (link.dataset.route === state.route) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  const title = document.getElementById("page-title");
  const empty = document.getElementById("page-empty");
  const onAppointments = state.route === "appuntamenti";
  title.textContent = t(state.lang, onAppointments ? "title_appointments" : "title_communications");
  empty.textContent = t(state.lang, onAppointments ? "empty_select_contributor_appointments" : "empty_select_contributor");
  document.getElementById("lang-select").value = state.lang;
}

function announce(message) {
  document.getElementById("announcer").textContent = message;
}

async function start() {
  window.addEventListener("hashchange", () => {
    dispatch({ type: "navigate", route: routeFromHash(location.hash) });
    document.getElementById("page-title").focus?.();
  });
  document.getElementById("lang-select").addEventListener("change", (event) => {
    dispatch({ type: "set_lang", lang: event.target.value });
  });
  dispatch({ type: "navigate", route: routeFromHash(location.hash) });
  try {
    dispatch({ type: "app_info", info: await api.appInfo() });
  } catch (error) {
    dispatch({ type: "error", error });
    announce(error.message);
  }
  // The first interactive frame: tell the shell after the browser has painted it.
  requestAnimationFrame(() => setTimeout(() => api.uiReady().catch(() => {}), 0));
}

start();
