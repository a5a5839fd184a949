/**
 * Renaming a column inside stored expression text (index expressions and
 * partial-index predicates keep SQL over the table's column names).
 * @module
 */
import { lex } from "../parse/lexer.ts";
import type { CatalogEditor, IndexDef, RelationDef } from "./catalog.ts";

/**
 * `sql` with every reference to column `from` renamed to `to`. A name
 * followed by `(` is a function and one after `.` or `::` is qualified or a
 * type, so they stay.
 */
export function renameColumnRefs(sql: string, from: string, to: string): string {
  const tokens = lex(sql);
  let out = "";
  let at = 0;
  tokens.forEach((t, i) => {
    if ((t.kind !== "ident" && t.kind !== "qident") || t.value !== from) return;
    const next = tokens[i + 1];
    const prev = tokens[i - 1];
    if (next?.value === "(" || prev?.value === "." || prev?.value === "::") return;
    out += sql.slice(at, t.start) + quoteName(to);
    at = t.end;
  });
  return out + sql.slice(at);
}

function quoteName(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replaceAll('"', '""')}"`;
}

/** Renames a column in the stored expressions and predicates of a table's indexes. */
export function renameInIndexes(
  ed: CatalogEditor,
  rel: RelationDef,
  from: string,
  to: string,
): void {
  for (const oid of rel.indexes) {
    const idx = ed.indexes.get(oid);
    if (!idx || (!idx.expressions && idx.predicateSql === null)) continue;
    const next: IndexDef = {
      ...idx,
      ...(idx.expressions
        ? {
          expressions: idx.expressions.map((e) =>
            e && {
              ...e,
              sql: renameColumnRefs(e.sql, from, to),
              text: renameColumnRefs(e.text, from, to),
            }
          ),
        }
        : {}),
      predicateSql: idx.predicateSql === null ? null : renameColumnRefs(idx.predicateSql, from, to),
    };
    ed.indexes.set(oid, next);
  }
}
