// Sign-in (Accesso) and Impostazioni screens.

import { errorText } from "../../format.js";
import { t } from "../../i18n.js";
import { byId, byTestId, memo, setText, show, showText } from "../../views/dom.js";

export function createAccess(ctrl) {
  const form = byId("signin-form");
  const user = byId("signin-username");
  const pass = byId("signin-password");
  const submit = byTestId(form, "signin-submit");
  const settingsForm = byId("settings-form");
  const url = byId("settings-url");
  const radios = settingsForm.querySelectorAll('input[name="settings-mode"]');
  const settingsLang = byId("settings-lang");
  const remindersDaily = byId("settings-reminders-daily");
  const remindersAt = byId("settings-reminders-at");
  remindersDaily.addEventListener("change", () => { remindersAt.disabled = !remindersDaily.checked; });
  const privacyInputs = {
    lockMinutes: byId("settings-lock-minutes"),
    cacheDays: byId("settings-cache-days"),
    draftsDays: byId("settings-drafts-days"),
    auditDays: byId("settings-audit-days"),
  };
  const changed = { signin: memo(), settings: memo() };
  let settingsShown = false;

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    ctrl.signIn(user.value, pass.value).then(() => {
      if (ctrl.state().session.signed_in) pass.value = "";
    });
  });
  byTestId(form, "signin-settings").addEventListener("click", () => ctrl.navigate("impostazioni"));
  byTestId(form, "signin-about").addEventListener("click", () => ctrl.navigate("informazioni"));

  function mode() {
    const checked = settingsForm.querySelector('input[name="settings-mode"]:checked');
    return checked ? checked.value : "embedded_sandbox";
  }
  function syncUrlEnabled() {
    url.disabled = mode() !== "remote";
  }
  for (const r of radios) r.addEventListener("change", syncUrlEnabled);
  settingsLang.addEventListener("change", () => ctrl.setLang(settingsLang.value));
  settingsForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const known = Boolean(ctrl.state().app.preferences);
    ctrl.saveSettings({
      mode: mode(), url: url.value,
      reminders: known ? { daily: remindersDaily.checked, at: remindersAt.value } : null,
      privacy: known ? Object.fromEntries(Object.entries(privacyInputs).map(([k, el]) => [k, el.value])) : null,
    });
  });
  byTestId(settingsForm, "settings-back").addEventListener("click", () =>
    ctrl.navigate(ctrl.state().session.signed_in ? "assistiti" : "accesso"));

  function environmentText(lang, env) {
    if (!env) return "";
    return env.mode === "remote"
      ? t(lang, "env_remote", { url: env.base_url || "" })
      : t(lang, "env_embedded");
  }

  let signinShown = false;

  function render(state, screen) {
    const lang = state.lang;
    const env = state.app.environment;
    // Arriving on the sign-in screen, the cursor waits in the first empty field.
    const onSignin = screen === "accesso";
    if (onSignin && !signinShown) {
      const active = document.activeElement;
      if (!active || active === document.body || active.id === "page-title" || active.closest("[hidden]")) {
        requestAnimationFrame(() => (user.value ? pass : user).focus());
      }
    }
    signinShown = onSignin;
    if (changed.signin(lang, state.signin, env)) {
      show(byId("signin-demo-hint"), Boolean(env && env.mode === "embedded_sandbox"));
      showText(byId("signin-error"), state.signin.error ? errorText(lang, state.signin.error) : "");
      submit.disabled = state.signin.busy;
      setText(submit, t(lang, state.signin.busy ? "signing_in" : "sign_in"));
      setText(byId("signin-environment"), environmentText(lang, env));
    }
    // Fill the settings form from the current environment each time the screen opens.
    const visible = screen === "impostazioni";
    if (visible && !settingsShown) {
      const remote = Boolean(env && env.mode === "remote");
      for (const r of radios) r.checked = r.value === (remote ? "remote" : "embedded_sandbox");
      url.value = remote ? env.base_url || "" : "";
      syncUrlEnabled();
      const prefs = state.app.preferences;
      remindersDaily.checked = Boolean(prefs && prefs.reminders_daily);
      remindersAt.value = prefs ? prefs.reminders_at : "";
      remindersDaily.disabled = !prefs;
      remindersAt.disabled = !(prefs && prefs.reminders_daily);
      const retention = (prefs && prefs.retention) || {};
      const values = {
        lockMinutes: prefs && prefs.lock_minutes,
        cacheDays: retention.cache_days,
        draftsDays: retention.drafts_days,
        auditDays: retention.audit_days,
      };
      for (const [key, el] of Object.entries(privacyInputs)) {
        el.value = values[key] === undefined || values[key] === null ? "" : String(values[key]);
        el.disabled = !prefs;
      }
    }
    settingsShown = visible;
    if (changed.settings(lang, state.settings, env)) {
      settingsLang.value = lang;
      setText(byId("settings-current"), environmentText(lang, env));
      showText(byId("settings-error"), state.settings.error ? errorText(lang, state.settings.error) : "");
      const save = byTestId(settingsForm, "settings-save");
      save.disabled = state.settings.busy;
      url.setAttribute("aria-invalid", state.settings.error && state.settings.error.kind === "invalid_base_url" ? "true" : "false");
      remindersAt.setAttribute("aria-invalid", state.settings.error && state.settings.error.kind === "validation" ? "true" : "false");
    }
  }

  return { render };
}
