import assert from "node:assert/strict";
import { DbError } from "../../src/common/errors.ts";
import {
  numericAdd,
  numericApplyTypmod,
  numericCompare,
  numericDiv,
  numericFromNumber,
  numericFromString,
  numericMod,
  numericMul,
  numericRound,
  numericSqrt,
  numericSub,
  numericToNumber,
  numericToString,
  numericTrunc,
  numericTypmod,
} from "../../src/common/numeric.ts";
import {
  numericExp,
  numericLn,
  numericLog,
  numericPower,
} from "../../src/common/numeric_transcendental.ts";

const n = numericFromString;
const s = numericToString;

function code(fn: () => unknown): string {
  try {
    fn();
    return "";
  } catch (e) {
    assert.ok(e instanceof DbError);
    return e.sqlstate;
  }
}

Deno.test("numericFromString() parses and keeps the scale as written", () => {
  assert.equal(s(n("12.50")), "12.50");
  assert.equal(s(n("-0.001")), "-0.001");
  assert.equal(s(n("1e3")), "1000");
  assert.equal(s(n("1.5E-3")), "0.0015");
  assert.equal(s(n(" .5 ")), "0.5");
  assert.equal(s(n("NaN")), "NaN");
  assert.equal(code(() => n("1.2.3")), "22P02");
  assert.equal(code(() => n("")), "22P02");
});

Deno.test("numeric add/sub/mul use PostgreSQL's result scales", () => {
  assert.equal(s(numericAdd(n("1.5"), n("2.25"))), "3.75");
  assert.equal(s(numericSub(n("1"), n("0.001"))), "0.999");
  assert.equal(s(numericMul(n("1.10"), n("2.5"))), "2.750");
  assert.equal(s(numericAdd(n("99999999999999999999"), n("1"))), "100000000000000000000");
});

Deno.test("numericDiv() picks PostgreSQL's select_div_scale", () => {
  assert.equal(s(numericDiv(n("10"), n("3"))), "3.3333333333333333");
  assert.equal(s(numericDiv(n("1"), n("3"))), "0.33333333333333333333");
  assert.equal(s(numericDiv(n("2"), n("3"))), "0.66666666666666666667");
  assert.equal(s(numericDiv(n("1000000"), n("7"))), "142857.142857142857");
  assert.equal(s(numericDiv(n("0.001"), n("3"))), "0.00033333333333333333");
  assert.equal(code(() => numericDiv(n("1"), n("0"))), "22012");
});

Deno.test("numeric mod, round, trunc and compare", () => {
  assert.equal(s(numericMod(n("-7.5"), n("2"))), "-1.5");
  assert.equal(s(numericRound(n("2.5"))), "3");
  assert.equal(s(numericRound(n("-2.5"))), "-3");
  assert.equal(s(numericRound(n("1234.5678"), -2)), "1200");
  assert.equal(s(numericRound(n("1.2"), 3)), "1.200");
  assert.equal(s(numericTrunc(n("-2.789"), 1)), "-2.7");
  assert.equal(numericCompare(n("1.0"), n("1.00")), 0);
  assert.equal(numericCompare(n("NaN"), n("1e100")), 1);
  assert.equal(numericCompare(n("-1"), n("0.5")), -1);
});

Deno.test("numeric sqrt and power follow PostgreSQL's scales", () => {
  assert.equal(s(numericSqrt(n("2"))), "1.414213562373095");
  assert.equal(s(numericSqrt(n("16"))), "4.000000000000000");
  assert.equal(s(numericSqrt(n("0.0001"))), "0.01000000000000000");
  assert.equal(s(numericPower(n("2"), n("10"))), "1024.0000000000000000");
  assert.equal(s(numericPower(n("2"), n("-2"))), "0.2500000000000000");
  assert.equal(s(numericPower(n("100"), n("1.5"))), "1000.0000000000000");
  assert.equal(s(numericPower(n("10"), n("0.5"))), "3.1622776601683793");
  assert.equal(code(() => numericSqrt(n("-1"))), "2201F");
  assert.equal(code(() => numericPower(n("0"), n("-1"))), "2201F");
});

Deno.test("numericApplyTypmod() rounds and reports overflow like numeric(p,s)", () => {
  assert.equal(s(numericApplyTypmod(n("123.45"), numericTypmod(4, 1))), "123.5");
  assert.equal(s(numericApplyTypmod(n("1"), numericTypmod(3, 1))), "1.0");
  assert.equal(code(() => numericApplyTypmod(n("12345.6"), numericTypmod(4, 1))), "22003");
  assert.equal(code(() => numericApplyTypmod(n("99.995"), numericTypmod(4, 2))), "22003");
});

Deno.test("numeric converts from and to doubles like float8_numeric", () => {
  assert.equal(s(numericFromNumber(0.1)), "0.1");
  assert.equal(s(numericFromNumber(1 / 3)), "0.333333333333333");
  assert.equal(s(numericFromNumber(0.1, 6)), "0.1");
  assert.equal(numericToNumber(n("2.5")), 2.5);
  assert.equal(code(() => numericFromNumber(Infinity)), "22003");
});

Deno.test("numeric ln, log and exp are exact to PostgreSQL's scale", () => {
  assert.equal(s(numericLn(n("2"))), "0.6931471805599453");
  assert.equal(s(numericLn(n("0.000001"))), "-13.815510557964274");
  assert.equal(s(numericLog(n("2"), n("8"))), "3.0000000000000000");
  assert.equal(s(numericExp(n("1"))), "2.7182818284590452");
  assert.equal(s(numericExp(n("100"))), "26881171418161354484126255515800135873611119");
  assert.equal(s(numericPower(n("1.5"), n("2.5"))), "2.7556759606310754");
  assert.equal(code(() => numericLn(n("0"))), "2201E");
});
