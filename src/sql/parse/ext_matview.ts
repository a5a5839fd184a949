/**
 * Extension rule for CREATE MATERIALIZED VIEW name (columns) AS ...: the
 * grammar takes no column list, so it is cut out and set on the grammar's
 * node as `columnNames`.
 * @module
 */

import type { Cursor } from "./_cursor.ts";
import type { Statement } from "./ext_ast.ts";
import type { Inner } from "./ext_query.ts";

/**
 * CREATE MATERIALIZED VIEW with a column list; null for the grammar otherwise.
 * @param c cursor past CREATE
 */
export function parseCreateMatview(c: Cursor, inner: Inner): Statement | null {
  if (!c.accept("materialized", "view")) return null;
  c.accept("if", "not", "exists");
  c.qname();
  if (!c.isPunct("(")) return null;
  const open = c.pos;
  const columnNames = c.parenNames().map((name) => ({ name }));
  const parsed = inner.tokens([...c.tokens.slice(0, open), ...c.tokens.slice(c.pos)]);
  if ("kind" in parsed || parsed.type !== "create materialized view") throw c.error(c.tokens[0]);
  return { ...parsed, columnNames };
}
