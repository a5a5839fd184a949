/**
 * SQL/JSON path language parser (PostgreSQL 15's jsonpath): lax/strict mode,
 * accessors (`.key`, `."key"`, `.*`, `.**{m to n}`, `[*]`, `[n]`, `[n to m]`,
 * `[last]`), filters `? (...)`, arithmetic, comparisons, `&&` `||` `!`,
 * `exists (...)`, `like_regex`, `starts with`, `is unknown`, variables
 * `$name` and item methods. Pure: text in, a `kind`-tagged tree out.
 * @module
 */
import { DbError } from "../../common/errors.ts";
import { numericFromString } from "../../common/numeric.ts";
import type { JsonData } from "../../common/jsonb.ts";

/** A jsonpath expression node. */
export type JpNode =
  | { readonly kind: "root" }
  | { readonly kind: "current" }
  | { readonly kind: "last" }
  | { readonly kind: "var"; readonly name: string }
  | { readonly kind: "literal"; readonly value: JsonData }
  | { readonly kind: "path"; readonly base: JpNode; readonly steps: readonly JpStep[] }
  | { readonly kind: "arith"; readonly op: string; readonly left: JpNode; readonly right: JpNode }
  | { readonly kind: "unary"; readonly op: "+" | "-"; readonly arg: JpNode }
  | { readonly kind: "compare"; readonly op: string; readonly left: JpNode; readonly right: JpNode }
  | { readonly kind: "and" | "or"; readonly left: JpNode; readonly right: JpNode }
  | { readonly kind: "not" | "exists" | "is_unknown"; readonly arg: JpNode }
  | {
    readonly kind: "like_regex";
    readonly arg: JpNode;
    readonly pattern: string;
    readonly flags: string;
  }
  | { readonly kind: "starts_with"; readonly arg: JpNode; readonly prefix: JpNode };

/** One accessor applied to each item of a path's sequence. */
export type JpStep =
  | { readonly kind: "key"; readonly name: string }
  | { readonly kind: "any_key" }
  | { readonly kind: "any_depth"; readonly from: number; readonly to: number }
  | { readonly kind: "any_index" }
  | {
    readonly kind: "index";
    readonly subs: readonly { readonly from: JpNode; readonly to: JpNode | null }[];
  }
  | { readonly kind: "filter"; readonly pred: JpNode }
  | { readonly kind: "method"; readonly name: string };

/** A parsed jsonpath: its mode and expression. */
export interface JsonPath {
  readonly strict: boolean;
  readonly expr: JpNode;
}

/** Item methods this implementation knows. */
const METHODS = new Set(["size", "type", "double", "abs", "floor", "ceiling", "keyvalue"]);

interface Tok {
  readonly t: "num" | "str" | "word" | "var" | "op" | "end";
  readonly v: string;
}

const OPS = ["==", "!=", "<>", "<=", ">=", "&&", "||", "**", "$", "@", ".", "[", "]", "(", ")"]
  .concat(["{", "}", ",", "?", "*", "+", "-", "/", "%", "<", ">", "!"]);

function syntaxError(near: Tok): DbError {
  if (near.t === "end") return new DbError("42601", "syntax error at end of jsonpath input");
  return new DbError("42601", `syntax error at or near "${near.v}" of jsonpath input`);
}

const ESCAPES: Record<string, string> = {
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
};

function readString(s: string, start: number): [string, number] {
  let out = "";
  let i = start + 1;
  while (i < s.length && s[i] !== '"') {
    if (s[i] === "\\") {
      const c = s[i + 1] ?? "";
      if (c === "u") {
        const hex = s[i + 2] === "{" ? s.slice(i + 3, s.indexOf("}", i)) : s.slice(i + 2, i + 6);
        out += String.fromCodePoint(parseInt(hex, 16));
        i += s[i + 2] === "{" ? hex.length + 4 : 6;
        continue;
      }
      out += ESCAPES[c] ?? c;
      i += 2;
    } else out += s[i++];
  }
  if (i >= s.length) throw new DbError("42601", "unterminated quoted string in jsonpath input");
  return [out, i + 1];
}

/** Splits jsonpath text into tokens. @throws {DbError} 42601 */
function tokenize(s: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '"') {
      const [v, next] = readString(s, i);
      out.push({ t: "str", v });
      i = next;
    } else if (/[0-9]/.test(c) || (c === "." && /[0-9]/.test(s[i + 1] ?? ""))) {
      const m = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(s.slice(i))!;
      let text = m[0];
      // `1.a` / `$[1.type()]`: the dot belongs to an accessor.
      if (text.endsWith(".") && /[A-Za-z_]/.test(s[i + text.length] ?? "")) {
        text = text.slice(0, -1);
      }
      out.push({ t: "num", v: text });
      i += text.length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(i))!;
      out.push({ t: "word", v: m[0] });
      i += m[0].length;
    } else if (c === "$" && s[i + 1] === '"') {
      const [v, next] = readString(s, i + 1);
      out.push({ t: "var", v });
      i = next;
    } else if (c === "$" && /[A-Za-z_0-9]/.test(s[i + 1] ?? "")) {
      const m = /^[A-Za-z_0-9]+/.exec(s.slice(i + 1))!;
      out.push({ t: "var", v: m[0] });
      i += m[0].length + 1;
    } else {
      const op = OPS.find((o) => s.startsWith(o, i));
      if (op === undefined) throw syntaxError({ t: "op", v: c });
      out.push({ t: "op", v: op });
      i += op.length;
    }
  }
  out.push({ t: "end", v: "" });
  return out;
}

/** Parses jsonpath text. @throws {DbError} 42601 syntax error ... of jsonpath input */
export function parseJsonPath(text: string): JsonPath {
  const p = new Parser(tokenize(text));
  let strict = false;
  if (p.isWord("strict") || p.isWord("lax")) {
    strict = p.next().v === "strict";
  }
  const expr = p.expr();
  if (p.peek().t !== "end") throw syntaxError(p.peek());
  return { strict, expr };
}

class Parser {
  private i = 0;
  constructor(private readonly toks: readonly Tok[]) {}

  peek(k = 0): Tok {
    return this.toks[Math.min(this.i + k, this.toks.length - 1)]!;
  }
  next(): Tok {
    const t = this.peek();
    if (t.t !== "end") this.i++;
    return t;
  }
  isOp(v: string, k = 0): boolean {
    const t = this.peek(k);
    return t.t === "op" && t.v === v;
  }
  isWord(v: string, k = 0): boolean {
    const t = this.peek(k);
    return t.t === "word" && t.v === v;
  }
  expect(v: string): void {
    if (!this.isOp(v)) throw syntaxError(this.peek());
    this.i++;
  }

  expr(): JpNode {
    let left = this.and();
    while (this.isOp("||")) {
      this.next();
      left = { kind: "or", left, right: this.and() };
    }
    return left;
  }
  private and(): JpNode {
    let left = this.not();
    while (this.isOp("&&")) {
      this.next();
      left = { kind: "and", left, right: this.not() };
    }
    return left;
  }
  private not(): JpNode {
    if (this.isOp("!")) {
      this.next();
      this.expect("(");
      const arg = this.expr();
      this.expect(")");
      return { kind: "not", arg };
    }
    return this.predicate();
  }
  private predicate(): JpNode {
    if (this.isWord("exists") && this.isOp("(", 1)) {
      this.next();
      this.next();
      const arg = this.expr();
      this.expect(")");
      return { kind: "exists", arg };
    }
    const left = this.additive();
    const t = this.peek();
    if (t.t === "op" && ["==", "!=", "<>", "<", "<=", ">", ">="].includes(t.v)) {
      this.next();
      const op = t.v === "<>" ? "!=" : t.v;
      return { kind: "compare", op, left, right: this.additive() };
    }
    if (this.isWord("like_regex")) {
      this.next();
      const pat = this.next();
      if (pat.t !== "str") throw syntaxError(pat);
      let flags = "";
      if (this.isWord("flag")) {
        this.next();
        const f = this.next();
        if (f.t !== "str") throw syntaxError(f);
        flags = f.v;
      }
      return { kind: "like_regex", arg: left, pattern: pat.v, flags };
    }
    if (this.isWord("starts") && this.isWord("with", 1)) {
      this.next();
      this.next();
      const t2 = this.next();
      if (t2.t === "str") return { kind: "starts_with", arg: left, prefix: lit(t2.v) };
      if (t2.t === "var") return { kind: "starts_with", arg: left, prefix: jpVar(t2.v) };
      throw syntaxError(t2);
    }
    if (this.isWord("is") && this.isWord("unknown", 1)) {
      this.next();
      this.next();
      return { kind: "is_unknown", arg: left };
    }
    return left;
  }
  private additive(): JpNode {
    let left = this.multiplicative();
    while (this.isOp("+") || this.isOp("-")) {
      const op = this.next().v;
      left = { kind: "arith", op, left, right: this.multiplicative() };
    }
    return left;
  }
  private multiplicative(): JpNode {
    let left = this.unary();
    while (this.isOp("*") || this.isOp("/") || this.isOp("%")) {
      const op = this.next().v;
      left = { kind: "arith", op, left, right: this.unary() };
    }
    return left;
  }
  private unary(): JpNode {
    if (this.isOp("+") || this.isOp("-")) {
      const op = this.next().v as "+" | "-";
      return { kind: "unary", op, arg: this.unary() };
    }
    return this.accessorChain();
  }
  private accessorChain(): JpNode {
    const base = this.primary();
    const steps: JpStep[] = [];
    for (;;) {
      const s = this.step();
      if (s === null) break;
      steps.push(s);
    }
    return steps.length === 0 ? base : { kind: "path", base, steps };
  }
  private primary(): JpNode {
    const t = this.next();
    switch (t.t) {
      case "num":
        return lit(numericFromString(t.v));
      case "str":
        return lit(t.v);
      case "var":
        return jpVar(t.v);
      case "word":
        if (t.v === "true" || t.v === "false") return lit(t.v === "true");
        if (t.v === "null") return lit(null);
        if (t.v === "last") return { kind: "last" };
        throw syntaxError(t);
      case "op":
        if (t.v === "$") return { kind: "root" };
        if (t.v === "@") return { kind: "current" };
        if (t.v === "(") {
          const e = this.expr();
          this.expect(")");
          return e;
        }
        throw syntaxError(t);
      default:
        throw syntaxError(t);
    }
  }
  private step(): JpStep | null {
    if (this.isOp("?") && this.isOp("(", 1)) {
      this.next();
      this.next();
      const pred = this.expr();
      this.expect(")");
      return { kind: "filter", pred };
    }
    if (this.isOp("[")) return this.subscripts();
    if (!this.isOp(".")) return null;
    this.next();
    const t = this.next();
    if (t.t === "op" && t.v === "*") return { kind: "any_key" };
    if (t.t === "op" && t.v === "**") return this.anyDepth();
    if (t.t === "str") return { kind: "key", name: t.v };
    if (t.t !== "word") throw syntaxError(t);
    if (this.isOp("(")) {
      if (!METHODS.has(t.v)) throw syntaxError(this.peek());
      this.next();
      this.expect(")");
      return { kind: "method", name: t.v };
    }
    return { kind: "key", name: t.v };
  }
  private anyDepth(): JpStep {
    if (!this.isOp("{")) return { kind: "any_depth", from: 0, to: Infinity };
    this.next();
    const level = (): number => {
      const t = this.next();
      if (t.t === "word" && t.v === "last") return Infinity;
      if (t.t !== "num" || !/^\d+$/.test(t.v)) throw syntaxError(t);
      return Number(t.v);
    };
    const from = level();
    let to = from;
    if (this.isWord("to")) {
      this.next();
      to = level();
    }
    this.expect("}");
    return { kind: "any_depth", from, to };
  }
  private subscripts(): JpStep {
    this.next();
    if (this.isOp("*") && this.isOp("]", 1)) {
      this.next();
      this.next();
      return { kind: "any_index" };
    }
    const subs: { from: JpNode; to: JpNode | null }[] = [];
    for (;;) {
      const from = this.additive();
      let to: JpNode | null = null;
      if (this.isWord("to")) {
        this.next();
        to = this.additive();
      }
      subs.push({ from, to });
      if (this.isOp(",")) {
        this.next();
        continue;
      }
      this.expect("]");
      return { kind: "index", subs };
    }
  }
}

function lit(value: JsonData): JpNode {
  return { kind: "literal", value };
}

function jpVar(name: string): JpNode {
  return { kind: "var", name };
}
