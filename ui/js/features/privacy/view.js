// Registro attività screen, the contributor's "Esporta dati" / "Cancella dati locali" (on
// Comunicazioni) and the lock screen of Blocco per inattività.
//
// The lock takes every other element of <body> out of the document while it shows (they are
// parked in a fragment, unchanged, and put back on unlock): no contributor's data is in the
// DOM behind it, and the screen comes back exactly as it was left.

import { errorText, formatDateTime } from "../../format.js";
import { t } from "../../i18n.js";
import { byId, byTestId, clone, memo, setText, setValue, show, showText } from "../../views/dom.js";

/**
 * Events that count as the operator's activity (pointer and key events, and what they lead
 * to: a click, a typed value, also when an assistive technology or automation
 * produces only those).
 */
const ACTIVITY = ["keydown", "pointerdown", "pointermove", "mousedown", "wheel", "touchstart", "click", "input"];

function actionLabel(lang, word) {
  const key = `audit_action_${word}`;
  const text = t(lang, key);
  return text === key ? word : text;
}

function outcomeLabel(lang, word) {
  const head = String(word || "").split(":")[0];
  const key = `audit_outcome_${head}`;
  const text = t(lang, key);
  if (text !== key) return word.includes(":") ? `${text} (${word.slice(head.length + 1)})` : text;
  const error = t(lang, `error_${word}`);
  return error !== `error_${word}` ? `${word}: ${error}` : word;
}

export function createPrivacy(ctrl) {
  const form = byId("audit-filters");
  const day = byId("audit-day");
  const action = byId("audit-action");
  const fc = byId("audit-fc");
  const body = byId("audit-body");
  const lockScreen = byId("lock-screen");
  const lockForm = byId("lock-form");
  const password = byId("lock-password");
  const dialog = byId("confirm-dialog");
  const changed = { audit: memo(), lock: memo(), comms: memo() };
  const parked = document.createDocumentFragment();
  let lang = "it";
  let pendingErase = false;
  let shownFilters = null;

  for (const type of ACTIVITY) {
    document.addEventListener(type, () => ctrl.touchActivity(), { passive: true, capture: true });
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    ctrl.filterAudit({ day: day.value, action: action.value, fiscal_code: fc.value });
  });
  byTestId(form, "audit-clear").addEventListener("click", () => {
    day.value = "";
    action.value = "";
    fc.value = "";
    ctrl.filterAudit({ day: "", action: "", fiscal_code: "" });
  });
  byTestId(document, "audit-verify").addEventListener("click", () => ctrl.verifyAudit());
  byTestId(document, "audit-export").addEventListener("click", () => ctrl.exportAuditCsv());

  byTestId(document, "contributor-export").addEventListener("click", () => ctrl.exportContributorData());
  const eraseButton = byTestId(document, "contributor-erase");
  eraseButton.addEventListener("click", async () => {
    const selected = ctrl.state().selected;
    if (!selected) return;
    const preview = await ctrl.erasurePreview();
    if (!preview) return;
    let text = t(lang, "erase_body", { name: selected.display_name, cf: selected.fiscal_code });
    if (preview.outbox > 0 || preview.drafts > 0) text += ` ${t(lang, "erase_body_pending", preview)}`;
    pendingErase = true;
    setText(byId("confirm-dialog-title"), t(lang, "erase_title"));
    setText(byId("confirm-dialog-body"), text);
    setText(byTestId(dialog, "confirm-dialog-ok"), t(lang, "erase_confirm"));
    setText(byTestId(dialog, "confirm-dialog-cancel"), t(lang, "dialog_cancel"));
    dialog.returnValue = "";
    dialog.showModal();
    byTestId(dialog, "confirm-dialog-cancel").focus();
  });
  dialog.addEventListener("close", () => {
    if (!pendingErase) return;
    pendingErase = false;
    if (dialog.returnValue === "confirm") ctrl.eraseContributorData();
    else if (eraseButton.isConnected) eraseButton.focus();
  });

  lockForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const typed = password.value;
    password.value = "";
    ctrl.unlock(typed);
  });
  byTestId(lockForm, "lock-switch").addEventListener("click", () => ctrl.switchOperator());

  /** Takes everything but the lock out of the document, or puts it back. */
  function park(locked) {
    if (locked && parked.childNodes.length === 0) {
      for (const open of document.querySelectorAll("dialog[open]")) open.close();
      for (const node of [...document.body.childNodes]) if (node !== lockScreen) parked.append(node);
      show(lockScreen, true);
      document.body.dataset.locked = "true";
    } else if (!locked && parked.childNodes.length > 0) {
      show(lockScreen, false);
      document.body.insertBefore(parked, lockScreen);
      delete document.body.dataset.locked;
    }
  }

  function renderLock(state) {
    const l = state.lock;
    park(l.locked);
    if (!changed.lock(lang, l, state.session.operator)) return;
    const op = state.session.operator;
    setText(byId("lock-who"), op ? t(lang, "lock_who", { name: op.display_name, organization: op.organization }) : "");
    showText(byId("lock-error"), l.error ? errorText(lang, l.error) : "");
    const unlock = byTestId(lockForm, "lock-unlock");
    unlock.disabled = l.busy;
    setText(unlock, t(lang, l.busy ? "lock_unlocking" : "lock_unlock"));
    password.setAttribute("aria-invalid", l.error ? "true" : "false");
    if (l.locked && !l.busy) requestAnimationFrame(() => password.focus());
  }

  function renderAudit(state) {
    const a = state.audit;
    if (!changed.audit(lang, a)) return;
    const options = [["", t(lang, "audit_all_actions")], ...a.actions.map((w) => [w, actionLabel(lang, w)])];
    if (action.options.length !== options.length || action.dataset.lang !== lang) {
      action.replaceChildren(...options.map(([value, label]) => new Option(label, value)));
      action.dataset.lang = lang;
      shownFilters = null; // the options were redrawn: select the applied one again
    }
    if (a.filters !== shownFilters) {
      // Only when the filters applied change: what the operator is typing stays.
      shownFilters = a.filters;
      setValue(day, a.filters.day);
      setValue(action, a.filters.action);
      setValue(fc, a.filters.fiscal_code);
    }
    const rows = a.items.map((e) => {
      const tr = clone("tpl-audit-row");
      tr.dataset.action = e.action;
      tr.querySelector(".js-seq").textContent = String(e.seq);
      tr.querySelector(".js-at").textContent = formatDateTime(e.at);
      tr.querySelector(".js-action").textContent = actionLabel(lang, e.action);
      tr.querySelector(".js-id").textContent = e.appointment_id || "";
      tr.querySelector(".js-who").textContent = e.contributor_name || (e.has_contributor ? t(lang, "audit_erased_name") : "");
      tr.querySelector(".js-outcome").textContent = outcomeLabel(lang, e.outcome);
      tr.querySelector(".js-detail").textContent = e.detail || "";
      if (e.outcome !== "ok" && !/^(prenotato|confermato)$/.test(e.outcome)) tr.classList.add("row-warning");
      return tr;
    });
    body.replaceChildren(...rows);
    show(byId("audit-wrap"), a.items.length > 0);
    show(byId("audit-empty"), a.status === "ready" && a.items.length === 0);
    show(byId("audit-loading"), a.status === "loading" && a.items.length === 0);
    showText(byId("audit-error"), a.status === "error" ? errorText(lang, a.error) : "");
    setText(byId("audit-meta"), a.status === "ready"
      ? t(lang, a.truncated ? "audit_meta_truncated" : "audit_meta", { count: a.items.length })
      : "");
    const check = byId("audit-check");
    let text = "";
    if (a.checking) text = t(lang, "audit_verifying");
    else if (a.check && a.check.intact) {
      text = a.check.entries
        ? t(lang, "audit_intact", { count: a.check.entries, first: a.check.first_seq, last: a.check.last_seq })
        : t(lang, "audit_intact_empty");
    } else if (a.check) text = t(lang, "audit_broken", { problem: a.check.problem || "", seq: a.check.broken_at });
    showText(check, text);
    check.classList.toggle("check-ok", Boolean(a.check && a.check.intact));
    check.classList.toggle("check-broken", Boolean(a.check && !a.check.intact));
    byTestId(document, "audit-verify").disabled = a.checking;
    byTestId(document, "audit-export").disabled = a.busy;
  }

  function render(state, screen) {
    lang = state.lang;
    renderLock(state);
    if (screen === "registro") renderAudit(state);
    if (screen === "comunicazioni" && changed.comms(state.selected, state.audit.busy)) {
      byTestId(document, "contributor-export").disabled = !state.selected || state.audit.busy;
      eraseButton.disabled = !state.selected;
    }
  }

  return { render };
}
