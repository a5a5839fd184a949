/**
 * pgvector operators and functions on `vector` (Float32Array): `<->` (L2
 * distance), `<=>` (cosine distance), `<#>` (negative inner product), `<+>`
 * (L1), and the matching named functions.
 * @module
 */

import { DbError } from "../../common/errors.ts";
import { type SqlType, type, type Value } from "../../common/types.ts";
import { defineFunction } from "./registry.ts";
import type { EvalContext } from "./eval_context.ts";

/** The operator plan shape the expression compiler consumes. */
export interface VectorOperatorPlan {
  readonly left: SqlType;
  readonly right: SqlType;
  readonly ret: SqlType;
  readonly kernel: (a: Value, b: Value, ctx: EvalContext) => Value;
}

function checkSame(a: Float32Array, b: Float32Array): void {
  if (a.length !== b.length) {
    throw new DbError("22000", `different vector dimensions ${a.length} and ${b.length}`);
  }
}

/** Euclidean distance. */
export function l2Distance(a: Float32Array, b: Float32Array): number {
  checkSame(a, b);
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    s += d * d;
  }
  return Math.sqrt(s);
}

/** Inner product. */
export function innerProduct(a: Float32Array, b: Float32Array): number {
  checkSame(a, b);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** Cosine distance (1 - cosine similarity); NaN when a vector is zero, as pgvector. */
export function cosineDistance(a: Float32Array, b: Float32Array): number {
  checkSame(a, b);
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  const sim = dot / Math.sqrt(na * nb);
  if (Number.isNaN(sim)) return NaN;
  return 1 - Math.max(-1, Math.min(1, sim));
}

/** Taxicab distance. */
export function l1Distance(a: Float32Array, b: Float32Array): number {
  checkSame(a, b);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i]! - b[i]!);
  return s;
}

const kernels: Record<string, (a: Float32Array, b: Float32Array) => number> = {
  "<->": l2Distance,
  "<=>": cosineDistance,
  "<#>": (a, b) => -innerProduct(a, b),
  "<+>": l1Distance,
};

/** Resolves a vector distance operator; operands must be (or coerce to) vector. */
export function vectorOperator(op: string, l: SqlType, r: SqlType): VectorOperatorPlan | undefined {
  const k = kernels[op];
  const vec = (t: SqlType): boolean => t.id === "vector" || t.id === "unknown";
  if (!k || !vec(l) || !vec(r)) return undefined;
  return {
    left: type("vector"),
    right: type("vector"),
    ret: type("float8"),
    kernel: (a: Value, b: Value) => k(a as Float32Array, b as Float32Array),
  };
}

const v = type("vector");
const two = (f: (a: Float32Array, b: Float32Array) => number) => ({
  args: [v, v],
  ret: "float8" as const,
  impl: (args: Value[]) => f(args[0] as Float32Array, args[1] as Float32Array),
});

defineFunction("l2_distance", two(l2Distance));
defineFunction("cosine_distance", two(cosineDistance));
defineFunction("inner_product", two(innerProduct));
defineFunction("negative_inner_product", two((a, b) => -innerProduct(a, b)));
defineFunction("l1_distance", two(l1Distance));
defineFunction("vector_dims", {
  args: [v],
  ret: "int4",
  impl: (args) => (args[0] as Float32Array).length,
});
defineFunction("vector_norm", {
  args: [v],
  ret: "float8",
  impl: (args) => {
    const a = args[0] as Float32Array;
    let s = 0;
    for (const x of a) s += x * x;
    return Math.sqrt(s);
  },
});
