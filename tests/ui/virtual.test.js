import { test } from "node:test";
import assert from "node:assert/strict";
import { scrollToReveal, windowRange } from "../../ui/js/virtual.js";

function check(input, expected) {
  assert.deepEqual(windowRange(input), expected, JSON.stringify(input));
}

test("the window holds the visible rows plus the overscan on both sides", () => {
  const base = { count: 10000, rowHeight: 48, viewportHeight: 480, overscan: 5 };
  check({ ...base, scrollTop: 0 }, { start: 0, end: 15, totalHeight: 480000 });
  check({ ...base, scrollTop: 4800 }, { start: 95, end: 115, totalHeight: 480000 });
  check({ ...base, scrollTop: 4824 }, { start: 95, end: 116, totalHeight: 480000 });
  check({ ...base, scrollTop: 480000 - 480 }, { start: 9985, end: 10000, totalHeight: 480000 });
});

test("out-of-range scroll positions are clamped", () => {
  const base = { count: 100, rowHeight: 50, viewportHeight: 500, overscan: 2 };
  check({ ...base, scrollTop: -300 }, { start: 0, end: 12, totalHeight: 5000 });
  check({ ...base, scrollTop: 999999 }, { start: 88, end: 100, totalHeight: 5000 });
});

test("short and empty lists render whole", () => {
  check({ count: 0, rowHeight: 48, viewportHeight: 500, scrollTop: 0 }, { start: 0, end: 0, totalHeight: 0 });
  check({ count: 3, rowHeight: 48, viewportHeight: 500, scrollTop: 0 }, { start: 0, end: 3, totalHeight: 144 });
});

test("a viewport of no height still renders at least one row", () => {
  check({ count: 10, rowHeight: 48, viewportHeight: 0, scrollTop: 0, overscan: 0 }, { start: 0, end: 1, totalHeight: 480 });
});

test("ten thousand rows never put more than a few dozen in the DOM at any position", () => {
  for (let top = 0; top <= 480000; top += 4321) {
    const { start, end } = windowRange({ count: 10000, rowHeight: 48, viewportHeight: 900, scrollTop: top });
    assert.ok(end - start <= Math.ceil(900 / 48) + 1 + 16, `${top}: ${end - start}`);
    assert.ok(start <= Math.floor(Math.min(top, 480000 - 900) / 48));
  }
});

test("revealing a row scrolls only when it is out of view", () => {
  const base = { rowHeight: 48, scrollTop: 480, viewportHeight: 480 };
  assert.equal(scrollToReveal({ ...base, index: 12 }), null);
  assert.equal(scrollToReveal({ ...base, index: 5 }), 240);
  assert.equal(scrollToReveal({ ...base, index: 20 }), 528);
});
