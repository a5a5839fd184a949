/**
 * Operator and literal spellings the grammar lacks (see `rewrite.ts`):
 * jsonb path operators `#>` / `#>>` (as markers), prefix operators `~x`
 * (as `pg_catalog.__bitnot(x)`), `|/x`, `||/x`, `@x` (sqrt, cbrt, abs) and numbers with an exponent (`1e3`, which
 * the grammar reads as `1 AS e3`) spelled out in plain decimal.
 * @module
 */

import type { Token } from "./lexer.ts";
import {
  add,
  isPunct,
  isWord,
  matchingClose,
  matchingOpen,
  type Plan,
  quote,
} from "./_rewrite_clauses.ts";
import { operandStart } from "./_rewrite_operand.ts";

/** Marker schemas of the jsonb path operators. */
export const JSON_PATH_OPS: Readonly<Record<string, string>> = {
  "#>": "__thunder_jpath",
  "#>>": "__thunder_jpath_text",
  "@?": "__thunder_jexists",
};

/** Words after which an operator is a prefix operator. */
const PREFIX_AFTER = new Set([
  "select",
  "where",
  "and",
  "or",
  "not",
  "when",
  "then",
  "else",
  "case",
  "having",
  "on",
  "by",
  "distinct",
  "all",
  "between",
  "return",
  "set",
  "returning",
]);

/** True when the token at `i` stands where an operand is expected. */
function prefixPosition(tokens: readonly Token[], i: number): boolean {
  const p = tokens[i - 1];
  if (p === undefined || p.kind === "op") return true;
  if (p.kind === "punct") return p.value === "(" || p.value === "," || p.value === "[";
  return p.kind === "ident" && PREFIX_AFTER.has(p.value);
}

/** Operators that bind tighter than a prefix operator, so its operand spans them. */
const TIGHTER = new Set(["+", "-", "*", "/", "%", "^"]);

/**
 * Index just past a prefix operator's operand starting at `j`, or -1: as in
 * PostgreSQL's grammar it spans arithmetic (`@ 2 - 3` is `@ (2 - 3)`) and stops
 * at other operators (`~ 5 & 3` is `(~5) & 3`), comparisons and keywords.
 */
function operandEnd(tokens: readonly Token[], j: number): number {
  let k = primaryEnd(tokens, j);
  while (k > 0 && tokens[k]?.kind === "op" && TIGHTER.has(tokens[k]!.value)) {
    k = primaryEnd(tokens, k + 1);
  }
  return k;
}

/** Index just past the primary starting at `j` (with prefix signs and `::type` casts), or -1. */
function primaryEnd(tokens: readonly Token[], j: number): number {
  const t = tokens[j];
  if (t === undefined) return -1;
  let k: number;
  if (t.kind === "op" && (t.value === "-" || t.value === "+")) {
    return primaryEnd(tokens, j + 1);
  } else if (isPunct(t, "(")) {
    k = matchingClose(tokens, j) + 1;
    if (k === 0) return -1;
  } else if (t.kind === "int" || t.kind === "num" || t.kind === "string" || t.kind === "param") {
    k = j + 1;
  } else if (t.kind === "ident" || t.kind === "qident") {
    k = j + 1;
    while (isPunct(tokens[k], ".") && tokens[k + 1] !== undefined) k += 2;
    if (isPunct(tokens[k], "(")) {
      k = matchingClose(tokens, k) + 1;
      if (k === 0) return -1;
    }
  } else return -1;
  while (isPunct(tokens[k], "::") && tokens[k + 1]?.kind === "ident") {
    k += 2;
    if (isPunct(tokens[k], "(")) k = matchingClose(tokens, k) + 1;
    while (isPunct(tokens[k], "[") && isPunct(tokens[k + 1], "]")) k += 2;
    if (k <= 0) return -1;
  }
  return k;
}

/** Prefix operators the grammar lacks, by the call they become. */
const PREFIX_CALLS: Readonly<Record<string, readonly [string, string]>> = {
  "~": ["pg_catalog.__bitnot(", ")"],
  // PostgreSQL's |/ is double precision only (sqrt also takes numeric).
  "|/": ["pg_catalog.sqrt((", ")::float8)"],
  "||/": ["pg_catalog.cbrt(", ")"],
  "@": ["pg_catalog.abs(", ")"],
};

/** Prefix `~x`, `|/x`, `||/x`, `@x` → a call; a binary `~` (regex match) is left alone. */
export function planPrefixOperator(tokens: readonly Token[], i: number, plan: Plan): void {
  const call = PREFIX_CALLS[tokens[i]!.value];
  if (call === undefined || !prefixPosition(tokens, i)) return;
  const end = operandEnd(tokens, i + 1);
  if (end < 0) return;
  plan.replace.set(i, { text: call[0], skip: 1 });
  add(plan.after, end - 1, call[1]);
}

/**
 * A number with an exponent in plain decimal, with PostgreSQL's scale
 * (`1e3` → `1000::numeric`, `1.50e1` → `15.0`, `1e-3` → `0.001`).
 * @returns null when the exponent is too large to spell out
 */
export function expandExponent(text: string): string | null {
  const m = /^(\d*)(?:\.(\d*))?[eE]([+-]?\d+)$/.exec(text);
  if (m === null) return null;
  const frac = m[2] ?? "";
  const exp = Number(m[3]);
  if (Math.abs(exp) > 1000) return null;
  const digits = ((m[1] ?? "") + frac).replace(/^0+(?=\d)/, "") || "0";
  const scale = frac.length - exp;
  if (scale <= 0) return digits + "0".repeat(-scale) + "::numeric";
  const padded = digits.padStart(scale + 1, "0");
  return padded.slice(0, padded.length - scale) + "." + padded.slice(padded.length - scale);
}

/** The jsonb operators that share one precedence in PostgreSQL (left to right). */
const JSON_CHAIN = new Set(["->", "->>", "#>", "#>>", "@?"]);

/**
 * `a #> p` in parentheses: the marker's comparison precedence would bind it
 * looser than `||`, `IN`, `LIKE` and `->`, where PostgreSQL reads
 * `a #>> p || 'x'` as `(a #>> p) || 'x'`. The left operand extends over a
 * chain of `->`/`#>` steps; nothing changes when an operand is not simple.
 */
function groupJsonOperator(tokens: readonly Token[], i: number, plan: Plan): void {
  let start = operandStart(tokens, i - 1);
  while (
    start >= 2 && tokens[start - 1]?.kind === "op" && JSON_CHAIN.has(tokens[start - 1]!.value)
  ) {
    start = operandStart(tokens, start - 2);
  }
  const array = isWord(tokens[i + 1], "array") && isPunct(tokens[i + 2], "[");
  const end = array ? matchingClose(tokens, i + 2) + 1 : primaryEnd(tokens, i + 1);
  if (start < 0 || end <= i + 1) return;
  add(plan.before, start, "(");
  add(plan.after, end - 1, ")");
}

/** Plans the spellings of this module for the token at `i`. */
export function planOperatorSpelling(tokens: readonly Token[], i: number, plan: Plan): void {
  const t = tokens[i]!;
  if (t.kind === "op" && JSON_PATH_OPS[t.value] !== undefined) {
    plan.replace.set(i, { text: `OPERATOR(${JSON_PATH_OPS[t.value]}.~)`, skip: 1 });
    groupJsonOperator(tokens, i, plan);
  } else if (t.kind === "op") planPrefixOperator(tokens, i, plan);
  else if (t.kind === "num" && /[eE]/.test(t.value)) {
    const text = expandExponent(t.value);
    if (text !== null) plan.replace.set(i, { text, skip: 1 });
  }
}

/**
 * `substring(x SIMILAR p ESCAPE e)` → `substring(x, p, e)`, PostgreSQL's own
 * three-text form of the SQL regular-expression substring.
 */
export function planSimilarSubstring(tokens: readonly Token[], i: number, plan: Plan): void {
  let depth = 0;
  let open = -1;
  for (let j = i - 1; j >= 0 && open < 0; j--) {
    const t = tokens[j]!;
    if (isPunct(t, ")") || isPunct(t, "]")) depth++;
    else if (isPunct(t, "(") || isPunct(t, "[")) {
      if (depth-- === 0) open = j;
    }
  }
  const fn = tokens[open - 1];
  if (open < 1 || !isPunct(tokens[open], "(") || fn?.kind !== "ident") return;
  if (fn.value !== "substring") return;
  const close = matchingClose(tokens, open);
  depth = 0;
  for (let j = i + 1; j < close; j++) {
    const t = tokens[j]!;
    if (isPunct(t, "(") || isPunct(t, "[")) depth++;
    else if (isPunct(t, ")") || isPunct(t, "]")) depth--;
    else if (depth === 0 && t.kind === "ident" && t.value === "escape") {
      plan.replace.set(i, { text: ",", skip: 1 });
      plan.replace.set(j, { text: ",", skip: 1 });
      return;
    }
  }
}

/** Words that may stand before a parenthesized expression (so it is no call's argument list). */
const BEFORE_GROUP = new Set([
  "select",
  "where",
  "and",
  "or",
  "not",
  "on",
  "by",
  "when",
  "then",
  "else",
  "case",
  "having",
  "distinct",
  "all",
  "between",
  "set",
  "returning",
  "in",
  "is",
  "like",
  "ilike",
  "any",
  "some",
  "values",
]);

/**
 * Field selection, which the grammar lacks: `(x).f` → `pg_catalog.__field(x, 'f')`
 * (the binder reads a FROM item's column, a record's field, or the select-list
 * lift of `(jsonb_each(x)).key` in `plan/srf_select.ts`), and `(t).*` → `t.*`
 * for a FROM item name `t`.
 */
export function planFieldSelect(tokens: readonly Token[], i: number, plan: Plan): void {
  const field = tokens[i + 1];
  if (!isPunct(tokens[i - 1], ")") || plan.replace.has(i - 1)) return;
  const open = matchingOpen(tokens, i - 1);
  if (open < 0 || !groupStart(tokens, open)) return;
  if (isPunct(field, "*") || field?.kind === "op" && field.value === "*") {
    const name = tokens[open + 1];
    if (open + 2 !== i - 1 || (name?.kind !== "ident" && name?.kind !== "qident")) return;
    const text = name.kind === "qident" ? `"${name.value.replace(/"/g, '""')}"` : name.value;
    plan.replace.set(open, { text, skip: 3 });
    return;
  }
  if (field?.kind !== "ident" && field?.kind !== "qident") return;
  add(plan.before, open, "pg_catalog.__field");
  plan.replace.set(i - 1, { text: `, ${quote(field.value)})`, skip: 3 });
}

/** True when the `(` at `open` starts a parenthesized expression, not a call's arguments. */
function groupStart(tokens: readonly Token[], open: number): boolean {
  const before = tokens[open - 1];
  if (before === undefined) return true;
  if (before.kind === "ident") return BEFORE_GROUP.has(before.value);
  if (before.kind === "qident") return false;
  return !isPunct(before, ")") && !isPunct(before, "]");
}
