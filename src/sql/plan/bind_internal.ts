/**
 * Binds the internal `pg_catalog.__*` calls the SQL frontend (`sql/parse/`)
 * writes for grammar the parser lacks: `x COLLATE name`, `a IS [NOT]
 * DISTINCT FROM b`, `a [NOT] SIMILAR TO p [ESCAPE e]`, array slices; also
 * `grouping(...)` and `BETWEEN SYMMETRIC` (its low bound wrapped in `__symmetric`).
 * Window frames (`__window_frame`) are read by the window binder and NATURAL
 * joins (`__natural_join`) by the FROM planner; anywhere else they are errors.
 * @module
 */
import type { Expr, ExprCall } from "pgsql-ast-parser";
import { DbError } from "../../common/errors.ts";
import { type SqlType, type as scalar } from "../../common/types.ts";
import type { AggSpec, BoundExpr } from "../../exec/plan.ts";
import { similarToRegExp } from "../../exec/functions/patterns.ts";
import { type BindEnv, bindExpr, coerceTo, fingerprint } from "./bind_expr.ts";
import { compareOp } from "./bind_binary.ts";
import { bindOverlaps } from "./bind_overlaps.ts";
import { isTextType, operatorType } from "./sql_types.ts";
import { checkCollation } from "../../common/collations.ts";
import { typeDisplayName } from "../../exec/coerce.ts";

const boolT = scalar("bool");

/**
 * True when `name` is one of the internal functions this module binds.
 * @param schema the call's schema (the frontend writes `pg_catalog`)
 */
export function isInternalCall(name: string, schema: string | undefined): boolean {
  // `__slice` (x[lo:hi]), `__bitnot` (~x) and `__record` are ordinary functions of the library.
  return name.startsWith("__") && name !== "__slice" && name !== "__bitnot" &&
    name !== "__record" && name !== "__tablesample" &&
    (schema === undefined || schema === "pg_catalog");
}

/**
 * Binds one internal call.
 * @throws {DbError} 42704 unknown collation, 42804 COLLATE on a non-text type, 0A000, 42883
 */
export function bindInternal(e: ExprCall, name: string, env: BindEnv): BoundExpr {
  switch (name) {
    case "__collate":
      return bindCollate(e.args, env);
    case "__is_distinct_from":
    case "__is_not_distinct_from":
      return bindDistinct(e.args, name === "__is_distinct_from", env);
    case "__similar_to":
    case "__not_similar_to":
      return bindSimilar(e.args, name === "__not_similar_to", env);
    case "__jsonb_path":
    case "__jsonb_path_text":
    case "__jsonb_path_exists_op": {
      const [left, right] = e.args;
      if (left === undefined || right === undefined) break;
      const op = name === "__jsonb_path" ? "#>" : name === "__jsonb_path_text" ? "#>>" : "@?";
      return bindExpr({ type: "binary", op: op as "+", left, right }, env);
    }
    case "__overlaps":
      return bindOverlaps(e.args, env);
    case "__window_frame":
      throw new DbError("42601", "a window frame is only allowed in an OVER clause");
    case "__natural_join":
      throw new DbError("42601", "NATURAL is only allowed on a join");
  }
  throw new DbError("42883", `function ${name}(${e.args.length ? "..." : ""}) does not exist`);
}

function collationName(arg: Expr | undefined): string {
  if (arg?.type !== "string") throw new DbError("42601", "COLLATE needs a collation name");
  return arg.value;
}

/** `x COLLATE name`: checks the name and the type, and keeps `x` (one collation). */
function bindCollate(args: readonly Expr[], env: BindEnv): BoundExpr {
  checkCollation(collationName(args[1]));
  const x = bindExpr(args[0]!, env);
  if (x.type.id === "unknown") return coerceTo(x, scalar("text"));
  const base: SqlType = x.type.id === "array" ? x.type.elem ?? scalar("text") : x.type;
  if (!isTextType(base) && base.id !== "unknown") {
    throw new DbError("42804", `collations are not supported by type ${typeDisplayName(x.type)}`);
  }
  return x;
}

/** `a IS [NOT] DISTINCT FROM b`: a comparison where NULL equals NULL, never NULL itself. */
function bindDistinct(args: readonly Expr[], distinct: boolean, env: BindEnv): BoundExpr {
  const l0 = bindExpr(args[0]!, env);
  const r = bindExpr(args[1]!, env, l0.type.id === "unknown" ? undefined : l0.type);
  const l = l0.type.id === "unknown" && r.type.id !== "unknown"
    ? bindExpr(args[0]!, env, r.type)
    : l0;
  const c = operatorType("=", l.type, r.type);
  const t = c.id === "unknown" ? scalar("text") : c;
  return {
    kind: "call",
    fn: distinct ? "is_distinct" : "is_not_distinct",
    args: [coerceTo(l, t), coerceTo(r, t)],
    type: boolT,
  };
}

/**
 * `a [NOT] SIMILAR TO p [ESCAPE e]`: translated to a `~` match with the
 * anchored regular expression PostgreSQL builds (`similar_to_escape`).
 * The pattern and escape must be constants.
 */
function bindSimilar(args: readonly Expr[], negate: boolean, env: BindEnv): BoundExpr {
  const text = scalar("text");
  const subject = coerceTo(bindExpr(args[0]!, env, text), text);
  const pattern = coerceTo(bindExpr(args[1]!, env, text), text);
  const escape = args[2] ? coerceTo(bindExpr(args[2], env, text), text) : null;
  if (pattern.kind !== "const" || (escape !== null && escape.kind !== "const")) {
    throw new DbError("0A000", "SIMILAR TO needs a constant pattern");
  }
  if (pattern.value === null || escape?.value === null) {
    return { kind: "const", value: null, type: boolT };
  }
  const esc = escape === null ? "\\" : String(escape.value);
  if (esc.length > 1) {
    throw new DbError("22025", "invalid escape string");
  }
  const source = similarToRegExp(String(pattern.value), esc).source;
  const match: BoundExpr = {
    kind: "call",
    fn: "~",
    args: [subject, { kind: "const", value: source, type: text }],
    type: boolT,
  };
  return negate ? { kind: "not", arg: match, type: boolT } : match;
}

/**
 * `grouping(a, b, ...)`: an entry of the query's aggregate node whose value
 * is the bit mask of the arguments left out of the row's grouping set
 * (arguments are the grouping expressions' positions).
 * @throws {DbError} 42803 outside an aggregate query or for a non-grouping argument
 */
export function bindGrouping(e: ExprCall, env: BindEnv): BoundExpr {
  const agg = env.agg;
  if (!agg) throw new DbError("42803", "grouping operations are not allowed here");
  const args: BoundExpr[] = e.args.map((a) => {
    const at = agg.groupKeys.indexOf(fingerprint(a));
    if (at < 0) {
      throw new DbError(
        "42803",
        "arguments to GROUPING must be grouping expressions of the associated query level",
      );
    }
    return { kind: "const", value: at, type: scalar("int4") };
  });
  const key = fingerprint(e);
  const base = agg.groupKeys.length;
  const existing = agg.aggKeys.indexOf(key);
  if (existing >= 0) {
    return { kind: "column", depth: 0, index: base + existing, type: scalar("int4") };
  }
  const spec: AggSpec = {
    fn: "grouping",
    args,
    distinct: false,
    filter: null,
    orderBy: [],
    type: scalar("int4"),
    star: false,
  };
  agg.aggs.push(spec);
  agg.aggKeys.push(key);
  return { kind: "column", depth: 0, index: base + agg.aggs.length - 1, type: spec.type };
}

/** `v [NOT] BETWEEN [SYMMETRIC] lo AND hi` (the frontend wraps a symmetric lo in `__symmetric`). */
export function bindBetween(e: Extract<Expr, { type: "ternary" }>, env: BindEnv): BoundExpr {
  const symmetric = e.lo.type === "call" && e.lo.function.name === "__symmetric" &&
    e.lo.args.length === 1;
  const loExpr = symmetric ? (e.lo as ExprCall).args[0]! : e.lo;
  const v = bindExpr(e.value, env);
  const lo = bindExpr(loExpr, env, v.type);
  const hi = bindExpr(e.hi, env, v.type);
  const range = (a: BoundExpr, b: BoundExpr): BoundExpr => ({
    kind: "and",
    args: [compareOp(">=", v, a), compareOp("<=", v, b)],
    type: boolT,
  });
  const test: BoundExpr = symmetric
    ? { kind: "or", args: [range(lo, hi), range(hi, lo)], type: boolT }
    : range(lo, hi);
  return e.op === "NOT BETWEEN" ? { kind: "not", arg: test, type: boolT } : test;
}
