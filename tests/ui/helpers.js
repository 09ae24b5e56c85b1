// Test helpers: a manual clock for timers, a scripted fake of api.js, promise flushing.

import { createController, createStore } from "../../ui/js/controller.js";
import { initialState } from "../../ui/js/state.js";

/** Timers that only run when the test advances the clock. */
export function fakeTimers(startMs) {
  let now = startMs;
  let nextId = 1;
  const pending = new Map();
  const add = (fn, ms, every) => {
    const id = nextId++;
    pending.set(id, { fn, at: now + Math.max(0, ms || 0), every });
    return id;
  };
  return {
    now: () => now,
    setTimeout: (fn, ms) => add(fn, ms, 0),
    setInterval: (fn, ms) => add(fn, ms, Math.max(1, ms)),
    clearTimeout: (id) => pending.delete(id),
    clearInterval: (id) => pending.delete(id),
    pendingCount: () => pending.size,
    /** Sets the wall clock forward by `ms` without running timers (a PC clock changed). */
    jump(ms) {
      now += ms;
      for (const t of pending.values()) t.at += ms;
    },
    /** Moves the clock forward, running every timer that falls due, in order. */
    async advance(ms) {
      const end = now + ms;
      for (;;) {
        let due = null;
        for (const [id, t] of pending) if (t.at <= end && (!due || t.at < due[1].at)) due = [id, t];
        if (!due) break;
        const [id, t] = due;
        now = t.at;
        if (t.every) t.at += t.every;
        else pending.delete(id);
        t.fn();
        await flush();
      }
      now = end;
      await flush();
    },
  };
}

/** Lets every already-resolved promise chain run to completion. */
export async function flush() {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
}

/**
 * A fake api.js: each function records its call and answers from `answers[name]`, which is a
 * value, a function of the arguments, or an Error-like {kind} object to reject with (wrap it
 * as `reject(error)`).
 */
export function fakeApi(answers = {}) {
  const calls = [];
  const names = [
    "appInfo", "uiReady", "setServiceUrl", "sessionStatus", "signIn", "signOut", "searchContributors",
    "selectContributor", "selectedContributor", "listCommunications", "getCommunication", "wizardOptions",
    "listOffices", "listSlots", "validateContact", "saveDraft", "listDrafts", "deleteDraft", "book",
    "confirmBooking", "cancelBooking", "listAppointments", "getAppointment", "cancelAppointment", "syncNow",
    "deskAgenda", "rescheduleAppointment", "saveReceipt", "printReceipt", "saveCalendar", "setPreferences",
    "auditLog", "verifyAudit", "saveAuditCsv", "saveContributorData", "erasurePreview", "eraseContributorData",
    "lockScreen", "unlockScreen", "about",
  ];
  const api = { calls, answers };
  for (const name of names) {
    api[name] = (...args) => {
      calls.push({ name, args });
      const answer = name in answers ? answers[name] : DEFAULTS[name];
      const value = typeof answer === "function" ? answer(...args) : answer;
      if (value && value.__reject) return Promise.reject(value.error);
      if (value && typeof value.then === "function") return value.then((v) => structuredClone(v ?? null));
      return Promise.resolve(value === undefined ? null : structuredClone(value));
    };
  }
  api.callsOf = (name) => calls.filter((c) => c.name === name);
  return api;
}

/** How many calls of `name` asked the service (not the copy kept on this computer). */
export function refreshes(t, name) {
  return t.api.callsOf(name).filter((c) => !c.args.some((a) => a && a.cached)).length;
}

/** An answer that rejects with a command error. */
export function reject(kind, message = "Messaggio dal servizio.", details = {}) {
  return { __reject: true, error: { kind, message, details } };
}

export const CONTRIBUTOR = {
  fiscal_code: "RSSMRA80A01H501U",
  display_name: "ROSSI MARIO",
  gestione: "artigiani",
  delegation: { kind: "delega_generale", valid_until: "2027-06-30" },
};

export const COMMUNICATION = {
  id: "COM-1",
  topic_code: "rateazioni",
  topic_label: "Rateazioni e dilazioni",
  subject: "Richiesta di rateazione",
  sent_at: "2026-11-21T10:00:00+01:00",
  status: "non_accolta",
  last_message_at: "2026-11-25T09:00:00+01:00",
  appointment_request: { allowed: true, reason: "not_accepted", allowed_from: "2026-11-21" },
};

export const POINTS = [
  { code: "AC-SPORTELLO", label: "Sportello", channel: "in_presenza", office_code: "RM0" },
  { code: "AC-TELEFONO", label: "Telefono", channel: "telefonica", office_code: "RM0" },
];

export const OFFICES = [
  { code: "RM0", name: "Direzione provinciale di Roma", kind: "direzione_provinciale", address: "Via dell'Amba Aradam 5", city: "Roma", province: "RM", opening_hours: {}, closures: [] },
  { code: "MI0", name: "Direzione provinciale di Milano", kind: "direzione_provinciale", address: "Via Melchiorre Gioia 22", city: "Milano", province: "MI", opening_hours: {}, closures: [] },
];

export const SLOT = { start: "2026-11-30T09:00:00+01:00", end: "2026-11-30T09:30:00+01:00", available: true };

/** Thursday 26 November 2026, 16:00 in Rome. */
export const NOW = Date.parse("2026-11-26T16:00:00+01:00");

export function appointment(fields = {}) {
  return {
    id: "AP-7K3M-Q9TX", communication_id: "COM-1", fiscal_code: CONTRIBUTOR.fiscal_code, topic_code: "rateazioni",
    consultation_point: "AC-SPORTELLO", channel: "in_presenza", office_code: "RM0",
    start: SLOT.start, end: SLOT.end, phone: "+393331234567", notes: "Note", status: "prenotato",
    hold_expires_at: new Date(NOW + 600000).toISOString(), created_at: "2026-11-26T16:00:00+01:00",
    updated_at: "2026-11-26T16:00:00+01:00", ...fields,
  };
}

const DEFAULTS = {
  appInfo: { version: "0.1.0", environment: { mode: "embedded_sandbox" }, online: true, last_sync_at: "2026-11-26T15:50:00+01:00",
    limits: {
      notes_max_chars: 1000, slot_horizon_days: 60, cancel_reason_max_chars: 500,
      step_requires: [
        { step: "argomento", field: "consultation_point" }, { step: "struttura", field: "office_code" }, { step: "data_ora", field: "slot_start" },
      ],
    } },
  uiReady: null,
  setServiceUrl: { version: "0.1.0", environment: { mode: "remote", base_url: "https://agenda.example.it" }, online: true, last_sync_at: null },
  sessionStatus: { signed_in: true, operator: { id: "op", display_name: "Operatore Demo", organization: "Patronato" } },
  signIn: { operator: { id: "op", display_name: "Operatore Demo", organization: "Patronato" } },
  signOut: null,
  deskAgenda: { offered: true, from: "2026-11-26", to: "2026-12-03", holds: [], appointments: [], requestable: [] },
  searchContributors: { items: [CONTRIBUTOR], next_cursor: null, from_cache: false, synced_at: null },
  selectContributor: CONTRIBUTOR,
  selectedContributor: null,
  listCommunications: { items: [COMMUNICATION], from_cache: false, synced_at: null },
  getCommunication: { ...COMMUNICATION, messages: [{ at: COMMUNICATION.sent_at, from: "utente", text: "Testo" }] },
  wizardOptions: { communication: COMMUNICATION, topic: { code: "rateazioni", label: "Rateazioni e dilazioni", appointment_after_days: 0 }, points: POINTS },
  listOffices: OFFICES,
  listSlots: [SLOT],
  validateContact: (phone, notes) => ({
    phone: /^\+?[0-9 ]{9,}$/.test(phone) ? { ok: true, message: "", e164: "+393331234567" } : { ok: false, message: "numero di telefono mancante", e164: null },
    notes: notes.trim() ? { ok: true, message: "", length: notes.trim().length, max: 1000 } : { ok: false, message: "le note sono obbligatorie", length: 0, max: 1000 },
  }),
  saveDraft: () => ({ id: "D-1", saved_at: "2026-11-26T16:00:05+01:00" }),
  listDrafts: [],
  deleteDraft: null,
  book: { outcome: "booked", appointment: appointment() },
  confirmBooking: appointment({ status: "confermato", hold_expires_at: null }),
  cancelBooking: appointment({ status: "prenotazione_cancellata", hold_expires_at: null }),
  listAppointments: { items: [], from_cache: false, synced_at: null },
  getAppointment: null,
  cancelAppointment: null,
  syncNow: { online: true, last_sync_at: "2026-11-26T16:00:00+01:00", sent: 0, needs_attention: 0 },
  saveReceipt: { file_name: "ricevuta-AP-7K3M-Q9TX.pdf", path: "/home/op/Documenti/ricevuta-AP-7K3M-Q9TX.pdf" },
  printReceipt: { file_name: "ricevuta-AP-7K3M-Q9TX.pdf", path: "/tmp/stampa/ricevuta-AP-7K3M-Q9TX.pdf" },
  setPreferences: (prefs) => ({ lang: prefs.lang || "it", reminders_daily: prefs.remindersDaily !== false, reminders_at: prefs.remindersAt || "08:30" }),
  saveCalendar: { file_name: "appuntamento-AP-7K3M-Q9TX.ics", path: "/home/op/Documenti/appuntamento-AP-7K3M-Q9TX.ics" },
  auditLog: { entries: [], truncated: false, actions: ["sign_in", "confirm"] },
  verifyAudit: { intact: true, entries: 0, first_seq: null, last_seq: null, broken_at: null, problem: null },
  saveAuditCsv: { file_name: "registro-attivita-2026-11-26.csv", path: "/home/op/Documenti/registro-attivita-2026-11-26.csv" },
  saveContributorData: { file_name: "dati-RSSMRA80A01H501U-2026-11-26.json", path: "/home/op/Documenti/dati-RSSMRA80A01H501U-2026-11-26.json" },
  erasurePreview: { outbox: 0, drafts: 0 },
  eraseContributorData: { rows: 5, outbox: 0 },
  lockScreen: null,
  unlockScreen: null,
  about: {
    version: "0.1.0", build_date: "2026-12-05 07:30", commit: "499036b1c2d3", license: "EUPL-1.2",
    os: "linux", arch: "x86_64", webview: "2.50.4", tauri: "2.12.5",
    environment: { mode: "embedded_sandbox" },
    data_dir: "/home/mario.rossi/.local/share/it.cassetto.agenda", data_dir_short: "~/.local/share/it.cassetto.agenda",
  },
};

/** A controller on a fresh store with a fake api and a manual clock at NOW. */
export function setup(answers = {}, { now = NOW } = {}) {
  const api = fakeApi(answers);
  const timers = fakeTimers(now);
  const store = createStore(initialState());
  const prefs = new Map();
  const resets = [];
  const ctrl = createController({
    api, store, timers, now: timers.now, perfNow: timers.now,
    prefs: { get: (k) => prefs.get(k) ?? null, set: (k, v) => prefs.set(k, v) },
    resetPage: () => resets.push(timers.now()),
  });
  return { api, timers, store, ctrl, prefs, resets, state: () => store.getState() };
}
