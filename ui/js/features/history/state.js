// Gestione appuntamenti: filters, the history, the details, Annulla appuntamento.
// This feature's part of the state's update (see `update` in ../../state.js).

import { initialState, replaceAppointment, withFocus, withNotice } from "../../state.js";

/** The next state for `action`, or undefined when this feature does not handle it. */
export function reduce(state, action) {
  switch (action.type) {
    case "history_filter": {
      if (!["status", "from", "to", "search"].includes(action.field)) return state;
      const h = state.history;
      const next = { ...h, filters: { ...h.filters, [action.field]: action.value || "" } };
      if (action.field === "from" || action.field === "to") {
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
          ...state.history, filters: { status: "", from: "", to: "", search: "" },
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
          refresh_ms: action.refresh_ms || 0, unchanged: false, total: null,
        },
      };
    }
    case "history_cached": {
      // The local copy, drawn at once while the refresh runs ("refreshing").
      if (state.history.request !== action.request) return state;
      const r = action.result || {};
      return {
        ...state,
        history: {
          ...state.history, status: "refreshing", items: Array.isArray(r.items) ? r.items : [],
          total: Number.isInteger(r.total) ? r.total : null,
          from_cache: false, synced_at: r.synced_at || null, error: null,
          received_at: action.received_at || 0, version: state.history.version + 1,
        },
      };
    }
    case "history_unchanged":
      // The refresh found nothing new: the rows drawn stay, only the time moves.
      if (state.history.request !== action.request) return state;
      return { ...state, history: { ...state.history, status: "ready", from_cache: false, synced_at: action.synced_at || state.history.synced_at, refresh_ms: action.refresh_ms || 0, unchanged: true } };
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
    case "reschedule_open":
      return withFocus({ ...state, reschedule: { id: action.id, status: "loading", slots: [], busy: false, error: null } }, "reschedule-heading");
    case "reschedule_slots":
      if (state.reschedule.id !== action.id) return state;
      return { ...state, reschedule: { ...state.reschedule, status: "ready", slots: action.slots } };
    case "reschedule_busy":
      return { ...state, reschedule: { ...state.reschedule, busy: true, error: null } };
    case "reschedule_failed": {
      // On slot_taken the service's nearest free slots replace the list.
      const slots = Array.isArray(action.slots) ? action.slots : state.reschedule.slots;
      return withFocus({ ...state, reschedule: { ...state.reschedule, status: "ready", busy: false, slots, error: action.error } }, "reschedule-error");
    }
    case "reschedule_close":
      return { ...state, reschedule: initialState().reschedule };
    case "find_start":
      return { ...state, find: { busy: true, error: null } };
    case "find_done":
      return { ...state, find: { busy: false, error: null } };
    case "find_failed":
      return withFocus({ ...state, find: { busy: false, error: action.error } }, "find-id");
    case "detail_close":
      // The view puts focus back on the row that was opened.
      return { ...state, detail: initialState().detail, reschedule: initialState().reschedule };

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

    default:
      return undefined;
  }
}
