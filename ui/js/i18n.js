// Italian first, English second. Keys are stable; Italian labels are the product's words.

export const MESSAGES = {
  it: {
    skip_to_content: "Vai al contenuto",
    env_sandbox: "Ambiente di prova",
    language: "Lingua",
    nav_label: "Navigazione principale",
    nav_communications: "Comunicazioni",
    nav_appointments: "Gestione appuntamenti",
    title_communications: "Comunicazioni",
    title_appointments: "Gestione appuntamenti",
    empty_select_contributor: "Seleziona un assistito per vedere le sue comunicazioni.",
    empty_select_contributor_appointments: "Seleziona un assistito per vedere i suoi appuntamenti.",
  },
  en: {
    skip_to_content: "Skip to content",
    env_sandbox: "Test environment",
    language: "Language",
    nav_label: "Main navigation",
    nav_communications: "Communications",
    nav_appointments: "Appointments",
    title_communications: "Communications",
    title_appointments: "Appointments",
    empty_select_contributor: "Select a contributor to see their communications.",
    empty_select_contributor_appointments: "Select a contributor to see their appointments.",
  },
};

export const LANGUAGES = Object.keys(MESSAGES);

/** Returns the text for `key` in `lang`, falling back to Italian, then to the key. */
export function t(lang, key) {
  const table = MESSAGES[lang] || MESSAGES.it;
  return table[key] ?? MESSAGES.it[key] ?? key;
}

/** Applies `lang` to every element marked with data-i18n / data-i18n-aria-label under `root`. */
export function applyTranslations(root, lang) {
  root.documentElement && (root.documentElement.lang = lang);
  for (const el of root.querySelectorAll("[data-i18n]")) {
    el.textContent = t(lang, el.dataset.i18n);
  }
  for (const el of root.querySelectorAll("[data-i18n-aria-label]")) {
    el.setAttribute("aria-label", t(lang, el.dataset.i18nAriaLabel));
  }
}
