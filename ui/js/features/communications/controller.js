// Comunicazioni: the threads of the utente selezionato and one thread's messages.
// No DOM here: everything comes in through `ctx` (see controller.js); other features are
// reached through `ctx.features` at call time.

/** The communications feature's actions. */
export function createCommunications(ctx) {
  const { api, getState, dispatch, run } = ctx;

  async function loadCommunications() {
    const selected = getState().selected;
    if (!selected) return;
    const fc = selected.fiscal_code;
    dispatch({ type: "comms_start", fiscal_code: fc });
    const r = await run(() => api.listCommunications(fc));
    if (r.ok) dispatch({ type: "comms_done", fiscal_code: fc, result: r.value });
    else if (!r.handled) dispatch({ type: "comms_failed", fiscal_code: fc, error: r.error });
  }

  async function openThread(id) {
    dispatch({ type: "thread_start", id });
    const r = await run(() => api.getCommunication(id));
    if (r.ok) dispatch({ type: "thread_done", id, data: r.value });
    else if (!r.handled) dispatch({ type: "thread_failed", id, error: r.error });
  }

  const closeThread = (returnFocus) => dispatch({ type: "thread_close", returnFocus });

  return {
    loadCommunications, openThread, closeThread
  };
}
