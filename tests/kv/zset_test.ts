import { assertEquals } from "./_harness.ts";
import { ZSet } from "../../src/kv/zset.ts";

/** A small deterministic generator, so a failure replays. */
function generator(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

Deno.test("ZSet keeps (score, member) order through inserts, score changes and removals across chunk splits", () => {
  const random = generator(7);
  const z = new ZSet();
  const model = new Map<string, number>();
  // Few distinct scores, so many members tie and order by member; enough members to split chunks.
  for (let step = 0; step < 6000; step++) {
    const member = `m${Math.floor(random() * 2500)}`;
    const score = Math.floor(random() * 40) - 20;
    const r = random();
    if (r < 0.6) {
      assertEquals(z.add(member, score), !model.has(member));
      model.set(member, score);
    } else if (r < 0.8) {
      const old = z.scores.get(member);
      if (old === undefined) z.insertNew(member, score);
      else if (old !== score) z.replace(member, old, score);
      model.set(member, score);
    } else {
      assertEquals(z.remove(member), model.delete(member));
    }
  }
  const expected = [...model].map(([member, score]) => ({ member, score }))
    .sort((a, b) => a.score - b.score || (a.member < b.member ? -1 : a.member > b.member ? 1 : 0));
  assertEquals(z.size, expected.length);
  assertEquals(
    z.entries().map((e) => [e.member, e.score]),
    expected.map((e) => [e.member, e.score]),
  );
  for (let i = 0; i < expected.length; i += 97) assertEquals(z.rank(expected[i]!.member), i);
  // Empty it completely, then use it again.
  for (const member of model.keys()) assertEquals(z.remove(member), true);
  assertEquals(z.size, 0);
  assertEquals(z.add("a", 1), true);
  assertEquals(z.entries().map((e) => e.member), ["a"]);
});
