// Agenda dello sportello: the desk's first screen.
// This feature's part of the state's update (see `update` in ../../state.js).

/** The next state for `action`, or undefined when this feature does not handle it. */
export function reduce(state, action) {
  switch (action.type) {
    case "agenda_start":
      return { ...state, agenda: { ...state.agenda, status: "loading", error: null } };
    case "agenda_done":
      return { ...state, agenda: { ...state.agenda, status: "ready", data: action.data, error: null } };
    case "agenda_failed":
      return { ...state, agenda: { ...state.agenda, status: "error", error: action.error } };
    case "agenda_busy":
      return { ...state, agenda: { ...state.agenda, busy_id: action.id } };
    default:
      return undefined;
  }
}
