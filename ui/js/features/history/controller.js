// Gestione appuntamenti: the history with its filters, one appointment's details, Annulla
// appuntamento and the hold's actions from the details.
// No DOM here: everything comes in through `ctx` (see controller.js); other features are
// reached through `ctx.features` at call time.

import { addDays, parseDateInput, romeDate } from "../../format.js";
import { decideHold, holdNotice } from "../../holds.js";

/** How many of the newest appointments the local copy gives for the first paint. */
const FIRST_PAINT_ROWS = 100;

/** How far ahead "Riprogramma" offers slots: two weeks. */
const RESCHEDULE_DAYS = 14;

/** The history feature's actions. */
export function createHistory(ctx) {
  const { api, getState, dispatch, run } = ctx;
  let historySeq = 0;

  async function loadHistory() {
    const state = getState();
    if (!state.selected) return;
    const fc = state.selected.fiscal_code;
    const request = ++historySeq;
    const filters = { ...state.history.filters };
    dispatch({ type: "history_start", fiscal_code: fc, request });
    // The copy on this computer first, at once (no network); a failure here only means
    // there is nothing to draw before the refresh.
    // Only its newest rows travel for the first paint; when that is the whole copy, the
    // refresh may answer "unchanged" without rows.
    let drawn = null;
    try {
      const cached = await api.listAppointments(fc, filters, { cached: true, first: FIRST_PAINT_ROWS });
      if (request === historySeq && cached && cached.synced_at && Array.isArray(cached.items)) {
        dispatch({ type: "history_cached", request, result: cached, received_at: ctx.perfNow() });
        if (cached.items.length === (cached.total ?? cached.items.length)) drawn = cached.synced_at;
      }
    } catch {
      drawn = null;
    }
    // Then what changed on the service since the last look, patched in.
    const asked = ctx.perfNow();
    const r = await run(() => api.listAppointments(fc, filters, { drawn }));
    const refresh_ms = ctx.perfNow() - asked;
    if (r.ok && drawn && r.value && r.value.unchanged) dispatch({ type: "history_unchanged", request, synced_at: r.value.synced_at, refresh_ms });
    else if (r.ok) dispatch({ type: "history_done", request, result: r.value, received_at: ctx.perfNow(), refresh_ms });
    else if (!r.handled) dispatch({ type: "history_failed", request, error: r.error });
  }

  /** `value` is a status, or a date as typed (dd/mm/yyyy); a bad date is reported, not sent. */
  async function setHistoryFilter(field, value) {
    let v = value;
    if (field === "from" || field === "to") {
      v = parseDateInput(value);
      if (v === null) {
        dispatch({ type: "history_filter_invalid", field, raw: String(value), error: "filter_date_invalid" });
        return;
      }
      const f = { ...getState().history.filters, [field]: v };
      if (f.from && f.to && f.from > f.to) {
        dispatch({ type: "history_filter_invalid", field, raw: String(value), error: "filter_range_invalid" });
        return;
      }
    }
    const current = getState().history;
    if (current.filters[field] === v && !(current.filter_errors[field])) return;
    dispatch({ type: "history_filter", field, value: v });
    await loadHistory();
  }

  async function resetHistoryFilters() {
    dispatch({ type: "history_reset_filters" });
    await loadHistory();
  }

  async function openAppointment(id) {
    dispatch({ type: "detail_start", id });
    const r = await run(() => api.getAppointment(id));
    if (r.ok) dispatch({ type: "detail_done", id, data: r.value });
    else if (!r.handled) dispatch({ type: "detail_failed", id, error: r.error });
  }

  const closeAppointment = () => dispatch({ type: "detail_close" });

  /** "Riprogramma": the free slots of the next two weeks at the same struttura and punto. */
  async function openReschedule() {
    const a = getState().detail.data;
    if (!a) return;
    dispatch({ type: "reschedule_open", id: a.id });
    const from = romeDate(ctx.serverNow());
    const r = await run(() => api.listSlots(a.office_code, a.consultation_point, a.topic_code, from, addDays(from, RESCHEDULE_DAYS - 1)));
    if (r.ok) {
      const slots = (Array.isArray(r.value) ? r.value : []).filter((s) => s.available && s.start !== a.start);
      dispatch({ type: "reschedule_slots", id: a.id, slots });
    } else if (!r.handled) {
      dispatch({ type: "reschedule_failed", error: r.error });
    }
  }

  const closeReschedule = () => dispatch({ type: "reschedule_close" });

  /** Moves the open appointment to the slot at `start`, in one step on the service. */
  async function rescheduleTo(start) {
    const a = getState().detail.data;
    if (!a || getState().reschedule.busy) return;
    dispatch({ type: "reschedule_busy" });
    const r = await run(() => api.rescheduleAppointment(a.id, start));
    if (r.ok) {
      dispatch({ type: "reschedule_close" });
      dispatch({ type: "notice", tone: "success", key: "notice_rescheduled", params: { old: a.id, id: r.value.id } });
      await loadHistory();
      await openAppointment(r.value.id);
    } else if (!r.handled) {
      const alternatives = r.error.details && r.error.details.alternatives;
      dispatch({ type: "reschedule_failed", error: r.error, slots: r.error.kind === "slot_taken" ? alternatives : null });
    }
  }

  /**
   * "Trova per identificativo": an ID as read over the phone (any case, with or without
   * dashes or spaces) opens its details in Gestione appuntamenti, whichever assistito it
   * belongs to (that assistito becomes the utente selezionato).
   */
  async function findAppointment(text) {
    const typed = String(text || "").trim();
    if (!typed || getState().find.busy) return;
    dispatch({ type: "find_start" });
    const found = await run(() => api.getAppointment(typed));
    if (!found.ok) {
      if (!found.handled) dispatch({ type: "find_failed", error: found.error });
      else dispatch({ type: "find_done" });
      return;
    }
    const appointment = found.value;
    const selected = getState().selected;
    if (!selected || selected.fiscal_code !== appointment.fiscal_code) {
      const r = await run(() => api.selectContributor(appointment.fiscal_code));
      if (!r.ok) {
        if (!r.handled) dispatch({ type: "find_failed", error: r.error });
        else dispatch({ type: "find_done" });
        return;
      }
      dispatch({ type: "selected", contributor: r.value });
    }
    dispatch({ type: "find_done" });
    await ctx.navigate("appuntamenti");
    dispatch({ type: "detail_start", id: appointment.id });
    dispatch({ type: "detail_done", id: appointment.id, data: appointment });
  }

  /** "Annulla appuntamento" (after the confirm dialog). */
  async function cancelAppointment(id, reason) {
    if (getState().cancel.busy) return false;
    dispatch({ type: "cancel_start" });
    const text = String(reason || "").trim();
    const r = await run(() => api.cancelAppointment(id, text || undefined));
    if (r.ok) {
      dispatch({ type: "cancel_done", appointment: r.value });
      return true;
    }
    if (!r.handled) dispatch({ type: "cancel_failed", error: r.error });
    return false;
  }

  /** Conferma / Cancella Prenotazione on a held appointment opened from the history. */
  async function detailHoldAction(op) {
    const d = getState().detail.data;
    if (!d || getState().cancel.busy) return;
    dispatch({ type: "cancel_start" });
    const r = await decideHold(ctx, d.id, op);
    if (r.ok) {
      dispatch({ type: "cancel_done", appointment: r.value });
      dispatch(holdNotice(op, d.id));
    } else if (!r.handled) {
      dispatch({ type: "cancel_failed", error: r.error });
    }
  }

  return {
    loadHistory, setHistoryFilter, resetHistoryFilters, openAppointment, closeAppointment,
    cancelAppointment, detailHoldAction, findAppointment, openReschedule, closeReschedule,
    rescheduleTo
  };
}
