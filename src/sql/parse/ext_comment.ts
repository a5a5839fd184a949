/**
 * Extension rule for COMMENT ON: the grammar knows a few object kinds and no
 * `IS NULL`. The result has the grammar's `comment` node shape (`CommentOn`),
 * with `comment` null for IS NULL and more object kinds.
 * @module
 */

import type { Statement as GrammarStatement } from "pgsql-ast-parser";
import type { Cursor } from "./_cursor.ts";
import type { ExtQName, Statement } from "./ext_ast.ts";

/** Object kinds COMMENT ON names by a (qualified) name. */
const NAMED = [
  "table",
  "view",
  "index",
  "sequence",
  "schema",
  "type",
  "domain",
  "database",
  "extension",
  "role",
  "foreign table",
  "materialized view",
] as const;

/** A parsed COMMENT ON. */
export interface CommentOn {
  readonly type: "comment";
  /** The comment, null for IS NULL. */
  readonly comment: string | null;
  readonly on:
    | { readonly type: (typeof NAMED)[number]; readonly name: ExtQName }
    | {
      readonly type: "column";
      readonly column: {
        readonly table: string;
        readonly column: string;
        readonly schema?: string;
      };
    }
    | { readonly type: "constraint" | "trigger"; readonly name: ExtQName; readonly table: ExtQName }
    | { readonly type: "function" | "procedure" | "other"; readonly name: ExtQName };
}

/**
 * COMMENT ON object IS 'text' | NULL.
 * @throws {DbError} 42601
 */
export function parseComment(c: Cursor): Statement {
  c.pos = 1;
  c.expect("on");
  let on: CommentOn["on"];
  const kind = NAMED.find((k) => k.split(" ").every((w, i) => c.isWord(w, i)));
  if (kind) {
    c.pos += kind.split(" ").length;
    on = { type: kind, name: c.qname() };
  } else if (c.accept("column")) {
    const parts = [c.name()];
    while (c.acceptPunct(".")) parts.push(c.name());
    if (parts.length < 2 || parts.length > 3) throw c.error(c.tokens[c.pos - 1]);
    const column = parts.length === 3
      ? { schema: parts[0]!, table: parts[1]!, column: parts[2]! }
      : { table: parts[0]!, column: parts[1]! };
    on = { type: "column", column };
  } else if (c.isWord("constraint") || c.isWord("trigger")) {
    const type = c.next().value as "constraint" | "trigger";
    const name = c.qname();
    c.expect("on");
    on = { type, name, table: c.qname() };
  } else {
    const type = c.accept("function") ? "function" : c.accept("procedure") ? "procedure" : null;
    if (type === null) throw c.error();
    const name = c.qname();
    if (c.isPunct("(")) c.pos = c.groupEnd(c.pos);
    on = { type, name };
  }
  c.expect("is");
  const comment = c.accept("null") ? null : c.string();
  c.expectEnd();
  const node: CommentOn = { type: "comment", comment, on };
  return node as unknown as GrammarStatement;
}
