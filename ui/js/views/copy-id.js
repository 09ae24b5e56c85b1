// "Copia identificativo": a button beside an identificativo appuntamento copies it, and a
// hint under the button (shown on hover and focus) spells it as read over the phone.

import { t } from "../i18n.js";
import { spokenId } from "../format.js";

/** Copies `text` to the clipboard: the async API where the page may use it, else a selection. */
export async function copyText(text) {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // Refused (no permission, no focus): try the selection below.
  }
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.append(area);
  area.select();
  let ok = false;
  try {
    ok = document.execCommand("copy");
  } catch {
    ok = false;
  }
  area.remove();
  return ok;
}

/** The identificativo a copy button stands beside (by id or by test id). */
function idOf(button) {
  const source = button.dataset.copyFrom
    ? document.getElementById(button.dataset.copyFrom)
    : document.querySelector(`[data-testid="${button.dataset.copyTestid}"]`);
  return source ? source.textContent.trim() : "";
}

/**
 * Wires every `.copy-id` button; `announce` speaks the outcome. The view for each screen
 * fills the hint with `showSpoken` whenever it draws an identificativo.
 */
export function createCopyId(ctrl, { announce }) {
  document.addEventListener("click", async (event) => {
    const button = event.target.closest && event.target.closest("button.copy-id");
    if (!button) return;
    const id = idOf(button);
    if (!id) return;
    const lang = ctrl.state().lang;
    const ok = await copyText(id);
    const text = ok ? t(lang, "copy_id_done", { id }) : t(lang, "copy_id_failed");
    button.dataset.copied = ok ? "true" : "false";
    announce(text);
    button.textContent = ok ? t(lang, "copy_id_copied") : t(lang, "copy_id");
    setTimeout(() => {
      button.textContent = t(ctrl.state().lang, "copy_id");
      delete button.dataset.copied;
    }, 2000);
  });
  return { render() {} };
}

/** Puts the spoken form of `id` in the hint element `hintId` ("" clears it). */
export function showSpoken(hintId, id, lang) {
  const hint = document.getElementById(hintId);
  if (!hint) return;
  const spoken = id ? spokenId(id, lang) : "";
  hint.textContent = spoken ? t(lang, "copy_id_spoken", { spoken }) : "";
}
