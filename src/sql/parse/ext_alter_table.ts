/**
 * Extension rule for ALTER TABLE ... ALTER [COLUMN] c [SET DATA] TYPE t
 * USING expr, which the grammar lacks: the USING clauses are cut out, the
 * rest goes to the grammar, and each clause's text is attached to its
 * change's `set type` node as `using` (read by the DDL).
 * @module
 */

import type { AlterTableStatement } from "pgsql-ast-parser";
import type { Cursor } from "./_cursor.ts";
import type { Statement } from "./ext_ast.ts";
import { findTop } from "./ext_query.ts";
import type { Inner } from "./ext_query.ts";
import type { Token } from "./lexer.ts";

/** A `set type` change with the USING expression's source text. */
export interface SetTypeUsing {
  readonly type: "set type";
  readonly using?: string;
}

const isUsing = (t: Token) => t.kind === "ident" && t.value === "using";
const isComma = (t: Token) => t.kind === "punct" && t.value === ",";

/**
 * ALTER TABLE with `TYPE ... USING`; null when the statement has no top-level USING.
 * @throws {DbError} 42601 when the rest is no ALTER TABLE
 */
export function parseAlterTableUsing(c: Cursor, inner: Inner): Statement | null {
  if (!c.isWord("table", 1)) return null;
  let at = findTop(c.tokens, 2, isUsing);
  if (at < 0) return null;
  const kept: Token[] = c.tokens.slice(0, at);
  const usings = new Map<number, string>();
  while (at >= 0) {
    const change = kept.filter((t, i) => i >= 2 && isComma(t) && depthAt(kept, i) === 0).length;
    const end = nextTop(c.tokens, at + 1, isComma);
    if (end === at + 1) throw c.error(c.tokens[end]);
    usings.set(change, c.text(at + 1, end));
    const next = end < c.tokens.length ? findTop(c.tokens, end, isUsing) : -1;
    kept.push(...c.tokens.slice(end, next < 0 ? c.tokens.length : next));
    at = next;
  }
  const parsed = inner.tokens(kept);
  if ("kind" in parsed || parsed.type !== "alter table") throw c.error(c.tokens[0]);
  const changes = (parsed as AlterTableStatement).changes.map((ch, i) => {
    const using = usings.get(i);
    if (using === undefined) return ch;
    if (ch.type !== "alter column" || ch.alter.type !== "set type") throw c.error(c.tokens[0]);
    return { ...ch, alter: { ...ch.alter, using } };
  });
  return { ...parsed, changes };
}

function nextTop(tokens: readonly Token[], from: number, test: (t: Token) => boolean): number {
  const i = findTop(tokens, from, test);
  return i < 0 ? tokens.length : i;
}

function depthAt(tokens: readonly Token[], at: number): number {
  let depth = 0;
  for (let i = 0; i < at; i++) {
    const v = tokens[i]!;
    if (v.kind !== "punct") continue;
    if (v.value === "(" || v.value === "[") depth++;
    else if (v.value === ")" || v.value === "]") depth--;
  }
  return depth;
}
