/**
 * Statement splitting and normalization for the statement cache.
 *
 * `splitStatements` cuts a multi-statement string at top-level semicolons
 * (the lexer already skipped quotes, dollar quotes and comments).
 * `normalizeStatement` turns the literals of a DML/SELECT statement into
 * parameters: the result's `text` has `$n` where the literals stood and is
 * what the parser sees on a cache miss; `key` adds the literals' lexical
 * types, so `a = 5` (int4) and `a = 5000000000` (int8) never share a plan.
 *
 * Numbering: the statement's own parameters keep their numbers `$1..$m`
 * (m = highest one used); extracted literals become `$(m+1)`, `$(m+2)`, ...
 * in source order. The engine binds the client's values first, then the
 * literal values.
 *
 * Literals stay in place (not parameterized) where a parameter would change
 * meaning or is not allowed: statements other than SELECT/INSERT/UPDATE/
 * DELETE/WITH/VALUES; typed literals (`interval '1 day'`, `date '...'`);
 * type modifiers (`varchar(10)`, `::numeric(10,2)`, `int[3]`); positional
 * `ORDER BY 1` / `GROUP BY 1`; the operand of `->`/`->>`; booleans, NULL,
 * bit strings and N'' strings; and any literal after a keyword not known to
 * start a value (`FETCH FIRST 5`, `ESCAPE '\'`, `AT TIME ZONE 'UTC'`).
 * @module
 */

import { Numeric, type SqlType, type, type Value } from "../../common/types.ts";
import type { Token } from "./lexer.ts";
import { LimitError } from "../../common/errors.ts";
import { exprDepthMax } from "../../common/limits.ts";

/** One statement's tokens and its span `[start, end)` in the full text. */
export interface StatementSlice {
  readonly tokens: readonly Token[];
  readonly start: number;
  readonly end: number;
}

/** A literal pulled out of the statement text. */
export interface ExtractedLiteral {
  readonly value: Value;
  /** unknown (string constant), int4, int8 or numeric, as PostgreSQL types the constant. */
  readonly type: SqlType;
}

/** The normalized form of one statement. */
export interface NormalizedStatement {
  /** Parseable text with `$n` in place of extracted literals. */
  readonly text: string;
  /** Cache key: `text` plus the literals' type codes. */
  readonly key: string;
  /** Extracted literals, bound to `$(firstLiteralParam)` onwards. */
  readonly literals: readonly ExtractedLiteral[];
  /** 1-based number of the first literal parameter (highest own `$n` plus one). */
  readonly firstLiteralParam: number;
}

/**
 * Splits tokens into statements at `;`.
 * @param tokens the tokens of the whole text
 * @returns non-empty statements in order
 * @throws {LimitError} 54001 when brackets nest deeper than `exprDepthMax`
 */
export function splitStatements(tokens: readonly Token[]): StatementSlice[] {
  const last = tokens[tokens.length - 1];
  if (last === undefined) return [];
  let depth = 0;
  let semicolon = false;
  for (const t of tokens) {
    if (t.kind !== "punct") continue;
    if (t.value === "(" || t.value === "[") {
      if (++depth > exprDepthMax) {
        throw new LimitError("54001", `Nesting of ${depth} brackets exceeds ${exprDepthMax}`);
      }
    } else if (t.value === ")" || t.value === "]") depth--;
    else if (t.value === ";") semicolon = true;
  }
  if (!semicolon) return [{ tokens, start: tokens[0]!.start, end: last.end }]; // the common case
  const out: StatementSlice[] = [];
  let from = 0;
  for (let i = 0; i <= tokens.length; i++) {
    const t = tokens[i];
    if (t !== undefined && !(t.kind === "punct" && t.value === ";")) continue;
    if (i > from) {
      const part = tokens.slice(from, i);
      out.push({ tokens: part, start: part[0]!.start, end: part[part.length - 1]!.end });
    }
    from = i + 1;
  }
  return out;
}

const DML_FIRST = new Set(["select", "insert", "update", "delete", "with", "values", "("]);
/** Keywords after which a literal is a plain value. */
const VALUE_KEYWORDS = new Set([
  "select",
  "where",
  "and",
  "or",
  "not",
  "then",
  "else",
  "when",
  "case",
  "like",
  "ilike",
  "between",
  "limit",
  "offset",
  "having",
  "distinct",
  "all",
  "returning",
]);
/** Type names whose parenthesized modifiers must stay literal. */
const TYPE_MOD_NAMES = new Set([
  "varchar",
  "char",
  "character",
  "varying",
  "nchar",
  "numeric",
  "decimal",
  "dec",
  "float",
  "bit",
  "varbit",
  "time",
  "timestamp",
  "timetz",
  "timestamptz",
  "interval",
  "vector",
]);
const TYPE_CONTINUATION = new Set(["precision", "varying", "with", "without", "time", "zone"]);
/** Tokens that may follow a positional `ORDER BY n` / `GROUP BY n` item. */
const POSITIONAL_FOLLOW = new Set([
  ",",
  ")",
  "asc",
  "desc",
  "nulls",
  "using",
  "limit",
  "offset",
  "having",
  "window",
  "for",
  "union",
  "intersect",
  "except",
  "fetch",
  "order",
]);
const INT4 = type("int4");
const UNKNOWN = type("unknown");
const INT4_MIN = -2147483648n;
const INT4_MAX = 2147483647n;
const INT8_MIN = -9223372036854775808n;
const INT8_MAX = 9223372036854775807n;

/** Renders one token back to SQL text (identifiers folded, quotes kept). */
function tokenText(sql: string, t: Token): string {
  switch (t.kind) {
    case "ident":
      return t.value;
    case "qident":
      return '"' + t.value.replace(/"/g, '""') + '"';
    case "string":
      return sql.slice(t.start, t.end);
    case "param":
      return "$" + t.value;
    default:
      return t.value;
  }
}

function isPunct(t: Token | undefined, v: string): boolean {
  return t !== undefined && t.kind === "punct" && t.value === v;
}

/** True when a literal right after `prev` may be replaced by a parameter. */
function valueContext(prev: Token | undefined): boolean {
  if (prev === undefined) return false;
  switch (prev.kind) {
    case "op":
      return prev.value !== "->" && prev.value !== "->>";
    case "punct":
      return prev.value === "(" || prev.value === "," || prev.value === "[" ||
        prev.value === ":";
    case "ident":
      return VALUE_KEYWORDS.has(prev.value);
    default:
      return false;
  }
}

/** A unary minus: `-` in a value context, directly before a number. */
function isUnaryMinus(tokens: readonly Token[], i: number): boolean {
  const t = tokens[i]!;
  const next = tokens[i + 1];
  // `-1::int4` is `-(1::int4)` and `-a[1]` negates the element: `::` and `[` bind tighter.
  const after = tokens[i + 2];
  return t.kind === "op" && t.value === "-" && next !== undefined &&
    (next.kind === "int" || next.kind === "num") && (i === 0 || valueContext(tokens[i - 1])) &&
    !isPunct(after, "::") && !isPunct(after, "[");
}

/** Index just past the bracket group opening at `i` (`(` or `[`). */
function skipGroup(tokens: readonly Token[], i: number): number {
  const open = tokens[i]!.value;
  const close = open === "(" ? ")" : "]";
  let depth = 0;
  for (let j = i; j < tokens.length; j++) {
    const t = tokens[j]!;
    if (t.kind !== "punct") continue;
    if (t.value === open) depth++;
    else if (t.value === close && --depth === 0) return j + 1;
  }
  return tokens.length;
}

/** Index just past a type name that starts at `i` (after `::`), with modifiers and `[]`. */
function skipTypeName(tokens: readonly Token[], i: number): number {
  let j = i;
  let first = true;
  for (;;) {
    const t = tokens[j];
    if (t === undefined) return j;
    if ((t.kind === "ident" || t.kind === "qident") && (first || TYPE_CONTINUATION.has(t.value))) {
      j++;
      first = false;
      while (isPunct(tokens[j], ".") && tokens[j + 1] !== undefined) j += 2;
    } else if (isPunct(t, "(") || isPunct(t, "[")) j = skipGroup(tokens, j);
    else return j;
  }
}

function literalOf(t: Token, negative: boolean): ExtractedLiteral {
  if (t.kind === "string") return { value: t.value, type: UNKNOWN };
  if (t.kind === "int" && t.value.length <= 9) {
    const n = Number(t.value); // below 10^9: fits int4 either sign, no BigInt needed
    return { value: negative ? -n : n, type: INT4 };
  }
  if (t.kind === "int") {
    const v = negative ? -BigInt(t.value) : BigInt(t.value);
    if (v >= INT4_MIN && v <= INT4_MAX) return { value: Number(v), type: type("int4") };
    if (v >= INT8_MIN && v <= INT8_MAX) return { value: v, type: type("int8") };
  }
  return { value: parseNumeric((negative ? "-" : "") + t.value), type: type("numeric") };
}

/**
 * Parses a decimal literal text (digits, point, exponent) exactly.
 * @param text e.g. "-1.50e3"
 */
export function parseNumeric(text: string): Numeric {
  const m = /^(-?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (m === null) return new Numeric(0n, 0, true);
  const frac = m[3] ?? "";
  let digits = BigInt((m[2] ?? "") + frac || "0");
  let scale = frac.length - Number(m[4] ?? "0");
  if (scale < 0) {
    digits *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return new Numeric(m[1] === "-" ? -digits : digits, scale);
}

function highestParam(tokens: readonly Token[]): number {
  let max = 0;
  for (const t of tokens) if (t.kind === "param") max = Math.max(max, Number(t.value));
  return max;
}

function typeCode(t: SqlType): string {
  return t.id === "unknown" ? "s" : t.id === "int4" ? "i" : t.id === "int8" ? "l" : "n";
}

/**
 * Normalizes one statement: folds identifiers, collapses whitespace and
 * comments, and (for DML/SELECT when `parameterize` holds) turns literals
 * into parameters.
 * @param sql the full text the tokens came from
 * @param slice the statement
 * @param parameterize false to keep every literal in place
 */
export function normalizeStatement(
  sql: string,
  slice: StatementSlice,
  parameterize = true,
): NormalizedStatement {
  const tokens = slice.tokens;
  const maxParam = highestParam(tokens);
  const first = tokens[0];
  const dml = parameterize && first !== undefined && DML_FIRST.has(first.value) &&
    first.kind !== "string";
  const literals: ExtractedLiteral[] = [];
  const byDepths: number[] = []; // depths of open ORDER BY / GROUP BY lists
  let depth = 0;
  let text = "";
  let codes = "";
  let prevEnd = -1;
  const emit = (s: string, start: number, end: number) => {
    if (prevEnd >= 0 && start > prevEnd) text += " ";
    text += s;
    prevEnd = end;
  };
  let i = 0;
  while (i < tokens.length) {
    const t = tokens[i]!;
    if (
      dml && (t.kind === "punct" && (t.value === "::") ||
        t.kind === "ident" && TYPE_MOD_NAMES.has(t.value) && isPunct(tokens[i + 1], "("))
    ) {
      const stop = skipTypeName(tokens, t.kind === "punct" ? i + 1 : i);
      for (let j = i; j < stop; j++) {
        emit(tokenText(sql, tokens[j]!), tokens[j]!.start, tokens[j]!.end);
      }
      i = Math.max(stop, i + 1);
      continue;
    }
    if (t.kind === "punct") {
      if (t.value === "(" || t.value === "[") depth++;
      else if (t.value === ")" || t.value === "]") depth--;
      while (byDepths.length > 0 && byDepths[byDepths.length - 1]! > depth) byDepths.pop();
    } else if (
      t.kind === "ident" && t.value === "by" && i > 0 && tokens[i - 1]!.kind === "ident" &&
      (tokens[i - 1]!.value === "order" || tokens[i - 1]!.value === "group")
    ) {
      byDepths.push(depth);
    }
    if (
      dml &&
      (t.kind === "string" || t.kind === "int" || t.kind === "num" || isUnaryMinus(tokens, i))
    ) {
      const negative = t.kind === "op";
      const lit = negative ? tokens[i + 1]! : t;
      const litIndex = negative ? i + 1 : i;
      if (extractable(tokens, i, litIndex, depth, byDepths)) {
        const l = literalOf(lit, negative);
        literals.push(l);
        codes += typeCode(l.type);
        emit("$" + (maxParam + literals.length), t.start, lit.end);
        i = litIndex + 1;
        continue;
      }
    }
    emit(tokenText(sql, t), t.start, t.end);
    i++;
  }
  return {
    text,
    key: codes === "" ? text : text + "\u0000" + codes,
    literals,
    firstLiteralParam: maxParam + 1,
  };
}

/** Decides whether the literal at `litIndex` (with its sign at `i`) becomes a parameter. */
function extractable(
  tokens: readonly Token[],
  i: number,
  litIndex: number,
  depth: number,
  byDepths: readonly number[],
): boolean {
  const lit = tokens[litIndex]!;
  if (lit.kind === "string" && (lit.prefix === "B" || lit.prefix === "X" || lit.prefix === "N")) {
    return false;
  }
  const prev = tokens[i - 1];
  if (i > 0 && !valueContext(prev)) return false;
  if (
    lit.kind === "int" && byDepths[byDepths.length - 1] === depth && prev !== undefined &&
    (prev.value === "by" || isPunct(prev, ","))
  ) {
    const next = tokens[litIndex + 1];
    if (next === undefined || POSITIONAL_FOLLOW.has(next.value)) return false;
  }
  return true;
}
