import { assertEquals } from "./_harness.ts";
import { formatId, idMax, makeId, parseId, Stream, type StreamId } from "../../src/kv/stream.ts";
import { prng } from "../_support/prng.ts";

function rangeOf(model: readonly StreamId[], start: StreamId, end: StreamId): string[] {
  return model.filter((id) => id >= start && id <= end).map(formatId);
}

Deno.test("Stream matches a sorted-array model under appends, deletes, trims and ranges", () => {
  for (const seed of [1, 2, 3, 4]) {
    const random = prng(seed);
    const s = new Stream();
    let model: StreamId[] = [];
    let next = 1n;
    const nodeMax = 1 + Math.floor(random() * 8);
    for (let step = 0; step < 3000; step++) {
      const r = random();
      if (r < 0.55) {
        next += BigInt(1 + Math.floor(random() * 3));
        const id = makeId(next / 4n, next % 4n);
        s.append(id, ["f", String(step)], nodeMax);
        model.push(id);
      } else if (r < 0.75 && model.length > 0) {
        const id = model[Math.floor(random() * model.length)]!;
        assertEquals(s.delete(id), true);
        assertEquals(s.delete(id), false);
        model = model.filter((m) => m !== id);
      } else if (r < 0.8) {
        const maxlen = Math.floor(random() * 40);
        const approx = random() < 0.5;
        const before = s.length;
        const removed = s.trim({ kind: "maxlen", maxlen }, approx, 0);
        model = model.slice(removed);
        // Exact trims hit the target; approximate ones stop at a node boundary at or above it.
        if (!approx) assertEquals(s.length, Math.min(maxlen, before));
        else assertEquals(s.length >= Math.min(maxlen, before), true);
      } else if (r < 0.83 && model.length > 0) {
        const minid = model[Math.floor(random() * model.length)]!;
        const removed = s.trim({ kind: "minid", minid }, false, 0);
        assertEquals(model.slice(0, removed).every((id) => id < minid), true);
        model = model.slice(removed);
        assertEquals(model.every((id) => id >= minid), true);
      } else {
        const a = makeId(BigInt(Math.floor(random() * Number(next / 4n + 2n))), 0n);
        const b = a + makeId(BigInt(Math.floor(random() * 20)), 3n);
        const fwd = [...s.entries(a, b, false)].map((e) => formatId(e.id));
        assertEquals(fwd, rangeOf(model, a, b), `seed ${seed} step ${step}`);
        const rev = [...s.entries(a, b, true)].map((e) => formatId(e.id));
        assertEquals(rev, [...fwd].reverse(), `seed ${seed} step ${step}`);
      }
      assertEquals(s.length, model.length, `seed ${seed} step ${step}`);
    }
    assertEquals([...s.entries(0n, idMax, false)].map((e) => e.id), model);
    assertEquals(s.first()?.id, model[0]);
    assertEquals(s.last()?.id, model[model.length - 1]);
  }
});

Deno.test("Stream IDs parse and print as Redis's (u64 parts, ms-* and missing sequences)", () => {
  const u64 = "18446744073709551615";
  assertEquals(formatId(parseId(`${u64}-${u64}`, 0n)!.id), `${u64}-${u64}`);
  assertEquals(parseId(`${u64}-${u64}`, 0n)!.id, idMax);
  assertEquals(parseId("18446744073709551616-0", 0n), null);
  assertEquals(formatId(parseId("5", BigInt(u64))!.id), `5-${u64}`);
  assertEquals(parseId("5-*", 0n), null);
  assertEquals(parseId("5-*", 0n, true), { id: makeId(5n, 0n), autoSeq: true });
  assertEquals(parseId("-1", 0n), null);
  assertEquals(parseId("1-2-3", 0n), null);
});
