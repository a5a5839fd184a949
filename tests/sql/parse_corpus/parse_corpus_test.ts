/**
 * Corpus test: every statement in the `*.sql` files of this folder must parse
 * through `parseSql` (and through the statement cache, which parses the
 * normalized text) into exactly one statement of the kind its header names.
 * A statement starts with a line `-- kind: <kind>`; other comments are SQL
 * comments and are skipped by the lexer.
 * @module
 */

import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { parseSql, StatementCache, statementKind } from "../../../src/sql/parse/mod.ts";

interface Case {
  readonly file: string;
  readonly line: number;
  readonly kind: string;
  readonly sql: string;
}

function loadCases(): Case[] {
  const dir = new URL(".", import.meta.url);
  const cases: Case[] = [];
  const files = [...Deno.readDirSync(dir)].filter((e) => e.name.endsWith(".sql")).map((e) => e.name)
    .sort();
  for (const file of files) {
    const lines = Deno.readTextFileSync(new URL(file, dir)).split("\n");
    let current: { kind: string; line: number; body: string[] } | null = null;
    const flush = () => {
      if (current !== null) {
        cases.push({ file, line: current.line, kind: current.kind, sql: current.body.join("\n") });
      }
    };
    lines.forEach((text, i) => {
      const m = /^-- kind: (.+?)\s*$/.exec(text);
      if (m !== null) {
        flush();
        current = { kind: m[1]!, line: i + 1, body: [] };
      } else if (current !== null) current.body.push(text);
    });
    flush();
  }
  return cases;
}

const cases = loadCases();

Deno.test("corpus holds at least 300 statements", () => {
  if (cases.length < 300) throw new Error(`Only ${cases.length} statements in the corpus`);
});

Deno.test("every corpus statement parses into its expected kind", () => {
  const failures: string[] = [];
  for (const c of cases) {
    try {
      const parsed = parseSql(c.sql);
      assertEquals(parsed.length, 1, "statement count");
      assertEquals(statementKind(parsed[0]!.ast), c.kind);
    } catch (e) {
      failures.push(
        `${c.file}:${c.line}: ${(e as Error).message.split("\n")[0]} in: ${
          c.sql.trim().slice(0, 60)
        }`,
      );
    }
  }
  assertEquals(failures, []);
});

Deno.test("every corpus statement parses through the statement cache with the same kind", () => {
  const cache = new StatementCache();
  const failures: string[] = [];
  for (const c of cases) {
    try {
      const [first] = cache.lookup(c.sql);
      assertEquals(statementKind(first!.entry.ast), c.kind);
      const again = cache.lookup(c.sql)[0]!;
      assertEquals(again.hit, true, "second lookup hits");
      assertEquals(again.params, first!.params);
    } catch (e) {
      failures.push(
        `${c.file}:${c.line}: ${(e as Error).message.split("\n")[0]} in: ${
          c.sql.trim().slice(0, 60)
        }`,
      );
    }
  }
  assertEquals(failures, []);
});
