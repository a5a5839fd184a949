/**
 * Two-argument statistical aggregates over double precision pairs (Y, X):
 * corr, covar_pop, covar_samp and the regr_* family. A pair with a NULL in
 * it is skipped. The running sums follow the Youngs-Cramer update that
 * PostgreSQL uses, so results agree with it to the last digits.
 * @module
 */
import { type SqlType, type, type Value } from "../../common/types.ts";
import type { Aggregate, AggState } from "./aggregates.ts";

const names = new Set([
  "corr",
  "covar_pop",
  "covar_samp",
  "regr_slope",
  "regr_intercept",
  "regr_r2",
  "regr_count",
  "regr_avgx",
  "regr_avgy",
  "regr_sxx",
  "regr_syy",
  "regr_sxy",
]);

/** The statistical aggregate names. */
export const statAggregateNames: ReadonlySet<string> = names;

const numericIds = new Set(["int2", "int4", "int8", "numeric", "float4", "float8", "unknown"]);

/** True when `name` is a statistical aggregate taking these argument types. */
export function acceptsStatArgs(name: string, argTypes: readonly SqlType[]): boolean {
  return names.has(name) && argTypes.length === 2 && argTypes.every((t) => numericIds.has(t.id));
}

/** Running sums: n, Sx, Sy, Sxx, Syy, Sxy (Sxx etc. centred, as PostgreSQL keeps them). */
type Sums = [number, number, number, number, number, number];

function accumulate(s: Sums, y: number, x: number): void {
  const n0 = s[0];
  const n = n0 + 1;
  s[0] = n;
  s[1] += x;
  s[2] += y;
  if (n0 > 0) {
    const dx = x * n - s[1];
    const dy = y * n - s[2];
    const scale = 1 / (n * n0);
    s[3] += dx * dx * scale;
    s[4] += dy * dy * scale;
    s[5] += dx * dy * scale;
  }
}

function result(name: string, s: Sums): Value {
  const [n, sx, sy, sxx, syy, sxy] = s;
  if (name === "regr_count") return BigInt(n);
  if (n < 1) return null;
  switch (name) {
    case "covar_pop":
      return sxy / n;
    case "covar_samp":
      return n < 2 ? null : sxy / (n - 1);
    case "corr":
      return sxx === 0 || syy === 0 ? null : sxy / Math.sqrt(sxx * syy);
    case "regr_r2":
      if (sxx === 0) return null;
      return syy === 0 ? 1 : (sxy * sxy) / (sxx * syy);
    case "regr_slope":
      return sxx === 0 ? null : sxy / sxx;
    case "regr_intercept":
      return sxx === 0 ? null : (sy - (sx * sxy) / sxx) / n;
    case "regr_sxx":
      return sxx;
    case "regr_syy":
      return syy;
    case "regr_sxy":
      return sxy;
    case "regr_avgx":
      return sx / n;
    default:
      return sy / n;
  }
}

/** Creates the statistical aggregate `name` (arguments already double precision). */
export function statAggregate(name: string): Aggregate {
  return {
    resultType: type(name === "regr_count" ? "int8" : "float8"),
    init: (): AggState => ({ n: 0, acc: [0, 0, 0, 0, 0, 0] as Sums }),
    step: (st, args) => {
      const y = args[0] ?? null;
      const x = args[1] ?? null;
      if (y === null || x === null) return;
      st.n++;
      accumulate(st.acc as Sums, Number(y), Number(x));
    },
    final: (st) => result(name, st.acc as Sums),
  };
}
