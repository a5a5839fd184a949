/**
 * The compiler's internal node: a `Compiled` plus what the compiler knows
 * statically (constant value, unknown-typed literal or parameter, direct
 * column index) so later steps can fold constants and specialise closures.
 * @module
 */

import { DbError } from "../../common/errors.ts";
import { type SqlType, type, type Value } from "../../common/types.ts";
import { applyCharTypmod, formatTypeName, parseValue } from "../../common/value_text.ts";
import { type CastContext, findCast, isIdentityCast } from "../functions/cast.ts";
import type { Compiled, EvalContext } from "./context.ts";

/** A compiled node with static facts. */
export interface Node extends Compiled {
  /** True when `eval` ignores the row and context and always returns `value`. */
  readonly isConst?: boolean;
  readonly value?: Value;
  /** Text of an unknown-typed string literal (type id "unknown"). */
  readonly literal?: string;
  /** 0-based index of an unknown-typed parameter (type id "unknown"). */
  readonly param?: number;
  /** Row index when the node reads a column of the current row directly. */
  readonly column?: number;
}

/** The options the coercion helpers need. */
export interface CoerceEnv {
  readonly paramTypes: (SqlType | undefined)[];
}

/** A constant node. */
export function constNode(value: Value, t: SqlType): Node {
  return { type: t, isConst: true, value, nullable: value === null, eval: () => value };
}

/** Folding context: immutable code must not read the session, so a fixed one is enough. */
export const foldContext: EvalContext = {
  params: [],
  outerRows: [],
  session: { timeZone: "UTC", now: 0n },
};

/** Evaluates a node built from constants once; returns undefined if it throws (error deferred to run time). */
export function tryFold(node: Node): Node {
  try {
    return constNode(node.eval([], foldContext), node.type);
  } catch {
    // Errors of constant subexpressions surface when (and only if) they are evaluated.
    return node;
  }
}

function dependsOnZone(t: SqlType): boolean {
  return t.id === "timestamptz" ||
    (t.id === "array" && t.elem !== undefined && dependsOnZone(t.elem));
}

/** Converts an unknown-typed parameter at run time, caching per parameter array. */
function unknownParamNode(index: number, target: SqlType): Node {
  let lastParams: readonly Value[] | undefined;
  let lastZone = "";
  let lastValue: Value = null;
  return {
    type: target,
    eval: (_row, ctx) => {
      if (ctx.params === lastParams && ctx.session.timeZone === lastZone) return lastValue;
      const raw = ctx.params[index] ?? null;
      lastValue = raw === null
        ? null
        : typeof raw === "string"
        ? parseValue(raw, target, { timeZone: ctx.session.timeZone })
        : raw;
      lastParams = ctx.params;
      lastZone = ctx.session.timeZone;
      return lastValue;
    },
  };
}

/**
 * Coerces `node` to `target` in `context`: literals are parsed now, unknown
 * parameters get their type recorded, other nodes get a cast closure.
 * @throws {DbError} 42846/42804 when no cast exists; literal input errors (22P02...)
 */
export function coerce(
  node: Node,
  target: SqlType,
  env: CoerceEnv,
  context: CastContext = "implicit",
): Node {
  if (target.id === "unknown") return node;
  if (node.type.id === "unknown") {
    if (node.isConst && node.value === null) return constNode(null, target);
    if (node.literal !== undefined) {
      const text = node.literal;
      if (dependsOnZone(target)) {
        return {
          type: target,
          eval: (_r, ctx) => parseValue(text, target, { timeZone: ctx.session.timeZone }),
        };
      }
      if ((target.id === "varchar" || target.id === "bpchar") && target.typmod !== undefined) {
        const v = applyCharTypmod(text, target, context === "explicit");
        return constNode(v, target);
      }
      return constNode(parseValue(text, target), target);
    }
    if (node.param !== undefined) {
      const declared = env.paramTypes[node.param];
      if (declared === undefined) {
        env.paramTypes[node.param] = target;
        const i = node.param;
        return { type: target, eval: (_row, ctx) => ctx.params[i] ?? null };
      }
      return unknownParamNode(node.param, target);
    }
  }
  const fn = findCast(node.type, target, context);
  if (!fn) {
    throw new DbError(
      context === "explicit" ? "42846" : "42804",
      context === "explicit"
        ? `cannot cast type ${formatTypeName(node.type)} to ${formatTypeName(target)}`
        : `argument of type ${formatTypeName(node.type)} cannot be converted to ${
          formatTypeName(target)
        }`,
    );
  }
  if (isIdentityCast(fn)) {
    if (node.type === target) return node;
    return { ...node, type: target };
  }
  const inner = node.eval;
  const out: Node = {
    type: target,
    nullable: node.nullable ?? true,
    eval: (row, ctx) => {
      const v = inner(row, ctx);
      return v === null ? null : fn(v, ctx.session.timeZone);
    },
  };
  return node.isConst && !dependsOnZone(target) && !dependsOnZone(node.type) ? tryFold(out) : out;
}

/** Resolves an unknown node to text (PostgreSQL's fallback for unresolved literals). */
export function settle(node: Node, env: CoerceEnv): Node {
  return node.type.id === "unknown" ? coerce(node, type("text"), env) : node;
}
