/**
 * Expression-level extensions: rewrites a statement's tokens into text the
 * pgsql-ast-parser grammar accepts, keeping a map back to source offsets.
 *
 * How each extension reaches the planner (all internal functions live in
 * `pg_catalog` and take the original operands in order):
 * - `a SIMILAR TO b` → call `__similar_to(a, b)`; `NOT SIMILAR TO` → `__not_similar_to(a, b)`.
 * - pgvector `a <-> b` → `__vector_l2_distance(a, b)`, `<=>` → `__vector_cosine_distance`,
 *   `<#>` → `__vector_negative_inner_product`.
 * - `a IS [NOT] DISTINCT FROM b` → `__is_distinct_from(a, b)` / `__is_not_distinct_from(a, b)`.
 * - `x COLLATE name` → `__collate(x, 'name')`, name as written (folded, schema kept).
 * - `x[lo:hi]` → `__slice(x, lo, hi)`, NULL for an omitted bound.
 * - `a SIMILAR TO p ESCAPE e` → `__similar_to(a, p, e)` (three arguments).
 * - `(s1, e1) OVERLAPS (s2, e2)` → `__overlaps((s1, e1), (s2, e2))`.
 * - `name => value` / `name := value` in a call → `__thunder_named_arg('name', value)`.
 * - `JOIN ... USING (k) AS j` → `USING (k, "__thunder_using_as_j")` (the join alias).
 * - `x IS [NOT] UNKNOWN` → `x IS [NOT] NULL` (the same test for a boolean).
 * - `a NATURAL [LEFT|RIGHT|FULL|INNER] JOIN b` → the join with `on` = `__natural_join()`
 *   (no arguments): the planner joins on the columns both sides share.
 * - A window frame `OVER (... {ROWS|RANGE|GROUPS} ...)` → an extra last PARTITION BY
 *   item `__window_frame(mode, startKind, startOffset, endKind, endOffset, exclusion)`:
 *   mode 'rows'|'range'|'groups'; kinds 'unbounded preceding'|'offset preceding'|
 *   'current row'|'offset following'|'unbounded following'; offsets are expressions
 *   or NULL; exclusion 'no others'|'current row'|'group'|'ties'. The planner must
 *   remove it from the partition list; it never partitions anything.
 * - `REFERENCES t` without a column list → a foreign key whose `foreignColumns` is
 *   empty: the planner resolves it to t's primary key, as PostgreSQL does.
 * - `a LIKE b ESCAPE c` → `a LIKE pg_catalog.like_escape(b, c)` (as PostgreSQL itself reads it).
 * - `[NOT] DEFERRABLE [INITIALLY DEFERRED|IMMEDIATE]` on a named constraint is stripped;
 *   the constraint node gets `deferrable` / `initiallyDeferred` booleans (`ConstraintTiming`).
 * - `trim([BOTH|LEADING|TRAILING] [chars] FROM s)` → `pg_catalog.btrim|ltrim|rtrim(s[, chars])`.
 * - `FOR UPDATE|SHARE OF a, b` at statement level → the select's `for` node gets
 *   `of: [{name: "a"}, {name: "b"}]` (`LockingOf`); inside a subquery it is 0A000.
 * - `WITH name (cols) AS (query)` → `name AS (SELECT * FROM (query) AS __thunder_cte (cols))`.
 * - `WINDOW w AS (spec)` is removed and `OVER w` reads `OVER (spec)` (`OVER (w ...)` too).
 * - `LIMIT ALL` is dropped (no limit).
 * - HAVING without GROUP BY → `GROUP BY pg_catalog.__no_group() HAVING ...`: one group.
 * - `GROUPING SETS (...)` → `pg_catalog.__grouping_sets(...)`, an empty set `()` → `ROW()`;
 *   ROLLUP (...) and CUBE (...) reach the planner as calls of `rollup` / `cube`.
 * - `INSERT INTO t DEFAULT VALUES` → `INSERT INTO t (__thunder_default_values) VALUES (DEFAULT)`.
 * - `BETWEEN SYMMETRIC lo AND hi` → `BETWEEN pg_catalog.__symmetric(lo) AND hi`.
 * - `a #> p`, `a #>> p`, prefix `~x` and `1e3`: see `_rewrite_ops.ts`.
 * Binary operators travel through the grammar as `OPERATOR(__thunder_x.~)`
 * markers (comparison precedence) that `pg_parser.ts` turns into the calls.
 * @module
 */

import type { Token } from "./lexer.ts";
import {
  add,
  type ConstraintTimingNote,
  isPunct,
  isWord,
  matchingClose,
  matchingOpen,
  type Plan,
  planEscape,
  planFrame,
  planLockOf,
  planTiming,
  planTrim,
  quote,
} from "./_rewrite_clauses.ts";

import { planFieldSelect, planOperatorSpelling, planSimilarSubstring } from "./_rewrite_ops.ts";
import { planCollate, planNamedArg, planOverlaps, planSlice } from "./_rewrite_operand.ts";
import {
  expandNamedWindows,
  planDefaultValues,
  planEmptySet,
  planGroupingSets,
  planHaving,
  planLimitAll,
  planSymmetric,
  planTableSample,
  planUsingAlias,
  planWithTies,
  reorderWithinGroup,
} from "./_rewrite_query.ts";

export type { ConstraintTimingNote } from "./_rewrite_clauses.ts";

/** Marker schema in `OPERATOR(schema.~)` → internal function name. */
export const OPERATOR_MARKERS: ReadonlyMap<string, string> = new Map([
  ["__thunder_similar", "__similar_to"],
  ["__thunder_not_similar", "__not_similar_to"],
  ["__thunder_l2", "__vector_l2_distance"],
  ["__thunder_cosine", "__vector_cosine_distance"],
  ["__thunder_negip", "__vector_negative_inner_product"],
  ["__thunder_distinct", "__is_distinct_from"],
  ["__thunder_not_distinct", "__is_not_distinct_from"],
  ["__thunder_jpath", "__jsonb_path"],
  ["__thunder_jpath_text", "__jsonb_path_text"],
  ["__thunder_jexists", "__jsonb_path_exists_op"],
]);

/** Column name standing for "the referenced table's primary key" while the grammar parses. */
export const PRIMARY_KEY_MARKER = "__thunder_pk";

const VECTOR_OPS: Record<string, string> = {
  "<->": "__thunder_l2",
  "<=>": "__thunder_cosine",
  "<#>": "__thunder_negip",
};

/** Words that end a table reference (so they are not its alias). */
const NOT_ALIAS = new Set([
  "on",
  "using",
  "where",
  "join",
  "inner",
  "left",
  "right",
  "full",
  "cross",
  "natural",
  "group",
  "order",
  "limit",
  "offset",
  "having",
  "union",
  "intersect",
  "except",
  "window",
  "for",
  "fetch",
  "returning",
]);

/** Rewritten text plus a map from its offsets back to source offsets. */
export interface Rewritten {
  readonly text: string;
  /** DEFERRABLE clauses stripped from constraints, by constraint name (null when unnamed). */
  readonly timings: readonly ConstraintTimingNote[];
  /** Relation lists of `FOR UPDATE|SHARE OF` clauses; an empty list marks one inside a subquery. */
  readonly lockedOf: readonly (readonly string[])[];
  /** Ascending `out` offsets; each piece of output starts at `out` and came from `source`. */
  readonly pieces: readonly { readonly out: number; readonly source: number }[];
}

/**
 * Maps an offset of rewritten text back to the source.
 * @param r the rewrite
 * @param offset 0-based offset in `r.text`
 */
export function sourceOffset(r: Rewritten, offset: number): number {
  let best = r.pieces[0]?.source ?? 0;
  for (const p of r.pieces) {
    if (p.out > offset) break;
    best = p.source;
  }
  return best;
}

/**
 * Rewrites one statement's tokens for the grammar.
 * @param sql the source text
 * @param tokens the statement's tokens (offsets into `sql`)
 */
export function rewriteForGrammar(sql: string, source: readonly Token[]): Rewritten {
  const tokens = reorderWithinGroup(expandNamedWindows(source));
  const plan: Plan = {
    before: new Map(),
    after: new Map(),
    replace: new Map(),
    timings: [],
    lockedOf: [],
  };
  for (let i = 0; i < tokens.length; i++) planAt(sql, tokens, i, plan);
  let text = "";
  const pieces: { out: number; source: number }[] = [];
  let prevEnd = -1;
  const put = (s: string, source: number, gap: boolean) => {
    if (gap && text.length > 0) text += " ";
    pieces.push({ out: text.length, source });
    text += s;
  };
  for (let i = 0; i < tokens.length;) {
    const t = tokens[i]!;
    const gap = prevEnd >= 0 && t.start > prevEnd;
    for (const s of plan.before.get(i) ?? []) put(s, t.start, true);
    const r = plan.replace.get(i);
    const from = i;
    if (r !== undefined) {
      if (r.text !== "") put(r.text, t.start, true);
      prevEnd = tokens[i + r.skip - 1]!.end;
      i += r.skip;
    } else {
      put(t.kind === "string" ? stringText(sql, t) : sql.slice(t.start, t.end), t.start, gap);
      prevEnd = t.end;
      i++;
    }
    for (let k = from; k < i; k++) for (const s of plan.after.get(k) ?? []) put(s, t.start, true);
  }
  return { text, pieces, timings: plan.timings, lockedOf: plan.lockedOf };
}

/** Strings reach the grammar as plain standard-conforming literals (it lacks $$, E'', U&'' and continuations). */
function stringText(sql: string, t: Token): string {
  if (t.prefix === "B" || t.prefix === "X") return sql.slice(t.start, t.end);
  return quote(t.value);
}

function planAt(sql: string, tokens: readonly Token[], i: number, plan: Plan): void {
  const t = tokens[i]!;
  if (
    (t.kind === "op" && t.value === "=>") ||
    (isPunct(t, ":") && tokens[i + 1]?.value === "=" && tokens[i + 1]!.start === t.end)
  ) {
    planNamedArg(tokens, i, plan);
  } else if (t.kind === "op" && VECTOR_OPS[t.value] !== undefined) {
    plan.replace.set(i, { text: `OPERATOR(${VECTOR_OPS[t.value]}.~)`, skip: 1 });
  } else if (t.kind === "op" || t.kind === "num") planOperatorSpelling(tokens, i, plan);
  else if (t.kind === "punct" && t.value === "[") planSlice(tokens, i, plan);
  else if (t.kind === "punct" && t.value === "(") planEmptySet(tokens, i, plan);
  else if (t.kind === "punct" && t.value === ".") planFieldSelect(tokens, i, plan);
  else if (t.kind !== "ident") return;
  else if (t.value === "limit") planLimitAll(tokens, i, plan);
  else if (t.value === "fetch") planWithTies(tokens, i, plan);
  else if (t.value === "tablesample") planTableSample(sql, tokens, i, plan);
  else if (t.value === "having") planHaving(tokens, i, plan);
  else if (t.value === "grouping") planGroupingSets(tokens, i, plan);
  else if (t.value === "default") planDefaultValues(tokens, i, plan);
  else if (t.value === "symmetric" || t.value === "asymmetric") planSymmetric(tokens, i, plan);
  else if (t.value === "similar" && isWord(tokens[i + 1], "to")) {
    const negated = isWord(tokens[i - 1], "not") && plan.replace.get(i - 1) === undefined;
    const marker = negated ? "__thunder_not_similar" : "__thunder_similar";
    plan.replace.set(negated ? i - 1 : i, { text: `OPERATOR(${marker}.~)`, skip: negated ? 3 : 2 });
  } else if (t.value === "similar") planSimilarSubstring(tokens, i, plan);
  else if (t.value === "is") {
    const not = isWord(tokens[i + 1], "not") ? 1 : 0;
    if (isWord(tokens[i + 1 + not], "distinct") && isWord(tokens[i + 2 + not], "from")) {
      const marker = not ? "__thunder_not_distinct" : "__thunder_distinct";
      plan.replace.set(i, { text: `OPERATOR(${marker}.=)`, skip: 3 + not });
    } else if (isWord(tokens[i + 1 + not], "unknown")) {
      // For a boolean, UNKNOWN is NULL: IS [NOT] UNKNOWN reads as IS [NOT] NULL.
      plan.replace.set(i, { text: not ? "IS NOT NULL" : "IS NULL", skip: 2 + not });
    }
  } else if (t.value === "natural") planNatural(tokens, i, plan);
  else if (t.value === "using") planUsingAlias(tokens, i, plan);
  else if (t.value === "overlaps") planOverlaps(tokens, i, plan);
  else if (t.value === "over" && isPunct(tokens[i + 1], "(")) planFrame(sql, tokens, i + 1, plan);
  else if (t.value === "collate" && i > 0) planCollate(tokens, i, plan);
  else if (t.value === "references") planReferences(tokens, i, plan);
  else if (t.value === "escape" && i > 1) planEscape(tokens, i, plan);
  else if (t.value === "deferrable" || t.value === "initially") planTiming(tokens, i, plan);
  else if (t.value === "trim" && isPunct(tokens[i + 1], "(")) planTrim(tokens, i, plan);
  else if (
    t.value === "of" && (isWord(tokens[i - 1], "update") || isWord(tokens[i - 1], "share"))
  ) {
    planLockOf(tokens, i, plan);
  } else if (t.value === "as" && isPunct(tokens[i - 1], ")") && isPunct(tokens[i + 1], "(")) {
    planCteColumns(tokens, i, plan);
  }
}

/** `REFERENCES t` without columns targets t's primary key: mark it for `pg_parser.ts`. */
function planReferences(tokens: readonly Token[], i: number, plan: Plan): void {
  let k = i + 2;
  while (isPunct(tokens[k], ".")) k += 2;
  if (!isPunct(tokens[k], "(")) add(plan.after, k - 1, `(${PRIMARY_KEY_MARKER})`);
}

/**
 * `WITH name (cols) AS (query)` (non-recursive): the grammar lacks the column
 * list, so it becomes `name AS (SELECT * FROM (query) AS name (cols))`, which
 * renames the columns the same way.
 */
function planCteColumns(tokens: readonly Token[], asAt: number, plan: Plan): void {
  const open = matchingOpen(tokens, asAt - 1);
  if (open < 1) return;
  const name = tokens[open - 1];
  const before = tokens[open - 2];
  if (name === undefined || (name.kind !== "ident" && name.kind !== "qident")) return;
  if (!(isWord(before, "with") || isPunct(before, ","))) return;
  if (tokens.some((t) => t.kind === "ident" && t.value === "recursive")) return;
  const cols = tokens.slice(open, asAt).map((t) =>
    t.kind === "qident" ? `"${t.value.replace(/"/g, '""')}"` : t.value
  ).join(" ");
  const close = matchingClose(tokens, asAt + 1);
  if (close < 0) return;
  plan.replace.set(open, { text: "", skip: asAt - open });
  add(plan.after, asAt + 1, "SELECT * FROM (");
  add(plan.before, close, `) AS __thunder_cte ${cols}`);
}

function planNatural(tokens: readonly Token[], i: number, plan: Plan): void {
  let j = i + 1;
  while (j < tokens.length && !isWord(tokens[j], "join")) j++;
  if (j >= tokens.length || j - i > 3) return;
  let k = j + 1; // the table reference
  const skipGroup = (at: number) => isPunct(tokens[at], "(") ? matchingClose(tokens, at) + 1 : at;
  if (isPunct(tokens[k], "(")) k = skipGroup(k);
  else {
    k++;
    while (isPunct(tokens[k], ".")) k += 2;
    k = skipGroup(k);
  }
  if (isWord(tokens[k], "as")) k++;
  const alias = tokens[k];
  if (
    alias !== undefined &&
    (alias.kind === "qident" || alias.kind === "ident" && !NOT_ALIAS.has(alias.value))
  ) {
    k++;
    k = skipGroup(k);
  }
  if (k <= j + 1 || k > tokens.length) return; // unbalanced: the grammar reports it
  plan.replace.set(i, { text: "", skip: 1 });
  add(plan.after, k - 1, "ON pg_catalog.__natural_join()");
}
