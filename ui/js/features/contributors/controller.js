// Assistiti: the search as typed, more results, and choosing the utente selezionato.
// No DOM here: everything comes in through `ctx` (see controller.js); other features are
// reached through `ctx.features` at call time.

export const SEARCH_DEBOUNCE_MS = 250;

/** The contributors feature's actions. */
export function createContributors(ctx) {
  const { api, getState, dispatch, run } = ctx;
  let searchTimer = null;
  let searchSeq = 0;

  /** As typed: searches after a short pause. */
  function searchInput(q) {
    searchTimer = ctx.clear(searchTimer);
    searchTimer = ctx.timers.setTimeout(() => {
      searchTimer = null;
      searchNow(q);
    }, SEARCH_DEBOUNCE_MS);
  }

  async function searchNow(q, { more = false } = {}) {
    const seq = ++searchSeq;
    const query = String(q ?? "").trim();
    const cursor = more ? getState().search.next_cursor : undefined;
    dispatch({ type: "search_start", q: query, seq, append: more });
    const r = await run(() => api.searchContributors(query, cursor || undefined));
    if (r.ok) dispatch({ type: "search_done", seq, result: r.value, append: more });
    else if (!r.handled) dispatch({ type: "search_failed", seq, error: r.error });
  }

  const searchMore = () => searchNow(getState().search.q, { more: true });

  async function pickContributor(fiscalCode) {
    const r = await run(() => api.selectContributor(fiscalCode));
    if (!r.ok) {
      if (!r.handled) dispatch({ type: "notice", tone: "error", error: r.error });
      return;
    }
    dispatch({ type: "selected", contributor: r.value });
    dispatch({ type: "notice", tone: "success", key: "notice_contributor_selected", params: { name: r.value.display_name } });
    await ctx.navigate("comunicazioni");
  }

  function stop() {
    searchTimer = ctx.clear(searchTimer);
  }

  return {
    searchInput, searchNow, searchMore, pickContributor, stop
  };
}
