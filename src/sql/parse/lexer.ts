/**
 * Hand-written lexer for the PostgreSQL 15 dialect. It is the fast front of
 * the SQL frontend: the statement cache lexes every incoming statement, so
 * this file scans char codes directly and allocates one small object per
 * token. Comments and whitespace produce no tokens; every token keeps its
 * source span so later stages can cut the original text.
 *
 * Token kinds:
 * - `ident`: unquoted identifier or keyword; `value` is lower-cased (PostgreSQL folds them).
 * - `qident`: double-quoted identifier; `value` is the unescaped name, case kept.
 * - `string`: any string constant; `prefix` tells which syntax: "" plain, "E" escape,
 *   "N" national, "U" unicode (U&), "$" dollar-quoted, "B" bit, "X" hex bit.
 *   `value` is the decoded text (for "B" and "X" the bit digits).
 * - `int`, `num`: numeric constants (`num` has a point or exponent); `value` is the text.
 * - `param`: `$n`; `value` is the digits.
 * - `op`: an operator per PostgreSQL's rules (`<->`, `::` is `punct`).
 * - `punct`: one of `( ) [ ] , ; . : ::`.
 * @module
 */

import { DbError } from "../../common/errors.ts";

/** Kinds of lexical tokens. */
export type TokenKind = "ident" | "qident" | "string" | "int" | "num" | "param" | "op" | "punct";

/** One lexical token with its source span `[start, end)` in the lexed text. */
export interface Token {
  readonly kind: TokenKind;
  readonly value: string;
  readonly start: number;
  readonly end: number;
  /** String syntax for `string` tokens: "", "E", "N", "U", "$", "B", "X". */
  readonly prefix?: string;
}

const OP_CHARS = "+-*/<>=~!@#%^&|`?";
const OP_SPECIAL = "~!@#%^&|`?";
/** Character classes of ASCII codes, so the hot loop does one table read per char. */
const CLASS = new Uint8Array(128);
const OP = 1, IDENT_START = 2, IDENT = 4, PUNCT = 8;
for (const ch of OP_CHARS) CLASS[ch.charCodeAt(0)]! |= OP;
for (const ch of "()[],;.:") CLASS[ch.charCodeAt(0)]! |= PUNCT;
for (let c = 0; c < 128; c++) {
  if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95) CLASS[c]! |= IDENT_START | IDENT;
  if ((c >= 48 && c <= 57) || c === 36) CLASS[c]! |= IDENT;
}

function isOpChar(c: number): boolean {
  return c < 128 && (CLASS[c]! & OP) !== 0;
}
function isIdentStart(c: number): boolean {
  return c >= 128 || (CLASS[c]! & IDENT_START) !== 0;
}
function isIdentChar(c: number): boolean {
  return c >= 128 || (CLASS[c]! & IDENT) !== 0;
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 9 || c === 13 || c === 12 || c === 11;
}

/**
 * Builds the 42601 error PostgreSQL reports for bad tokens.
 * @param message the error text
 * @param offset 0-based offset; stored 1-based in `position`
 */
export function syntaxError(message: string, offset: number): DbError {
  const err = new DbError("42601", message);
  err.position = offset + 1;
  return err;
}

/**
 * Splits `sql` into tokens.
 * @param sql the text to scan
 * @returns tokens in source order
 * @throws {DbError} 42601 on an unterminated quote or comment
 * @example lex("SELECT $1::int") // ident, param, punct "::", ident
 */
export function lex(sql: string): Token[] {
  const out: Token[] = [];
  const n = sql.length;
  let i = 0;
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    const c2 = i + 1 < n ? sql.charCodeAt(i + 1) : 0;
    if (c === 45 && c2 === 45) { // --
      while (i < n && sql.charCodeAt(i) !== 10) i++;
      continue;
    }
    if (c === 47 && c2 === 42) { // /*
      i = skipBlockComment(sql, i);
      continue;
    }
    if (c === 39) { // '
      i = lexQuoted(sql, i, i, "", out);
      continue;
    }
    if (c === 34) { // "
      const end = scanQuoted(sql, i + 1, 34, false, i);
      out.push({
        kind: "qident",
        value: unescapeDoubled(sql.slice(i + 1, end - 1), '"'),
        start: i,
        end,
      });
      i = end;
      continue;
    }
    if (isIdentStart(c)) {
      i = lexWord(sql, i, out);
      continue;
    }
    if (isDigit(c) || (c === 46 && isDigit(c2))) {
      i = lexNumber(sql, i, out);
      continue;
    }
    if (c === 36) { // $
      i = lexDollar(sql, i, out);
      continue;
    }
    if (c === 58 && c2 === 58) {
      out.push({ kind: "punct", value: "::", start: i, end: i + 2 });
      i += 2;
      continue;
    }
    if (c < 128 && (CLASS[c]! & PUNCT) !== 0) {
      out.push({ kind: "punct", value: sql[i]!, start: i, end: i + 1 });
      i++;
      continue;
    }
    if (isOpChar(c)) {
      i = lexOperator(sql, i, out);
      continue;
    }
    throw syntaxError(`syntax error at or near "${sql[i]}"`, i);
  }
  return out;
}

function skipBlockComment(sql: string, start: number): number {
  let depth = 0;
  let i = start;
  const n = sql.length;
  while (i < n) {
    const c = sql.charCodeAt(i);
    const c2 = i + 1 < n ? sql.charCodeAt(i + 1) : 0;
    if (c === 47 && c2 === 42) {
      depth++;
      i += 2;
    } else if (c === 42 && c2 === 47) {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else i++;
  }
  throw syntaxError("unterminated /* comment", start);
}

/** Returns the offset just after the closing quote; doubled quotes stay inside. */
function scanQuoted(
  sql: string,
  from: number,
  quote: number,
  backslash: boolean,
  at: number,
): number {
  let i = from;
  const n = sql.length;
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (backslash && c === 92) {
      i += 2;
      continue;
    }
    if (c === quote) {
      if (i + 1 < n && sql.charCodeAt(i + 1) === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  throw syntaxError(
    quote === 34 ? "unterminated quoted identifier" : "unterminated quoted string",
    at,
  );
}

function unescapeDoubled(body: string, quote: string): string {
  return body.indexOf(quote + quote) >= 0 ? body.split(quote + quote).join(quote) : body;
}

/**
 * Lexes a `'...'` string at `quoteAt` (with the prefix starting at `start`),
 * including PostgreSQL's continuation of adjacent strings separated by a newline.
 */
function lexQuoted(
  sql: string,
  start: number,
  quoteAt: number,
  prefix: string,
  out: Token[],
): number {
  const escapes = prefix === "E";
  let end = scanQuoted(sql, quoteAt + 1, 39, escapes, start);
  let raw = sql.slice(quoteAt + 1, end - 1);
  for (;;) { // 'a'\n'b' is one constant 'ab' when the gap holds a newline
    let j = end;
    let newline = false;
    while (j < sql.length && isSpace(sql.charCodeAt(j))) {
      if (sql.charCodeAt(j) === 10 || sql.charCodeAt(j) === 13) newline = true;
      j++;
    }
    if (!newline || sql.charCodeAt(j) !== 39) break;
    const next = scanQuoted(sql, j + 1, 39, escapes, j);
    raw += sql.slice(j + 1, next - 1);
    end = next;
  }
  out.push({ kind: "string", value: decodeString(raw, prefix, start), start, end, prefix });
  return end;
}

function decodeString(raw: string, prefix: string, at: number): string {
  const text = unescapeDoubled(raw, "'");
  switch (prefix) {
    case "E":
      return decodeEscapes(raw, at);
    case "U":
      return text.replace(
        /\\(\\|[0-9a-fA-F]{4}|\+[0-9a-fA-F]{6})/g,
        (_m, g: string) =>
          g === "\\" ? "\\" : String.fromCodePoint(parseInt(g.replace("+", ""), 16)),
      );
    case "B":
      if (!/^[01]*$/.test(text)) throw syntaxError(`"${text}" is not a valid binary digit`, at);
      return text;
    case "X":
      if (!/^[0-9a-fA-F]*$/.test(text)) {
        throw syntaxError(`"${text}" is not a valid hexadecimal digit`, at);
      }
      return [...text].map((h) => parseInt(h, 16).toString(2).padStart(4, "0")).join("");
    default:
      return text;
  }
}

const SIMPLE_ESCAPES: Record<string, string> = {
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
};

/** Decodes the body of an E'' string: backslash escapes and doubled quotes. */
function decodeEscapes(raw: string, at: number): string {
  let out = "";
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i]!;
    if (ch === "'") {
      out += "'";
      i++; // doubled quote
      continue;
    }
    if (ch !== "\\") {
      out += ch;
      continue;
    }
    const e = raw[++i] ?? "";
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) out += simple;
    else if (e >= "0" && e <= "7") {
      const m = /^[0-7]{1,3}/.exec(raw.slice(i))![0];
      out += String.fromCharCode(parseInt(m, 8) & 0xff);
      i += m.length - 1;
    } else if (e === "x" && /^[0-9a-fA-F]/.test(raw[i + 1] ?? "")) {
      const m = /^[0-9a-fA-F]{1,2}/.exec(raw.slice(i + 1))![0];
      out += String.fromCharCode(parseInt(m, 16));
      i += m.length;
    } else if (e === "u" || e === "U") {
      const len = e === "u" ? 4 : 8;
      const hex = raw.slice(i + 1, i + 1 + len);
      if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) {
        throw syntaxError("invalid Unicode escape", at);
      }
      out += String.fromCodePoint(parseInt(hex, 16));
      i += len;
    } else out += e;
  }
  return out;
}

function lexWord(sql: string, start: number, out: Token[]): number {
  const c = sql.charCodeAt(start);
  const next = sql.charCodeAt(start + 1);
  if (next === 39) { // prefixed string: E'..', B'..', X'..', N'..'
    const p = String.fromCharCode(c).toUpperCase();
    if (p === "E" || p === "B" || p === "X" || p === "N") {
      return lexQuoted(sql, start, start + 1, p === "N" ? "N" : p, out);
    }
  }
  if ((c === 85 || c === 117) && next === 38 && sql.charCodeAt(start + 2) === 39) { // U&'
    return lexQuoted(sql, start, start + 2, "U", out);
  }
  let i = start + 1;
  while (i < sql.length && isIdentChar(sql.charCodeAt(i))) i++;
  out.push({ kind: "ident", value: foldIdentifier(sql.slice(start, i)), start, end: i });
  return i;
}

/** Lower-cases ASCII letters only, as PostgreSQL does for multi-byte encodings. */
function foldIdentifier(word: string): string {
  for (let k = 0; k < word.length; k++) {
    if (word.charCodeAt(k) >= 128) return word.replace(/[A-Z]+/g, (m) => m.toLowerCase());
  }
  return word.toLowerCase();
}

function lexNumber(sql: string, start: number, out: Token[]): number {
  let i = start;
  const n = sql.length;
  let kind: TokenKind = "int";
  // PostgreSQL 15 lexes "1a" as "1" then "a" (an alias), so no junk check here.
  while (i < n && isDigit(sql.charCodeAt(i))) i++;
  // "1..2" is not a number followed by a point: PostgreSQL stops before ".."
  if (sql.charCodeAt(i) === 46 && sql.charCodeAt(i + 1) !== 46) {
    kind = "num";
    i++;
    while (i < n && isDigit(sql.charCodeAt(i))) i++;
  }
  const e = sql.charCodeAt(i);
  if (e === 101 || e === 69) {
    let j = i + 1;
    const s = sql.charCodeAt(j);
    if (s === 43 || s === 45) j++;
    if (isDigit(sql.charCodeAt(j))) {
      kind = "num";
      i = j;
      while (i < n && isDigit(sql.charCodeAt(i))) i++;
    }
  }
  out.push({ kind, value: sql.slice(start, i), start, end: i });
  return i;
}

function lexDollar(sql: string, start: number, out: Token[]): number {
  let i = start + 1;
  if (isDigit(sql.charCodeAt(i))) {
    while (isDigit(sql.charCodeAt(i))) i++;
    out.push({ kind: "param", value: sql.slice(start + 1, i), start, end: i });
    return i;
  }
  while (i < sql.length && isIdentChar(sql.charCodeAt(i)) && sql.charCodeAt(i) !== 36) i++;
  if (sql.charCodeAt(i) !== 36) throw syntaxError(`syntax error at or near "$"`, start);
  const tag = sql.slice(start, i + 1);
  const bodyStart = i + 1;
  const close = sql.indexOf(tag, bodyStart);
  if (close < 0) throw syntaxError("unterminated dollar-quoted string", start);
  const end = close + tag.length;
  out.push({ kind: "string", value: sql.slice(bodyStart, close), start, end, prefix: "$" });
  return end;
}

/** Applies PostgreSQL's operator rules: stop before a comment start, trim a trailing +/-. */
function lexOperator(sql: string, start: number, out: Token[]): number {
  let i = start;
  while (i < sql.length && isOpChar(sql.charCodeAt(i))) {
    const c = sql.charCodeAt(i);
    const c2 = sql.charCodeAt(i + 1);
    if (i > start && ((c === 45 && c2 === 45) || (c === 47 && c2 === 42))) break;
    i++;
  }
  let text = sql.slice(start, i);
  if (text.length > 1 && ![...text].some((ch) => OP_SPECIAL.indexOf(ch) >= 0)) {
    while (text.length > 1 && (text.endsWith("+") || text.endsWith("-"))) text = text.slice(0, -1);
  }
  out.push({ kind: "op", value: text, start, end: start + text.length });
  return start + text.length;
}
