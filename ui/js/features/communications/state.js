// Comunicazioni: the threads and one thread.
// This feature's part of the state's update (see `update` in ../../state.js).

import { initialState, withFocus } from "../../state.js";

/** The next state for `action`, or undefined when this feature does not handle it. */
export function reduce(state, action) {
  switch (action.type) {
    case "comms_start":
      return { ...state, comms: { ...state.comms, status: "loading", fiscal_code: action.fiscal_code, error: null } };
    case "comms_done": {
      if (state.comms.fiscal_code !== action.fiscal_code) return state;
      const r = action.result || {};
      const items = Array.isArray(r.items) ? r.items : [];
      return {
        ...state,
        comms: { ...state.comms, status: "ready", items, from_cache: Boolean(r.from_cache), synced_at: r.synced_at || null, error: null },
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

    default:
      return undefined;
  }
}
