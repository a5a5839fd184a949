/**
 * Evaluates a parsed jsonpath (`jsonpath_parse.ts`) against jsonb data as
 * PostgreSQL 15 does: every expression yields a sequence of items; lax mode
 * unwraps arrays for accessors, filters, comparisons and arithmetic and
 * ignores structural errors (missing keys, wrong item types, subscripts out
 * of bounds), strict mode raises them. Predicates are three-valued.
 * @module
 */
import { DbError } from "../../common/errors.ts";
import { Numeric } from "../../common/types.ts";
import { type CmpOp, testResult } from "./compare.ts";
import {
  numericAdd,
  numericCompare,
  numericDiv,
  numericFromBigInt,
  numericMod,
  numericMul,
  numericNeg,
  numericSign,
  numericSub,
  numericToNumber,
} from "../../common/numeric.ts";
import { isJsonObject, type JsonData, type JsonObject } from "../../common/jsonb.ts";
import type { JpNode, JpStep, JsonPath } from "./jsonpath_parse.ts";
import { itemMethod } from "./jsonpath_methods.ts";
import { compileRegex } from "./patterns.ts";

/** A predicate's value: true, false or unknown (null). */
type Truth = boolean | null;

interface Ctx {
  readonly root: JsonData;
  readonly vars: JsonObject;
  readonly strict: boolean;
  readonly current: JsonData;
  /** Index of the last element of the innermost array being subscripted. */
  readonly last: number | null;
  /** Set after `.**`: the rest of that path ignores structural errors even in strict mode. */
  readonly quiet?: boolean;
}

/**
 * Runs a jsonpath over `root` with variables `vars`, returning the items.
 * @throws {DbError} on errors strict mode (or arithmetic) raises
 */
export function evalJsonPath(path: JsonPath, root: JsonData, vars: JsonObject): JsonData[] {
  const ctx: Ctx = { root, vars, strict: path.strict, current: root, last: null };
  return evalNode(path.expr, ctx);
}

function isPredicate(n: JpNode): boolean {
  switch (n.kind) {
    case "compare":
    case "and":
    case "or":
    case "not":
    case "exists":
    case "is_unknown":
    case "like_regex":
    case "starts_with":
      return true;
    default:
      return false;
  }
}

/** A structural error: raised in strict mode, an empty result in lax mode. */
function structural(ctx: Ctx, code: string, message: string): JsonData[] {
  if (ctx.strict && !ctx.quiet) throw new DbError(code, message);
  return [];
}

function evalNode(n: JpNode, ctx: Ctx): JsonData[] {
  if (isPredicate(n)) return [evalPredicate(n, ctx)];
  switch (n.kind) {
    case "root":
      return [ctx.root];
    case "current":
      return [ctx.current];
    case "literal":
      return [n.value];
    case "last":
      if (ctx.last === null) {
        throw new DbError("22033", "evaluating jsonpath LAST outside of array subscript");
      }
      return [numericFromBigInt(BigInt(ctx.last))];
    case "var": {
      if (!Object.hasOwn(ctx.vars, n.name)) {
        throw new DbError("42704", `could not find jsonpath variable "${n.name}"`);
      }
      return [ctx.vars[n.name]!];
    }
    case "path": {
      let items = evalNode(n.base, ctx);
      let c = ctx;
      for (const s of n.steps) {
        const at = c;
        items = items.flatMap((it) => applyStep(s, it, at));
        if (s.kind === "any_depth" && !c.quiet) c = { ...c, quiet: true };
      }
      return items;
    }
    case "arith":
      return [arith(n.op, evalNode(n.left, ctx), evalNode(n.right, ctx), ctx)];
    case "unary":
      return unwrapAll(evalNode(n.arg, ctx), ctx).map((v) => {
        if (!(v instanceof Numeric)) {
          throw new DbError(
            "22038",
            `operand of unary jsonpath operator ${n.op} is not a numeric value`,
          );
        }
        return n.op === "-" ? numericNeg(v) : v;
      });
  }
  throw new DbError("XX000", `unexpected jsonpath node ${n.kind}`);
}

/** Lax mode sees an array's elements where it expects items. */
function unwrapAll(items: JsonData[], ctx: Ctx): JsonData[] {
  if (ctx.strict) return items;
  return items.flatMap((v) => (Array.isArray(v) ? v : [v]));
}

function arith(op: string, l: JsonData[], r: JsonData[], ctx: Ctx): JsonData {
  const one = (items: JsonData[], side: string): Numeric => {
    const u = unwrapAll(items, ctx);
    const v = u[0];
    if (u.length !== 1 || !(v instanceof Numeric)) {
      throw new DbError(
        "22038",
        `${side} operand of jsonpath operator ${op} is not a single numeric value`,
      );
    }
    return v;
  };
  const a = one(l, "left");
  const b = one(r, "right");
  switch (op) {
    case "+":
      return numericAdd(a, b);
    case "-":
      return numericSub(a, b);
    case "*":
      return numericMul(a, b);
    default:
      if (numericSign(b) === 0) throw new DbError("22012", "division by zero");
      return op === "/" ? numericDiv(a, b) : numericMod(a, b);
  }
}

function applyStep(s: JpStep, item: JsonData, ctx: Ctx): JsonData[] {
  switch (s.kind) {
    case "key":
      if (isJsonObject(item)) {
        if (Object.hasOwn(item, s.name)) return [item[s.name]!];
        return structural(ctx, "2203A", `JSON object does not contain key "${s.name}"`);
      }
      if (Array.isArray(item) && !ctx.strict) return item.flatMap((e) => applyStep(s, e, ctx));
      return structural(ctx, "2203A", "jsonpath member accessor can only be applied to an object");
    case "any_key":
      if (isJsonObject(item)) return Object.values(item);
      if (Array.isArray(item) && !ctx.strict) return item.flatMap((e) => applyStep(s, e, ctx));
      return structural(
        ctx,
        "2203C",
        "jsonpath wildcard member accessor can only be applied to an object",
      );
    case "any_depth": {
      const out: JsonData[] = [];
      descend(item, 0, s.from, s.to, out);
      return out;
    }
    case "any_index":
      if (Array.isArray(item)) return item;
      if (!ctx.strict) return [item];
      return structural(
        ctx,
        "22039",
        "jsonpath wildcard array accessor can only be applied to an array",
      );
    case "index":
      return subscript(s.subs, item, ctx);
    case "filter":
      if (Array.isArray(item) && !ctx.strict) return item.filter((e) => passes(s.pred, e, ctx));
      return passes(s.pred, item, ctx) ? [item] : [];
    case "method":
      return itemMethod(s.name, item, ctx.strict, (code, msg) => structural(ctx, code, msg));
  }
}

function passes(pred: JpNode, item: JsonData, ctx: Ctx): boolean {
  return evalPredicate(pred, { ...ctx, current: item }) === true;
}

function descend(v: JsonData, level: number, from: number, to: number, out: JsonData[]): void {
  if (level >= from && level <= to) out.push(v);
  if (level >= to) return;
  const kids = Array.isArray(v) ? v : isJsonObject(v) ? Object.values(v) : [];
  for (const k of kids) descend(k, level + 1, from, to, out);
}

function subscript(
  subs: readonly { from: JpNode; to: JpNode | null }[],
  item: JsonData,
  ctx: Ctx,
): JsonData[] {
  if (!Array.isArray(item)) {
    if (ctx.strict) {
      return structural(ctx, "22039", "jsonpath array accessor can only be applied to an array");
    }
    item = [item];
  }
  const arr = item;
  const inner: Ctx = { ...ctx, last: arr.length - 1 };
  const index = (e: JpNode): number => {
    const vals = evalNode(e, inner);
    const v = vals[0];
    if (vals.length !== 1 || !(v instanceof Numeric)) {
      throw new DbError("22033", "jsonpath array subscript is not a single numeric value");
    }
    return Math.trunc(numericToNumber(v));
  };
  const out: JsonData[] = [];
  for (const sub of subs) {
    const from = index(sub.from);
    const to = sub.to === null ? from : index(sub.to);
    if ((from < 0 || to >= arr.length || from > to) && ctx.strict) {
      structural(ctx, "22033", "jsonpath array subscript is out of bounds");
    }
    for (let i = Math.max(from, 0); i <= Math.min(to, arr.length - 1); i++) out.push(arr[i]!);
  }
  return out;
}

/** Evaluates a predicate node; errors inside it make it unknown. */
function evalPredicate(n: JpNode, ctx: Ctx): Truth {
  switch (n.kind) {
    case "and": {
      const l = evalPredicate(n.left, ctx);
      if (l === false) return false;
      const r = evalPredicate(n.right, ctx);
      return r === false ? false : l === true && r === true ? true : null;
    }
    case "or": {
      const l = evalPredicate(n.left, ctx);
      if (l === true) return true;
      const r = evalPredicate(n.right, ctx);
      return r === true ? true : l === false && r === false ? false : null;
    }
    case "not": {
      const v = evalPredicate(n.arg, ctx);
      return v === null ? null : !v;
    }
    case "is_unknown":
      return evalPredicate(n.arg, ctx) === null;
    case "exists": {
      const items = tryEval(n.arg, ctx);
      return items === null ? null : items.length > 0;
    }
    case "compare":
      return compareSeqs(n.op, n.left, n.right, ctx);
    case "like_regex": {
      const re = compileRegex(n.pattern, likeFlags(n.flags));
      return anyItem(n.arg, ctx, (v) => (typeof v === "string" ? re.test(v) : null));
    }
    case "starts_with": {
      const p = tryEval(n.prefix, ctx);
      const prefix = p?.[0];
      if (p === null || p.length !== 1 || typeof prefix !== "string") return null;
      return anyItem(n.arg, ctx, (v) => (typeof v === "string" ? v.startsWith(prefix) : null));
    }
    default: {
      // A non-predicate used as a filter condition: its single boolean result.
      const items = tryEval(n, ctx);
      const v = items?.[0];
      return items !== null && items.length === 1 && typeof v === "boolean" ? v : null;
    }
  }
}

function likeFlags(flags: string): string {
  let out = "";
  for (const f of flags) {
    if (f === "i" && !out.includes("i")) out += "i";
    else if (f === "s" && !out.includes("s")) out += "s";
    else if (f === "m" && !out.includes("m")) out += "m";
  }
  return out;
}

/** Evaluates an operand of a predicate; null when it fails (the predicate is then unknown). */
function tryEval(n: JpNode, ctx: Ctx): JsonData[] | null {
  try {
    return evalNode(n, ctx);
  } catch (e) {
    if (e instanceof DbError && e.sqlstate !== "42704") return null;
    throw e;
  }
}

/** True when `test` holds for any item (lax: stops at the first); unknown on errors. */
function anyItem(n: JpNode, ctx: Ctx, test: (v: JsonData) => Truth): Truth {
  const items = tryEval(n, ctx);
  if (items === null) return null;
  let found = false;
  let error = false;
  for (const v of unwrapAll(items, ctx)) {
    const r = test(v);
    if (r === null) {
      if (ctx.strict) return null;
      error = true;
    } else if (r) {
      if (!ctx.strict) return true;
      found = true;
    }
  }
  return found ? true : error ? null : false;
}

function compareSeqs(op: string, left: JpNode, right: JpNode, ctx: Ctx): Truth {
  const r = tryEval(right, ctx);
  if (r === null) return null;
  const rs = unwrapAll(r, ctx);
  return anyItem(left, ctx, (l) => {
    let found: Truth = false;
    for (const v of rs) {
      const c = compareItems(op, l, v);
      if (c === null) return null;
      if (c) found = true;
    }
    return found;
  });
}

function compareItems(op: string, a: JsonData, b: JsonData): Truth {
  let c: number;
  if (a === null || b === null) {
    if (a !== b) return op === "!=";
    c = 0;
  } else if (a instanceof Numeric && b instanceof Numeric) c = numericCompare(a, b);
  else if (typeof a === "string" && typeof b === "string") c = a < b ? -1 : a > b ? 1 : 0;
  else if (typeof a === "boolean" && typeof b === "boolean") c = Number(a) - Number(b);
  else return null;
  // jsonpath spells SQL's = and <> as == and !=.
  return testResult(op === "==" ? "=" : op === "!=" ? "<>" : op as CmpOp, c);
}
