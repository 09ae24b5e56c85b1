// Keyboard movement in a WAI-ARIA grid (https://www.w3.org/WAI/ARIA/apg/patterns/grid/), as a
// pure function: the week of slots in step 3 is one tab stop and the arrow keys move inside it.
// No DOM here: the view turns its cells into `rows` and focuses the cell that comes back.

/** The keys `gridMove` handles (with Ctrl: Home and End). */
export const GRID_KEYS = ["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "Home", "End", "PageUp", "PageDown"];

/** The cells of one row as positions on a shared axis (times), from a count or from a list. */
function cells(row) {
  if (Array.isArray(row)) return row;
  const n = Math.max(0, Math.floor(Number(row) || 0));
  return Array.from({ length: n }, (_, i) => i);
}

/** The index in `to` nearest to `value` (ties go to the earlier one); -1 when `to` is empty. */
function nearest(to, value) {
  let best = -1;
  for (let i = 0; i < to.length; i += 1) {
    if (best < 0 || Math.abs(to[i] - value) < Math.abs(to[best] - value)) best = i;
  }
  return best;
}

/**
 * Where focus goes in a grid for `key`.
 *
 * `rows`: one entry per row (a day of the week), each either how many focusable cells it has
 * or their positions on a shared axis (e.g. minutes since midnight), in order; rows with no
 * cells are skipped. `pos`: the focused cell, `{row, col}`. `opts.ctrl`: Ctrl was held.
 * `opts.orientation`: "rows" (each row drawn as a row: Left/Right move inside it, Up/Down to
 * the previous/next row) or "columns" (each row drawn as a column, as the week of slots is:
 * Up/Down inside it, Left/Right across). Moving to another row lands on the cell nearest by
 * position (by index when `rows` are counts). Home/End: first/last cell of the row; with
 * Ctrl, of the grid. PageUp/PageDown: `{page: -1|1}` is added when `opts.canPage.prev/next`
 * says another page exists (the caller loads it), else the first/last row is the target.
 *
 * Returns `{row, col}` (unchanged at an edge), `{row, col, page}`, or null when `key` is not
 * a grid key or the grid has no cells.
 */
export function gridMove(rows, pos, key, opts = {}) {
  const { ctrl = false, orientation = "rows", canPage = {} } = opts;
  if (!GRID_KEYS.includes(key)) return null;
  const all = (rows || []).map(cells);
  const filled = all.map((r, i) => (r.length > 0 ? i : -1)).filter((i) => i >= 0);
  if (filled.length === 0) return null;
  let row = Number.isInteger(pos && pos.row) && all[pos.row] && all[pos.row].length > 0 ? pos.row : filled[0];
  const here = all[row];
  let col = Math.max(0, Math.min(here.length - 1, Number.isInteger(pos && pos.col) ? pos.col : 0));
  const to = (target) => ({ row: target, col: nearest(all[target], here[col]) });

  const across = orientation === "columns"
    ? { ArrowLeft: -1, ArrowRight: 1 }
    : { ArrowUp: -1, ArrowDown: 1 };
  const inside = orientation === "columns"
    ? { ArrowUp: -1, ArrowDown: 1 }
    : { ArrowLeft: -1, ArrowRight: 1 };

  if (key in inside) return { row, col: Math.max(0, Math.min(here.length - 1, col + inside[key])) };
  if (key in across) {
    const at = filled.indexOf(row);
    const target = filled[at + across[key]];
    return target === undefined ? { row, col } : to(target);
  }
  if (key === "Home" || key === "End") {
    const first = key === "Home";
    if (ctrl) {
      row = first ? filled[0] : filled[filled.length - 1];
      return { row, col: first ? 0 : all[row].length - 1 };
    }
    return { row, col: first ? 0 : here.length - 1 };
  }
  // PageUp / PageDown.
  const back = key === "PageUp";
  if (back ? canPage.prev : canPage.next) return { row, col, page: back ? -1 : 1 };
  const target = back ? filled[0] : filled[filled.length - 1];
  return target === row ? { row, col } : to(target);
}
