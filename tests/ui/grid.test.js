import { test } from "node:test";
import assert from "node:assert/strict";
import { gridMove } from "../../ui/js/grid.js";

// A week: Monday 3 slots, Tuesday none, Wednesday 2, Thursday 4 (counts: by index).
const WEEK = [3, 0, 2, 4];

test("Left/Right move inside a row and stop at its ends", () => {
  assert.deepEqual(gridMove(WEEK, { row: 0, col: 1 }, "ArrowRight"), { row: 0, col: 2 });
  assert.deepEqual(gridMove(WEEK, { row: 0, col: 2 }, "ArrowRight"), { row: 0, col: 2 });
  assert.deepEqual(gridMove(WEEK, { row: 0, col: 1 }, "ArrowLeft"), { row: 0, col: 0 });
  assert.deepEqual(gridMove(WEEK, { row: 0, col: 0 }, "ArrowLeft"), { row: 0, col: 0 });
});

test("Up/Down move to the previous/next row with cells, keeping the index as far as it goes", () => {
  assert.deepEqual(gridMove(WEEK, { row: 0, col: 2 }, "ArrowDown"), { row: 2, col: 1 });
  assert.deepEqual(gridMove(WEEK, { row: 2, col: 1 }, "ArrowDown"), { row: 3, col: 1 });
  assert.deepEqual(gridMove(WEEK, { row: 3, col: 3 }, "ArrowUp"), { row: 2, col: 1 });
  assert.deepEqual(gridMove(WEEK, { row: 2, col: 0 }, "ArrowUp"), { row: 0, col: 0 });
  assert.deepEqual(gridMove(WEEK, { row: 0, col: 0 }, "ArrowUp"), { row: 0, col: 0 });
  assert.deepEqual(gridMove(WEEK, { row: 3, col: 2 }, "ArrowDown"), { row: 3, col: 2 });
});

test("between rows of times the nearest time wins (ties to the earlier)", () => {
  // Minutes since midnight: 9:00 9:30 10:00 | 11:00 15:00 | 8:30 9:45 10:15
  const rows = [[540, 570, 600], [660, 900], [510, 585, 615]];
  assert.deepEqual(gridMove(rows, { row: 0, col: 2 }, "ArrowDown"), { row: 1, col: 0 });
  assert.deepEqual(gridMove(rows, { row: 1, col: 1 }, "ArrowDown"), { row: 2, col: 2 });
  assert.deepEqual(gridMove(rows, { row: 2, col: 1 }, "ArrowUp"), { row: 1, col: 0 });
  assert.deepEqual(gridMove([[540, 600], [570]], { row: 1, col: 0 }, "ArrowUp"), { row: 0, col: 0 });
});

test("Home/End: first/last of the row; with Ctrl, of the grid", () => {
  assert.deepEqual(gridMove(WEEK, { row: 3, col: 2 }, "Home"), { row: 3, col: 0 });
  assert.deepEqual(gridMove(WEEK, { row: 3, col: 1 }, "End"), { row: 3, col: 3 });
  assert.deepEqual(gridMove(WEEK, { row: 2, col: 1 }, "Home", { ctrl: true }), { row: 0, col: 0 });
  assert.deepEqual(gridMove(WEEK, { row: 0, col: 1 }, "End", { ctrl: true }), { row: 3, col: 3 });
  assert.deepEqual(gridMove([0, 2, 0], { row: 1, col: 0 }, "End", { ctrl: true }), { row: 1, col: 1 });
});

test("PageUp/PageDown ask for another page when there is one, else go to the first/last row", () => {
  assert.deepEqual(gridMove(WEEK, { row: 2, col: 1 }, "PageDown", { canPage: { next: true } }), { row: 2, col: 1, page: 1 });
  assert.deepEqual(gridMove(WEEK, { row: 2, col: 1 }, "PageUp", { canPage: { prev: true, next: true } }), { row: 2, col: 1, page: -1 });
  assert.deepEqual(gridMove(WEEK, { row: 2, col: 1 }, "PageDown"), { row: 3, col: 1 });
  assert.deepEqual(gridMove(WEEK, { row: 3, col: 3 }, "PageUp", { canPage: { next: true } }), { row: 0, col: 2 });
  assert.deepEqual(gridMove(WEEK, { row: 0, col: 1 }, "PageUp"), { row: 0, col: 1 });
});

test("days drawn as columns: Up/Down inside the day, Left/Right across days", () => {
  const o = { orientation: "columns" };
  assert.deepEqual(gridMove(WEEK, { row: 3, col: 1 }, "ArrowDown", o), { row: 3, col: 2 });
  assert.deepEqual(gridMove(WEEK, { row: 3, col: 1 }, "ArrowUp", o), { row: 3, col: 0 });
  assert.deepEqual(gridMove(WEEK, { row: 0, col: 2 }, "ArrowRight", o), { row: 2, col: 1 });
  assert.deepEqual(gridMove(WEEK, { row: 2, col: 0 }, "ArrowLeft", o), { row: 0, col: 0 });
  assert.deepEqual(gridMove(WEEK, { row: 3, col: 3 }, "ArrowRight", o), { row: 3, col: 3 });
  assert.deepEqual(gridMove(WEEK, { row: 3, col: 1 }, "End", o), { row: 3, col: 3 });
});

test("a focus outside the cells lands on the first cell; other keys and empty grids give null", () => {
  assert.deepEqual(gridMove(WEEK, { row: 1, col: 0 }, "ArrowRight"), { row: 0, col: 1 });
  assert.deepEqual(gridMove(WEEK, { row: 0, col: 9 }, "ArrowLeft"), { row: 0, col: 1 });
  assert.deepEqual(gridMove(WEEK, null, "Home"), { row: 0, col: 0 });
  assert.equal(gridMove(WEEK, { row: 0, col: 0 }, "Enter"), null);
  assert.equal(gridMove(WEEK, { row: 0, col: 0 }, "a"), null);
  assert.equal(gridMove([0, 0], { row: 0, col: 0 }, "ArrowDown"), null);
  assert.equal(gridMove([], { row: 0, col: 0 }, "Home"), null);
});
