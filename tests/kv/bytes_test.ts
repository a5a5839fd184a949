import { assertEquals } from "./_harness.ts";
import { fromLatin1, parseFloatStrict } from "../../src/kv/bytes.ts";

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
