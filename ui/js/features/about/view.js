// Informazioni: the build facts, the service in use and the data folder, with
// "Copia informazioni di supporto" (the text of ./state.js `supportText`, nothing personal).

import { errorText } from "../../format.js";
import { t } from "../../i18n.js";
import { byId, byTestId, fillFacts, memo, show, showText } from "../../views/dom.js";
import { aboutRows, supportText } from "./state.js";

/**
 * Puts `text` on the clipboard: the asynchronous Clipboard API, else a selected hidden
 * textarea and the copy command (older web views). Resolves true when it was taken.
 */
export async function copyText(text, doc = document) {
  const clipboard = doc.defaultView && doc.defaultView.navigator && doc.defaultView.navigator.clipboard;
  if (clipboard && typeof clipboard.writeText === "function") {
    try {
      await clipboard.writeText(text);
      return true;
    } catch {
      // Refused (no permission, no focus): try the copy command below.
    }
  }
  const area = doc.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.className = "visually-hidden";
  doc.body.append(area);
  area.select();
  let ok = false;
  try {
    ok = doc.execCommand("copy");
  } catch {
    ok = false;
  }
  area.remove();
  return ok;
}

export function createAbout(ctrl) {
  const screenEl = document.querySelector('[data-screen="informazioni"]');
  const facts = byId("about-facts");
  const status = byId("about-copy-status");
  const changed = memo();
  let shown = null;
  let lang = "it";

  byTestId(screenEl, "about-copy").addEventListener("click", async () => {
    if (!shown) return;
    ctrl.aboutCopied(await copyText(supportText(shown, lang)));
  });
  byTestId(screenEl, "about-text").addEventListener("focus", (event) => event.target.select());

  return {
    render(state, screen) {
      if (screen !== "informazioni") return;
      const about = state.about;
      lang = state.lang;
      if (!changed(about, lang)) return;
      shown = about.data;
      show(byId("about-loading"), about.status === "loading" && !about.data);
      showText(byId("about-error"), about.status === "error" ? errorText(about.error, lang) : "");
      fillFacts(facts, aboutRows(about.data, lang).map(([key, value]) => [t(lang, key), value, `about-${key.slice(6).replace(/_/g, "-")}`]));
      const text = about.data ? supportText(about.data, lang) : "";
      const area = byTestId(screenEl, "about-text");
      if (area.value !== text) area.value = text;
      show(byId("about-support"), Boolean(about.data));
      showText(status, about.copied === null ? "" : t(lang, about.copied ? "about_copied" : "about_copy_failed"));
    },
  };
}
