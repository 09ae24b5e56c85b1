// Bozze: unfinished wizards (draft), requests waiting for the connection (queued) and those the
// service refused when they were sent (needs_attention), to resume or delete.

import { errorText, formatDateTime } from "../../format.js";
import { t } from "../../i18n.js";
import { byId, byTestId, clone, memo, setText, show, showText } from "../../views/dom.js";

const STEP_LABELS = {
  argomento: "step_argomento",
  struttura: "step_struttura",
  data_ora: "step_data_ora",
  contatti: "step_contatti",
  pronto: "draft_step_pronto",
};

export function createDrafts(ctrl) {
  const body = byId("drafts-body");
  const dialog = byId("confirm-dialog");
  const changed = memo();
  let pendingDelete = null;
  let lang = "it";

  byTestId(document, "drafts-refresh").addEventListener("click", () => ctrl.loadDrafts());
  body.addEventListener("click", (event) => {
    const b = event.target.closest("button[data-id]");
    if (!b || b.disabled) return;
    const id = b.dataset.id;
    if (b.classList.contains("js-resume")) ctrl.resumeDraft(id);
    else if (b.classList.contains("js-send")) ctrl.syncNow();
    else if (b.classList.contains("js-delete")) askDelete(id, b);
  });
  dialog.addEventListener("close", () => {
    if (!pendingDelete) return;
    const { id, button } = pendingDelete;
    pendingDelete = null;
    if (dialog.returnValue === "confirm") ctrl.deleteDraft(id);
    else if (button.isConnected) button.focus();
  });

  function askDelete(id, button) {
    const draft = ctrl.state().drafts.items.find((d) => d.id === id);
    pendingDelete = { id, button };
    setText(byId("confirm-dialog-title"), t(lang, "draft_delete_title"));
    setText(byId("confirm-dialog-body"), t(lang, "draft_delete_body", { name: draft ? draft.contributor_name || draft.contributor_fiscal_code : "" }));
    setText(byTestId(dialog, "confirm-dialog-ok"), t(lang, "draft_delete"));
    setText(byTestId(dialog, "confirm-dialog-cancel"), t(lang, "dialog_cancel"));
    dialog.returnValue = "";
    dialog.showModal();
    byTestId(dialog, "confirm-dialog-cancel").focus();
  }

  function render(state, screen) {
    if (screen !== "bozze") return;
    lang = state.lang;
    const d = state.drafts;
    if (!changed(lang, d, state.app.online)) return;
    const rows = d.items.map((draft) => {
      const tr = clone("tpl-draft-row");
      tr.dataset.id = draft.id;
      tr.dataset.state = draft.state;
      tr.querySelector(".js-name").textContent = draft.contributor_name || "";
      tr.querySelector(".js-cf").textContent = draft.contributor_fiscal_code || "";
      tr.querySelector(".js-topic").textContent = draft.topic_label || draft.topic_code || "";
      tr.querySelector(".js-step").textContent = t(lang, STEP_LABELS[draft.step] || "step_argomento");
      const badge = tr.querySelector(".js-state");
      badge.textContent = t(lang, `draft_state_${draft.state}`) !== `draft_state_${draft.state}` ? t(lang, `draft_state_${draft.state}`) : String(draft.state || "");
      badge.classList.add(`draft-${draft.state}`);
      let problem = "";
      if (draft.appointment_id) {
        problem = draft.hold_expires_at
          ? t(lang, "draft_held_until", { id: draft.appointment_id, when: formatDateTime(draft.hold_expires_at) })
          : t(lang, "draft_held", { id: draft.appointment_id });
      } else if (draft.problem) problem = errorText(lang, draft.problem);
      else if (draft.state === "queued") problem = t(lang, "draft_queued_note");
      tr.querySelector(".js-problem").textContent = problem;
      tr.querySelector(".js-updated").textContent = formatDateTime(draft.updated_at);
      const name = draft.contributor_name || draft.contributor_fiscal_code || "";
      for (const [sel, key] of [[".js-resume", "draft_resume"], [".js-send", "draft_send"], [".js-delete", "draft_delete"]]) {
        const b = tr.querySelector(sel);
        b.dataset.id = draft.id;
        b.textContent = t(lang, key);
        b.setAttribute("aria-label", `${t(lang, key)}: ${name}`);
        b.disabled = d.busy_id === draft.id;
      }
      const queued = draft.state === "queued";
      show(tr.querySelector(".js-resume"), !queued);
      show(tr.querySelector(".js-send"), queued);
      tr.querySelector(".js-send").disabled = !state.app.online || d.busy_id === draft.id;
      return tr;
    });
    body.replaceChildren(...rows);
    show(byId("drafts-wrap"), d.items.length > 0);
    show(byId("drafts-empty"), d.status === "ready" && d.items.length === 0);
    show(byId("drafts-loading"), d.status === "loading" && d.items.length === 0);
    showText(byId("drafts-error"), d.status === "error" ? errorText(lang, d.error) : "");
  }

  return { render };
}
