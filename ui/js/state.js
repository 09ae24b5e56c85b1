// The app's state as a plain object and a pure update function: no DOM, no I/O.

export const ROUTES = ["comunicazioni", "appuntamenti"];

/** The state before anything is known. */
export function initialState() {
  return { route: "comunicazioni", lang: "it", environment: null, version: null, error: null };
}

/** Returns the state after `action`; never mutates `state`. */
export function update(state, action) {
  switch (action.type) {
    case "navigate":
      return ROUTES.includes(action.route) ? { ...state, route: action.route } : state;
    case "set_lang":
      return action.lang === "it" || action.lang === "en" ? { ...state, lang: action.lang } : state;
    case "app_info":
      return { ...state, environment: action.info.environment, version: action.info.version, error: null };
    case "error":
      return { ...state, error: action.error };
    default:
      return state;
  }
}

/** Route from a location hash like "#/appuntamenti"; unknown hashes mean the default route. */
export function routeFromHash(hash) {
  const name = String(hash || "").replace(/^#\/?/, "");
  return ROUTES.includes(name) ? name : "comunicazioni";
}
