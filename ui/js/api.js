// The only module that touches window.__TAURI__ (see docs/ipc.md). One exported function per
// command. Every call resolves with the command's value or rejects with {kind, message, details}:
// never a raw error, never undefined.

const FALLBACK_MESSAGE = "Errore imprevisto dell'applicazione.";

function tauriInvoke() {
  const tauri = globalThis.window && globalThis.window.__TAURI__;
  return tauri && tauri.core && typeof tauri.core.invoke === "function" ? tauri.core.invoke : null;
}

/**
 * Every command of docs/ipc.md with its arguments, in its order ("?" marks an optional one).
 * A test (src-tauri/tests/ipc_contract.rs) proves that this table, docs/ipc.md, the Rust
 * signatures, `generate_handler!`, build.rs and the capability file agree.
 */
export const COMMANDS = Object.freeze({
  app_info: [],
  ui_ready: [],
  set_service_url: ["url?"],
  session_status: [],
  sign_in: ["username", "password"],
  sign_out: [],
  search_contributors: ["q", "cursor?"],
  select_contributor: ["fiscalCode"],
  selected_contributor: [],
  list_communications: ["fiscalCode"],
  get_communication: ["id"],
  wizard_options: ["communicationId"],
  list_offices: ["topicCode", "pointCode", "fiscalCode?"],
  list_slots: ["officeCode", "pointCode", "topicCode?", "from?", "to?"],
  validate_contact: ["phone", "notes"],
  save_draft: ["draft"],
  list_drafts: [],
  delete_draft: ["id"],
  book: ["draft"],
  confirm_booking: ["id"],
  cancel_booking: ["id"],
  list_appointments: ["fiscalCode", "status?", "from?", "to?", "search?", "cached?", "first?", "drawn?"],
  get_appointment: ["id"],
  desk_agenda: ["days?", "cached?"],
  reschedule_appointment: ["id", "slotStart", "officeCode?", "pointCode?"],
  cancel_appointment: ["id", "reason?"],
  save_receipt: ["id", "lang?"],
  print_receipt: ["id", "lang?"],
  save_calendar: ["ids", "lang?"],
  set_preferences: ["lang?", "remindersDaily?", "remindersAt?", "lockMinutes?", "cacheDays?", "draftsDays?", "auditDays?"],
  sync_now: [],
  audit_log: ["day?", "action?", "fiscalCode?"],
  verify_audit: [],
  save_audit_csv: ["day?", "action?", "fiscalCode?", "lang?"],
  save_contributor_data: ["fiscalCode", "lang?"],
  erasure_preview: ["fiscalCode"],
  erase_contributor_data: ["fiscalCode"],
  lock_screen: [],
  unlock_screen: ["password"],
  about: [],
});

/** Why `args` do not fit `command` in the table (null when they do). */
export function argumentProblem(command, args) {
  const declared = COMMANDS[command];
  if (!declared) return `unknown command ${command}`;
  const names = declared.map((a) => a.replace(/\?$/, ""));
  const unknown = Object.keys(args).filter((key) => !names.includes(key));
  if (unknown.length) return `${command}: unknown argument ${unknown.join(", ")}`;
  const missing = declared.filter((a) => !a.endsWith("?") && args[a] === undefined);
  return missing.length ? `${command}: missing argument ${missing.join(", ")}` : null;
}

/** Calls a Rust command; maps any rejection to {kind, message, details}. */
export async function call(command, args = {}) {
  const problem = argumentProblem(command, args);
  if (problem) throw { kind: "internal", message: FALLBACK_MESSAGE, details: { raw: problem } };
  const invoke = tauriInvoke();
  if (!invoke) {
    throw { kind: "no_backend", message: "L'interfaccia non è collegata all'applicazione.", details: {} };
  }
  try {
    return await invoke(command, args);
  } catch (error) {
    throw toUiError(error);
  }
}

/** True for a text that would read as machine output rather than a sentence. */
function looksRaw(text) {
  const s = text.trim();
  return s.startsWith("{") || s.startsWith("[") || /\bundefined\b|\bnull\b|\[object /.test(s);
}

/**
 * Normalises whatever the bridge rejected with into {kind, message, details}. A command error
 * keeps its kind, Italian message and details; anything else (a bare string from the bridge, an
 * exception) becomes `internal` with a readable Italian message, the raw text kept in details.
 */
export function toUiError(error) {
  if (error && typeof error === "object" && typeof error.kind === "string" && error.kind) {
    const message = typeof error.message === "string" && error.message.trim() && !looksRaw(error.message)
      ? error.message
      : FALLBACK_MESSAGE;
    const details = error.details && typeof error.details === "object" ? error.details : {};
    return { kind: error.kind, message, details };
  }
  const raw = typeof error === "string" ? error : error instanceof Error ? error.message : "";
  return { kind: "internal", message: FALLBACK_MESSAGE, details: raw ? { raw } : {} };
}

// --- The commands of docs/ipc.md, in its order. -------------------------------------------

export const appInfo = () => call("app_info");
export const uiReady = () => call("ui_ready");
export const setServiceUrl = (url) => call("set_service_url", { url });
export const sessionStatus = () => call("session_status");
export const signIn = (username, password) => call("sign_in", { username, password });
export const signOut = () => call("sign_out");
export const searchContributors = (q, cursor) =>
  call("search_contributors", cursor ? { q, cursor } : { q });
export const selectContributor = (fiscalCode) => call("select_contributor", { fiscalCode });
export const selectedContributor = () => call("selected_contributor");
export const listCommunications = (fiscalCode) => call("list_communications", { fiscalCode });
export const getCommunication = (id) => call("get_communication", { id });
export const wizardOptions = (communicationId) => call("wizard_options", { communicationId });
/** Step 2's strutture; those in the province of `fiscalCode` (when given) come first. */
export const listOffices = (topicCode, pointCode, fiscalCode) =>
  call("list_offices", fiscalCode ? { topicCode, pointCode, fiscalCode } : { topicCode, pointCode });
export const listSlots = (officeCode, pointCode, topicCode, from, to) =>
  call("list_slots", { officeCode, pointCode, topicCode, from, to });
export const validateContact = (phone, notes) => call("validate_contact", { phone, notes });
export const saveDraft = (draft) => call("save_draft", { draft });
export const listDrafts = () => call("list_drafts");
export const deleteDraft = (id) => call("delete_draft", { id });
export const book = (draft) => call("book", { draft });
export const confirmBooking = (id) => call("confirm_booking", { id });
export const cancelBooking = (id) => call("cancel_booking", { id });
/** `filters` may hold status, from, to; empty ones are left out. */
/**
 * The history of `fiscalCode`. `how.cached`: the local copy alone, at once (`how.first`: its
 * newest rows only, with `total`); `how.drawn`: the `synced_at` of the whole copy on screen, so
 * a refresh that finds nothing new since answers `{unchanged: true, items: []}`.
 */
export const listAppointments = (fiscalCode, filters = {}, how = {}) => {
  const args = { fiscalCode };
  for (const key of ["status", "from", "to", "search"]) if (filters[key]) args[key] = filters[key];
  if (how.cached) args.cached = true;
  if (how.cached && how.first) args.first = how.first;
  if (!how.cached && typeof how.drawn === "string") args.drawn = how.drawn;
  return call("list_appointments", args);
};
export const getAppointment = (id) => call("get_appointment", { id });
export const rescheduleAppointment = (id, slotStart) =>
  call("reschedule_appointment", { id, slotStart });
/** The desk agenda; `how.cached`: the copy kept on this computer alone, at once (or null). */
export const deskAgenda = (days, how = {}) => {
  const args = days === undefined ? {} : { days };
  if (how.cached) args.cached = true;
  return call("desk_agenda", args);
};
export const cancelAppointment = (id, reason) =>
  call("cancel_appointment", reason ? { id, reason } : { id });
/** "Salva PDF": the receipt saved where the operator chooses (null when they cancel). */
export const saveReceipt = (id, lang) => call("save_receipt", { id, lang });
/** "Stampa ricevuta": the receipt opened in the system's viewer, to print. */
export const printReceipt = (id, lang) => call("print_receipt", { id, lang });
/** "Calendario (.ics)": one appointment or a list, saved where the operator chooses. */
export const saveCalendar = (ids, lang) => call("save_calendar", { ids, lang });
/**
 * Impostazioni kept by the shell; `prefs` may hold lang, remindersDaily, remindersAt,
 * lockMinutes, cacheDays, draftsDays, auditDays.
 */
export const setPreferences = (prefs) => {
  const args = {};
  for (const key of COMMANDS.set_preferences.map((a) => a.replace(/\?$/, ""))) {
    if (prefs[key] !== undefined) args[key] = prefs[key];
  }
  return call("set_preferences", args);
};
export const syncNow = () => call("sync_now");

/** Only the filters given (empty ones left out). */
function auditFilters(filters = {}) {
  const args = {};
  for (const key of ["day", "action", "fiscalCode"]) if (filters[key]) args[key] = filters[key];
  return args;
}
/** Registro attività, newest first; `filters`: {day, action, fiscalCode}. */
export const auditLog = (filters) => call("audit_log", auditFilters(filters));
/** "Verifica registro": {intact, entries, first_seq, last_seq, broken_at, problem}. */
export const verifyAudit = () => call("verify_audit");
/** "Esporta CSV" of the filtered Registro attività (null when the dialog is cancelled). */
export const saveAuditCsv = (filters, lang) => call("save_audit_csv", { ...auditFilters(filters), lang });
/** "Esporta dati" of a contributor, as JSON (null when the dialog is cancelled). */
export const saveContributorData = (fiscalCode, lang) => call("save_contributor_data", { fiscalCode, lang });
/** What "Cancella dati locali" would lose beyond the cache: {outbox, drafts}. */
export const erasurePreview = (fiscalCode) => call("erasure_preview", { fiscalCode });
/** "Cancella dati locali" of a contributor: {rows, outbox}. */
export const eraseContributorData = (fiscalCode) => call("erase_contributor_data", { fiscalCode });
/** Locks the screen after inactivity. */
export const lockScreen = () => call("lock_screen");
/** Opens the lock with the operator's password. */
export const unlockScreen = (password) => call("unlock_screen", { password });
/** Informazioni: {version, build_date, commit, license, os, arch, webview, tauri, environment, data_dir, data_dir_short}. */
export const about = () => call("about");
