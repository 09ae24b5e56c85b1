// Informazioni: the build facts, the service in use, the data folder, and the text that
// "Copia informazioni di supporto" puts on the clipboard.
// This feature's part of the state's update (see `update` in ../../state.js).

import { t } from "../../i18n.js";

/** Informazioni before it is loaded. */
export function initialAbout() {
  return { status: "idle", data: null, error: null, copied: null };
}

/** The next state for `action`, or undefined when this feature does not handle it. */
export function reduce(state, action) {
  switch (action.type) {
    case "about_start":
      return { ...state, about: { ...state.about, status: "loading", error: null, copied: null } };
    case "about_done":
      return { ...state, about: { status: "ready", data: action.value || null, error: null, copied: null } };
    case "about_failed":
      return { ...state, about: { ...state.about, status: "error", error: action.error } };
    case "about_copied":
      // `copied`: true when the text is on the clipboard, false when the system refused it.
      return { ...state, about: { ...state.about, copied: Boolean(action.ok) } };
    default:
      return undefined;
  }
}

/** The service in use as words (`environment` of app_info / about). */
export function serviceText(environment, lang) {
  if (!environment || environment.mode !== "remote") return t(lang, "about_service_embedded");
  return String(environment.base_url || "");
}

/**
 * The rows Informazioni shows, in order: [label key, value]. The same rows, with the data
 * folder written from the home folder (`~`), make the support text.
 */
export function aboutRows(about, lang, { forTicket = false } = {}) {
  if (!about) return [];
  const folder = forTicket ? about.data_dir_short || about.data_dir : about.data_dir;
  return [
    ["about_version", about.version],
    ["about_build_date", about.build_date ? `${about.build_date} UTC` : ""],
    ["about_commit", about.commit],
    ["about_license", about.license],
    ["about_service", serviceText(about.environment, lang)],
    ["about_data_dir", folder || t(lang, "about_unknown")],
    ["about_system", [about.os, about.arch].filter(Boolean).join(" ")],
    ["about_webview", about.webview || t(lang, "about_unknown")],
    ["about_tauri", about.tauri],
  ].map(([key, value]) => [key, value === undefined || value === null || value === "" ? t(lang, "about_unknown") : String(value)]);
}

/**
 * The text for a help-desk ticket: "Cassetto Agenda" and one "label: value" line per row.
 * Nothing personal: no operator, no contributor, the home folder as `~`.
 */
export function supportText(about, lang) {
  const lines = aboutRows(about, lang, { forTicket: true }).map(([key, value]) => `${t(lang, key)}: ${value}`);
  return [t(lang, "about_ticket_title"), ...lines].join("\n");
}
