import assert from "node:assert/strict";
import { exactWallClock, monotonicTimer, wallClock } from "../../src/kv/clocks.ts";
import { KvEngine } from "../../src/kv/engine.ts";
import { defaultKvConfig } from "../../src/kv/config.ts";

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

Deno.test("exactWallClock() reads the wall clock with sub-millisecond precision", () => {
  const exact = exactWallClock();
  let fractional = false;
  for (let i = 0; i < 1000; i++) {
    const before = Date.now();
    const t = exact();
    const after = Date.now();
    assert.ok(Math.floor(t) >= before && Math.floor(t) <= after, `${before} <= ${t} <= ${after}`);
    if (!Number.isInteger(t)) fractional = true;
  }
  assert.ok(fractional);
});

Deno.test("inside a listener turn a command's wall time comes from its timer reading", () => {
  let timer = 1000.7;
  let exact = 5000.2;
  let wall = 9000;
  const x = new KvEngine({ ...defaultKvConfig }, () => wall, Math.random, () => timer, () => exact);
  x.clockTurn(true);
  x.startCommand(); // The turn's first command reads the wall clock: offset 3999.5.
  assert.equal(x.now, 5000);
  x.endBatch();
  timer = 1002.6;
  exact = wall = 123; // Not read again inside the turn.
  x.startCommand();
  assert.equal(x.now, 5002);
  assert.equal(x.timedFromMs, 1002.6);
  x.clockTurn(false);
  x.endBatch();
  x.startCommand();
  assert.equal(x.now, 123);
  // Without an exact wall clock (injected clocks), every command reads the wall clock.
  const plain = new KvEngine({ ...defaultKvConfig }, () => wall, Math.random, () => timer);
  plain.clockTurn(true);
  plain.startCommand();
  wall = 456;
  plain.endBatch();
  plain.startCommand();
  assert.equal(plain.now, 456);
});

Deno.test("a pause between the offset's clock reads leaves the turn on the wall clock", () => {
  const timers = [10, 10.2]; // The second read 0.2 ms after the first: too far apart.
  let timer = 0;
  let wall = 7000;
  const exact = () => 5000.5;
  const x = new KvEngine({ ...defaultKvConfig }, () => wall, Math.random, () => {
    return timers.shift() ?? timer;
  }, exact);
  x.clockTurn(true);
  x.startCommand();
  assert.equal(x.now, 5000);
  x.endBatch();
  timer = 20;
  wall = 7001;
  x.startCommand();
  assert.equal(x.now, 7001);
});

Deno.test("the real clocks give a turn's commands the wall clock's time", () => {
  const exact = exactWallClock();
  const x = new KvEngine(
    { ...defaultKvConfig },
    wallClock(),
    Math.random,
    monotonicTimer(),
    exactWallClock(),
  );
  for (let i = 0; i < 1000; i++) {
    x.clockTurn(true);
    for (let j = 0; j < 3; j++) {
      const before = exact();
      x.startCommand();
      const after = exact();
      x.endBatch();
      // A derived time may lead the wall clock by the offset's bracket (at most 0.05 ms), never trail it.
      assert.ok(
        x.now >= Math.floor(before) && x.now <= Math.floor(after + 0.05),
        `${before} <= ${x.now} <= ${after}`,
      );
    }
    x.clockTurn(false);
  }
});
