// Informazioni: loads the build facts; the view copies the support text (the clipboard is
// the DOM's) and reports how it went with `aboutCopied`.
// No DOM here: everything comes in through `ctx` (see controller.js).

/** The about feature's actions. */
export function createAbout(ctx) {
  const { api, dispatch, run } = ctx;

  async function loadAbout() {
    dispatch({ type: "about_start" });
    const r = await run(() => api.about());
    if (r.ok) dispatch({ type: "about_done", value: r.value });
    else if (!r.handled) dispatch({ type: "about_failed", error: r.error });
  }

  /** The view tried to copy the support text: `ok` says whether the system took it. */
  function aboutCopied(ok) {
    dispatch({ type: "about_copied", ok });
  }

  return { loadAbout, aboutCopied };
}
