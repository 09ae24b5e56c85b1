// The app, the session and the settings: navigation, language, the clock, app info,
// connection and sync, sign-in and Esci, the service in use.
// This feature's part of the state's update (see `update` in ../../state.js).

import { initialState, NO_LIMITS, ROUTES, update, withFocus, withNotice } from "../../state.js";

/** The next state for `action`, or undefined when this feature does not handle it. */
export function reduce(state, action) {
  switch (action.type) {
    case "navigate": {
      if (!ROUTES.includes(action.route)) return state;
      const next = { ...state, route: action.route };
      return action.focus === false ? next : withFocus(next, "page-title");
    }
    case "set_lang":
      return action.lang === "it" || action.lang === "en" ? { ...state, lang: action.lang } : state;
    case "tick":
      return { ...state, now: action.now };

    case "app_info": {
      const info = action.info || {};
      return {
        ...state,
        app: {
          known: true,
          version: info.version ?? state.app.version,
          environment: info.environment ?? state.app.environment,
          online: info.online !== false,
          last_sync_at: info.last_sync_at ?? state.app.last_sync_at,
          // The service's clock minus this PC's: holds count down on the service's time.
          clock_offset_ms: Number.isFinite(info.server_clock_offset_ms) ? info.server_clock_offset_ms : state.app.clock_offset_ms,
          limits: info.limits && typeof info.limits === "object" ? { ...NO_LIMITS, ...info.limits } : state.app.limits,
          preferences: info.preferences && typeof info.preferences === "object" ? info.preferences : state.app.preferences,
          idle_lock_secs: Number.isFinite(info.idle_lock_secs) && info.idle_lock_secs > 0 ? info.idle_lock_secs : state.app.idle_lock_secs,
          locked: info.locked === true,
        },
        // The shell is locked (a reload behind the lock): the lock shows again.
        lock: info.locked === true && state.session.signed_in && !state.lock.locked
          ? { locked: true, busy: false, error: null }
          : state.lock,
      };
    }
    case "preferences":
      return { ...state, app: { ...state.app, preferences: action.preferences } };
    case "offline":
      return state.app.online ? { ...state, app: { ...state.app, online: false } } : state;
    case "sync_done": {
      const r = action.result || {};
      const app = { ...state.app, online: r.online !== false, last_sync_at: r.last_sync_at ?? state.app.last_sync_at };
      let next = { ...state, app };
      if ((r.sent || 0) > 0 || (r.needs_attention || 0) > 0) {
        next = withNotice(next, {
          tone: r.needs_attention ? "warning" : "success",
          key: r.needs_attention ? "notice_sync_attention" : "notice_sync_sent",
          params: { sent: r.sent || 0, needs_attention: r.needs_attention || 0 },
        });
      }
      return next;
    }

    case "session": {
      const signedIn = Boolean(action.status && action.status.signed_in);
      return {
        ...state,
        session: { known: true, signed_in: signedIn, operator: (action.status && action.status.operator) || null },
        // Started behind the shell's lock (a reload): the lock shows first.
        lock: signedIn && state.app.locked && !state.lock.locked ? { locked: true, busy: false, error: null } : state.lock,
      };
    }
    case "signin_start":
      return { ...state, signin: { busy: true, error: null } };
    case "signin_failed":
      return withFocus({ ...state, signin: { busy: false, error: action.error } }, "signin-error");
    case "signed_in": {
      const next = {
        ...state,
        session: { known: true, signed_in: true, operator: action.operator || null },
        signin: { busy: false, error: null },
        route: state.selected ? "comunicazioni" : "assistiti",
      };
      return withFocus(next, "page-title");
    }
    case "signed_out": {
      // Forget everything about the previous session but the app and the language.
      const fresh = initialState();
      const next = {
        ...fresh,
        lang: state.lang,
        now: state.now,
        app: state.app,
        seq: state.seq,
        session: { known: true, signed_in: false, operator: null },
        signin: { busy: false, error: action.error || null },
        route: action.route || "accesso",
      };
      return withFocus(next, action.error ? "signin-error" : "page-title");
    }

    case "settings_start":
      return { ...state, settings: { busy: true, error: null } };
    case "settings_failed":
      return withFocus({ ...state, settings: { busy: false, error: action.error } }, "settings-error");
    case "settings_saved": {
      const next = update({ ...state, settings: { busy: false, error: null } }, { type: "app_info", info: action.info });
      return withNotice(next, { tone: "success", key: next.session.signed_in ? "notice_settings_unchanged" : "notice_settings_saved" });
    }

    default:
      return undefined;
  }
}
