// The booking wizard: stepper, (1) argomento + punto di consulenza, (2) struttura territoriale,
// (3) data e ora (week view), Contatti, the held appointment with its countdown, the outcome.

import {
  channelLabel, errorText, formatCountdown, formatDate, formatDateTime, formatDayHeading,
  formatPhone, formatTime, holdRemaining, officeKindLabel, formatOpeningHours, formatClosures, romeDate, weekDates, addDays,
} from "../../format.js";
import { gridMove } from "../../grid.js";
import { showSpoken } from "../../views/copy-id.js";
import { t } from "../../i18n.js";
import { canAdvance, filterOffices, STEPPER_STAGES } from "../../state.js";
import { attr, byId, byTestId, clone, fillFacts, memo, setText, setValue, show, showText } from "../../views/dom.js";

const STEP_KEYS = {
  argomento: "step_argomento",
  struttura: "step_struttura",
  data_ora: "step_data_ora",
  contatti: "step_contatti",
};
const HEADING_KEYS = {
  ...STEP_KEYS,
  attesa: "stage_attesa",
  esito: "stage_esito",
};

/** "numero di telefono mancante" → "Numero di telefono mancante". */
function sentence(text) {
  const s = String(text || "").trim();
  return s ? s[0].toUpperCase() + s.slice(1) : "";
}

export function createWizard(ctrl) {
  const root = document.querySelector('section[data-screen="prenotazione"]');
  const stepper = byId("wizard-stepper");
  const pointsList = byId("points-list");
  const officesList = byId("offices-list");
  const officeSearch = byId("office-search");
  const week = byId("slots-week");
  const phone = byId("contact-phone");
  const notes = byId("contact-notes");
  const caseRef = byId("contact-case-ref");
  const btn = (id) => byTestId(root, id);
  const changed = {
    frame: memo(), points: memo(), offices: memo(), slots: memo(), contact: memo(),
    hold: memo(), outcome: memo(), summary: memo(), alternatives: memo(), countdown: memo(),
  };

  stepper.addEventListener("click", (event) => {
    const b = event.target.closest("button[data-stage]");
    if (b) ctrl.back(b.dataset.stage);
  });
  pointsList.addEventListener("change", (event) => {
    if (event.target.name === "wizard-point") ctrl.choosePoint(event.target.value);
  });
  officesList.addEventListener("change", (event) => {
    if (event.target.name === "wizard-office") ctrl.chooseOffice(event.target.value);
  });
  officeSearch.addEventListener("input", () => ctrl.filterOffices(officeSearch.value));
  // Enter on a choice moves on, as in a form.
  for (const list of [pointsList, officesList]) {
    list.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && event.target.matches('input[type="radio"]')) {
        event.preventDefault();
        if (!event.target.checked) event.target.click();
        ctrl.next();
      }
    });
  }
  btn("week-prev").addEventListener("click", () => ctrl.shiftWeek(-1));
  btn("week-next").addEventListener("click", () => ctrl.shiftWeek(1));
  week.addEventListener("click", (event) => {
    const b = event.target.closest("button[data-start]");
    if (b && !b.disabled) ctrl.chooseSlot(b.dataset.start);
  });
  // The week is one tab stop, a WAI-ARIA grid: each day a row, drawn as a column, so Up/Down
  // move inside the day and Left/Right across days (nearest time); Home/End, Ctrl+Home/End,
  // PageUp/PageDown for the weeks. Enter or Space chooses the slot and moves on to Avanti.
  let focusGridAfterLoad = false;
  week.addEventListener("keydown", (event) => {
    const b = event.target.closest("button.slot[data-start]");
    if (!b || event.altKey || event.metaKey) return;
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      if (b.disabled || event.repeat) return;
      ctrl.chooseSlot(b.dataset.start);
      const next = btn("wizard-next");
      if (!next.hidden && !next.disabled) next.focus();
      return;
    }
    const rows = gridCells();
    const row = rows.findIndex((cells) => cells.includes(b));
    const move = gridMove(rows.map((cells) => cells.map(minutesOf)), { row, col: row >= 0 ? rows[row].indexOf(b) : 0 }, event.key, {
      ctrl: event.ctrlKey,
      orientation: "columns",
      canPage: { prev: !btn("week-prev").disabled, next: !btn("week-next").disabled },
    });
    if (!move) return;
    event.preventDefault();
    if (move.page) {
      // Focus waits on the grid itself while the other week loads, then goes to its tab stop.
      focusGridAfterLoad = true;
      week.tabIndex = -1;
      week.focus();
      ctrl.shiftWeek(move.page);
      return;
    }
    const target = rows[move.row][move.col];
    for (const cell of week.querySelectorAll("button.slot")) cell.tabIndex = cell === target ? 0 : -1;
    target.focus();
  });

  /** The grid's focusable cells (free slots), one list per day. */
  function gridCells() {
    return [...week.querySelectorAll('[role="row"]')].map((r) => [...r.querySelectorAll("button.slot:not(:disabled)")]);
  }

  /** "09:30" of a slot button → 570, to find the nearest time on another day. */
  function minutesOf(b) {
    const [h, m] = formatTime(b.dataset.start).split(":").map(Number);
    return h * 60 + m;
  }
  phone.addEventListener("input", () => ctrl.editContact("phone", phone.value));
  notes.addEventListener("input", () => ctrl.editContact("notes", notes.value));
  caseRef.addEventListener("input", () => ctrl.editContact("case_ref", caseRef.value));
  phone.addEventListener("blur", () => ctrl.touchContact("phone"));
  notes.addEventListener("blur", () => ctrl.touchContact("notes"));
  // Ctrl+Enter in the notes: Prenota Appuntamento, without tabbing to the button.
  notes.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      ctrl.book();
    }
  });
  phone.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      notes.focus();
    }
  });
  byId("alternatives-list").addEventListener("click", (event) => {
    const b = event.target.closest("button[data-start]");
    if (b) ctrl.chooseAlternative(b.dataset.start);
  });
  btn("wizard-back").addEventListener("click", () => ctrl.back());
  btn("wizard-next").addEventListener("click", () => ctrl.next());
  btn("book-submit").addEventListener("click", () => ctrl.book());
  btn("wizard-close").addEventListener("click", () => ctrl.closeWizard("comunicazioni"));
  btn("confirm-booking").addEventListener("click", () => ctrl.confirmHold());
  btn("cancel-booking").addEventListener("click", () => ctrl.cancelHold());
  btn("outcome-to-history").addEventListener("click", () => ctrl.closeWizard("appuntamenti"));
  btn("outcome-to-comms").addEventListener("click", () => ctrl.closeWizard("comunicazioni"));
  btn("outcome-to-drafts").addEventListener("click", () => ctrl.closeWizard("bozze"));

  function render(state, screen) {
    const w = state.wizard;
    if (!w || screen !== "prenotazione") return;
    const lang = state.lang;

    if (changed.frame(lang, w.stage, w.options, w.offices.status, w.slots.status, w.booking, w.draft, w.contact)) {
      renderStepper(lang, w);
      setText(byId("wizard-heading"), t(lang, HEADING_KEYS[w.stage]));
      for (const el of root.querySelectorAll(".wizard-stage")) show(el, el.dataset.stage === w.stage);
      // Once booked, the card itself shows every detail: no need for the side summary.
      root.querySelector(".wizard-layout").classList.toggle("no-summary", Boolean(w.appointment));
      const loadError = (w.options.status === "error" && w.options.error)
        || (w.stage === "struttura" && w.offices.status === "error" && w.offices.error)
        || (w.stage === "data_ora" && w.slots.status === "error" && w.slots.error);
      showText(byId("wizard-error"), loadError ? errorText(lang, loadError) : "");
      const inSteps = STEPPER_STAGES.includes(w.stage);
      show(byId("wizard-actions"), inSteps);
      show(btn("wizard-back"), inSteps && w.stage !== "argomento");
      show(btn("wizard-next"), inSteps && w.stage !== "contatti");
      btn("wizard-next").disabled = !canAdvance(w, state.app.limits);
      show(btn("book-submit"), w.stage === "contatti");
      btn("book-submit").disabled = w.booking.busy;
      setText(btn("book-submit"), t(lang, w.booking.busy ? "booking_busy" : "book"));
      attr(btn("book-submit"), "aria-busy", w.booking.busy ? "true" : null);
      const e = w.booking.error;
      const fieldError = e && ["invalid_phone", "notes_required", "notes_too_long", "invalid_notes"].includes(e.kind);
      showText(byId("booking-error"), e && !fieldError && w.stage === "contatti" ? errorText(lang, e) : "");
    }

    if (w.stage === "argomento" && changed.points(lang, w.options, w.point_kind)) renderPoints(lang, w);
    if (w.stage === "struttura" && changed.offices(lang, w.offices, w.draft.office_code)) renderOffices(lang, w);
    if (w.stage === "data_ora" && changed.slots(lang, w.slots, w.draft.slot_start)) renderSlots(lang, w);
    if (w.stage === "contatti" && changed.contact(lang, w.draft.phone, w.draft.notes, w.draft.case_ref, w.contact, w.booking)) renderContact(lang, w, state.app.limits);
    if (w.stage === "contatti" && changed.alternatives(lang, w.booking.alternatives)) renderAlternatives(lang, w);
    if (w.stage === "attesa" && changed.hold(lang, w.appointment, w.hold)) renderHold(lang, w, state);
    if (w.stage === "attesa" && changed.countdown(lang, state.now, w.appointment)) renderCountdown(lang, w, state.now);
    if (w.stage === "esito" && changed.outcome(lang, w.outcome)) renderOutcome(lang, w, state);
    if (changed.summary(lang, w.draft, w.options, w.offices.items, w.saving, w.saved_at, w.save_error, w.appointment)) {
      renderSummary(lang, w, state);
    }
  }

  function renderStepper(lang, w) {
    const current = STEPPER_STAGES.indexOf(w.stage);
    const done = current < 0 ? STEPPER_STAGES.length : current;
    const items = STEPPER_STAGES.map((stage, i) => {
      const li = clone("tpl-step");
      li.dataset.testid = `wizard-step-${stage}`;
      li.querySelector(".js-num").textContent = i < done ? "✓" : String(i + 1);
      const label = li.querySelector(".js-label");
      label.textContent = t(lang, STEP_KEYS[stage]);
      const state = i < done ? "done" : i === current ? "current" : "todo";
      li.classList.add(`step-${state}`);
      if (i === current) li.setAttribute("aria-current", "step");
      const status = document.createElement("span");
      status.className = "visually-hidden";
      status.textContent = ` (${t(lang, `step_state_${state}`)})`;
      li.append(status);
      if (state === "done" && current >= 0) {
        // Completed steps can be reopened.
        const b = document.createElement("button");
        b.type = "button";
        b.className = "step-link";
        b.dataset.stage = stage;
        b.dataset.testid = `wizard-goto-${stage}`;
        b.append(...li.childNodes);
        li.append(b);
      }
      return li;
    });
    stepper.replaceChildren(...items);
  }

  function renderPoints(lang, w) {
    const data = w.options.data;
    setText(byId("wizard-topic"), data && data.topic ? data.topic.label : "");
    setText(byId("wizard-subject"), data && data.communication ? data.communication.subject || "" : "");
    show(byId("points-loading"), w.options.status === "loading");
    const points = data ? data.points : [];
    show(byId("points-empty"), w.options.status === "ready" && points.length === 0);
    const nodes = points.map((p) => {
      const label = clone("tpl-point");
      const input = label.querySelector("input");
      input.value = p.code;
      input.checked = p.code === w.point_kind;
      label.querySelector(".js-label").textContent = p.label;
      const channel = label.querySelector(".js-channel");
      channel.textContent = channelLabel(lang, p.channel);
      channel.dataset.channel = p.channel;
      label.classList.toggle("is-checked", input.checked);
      return label;
    });
    const focusedCode = document.activeElement && document.activeElement.name === "wizard-point" ? document.activeElement.value : null;
    pointsList.replaceChildren(...nodes);
    if (focusedCode) {
      const again = pointsList.querySelector(`input[value="${CSS.escape(focusedCode)}"]`);
      if (again) again.focus();
    }
  }

  function renderOffices(lang, w) {
    setValue(officeSearch, w.offices.filter);
    show(byId("offices-loading"), w.offices.status === "loading");
    const all = w.offices.items;
    const shown = filterOffices(all, w.offices.filter);
    const today = romeDate(new Date());
    const nodes = shown.map((o) => {
      const label = clone("tpl-office");
      const input = label.querySelector("input");
      input.value = o.code;
      input.checked = o.code === w.draft.office_code;
      label.querySelector(".js-name").textContent = o.name;
      label.querySelector(".js-address").textContent = [o.address, [o.city, o.province ? `(${o.province})` : ""].filter(Boolean).join(" ")].filter(Boolean).join(", ");
      label.querySelector(".js-kind").textContent = officeKindLabel(lang, o.kind);
      const home = label.querySelector(".js-home");
      home.hidden = !o.in_home_province;
      home.textContent = o.in_home_province ? t(lang, "office_home_province") : "";
      const hours = formatOpeningHours(o.opening_hours, lang);
      label.querySelector(".js-hours").textContent = hours ? t(lang, "office_hours", { hours }) : "";
      label.querySelector(".js-closures").textContent = formatClosures(o, today, lang);
      label.classList.toggle("is-checked", input.checked);
      return label;
    });
    const focusedCode = document.activeElement && document.activeElement.name === "wizard-office" ? document.activeElement.value : null;
    officesList.replaceChildren(...nodes);
    if (focusedCode) {
      const again = officesList.querySelector(`input[value="${CSS.escape(focusedCode)}"]`);
      if (again) again.focus();
    }
    let count = "";
    if (w.offices.status === "ready") {
      count = all.length === 0
        ? t(lang, "offices_none")
        : shown.length === 0
          ? t(lang, "offices_none_match")
          : t(lang, "offices_count", { shown: shown.length, total: all.length });
    }
    setText(byId("offices-count"), count);
  }

  function renderSlots(lang, w) {
    const s = w.slots;
    const monday = s.week;
    const bounds = ctrl.weekBounds();
    setText(byId("week-label"), monday
      ? t(lang, "week_of", { from: formatDate(monday), to: formatDate(addDays(monday, 6)) })
      : "");
    btn("week-prev").disabled = !monday || monday <= bounds.first || s.status === "loading";
    btn("week-next").disabled = !monday || monday >= bounds.last || s.status === "loading";
    const loading = s.status === "loading";
    show(byId("slots-loading"), loading);
    const byDay = new Map();
    for (const slot of s.items) {
      const day = romeDate(slot.start);
      if (!byDay.has(day)) byDay.set(day, []);
      byDay.get(day).push(slot);
    }
    const free = s.items.filter((x) => x.available).length;
    show(byId("slots-empty"), s.status === "ready" && free === 0);
    const days = monday ? weekDates(monday).filter((d, i) => i < 5 || (byDay.get(d) || []).length > 0) : [];
    const nodes = s.status === "ready" && free > 0 ? days.map((day) => {
      const node = clone("tpl-slot-day");
      const head = node.querySelector(".js-day");
      head.id = `slot-day-${day}`;
      head.textContent = formatDayHeading(day, lang);
      node.setAttribute("aria-labelledby", head.id);
      // A row of the grid: the day's heading is its header cell, each slot a cell.
      node.setAttribute("role", "row");
      const headCell = document.createElement("div");
      headCell.className = "day-headcell";
      headCell.setAttribute("role", "rowheader");
      head.replaceWith(headCell);
      headCell.append(head);
      const slots = (byDay.get(day) || []).slice().sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
      const buttons = slots.map((slot) => {
        const b = document.createElement("button");
        b.type = "button";
        b.className = "slot";
        b.dataset.testid = "slot-option";
        b.dataset.start = slot.start;
        b.textContent = formatTime(slot.start);
        b.tabIndex = -1;
        const selected = slot.start === w.draft.slot_start;
        b.setAttribute("aria-pressed", selected ? "true" : "false");
        if (!slot.available) {
          b.disabled = true;
          b.classList.add("slot-taken");
          b.setAttribute("aria-label", t(lang, "slot_taken_label", { time: formatTime(slot.start) }));
        } else {
          b.setAttribute("aria-label", t(lang, "slot_label", { day: formatDayHeading(day, lang), time: formatTime(slot.start) }));
        }
        return b;
      });
      node.querySelector(".js-slots").replaceChildren(...buttons.map((b) => {
        const cell = document.createElement("div");
        cell.setAttribute("role", "gridcell");
        cell.append(b);
        return cell;
      }));
      const none = node.querySelector(".js-none");
      if (buttons.length === 0) {
        none.hidden = false;
        none.setAttribute("role", "gridcell");
        none.textContent = t(lang, "day_no_slots");
      }
      return node;
    }) : [];
    const focused = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.start : null;
    const gridFocused = document.activeElement === week;
    const inGrid = Boolean(focused) && week.contains(document.activeElement);
    week.replaceChildren(...nodes);
    attr(week, "role", nodes.length > 0 ? "grid" : null);
    attr(week, "aria-labelledby", nodes.length > 0 ? "week-label" : null);
    // Roving tabindex: one tab stop, the slot with focus, else the chosen one, else the first free.
    const again = focused ? week.querySelector(`button[data-start="${CSS.escape(focused)}"]:not(:disabled)`) : null;
    const open = [...week.querySelectorAll("button.slot:not(:disabled)")];
    const stop = again || open.find((b) => b.dataset.start === w.draft.slot_start) || open[0];
    if (stop) stop.tabIndex = 0;
    if (again) again.focus();
    else if (inGrid && stop) stop.focus(); // the slot with focus was just taken
    if (focusGridAfterLoad && !loading) {
      // After PageUp/PageDown: the other week's tab stop, or the week buttons when it is empty.
      focusGridAfterLoad = false;
      week.removeAttribute("tabindex");
      if (gridFocused || document.activeElement === document.body) {
        const fallback = [btn("week-next"), btn("week-prev")].find((b) => !b.disabled);
        if (stop) stop.focus();
        else if (fallback) fallback.focus();
      }
    }
    setText(byId("slot-selected"), w.draft.slot_start
      ? t(lang, "slot_chosen", { when: formatDateTime(w.draft.slot_start) })
      : "");
  }

  function renderContact(lang, w, limits) {
    setValue(phone, w.draft.phone);
    setValue(notes, w.draft.notes);
    setValue(caseRef, w.draft.case_ref);
    const v = w.contact.validation;
    const touched = w.contact.touched;
    const phoneError = touched.phone && v && !v.phone.ok
      ? (lang === "it" ? sentence(v.phone.message) : t(lang, "error_invalid_phone")) || t(lang, "error_invalid_phone")
      : "";
    const notesMax = (v && v.notes && v.notes.max) || limits.notes_max_chars;
    const length = [...w.draft.notes.trim()].length;
    let notesError = touched.notes && v && !v.notes.ok
      ? (lang === "it" ? sentence(v.notes.message) : t(lang, length === 0 ? "error_notes_required" : length > notesMax ? "error_notes_too_long" : "error_invalid_notes"))
      : "";
    if (!notesError && length > notesMax) notesError = t(lang, "error_notes_too_long");
    setText(byId("contact-phone-error"), phoneError);
    setText(byId("contact-notes-error"), notesError);
    phone.setAttribute("aria-invalid", phoneError ? "true" : "false");
    notes.setAttribute("aria-invalid", notesError ? "true" : "false");
    const counter = byId("contact-notes-counter");
    setText(counter, t(lang, "notes_counter", { length, max: notesMax }));
    counter.classList.toggle("over", length > notesMax);
    phone.classList.toggle("is-valid", Boolean(v && v.phone.ok && w.contact.checked_phone === w.draft.phone));
    notes.classList.toggle("is-valid", Boolean(v && v.notes.ok && w.contact.checked_notes === w.draft.notes));
  }

  function renderAlternatives(lang, w) {
    const alts = (w.booking.alternatives || []).filter((s) => s && s.start);
    show(byId("alternatives"), alts.length > 0);
    const nodes = alts.map((slot) => {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "btn btn-small alt";
      b.dataset.testid = "alternative-option";
      b.dataset.start = slot.start;
      b.textContent = t(lang, "alternative_book", { when: formatDateTime(slot.start) });
      return b;
    });
    byId("alternatives-list").replaceChildren(...nodes);
  }

  function appointmentFacts(lang, a, state) {
    if (!a) return [];
    return [
      [t(lang, "contributor"), state.selected ? `${state.selected.display_name} (${state.selected.fiscal_code})` : a.fiscal_code],
      [t(lang, "topic"), a.topic_label || a.topic_code],
      [t(lang, "consultation_point"), `${a.consultation_point_label || a.consultation_point} · ${channelLabel(lang, a.channel)}`],
      [t(lang, "office"), a.office_name || a.office_code],
      [t(lang, "date_time"), `${formatDateTime(a.start)}${a.end ? `–${formatTime(a.end)}` : ""}`],
      [t(lang, "phone"), formatPhone(a.phone)],
    ];
  }

  function renderHold(lang, w, state) {
    const a = w.appointment;
    setText(byId("appointment-id"), a ? a.id : "");
    showSpoken("appointment-id-spoken", a ? a.id : "", lang);
    fillFacts(byId("hold-summary"), appointmentFacts(lang, a, state));
    const busy = w.hold.busy;
    btn("confirm-booking").disabled = Boolean(busy);
    btn("cancel-booking").disabled = Boolean(busy);
    setText(btn("confirm-booking"), t(lang, busy === "confirm" ? "confirming" : "confirm_booking"));
    setText(btn("cancel-booking"), t(lang, busy === "cancel" ? "cancelling" : "cancel_booking"));
    showText(byId("hold-error"), w.hold.error ? errorText(lang, w.hold.error) : "");
  }

  function renderCountdown(lang, w, now) {
    const a = w.appointment;
    const left = holdRemaining(a && a.hold_expires_at, now);
    const el = byId("hold-countdown");
    setText(el, a && a.hold_expires_at ? formatCountdown(left) : "—");
    const box = byId("hold-countdown-box");
    box.classList.toggle("urgent", left > 0 && left <= 60000);
    box.classList.toggle("elapsed", Boolean(a && a.hold_expires_at) && left === 0);
    show(byId("hold-expired"), Boolean(a && a.hold_expires_at) && left === 0);
    // Tell screen-reader users the time left each minute rather than each second.
    const minute = Math.ceil(left / 60000);
    el.setAttribute("aria-label", t(lang, "hold_remaining_minutes", { minutes: minute }));
  }

  function renderOutcome(lang, w, state) {
    const o = w.outcome || {};
    const box = byId("outcome");
    box.dataset.result = o.result || "";
    const a = o.appointment || w.appointment;
    let title = "";
    let reason = "";
    switch (o.result) {
      case "confirmed":
        title = t(lang, "outcome_confirmed_title");
        reason = t(lang, "outcome_confirmed_body", { when: formatDateTime(a && a.start) });
        break;
      case "cancelled":
        title = t(lang, "outcome_cancelled_title");
        reason = t(lang, "outcome_cancelled_body");
        break;
      case "queued":
        title = t(lang, "outcome_queued_title");
        reason = t(lang, "outcome_queued_body");
        break;
      default:
        title = t(lang, "outcome_failed_title");
        reason = errorText(lang, o.error);
    }
    setText(byId("outcome-title"), title);
    setText(byId("outcome-reason"), reason);
    show(byId("outcome-id-box"), Boolean(a && o.result !== "queued"));
    setText(byId("outcome-appointment-id"), a ? a.id : "");
    showSpoken("outcome-appointment-id-spoken", a ? a.id : "", lang);
    fillFacts(byId("outcome-summary"), o.result === "queued" ? [] : appointmentFacts(lang, a, state));
    show(btn("outcome-to-history"), o.result !== "queued");
    show(byId("outcome-take-home"), Boolean(a && o.result === "confirmed"));
    show(btn("outcome-to-drafts"), o.result === "queued");
  }

  function renderSummary(lang, w, state) {
    const d = w.draft;
    const data = w.options.data;
    const point = data && data.points.find((p) => p.code === w.point_kind);
    const office = w.offices.items.find((o) => o.code === d.office_code);
    fillFacts(byId("summary-list"), [
      [t(lang, "contributor"), d.contributor_name ? `${d.contributor_name} · ${d.contributor_fiscal_code}` : d.contributor_fiscal_code, "summary-contributor"],
      // The labels come with the lists the wizard loads (until then, the codes).
      [t(lang, "topic"), (data && data.topic && data.topic.label) || d.topic_label || d.topic_code, "summary-topic"],
      [t(lang, "consultation_point"), point ? `${point.label} · ${channelLabel(lang, point.channel)}` : d.consultation_point || "", "summary-point"],
      [t(lang, "office"), office ? `${office.name}, ${office.city}` : d.office_code || "", "summary-office"],
      [t(lang, "date_time"), d.slot_start ? formatDateTime(d.slot_start) : "", "summary-slot"],
      [t(lang, "phone"), d.phone, "summary-phone"],
    ]);
    let status = "";
    if (w.appointment) status = "";
    else if (w.saving) status = t(lang, "draft_saving");
    else if (w.save_error) status = t(lang, "draft_save_failed", { reason: errorText(lang, w.save_error) });
    else if (w.saved_at) status = t(lang, "draft_saved_at", { time: formatTime(w.saved_at) });
    setText(byId("draft-status"), status);
  }

  return { render };
}
