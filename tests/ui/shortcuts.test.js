import { test } from "node:test";
import assert from "node:assert/strict";
import { MESSAGES } from "../../ui/js/i18n.js";
import { SHORTCUTS } from "../../ui/js/features/shortcuts/view.js";

test("every text and key name of the shortcuts dialog exists in Italian and English", () => {
  const keys = new Set();
  for (const section of SHORTCUTS) {
    keys.add(section.title);
    for (const item of section.items) {
      keys.add(item.text);
      for (const combination of item.keys) for (const token of combination) if (token.startsWith("key_")) keys.add(token);
    }
  }
  for (const key of keys) {
    assert.ok(MESSAGES.it[key], `it.${key}`);
    assert.ok(MESSAGES.en[key], `en.${key}`);
  }
});

test("the dialog lists the keys of the week of slots", () => {
  const slots = SHORTCUTS.find((s) => s.title === "shortcuts_slots");
  const tokens = slots.items.flatMap((i) => i.keys.flat());
  for (const token of ["↑", "↓", "←", "→", "key_home", "key_end", "Ctrl", "key_page_up", "key_page_down", "key_enter", "key_space"]) {
    assert.ok(tokens.includes(token), token);
  }
});
