// Gestione appuntamenti: filters, the history as a virtualised list (fixed row height, only the
// visible rows plus overscan in the DOM), the details of one, and "Annulla appuntamento" after a
// confirm dialog. Records the render time in window.__cassettoMetrics.

import {
  APPOINTMENT_STATUSES, appointmentStatusLabel, channelLabel, communicationStatusLabel, errorText,
  formatCountdown, formatDate, formatDateTime, formatPhone, formatTime, holdRemaining,
} from "../../format.js";
import { t } from "../../i18n.js";
import { allows } from "../../state.js";
import { windowRange } from "../../virtual.js";
import { showSpoken } from "../../views/copy-id.js";
import { attr, byId, byTestId, clone, fillFacts, memo, setText, setValue, show, showText } from "../../views/dom.js";

/** Height of one history row in px; must match .vlist-viewport .vrow in app.css. */
export const ROW_HEIGHT = 48;
const OVERSCAN = 10;
/** Cerca searches once typing pauses this long (ms). */
const SEARCH_PAUSE_MS = 250;

function metrics() {
  if (!window.__cassettoMetrics) window.__cassettoMetrics = {};
  return window.__cassettoMetrics;
}

export function createAppointments(ctrl) {
  const root = document.querySelector('section[data-screen="appuntamenti"]');
  const viewport = byId("history-list");
  const spacer = byId("history-spacer");
  const table = byId("history-table");
  const statusSelect = byId("history-filter-status");
  const from = byId("history-filter-from");
  const to = byId("history-filter-to");
  const search = byId("history-filter-search");
  const panel = byId("appointment-detail");
  const dialog = byId("cancel-dialog");
  const btn = (id) => byTestId(root, id);
  const changed = { filters: memo(), list: memo(), detail: memo(), countdown: memo() };

  let items = [];
  let lang = "it";
  let openId = null;
  let rendered = new Map(); // index -> row element
  let renderedVersion = -1;
  let renderedLang = null;
  let measuredVersion = -1;
  let frame = 0;
  let lastRequest = null;

  statusSelect.addEventListener("change", () => ctrl.setHistoryFilter("status", statusSelect.value));
  for (const [input, field] of [[from, "from"], [to, "to"]]) {
    input.addEventListener("change", () => ctrl.setHistoryFilter(field, input.value));
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        ctrl.setHistoryFilter(field, input.value);
      }
    });
  }
  // Cerca: as the operator types, once a pause says the word is there.
  let searchTimer = 0;
  search.addEventListener("input", () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => ctrl.setHistoryFilter("search", search.value.trim()), SEARCH_PAUSE_MS);
  });
  search.addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    event.preventDefault();
    clearTimeout(searchTimer);
    ctrl.setHistoryFilter("search", search.value.trim());
  });
  btn("history-filter-reset").addEventListener("click", () => ctrl.resetHistoryFilters());
  btn("history-refresh").addEventListener("click", () => ctrl.loadHistory());
  byId("history-filters").addEventListener("submit", (e) => e.preventDefault());

  viewport.addEventListener("scroll", () => {
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      renderWindow();
    });
  }, { passive: true });
  window.addEventListener("resize", () => renderWindow());
  spacer.addEventListener("click", (event) => {
    const b = event.target.closest("button[data-id]");
    if (b) ctrl.openAppointment(b.dataset.id);
  });
  // Arrow keys move between rows' buttons, scrolling the window as needed.
  spacer.addEventListener("keydown", (event) => {
    if (!["ArrowDown", "ArrowUp", "Home", "End"].includes(event.key)) return;
    const current = event.target.closest("[data-index]");
    if (!current) return;
    event.preventDefault();
    const i = Number(current.dataset.index);
    const target = event.key === "Home" ? 0 : event.key === "End" ? items.length - 1 : i + (event.key === "ArrowDown" ? 1 : -1);
    focusRow(Math.max(0, Math.min(items.length - 1, target)));
  });

  btn("detail-close").addEventListener("click", () => {
    const id = openId;
    ctrl.closeAppointment();
    const index = items.findIndex((a) => a.id === id);
    if (index >= 0) focusRow(index);
    else byId("page-title").focus();
  });
  panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !dialog.open) btn("detail-close").click();
  });
  btn("detail-reschedule").addEventListener("click", () => ctrl.openReschedule());
  btn("reschedule-close").addEventListener("click", () => {
    ctrl.closeReschedule();
    btn("detail-reschedule").focus();
  });
  byId("reschedule-slots").addEventListener("click", (event) => {
    const b = event.target.closest("button[data-start]");
    if (b && !b.disabled) ctrl.rescheduleTo(b.dataset.start);
  });
  btn("detail-confirm").addEventListener("click", () => ctrl.detailHoldAction("confirm"));
  btn("detail-cancel-hold").addEventListener("click", () => ctrl.detailHoldAction("cancel"));
  btn("cancel-appointment").addEventListener("click", () => {
    const a = ctrl.state().detail.data;
    if (!a) return;
    setText(byId("cancel-dialog-body"), t(lang, "cancel_dialog_body", { id: a.id, when: formatDateTime(a.start) }));
    byId("cancel-dialog-reason").value = "";
    const reasonMax = ctrl.state().app.limits.cancel_reason_max_chars;
    if (reasonMax) byId("cancel-dialog-reason").maxLength = reasonMax;
    dialog.returnValue = "";
    dialog.showModal();
    byTestId(dialog, "cancel-dialog-dismiss").focus();
  });
  dialog.addEventListener("close", () => {
    const a = ctrl.state().detail.data;
    if (dialog.returnValue === "confirm" && a) {
      ctrl.cancelAppointment(a.id, byId("cancel-dialog-reason").value);
    } else {
      btn("cancel-appointment").focus();
    }
  });

  function focusRow(index) {
    const top = index * ROW_HEIGHT;
    if (top < viewport.scrollTop) viewport.scrollTop = top;
    else if (top + ROW_HEIGHT > viewport.scrollTop + viewport.clientHeight) viewport.scrollTop = top + ROW_HEIGHT - viewport.clientHeight;
    renderWindow();
    const row = rendered.get(index);
    if (row) row.querySelector("button").focus();
  }

  function fillRow(row, a, index) {
    row.dataset.index = String(index);
    row.dataset.id = a.id;
    row.dataset.status = a.status;
    row.setAttribute("aria-rowindex", String(index + 2));
    row.style.transform = `translateY(${index * ROW_HEIGHT}px)`;
    row.classList.toggle("is-open", a.id === openId);
    setText(row.querySelector(".js-topic"), a.topic_label || a.topic_code || "");
    setText(row.querySelector(".js-point"), a.consultation_point_label || a.consultation_point || "");
    setText(row.querySelector(".js-channel"), channelLabel(lang, a.channel));
    setText(row.querySelector(".js-office"), a.office_name || a.office_code || "");
    const badge = row.querySelector(".js-status");
    setText(badge, appointmentStatusLabel(lang, a.status));
    badge.className = `badge js-status status-${a.status}`;
    badge.dataset.status = a.status;
    setText(row.querySelector(".js-id"), a.id);
    const open = row.querySelector(".js-open");
    setText(open, formatDateTime(a.start));
    open.dataset.id = a.id;
    attr(open, "aria-expanded", a.id === openId ? "true" : "false");
    open.setAttribute("aria-label", t(lang, "history_open", { id: a.id, when: formatDateTime(a.start) }));
  }

  /** Puts rows [start, end) in the DOM, reusing the ones already there, in index order. */
  function renderWindow(force = false) {
    const { start, end, totalHeight } = windowRange({
      count: items.length,
      rowHeight: ROW_HEIGHT,
      scrollTop: viewport.scrollTop,
      viewportHeight: viewport.clientHeight || 600,
      overscan: OVERSCAN,
    });
    spacer.style.height = `${totalHeight}px`;
    const next = new Map();
    const focused = document.activeElement && spacer.contains(document.activeElement)
      ? Number(document.activeElement.closest("[data-index]")?.dataset.index)
      : -1;
    for (const [index, row] of rendered) {
      const keep = (index >= start && index < end) || index === focused;
      if (keep && !force && items[index] && row.dataset.id === items[index].id) next.set(index, row);
      else if (keep && items[index]) {
        fillRow(row, items[index], index);
        next.set(index, row);
      } else row.remove();
    }
    let before = null;
    for (let i = end - 1; i >= start; i--) {
      const existing = next.get(i);
      if (existing) {
        before = existing;
        continue;
      }
      const row = clone("tpl-history-row");
      fillRow(row, items[i], i);
      spacer.insertBefore(row, before);
      next.set(i, row);
      before = row;
    }
    rendered = next;
    metrics().history_dom_rows = rendered.size;
    // Keep the header's columns over the rows' when the list shows a scrollbar.
    const gutter = viewport.offsetWidth - viewport.clientWidth;
    const head = table.querySelector(".vrow-head .vrow");
    if (head.style.paddingRight !== `${12 + gutter}px`) head.style.paddingRight = `${12 + gutter}px`;
  }

  function renderFilters(state) {
    const f = state.history.filters;
    if (statusSelect.options.length !== APPOINTMENT_STATUSES.length + 1 || statusSelect.dataset.lang !== state.lang) {
      const options = [["", t(state.lang, "filter_all")], ...APPOINTMENT_STATUSES.map((s) => [s, appointmentStatusLabel(state.lang, s)])]
        .map(([value, label]) => {
          const o = document.createElement("option");
          o.value = value;
          o.textContent = label;
          return o;
        });
      statusSelect.replaceChildren(...options);
      statusSelect.dataset.lang = state.lang;
    }
    statusSelect.value = f.status;
    const h = state.history;
    for (const [input, field] of [[from, "from"], [to, "to"]]) {
      const error = h.filter_errors[field];
      if (document.activeElement !== input || error) setValue(input, error ? h.filter_raw[field] : formatDate(f[field]));
      input.setAttribute("aria-invalid", error ? "true" : "false");
      setText(byId(`history-filter-${field}-error`), error ? t(state.lang, error) : "");
    }
    if (document.activeElement !== search) setValue(search, f.search);
    btn("history-filter-reset").disabled = !f.status && !f.from && !f.to && !f.search && !h.filter_errors.from && !h.filter_errors.to;
  }

  function render(state, screen) {
    if (screen !== "appuntamenti") return;
    lang = state.lang;
    const h = state.history;
    if (changed.filters(lang, h.filters, h.filter_errors, h.filter_raw)) renderFilters(state);

    if (changed.list(lang, h, state.detail.id)) {
      const t0 = h.version !== measuredVersion && h.received_at ? h.received_at : 0;
      items = h.items;
      const detailChanged = openId !== state.detail.id;
      openId = state.detail.id;
      // Another language re-labels the rows already drawn (their status badges too).
      const langChanged = renderedLang !== lang;
      renderedLang = lang;
      const force = renderedVersion !== h.version || detailChanged || langChanged;
      if (h.request !== lastRequest && (h.status === "ready" || h.status === "refreshing")) {
        lastRequest = h.request;
        viewport.scrollTop = 0; // a new result set starts at the top
      }
      renderedVersion = h.version;
      renderWindow(force);
      table.setAttribute("aria-rowcount", String(items.length + 1));
      const hasFilters = Boolean(h.filters.status || h.filters.from || h.filters.to || h.filters.search);
      show(byId("history-loading"), h.status === "loading" && items.length === 0);
      const empty = (h.status === "ready" || h.status === "refreshing") && items.length === 0;
      show(byId("history-empty"), empty);
      setText(byId("history-empty"), hasFilters ? t(lang, "history_empty_filtered") : t(lang, "history_empty"));
      show(table, items.length > 0);
      showText(byId("history-error"), h.status === "error" ? errorText(lang, h.error) : "");
      let count = "";
      if (h.status === "ready" || h.status === "refreshing" || (h.status === "error" && items.length > 0)) {
        // While the rest of the local copy comes, the count is the whole copy's.
        const n = h.status === "refreshing" && h.total > items.length ? h.total : items.length;
        count = t(lang, n === 1 ? "history_count_one" : "history_count", { count: n.toLocaleString(lang === "en" ? "en-GB" : "it-IT") });
        if (h.from_cache) count += " " + t(lang, "from_cache_at", { when: formatDateTime(h.synced_at) || "—" });
        else {
          // "12 appuntamenti · aggiornato alle 10:15 · aggiornamento in corso…"
          const parts = [count.replace(/\.$/, "")];
          if (h.synced_at) parts.push(t(lang, "synced_at_time", { time: formatTime(h.synced_at) }));
          if (h.status === "refreshing") parts.push(t(lang, "refreshing"));
          count = parts.join(" · ") + (h.status === "refreshing" ? "" : ".");
        }
      } else if (h.status === "loading") count = t(lang, "loading");
      setText(byId("history-count"), count);
      btn("history-export-ics").disabled = items.length === 0;
      if (h.status === "ready" && h.refresh_ms) {
        // For the render benchmark: how long the refresh after the local copy took.
        const m = metrics();
        m.history_refresh_ms = Math.round(h.refresh_ms * 10) / 10;
        m.history_refresh_unchanged = Boolean(h.unchanged);
      }
      root.classList.toggle("has-detail", state.detail.id !== null);
      if (t0 && (h.status === "ready" || h.status === "refreshing")) {
        measuredVersion = h.version;
        // First paint after the data is local: the frame after this render.
        requestAnimationFrame(() => {
          const m = metrics();
          m.history_render_ms = Math.round((performance.now() - t0) * 10) / 10;
          m.history_items = items.length;
          m.history_dom_rows = rendered.size;
          m.history_measured_at = new Date().toISOString();
        });
      }
    }

    if (changed.detail(lang, state.detail, state.cancel, state.reschedule, state.agenda.data)) renderDetail(state);
    const d = state.detail.data;
    if (d && d.status === "prenotato" && changed.countdown(state.now, d)) {
      const left = holdRemaining(d.hold_expires_at, state.now);
      setText(byId("detail-countdown"), formatCountdown(left));
    }
  }

  function renderDetail(state) {
    const detail = state.detail;
    show(panel, detail.id !== null);
    if (detail.id === null) return;
    const a = detail.data;
    setText(byId("detail-heading"), t(lang, "detail_title"));
    show(byId("detail-loading"), detail.status === "loading");
    const error = detail.status === "error" ? detail.error : state.cancel.error;
    showText(byId("detail-error"), error ? errorText(lang, error) : "");
    const held = Boolean(a && a.status === "prenotato" && a.hold_expires_at);
    show(byId("detail-countdown-box"), held);
    show(byId("detail-copy"), Boolean(a));
    // What the contributor takes home: the receipt of a confirmed appointment; the
    // calendar file of any (an annulled one cancels it in the calendar).
    show(byId("detail-take-home"), Boolean(a));
    show(btn("detail-print-receipt"), Boolean(a && a.status === "confermato"));
    show(btn("detail-save-receipt"), Boolean(a && a.status === "confermato"));
    showSpoken("detail-id-spoken", a ? a.id : "", lang);
    const office = a && a.office;
    fillFacts(byId("detail-fields"), a ? [
      [t(lang, "appointment_id"), a.id, "detail-id"],
      [t(lang, "col_status"), appointmentStatusLabel(lang, a.status), "detail-status"],
      [t(lang, "date_time"), `${formatDateTime(a.start)}${a.end ? `–${formatTime(a.end)}` : ""}`, "detail-when"],
      [t(lang, "topic"), a.topic_label || a.topic_code, "detail-topic"],
      [t(lang, "consultation_point"), `${a.consultation_point_label || a.consultation_point} · ${channelLabel(lang, a.channel)}`, "detail-point"],
      [t(lang, "office"), office ? `${office.name}` : a.office_name || a.office_code, "detail-office"],
      [t(lang, "office_address"), office ? [office.address, office.city, office.province ? `(${office.province})` : ""].filter(Boolean).join(" ") : "", "detail-office-address"],
      [t(lang, "phone"), formatPhone(a.phone), "detail-phone"],
      [t(lang, "notes"), a.notes, "detail-notes"],
      [t(lang, "case_ref"), a.case_ref, "detail-case-ref"],
      [t(lang, "hold_expires_at"), a.hold_expires_at ? formatDateTime(a.hold_expires_at) : "", "detail-hold-expires"],
      [t(lang, "created_at"), formatDateTime(a.created_at), "detail-created"],
      [t(lang, "updated_at"), formatDateTime(a.updated_at), "detail-updated"],
      // Who and why (a service of contract 1.1 tells them).
      [t(lang, "booked_by"), a.booked_by ? a.booked_by.display_name : "", "detail-booked-by"],
      [t(lang, "cancel_reason_label"), a.cancel_reason === "riprogrammato" ? t(lang, "cancel_reason_rescheduled") : a.cancel_reason, "detail-cancel-reason"],
      [t(lang, "rescheduled_from"), a.rescheduled_from, "detail-rescheduled-from"],
      [t(lang, "rescheduled_to"), a.rescheduled_to, "detail-rescheduled-to"],
    ] : []);
    const comm = a && a.communication;
    show(byId("detail-communication"), Boolean(a));
    fillFacts(byId("detail-comm-fields"), comm ? [
      [t(lang, "communication"), comm.subject, "detail-comm-subject"],
      [t(lang, "topic"), comm.topic_label || comm.topic_code],
      [t(lang, "col_sent_at"), formatDate(comm.sent_at)],
      [t(lang, "col_status"), communicationStatusLabel(lang, comm.status)],
    ] : a ? [[t(lang, "communication"), t(lang, "origin_unavailable", { id: a.communication_id || "—" })]] : []);
    const messages = (comm && Array.isArray(comm.messages) ? comm.messages : []).map((m) => {
      const li = clone("tpl-message");
      li.classList.add(m.from === "inps" ? "from-inps" : "from-user");
      li.querySelector(".js-from").textContent = t(lang, m.from === "inps" ? "from_inps" : "from_user");
      li.querySelector(".js-at").textContent = formatDateTime(m.at);
      li.querySelector(".js-text").textContent = m.text || "";
      return li;
    });
    byId("detail-comm-messages").replaceChildren(...messages);

    const busy = state.cancel.busy;
    const cancellable = allows(a, "cancel");
    show(btn("cancel-appointment"), Boolean(a && a.status === "confermato"));
    btn("cancel-appointment").disabled = !cancellable || busy;
    // Riprogramma where Annulla is possible (a confermato appointment not yet begun), when
    // the service offers it (contract 1.1).
    const offered = !(state.agenda.data && state.agenda.data.offered === false);
    show(btn("detail-reschedule"), Boolean(a && a.status === "confermato" && offered));
    btn("detail-reschedule").disabled = !cancellable || busy || state.reschedule.id !== null;
    renderReschedule(state);
    show(btn("detail-confirm"), held && allows(a, "confirm"));
    show(btn("detail-cancel-hold"), held && allows(a, "cancel_hold"));
    btn("detail-confirm").disabled = busy;
    btn("detail-cancel-hold").disabled = busy;
    let note = "";
    if (a && a.status === "confermato" && !cancellable) note = t(lang, "cancel_only_future");
    else if (busy) note = t(lang, "working");
    setText(byId("detail-cancel-note"), note);
  }

  function renderReschedule(state) {
    const r = state.reschedule;
    const open = r.id !== null && state.detail.data && r.id === state.detail.data.id;
    show(byId("reschedule-panel"), open);
    if (!open) return;
    show(byId("reschedule-loading"), r.status === "loading");
    showText(byId("reschedule-error"), r.error ? errorText(lang, r.error) : "");
    show(byId("reschedule-none"), r.status === "ready" && r.slots.length === 0);
    const items = r.slots.slice(0, 12).map((slot) => {
      const li = clone("tpl-reschedule-slot");
      const b = li.querySelector(".js-slot");
      b.dataset.start = slot.start;
      b.textContent = formatDateTime(slot.start);
      b.disabled = r.busy;
      return li;
    });
    byId("reschedule-slots").replaceChildren(...items);
  }

  return { render };
}
