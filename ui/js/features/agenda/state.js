// Agenda dello sportello: the desk's first screen.
// This feature's part of the state's update (see `update` in ../../state.js).

/** How many rows of a long agenda list are drawn at first, and added by "Mostra altri". */
export const AGENDA_PAGE = 100;

/** Each long list's first page. */
const firstPages = () => ({ appointments: AGENDA_PAGE, request: AGENDA_PAGE });

/** The agenda's filters when none is set: every day, stato, canale and struttura. */
export const NO_FILTERS = Object.freeze({ day: "", status: "", channel: "", office: "" });

/** The fields of an appointment the filters compare, by filter. */
const FILTERED = { day: (a, romeDate) => romeDate(a.start), status: (a) => a.status, channel: (a) => a.channel, office: (a) => a.office_code };

/** The appointments of `items` the filters keep (`romeDate` gives a start's Rome date). */
export function filterAgenda(items, filters, romeDate) {
  return items.filter((a) => Object.entries(FILTERED).every(([field, value]) => !filters[field] || value(a, romeDate) === filters[field]));
}

/** The next state for `action`, or undefined when this feature does not handle it. */
export function reduce(state, action) {
  switch (action.type) {
    case "agenda_start":
      return { ...state, agenda: { ...state.agenda, status: "loading", error: null } };
    case "agenda_cached":
      // The copy kept on this computer, drawn while the refresh runs.
      if (state.agenda.data) return state;
      return { ...state, agenda: { ...state.agenda, status: "refreshing", data: action.data, error: null, received_at: action.received_at || 0, asked_at: action.asked_at || 0 } };
    case "agenda_done":
      return { ...state, agenda: { ...state.agenda, status: "ready", data: action.data, error: null, received_at: action.received_at || 0, asked_at: 0, refresh_ms: action.refresh_ms || 0 } };
    case "agenda_failed":
      return { ...state, agenda: { ...state.agenda, status: "error", error: action.error } };
    case "agenda_busy":
      return { ...state, agenda: { ...state.agenda, busy_id: action.id } };
    case "agenda_more": {
      if (!["appointments", "request"].includes(action.list)) return state;
      const shown = state.agenda.shown || {};
      return { ...state, agenda: { ...state.agenda, shown: { ...shown, [action.list]: (shown[action.list] || AGENDA_PAGE) + AGENDA_PAGE } } };
    }
    // Another filter is another list: it starts again from its first page.
    case "agenda_filter":
      return { ...state, agenda: { ...state.agenda, shown: firstPages(), filters: { ...state.agenda.filters, [action.field]: String(action.value || "") } } };
    case "agenda_filter_reset":
      return { ...state, agenda: { ...state.agenda, shown: firstPages(), filters: { ...NO_FILTERS } } };
    default:
      return undefined;
  }
}
