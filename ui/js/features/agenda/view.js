// Agenda dello sportello: three lists on one screen — the holds awaiting confirmation with
// their countdown and Conferma / Cancella in place, the appointments of the coming days across
// every delegated contributor, and the threads where "Richiedi appuntamento" is possible.

import {
  APPOINTMENT_STATUSES, appointmentStatusLabel, CHANNELS, channelLabel, errorText, formatCountdown, formatDate,
  formatDateTime, formatDayHeading, formatFiscalCode, formatTime, romeDate,
} from "../../format.js";
import { t } from "../../i18n.js";
import { allows } from "../../state.js";
import { byId, byTestId, clone, memo, setText, setValue, show, showText } from "../../views/dom.js";
import { AGENDA_PAGE, filterAgenda } from "./state.js";

export function createAgendaView(ctrl) {
  const holdsBody = byId("agenda-holds-body");
  const appointmentsBody = byId("agenda-appointments-body");
  const requestBody = byId("agenda-request-body");
  const changed = { lists: memo(), countdown: memo() };

  byTestId(document, "agenda-refresh").addEventListener("click", () => ctrl.loadAgenda());
  byId("agenda-filters").addEventListener("change", (event) => {
    const field = event.target.dataset.field;
    if (field) ctrl.setAgendaFilter(field, event.target.value);
  });
  byTestId(document, "agenda-filter-reset").addEventListener("click", () => ctrl.resetAgendaFilters());
  // "Mostra altri": focus goes to the first row added (the button may vanish with the last).
  let focusAdded = null;
  for (const more of document.querySelectorAll("#agenda-body button.more")) {
    more.addEventListener("click", () => {
      const body = byId(`agenda-${more.dataset.list}-body`);
      focusAdded = { body, index: body.children.length };
      ctrl.showMoreAgenda(more.dataset.list);
    });
  }

  /** Fills a filter's <select>: "all" first, then `options` as [value, label]. */
  function fillSelect(select, allLabel, options, value) {
    const nodes = [["", allLabel], ...options].map(([v, label]) => {
      const option = document.createElement("option");
      option.value = v;
      option.textContent = label;
      return option;
    });
    select.replaceChildren(...nodes);
    setValue(select, value);
  }

  function renderFilters(lang, data, filters) {
    const all = data ? [...data.holds, ...data.appointments] : [];
    const days = [...new Set(all.map((a) => romeDate(a.start)))].sort();
    const offices = new Map(all.map((a) => [a.office_code, a.office_name || a.office_code]));
    fillSelect(byId("agenda-filter-day"), t(lang, "filter_all_days"), days.map((d) => [d, formatDayHeading(d, lang)]), filters.day);
    fillSelect(byId("agenda-filter-status"), t(lang, "filter_all"), APPOINTMENT_STATUSES.map((s) => [s, appointmentStatusLabel(lang, s)]), filters.status);
    fillSelect(byId("agenda-filter-channel"), t(lang, "filter_all_channels"), CHANNELS.map((c) => [c, channelLabel(lang, c)]), filters.channel);
    fillSelect(byId("agenda-filter-office"), t(lang, "filter_all_offices"), [...offices].sort((a, b) => a[1].localeCompare(b[1])), filters.office);
    byTestId(document, "agenda-filter-reset").disabled = !Object.values(filters).some(Boolean);
  }
  holdsBody.addEventListener("click", (event) => {
    const b = event.target.closest("button[data-id]");
    if (!b || b.disabled) return;
    ctrl.agendaHoldAction(b.dataset.id, b.classList.contains("js-confirm") ? "confirm" : "cancel");
  });
  requestBody.addEventListener("click", (event) => {
    const b = event.target.closest("button[data-id]");
    if (b && !b.disabled) ctrl.requestFromAgenda(b.dataset.id);
  });
  // ArrowUp/ArrowDown (Home/End) move between the rows' buttons of the same kind.
  for (const body of [holdsBody, requestBody]) {
    body.addEventListener("keydown", (event) => {
      if (!["ArrowDown", "ArrowUp", "Home", "End"].includes(event.key) || event.altKey || event.ctrlKey || event.metaKey) return;
      const b = event.target.closest("button[data-id]");
      if (!b) return;
      const kind = [...b.classList].find((c) => c.startsWith("js-"));
      const same = [...body.querySelectorAll(`button.${kind}:not(:disabled)`)];
      const i = same.indexOf(b);
      if (i < 0) return;
      event.preventDefault();
      const target = event.key === "Home" ? 0 : event.key === "End" ? same.length - 1 : i + (event.key === "ArrowDown" ? 1 : -1);
      const next = same[Math.max(0, Math.min(same.length - 1, target))];
      next.focus();
    });
  }

  /** "Rossi Mario · RSS MRA …" of an appointment or a thread. */
  function who(contributor) {
    if (!contributor) return "";
    return contributor.display_name || formatFiscalCode(contributor.fiscal_code);
  }

  function holdRow(lang, a, busy) {
    const tr = clone("tpl-agenda-hold");
    tr.dataset.id = a.id;
    tr.querySelector(".js-left").dataset.expires = a.hold_expires_at || "";
    tr.querySelector(".js-when").textContent = formatDateTime(a.start);
    tr.querySelector(".js-who").textContent = who(a.contributor);
    tr.querySelector(".js-topic").textContent = a.topic_label || a.topic_code;
    tr.querySelector(".js-office").textContent = a.office_name || a.office_code;
    tr.querySelector(".js-id").textContent = a.id;
    for (const [sel, key, action] of [[".js-confirm", "confirm_booking", "confirm"], [".js-cancel", "cancel_booking", "cancel_hold"]]) {
      const b = tr.querySelector(sel);
      b.dataset.id = a.id;
      b.textContent = t(lang, key);
      b.setAttribute("aria-label", `${t(lang, key)}: ${a.id}, ${who(a.contributor)}`);
      b.disabled = busy || !allows(a, action);
    }
    return tr;
  }

  function appointmentRow(lang, a) {
    const tr = clone("tpl-agenda-appointment");
    tr.dataset.id = a.id;
    tr.dataset.status = a.status;
    tr.querySelector(".js-when").textContent = formatDateTime(a.start);
    tr.querySelector(".js-who").textContent = who(a.contributor);
    tr.querySelector(".js-topic").textContent = a.topic_label || a.topic_code;
    tr.querySelector(".js-channel").textContent = channelLabel(lang, a.channel);
    tr.querySelector(".js-office").textContent = a.office_name || a.office_code;
    const badge = tr.querySelector(".js-status");
    badge.textContent = appointmentStatusLabel(lang, a.status);
    badge.classList.add(`status-${a.status}`);
    tr.querySelector(".js-id").textContent = a.id;
    return tr;
  }

  function requestRow(lang, c) {
    const tr = clone("tpl-agenda-request");
    tr.dataset.id = c.id;
    tr.querySelector(".js-who").textContent = who(c.contributor);
    tr.querySelector(".js-subject").textContent = c.subject;
    tr.querySelector(".js-topic").textContent = c.topic_label || c.topic_code;
    const from = c.appointment_request && c.appointment_request.allowed_from;
    tr.querySelector(".js-from").textContent = from ? formatDate(from) : "";
    const b = tr.querySelector(".js-request");
    b.dataset.id = c.id;
    b.textContent = t(lang, "request_appointment");
    b.setAttribute("aria-label", `${t(lang, "request_appointment")}: ${c.subject}, ${who(c.contributor)}`);
    b.disabled = !(c.appointment_request && c.appointment_request.allowed);
    return tr;
  }

  let measuredAt = 0;

  function render(state, screen) {
    if (screen !== "agenda") return;
    const lang = state.lang;
    const ag = state.agenda;
    const data = ag.data;
    if (changed.lists(lang, ag)) {
      const offered = Boolean(data && data.offered);
      show(byId("agenda-not-offered"), Boolean(data && !data.offered));
      show(byId("agenda-body"), offered);
      show(byId("agenda-loading"), ag.status === "loading" && !data);
      showText(byId("agenda-error"), ag.status === "error" ? errorText(lang, ag.error) : "");
      let range = data ? t(lang, "agenda_range", { from: formatDate(data.from), to: formatDate(data.to) }) : "";
      if (data && data.synced_at) range += " " + t(lang, "agenda_synced", { time: formatTime(data.synced_at) });
      if (data && (ag.status === "refreshing" || ag.status === "loading")) range += " " + t(lang, "agenda_refreshing");
      setText(byId("agenda-range"), range);
      renderFilters(lang, data, ag.filters);
      const holds = offered ? filterAgenda(data.holds, ag.filters, romeDate) : [];
      const appointments = offered ? filterAgenda(data.appointments, ag.filters, romeDate) : [];
      const requestable = offered ? data.requestable : [];
      // A button with focus is drawn anew: focus goes to its new copy (never to another row's).
      const focused = document.activeElement;
      const kept = focused && focused.matches && focused.matches("#agenda-body button[data-id]")
        ? { id: focused.dataset.id, kind: [...focused.classList].find((c) => c.startsWith("js-")), body: focused.closest("tbody") }
        : null;
      // Long lists are drawn a page at a time ("Mostra altri"): a busy desk stays quick.
      const shown = ag.shown || {};
      const page = (list, items) => items.slice(0, shown[list] || AGENDA_PAGE);
      holdsBody.replaceChildren(...holds.map((a) => holdRow(lang, a, ag.busy_id === a.id)));
      appointmentsBody.replaceChildren(...page("appointments", appointments).map((a) => appointmentRow(lang, a)));
      requestBody.replaceChildren(...page("request", requestable).map((c) => requestRow(lang, c)));
      if (focusAdded) {
        const row = focusAdded.body.children[focusAdded.index];
        focusAdded = null;
        if (row) {
          const target = row.querySelector("button:not(:disabled)") || row;
          if (target === row) row.tabIndex = -1;
          target.focus();
        }
      }
      for (const [list, items] of [["appointments", appointments], ["request", requestable]]) {
        const more = byId(`agenda-${list}-more`);
        const left = items.length - Math.min(items.length, shown[list] || AGENDA_PAGE);
        show(more, left > 0);
        setText(more, left > 0 ? t(lang, "agenda_more", { count: Math.min(left, AGENDA_PAGE), total: items.length }) : "");
      }
      if (kept && !(document.activeElement && document.activeElement.closest("#agenda-body tbody"))) {
        const again = kept.body.querySelector(`button.${kept.kind}[data-id="${CSS.escape(kept.id)}"]:not(:disabled)`);
        if (again) again.focus();
      }
      for (const [list, key] of [["holds", holds], ["appointments", appointments], ["request", requestable]]) {
        show(byId(`agenda-${list}-wrap`), key.length > 0);
        show(byId(`agenda-${list}-empty`), offered && key.length === 0);
      }
      if (data && ag.received_at && ag.received_at !== measuredAt) {
        // For the render benchmark: the first paint after the data reached the screen.
        measuredAt = ag.received_at;
        const t0 = ag.received_at;
        const from = ag.status === "refreshing" ? "cache" : "service";
        const rows = holds.length + appointments.length + requestable.length;
        const { asked_at: asked, refresh_ms: refresh } = ag;
        requestAnimationFrame(() => {
          if (!window.__cassettoMetrics) window.__cassettoMetrics = {};
          const m = window.__cassettoMetrics;
          const now = performance.now();
          m[`agenda_${from}_render_ms`] = Math.round((now - t0) * 10) / 10;
          if (from === "cache" && asked) m.agenda_cache_to_paint_ms = Math.round((now - asked) * 10) / 10;
          if (from === "service" && refresh) m.agenda_refresh_ms = Math.round(refresh * 10) / 10;
          m[`agenda_${from}_rows`] = rows;
        });
      }
    }
    // The holds' countdowns, on the service's clock (the controller's ticker).
    if (changed.countdown(state.now, ag)) {
      for (const cell of holdsBody.querySelectorAll(".js-left")) {
        setText(cell, formatCountdown(ctrl.holdRemaining({ hold_expires_at: cell.dataset.expires })));
      }
    }
  }

  return { render };
}
