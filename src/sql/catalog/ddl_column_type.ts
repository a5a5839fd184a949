/**
 * ALTER TABLE ... ALTER COLUMN c [SET DATA] TYPE t [USING expr] against a
 * `CatalogEditor`: the column's new type, recorded in `DdlEffects` so the
 * engine rewrites the stored values (the cast, or USING, of each row).
 * When the old and the new type share the row and index encoding (text-like
 * types among themselves, numeric with any precision, int8 / timestamp /
 * timestamptz / time, the same type with another modifier) rows are
 * rewritten in place; otherwise the table moves to fresh storage
 * (`RelationDef.storage`) and its rows and indexes are written there anew.
 * @module
 */
import type { AlterColumnSetType } from "pgsql-ast-parser";
import { DbError } from "../../common/errors.ts";
import { formatTypeName } from "../../common/value_text.ts";
import { findCast } from "../../exec/functions/cast.ts";
import { quoteIdent } from "../../exec/functions/format_fns.ts";
import type { SqlType, TypeId } from "../../common/types.ts";
import { resolveType, typeName } from "../plan/sql_types.ts";
import type { CatalogEditor, ColumnDef, RelationDef } from "./catalog.ts";
import type { DdlEffects } from "./ddl.ts";
import { dependentsOf } from "./dependencies.ts";

const encodingGroups: readonly (readonly TypeId[])[] = [
  ["text", "varchar", "bpchar", "name"],
  ["numeric"],
  ["int8", "time", "timestamp", "timestamptz"],
];

function sameEncoding(a: SqlType, b: SqlType): boolean {
  if (a.id === "array" || b.id === "array") {
    return a.id === b.id && a.elem !== undefined && b.elem !== undefined &&
      a.elem.id === b.elem.id;
  }
  if (a.id === b.id) return true;
  return encodingGroups.some((g) => g.includes(a.id) && g.includes(b.id));
}

/**
 * The column after `SET DATA TYPE`; the value rewrite goes to `fx.retyped`.
 * @throws {DbError} 42804 when no assignment cast converts the values and there is no USING;
 *   0A000 for a column a view reads, or a generated column whose stored encoding would change
 */
export function setColumnType(
  ed: CatalogEditor,
  rel: RelationDef,
  column: number,
  a: AlterColumnSetType & { using?: string },
  fx: DdlEffects,
): ColumnDef {
  const col = rel.columns[column]!;
  const to = resolveType(a.dataType, ed.base);
  if (a.using === undefined && !findCast(col.type, to, "assignment")) {
    // Without USING the old values must convert by an assignment cast.
    const name = formatTypeName(to);
    const err = new DbError(
      "42804",
      `column "${col.name}" cannot be cast automatically to type ${name}`,
    );
    err.hint = `You might need to specify "USING ${quoteIdent(col.name)}::${name}".`;
    throw err;
  }
  if (dependentsOf(ed.done(), rel).some((d) => d.kind === "view")) {
    const err = new DbError("0A000", "cannot alter type of a column used by a view or rule");
    err.detail = `rule _RETURN on view depends on column "${col.name}"`;
    throw err;
  }
  const rewrite = !sameEncoding(col.type, to);
  if (rewrite && col.generatedSql) {
    throw new DbError(
      "0A000",
      `ALTER COLUMN TYPE from ${typeName(col.type)} to ${typeName(to)} is not supported ` +
        "for a generated column",
    );
  }
  fx.retyped.push({ rel: rel.oid, column, using: a.using ?? null, rewrite });
  return { ...col, type: to };
}
