// Windowing math for long lists with a fixed row height: which rows to put in the DOM for a
// scroll position. Pure; the DOM side lives in features/history/view.js.

/**
 * The rows to render.
 * @param {object} p
 * @param {number} p.count          number of rows in the list
 * @param {number} p.rowHeight      height of one row in px (> 0)
 * @param {number} p.scrollTop      the viewport's scrollTop
 * @param {number} p.viewportHeight the viewport's clientHeight
 * @param {number} [p.overscan=8]   extra rows above and below the visible ones
 * @returns {{start: number, end: number, totalHeight: number}} rows [start, end) and the
 *   height of the whole list; row i sits at i * rowHeight.
 */
export function windowRange({ count, rowHeight, scrollTop, viewportHeight, overscan = 8 }) {
  const n = Math.max(0, Math.floor(count) || 0);
  const h = rowHeight > 0 ? rowHeight : 1;
  const totalHeight = n * h;
  if (n === 0) return { start: 0, end: 0, totalHeight };
  const maxTop = Math.max(0, totalHeight - Math.max(0, viewportHeight));
  const top = Math.min(Math.max(0, scrollTop || 0), maxTop);
  const view = Math.max(0, viewportHeight || 0);
  const first = Math.floor(top / h);
  const last = Math.ceil((top + view) / h); // exclusive
  const start = Math.max(0, first - overscan);
  const end = Math.min(n, Math.max(last, first + 1) + overscan);
  return { start, end, totalHeight };
}

/** The scrollTop that brings row `index` fully into view, or null when it already is. */
export function scrollToReveal({ index, rowHeight, scrollTop, viewportHeight }) {
  const top = index * rowHeight;
  const bottom = top + rowHeight;
  if (top < scrollTop) return top;
  if (bottom > scrollTop + viewportHeight) return bottom - viewportHeight;
  return null;
}
