// Bozze: the drafts on this PC.
// This feature's part of the state's update (see `update` in ../../state.js).

import { withNotice } from "../../state.js";

/** The next state for `action`, or undefined when this feature does not handle it. */
export function reduce(state, action) {
  switch (action.type) {
    case "drafts_start":
      return { ...state, drafts: { ...state.drafts, status: "loading", error: null } };
    case "drafts_done":
      return { ...state, drafts: { ...state.drafts, status: "ready", items: Array.isArray(action.items) ? action.items : [], error: null } };
    case "drafts_failed":
      return { ...state, drafts: { ...state.drafts, status: "error", error: action.error } };
    case "draft_busy":
      return { ...state, drafts: { ...state.drafts, busy_id: action.id } };
    case "draft_deleted": {
      const items = state.drafts.items.filter((d) => d.id !== action.id);
      const wizard = state.wizard && state.wizard.draft.id === action.id ? null : state.wizard;
      const next = { ...state, wizard, drafts: { ...state.drafts, items, busy_id: null } };
      return action.quiet ? next : withNotice(next, { tone: "success", key: "notice_draft_deleted" });
    }

    default:
      return undefined;
  }
}
