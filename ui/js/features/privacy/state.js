// Registro attività, a contributor's data, the idle lock.
// This feature's part of the state's update (see `update` in ../../state.js).

import { withFocus, withNotice } from "../../state.js";

/** The Registro attività before it is loaded. */
export function initialAudit() {
  return {
    status: "idle", items: [], truncated: false, actions: [], error: null,
    filters: { day: "", action: "", fiscal_code: "" },
    check: null, checking: false, busy: false,
  };
}

/** The next state for `action`, or undefined when this feature does not handle it. */
export function reduce(state, action) {
  switch (action.type) {
    case "audit_filters":
      return { ...state, audit: { ...state.audit, filters: { ...state.audit.filters, ...action.filters } } };
    case "audit_start":
      return { ...state, audit: { ...state.audit, status: "loading", error: null } };
    case "audit_done": {
      const v = action.value || {};
      return {
        ...state,
        audit: {
          ...state.audit, status: "ready", error: null,
          items: Array.isArray(v.entries) ? v.entries : [],
          truncated: Boolean(v.truncated),
          actions: Array.isArray(v.actions) && v.actions.length ? v.actions : state.audit.actions,
        },
      };
    }
    case "audit_failed":
      return { ...state, audit: { ...state.audit, status: "error", error: action.error } };
    case "audit_check_start":
      return { ...state, audit: { ...state.audit, checking: true, check: null } };
    case "audit_checked":
      return withFocus({ ...state, audit: { ...state.audit, checking: false, check: action.check } }, "audit-check");
    case "audit_check_failed":
      return withNotice({ ...state, audit: { ...state.audit, checking: false } }, { tone: "error", error: action.error });
    case "audit_busy":
      return { ...state, audit: { ...state.audit, busy: Boolean(action.busy) } };

    case "screen_locked":
      return state.session.signed_in && !state.lock.locked
        ? withFocus({ ...state, lock: { locked: true, busy: false, error: null } }, "lock-password")
        : state;
    case "unlock_start":
      return { ...state, lock: { ...state.lock, busy: true, error: null } };
    case "unlock_failed":
      return withFocus({ ...state, lock: { ...state.lock, busy: false, error: action.error } }, "lock-error");
    case "unlocked":
      return { ...state, app: { ...state.app, locked: false }, lock: { locked: false, busy: false, error: null } };

    case "contributor_erased": {
      const gone = action.fiscal_code;
      const selected = state.selected && state.selected.fiscal_code === gone ? null : state.selected;
      const next = { ...state, selected };
      return withNotice(next, { tone: "success", key: "erased", params: { name: action.name, rows: action.rows } });
    }

    default:
      return undefined;
  }
}
