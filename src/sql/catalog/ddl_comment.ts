/**
 * COMMENT ON against a `CatalogEditor`: comments on tables, views, indexes,
 * sequences, columns and schemas live in the catalog (so they are
 * transactional and durable) and are served by pg_description,
 * obj_description and col_description. Other object kinds are accepted and
 * not kept.
 * @module
 */
import { DbError } from "../../common/errors.ts";
import type { CommentOn } from "../parse/ext_comment.ts";
import { type CatalogEditor, commentKey } from "./catalog.ts";

/** pg_class's OID: the classoid of comments on relations and columns. */
export const PG_CLASS_OID = 1259;
/** pg_namespace's OID: the classoid of comments on schemas. */
export const PG_NAMESPACE_OID = 2615;

function missing(name: string): DbError {
  return new DbError("42P01", `relation "${name}" does not exist`);
}

/**
 * Applies COMMENT ON (IS NULL or '' removes the comment).
 * @throws {DbError} 42P01, 42703, 3F000, 42809 when the object is of another kind
 */
export function commentOn(ed: CatalogEditor, stmt: CommentOn): void {
  const cat = ed.done();
  const on = stmt.on;
  let key: string;
  switch (on.type) {
    case "table":
    case "view":
    case "materialized view":
    case "foreign table": {
      const rel = cat.findRelation(on.name.name, on.name.schema);
      if (!rel) throw missing(on.name.name);
      const want = on.type === "view" ? "view" : "table";
      if (rel.kind !== want) throw new DbError("42809", `"${rel.name}" is not a ${want}`);
      key = commentKey(PG_CLASS_OID, rel.oid);
      break;
    }
    case "index": {
      const idx = cat.findIndex(on.name.name);
      if (!idx) throw missing(on.name.name);
      key = commentKey(PG_CLASS_OID, idx.oid);
      break;
    }
    case "sequence": {
      const seq = cat.findSequence(on.name.name, on.name.schema ?? "public");
      if (!seq) throw missing(on.name.name);
      key = commentKey(PG_CLASS_OID, seq.oid);
      break;
    }
    case "schema": {
      const oid = ed.schemas.get(on.name.name);
      if (oid === undefined) {
        throw new DbError("3F000", `schema "${on.name.name}" does not exist`);
      }
      key = commentKey(PG_NAMESPACE_OID, oid);
      break;
    }
    case "column": {
      const c = on.column;
      const rel = cat.findRelation(c.table, c.schema);
      if (!rel) throw missing(c.table);
      const i = rel.columns.findIndex((col) => col.name === c.column && !col.dropped);
      if (i < 0) {
        throw new DbError("42703", `column "${c.column}" of relation "${rel.name}" does not exist`);
      }
      key = commentKey(PG_CLASS_OID, rel.oid, i + 1);
      break;
    }
    default:
      return;
  }
  if (stmt.comment === null || stmt.comment === "") ed.comments.delete(key);
  else ed.comments.set(key, stmt.comment);
}
