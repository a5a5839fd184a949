/**
 * Key specs: every command that takes keys has them, and they find the same
 * keys as the positions COMMAND GETKEYS reports (keysOf), with the flags
 * Redis 7.0 gives, for the usual shapes of command line.
 */
import assert from "node:assert/strict";
import { commandTable } from "../../src/kv/dispatch.ts";
import { keysOf, subcommands } from "../../src/kv/cmd_command.ts";
import { keyRefs, keySpecs } from "../../src/kv/key_specs.ts";

const enc = new TextEncoder();
const line = (...words: string[]) => words.map((w) => enc.encode(w));

Deno.test("Every command with key arguments has key specs (its subcommands' for containers)", () => {
  for (const spec of commandTable().values()) {
    if (spec.firstKey === 0 && !spec.flags.has("movablekeys")) continue;
    const subs = subcommands[spec.name];
    const names = subs === undefined
      ? [spec.name]
      : subs.map((s) => `${spec.name}|${s}`).filter((n) => keySpecs.has(n));
    assert.ok(names.length > 0 && names.every((n) => keySpecs.has(n)), `key specs of ${spec.name}`);
  }
});

Deno.test("Key specs find the keys COMMAND GETKEYS finds", () => {
  const lines = [
    line("get", "k"),
    line("mset", "a", "1", "b", "2"),
    line("del", "a", "b", "c"),
    line("blpop", "a", "b", "0"),
    line("zunionstore", "d", "2", "a", "b", "WEIGHTS", "1", "2"),
    line("zinter", "2", "a", "b"),
    line("lmpop", "2", "a", "b", "LEFT"),
    line("bzmpop", "0", "1", "a", "MIN"),
    line("xread", "COUNT", "1", "STREAMS", "a", "b", "0", "0"),
    line("xreadgroup", "GROUP", "g", "c", "STREAMS", "a", "0"),
    line("bitop", "AND", "d", "a", "b"),
    line("sort", "a", "LIMIT", "0", "1", "STORE", "d"),
    line("eval", "return 1", "2", "a", "b", "x"),
    line("georadiusbymember", "a", "m", "1", "km", "STORE", "d"),
  ];
  for (const l of lines) {
    const name = new TextDecoder().decode(l[0]!);
    const spec = commandTable().get(name)!;
    const expected = keysOf(spec, l)!.map((k) => new TextDecoder().decode(k));
    const found = keyRefs(name, l).map((r) => new TextDecoder().decode(l[r.pos]!));
    assert.deepEqual(found.sort(), expected.sort(), name);
  }
});

Deno.test("Key flags: variable for SET and BITFIELD, per position elsewhere", () => {
  const flags = (...words: string[]) => keyRefs(words[0]!, line(...words)).map((r) => r.flags);
  assert.deepEqual(flags("set", "k", "v", "EX", "1"), [["OW", "update"]]);
  assert.deepEqual(flags("set", "k", "v", "get"), [["RW", "access", "update"]]);
  assert.deepEqual(flags("bitfield", "k", "GET", "u4", "0", "OVERFLOW", "SAT"), [["RO", "access"]]);
  assert.deepEqual(flags("bitfield", "k", "INCRBY", "u4", "0", "1"), [["RW", "access", "update"]]);
  assert.deepEqual(flags("bitfield", "k", "GET", "u4"), [["RW", "access", "update"]]);
  assert.deepEqual(flags("copy", "a", "b"), [["RO", "access"], ["OW", "update"]]);
  assert.deepEqual(flags("xgroup|create", "xgroup", "create", "k", "g", "$"), [["RW", "insert"]]);
  // Shard channels are marked not_key and left out; a bad key count names no key.
  assert.deepEqual(flags("spublish", "ch", "m"), []);
  assert.deepEqual(flags("zunionstore", "d", "5", "a"), []);
  assert.deepEqual(flags("eval", "s", "-1", "a"), []);
});
