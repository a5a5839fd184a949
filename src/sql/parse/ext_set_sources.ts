/**
 * Statements that embed a query with INTERSECT or EXCEPT, which the grammar
 * cannot read: `INSERT INTO t ... <query>` (CREATE TABLE AS fills its table
 * this way) and `CREATE VIEW v AS <query>`. The statement is parsed by the
 * grammar with `SELECT 1` standing in for the query, and the query itself by
 * the set-operation rule (`parseSetOperation`), which then replaces it.
 * @module
 */

import { Cursor } from "./_cursor.ts";
import type { Token } from "./lexer.ts";
import type { ExtSetOperation, Statement } from "./ext_ast.ts";
import { hasTopSetOperation, type Inner, parseSetOperation } from "./ext_query.ts";
import type { pg } from "./pg_parser.ts";

const QUERY_WORDS = new Set(["select", "values"]);

/** True for a query whose set operations include INTERSECT or EXCEPT. */
function needsSetRule(tokens: readonly Token[]): boolean {
  return hasTopSetOperation(tokens) &&
    tokens.some((t) => t.kind === "ident" && (t.value === "intersect" || t.value === "except"));
}

/**
 * Parses tokens `[start, end)` as the statement's set-operation query, and
 * the statement around it with `SELECT 1` in its place.
 */
function splice(
  c: Cursor,
  inner: Inner,
  start: number,
  end: number,
  tail?: string,
): { around: Statement; query: ExtSetOperation; at: { start: number; end: number } } | null {
  let from = start;
  let to = end;
  // `(query)` as a whole: its parentheses only group.
  while (c.tokens[from]?.value === "(" && c.groupEnd(from) === to && to - from > 2) {
    from++;
    to--;
  }
  const queryTokens = c.tokens.slice(from, to);
  if (!needsSetRule(queryTokens)) return null;
  const parsed = parseSetOperation(new Cursor(c.sql, queryTokens), inner);
  if (!("kind" in parsed)) return null;
  const around = inner.text(`${c.text(0, start)} SELECT 1 ${tail ?? c.text(end)}`);
  const at = { start: c.tokens[from]!.start, end: c.tokens[to - 1]!.end };
  return { around, query: parsed, at };
}

/**
 * `INSERT INTO t [(columns)] <query with INTERSECT / EXCEPT> [ON CONFLICT ...]
 * [RETURNING ...]`: the grammar's INSERT node whose `insert` is the frontend's
 * set-operation tree (planned by `planInsert`); null for any other INSERT.
 */
export function parseInsertSetOperation(c: Cursor, inner: Inner): Statement | null {
  const tokens = c.tokens;
  let start = -1;
  let end = tokens.length;
  let depth = 0;
  for (let i = 2; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === "punct" && (t.value === "(" || t.value === "[")) {
      const next = tokens[i + 1];
      if (depth === 0 && start < 0 && next && (next.value === "(" || QUERY_WORDS.has(next.value))) {
        start = i;
      }
      depth++;
    } else if (t.kind === "punct" && (t.value === ")" || t.value === "]")) depth--;
    else if (depth === 0 && t.kind === "ident") {
      if (start < 0 && QUERY_WORDS.has(t.value) && tokens[i - 1]?.value !== "default") start = i;
      const conflict = t.value === "on" && tokens[i + 1]?.value === "conflict";
      if (start >= 0 && (conflict || t.value === "returning")) {
        end = i;
        break;
      }
    }
  }
  if (start < 0) return null;
  const spliced = splice(c, inner, start, end);
  if (spliced === null) return null;
  const { around, query } = spliced;
  if ("kind" in around || around.type !== "insert") throw c.error(tokens[0]);
  // The grammar's type holds only its own queries; planInsert reads the tree.
  return { ...around, insert: query as unknown as pg.SelectStatement };
}

/**
 * `CREATE [OR REPLACE] [TEMP] [RECURSIVE] VIEW v [(columns)] AS <query with
 * INTERSECT / EXCEPT> [WITH ... CHECK OPTION]`: the grammar's CREATE VIEW
 * node whose query is the set-operation tree, located at the query's text
 * (the view stores that text); null for any other statement.
 * @param c cursor at the statement start; `view` is the index of VIEW
 */
export function parseCreateViewSetOperation(
  c: Cursor,
  view: number,
  inner: Inner,
): Statement | null {
  const tokens = c.tokens;
  let as = -1;
  let depth = 0;
  for (let i = view + 1; i < tokens.length && as < 0; i++) {
    const t = tokens[i]!;
    if (t.kind === "punct" && t.value === "(") depth++;
    else if (t.kind === "punct" && t.value === ")") depth--;
    else if (depth === 0 && t.kind === "ident" && t.value === "as") as = i;
  }
  if (as < 0) return null;
  let end = tokens.length;
  let check = "";
  const level = tokens[tokens.length - 3]?.value;
  const bare = tokens[tokens.length - 3]?.value === "with";
  const checkAt = tokens.length - (bare ? 3 : 4);
  if (
    tokens[tokens.length - 1]?.value === "option" && tokens[tokens.length - 2]?.value === "check" &&
    tokens[checkAt]?.value === "with"
  ) {
    end = checkAt;
    // A bare WITH CHECK OPTION means CASCADED; the grammar wants the word.
    check = ` WITH ${bare ? "CASCADED" : level} CHECK OPTION`;
  }
  const spliced = splice(c, inner, as + 1, end, check) ?? nestedView(c, inner, as + 1, end, check);
  if (spliced === null) return null;
  const { around, query, at } = spliced;
  if ("kind" in around || around.type !== "create view") throw c.error(tokens[0]);
  return { ...around, query: { ...query, _location: at } as unknown as pg.SelectStatement };
}

/** A view query with INTERSECT / EXCEPT only inside its subqueries, parsed with them. */
function nestedView(
  c: Cursor,
  inner: Inner,
  start: number,
  end: number,
  tail: string,
): { around: Statement; query: object; at: { start: number; end: number } } | null {
  const queryTokens = c.tokens.slice(start, end);
  const nested = queryTokens.some((t) =>
    t.kind === "ident" && (t.value === "intersect" || t.value === "except")
  );
  if (!nested || start >= end) return null;
  const query = inner.tokens(queryTokens);
  const around = inner.text(`${c.text(0, start)} SELECT 1 ${tail || c.text(end)}`);
  return { around, query, at: { start: c.tokens[start]!.start, end: c.tokens[end - 1]!.end } };
}

const PLACEHOLDER = "__setop_";

/**
 * A statement with subqueries (in FROM, IN, EXISTS, scalar, CTE bodies)
 * that use INTERSECT or EXCEPT: each such `(query)` is parsed by the
 * set-operation rule, and the statement's text gets
 * `(SELECT 1 AS __set_operation_k)` in its place (padded to its length) for
 * the grammar; `putBack` then puts the trees back. Null when there is none.
 */
export function nestedSetOperations(
  c: Cursor,
  inner: Inner,
): { sql: string; trees: ExtSetOperation[] } | null {
  const tokens = c.tokens;
  const trees: ExtSetOperation[] = [];
  let sql = c.sql;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind !== "punct" || t.value !== "(") continue;
    const next = tokens[i + 1];
    if (!next || !(next.value === "(" || QUERY_WORDS.has(next.value))) continue;
    const end = c.groupEnd(i);
    if (!needsSetRule(tokens.slice(i + 1, end - 1))) continue;
    const query = parseSetOperation(new Cursor(c.sql, tokens.slice(i + 1, end - 1)), inner);
    if (!("kind" in query)) throw c.error(t);
    const from = t.start;
    const to = tokens[end - 1]!.end;
    // The placeholder keeps the group's length, so every other offset stays the source's.
    const placeholder = `(SELECT 1 AS ${PLACEHOLDER}${trees.length})`;
    if (placeholder.length > to - from) continue;
    sql = sql.slice(0, from) + placeholder.padEnd(to - from) + sql.slice(to);
    trees.push(query);
    i = end - 1;
  }
  return trees.length === 0 ? null : { sql, trees };
}

/** Replaces the placeholder SELECTs of `nestedSetOperations` with their trees. */
export function putBack<T>(node: T, trees: readonly ExtSetOperation[]): T {
  if (Array.isArray(node)) return node.map((x) => putBack(x, trees)) as T;
  if (node === null || typeof node !== "object") return node;
  const k = placeholderOf(node);
  if (k !== null) return trees[k] as T;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(node)) out[key] = putBack(v, trees);
  return out as T;
}

function placeholderOf(node: object): number | null {
  const s = node as { type?: string; from?: unknown; columns?: { alias?: { name?: string } }[] };
  if (s.type !== "select" || s.from || s.columns?.length !== 1) return null;
  const name = s.columns[0]!.alias?.name;
  if (!name?.startsWith(PLACEHOLDER)) return null;
  return Number(name.slice(PLACEHOLDER.length));
}
