// The app frame: header (badge, utente selezionato, operator, language, Esci), navigation,
// offline banner, page title, notices, which screen is shown, focus and announcements.

import { errorText, formatDateTime, formatFiscalCode } from "../format.js";
import { t } from "../i18n.js";
import { screenOf } from "../state.js";
import { attr, byId, byTestId, setText, show, memo } from "./dom.js";

const TITLES = {
  avvio: "title_app",
  accesso: "title_signin",
  impostazioni: "title_settings",
  agenda: "title_agenda",
  assistiti: "title_contributors",
  comunicazioni: "title_communications",
  prenotazione: "title_wizard",
  appuntamenti: "title_appointments",
  bozze: "title_drafts",
  registro: "title_audit",
  informazioni: "title_about",
};
/** Screens that need an utente selezionato. */
const NEEDS_CONTRIBUTOR = { comunicazioni: "empty_select_contributor", appuntamenti: "empty_select_contributor_appointments" };

export function createFrame(ctrl) {
  const header = byId("selected-contributor");
  const signOutBtn = byTestId(document, "sign-out");
  const nav = byId("app-nav");
  const notice = byId("notice");
  let lastFocus = 0;
  let lastNotice = 0;
  let noticeTimer = null;
  const changed = { frame: memo(), banner: memo(), notice: memo(), find: memo() };

  byTestId(document, "change-contributor").addEventListener("click", () => ctrl.navigate("assistiti"));
  byTestId(document, "go-to-assistiti").addEventListener("click", () => ctrl.navigate("assistiti"));
  byTestId(document, "open-settings").addEventListener("click", () => ctrl.navigate("impostazioni"));
  signOutBtn.addEventListener("click", () => ctrl.signOut());
  byId("find-form").addEventListener("submit", (event) => {
    event.preventDefault();
    ctrl.findAppointment(byId("find-id").value);
  });
  byTestId(document, "sync-now").addEventListener("click", () => ctrl.poll().then(() => ctrl.syncNow()));
  byTestId(document, "notice-close").addEventListener("click", () => ctrl.dismissNotice());
  byId("lang-select").addEventListener("change", (e) => ctrl.setLang(e.target.value));
  for (const link of nav.querySelectorAll("a[data-route]")) {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      ctrl.navigate(link.dataset.route);
    });
  }

  function render(state) {
    const lang = state.lang;
    const screen = screenOf(state);

    if (changed.frame(lang, screen, state.session, state.selected, state.app.environment, state.app.version, state.wizard !== null, state.drafts.items)) {
      document.body.dataset.screen = screen;
      for (const section of document.querySelectorAll("section[data-screen]")) show(section, section.dataset.screen === screen);
      setText(byId("page-title"), t(lang, TITLES[screen] || "title_app"));
      document.title = screen === "avvio" ? "Cassetto Agenda" : `${t(lang, TITLES[screen])} · Cassetto Agenda`;
      byId("lang-select").value = lang;

      const sandbox = Boolean(state.app.environment && state.app.environment.mode === "embedded_sandbox");
      show(byId("env-badge"), sandbox);
      const signedIn = state.session.signed_in;
      show(nav, signedIn);
      show(byId("find-form"), signedIn);
      show(signOutBtn, signedIn);
      const op = byId("operator-name");
      show(op, Boolean(signedIn && state.session.operator));
      if (state.session.operator) {
        const o = state.session.operator;
        setText(op, o.organization ? `${o.display_name} · ${o.organization}` : o.display_name);
      }
      show(header, Boolean(signedIn && state.selected));
      if (state.selected) {
        setText(byId("selected-contributor-name"), state.selected.display_name);
        setText(byId("selected-contributor-cf"), formatFiscalCode(state.selected.fiscal_code));
        const g = state.selected.gestione;
        setText(byId("selected-contributor-gestione"), g && t(lang, `gestione_${g}`) !== `gestione_${g}` ? t(lang, `gestione_${g}`) : "");
      }
      for (const link of nav.querySelectorAll("a[data-route]")) {
        attr(link, "aria-current", link.dataset.route === screen ? "page" : null);
      }
      show(byId("nav-wizard-item"), state.wizard !== null);
      const count = state.drafts.items.length;
      const badge = byId("nav-drafts-count");
      show(badge, count > 0);
      setText(badge, count > 0 ? String(count) : "");
      attr(badge, "aria-label", count > 0 ? t(lang, "drafts_count", { count }) : null);
      setText(byId("app-version"), state.app.version ? t(lang, "app_version", { version: state.app.version }) : "");

      const emptyKey = NEEDS_CONTRIBUTOR[screen];
      const needsPick = Boolean(emptyKey && signedIn && !state.selected);
      show(byId("page-empty"), needsPick);
      if (needsPick) setText(byId("page-empty-text"), t(lang, emptyKey));
      document.body.classList.toggle("no-contributor", needsPick);
    }

    if (changed.find(lang, state.find)) {
      showText(byId("find-error"), state.find.error ? errorText(lang, state.find.error) : "");
      byTestId(document, "find-submit").disabled = state.find.busy;
      attr(byId("find-id"), "aria-invalid", state.find.error ? "true" : null);
      byId("find-id").placeholder = t(lang, "find_placeholder");
    }

    if (changed.banner(lang, state.app.online, state.app.last_sync_at, state.session.signed_in)) {
      const offline = !state.app.online;
      show(byId("offline-banner"), offline);
      setText(byId("offline-last-sync"), state.app.last_sync_at
        ? t(lang, "offline_last_sync", { when: formatDateTime(state.app.last_sync_at) })
        : t(lang, "offline_never_synced"));
      if (offline && !document.body.classList.contains("is-offline")) announce(t(lang, "offline_title"));
      document.body.classList.toggle("is-offline", offline);
    }

    if (changed.notice(lang, state.notice)) {
      const n = state.notice;
      show(notice, Boolean(n));
      if (n) {
        const text = n.error ? errorText(lang, n.error) : t(lang, n.key, n.params);
        setText(byId("notice-text"), text);
        notice.dataset.tone = n.tone || "info";
        if (n.n !== lastNotice) {
          lastNotice = n.n;
          if (n.error) byId("alerter").textContent = text;
          else announce(text);
          clearTimeout(noticeTimer);
          if (n.tone === "success" || n.tone === "info") {
            const id = n.n;
            noticeTimer = setTimeout(() => {
              if (ctrl.state().notice && ctrl.state().notice.n === id) ctrl.dismissNotice();
            }, 8000);
          }
        }
      }
    }
  }

  /** Moves focus when the state asks for it, once the screen is drawn. */
  function applyFocus(state) {
    if (!state.focus || state.focus.n === lastFocus) return;
    lastFocus = state.focus.n;
    const el = byId(state.focus.id);
    if (el && !el.closest("[hidden]")) {
      el.focus();
      if (el.scrollIntoView && el.id !== "page-title") el.scrollIntoView({ block: "nearest" });
    }
  }

  function announce(text) {
    const region = byId("announcer");
    region.textContent = "";
    // A fresh text node after a tick makes screen readers read a repeated message again.
    setTimeout(() => { region.textContent = text; }, 30);
  }

  return { render, applyFocus, announce };
}
