// Agenda dello sportello: the holds awaiting confirmation (Conferma / Cancella in place), the
// appointments of the coming days across every delegated contributor, and the threads on
// which "Richiedi appuntamento" is possible, one click from the wizard.
// No DOM here: everything comes in through `ctx` (see controller.js); other features are
// reached through `ctx.features` at call time.

import { newDraft } from "../../state.js";
import { decideHold, holdNotice } from "../../holds.js";

/** The agenda feature's actions. */
export function createAgenda(ctx) {
  const { api, getState, dispatch, run, features } = ctx;

  let agendaSeq = 0;

  /** The copy kept on this computer first, at once (first opening only), then the service's. */
  async function loadAgenda() {
    const request = ++agendaSeq;
    dispatch({ type: "agenda_start" });
    if (!getState().agenda.data) {
      try {
        const asked = ctx.perfNow();
        const kept = await api.deskAgenda(undefined, { cached: true });
        if (kept && request === agendaSeq) dispatch({ type: "agenda_cached", data: kept, received_at: ctx.perfNow(), asked_at: asked });
      } catch {
        // Nothing kept to draw: the refresh below fills the screen.
      }
    }
    const asked = ctx.perfNow();
    const r = await run(() => api.deskAgenda());
    if (request !== agendaSeq) return;
    if (r.ok) dispatch({ type: "agenda_done", data: r.value, received_at: ctx.perfNow(), refresh_ms: ctx.perfNow() - asked });
    else if (!r.handled) dispatch({ type: "agenda_failed", error: r.error });
  }

  /** Conferma Appuntamento or Cancella Prenotazione on a hold, from the agenda. */
  async function agendaHoldAction(id, op) {
    dispatch({ type: "agenda_busy", id });
    const r = await decideHold(ctx, id, op);
    dispatch({ type: "agenda_busy", id: null });
    if (r.ok) {
      // The wizard that booked it, if still open, shows the same outcome.
      const w = getState().wizard;
      if (w && w.appointment && w.appointment.id === id) dispatch({ type: "hold_done", op, appointment: r.value });
      dispatch(holdNotice(op, id));
    } else if (!r.handled) {
      dispatch({ type: "notice", tone: "error", error: r.error });
    }
    await loadAgenda();
  }

  /** "Richiedi appuntamento" on a thread of the agenda: its contributor becomes the utente selezionato and the wizard opens. */
  async function requestFromAgenda(communicationId) {
    const data = getState().agenda.data;
    const item = data && data.requestable.find((c) => c.id === communicationId);
    if (!item) return;
    await features.wizard.flushSave();
    const r = await run(() => api.selectContributor(item.contributor.fiscal_code));
    if (!r.ok) {
      if (!r.handled) dispatch({ type: "notice", tone: "error", error: r.error });
      return;
    }
    dispatch({ type: "selected", contributor: r.value });
    dispatch({ type: "wizard_open", draft: newDraft(r.value, item) });
    await features.wizard.loadWizardOptions();
  }

  const setAgendaFilter = (field, value) => dispatch({ type: "agenda_filter", field, value });
  /** "Mostra altri": the next rows of a long list (`appointments` or `request`). */
  const showMoreAgenda = (list) => dispatch({ type: "agenda_more", list });
  const resetAgendaFilters = () => dispatch({ type: "agenda_filter_reset" });

  return { loadAgenda, agendaHoldAction, requestFromAgenda, setAgendaFilter, resetAgendaFilters, showMoreAgenda };
}
