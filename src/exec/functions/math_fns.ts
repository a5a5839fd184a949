/**
 * Mathematical functions. Overloads are declared float8 first so integer
 * arguments resolve to the float8 version, as PostgreSQL's preferred type
 * rule does; numeric arguments match the exact numeric overloads.
 * @module
 */

import { DbError } from "../../common/errors.ts";
import { libmCbrt } from "../../storage/os/libm.ts";
import { Numeric, type TypeId, type Value } from "../../common/types.ts";
import {
  numericAbs,
  numericCeil,
  numericDivTrunc,
  numericFloor,
  numericMod,
  numericRound,
  numericSign,
  numericSqrt,
  numericToNumber,
  numericTrimScale,
  numericTrunc,
} from "../../common/numeric.ts";
import {
  numericExp,
  numericLn,
  numericLog,
  numericLog10,
  numericPower,
} from "../../common/numeric_transcendental.ts";
import { defineFunction, type FnOverload } from "./registry.ts";
import { floatPower, numberKernel } from "./arith.ts";
import { intOutOfRange } from "./cast.ts";

const num = (v: Value): Numeric => v as Numeric;
const f = (v: Value): number => v as number;

function f8(impl: (x: number) => number): FnOverload {
  return { args: ["float8"], ret: "float8", impl: (a) => impl(f(a[0]!)) };
}
function nu(impl: (x: Numeric) => Numeric): FnOverload {
  return { args: ["numeric"], ret: "numeric", impl: (a) => impl(num(a[0]!)) };
}

/** rint(): round half to even. */
export function rint(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function absInt(id: "int2" | "int4" | "int8"): FnOverload {
  return {
    args: [id],
    ret: id,
    impl: (a) => {
      const v = a[0]!;
      if (id === "int8") {
        if (v === -9223372036854775808n) throw intOutOfRange(id);
        return (v as bigint) < 0n ? -(v as bigint) : v;
      }
      if (v === (id === "int4" ? -2147483648 : -32768)) throw intOutOfRange(id);
      return Math.abs(v as number);
    },
  };
}

defineFunction(
  "abs",
  f8(Math.abs),
  { args: ["float4"], ret: "float4", impl: (a) => Math.abs(f(a[0]!)) },
  nu(numericAbs),
  absInt("int2"),
  absInt("int4"),
  absInt("int8"),
);
for (const name of ["ceil", "ceiling"]) defineFunction(name, f8(Math.ceil), nu(numericCeil));
defineFunction("floor", f8(Math.floor), nu(numericFloor));
defineFunction("round", f8(rint), nu((x) => numericRound(x, 0)), {
  args: ["numeric", "int4"],
  ret: "numeric",
  impl: (a) => numericRound(num(a[0]!), f(a[1]!)),
});
defineFunction("trunc", f8(Math.trunc), nu((x) => numericTrunc(x, 0)), {
  args: ["numeric", "int4"],
  ret: "numeric",
  impl: (a) => numericTrunc(num(a[0]!), f(a[1]!)),
});
defineFunction("sign", f8(Math.sign), nu((x) => new Numeric(BigInt(numericSign(x)), 0)));

function checkSqrt(x: number): number {
  if (x < 0) throw new DbError("2201F", "cannot take square root of a negative number");
  return Math.sqrt(x);
}
defineFunction("sqrt", f8(checkSqrt), nu(numericSqrt));
defineFunction("cbrt", f8(libmCbrt));
defineFunction(
  "exp",
  f8((x) => {
    const r = Math.exp(x);
    if (!Number.isFinite(r) && Number.isFinite(x)) {
      throw new DbError("22003", "value out of range: overflow");
    }
    return r;
  }),
  nu(numericExp),
);

function checkLog(x: number): void {
  if (x === 0) throw new DbError("2201E", "cannot take logarithm of zero");
  if (x < 0) throw new DbError("2201E", "cannot take logarithm of a negative number");
}
defineFunction(
  "ln",
  f8((x) => {
    checkLog(x);
    return Math.log(x);
  }),
  nu(numericLn),
);
for (const name of ["log", "log10"]) {
  defineFunction(
    name,
    f8((x) => {
      checkLog(x);
      return Math.log10(x);
    }),
    nu(numericLog10),
  );
}
defineFunction("log", {
  args: ["numeric", "numeric"],
  ret: "numeric",
  impl: (a) => numericLog(num(a[0]!), num(a[1]!)),
});
for (const name of ["power", "pow"]) {
  defineFunction(name, {
    args: ["float8", "float8"],
    ret: "float8",
    impl: (a) => floatPower(f(a[0]!), f(a[1]!)),
  }, {
    args: ["numeric", "numeric"],
    ret: "numeric",
    impl: (a) => numericPower(num(a[0]!), num(a[1]!)),
  });
}
defineFunction("pi", { args: [], ret: "float8", impl: () => Math.PI });
defineFunction("random", {
  args: [],
  ret: "float8",
  volatility: "volatile",
  impl: (_a, ctx) => (ctx.session.random ?? defaultRandom)(),
});

/** Uniform [0, 1) from the platform CSPRNG, when the session supplies no source. */
export function defaultRandom(): number {
  const b = new Uint32Array(2);
  crypto.getRandomValues(b);
  return ((b[0]! >>> 5) * 67108864 + (b[1]! >>> 6)) / 9007199254740992;
}

function modOverload(id: TypeId): FnOverload {
  const k = numberKernel("%", id)!;
  return { args: [id, id], ret: id, impl: (a) => k(a[0]!, a[1]!) };
}
defineFunction("mod", modOverload("int4"), modOverload("int2"), modOverload("int8"), {
  args: ["numeric", "numeric"],
  ret: "numeric",
  impl: (a) => numericMod(num(a[0]!), num(a[1]!)),
});
defineFunction("div", {
  args: ["numeric", "numeric"],
  ret: "numeric",
  impl: (a) => numericDivTrunc(num(a[0]!), num(a[1]!)),
});
defineFunction("trim_scale", nu(numericTrimScale));
defineFunction("scale", { args: ["numeric"], ret: "int4", impl: (a) => num(a[0]!).scale });
defineFunction("degrees", f8((x) => (x * 180) / Math.PI));
defineFunction("radians", f8((x) => (x * Math.PI) / 180));
for (
  const [name, fn] of Object.entries({
    sin: Math.sin,
    cos: Math.cos,
    tan: Math.tan,
    asin: Math.asin,
    acos: Math.acos,
    atan: Math.atan,
    sinh: Math.sinh,
    cosh: Math.cosh,
    tanh: Math.tanh,
  })
) defineFunction(name, f8(fn));
defineFunction("atan2", {
  args: ["float8", "float8"],
  ret: "float8",
  impl: (a) => Math.atan2(f(a[0]!), f(a[1]!)),
});

function gcd(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a;
  b = b < 0n ? -b : b;
  while (b) [a, b] = [b, a % b];
  return a;
}
defineFunction("gcd", {
  args: ["int4", "int4"],
  ret: "int4",
  impl: (a) => Number(gcd(BigInt(f(a[0]!)), BigInt(f(a[1]!)))),
}, { args: ["int8", "int8"], ret: "int8", impl: (a) => gcd(a[0] as bigint, a[1] as bigint) });
defineFunction("lcm", {
  args: ["int8", "int8"],
  ret: "int8",
  impl: (a) => {
    const x = a[0] as bigint;
    const y = a[1] as bigint;
    if (x === 0n || y === 0n) return 0n;
    const r = (x / gcd(x, y)) * y;
    return r < 0n ? -r : r;
  },
});

defineFunction("width_bucket", {
  args: ["float8", "float8", "float8", "int4"],
  ret: "int4",
  impl: (a) => widthBucket(f(a[0]!), f(a[1]!), f(a[2]!), f(a[3]!)),
}, {
  args: ["numeric", "numeric", "numeric", "int4"],
  ret: "int4",
  impl: (a) =>
    widthBucket(
      numericToNumber(num(a[0]!)),
      numericToNumber(num(a[1]!)),
      numericToNumber(num(a[2]!)),
      f(a[3]!),
    ),
});

/** width_bucket(operand, low, high, count) as PostgreSQL computes it. */
export function widthBucket(x: number, lo: number, hi: number, count: number): number {
  if (count <= 0) throw new DbError("2201G", "count must be greater than zero");
  if (lo === hi) throw new DbError("2201G", "lower bound cannot equal upper bound");
  if (lo < hi) {
    if (x < lo) return 0;
    if (x >= hi) return count + 1;
    return Math.floor((count * (x - lo)) / (hi - lo)) + 1;
  }
  if (x > lo) return 0;
  if (x <= hi) return count + 1;
  return Math.floor((count * (lo - x)) / (lo - hi)) + 1;
}
/** Largest factorial argument accepted (numeric's 131072 digits allow more; PostgreSQL's limit). */
const factorialArgMax = 32177n;
defineFunction("factorial", {
  args: ["int8"],
  ret: "numeric",
  impl: (a) => {
    const x = a[0] as bigint;
    if (x < 0n) throw new DbError("22003", "factorial of a negative number is undefined");
    if (x > factorialArgMax) throw new DbError("22003", "value overflows numeric format");
    let r = 1n;
    for (let i = 2n; i <= x; i++) r *= i;
    return new Numeric(r, 0);
  },
});
