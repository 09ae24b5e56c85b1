// Assistiti: the search and the utente selezionato.
// This feature's part of the state's update (see `update` in ../../state.js).

import { initialState } from "../../state.js";

/** The next state for `action`, or undefined when this feature does not handle it. */
export function reduce(state, action) {
  switch (action.type) {
    case "search_start":
      return {
        ...state,
        search: { ...state.search, q: action.q, seq: action.seq, status: "loading", error: null },
      };
    case "search_done": {
      if (action.seq !== state.search.seq) return state;
      const r = action.result || {};
      const items = Array.isArray(r.items) ? r.items : [];
      return {
        ...state,
        search: {
          ...state.search, status: "ready", error: null,
          items: action.append ? [...state.search.items, ...items] : items,
          next_cursor: r.next_cursor || null, from_cache: Boolean(r.from_cache), synced_at: r.synced_at || null,
        },
      };
    }
    case "search_failed":
      if (action.seq !== state.search.seq) return state;
      return { ...state, search: { ...state.search, status: "error", error: action.error } };

    case "selected": {
      const same = state.selected && action.contributor && state.selected.fiscal_code === action.contributor.fiscal_code;
      if (same) return { ...state, selected: action.contributor };
      const fresh = initialState();
      return {
        ...state,
        selected: action.contributor || null,
        comms: fresh.comms,
        thread: fresh.thread,
        history: { ...fresh.history, filters: state.history.filters },
        detail: fresh.detail,
        wizard: state.wizard && action.keepWizard ? state.wizard : null,
      };
    }

    default:
      return undefined;
  }
}
