// Informazioni: the build facts, the service in use and the data folder, with
// "Copia informazioni di supporto" (the text of ./state.js `supportText`, nothing personal;
// copied as "Copia identificativo" copies).

import { errorText } from "../../format.js";
import { t } from "../../i18n.js";
import { copyText } from "../../views/copy-id.js";
import { byId, byTestId, fillFacts, memo, show, showText } from "../../views/dom.js";
import { aboutRows, supportText } from "./state.js";

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
