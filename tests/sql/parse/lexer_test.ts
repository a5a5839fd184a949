import { deepStrictEqual as assertEquals, throws } from "node:assert/strict";
import { lex, type Token } from "../../../src/sql/parse/lexer.ts";
import { DbError } from "../../../src/common/errors.ts";

const kinds = (sql: string) => lex(sql).map((t) => `${t.kind}:${t.value}`);

function syntaxErrorAt(fn: () => unknown, position: number): void {
  throws(
    fn,
    (e: unknown) => e instanceof DbError && e.sqlstate === "42601" && e.position === position,
  );
}

Deno.test("lex() folds unquoted identifiers and keeps quoted ones", () => {
  assertEquals(kinds(`SELECT "MixedCase", Foo, "a""b" FROM t`), [
    "ident:select",
    "qident:MixedCase",
    "punct:,",
    "ident:foo",
    "punct:,",
    'qident:a"b',
    "ident:from",
    "ident:t",
  ]);
});

Deno.test("lex() folds only ASCII letters of identifiers", () => {
  assertEquals(kinds("SELECT Äpfel_X"), ["ident:select", "ident:Äpfel_x"]);
});

Deno.test("lex() reads numbers, params and casts", () => {
  assertEquals(kinds("1 2.5 .5 1e10 3E-2 $1 $12 x::int 1a"), [
    "int:1",
    "num:2.5",
    "num:.5",
    "num:1e10",
    "num:3E-2",
    "param:1",
    "param:12",
    "ident:x",
    "punct:::",
    "ident:int",
    "int:1", // PostgreSQL 15 reads "1a" as 1 followed by the alias a
    "ident:a",
  ]);
});

Deno.test("lex() decodes string forms: doubled quotes, E'' escapes, dollar quotes, bit strings", () => {
  const strings = (sql: string) => lex(sql).map((t: Token) => [t.prefix, t.value]);
  assertEquals(strings(`'it''s' E'a\\nb\\tc\\x41\\101\\u00e9\\''`), [["", "it's"], [
    "E",
    "a\nb\tcAAé'",
  ]]);
  assertEquals(strings("$$a 'b' $x$ c$$ $tag$x$$y$tag$"), [["$", "a 'b' $x$ c"], ["$", "x$$y"]]);
  assertEquals(strings("B'1010' X'1F' N'nat' U&'\\0041\\+000042'"), [
    ["B", "1010"],
    ["X", "00011111"],
    ["N", "nat"],
    ["U", "AB"],
  ]);
  // standard_conforming_strings: backslash is literal in plain strings
  assertEquals(strings("'a\\nb'"), [["", "a\\nb"]]);
});

Deno.test("lex() joins string constants separated by a newline only", () => {
  assertEquals(lex("'a'\n  'b'").map((t) => t.value), ["ab"]);
  assertEquals(lex("'a' 'b'").map((t) => t.value), ["a", "b"]);
});

Deno.test("lex() skips line comments and nested block comments", () => {
  assertEquals(kinds("SELECT /* a /* nested */ still */ 1 -- tail\n, 2"), [
    "ident:select",
    "int:1",
    "punct:,",
    "int:2",
  ]);
});

Deno.test("lex() applies PostgreSQL operator rules", () => {
  assertEquals(kinds("a<->b a<=>b a<#>b a=-1 a->>'k' a @> b a--c\n"), [
    "ident:a",
    "op:<->",
    "ident:b",
    "ident:a",
    "op:<=>",
    "ident:b",
    "ident:a",
    "op:<#>",
    "ident:b",
    "ident:a",
    "op:=",
    "op:-",
    "int:1",
    "ident:a",
    "op:->>",
    "string:k",
    "ident:a",
    "op:@>",
    "ident:b",
    "ident:a",
  ]);
});

Deno.test("lex() keeps source spans", () => {
  const [a, b] = lex("  foo  'bar'");
  assertEquals([a!.start, a!.end, b!.start, b!.end], [2, 5, 7, 12]);
});

Deno.test("lex() reports unterminated tokens with their position", () => {
  syntaxErrorAt(() => lex("SELECT 'abc"), 8);
  syntaxErrorAt(() => lex('SELECT "abc'), 8);
  syntaxErrorAt(() => lex("SELECT $$abc"), 8);
  syntaxErrorAt(() => lex("SELECT 1 /* open /* nested */"), 10);
});
