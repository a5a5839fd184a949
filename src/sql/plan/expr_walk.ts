/**
 * Small pure helpers over bound expressions: column ranges, shifting column
 * indexes, splitting conjunctions.
 * @module
 */
import { assertNever } from "../../common/errors.ts";
import type { BoundExpr } from "../../exec/plan.ts";

/** Depth-0 column indexes an expression reads, and whether it has subqueries or volatile calls. */
export interface ExprRefs {
  readonly columns: Set<number>;
  hasSubquery: boolean;
  volatile: boolean;
}

const volatileFns = new Set(["random", "nextval", "setval", "gen_random_uuid", "clock_timestamp"]);

/** Collects what an expression references. */
export function exprRefs(
  e: BoundExpr,
  into: ExprRefs = { columns: new Set(), hasSubquery: false, volatile: false },
): ExprRefs {
  switch (e.kind) {
    case "const":
    case "param":
      break;
    case "column":
      if (e.depth === 0) into.columns.add(e.index);
      break;
    case "call":
      if (volatileFns.has(e.fn)) into.volatile = true;
      for (const a of e.args) exprRefs(a, into);
      break;
    case "and":
    case "or":
      for (const a of e.args) exprRefs(a, into);
      break;
    case "not":
    case "is_null":
    case "is_bool":
    case "cast":
      exprRefs(e.arg, into);
      break;
    case "case":
      if (e.operand) exprRefs(e.operand, into);
      for (const w of e.whens) {
        exprRefs(w.when, into);
        exprRefs(w.then, into);
      }
      if (e.otherwise) exprRefs(e.otherwise, into);
      break;
    case "in_list":
      exprRefs(e.arg, into);
      for (const a of e.list) exprRefs(a, into);
      break;
    case "subquery":
      into.hasSubquery = true;
      if (e.arg) exprRefs(e.arg, into);
      break;
    case "array":
      for (const a of e.items) exprRefs(a, into);
      break;
    default:
      assertNever(e, "expression");
  }
  return into;
}

/** Returns the expression with depth-0 column indexes moved by `delta`. */
export function shiftColumns(e: BoundExpr, delta: number): BoundExpr {
  if (delta === 0) return e;
  const s = (x: BoundExpr) => shiftColumns(x, delta);
  switch (e.kind) {
    case "const":
    case "param":
      return e;
    case "column":
      return e.depth === 0 ? { ...e, index: e.index + delta } : e;
    case "call":
      return { ...e, args: e.args.map(s) };
    case "and":
    case "or":
      return { ...e, args: e.args.map(s) };
    case "not":
    case "is_null":
    case "is_bool":
    case "cast":
      return { ...e, arg: s(e.arg) };
    case "case":
      return {
        ...e,
        operand: e.operand ? s(e.operand) : null,
        whens: e.whens.map((w) => ({ when: s(w.when), then: s(w.then) })),
        otherwise: e.otherwise ? s(e.otherwise) : null,
      };
    case "in_list":
      return { ...e, arg: s(e.arg), list: e.list.map(s) };
    case "subquery":
      return { ...e, arg: e.arg ? s(e.arg) : null };
    case "array":
      return { ...e, items: e.items.map(s) };
    default:
      return assertNever(e, "expression");
  }
}

/** Splits a conjunction into its terms. */
export function conjuncts(e: BoundExpr | null): BoundExpr[] {
  if (!e) return [];
  return e.kind === "and" ? e.args.flatMap(conjuncts) : [e];
}

/** Joins terms with AND (null when none). */
export function andAll(terms: readonly BoundExpr[]): BoundExpr | null {
  if (terms.length === 0) return null;
  if (terms.length === 1) return terms[0]!;
  return { kind: "and", args: terms, type: { id: "bool" } };
}
