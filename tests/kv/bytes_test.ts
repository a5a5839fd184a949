import { assertEquals } from "./_harness.ts";
import { fromLatin1, internLatin1, latin1, parseFloatStrict } from "../../src/kv/bytes.ts";

Deno.test("parseFloatStrict() reads integers, decimals, exponents and infinities as Redis does", () => {
  const cases: [string, number | null][] = [
    ["0", 0],
    ["7", 7],
    ["007", 7],
    ["+5", 5],
    ["-12", -12],
    ["123456789012345", 123456789012345],
    ["1234567890123456", 1234567890123456],
    ["1.5", 1.5],
    ["-.5", -0.5],
    ["1e3", 1000],
    ["inf", Infinity],
    ["-INF", -Infinity],
    ["", null],
    ["-", null],
    ["+", null],
    ["1a", null],
    [" 1", null],
    ["1 ", null],
    ["nan", null],
    ["--1", null],
  ];
  for (const [text, want] of cases) {
    assertEquals(parseFloatStrict(fromLatin1(text)), want, `bytes ${JSON.stringify(text)}`);
    assertEquals(parseFloatStrict(text), want, `string ${JSON.stringify(text)}`);
  }
  assertEquals(Object.is(parseFloatStrict(fromLatin1("-0")), -0), true);
});

Deno.test("internLatin1() decodes any bytes like latin1 and returns the same string for repeated bytes", () => {
  const samples: Uint8Array[] = [
    new Uint8Array(0),
    fromLatin1("mylist"),
    new Uint8Array([0, 255, 128, 13, 10, 0xc3, 0x28]), // NUL, high bytes, invalid UTF-8
    new Uint8Array(64).fill(0xe9),
    new Uint8Array(65).fill(7), // longer than the cache takes
  ];
  for (let i = 0; i < 3000; i++) samples.push(fromLatin1(`key:${i}`));
  for (const bytes of samples) assertEquals(internLatin1(bytes), latin1(bytes));
  // Same bytes in another buffer: the same content, every time (cached or decoded again).
  for (const bytes of samples) assertEquals(internLatin1(bytes.slice()), latin1(bytes));
  const a = internLatin1(fromLatin1("myzset"));
  assertEquals(internLatin1(fromLatin1("myzset")), a);
  // A slot reused by other bytes never answers with the wrong string.
  const b = internLatin1(new Uint8Array([1, 2, 3]));
  assertEquals(internLatin1(new Uint8Array([1, 2, 4])), "\x01\x02\x04");
  assertEquals(internLatin1(new Uint8Array([1, 2, 3])), b);
});
