// What the contributor takes home: "Stampa ricevuta", "Salva PDF", "Calendario (.ics)".
// Each is one call; the outcome is a notice (the file's name and folder, or why not). A
// cancelled save dialog answers null and says nothing.

/** The folder part of `path` (either separator). */
export const folderOf = (path) => String(path || "").replace(/[\\/][^\\/]*$/, "") || String(path || "");

export function createTakeHome(ctx) {
  let busy = false;

  async function produce(call, noticeKey) {
    if (busy) return { ok: false, busy: true };
    busy = true;
    try {
      const r = await ctx.run(call);
      if (!r.ok) {
        if (!r.handled) ctx.dispatch({ type: "notice", tone: "error", error: r.error });
        return r;
      }
      if (r.value) {
        ctx.dispatch({
          type: "notice", tone: "success", key: noticeKey,
          params: { file: r.value.file_name, folder: folderOf(r.value.path) },
        });
      }
      return r;
    } finally {
      busy = false;
    }
  }

  const lang = () => ctx.getState().lang;
  return {
    /** Opens the receipt of `id` in the system's viewer, to print. */
    printReceipt: (id) => produce(() => ctx.api.printReceipt(id, lang()), "notice_receipt_opened"),
    /** Saves the receipt of `id` where the operator chooses. */
    saveReceipt: (id) => produce(() => ctx.api.saveReceipt(id, lang()), "notice_file_saved"),
    /** Saves the calendar file of `ids` where the operator chooses. */
    saveCalendar: (ids) => produce(() => ctx.api.saveCalendar(ids, lang()), "notice_file_saved"),
  };
}
