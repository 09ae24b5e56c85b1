// Assistiti: search as you type by fiscal code or name, pick one.

import { errorText, formatDate, formatFiscalCode } from "../../format.js";
import { t } from "../../i18n.js";
import { attr, byId, byTestId, clone, memo, setText, setValue, show, showText } from "../../views/dom.js";

export function createContributors(ctrl) {
  const input = byId("contributor-search");
  const list = byId("contributor-results");
  const more = byTestId(document, "contributor-more");
  const changed = memo();
  let typed = false;

  input.addEventListener("input", () => {
    typed = true;
    ctrl.searchInput(input.value);
  });
  input.addEventListener("keydown", (event) => {
    // Enter searches at once; ArrowDown moves to the first result.
    if (event.key === "Enter") {
      event.preventDefault();
      ctrl.searchNow(input.value);
    } else if (event.key === "ArrowDown") {
      const first = list.querySelector("button");
      if (first) {
        event.preventDefault();
        first.focus();
      }
    }
  });
  list.addEventListener("keydown", (event) => {
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
    const buttons = [...list.querySelectorAll("button")];
    const i = buttons.indexOf(document.activeElement);
    if (i < 0) return;
    event.preventDefault();
    if (event.key === "ArrowUp" && i === 0) input.focus();
    else buttons[Math.max(0, Math.min(buttons.length - 1, i + (event.key === "ArrowDown" ? 1 : -1)))].focus();
  });
  list.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-fiscal-code]");
    if (button) ctrl.pickContributor(button.dataset.fiscalCode);
  });
  more.addEventListener("click", () => ctrl.searchMore());

  function render(state) {
    const lang = state.lang;
    const s = state.search;
    if (!changed(lang, s, state.selected)) return;
    if (!typed || document.activeElement !== input) setValue(input, s.q);
    const rows = s.items.map((c) => {
      const li = clone("tpl-contributor");
      const button = li.querySelector("button");
      button.dataset.fiscalCode = c.fiscal_code;
      li.querySelector(".js-name").textContent = c.display_name;
      li.querySelector(".js-cf").textContent = formatFiscalCode(c.fiscal_code);
      li.querySelector(".js-gestione").textContent = t(lang, `gestione_${c.gestione}`) !== `gestione_${c.gestione}`
        ? t(lang, `gestione_${c.gestione}`) : String(c.gestione || "");
      const until = c.delegation && c.delegation.valid_until;
      li.querySelector(".js-delegation").textContent = until
        ? t(lang, "delegation_until", { date: formatDate(until) })
        : t(lang, "delegation_active");
      const isSelected = state.selected && state.selected.fiscal_code === c.fiscal_code;
      attr(button, "aria-current", isSelected ? "true" : null);
      if (isSelected) button.classList.add("is-selected");
      return li;
    });
    list.replaceChildren(...rows);
    showText(byId("contributor-error"), s.status === "error" ? errorText(lang, s.error) : "");
    let status = "";
    if (s.status === "loading") status = t(lang, "searching");
    else if (s.status === "ready") {
      status = s.items.length === 0
        ? (s.q ? t(lang, "contributors_none_for", { q: s.q }) : t(lang, "contributors_none"))
        : t(lang, s.items.length === 1 ? "contributors_count_one" : "contributors_count", { count: s.items.length });
      if (s.from_cache) status += " " + t(lang, "from_cache_note");
    }
    setText(byId("contributor-status"), status);
    show(more, Boolean(s.next_cursor) && s.status !== "loading");
  }

  return { render };
}
