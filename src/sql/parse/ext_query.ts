/**
 * Extension rules for statements that wrap or extend queries: COPY, EXPLAIN,
 * PREPARE, EXECUTE, top-level set operations (UNION / INTERSECT / EXCEPT)
 * and DELETE ... USING. Parts that
 * are ordinary SQL (queries, expressions, FROM items, types) go through the
 * grammar via the `Inner` callbacks, so every extension feature is available
 * inside them too.
 * @module
 */

import { Cursor } from "./_cursor.ts";
import type { Token } from "./lexer.ts";
import { assert } from "../../common/errors.ts";
import type {
  ExtCopy,
  ExtCopyTarget,
  ExtDeleteUsing,
  ExtExecute,
  ExtExplain,
  ExtOption,
  ExtPrepare,
  ExtQuery,
  ExtSetOperation,
  Statement,
} from "./ext_ast.ts";
import { parenOptions } from "./ext_admin.ts";
import { parseGrammar, type pg } from "./pg_parser.ts";

/** Callbacks into the full statement parser. */
export interface Inner {
  /** Parses tokens `[from, to)` of the cursor's statement as one statement. */
  readonly tokens: (tokens: readonly Token[]) => Statement;
  /** Parses synthesized SQL text through the grammar path (rewrites included). */
  readonly text: (sql: string) => Statement;
}

const SET_OPS = new Set(["union", "intersect", "except"]);
const TAIL_WORDS = new Set(["order", "limit", "offset", "fetch"]);

/** Index of the first depth-0 token at or after `from` for which `test` holds, or -1. */
export function findTop(
  tokens: readonly Token[],
  from: number,
  test: (t: Token) => boolean,
): number {
  let depth = 0;
  for (let i = from; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === "punct" && (t.value === "(" || t.value === "[")) depth++;
    else if (t.kind === "punct" && (t.value === ")" || t.value === "]")) depth--;
    else if (depth === 0 && test(t)) return i;
  }
  return -1;
}

const isWordIn = (set: Set<string>) => (t: Token) => t.kind === "ident" && set.has(t.value);

/** True when the statement is a query with a set operation at top level. */
export function hasTopSetOperation(tokens: readonly Token[]): boolean {
  const first = tokens[0];
  if (
    first === undefined ||
    (first.value !== "select" && first.value !== "(" && first.value !== "values")
  ) {
    return false;
  }
  return findTop(tokens, 0, isWordIn(SET_OPS)) >= 0;
}

/** Parses a query with top-level set operations, honouring INTERSECT's higher precedence. */
export function parseSetOperation(c: Cursor, inner: Inner): ExtQuery {
  const operands: ExtQuery[] = [];
  const ops: { op: ExtSetOperation["op"]; all: boolean }[] = [];
  let tailFrom = -1;
  for (;;) {
    const start = c.pos;
    let end: number;
    if (c.isPunct("(")) {
      end = c.groupEnd(start);
      const sub = new Cursor(c.sql, c.tokens.slice(start + 1, end - 1));
      operands.push(
        hasTopSetOperation(sub.tokens)
          ? parseSetOperation(sub, inner)
          : asQuery(c, inner.tokens(sub.tokens)),
      );
    } else {
      end = findTop(c.tokens, start, isWordIn(SET_OPS));
      if (end < 0) {
        end = findTop(c.tokens, start, isWordIn(TAIL_WORDS));
        if (end < 0) end = c.tokens.length;
      }
      operands.push(asQuery(c, inner.tokens(c.tokens.slice(start, end))));
    }
    c.pos = end;
    const w = c.peek();
    if (w === undefined || w.kind !== "ident" || !SET_OPS.has(w.value)) {
      tailFrom = c.pos;
      break;
    }
    c.next();
    const all = c.accept("all");
    if (!all) c.accept("distinct");
    ops.push({ op: w.value as ExtSetOperation["op"], all });
  }
  let orderBy: pg.OrderByStatement[] | null = null;
  let limit: pg.LimitStatement | null = null;
  if (tailFrom < c.tokens.length) {
    const tail = inner.text(`SELECT 1 FROM __set_operation ${c.text(tailFrom)}`);
    if (!("type" in tail) || tail.type !== "select") throw c.error(c.tokens[tailFrom]);
    orderBy = tail.orderBy ?? null;
    limit = tail.limit ?? null;
  }
  return foldSetOperations(operands, ops, orderBy, limit);
}

function asQuery(c: Cursor, s: Statement): ExtQuery {
  if ("kind" in s) {
    if (s.kind === "ext.set_operation") return s;
    throw c.error(c.tokens[0]);
  }
  if (
    s.type === "select" || s.type === "union" || s.type === "union all" || s.type === "values" ||
    s.type === "with" || s.type === "with recursive"
  ) return s;
  throw c.error(c.tokens[0]);
}

function foldSetOperations(
  operands: ExtQuery[],
  ops: { op: ExtSetOperation["op"]; all: boolean }[],
  orderBy: pg.OrderByStatement[] | null,
  limit: pg.LimitStatement | null,
): ExtQuery {
  const node = (
    op: ExtSetOperation["op"],
    all: boolean,
    left: ExtQuery,
    right: ExtQuery,
  ): ExtSetOperation => ({
    kind: "ext.set_operation",
    op,
    all,
    left,
    right,
    orderBy: null,
    limit: null,
  });
  // First INTERSECT (binds tighter), then UNION / EXCEPT left to right.
  const terms: ExtQuery[] = [operands[0]!];
  const low: { op: ExtSetOperation["op"]; all: boolean }[] = [];
  ops.forEach((o, k) => {
    const right = operands[k + 1]!;
    if (o.op === "intersect") {
      terms[terms.length - 1] = node(o.op, o.all, terms[terms.length - 1]!, right);
    } else {
      low.push(o);
      terms.push(right);
    }
  });
  let acc = terms[0]!;
  low.forEach((o, k) => acc = node(o.op, o.all, acc, terms[k + 1]!));
  assert("kind" in acc, "A set operation has at least two operands");
  return orderBy === null && limit === null ? acc : { ...acc, orderBy, limit };
}

/** COPY in both the current `WITH (options)` and the pre-9.0 syntax. */
export function parseCopy(c: Cursor, inner: Inner): ExtCopy {
  c.expect("copy");
  const options: ExtOption[] = [];
  if (c.accept("binary")) options.push({ name: "format", value: "binary" });
  let table: ExtCopy["table"] = null;
  let columns: string[] | null = null;
  let query: Statement | null = null;
  if (c.isPunct("(")) {
    const end = c.groupEnd(c.pos);
    query = inner.tokens(c.tokens.slice(c.pos + 1, end - 1));
    c.pos = end;
  } else {
    table = c.qname();
    if (c.isPunct("(")) columns = c.parenNames();
  }
  const direction = c.accept("from") ? "from" : (c.expect("to"), "to");
  let target: ExtCopyTarget;
  if (c.accept("stdin")) target = { kind: "stdin" };
  else if (c.accept("stdout")) target = { kind: "stdout" };
  else if (c.accept("program")) target = { kind: "program", command: c.string() };
  else target = { kind: "file", path: c.string() };
  if ((direction === "from") !== (target.kind !== "stdout")) throw c.error(c.tokens[c.pos - 1]);
  const withWord = c.accept("with");
  if (c.isPunct("(")) options.push(...copyOptions(c));
  else if (!c.atEnd || withWord) options.push(...legacyCopyOptions(c));
  let where: pg.Expr | null = null;
  if (c.accept("where")) {
    const s = inner.text(`SELECT 1 WHERE ${c.text(c.pos)}`);
    where = "type" in s && s.type === "select" ? s.where ?? null : null;
    c.pos = c.tokens.length;
  }
  c.expectEnd();
  return { kind: "ext.copy", table, columns, query, direction, target, options, where };
}

function truth(v: string | null): string {
  if (v === null) return "true";
  const l = v.toLowerCase();
  if (l === "match") return "match";
  return ["true", "on", "1", "yes"].includes(l) ? "true" : "false";
}

/** `(FORMAT csv, HEADER, DELIMITER ',', FORCE_QUOTE (a, b) ...)`. */
function copyOptions(c: Cursor): ExtOption[] {
  const out: ExtOption[] = [];
  c.expectPunct("(");
  do {
    const name = c.name();
    let value: string | null = null;
    if (c.isPunct("(")) value = c.parenNames().join(",");
    else if (c.acceptPunct("*")) value = "*";
    else if (!c.isPunct(",") && !c.isPunct(")")) value = c.value();
    const boolish = name === "header" || name === "freeze";
    out.push({ name, value: boolish ? truth(value) : value });
  } while (c.acceptPunct(","));
  c.expectPunct(")");
  return out;
}

/** `BINARY | DELIMITER [AS] 'c' | NULL [AS] 'n' | CSV [HEADER] [QUOTE ...] [ESCAPE ...] [FORCE ...]`. */
function legacyCopyOptions(c: Cursor): ExtOption[] {
  const out: ExtOption[] = [];
  while (!c.atEnd && !c.isWord("where")) {
    const w = c.name();
    if (w === "binary" || w === "csv") out.push({ name: "format", value: w });
    else if (w === "header") out.push({ name: "header", value: "true" });
    else if (w === "freeze") out.push({ name: "freeze", value: "true" });
    else if (
      w === "delimiter" || w === "null" || w === "quote" || w === "escape" || w === "encoding"
    ) {
      c.accept("as");
      out.push({ name: w, value: c.string() });
    } else if (w === "force") {
      let name = "force_quote";
      if (c.accept("not", "null")) name = "force_not_null";
      else if (c.accept("null")) name = "force_null";
      else c.expect("quote");
      out.push({ name, value: c.acceptPunct("*") ? "*" : c.nameList().join(",") });
    } else throw c.error(c.tokens[c.pos - 1]);
  }
  return out;
}

/** EXPLAIN [ANALYZE] [VERBOSE] | EXPLAIN (options) statement. */
export function parseExplain(c: Cursor, inner: Inner): ExtExplain {
  c.expect("explain");
  let options: ExtOption[] = [];
  if (c.isPunct("(") && !c.isWord("select", 1) && !c.isWord("with", 1) && !c.isWord("values", 1)) {
    options = parenOptions(c);
  } else {
    if (c.accept("analyze") || c.accept("analyse")) options.push({ name: "analyze", value: null });
    if (c.accept("verbose")) options.push({ name: "verbose", value: null });
  }
  const flag = (n: string) => options.some((o) => o.name === n && truth(o.value) === "true");
  const statement = inner.tokens(c.tokens.slice(c.pos));
  return {
    kind: "ext.explain",
    analyze: flag("analyze"),
    verbose: flag("verbose"),
    options,
    statement,
  };
}

/** PREPARE name [(types)] AS statement. */
export function parsePrepare(c: Cursor, inner: Inner): ExtPrepare {
  c.expect("prepare");
  const name = c.name();
  let paramTypes: pg.DataTypeDef[] = [];
  if (c.isPunct("(")) {
    const end = c.groupEnd(c.pos);
    const s = parseGrammar(`PREPARE p ${c.text(c.pos, end)} AS SELECT 1`);
    if (s.type === "prepare") paramTypes = s.args ?? [];
    c.pos = end;
  }
  c.expect("as");
  return { kind: "ext.prepare", name, paramTypes, statement: inner.tokens(c.tokens.slice(c.pos)) };
}

/** EXECUTE name [(args)]. */
export function parseExecute(c: Cursor, inner: Inner): ExtExecute {
  c.expect("execute");
  const name = c.name();
  let args: pg.Expr[] = [];
  if (c.isPunct("(")) {
    const end = c.groupEnd(c.pos);
    const s = inner.text(`SELECT ${c.text(c.pos + 1, end - 1)}`);
    if ("type" in s && s.type === "select") args = (s.columns ?? []).map((col) => col.expr);
    c.pos = end;
  }
  c.expectEnd();
  return { kind: "ext.execute", name, args };
}

/** DELETE FROM t [alias] USING from-list [WHERE cond] [RETURNING list]. */
export function parseDeleteUsing(c: Cursor, using: number, inner: Inner): ExtDeleteUsing {
  c.expect("delete", "from");
  const target = c.text(c.pos, using);
  const where = findTop(c.tokens, using, (t) => t.kind === "ident" && t.value === "where");
  const ret = findTop(c.tokens, using, (t) => t.kind === "ident" && t.value === "returning");
  const usingEnd = where >= 0 ? where : ret >= 0 ? ret : c.tokens.length;
  const cond = where >= 0 ? c.text(where + 1, ret >= 0 ? ret : c.tokens.length) : "";
  const returning = ret >= 0 ? c.text(ret + 1) : "";
  const s = inner.text(
    `SELECT ${returning || "1"} FROM ${target}, ${c.text(using + 1, usingEnd)}${
      cond ? ` WHERE ${cond}` : ""
    }`,
  );
  if (!("type" in s) || s.type !== "select" || s.from === undefined || s.from === null) {
    throw c.error();
  }
  const first = s.from[0];
  if (first === undefined || first.type !== "table") throw c.error();
  return {
    kind: "ext.delete_using",
    table: first.name,
    using: s.from.slice(1),
    where: s.where ?? null,
    returning: ret >= 0 ? s.columns ?? [] : null,
  };
}
