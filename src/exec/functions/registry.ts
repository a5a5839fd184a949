/**
 * The scalar function registry: functions by name, each with overloads that
 * carry PostgreSQL's argument and result types. Resolution follows
 * PostgreSQL loosely: exact matches first, then implicit casts, with
 * unknown literals fitting any argument; polymorphic `anyelement`,
 * `anyarray` and `any` arguments are bound from the actual types.
 * @module
 */

import { DbError } from "../../common/errors.ts";
import { arrayOf, type SqlType, type, type TypeId, type Value } from "../../common/types.ts";
import { formatTypeName } from "../../common/value_text.ts";
import { findCast } from "./cast.ts";
import type { EvalContext } from "./eval_context.ts";
import { baseType, commonType } from "./type_rules.ts";

/** An argument pattern: a concrete type, or a polymorphic placeholder. */
export type ArgSpec = TypeId | SqlType | "any" | "anyelement" | "anyarray" | "anynonarray";

/** Implementation: gets the (coerced) argument values, the context and the resolved arg types. */
export type FnImpl = (args: Value[], ctx: EvalContext, types: readonly SqlType[]) => Value;

/** One overload. */
export interface FnOverload {
  readonly args: readonly ArgSpec[];
  /** Pattern repeated for extra arguments (VARIADIC). */
  readonly variadic?: ArgSpec;
  /** Result type, or a function of the resolved argument types. */
  readonly ret: TypeId | SqlType | ((types: readonly SqlType[]) => SqlType);
  /** Returns NULL when any argument is NULL without calling `impl` (default true). */
  readonly strict?: boolean;
  /** "immutable" results may be folded at plan time; "stable"/"volatile" not (default immutable). */
  readonly volatility?: "immutable" | "stable" | "volatile";
  readonly impl: FnImpl;
}

/** An overload after resolution. */
export interface ResolvedFn {
  readonly overload: FnOverload;
  /** The type each argument must be coerced to. */
  readonly argTypes: readonly SqlType[];
  readonly ret: SqlType;
}

const registry = new Map<string, FnOverload[]>();

/** PostgreSQL's preferred type of each category: wins ties between implicit conversions. */
const preferred = new Set<TypeId>(["float8", "text", "timestamptz", "interval", "bool", "oid"]);

/** Adds overloads for a function name (lower case). */
export function defineFunction(name: string, ...overloads: FnOverload[]): void {
  const list = registry.get(name) ?? [];
  list.push(...overloads);
  registry.set(name, list);
}

/** Returns true when a scalar function of this name exists. */
export function hasFunction(name: string): boolean {
  return registry.has(name);
}

function asType(s: TypeId | SqlType): SqlType {
  return typeof s === "string" ? type(s) : s;
}

function specAt(o: FnOverload, i: number): ArgSpec | undefined {
  return i < o.args.length ? o.args[i] : o.variadic;
}

/** Tries one overload: returns [score, argTypes] or undefined when it does not fit. */
function tryOverload(o: FnOverload, actual: readonly SqlType[]): [number, SqlType[]] | undefined {
  if (actual.length < o.args.length) return undefined;
  if (actual.length > o.args.length && !o.variadic) return undefined;
  const polyTypes: SqlType[] = [];
  for (let i = 0; i < actual.length; i++) {
    const s = specAt(o, i);
    const a = actual[i]!;
    if (s === "anyelement" || s === "anynonarray") polyTypes.push(a);
    if (s === "anyarray" && a.id === "array" && a.elem) polyTypes.push(a.elem);
    if (s === "anyarray" && a.id !== "array" && a.id !== "unknown") return undefined;
  }
  let elem: SqlType | undefined;
  if (polyTypes.length > 0) {
    try {
      elem = commonType(polyTypes, "argument");
    } catch {
      // Polymorphic arguments that share no common type make this overload not fit.
      return undefined;
    }
  }
  let score = 0;
  const out: SqlType[] = [];
  for (let i = 0; i < actual.length; i++) {
    const s = specAt(o, i)!;
    const a = actual[i]!;
    let want: SqlType;
    if (s === "any") want = a.id === "unknown" ? type("text") : a;
    else if (s === "anyelement" || s === "anynonarray") want = elem ?? type("text");
    else if (s === "anyarray") want = arrayOf(elem ?? type("text"));
    else want = asType(s);
    if (a.id === want.id && (a.id !== "array" || a.elem?.id === want.elem?.id)) score += 2;
    else if (a.id === "unknown") score += want.id === "text" ? 1 : 0;
    else if (!findCast(a, want, "implicit")) return undefined;
    else if (preferred.has(want.id)) score += 0.5;
    // A record argument keeps its own type: its field names and types.
    out.push(s === "any" || (want.id === "record" && a.id === "record") ? a : want);
  }
  return [score, out];
}

/**
 * Resolves a call to `name` with argument types `actual`.
 * @throws {DbError} 42883 function does not exist
 */
export function resolveFunction(name: string, actual: readonly SqlType[]): ResolvedFn {
  const list = registry.get(name);
  let best: ResolvedFn | undefined;
  let bestScore = -1;
  for (const o of list ?? []) {
    const r = tryOverload(o, actual);
    if (!r || r[0] <= bestScore) continue;
    bestScore = r[0];
    const ret = typeof o.ret === "function" ? o.ret(r[1]) : asType(o.ret);
    best = { overload: o, argTypes: r[1], ret };
  }
  if (!best) {
    const e = new DbError(
      "42883",
      `function ${name}(${
        actual.map((t) => formatTypeName(baseType(t))).join(", ")
      }) does not exist`,
    );
    e.hint = "No function matches the given name and argument types. " +
      "You might need to add explicit type casts.";
    throw e;
  }
  return best;
}
