/**
 * Operand-level rewrites of `rewrite.ts`: array slices `x[lo:hi]`,
 * subscripts of a parenthesized group, and `x COLLATE name`. Each finds the
 * start of the operand it applies to (`operandStart`) and wraps it.
 * @module
 */

import type { Token } from "./lexer.ts";
import { NAMED_ARG_MARKER } from "./named_args.ts";
import {
  add,
  isPunct,
  isWord,
  matchingClose,
  matchingOpen,
  type Plan,
  quote,
} from "./_rewrite_clauses.ts";

/** Words that may precede `(` without being a function name. */
const NOT_FUNCTION = new Set([
  "select",
  "where",
  "and",
  "or",
  "not",
  "in",
  "exists",
  "on",
  "by",
  "when",
  "then",
  "else",
  "values",
  "any",
  "all",
  "some",
  "between",
  "like",
  "ilike",
  "using",
  "over",
  "from",
  "as",
  "is",
  "case",
  "returning",
  "having",
  "set",
  "with",
  "distinct",
  "limit",
  "offset",
  "filter",
  "within",
  "into",
  "join",
  "lateral",
  "to",
]);

/**
 * Start index of the primary expression ending at token `end`: a literal,
 * parameter or (qualified) name, a parenthesized group or function call,
 * subscripts, and `::` casts of those; -1 when unbalanced.
 */
export function operandStart(tokens: readonly Token[], end: number): number {
  let s = end;
  for (;;) {
    const t = tokens[s];
    if (t === undefined) return -1;
    if (isPunct(t, ")") || isPunct(t, "]")) {
      s = matchingOpen(tokens, s);
      if (s < 0) return -1;
      const before = tokens[s - 1];
      if (before !== undefined && isPunct(tokens[s], "[") && !isPunct(before, "(")) {
        s--; // a subscript: continue with what it applies to
        continue;
      }
      if (
        before?.kind === "qident" || before?.kind === "ident" && !NOT_FUNCTION.has(before.value)
      ) s--;
    }
    while (s >= 2 && isPunct(tokens[s - 1], ".")) s -= 2;
    if (s >= 2 && isPunct(tokens[s - 1], "::")) {
      s -= 2;
      continue;
    }
    return s;
  }
}

/** The `:` of a slice `[lo:hi]` between `open` and `close`, or -1. */
function sliceColon(tokens: readonly Token[], open: number, close: number): number {
  let colon = -1;
  let depth = 0;
  for (let j = open + 1; j < close; j++) {
    if (isPunct(tokens[j], "(") || isPunct(tokens[j], "[")) depth++;
    else if (isPunct(tokens[j], ")") || isPunct(tokens[j], "]")) depth--;
    else if (depth === 0 && isPunct(tokens[j], ":")) colon = j;
  }
  return colon;
}

/**
 * `(expr)[i][j]` → `((expr)[i][j])`: the grammar takes subscripts of a
 * parenthesized group only at the end of an operand, so a cast or operator
 * after them (`(ARRAY[1, 2])[2]::text`) needs the whole in parentheses.
 */
function planGroupSubscript(tokens: readonly Token[], open: number, plan: Plan): void {
  let close = open - 1;
  while (isPunct(tokens[close + 1], "[")) {
    const end = matchingClose(tokens, close + 1);
    if (end < 0 || end === close + 2 || sliceColon(tokens, close + 1, end) >= 0) return;
    close = end;
  }
  const s = operandStart(tokens, open - 1);
  if (s < 0) return;
  add(plan.before, s, "(");
  add(plan.after, close, ")");
}

/** `x[lo:hi]` (either bound optional) → `pg_catalog.__slice(x, lo, hi)`, NULL for a missing bound. */
export function planSlice(tokens: readonly Token[], open: number, plan: Plan): void {
  const close = matchingClose(tokens, open);
  if (close < 0 || open === 0) return;
  const colon = sliceColon(tokens, open, close);
  const prev = tokens[open - 1]!;
  if (colon < 0 && isPunct(prev, ")")) return planGroupSubscript(tokens, open, plan);
  const bracketed = prev.kind === "punct" && prev.value !== ")" && prev.value !== "]";
  if (colon < 0 || bracketed || isWord(prev, "array")) return;
  const s = operandStart(tokens, open - 1);
  if (s < 0) return;
  add(plan.before, s, "pg_catalog.__slice(");
  plan.replace.set(open, { text: colon === open + 1 ? ", NULL" : ",", skip: 1 });
  plan.replace.set(colon, { text: colon === close - 1 ? ", NULL" : ",", skip: 1 });
  plan.replace.set(close, { text: ")", skip: 1 });
}

/** `x COLLATE name` → `pg_catalog.__collate(x, 'name')`. */
export function planCollate(tokens: readonly Token[], c: number, plan: Plan): void {
  const s = operandStart(tokens, c - 1);
  if (s < 0) return;
  let e = c + 1;
  const parts: string[] = [];
  for (;;) {
    const n = tokens[e];
    if (n === undefined || (n.kind !== "ident" && n.kind !== "qident")) break;
    parts.push(n.value);
    e++;
    if (!isPunct(tokens[e], ".")) break;
    e++;
  }
  if (parts.length === 0) return;
  add(plan.before, s, "pg_catalog.__collate(");
  plan.replace.set(c, { text: `, ${quote(parts.join("."))})`, skip: e - c });
}

/**
 * `(s1, e1) OVERLAPS (s2, e2)` → `pg_catalog.__overlaps((s1, e1), (s2, e2))`:
 * the binder checks each side has two items.
 */
export function planOverlaps(tokens: readonly Token[], at: number, plan: Plan): void {
  if (!isPunct(tokens[at - 1], ")") || !isPunct(tokens[at + 1], "(")) return;
  const open = matchingOpen(tokens, at - 1);
  const close = matchingClose(tokens, at + 1);
  if (open < 0 || close < 0) return;
  add(plan.before, open, "pg_catalog.__overlaps(");
  plan.replace.set(at, { text: ",", skip: 1 });
  add(plan.after, close, ")");
}

/**
 * A named argument `name => value` (or `name := value`) right after `(` or `,`
 * → `__thunder_named_arg('name', value)`; `named_args.ts` places it.
 * @param at the index of `=>` or of the `:` of `:=`
 */
export function planNamedArg(tokens: readonly Token[], at: number, plan: Plan): void {
  const name = tokens[at - 1];
  if (name?.kind !== "ident" && name?.kind !== "qident") return;
  if (!isPunct(tokens[at - 2], "(") && !isPunct(tokens[at - 2], ",")) return;
  const width = tokens[at]!.value === "=>" ? 1 : 2;
  let depth = 0;
  for (let k = at + width; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (isPunct(t, "(") || isPunct(t, "[")) depth++;
    else if ((isPunct(t, ")") || isPunct(t, "]")) && depth > 0) depth--;
    else if (depth === 0 && (isPunct(t, ")") || isPunct(t, ","))) {
      plan.replace.set(at - 1, {
        text: `${NAMED_ARG_MARKER}(${quote(name.value)},`,
        skip: 1 + width,
      });
      add(plan.before, k, ")");
      return;
    }
  }
}
