/**
 * Query-clause rewrites for the grammar (see `rewrite.ts` for the full list):
 * named windows, `LIMIT ALL`, HAVING without GROUP BY, GROUPING SETS /
 * ROLLUP / CUBE, `BETWEEN SYMMETRIC` and `INSERT ... DEFAULT VALUES`.
 * @module
 */

import type { Token } from "./lexer.ts";
import { add, isPunct, isWord, matchingClose, type Plan } from "./_rewrite_clauses.ts";

/** Column list standing for "DEFAULT VALUES" while the grammar parses an INSERT. */
export const DEFAULT_VALUES_MARKER = "__thunder_default_values";

/** GROUP BY item standing for "no GROUP BY, but aggregate" (HAVING without GROUP BY). */
export const NO_GROUP_MARKER = "__no_group";

/** Function wrapping `GROUPING SETS (...)` so the grammar reads it as a call. */
export const GROUPING_SETS_MARKER = "__grouping_sets";

/**
 * Expands named windows: removes each `WINDOW name AS (spec)[, ...]` clause
 * and writes `(spec)` for `OVER name`, and `spec ...` for `OVER (name ...)`.
 * Tokens are reused, so offsets still point into the source.
 * @param tokens one statement's tokens
 * @returns the same array when the statement names no window
 */
export function expandNamedWindows(tokens: readonly Token[]): readonly Token[] {
  const defs = new Map<string, readonly Token[]>();
  const dropped = new Set<number>();
  for (let i = 0; i < tokens.length; i++) {
    if (!isWord(tokens[i], "window") || !isAsParen(tokens, i + 1)) continue;
    let k = i + 1;
    for (;;) {
      if (!isAsParen(tokens, k)) break;
      const close = matchingClose(tokens, k + 2);
      if (close < 0) return tokens;
      // The definition's own parentheses come along, for `OVER name`.
      defs.set(tokens[k]!.value, expandRefs(tokens.slice(k + 2, close + 1), defs));
      k = close + 1;
      if (!isPunct(tokens[k], ",")) break;
      k++;
    }
    for (let j = i; j < k; j++) dropped.add(j);
  }
  if (defs.size === 0) return tokens;
  return expandRefs(tokens.filter((_, j) => !dropped.has(j)), defs);
}

/** `name AS (` at k. */
function isAsParen(tokens: readonly Token[], k: number): boolean {
  const name = tokens[k];
  return (name?.kind === "ident" || name?.kind === "qident") && isWord(tokens[k + 1], "as") &&
    isPunct(tokens[k + 2], "(");
}

function expandRefs(
  tokens: readonly Token[],
  defs: ReadonlyMap<string, readonly Token[]>,
): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    out.push(t);
    if (!isWord(t, "over")) continue;
    const next = tokens[i + 1];
    const spec = next === undefined ? undefined : defs.get(next.value);
    if (spec !== undefined && (next!.kind === "ident" || next!.kind === "qident")) {
      out.push(...spec);
      i++;
    } else if (isPunct(next, "(")) {
      const inner = tokens[i + 2];
      const base = inner === undefined ? undefined : defs.get(inner.value);
      const after = tokens[i + 3];
      if (base !== undefined && !isPunct(after, "(") && !isPunct(after, ".")) {
        out.push(next!, ...base.slice(1, -1));
        i += 2;
      }
    }
  }
  return out;
}

/** `LIMIT ALL` means no limit: the grammar lacks it, so it is dropped. */
export function planLimitAll(tokens: readonly Token[], i: number, plan: Plan): void {
  if (isWord(tokens[i + 1], "all")) plan.replace.set(i, { text: "", skip: 2 });
}

/**
 * HAVING without GROUP BY makes the query one group: the grammar requires a
 * GROUP BY before HAVING, so `GROUP BY pg_catalog.__no_group()` goes in.
 */
export function planHaving(tokens: readonly Token[], i: number, plan: Plan): void {
  let depth = 0;
  for (let k = i - 1; k >= 0; k--) {
    const t = tokens[k]!;
    if (isPunct(t, ")")) depth++;
    else if (isPunct(t, "(")) {
      if (depth === 0) break;
      depth--;
    } else if (depth === 0 && isWord(t, "by") && isWord(tokens[k - 1], "group")) return;
    else if (depth === 0 && isWord(t, "select")) break;
  }
  add(plan.before, i, `GROUP BY pg_catalog.${NO_GROUP_MARKER}()`);
}

/** `GROUPING SETS (` → `pg_catalog.__grouping_sets(`; `()` inside GROUP BY → `ROW()`. */
export function planGroupingSets(tokens: readonly Token[], i: number, plan: Plan): void {
  if (!isWord(tokens[i + 1], "sets") || !isPunct(tokens[i + 2], "(")) return;
  plan.replace.set(i, { text: `pg_catalog.${GROUPING_SETS_MARKER}`, skip: 2 });
}

/**
 * An empty grouping set `()` after `(` or `,` inside GROUP BY: the grammar reads `ROW()`.
 * `GROUP BY ()` itself groups by nothing (one group, as without GROUP BY):
 * `GROUP BY pg_catalog.__no_group()`.
 */
export function planEmptySet(tokens: readonly Token[], i: number, plan: Plan): void {
  const prev = tokens[i - 1];
  if (!isPunct(tokens[i + 1], ")")) return;
  if (isWord(prev, "by") && isWord(tokens[i - 2], "group")) {
    plan.replace.set(i, { text: `pg_catalog.${NO_GROUP_MARKER}()`, skip: 2 });
    return;
  }
  if (!(isPunct(prev, "(") || isPunct(prev, ","))) return;
  let depth = 0;
  for (let k = i - 1; k >= 0; k--) {
    const t = tokens[k]!;
    if (isPunct(t, ")")) depth++;
    else if (isPunct(t, "(")) depth = Math.max(0, depth - 1);
    else if (isWord(t, "by")) {
      if (isWord(tokens[k - 1], "group")) add(plan.before, i, "ROW");
      return;
    } else if (depth === 0 && (isWord(t, "select") || isWord(t, "from"))) return;
  }
}

/** `INSERT INTO t DEFAULT VALUES` → `INSERT INTO t (marker) VALUES (DEFAULT)`. */
export function planDefaultValues(tokens: readonly Token[], i: number, plan: Plan): void {
  if (!isWord(tokens[i + 1], "values") || !tokens.some((t) => isWord(t, "insert"))) return;
  if (isPunct(tokens[i - 1], "(") || isPunct(tokens[i - 1], ",")) return;
  plan.replace.set(i, { text: `(${DEFAULT_VALUES_MARKER}) VALUES (DEFAULT)`, skip: 2 });
}

/** Wrapper marking the low bound of `BETWEEN SYMMETRIC lo AND hi`. */
export const SYMMETRIC_MARKER = "__symmetric";

/**
 * `BETWEEN SYMMETRIC lo AND hi` → `BETWEEN pg_catalog.__symmetric(lo) AND hi`;
 * `BETWEEN ASYMMETRIC` is plain BETWEEN.
 */
export function planSymmetric(tokens: readonly Token[], i: number, plan: Plan): void {
  if (!isWord(tokens[i - 1], "between")) return;
  if (tokens[i]!.value === "asymmetric") {
    plan.replace.set(i, { text: "", skip: 1 });
    return;
  }
  let depth = 0;
  for (let k = i + 1; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (isPunct(t, "(") || isPunct(t, "[")) depth++;
    else if (isPunct(t, ")") || isPunct(t, "]")) depth--;
    else if (depth === 0 && isWord(t, "and")) {
      plan.replace.set(i, { text: `pg_catalog.${SYMMETRIC_MARKER}(`, skip: 1 });
      add(plan.before, k, ")");
      return;
    }
    if (depth < 0) return;
  }
}

/**
 * PostgreSQL writes `fn(...) WITHIN GROUP (ORDER BY x) FILTER (WHERE c)`; the
 * grammar wants FILTER first. Moves each such FILTER clause in front of its
 * WITHIN GROUP (tokens are reused, so offsets still point into the source).
 * @returns the same array when nothing moves
 */
export function reorderWithinGroup(tokens: readonly Token[]): readonly Token[] {
  let out: Token[] | null = null;
  for (let i = 0; i < tokens.length; i++) {
    const cur: readonly Token[] = out ?? tokens;
    if (!isWord(cur[i], "within") || !isWord(cur[i + 1], "group") || !isPunct(cur[i + 2], "(")) {
      continue;
    }
    const close = matchingClose(cur, i + 2);
    if (close < 0 || !isWord(cur[close + 1], "filter") || !isPunct(cur[close + 2], "(")) continue;
    const filterEnd = matchingClose(cur, close + 2);
    if (filterEnd < 0) continue;
    const within = cur.slice(i, close + 1);
    const filter = cur.slice(close + 1, filterEnd + 1);
    out = [...cur.slice(0, i), ...filter, ...within, ...cur.slice(filterEnd + 1)];
    i = filterEnd;
  }
  return out ?? tokens;
}

/** Function wrapping a `FETCH FIRST n ROWS WITH TIES` count (the grammar knows only ONLY). */
export const WITH_TIES_MARKER = "__with_ties";

/** `FETCH {FIRST|NEXT} [n] {ROW|ROWS} WITH TIES` → `FETCH FIRST pg_catalog.__with_ties(n) ROWS ONLY`. */
export function planWithTies(tokens: readonly Token[], i: number, plan: Plan): void {
  let k = i + 1;
  if (isWord(tokens[k], "first") || isWord(tokens[k], "next")) k++;
  const start = k;
  let depth = 0;
  for (; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (isPunct(t, "(")) depth++;
    else if (isPunct(t, ")")) depth--;
    else if (depth === 0 && (isWord(t, "row") || isWord(t, "rows"))) break;
    if (depth < 0 || isPunct(t, ";")) return;
  }
  if (!isWord(tokens[k + 1], "with") || !isWord(tokens[k + 2], "ties")) return;
  if (k === start) {
    plan.replace.set(i, { text: `FETCH FIRST pg_catalog.${WITH_TIES_MARKER}(1)`, skip: k - i });
  } else {
    plan.replace.set(i, { text: `FETCH FIRST pg_catalog.${WITH_TIES_MARKER}(`, skip: start - i });
    add(plan.before, k, ")");
  }
  plan.replace.set(k + 1, { text: "ONLY", skip: 2 });
}

/** Words before a table name that show it has no alias before TABLESAMPLE. */
const BEFORE_TABLE = new Set(["from", "join", "only"]);

/**
 * `t [AS] a TABLESAMPLE method (p) [REPEATABLE (seed)]` →
 * `(SELECT * FROM t WHERE pg_catalog.__tablesample('method', p, repeatable, seed, t)) AS a`
 * (t, the whole row, identifies the row for REPEATABLE; the alias defaults to the table's name).
 */
export function planTableSample(
  sql: string,
  tokens: readonly Token[],
  i: number,
  plan: Plan,
): void {
  const method = tokens[i + 1];
  if (method?.kind !== "ident" || !isPunct(tokens[i + 2], "(")) return;
  const close = matchingClose(tokens, i + 2);
  if (close < 0) return;
  const name = (t: Token | undefined) =>
    t !== undefined && (t.kind === "ident" || t.kind === "qident");
  // Walk back over an alias, then over the (possibly qualified) table name.
  let end = i - 1;
  let alias: string | null = null;
  if (isWord(tokens[end - 1], "as") && name(tokens[end])) {
    alias = sql.slice(tokens[end]!.start, tokens[end]!.end);
    end -= 2;
  } else if (
    name(tokens[end]) && name(tokens[end - 1]) && !BEFORE_TABLE.has(tokens[end - 1]!.value)
  ) {
    alias = sql.slice(tokens[end]!.start, tokens[end]!.end);
    end -= 1;
  }
  if (!name(tokens[end])) return;
  let start = end;
  while (isPunct(tokens[start - 1], ".") && name(tokens[start - 2])) start -= 2;
  const table = sql.slice(tokens[end]!.start, tokens[end]!.end);
  alias ??= table;
  add(plan.before, start, "(SELECT * FROM");
  if (end + 1 < i) plan.replace.set(end + 1, { text: "", skip: i - end - 1 });
  plan.replace.set(i, {
    text: `WHERE pg_catalog.__tablesample('${method.value}', (`,
    skip: 3,
  });
  const repeatable = isWord(tokens[close + 1], "repeatable") && isPunct(tokens[close + 2], "(");
  const tail = `, ${table})) AS ${alias}`;
  if (!repeatable) {
    plan.replace.set(close, { text: `), false, NULL${tail}`, skip: 1 });
    return;
  }
  const seedClose = matchingClose(tokens, close + 2);
  if (seedClose < 0) return;
  plan.replace.set(close, { text: "), true, (", skip: 3 });
  plan.replace.set(seedClose, { text: `)${tail}`, skip: 1 });
}

/** Prefix of the USING-list entry that carries a join's alias (`USING (k) AS j`). */
export const USING_ALIAS_MARKER = "__thunder_using_as_";

/**
 * `JOIN ... USING (a, b) AS j` → `USING (a, b, "__thunder_using_as_j")`: the
 * grammar lacks the join alias, so it travels as one more (marked) name.
 */
export function planUsingAlias(tokens: readonly Token[], i: number, plan: Plan): void {
  if (!isPunct(tokens[i + 1], "(")) return;
  const close = matchingClose(tokens, i + 1);
  if (close < 0 || !isWord(tokens[close + 1], "as")) return;
  const alias = tokens[close + 2];
  if (alias?.kind !== "ident" && alias?.kind !== "qident") return;
  for (let k = i + 2; k < close; k++) {
    const t = tokens[k]!;
    if (t.kind !== "ident" && t.kind !== "qident" && !isPunct(t, ",")) return;
  }
  const name = `${USING_ALIAS_MARKER}${alias.value}`.replaceAll('"', '""');
  plan.replace.set(close, { text: `, "${name}")`, skip: 3 });
}
