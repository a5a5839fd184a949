import assert from "node:assert/strict";
import { monotonicTimer, wallClock } from "../../src/kv/clocks.ts";

Deno.test("wallClock() reads whole milliseconds that agree with Date.now()", () => {
  const clock = wallClock();
  for (let i = 0; i < 1000; i++) {
    const before = Date.now();
    const t = clock();
    const after = Date.now();
    assert.ok(Number.isInteger(t));
    assert.ok(t >= before && t <= after, `${before} <= ${t} <= ${after}`);
  }
});

Deno.test("monotonicTimer() never goes back and measures what performance.now() measures", async () => {
  const timer = monotonicTimer();
  let last = timer();
  for (let i = 0; i < 10_000; i++) {
    const t = timer();
    assert.ok(t >= last);
    last = t;
  }
  const t0 = timer();
  const p0 = performance.now();
  await new Promise((resolve) => setTimeout(resolve, 30));
  const elapsed = timer() - t0;
  const reference = performance.now() - p0;
  assert.ok(elapsed >= 29, `elapsed ${elapsed}`);
  assert.ok(Math.abs(elapsed - reference) < 5, `${elapsed} against ${reference}`);
  // Sub-millisecond precision, as the command durations in microseconds need.
  const a = timer();
  let b = timer();
  while (b === a) b = timer();
  assert.ok(b - a < 0.5, `step ${b - a}`);
});
