// Keyboard shortcuts: "?" opens a dialog that lists them all (the app's own and the keys of
// the lists and of the week of slots); Alt+R and Alt+C reach the agenda's first "Richiedi
// appuntamento" and "Conferma Appuntamento" from any screen.

import { t } from "../../i18n.js";
import { screenOf } from "../../state.js";
import { byId, byTestId, memo } from "../../views/dom.js";

/**
 * What the dialog lists, by section. `keys` are alternatives, each a combination of tokens:
 * a `key_…` token is the key's name in the language shown, any other is printed as it is.
 */
export const SHORTCUTS = [
  {
    title: "shortcuts_general",
    items: [
      { keys: [["?"]], text: "shortcut_help" },
      { keys: [["Alt", "R"]], text: "shortcut_request" },
      { keys: [["Alt", "C"]], text: "shortcut_confirm" },
      { keys: [["key_esc"]], text: "shortcut_escape" },
    ],
  },
  {
    title: "shortcuts_slots",
    items: [
      { keys: [["↑"], ["↓"]], text: "shortcut_grid_day" },
      { keys: [["←"], ["→"]], text: "shortcut_grid_days" },
      { keys: [["key_home"], ["key_end"]], text: "shortcut_grid_home_end" },
      { keys: [["Ctrl", "key_home"], ["Ctrl", "key_end"]], text: "shortcut_grid_week_ends" },
      { keys: [["key_page_up"], ["key_page_down"]], text: "shortcut_grid_weeks" },
      { keys: [["key_enter"], ["key_space"]], text: "shortcut_grid_choose" },
    ],
  },
  {
    title: "shortcuts_wizard",
    items: [
      { keys: [["key_enter"]], text: "shortcut_choice_enter" },
      { keys: [["key_enter"]], text: "shortcut_phone_enter" },
      { keys: [["Ctrl", "key_enter"]], text: "shortcut_notes_book" },
    ],
  },
  {
    title: "shortcuts_lists",
    items: [
      { keys: [["↑"], ["↓"]], text: "shortcut_lists_rows" },
      { keys: [["key_home"], ["key_end"]], text: "shortcut_lists_ends" },
      { keys: [["key_enter"]], text: "shortcut_search_enter" },
    ],
  },
];

/** The agenda buttons Alt+<letter> reaches, with what is said when there is none. */
const AGENDA_KEYS = {
  r: { testid: "agenda-request", none: "shortcut_no_request" },
  c: { testid: "agenda-confirm", none: "shortcut_no_confirm" },
};

/** The letter key of `event` whatever Alt makes of it (macOS: Option+R types "®"). */
function letterOf(event) {
  return /^Key[A-Z]$/.test(event.code || "") ? event.code.slice(3).toLowerCase() : String(event.key || "").toLowerCase();
}

/** Whether keys typed at `el` are text (where "?" is a character, not a shortcut). */
function typing(el) {
  if (!el || !el.matches) return false;
  if (el.isContentEditable || el.matches("textarea, select")) return true;
  return el.matches("input") && !["button", "checkbox", "radio", "submit", "reset", "range", "color", "file", "image"].includes(el.type);
}

export function createShortcuts(ctrl, { announce }) {
  const dialog = byId("shortcuts-dialog");
  const list = byId("shortcuts-list");
  const title = byId("shortcuts-title");
  title.tabIndex = -1;
  const changed = memo();
  let opener = null;
  let lang = "it";

  function open() {
    if (dialog.open) return;
    opener = document.activeElement;
    dialog.showModal();
    // The list starts at its title (not at Chiudi, below the fold); Tab reaches Chiudi.
    title.focus();
    dialog.scrollTop = 0;
  }
  byTestId(document, "shortcuts-open").addEventListener("click", open);
  // Escape closes it natively; focus goes back where it was.
  dialog.addEventListener("close", () => {
    const back = opener && opener.isConnected && !opener.closest("[hidden]") ? opener : byId("main");
    opener = null;
    back.focus();
  });

  /** Focuses the agenda's first enabled button `testid`, showing the agenda first if needed. */
  async function focusInAgenda({ testid, none }) {
    const away = screenOf(ctrl.state()) !== "agenda";
    if (away) await ctrl.navigate("agenda", { focus: false });
    if (screenOf(ctrl.state()) !== "agenda") return;
    const b = document.querySelector(`#agenda-body [data-testid="${testid}"]:not(:disabled)`);
    if (b && !b.closest("[hidden]")) {
      b.focus();
      return;
    }
    if (away) byId("page-title").focus();
    announce(t(lang, none));
  }

  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey) return;
    // Another dialog (Annulla appuntamento, a confirmation) keeps the keys to itself.
    const modal = document.querySelector("dialog[open]");
    if (event.key === "?" && !event.altKey && !typing(event.target)) {
      if (modal) return;
      event.preventDefault();
      open();
      return;
    }
    const target = event.altKey && !event.shiftKey && AGENDA_KEYS[letterOf(event)];
    // Not while typing: Alt+letter there must not leave the field (or the wizard).
    if (target && !modal && !typing(event.target) && ctrl.state().session.signed_in) {
      event.preventDefault();
      focusInAgenda(target);
    }
  });

  function combination(tokens) {
    const kbd = document.createElement("kbd");
    kbd.textContent = tokens.map((k) => (k.startsWith("key_") ? t(lang, k) : k)).join(" + ");
    return kbd;
  }

  function render(state) {
    if (!changed(state.lang)) return;
    lang = state.lang;
    const nodes = [];
    for (const section of SHORTCUTS) {
      const h = document.createElement("h3");
      h.textContent = t(lang, section.title);
      const dl = document.createElement("dl");
      dl.className = "shortcuts";
      for (const item of section.items) {
        const row = document.createElement("div");
        row.dataset.testid = "shortcut";
        const dt = document.createElement("dt");
        item.keys.forEach((keys, i) => {
          if (i > 0) dt.append(" / ");
          dt.append(combination(keys));
        });
        const dd = document.createElement("dd");
        dd.textContent = t(lang, item.text);
        row.append(dt, dd);
        dl.append(row);
      }
      nodes.push(h, dl);
    }
    list.replaceChildren(...nodes);
  }

  return { render };
}
