import { assertEquals } from "./_harness.ts";
import { Entry } from "../../src/kv/keyspace.ts";
import { lfuCounter, lfuInitialCounter, lfuPack, lfuTouch } from "../../src/kv/lfu.ts";

Deno.test("LFU counter grows logarithmically with accesses and decays one per idle minute", () => {
  const now = 1_700_000_000_000;
  const e = new Entry("string", "v");
  e.lru = lfuPack(lfuInitialCounter, now);
  assertEquals(lfuCounter(e, now), 5);
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let i = 0; i < 100; i++) lfuTouch(e, now, random);
  const after100 = lfuCounter(e, now);
  for (let i = 0; i < 10_000; i++) lfuTouch(e, now, random);
  const after10k = lfuCounter(e, now);
  // Growth slows as the counter rises: 100 hits add a few points, 10,000 more far fewer than 10,000.
  assertEquals(after100 > 5 && after100 < 30, true, `after 100: ${after100}`);
  assertEquals(after10k > after100 && after10k < 100, true, `after 10,000: ${after10k}`);
  assertEquals(lfuCounter(e, now + 3 * 60_000), after10k - 3);
  assertEquals(lfuCounter(e, now + 1000 * 60_000), 0);
  e.lru = lfuPack(255, now);
  lfuTouch(e, now, () => 0);
  assertEquals(lfuCounter(e, now), 255);
});
