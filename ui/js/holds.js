// Conferma Appuntamento / Cancella Prenotazione on a held slot, wherever the hold is shown
// (the wizard's outcome, the agenda, the history's details): one call and its follow-up.

/**
 * Confirms (`op` "confirm") or releases ("cancel") the hold `id`; afterwards the count beside
 * "Bozze" is reloaded, since the draft behind the hold is gone (confirmed) or back for
 * editing (released). Returns the `run` result.
 */
export async function decideHold(ctx, id, op) {
  const r = await ctx.run(() => (op === "confirm" ? ctx.api.confirmBooking(id) : ctx.api.cancelBooking(id)));
  ctx.features.drafts.loadDrafts();
  return r;
}

/** The notice that tells the outcome of `op`. */
export const holdNotice = (op, id) => ({
  type: "notice", tone: "success", key: op === "confirm" ? "notice_appointment_confirmed" : "notice_hold_cancelled", params: { id },
});
