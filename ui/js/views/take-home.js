// The buttons of what the contributor takes home, wherever an appointment is shown:
// `data-take-home="print" | "save" | "ics"` beside an identificativo (`data-id-from`: the
// element holding it, or `data-id-testid`), and `"ics-list"` for the list on screen
// (`data-list="history"`: Gestione appuntamenti as filtered). The button is disabled while
// its document is made.

/** The identificativo a button stands beside. */
function idOf(button) {
  const source = button.dataset.idFrom
    ? document.getElementById(button.dataset.idFrom)
    : document.querySelector(`[data-testid="${button.dataset.idTestid}"]`);
  return source ? source.textContent.trim() : "";
}

/** The identificativi of the list `name` as it is shown now. */
function listIds(state, name) {
  if (name === "history") return state.history.items.map((a) => a.id);
  return [];
}

export function createTakeHome(ctrl) {
  document.addEventListener("click", async (event) => {
    const button = event.target.closest && event.target.closest("button[data-take-home]");
    if (!button || button.disabled) return;
    const what = button.dataset.takeHome;
    let run;
    if (what === "ics-list") {
      const ids = listIds(ctrl.state(), button.dataset.list);
      if (ids.length === 0) return;
      run = () => ctrl.saveCalendar(ids);
    } else {
      const id = idOf(button);
      if (!id) return;
      run = { print: () => ctrl.printReceipt(id), save: () => ctrl.saveReceipt(id), ics: () => ctrl.saveCalendar([id]) }[what];
    }
    if (!run) return;
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    try {
      await run();
    } finally {
      button.disabled = false;
      button.removeAttribute("aria-busy");
    }
  });
  return { render() {} };
}
