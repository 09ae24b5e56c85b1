// The booking wizard: the three steps, telefono and note, Prenota Appuntamento, the hold's
// Conferma / Cancella Prenotazione, and the draft saved as the operator types.
// No DOM here: everything comes in through `ctx` (see controller.js); other features are
// reached through `ctx.features` at call time.

import { addDays, mondayOf, romeDate } from "../../format.js";
import { canAdvance, contactReady, draftForWire, newDraft, STEPPER_STAGES } from "../../state.js";
import { decideHold } from "../../holds.js";

export const VALIDATE_DEBOUNCE_MS = 200;
export const SAVE_DEBOUNCE_MS = 700;

/** The wizard feature's actions. */
export function createWizard(ctx) {
  const { api, getState, dispatch, run, features } = ctx;
  let validateTimer = null;
  let saveTimer = null;
  let saving = null;
  let saveAgain = false;

  async function startWizard(communicationId) {
    const state = getState();
    const communication = state.comms.items.find((c) => c.id === communicationId)
      || (state.thread.data && state.thread.data.id === communicationId ? state.thread.data : null);
    if (!communication || !state.selected) return;
    await flushSave();
    dispatch({ type: "wizard_open", draft: newDraft(state.selected, communication) });
    await loadWizardOptions();
  }

  async function loadWizardOptions() {
    const w = getState().wizard;
    if (!w) return;
    const r = await run(() => api.wizardOptions(w.draft.communication_id));
    if (r.ok) dispatch({ type: "wizard_options_done", data: r.value });
    else if (!r.handled) dispatch({ type: "wizard_options_failed", error: r.error });
  }

  function choosePoint(code) {
    const w = getState().wizard;
    if (!w) return;
    const points = (w.options.data && w.options.data.points) || [];
    const point = points.find((p) => p.code === code);
    dispatch({ type: "wizard_choose_point", code, channel: point ? point.channel : "" });
    scheduleSave();
  }

  async function loadOffices() {
    const w = getState().wizard;
    if (!w || !w.draft.consultation_point) return;
    dispatch({ type: "offices_start" });
    const r = await run(() => api.listOffices(w.draft.topic_code, w.point_kind || w.draft.consultation_point, w.draft.contributor_fiscal_code));
    if (!r.ok) {
      if (!r.handled) dispatch({ type: "offices_failed", error: r.error });
      return;
    }
    dispatch({ type: "offices_done", items: r.value });
    const after = getState().wizard;
    if (after && !after.draft.office_code && Array.isArray(r.value) && r.value.length === 1) {
      chooseOffice(r.value[0].code);
    }
  }

  const filterOffices = (text) => dispatch({ type: "offices_filter", text });

  /** Picks a struttura; the draft takes that struttura's own point of the chosen kind. */
  function chooseOffice(code) {
    const w = getState().wizard;
    const office = w && w.offices.items.find((o) => o.code === code);
    dispatch({ type: "wizard_choose_office", code, point_code: office && office.point_code });
    scheduleSave();
  }

  function today() {
    return romeDate(ctx.now());
  }

  /** The first and last Monday the week view may show. */
  function weekBounds() {
    const first = mondayOf(today());
    const last = mondayOf(addDays(today(), getState().app.limits.slot_horizon_days));
    return { first, last };
  }

  /**
   * Loads the free slots of the week starting `week` (a Monday). With `seek`, an empty week
   * moves on to the next one until a slot is found or the horizon is reached.
   */
  async function loadSlots(week, { seek = false, origin = null } = {}) {
    const w = getState().wizard;
    if (!w || !w.draft.office_code || !w.draft.consultation_point) return;
    const { first, last } = weekBounds();
    let monday = week || (w.draft.slot_start ? mondayOf(romeDate(w.draft.slot_start)) : first);
    if (monday < first) monday = first;
    if (monday > last) monday = last;
    const from = monday < today() ? today() : monday;
    const to = addDays(monday, 6);
    dispatch({ type: "slots_start", week: monday, first_week: first });
    const d = w.draft;
    const r = await run(() => api.listSlots(d.office_code, d.consultation_point, d.topic_code, from, to));
    if (!r.ok) {
      if (!r.handled) dispatch({ type: "slots_failed", week: monday, error: r.error });
      return;
    }
    const items = Array.isArray(r.value) ? r.value : [];
    if (seek && !items.some((s) => s.available)) {
      if (monday < last) {
        await loadSlots(addDays(monday, 7), { seek: true, origin: origin || monday });
        return;
      }
      // Nothing free up to the horizon: show the first week, empty.
      if (origin && origin !== monday) {
        dispatch({ type: "slots_start", week: origin, first_week: first });
        dispatch({ type: "slots_done", week: origin, items: [] });
        return;
      }
    }
    dispatch({ type: "slots_done", week: monday, items });
  }

  function shiftWeek(delta) {
    const w = getState().wizard;
    if (!w || !w.slots.week) return Promise.resolve();
    return loadSlots(addDays(w.slots.week, 7 * delta));
  }

  function chooseSlot(start) {
    dispatch({ type: "wizard_choose_slot", start });
    scheduleSave();
  }

  function editContact(field, value) {
    dispatch({ type: "contact_edit", field, value });
    validateTimer = ctx.clear(validateTimer);
    validateTimer = ctx.timers.setTimeout(() => {
      validateTimer = null;
      validateNow();
    }, VALIDATE_DEBOUNCE_MS);
    scheduleSave();
  }

  const touchContact = (field) => dispatch({ type: "contact_touch", field });

  async function validateNow() {
    validateTimer = ctx.clear(validateTimer);
    const w = getState().wizard;
    if (!w) return;
    const { phone, notes } = w.draft;
    const r = await run(() => api.validateContact(phone, notes));
    if (r.ok) dispatch({ type: "contact_validated", phone, notes, result: r.value });
    else if (!r.handled) dispatch({ type: "notice", tone: "error", error: r.error });
  }

  async function goToStage(stage) {
    const w = getState().wizard;
    if (!w) return;
    dispatch({ type: "wizard_stage", stage });
    await Promise.all([saveNow(), loadForStage(stage)]);
  }

  async function loadForStage(stage) {
    const w = getState().wizard;
    if (!w) return;
    if (stage === "struttura" && (w.offices.status === "idle" || w.offices.status === "error")) await loadOffices();
    if (stage === "data_ora" && (w.slots.status === "idle" || w.slots.status === "error")) {
      await loadSlots(w.slots.week, { seek: !w.draft.slot_start && !w.slots.week });
    }
    if (stage === "contatti" && (w.draft.phone || w.draft.notes) && !contactReady(w)) await validateNow();
  }

  /** "Avanti": to the next stage; from Contatti it books. */
  async function next() {
    const w = getState().wizard;
    if (!w || !canAdvance(w, getState().app.limits)) return;
    const i = STEPPER_STAGES.indexOf(w.stage);
    if (w.stage === "contatti") return book();
    if (i >= 0) await goToStage(STEPPER_STAGES[i + 1]);
  }

  /** "Indietro", or a completed step of the stepper. */
  async function back(stage) {
    const w = getState().wizard;
    if (!w) return;
    const i = STEPPER_STAGES.indexOf(w.stage);
    const target = stage || STEPPER_STAGES[i - 1];
    if (i <= 0 || STEPPER_STAGES.indexOf(target) < 0 || STEPPER_STAGES.indexOf(target) >= i) return;
    await goToStage(target);
  }

  function scheduleSave() {
    saveTimer = ctx.clear(saveTimer);
    saveTimer = ctx.timers.setTimeout(() => {
      saveTimer = null;
      saveNow();
    }, SAVE_DEBOUNCE_MS);
  }

  /** Saves the wizard's draft now; saves never overlap (the second waits for the id). */
  async function saveNow() {
    saveTimer = ctx.clear(saveTimer);
    if (saving) {
      saveAgain = true;
      return saving;
    }
    const w = getState().wizard;
    if (!w || w.stage === "attesa" || w.stage === "esito") return;
    const draft = draftForWire(w.draft);
    saving = (async () => {
      dispatch({ type: "draft_saving" });
      const r = await run(() => api.saveDraft(draft));
      const current = getState().wizard;
      if (!current || current.draft.communication_id !== draft.communication_id) return;
      if (r.ok) dispatch({ type: "draft_saved", id: r.value.id, saved_at: r.value.saved_at });
      else if (!r.handled) dispatch({ type: "draft_save_failed", error: r.error });
    })();
    try {
      await saving;
    } finally {
      saving = null;
    }
    if (saveAgain) {
      saveAgain = false;
      await saveNow();
    }
  }

  /** Saves pending changes before leaving the wizard or booking. */
  async function flushSave() {
    if (saveTimer !== null || saving) await saveNow();
  }

  /** "Prenota Appuntamento". */
  async function book() {
    let w = getState().wizard;
    if (!w || w.booking.busy) return;
    if (!contactReady(w)) {
      await validateNow();
      w = getState().wizard;
      if (!w || !contactReady(w)) {
        dispatch({ type: "contact_touch", field: "phone" });
        dispatch({ type: "contact_touch", field: "notes" });
        dispatch({ type: "focus", id: w && w.contact.validation && !w.contact.validation.phone.ok ? "contact-phone" : "contact-notes" });
        return;
      }
    }
    dispatch({ type: "book_start" });
    // The booking saves the draft as it is on screen: a pending save is not needed, and an
    // in-flight one finishes first so that two writes of one draft never cross.
    saveTimer = ctx.clear(saveTimer);
    if (saving) await saving;
    w = getState().wizard;
    if (!w) return;
    const r = await run(() => api.book(draftForWire(w.draft)));
    if (r.ok) dispatch({ type: "book_done", result: r.value });
    else if (!r.handled) dispatch({ type: "book_failed", error: r.error });
    if (r.ok || (r.error && r.error.kind === "offline")) features.drafts.loadDrafts(); // the count beside "Bozze"
  }

  /** A slot offered after slot_taken: take it and book again. */
  async function chooseAlternative(start) {
    chooseSlot(start);
    await book();
  }

  async function holdAction(op) {
    const w = getState().wizard;
    if (!w || !w.appointment || w.hold.busy) return;
    dispatch({ type: "hold_start", op });
    const id = w.appointment.id;
    const r = await decideHold(ctx, id, op);
    if (r.ok) dispatch({ type: "hold_done", op, appointment: r.value });
    else if (!r.handled) dispatch({ type: "hold_failed", op, error: r.error });
  }

  const confirmHold = () => holdAction("confirm");
  const cancelHold = () => holdAction("cancel");

  /** Leaves the wizard (its draft stays saved unless it was booked). */
  async function closeWizard(route = "comunicazioni") {
    await flushSave();
    dispatch({ type: "wizard_close", route });
    await ctx.navigate(route, { focus: true });
  }

  function stop() {
    validateTimer = ctx.clear(validateTimer);
    saveTimer = ctx.clear(saveTimer);
  }

  return {
    startWizard, loadWizardOptions, choosePoint, loadOffices, chooseOffice, filterOffices, loadSlots, shiftWeek,
    chooseSlot, editContact, touchContact, validateNow, next, back, book, chooseAlternative,
    confirmHold, cancelHold, closeWizard, saveNow, flushSave, weekBounds, stop
  };
}
