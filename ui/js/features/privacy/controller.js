// Registro attività (list, Verifica registro, Esporta CSV), a contributor's data (Esporta
// dati, Cancella dati locali) and the idle lock (Blocco per inattività).
// No DOM here: everything comes in through `ctx` (see controller.js); the view reports the
// operator's activity with `touchActivity`.

import { folderOf } from "../takehome/controller.js";

/** How often the idle time is looked at. */
export const IDLE_CHECK_MS = 1000;

/** The privacy feature's actions. */
export function createPrivacy(ctx) {
  const { api, getState, dispatch, run, features } = ctx;
  let lastActivity = ctx.now();
  let idleTimer = null;
  let locking = false;

  const lang = () => getState().lang;
  const filtersForApi = () => {
    const f = getState().audit.filters;
    return { day: f.day, action: f.action, fiscalCode: f.fiscal_code.trim().toUpperCase() };
  };

  async function loadAudit() {
    dispatch({ type: "audit_start" });
    const r = await run(() => api.auditLog(filtersForApi()));
    if (r.ok) dispatch({ type: "audit_done", value: r.value });
    else if (!r.handled) dispatch({ type: "audit_failed", error: r.error });
  }

  /** Changes the filters (`{day, action, fiscal_code}`, any of them) and reloads. */
  async function filterAudit(filters) {
    dispatch({ type: "audit_filters", filters });
    await loadAudit();
  }

  async function verifyAudit() {
    if (getState().audit.checking) return;
    dispatch({ type: "audit_check_start" });
    const r = await run(() => api.verifyAudit());
    if (r.ok) dispatch({ type: "audit_checked", check: r.value });
    else if (!r.handled) dispatch({ type: "audit_check_failed", error: r.error });
    else dispatch({ type: "audit_checked", check: null });
  }

  /** Saves `call`'s file; a cancelled dialog answers null and says nothing. */
  async function saveFile(call, noticeKey, params = {}) {
    if (getState().audit.busy) return null;
    dispatch({ type: "audit_busy", busy: true });
    try {
      const r = await run(call);
      if (!r.ok) {
        if (!r.handled) dispatch({ type: "notice", tone: "error", error: r.error });
      } else if (r.value) {
        dispatch({
          type: "notice", tone: "success", key: noticeKey,
          params: { ...params, file: r.value.file_name, folder: folderOf(r.value.path) },
        });
      }
      return r;
    } finally {
      dispatch({ type: "audit_busy", busy: false });
    }
  }

  const exportAuditCsv = () => saveFile(() => api.saveAuditCsv(filtersForApi(), lang()), "audit_exported");

  /** "Esporta dati" of the utente selezionato. */
  async function exportContributorData() {
    const c = getState().selected;
    if (!c) return null;
    return saveFile(() => api.saveContributorData(c.fiscal_code, lang()), "contributor_exported", { name: c.display_name });
  }

  /** What the erasure's confirmation warns about, for the utente selezionato. */
  async function erasurePreview() {
    const c = getState().selected;
    if (!c) return null;
    const r = await run(() => api.erasurePreview(c.fiscal_code));
    if (r.ok) return r.value;
    if (!r.handled) dispatch({ type: "notice", tone: "error", error: r.error });
    return null;
  }

  /** "Cancella dati locali" of the utente selezionato, after the operator confirmed. */
  async function eraseContributorData() {
    const c = getState().selected;
    if (!c) return;
    const r = await run(() => api.eraseContributorData(c.fiscal_code));
    if (!r.ok) {
      if (!r.handled) dispatch({ type: "notice", tone: "error", error: r.error });
      return;
    }
    dispatch({ type: "contributor_erased", fiscal_code: c.fiscal_code, name: c.display_name, rows: r.value ? r.value.rows : 0 });
    features.drafts.loadDrafts();
    await ctx.navigate("assistiti");
  }

  /** The operator did something: the idle time starts again. */
  function touchActivity() {
    lastActivity = ctx.now();
  }

  function idleCheck() {
    const state = getState();
    if (!state.session.signed_in || state.lock.locked || locking) return;
    const limitMs = (state.app.idle_lock_secs || 600) * 1000;
    if (ctx.now() - lastActivity >= limitMs) lock();
  }

  /** Locks the screen: the shell first (it refuses personal data from then on), then the page. */
  async function lock() {
    if (locking || getState().lock.locked) return;
    locking = true;
    try {
      await features.wizard.flushSave();
      const r = await run(() => api.lockScreen());
      if (r.ok || (r.error && r.error.kind === "screen_locked")) dispatch({ type: "screen_locked" });
    } finally {
      locking = false;
    }
  }

  async function unlock(password) {
    if (getState().lock.busy) return;
    dispatch({ type: "unlock_start" });
    const r = await run(() => api.unlockScreen(String(password || "")));
    if (!r.ok && r.error.kind === "locked_out") {
      // Too many wrong passwords: the shell closed the session. The page starts again at
      // Accesso (nothing of this session may stay in it), saying why.
      if (ctx.prefs) ctx.prefs.set("signout_notice", r.error.message || "");
      dispatch({ type: "signed_out", error: r.error });
      ctx.resetPage();
      return;
    }
    if (!r.ok) {
      if (!r.handled) dispatch({ type: "unlock_failed", error: r.error });
      return;
    }
    touchActivity();
    dispatch({ type: "unlocked" });
    // Back on the same screen, brought up to date (what was asked behind the lock was refused).
    await ctx.refresh({ search: false });
  }

  /** "Cambia operatore": a full Esci. */
  const switchOperator = () => features.session.signOut();

  function startIdleWatch() {
    if (idleTimer === null) idleTimer = ctx.timers.setInterval(idleCheck, IDLE_CHECK_MS);
  }

  function stop() {
    if (idleTimer !== null) ctx.timers.clearInterval(idleTimer);
    idleTimer = null;
  }

  return {
    loadAudit, filterAudit, verifyAudit, exportAuditCsv, exportContributorData, erasurePreview,
    eraseContributorData, touchActivity, idleCheck, lock, unlock, switchOperator, startIdleWatch, stop,
  };
}
