import assert from "node:assert/strict";
import { Lru } from "../../src/common/lru.ts";
import { AssertionError } from "../../src/common/errors.ts";

Deno.test("lru: stores and finds values, evicting the oldest beyond the capacity", () => {
  const lru = new Lru<number>(3);
  lru.set("a", 1);
  lru.set("b", 2);
  lru.set("c", 3);
  assert.equal(lru.size, 3);
  lru.set("d", 4);
  assert.equal(lru.size, 3);
  assert.equal(lru.get("a"), undefined);
  assert.deepEqual(["b", "c", "d"].map((k) => lru.get(k)), [2, 3, 4]);
});

Deno.test("lru: storing a key again replaces its value and makes it the youngest", () => {
  const lru = new Lru<string>(2);
  lru.set("a", "first");
  lru.set("b", "b");
  lru.set("a", "second");
  lru.set("c", "c");
  assert.equal(lru.get("b"), undefined);
  assert.equal(lru.get("a"), "second");
  assert.equal(lru.get("c"), "c");
});

Deno.test("lru: a hit that has aged a quarter of the capacity survives eviction", () => {
  const lru = new Lru<number>(8);
  for (let i = 0; i < 8; i++) lru.set(`k${i}`, i);
  // Age k0 by more than 8 >> 2 = 2 lookups, then hit it: it moves to the young end.
  for (let i = 0; i < 3; i++) lru.get("missing");
  assert.equal(lru.get("k0"), 0);
  lru.set("new", 8);
  assert.equal(lru.get("k0"), 0);
  assert.equal(lru.get("k1"), undefined);
});

Deno.test("lru: a fresh hit does not reorder the map", () => {
  const lru = new Lru<number>(8);
  for (let i = 0; i < 8; i++) lru.set(`k${i}`, i);
  assert.equal(lru.get("k0"), 0); // one lookup since it was stored: not aged
  lru.set("new", 8);
  assert.equal(lru.get("k0"), undefined);
});

Deno.test("lru: clear drops everything; a capacity below 1 is a bug", () => {
  const lru = new Lru<number>(1);
  lru.set("a", 1);
  lru.clear();
  assert.equal(lru.size, 0);
  assert.equal(lru.get("a"), undefined);
  assert.throws(() => new Lru<number>(0), AssertionError);
  assert.throws(() => new Lru<number>(1.5), AssertionError);
});
