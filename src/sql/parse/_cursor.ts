/**
 * A cursor over one statement's tokens for the extension layer's
 * recursive-descent rules. Errors point at the offending token like
 * PostgreSQL does (`syntax error at or near "X"`, `... at end of input`).
 * @module
 */

import type { DbError } from "../../common/errors.ts";
import { syntaxError, type Token } from "./lexer.ts";
import type { ExtOption, ExtQName } from "./ext_ast.ts";

/** Reads tokens of one statement taken from `sql`. */
export class Cursor {
  pos = 0;
  constructor(readonly sql: string, readonly tokens: readonly Token[]) {}

  /** The token `k` ahead, or undefined past the end. */
  peek(k = 0): Token | undefined {
    return this.tokens[this.pos + k];
  }
  get atEnd(): boolean {
    return this.pos >= this.tokens.length;
  }
  /** Consumes and returns the next token; fails at the end. */
  next(): Token {
    const t = this.tokens[this.pos];
    if (t === undefined) throw this.error();
    this.pos++;
    return t;
  }
  /** True when the token `k` ahead is the unquoted word `w`. */
  isWord(w: string, k = 0): boolean {
    const t = this.tokens[this.pos + k];
    return t !== undefined && t.kind === "ident" && t.value === w;
  }
  /** True when the token `k` ahead is the punctuation or operator `p`. */
  isPunct(p: string, k = 0): boolean {
    const t = this.tokens[this.pos + k];
    return t !== undefined && (t.kind === "punct" || t.kind === "op") && t.value === p;
  }
  /** Consumes the words if they all come next. */
  accept(...words: string[]): boolean {
    for (let k = 0; k < words.length; k++) if (!this.isWord(words[k]!, k)) return false;
    this.pos += words.length;
    return true;
  }
  acceptPunct(p: string): boolean {
    if (!this.isPunct(p)) return false;
    this.pos++;
    return true;
  }
  expect(...words: string[]): void {
    for (const w of words) {
      if (!this.isWord(w)) throw this.error();
      this.pos++;
    }
  }
  expectPunct(p: string): void {
    if (!this.acceptPunct(p)) throw this.error();
  }
  /** Fails unless every token was consumed. */
  expectEnd(): void {
    if (!this.atEnd) throw this.error();
  }
  /** An identifier (quoted or not). */
  name(): string {
    const t = this.next();
    if (t.kind !== "ident" && t.kind !== "qident") throw this.error(t);
    return t.value;
  }
  /** A possibly qualified name. */
  qname(): ExtQName {
    const first = this.name();
    if (!this.acceptPunct(".")) return { name: first };
    return { schema: first, name: this.name() };
  }
  /** A string constant. */
  string(): string {
    const t = this.next();
    if (t.kind !== "string") throw this.error(t);
    return t.value;
  }
  /** A name, string or number as text (option values, SET values). */
  value(): string {
    const t = this.next();
    if (t.kind === "op" && (t.value === "-" || t.value === "+")) {
      const n = this.next();
      if (n.kind !== "int" && n.kind !== "num") throw this.error(n);
      return t.value === "-" ? "-" + n.value : n.value;
    }
    if (t.kind === "punct" || t.kind === "op" || t.kind === "param") throw this.error(t);
    return t.value;
  }
  /** `name [, name ...]`. */
  nameList(): string[] {
    const out = [this.name()];
    while (this.acceptPunct(",")) out.push(this.name());
    return out;
  }
  /** `(name, ...)`. */
  parenNames(): string[] {
    this.expectPunct("(");
    const out = this.nameList();
    this.expectPunct(")");
    return out;
  }
  /** `OPTIONS (name 'value', ...)` as used by the foreign-data statements. */
  fdwOptions(): ExtOption[] {
    if (!this.accept("options")) return [];
    this.expectPunct("(");
    const out: ExtOption[] = [];
    do {
      const name = this.name();
      out.push({ name, value: this.string() });
    } while (this.acceptPunct(","));
    this.expectPunct(")");
    return out;
  }
  /** Index just past the bracket group opening at token index `i`. */
  groupEnd(i: number): number {
    let depth = 0;
    for (let j = i; j < this.tokens.length; j++) {
      const t = this.tokens[j]!;
      if (t.kind !== "punct") continue;
      if (t.value === "(" || t.value === "[") depth++;
      else if ((t.value === ")" || t.value === "]") && --depth === 0) return j + 1;
    }
    throw this.error();
  }
  /** Source text of tokens `[from, to)`. */
  text(from: number, to = this.tokens.length): string {
    if (to <= from) return "";
    return this.sql.slice(this.tokens[from]!.start, this.tokens[to - 1]!.end);
  }
  /** Start offset in `sql` of token `i` (end of text past the end). */
  offset(i: number): number {
    return this.tokens[i]?.start ?? this.tokens[this.tokens.length - 1]?.end ?? 0;
  }
  /** The syntax error PostgreSQL reports at token `t` (default: the next one). */
  error(t: Token | undefined = this.tokens[this.pos]): DbError {
    if (t === undefined) {
      const last = this.tokens[this.tokens.length - 1];
      return syntaxError("syntax error at end of input", last?.end ?? 0);
    }
    return syntaxError(`syntax error at or near "${this.sql.slice(t.start, t.end)}"`, t.start);
  }
}
