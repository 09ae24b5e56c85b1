// Bozze: the drafts on this PC, resuming one where it was left, deleting one.
// No DOM here: everything comes in through `ctx` (see controller.js); other features are
// reached through `ctx.features` at call time.

import { draftFrom, STEPPER_STAGES } from "../../state.js";

/** The drafts feature's actions. */
export function createDrafts(ctx) {
  const { api, getState, dispatch, run, features } = ctx;

  async function loadDrafts() {
    dispatch({ type: "drafts_start" });
    const r = await run(() => api.listDrafts());
    if (r.ok) dispatch({ type: "drafts_done", items: r.value });
    else if (!r.handled) dispatch({ type: "drafts_failed", error: r.error });
  }

  /** Reopens the wizard where a draft was left. */
  async function resumeDraft(id) {
    const draft = getState().drafts.items.find((d) => d.id === id);
    if (!draft) return;
    await features.wizard.flushSave();
    const selected = getState().selected;
    if (!selected || selected.fiscal_code !== draft.contributor_fiscal_code) {
      const r = await run(() => api.selectContributor(draft.contributor_fiscal_code));
      if (!r.ok) {
        if (!r.handled) dispatch({ type: "notice", tone: "error", error: r.error });
        return;
      }
      dispatch({ type: "selected", contributor: r.value });
    }
    const fields = draftFrom(draft);
    if (draft.appointment_id) {
      // The service already holds a slot for it: straight to Conferma / Cancella Prenotazione.
      const held = await run(() => api.getAppointment(draft.appointment_id));
      if (!held.ok) {
        if (!held.handled) dispatch({ type: "notice", tone: "error", error: held.error });
        return;
      }
      const { communication: _c, office: _o, from_cache: _f, ...appointment } = held.value;
      dispatch({ type: "wizard_open", draft: fields, stage: "attesa", appointment });
      if (appointment.status === "confermato" || appointment.status === "prenotazione_cancellata") {
        dispatch({ type: "hold_done", op: appointment.status === "confermato" ? "confirm" : "cancel", appointment });
      } else if (appointment.status !== "prenotato") {
        dispatch({ type: "hold_failed", error: { kind: "hold_expired", message: "", details: {} } });
      }
      features.wizard.loadWizardOptions();
      return;
    }
    // Where it reopens is core's rule (never past a missing choice), sent with the draft.
    const stage = STEPPER_STAGES.includes(draft.resume_step) ? draft.resume_step : "argomento";
    dispatch({ type: "wizard_open", draft: fields, stage, problem: draft.problem || null });
    await features.wizard.loadWizardOptions();
    const order = STEPPER_STAGES.indexOf(stage);
    if (order >= 1) await features.wizard.loadOffices();
    if (order >= 2) await features.wizard.loadSlots(null, { seek: !fields.slot_start });
    if (order >= 3 && (fields.phone || fields.notes)) await features.wizard.validateNow();
  }

  async function deleteDraft(id) {
    dispatch({ type: "draft_busy", id });
    const r = await run(() => api.deleteDraft(id));
    if (r.ok) dispatch({ type: "draft_deleted", id });
    else {
      dispatch({ type: "draft_busy", id: null });
      if (!r.handled) dispatch({ type: "notice", tone: "error", error: r.error });
    }
  }

  return {
    loadDrafts, resumeDraft, deleteDraft
  };
}
