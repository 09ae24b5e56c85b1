// Session: start-up, sign-in and Esci, the service in use, language, polling and sync.
// No DOM here: everything comes in through `ctx` (see controller.js); other features are
// reached through `ctx.features` at call time.

/** How often the app asks the shell whether the service is reachable. */
export const POLL_MS = 10000;

/** The session feature's actions. */
export function createSession(ctx) {
  const { api, getState, dispatch, run, features } = ctx;
  let pollTimer = null;
  let syncing = null;

  async function start(initialRoute) {
    const lang = ctx.prefs && ctx.prefs.get("lang");
    if (lang) dispatch({ type: "set_lang", lang });
    dispatch({ type: "tick", now: ctx.now() });
    const info = await run(() => api.appInfo());
    if (info.ok) {
      dispatch({ type: "app_info", info: info.value });
      // The shell writes the notifications: in the language of the screen.
      const prefs = info.value.preferences;
      if (prefs && prefs.lang !== getState().lang) pushPreferences({ lang: getState().lang });
    } else dispatch({ type: "notice", tone: "error", error: info.error });

    const status = await run(() => api.sessionStatus());
    if (!status.ok) {
      dispatch({ type: "session", status: { signed_in: false, operator: null } });
      if (!status.handled) dispatch({ type: "signed_out", error: status.error });
    } else {
      dispatch({ type: "session", status: status.value });
      if (status.value && status.value.signed_in) await afterSignIn(initialRoute);
      else if (initialRoute === "impostazioni") dispatch({ type: "navigate", route: "impostazioni", focus: false });
    }
    // The session was closed at the lock before this page was loaded: say why, once.
    const notice = ctx.prefs && ctx.prefs.get("signout_notice");
    if (notice && !getState().session.signed_in) {
      ctx.prefs.set("signout_notice", "");
      dispatch({ type: "signed_out", error: { kind: "locked_out", message: notice, details: {} } });
    }
    if (pollTimer === null) pollTimer = ctx.timers.setInterval(poll, POLL_MS);
  }

  /** Restores the utente selezionato and opens the first screen. */
  async function afterSignIn(route) {
    const shown = getState().route;
    const selected = await run(() => api.selectedContributor());
    if (selected.ok && selected.value) dispatch({ type: "selected", contributor: selected.value });
    features.drafts.loadDrafts(); // for the count beside "Bozze"; not awaited
    // The operator already chose a screen while this was asked: their choice stands.
    if (getState().route !== shown) return;
    // The desk's agenda first, unless the window was on another screen (a reload).
    const target = route && route !== "accesso" && route !== "prenotazione" ? route : "agenda";
    await ctx.navigate(target, { focus: false });
  }

  async function poll() {
    const wasOnline = getState().app.online;
    const info = await run(() => api.appInfo());
    if (!info.ok) return;
    dispatch({ type: "app_info", info: info.value });
    if (!wasOnline && info.value.online !== false) await syncNow();
  }

  async function syncNow() {
    if (syncing) return syncing;
    syncing = (async () => {
      const r = await run(() => api.syncNow());
      if (r.ok) {
        dispatch({ type: "sync_done", result: r.value });
        await ctx.refresh({ search: false });
      } else if (!r.handled) {
        dispatch({ type: "notice", tone: "error", error: r.error });
      }
    })();
    try {
      await syncing;
    } finally {
      syncing = null;
    }
  }

  async function signIn(username, password) {
    if (getState().signin.busy) return;
    dispatch({ type: "signin_start" });
    const r = await run(() => api.signIn(String(username || "").trim(), String(password || "")));
    if (!r.ok) {
      dispatch({ type: "signin_failed", error: r.error });
      return;
    }
    dispatch({ type: "signed_in", operator: r.value && r.value.operator });
    await afterSignIn(null);
  }

  async function signOut() {
    await features.wizard.flushSave();
    const r = await run(() => api.signOut());
    if (r.ok) {
      dispatch({ type: "signed_out" });
      // The desk PC passes to the next operator: nothing of this session may stay in the page.
      ctx.resetPage();
    } else if (!r.handled) dispatch({ type: "notice", tone: "error", error: r.error });
  }

  /** Saves what the shell keeps of Impostazioni; the answer is the whole of it. */
  async function pushPreferences(prefs) {
    const r = await run(() => api.setPreferences(prefs));
    if (r.ok && r.value) dispatch({ type: "preferences", preferences: r.value });
    return r;
  }

  /**
   * `mode` is "embedded_sandbox" or "remote" (then `url` is required); `reminders`, when
   * given, is {daily, at} (at: "HH:MM"); `privacy`, when given, is {lockMinutes, cacheDays,
   * draftsDays, auditDays} as typed.
   */
  async function saveSettings({ mode, url, reminders, privacy }) {
    dispatch({ type: "settings_start" });
    if (reminders) {
      const prefs = { remindersDaily: Boolean(reminders.daily), remindersAt: String(reminders.at || "").trim() };
      if (privacy) {
        // Whole numbers of minutes and days; the shell checks the bounds.
        for (const [key, value] of Object.entries(privacy)) {
          const text = String(value ?? "").trim();
          if (!/^\d{1,5}$/.test(text)) {
            dispatch({ type: "settings_failed", error: { kind: "validation", message: "", details: { field: key } } });
            return;
          }
          prefs[key] = Number(text);
        }
      }
      const r = await pushPreferences(prefs);
      if (!r.ok) {
        if (!r.handled) dispatch({ type: "settings_failed", error: r.error });
        return;
      }
    }
    const value = mode === "remote" ? String(url || "").trim() : null;
    if (mode === "remote" && !value) {
      dispatch({ type: "settings_failed", error: { kind: "invalid_base_url", message: "", details: {} } });
      return;
    }
    const env = getState().app.environment;
    const same = env && (value === null ? env.mode === "embedded_sandbox" : env.mode === "remote" && env.base_url === value);
    if (same) {
      // Nothing changed: keep the session.
      dispatch({ type: "settings_saved", info: {} });
      return;
    }
    const r = await run(() => api.setServiceUrl(value));
    if (!r.ok) {
      if (!r.handled) dispatch({ type: "settings_failed", error: r.error });
      return;
    }
    if (getState().session.signed_in) dispatch({ type: "signed_out", route: "impostazioni" });
    dispatch({ type: "settings_saved", info: r.value });
  }

  function setLang(lang) {
    dispatch({ type: "set_lang", lang });
    if (ctx.prefs) ctx.prefs.set("lang", getState().lang);
    pushPreferences({ lang: getState().lang }); // the notifications follow; not awaited
  }

  function stop() {
    if (pollTimer !== null) ctx.timers.clearInterval(pollTimer);
    pollTimer = null;
  }

  return {
    start, afterSignIn, poll, syncNow, signIn, signOut, saveSettings, setLang, stop
  };
}
