// Small DOM helpers shared by the views. Text goes in with textContent only.

export const byId = (id) => document.getElementById(id);

/** The element with `data-testid` under `root`. */
export function byTestId(root, testid) {
  return root.querySelector(`[data-testid="${testid}"]`);
}

/** A fresh copy of a <template>'s first element. */
export function clone(templateId) {
  return byId(templateId).content.firstElementChild.cloneNode(true);
}

/** Sets textContent only when it changes (keeps screen readers and selections calm). */
export function setText(el, text) {
  const value = text === null || text === undefined ? "" : String(text);
  if (el.textContent !== value) el.textContent = value;
}

/** Shows or hides an element. */
export function show(el, visible) {
  if (el.hidden === Boolean(visible)) el.hidden = !visible;
}

/** Sets a text that hides its element when empty (error boxes). */
export function showText(el, text) {
  setText(el, text || "");
  show(el, Boolean(text));
}

/** Sets or removes an attribute. */
export function attr(el, name, value) {
  if (value === null || value === undefined || value === false) {
    if (el.hasAttribute(name)) el.removeAttribute(name);
  } else if (el.getAttribute(name) !== String(value)) {
    el.setAttribute(name, String(value));
  }
}

/** Fills a <dl> with [term, value] rows using the tpl-fact template; empty values are skipped. */
export function fillFacts(dl, rows) {
  const nodes = [];
  for (const row of rows) {
    const [term, value, testid] = row;
    if (value === null || value === undefined || value === "") continue;
    const node = clone("tpl-fact");
    node.querySelector(".js-term").textContent = term;
    const dd = node.querySelector(".js-value");
    dd.textContent = value;
    if (testid) dd.dataset.testid = testid;
    nodes.push(node);
  }
  dl.replaceChildren(...nodes);
}

/** Sets an input's value unless it already has it (keeps the caret while typing). */
export function setValue(el, value) {
  const v = value === null || value === undefined ? "" : String(value);
  if (el.value !== v) el.value = v;
}

/** Keeps the last inputs of a render and says whether any changed. */
export function memo() {
  let last = null;
  return (...inputs) => {
    if (last && last.length === inputs.length && last.every((v, i) => v === inputs[i])) return false;
    last = inputs;
    return true;
  };
}
