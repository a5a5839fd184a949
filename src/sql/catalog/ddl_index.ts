/**
 * CREATE INDEX (with its access method) and CREATE SEQUENCE against a
 * `CatalogEditor` (see `ddl.ts`).
 * @module
 */
import type { CreateIndexStatement, CreateSequenceStatement, Expr } from "pgsql-ast-parser";
import { DbError } from "../../common/errors.ts";
import { typeName } from "../plan/sql_types.ts";
import type { SqlType } from "../../common/types.ts";
import type { CatalogEditor, IndexExpr, RelationDef, SequenceDef } from "./catalog.ts";

/**
 * Binds an index expression's SQL text against its table (the engine's
 * planner) and returns its type and its text as PostgreSQL prints it.
 * @throws {DbError} 42703, 42883, 0A000, 42P17 when the expression is not indexable
 */
export type KeyTypeOf = (
  rel: RelationDef,
  sql: string,
) => { type: SqlType; text: string; reads: readonly number[]; column: number | null };
import {
  addIndex,
  addSequence,
  columnIndex,
  type DdlEffects,
  type SourceOf,
  uniqueName,
} from "./ddl.ts";

/**
 * Applies CREATE INDEX. A key is a column or an expression over the table's
 * columns (`lower(email)`, `(a + b)`): expression keys keep their SQL text,
 * which the engine binds against the table to compute each row's key.
 * @throws {DbError} 42P07, 42703
 */
export function createIndex(
  ed: CatalogEditor,
  stmt: CreateIndexStatement,
  source: SourceOf,
  fx: DdlEffects,
  keyType: KeyTypeOf,
): void {
  const rel = ed.done().relation(stmt.table.name, stmt.table.schema);
  const keys = stmt.expressions.map((e): { column: number; expr: IndexExpr | null } => {
    if (e.expression.type === "ref") {
      return { column: columnIndex(rel, e.expression.name), expr: null };
    }
    const sql = source(e.expression);
    const { type, text, reads, column } = keyType(rel, sql);
    // `((a))` or a cast to the column's own type is a column key, as in PostgreSQL.
    if (column !== null) return { column, expr: null };
    return { column: -1, expr: { sql, name: keyName(e.expression), type, text, reads } };
  });
  const cols = keys.map((k) => k.column);
  const name = stmt.indexName?.name ??
    uniqueName(
      ed,
      rel.schema,
      `${rel.name}_${keys.map((k) => k.expr?.name ?? rel.columns[k.column]!.name).join("_")}_idx`,
    );
  if (stmt.ifNotExists && ed.done().findIndex(name)) {
    fx.notices.push(`relation "${name}" already exists, skipping`);
    return;
  }
  const method = indexMethod(rel, cols, stmt.using?.name, stmt.unique === true);
  const expressions = keys.some((k) => k.expr !== null) ? keys.map((k) => k.expr) : null;
  addIndex(ed, rel, {
    name,
    columns: cols,
    ...(expressions ? { expressions } : {}),
    descending: stmt.expressions.map((e) => e.order === "desc"),
    unique: stmt.unique === true,
    predicateSql: stmt.where ? source(stmt.where) : null,
    ...(method === "btree" ? {} : { method }),
  }, fx);
}

/**
 * The name PostgreSQL derives for an expression key (in the default index
 * name and as the index column's name): a function's name, a cast's operand's
 * name, else "expr".
 */
function keyName(e: Expr): string {
  if (e.type === "call") return e.function.name;
  if (e.type === "cast") return e.operand.type === "ref" ? e.operand.name : keyName(e.operand);
  return "expr";
}

const INDEX_METHODS = ["btree", "hash", "gin", "gist", "spgist", "brin"];

/**
 * Checks an index access method as PostgreSQL does (unique B-trees only, GIN
 * over arrays and jsonb, one column for hash).
 * @throws {DbError} 42704 unknown method or no operator class, 0A000
 */
function indexMethod(
  rel: RelationDef,
  cols: readonly number[],
  using: string | undefined,
  unique: boolean,
): string {
  const method = (using ?? "btree").toLowerCase();
  if (!INDEX_METHODS.includes(method)) {
    throw new DbError("42704", `access method "${method}" does not exist`);
  }
  if (unique && method !== "btree") {
    throw new DbError("0A000", `access method "${method}" does not support unique indexes`);
  }
  if (method === "hash" && cols.length > 1) {
    throw new DbError("0A000", `access method "hash" does not support multicolumn indexes`);
  }
  if (method === "gin") {
    for (const i of cols) {
      const t = rel.columns[i]?.type;
      if (t === undefined) continue;
      if (t.id !== "array" && t.id !== "jsonb") {
        const err = new DbError(
          "42704",
          `data type ${typeName(t)} has no default operator class for access method "gin"`,
        );
        err.hint =
          "You must specify an operator class for the index or define a default operator class for the data type.";
        throw err;
      }
    }
  }
  return method;
}

/** Applies CREATE SEQUENCE. @throws {DbError} 42P07 */
export function createSequence(
  ed: CatalogEditor,
  stmt: CreateSequenceStatement,
  fx: DdlEffects,
): void {
  const schema = stmt.name.schema ?? "public";
  if (stmt.ifNotExists && ed.done().findSequence(stmt.name.name, schema)) return;
  const o = stmt.options;
  const big = (v: number | string | undefined) => (typeof v === "number" ? BigInt(v) : undefined);
  const opts: Partial<SequenceDef> = {};
  const inc = big(o.incrementBy);
  if (inc !== undefined) {
    if (inc === 0n) throw new DbError("22023", "INCREMENT must not be zero");
    (opts as { increment?: bigint }).increment = inc;
  }
  const min = big(o.minValue as number | undefined);
  if (min !== undefined) (opts as { min?: bigint }).min = min;
  const max = big(o.maxValue as number | undefined);
  if (max !== undefined) (opts as { max?: bigint }).max = max;
  const start = big(o.startWith);
  if (start !== undefined) (opts as { start?: bigint }).start = start;
  if (o.cycle === "cycle") (opts as { cycle?: boolean }).cycle = true;
  const owner = o.ownedBy;
  if (owner && owner !== "none") {
    const rel = ed.done().relation(owner.table, owner.schema);
    const column = columnIndex(rel, owner.column);
    (opts as { ownedBy?: SequenceDef["ownedBy"] }).ownedBy = { table: rel.oid, column };
  }
  addSequence(ed, schema, stmt.name.name, fx, opts);
}
