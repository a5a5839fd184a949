/**
 * How the SQL catalog describes relations and indexes to the row store
 * (`StoredRelationSpec`, `StoredIndexSpec`), the rows the store hands out,
 * which types the B+tree key codec can index, and how an index spec becomes
 * a `txn/` index definition (key columns, expression keys, predicate).
 * @module
 */
import type { SqlType, TypeId, Value } from "../common/types.ts";
import type { KeyColumn } from "../storage/key_codec.ts";
import type { IndexDef } from "../txn/mod.ts";

/** An index as the SQL catalog describes it. */
export interface StoredIndexSpec {
  readonly oid: number;
  readonly name: string;
  /** Positions of the key columns; -1 for an expression key (see `expressions`). */
  readonly columns: readonly number[];
  /** Expression index: per key, how to compute it (null for a column key). */
  readonly expressions?: readonly (StoredIndexExpr | null)[];
  readonly unique: boolean;
  readonly predicate: ((values: readonly Value[]) => boolean) | null;
  readonly constraintName: string;
  /** Per key column: descending order. */
  readonly descending?: readonly boolean[];
}

/** An expression key of an index (`lower(email)`). */
export interface StoredIndexExpr {
  /** Computes the key from a row of the table. */
  readonly eval: (row: readonly Value[]) => Value;
  /** The key's type. */
  readonly type: SqlType;
  /** Its text in error details. */
  readonly text: string;
  /** Positions of the columns it reads. */
  readonly columns: readonly number[];
}

/** A relation as the SQL catalog describes it. */
export interface StoredRelationSpec {
  readonly oid: number;
  /** Key of the relation's pages (`RelationDef.storage` of the catalog); `oid` when absent. */
  readonly storage?: number;
  readonly name: string;
  readonly columnNames: readonly string[];
  readonly types: readonly SqlType[];
  readonly indexes: readonly StoredIndexSpec[];
}

/** One visible row version. */
export interface StoredRow {
  readonly rowId: number;
  readonly values: Value[];
}

/** One end of a range over an index's leading columns. */
export interface StoredRangeBound {
  readonly value: Value;
  readonly inclusive: boolean;
}

/** Type ids the B+tree key codec encodes. */
const keyableTypes: ReadonlySet<TypeId> = new Set<TypeId>([
  "bool",
  "int2",
  "int4",
  "date",
  "oid",
  "regclass",
  "regtype",
  "regproc",
  "regnamespace",
  "int8",
  "time",
  "timestamp",
  "timestamptz",
  "float4",
  "float8",
  "numeric",
  "text",
  "varchar",
  "bpchar",
  "name",
  "char",
  "bytea",
  "uuid",
] as TypeId[]);

/** True when the B+tree key codec can encode values of `type`. */
export function keyableType(type: SqlType): boolean {
  return keyableTypes.has(typeof type === "string" ? type : type.id);
}

/** The columns an index's keys read: its key columns and its expressions' columns. */
export function readColumns(ix: StoredIndexSpec): readonly number[] {
  if (!ix.expressions) return ix.columns;
  const read = new Set<number>();
  ix.columns.forEach((c, k) => {
    const e = ix.expressions?.[k];
    if (e) { for (const r of e.columns) read.add(r); }
    else read.add(c);
  });
  return [...read].sort((a, b) => a - b);
}

/** The key values of a row in an index, computed from the row. */
export function keyOfSpec(ix: StoredIndexSpec): (row: readonly Value[]) => Value[] {
  const exprs = ix.expressions;
  const columns = ix.columns;
  if (!exprs) return (row) => columns.map((c) => row[c] ?? null);
  return (row) =>
    columns.map((c, k) => {
      const e = exprs[k];
      return e ? e.eval(row) : row[c] ?? null;
    });
}

/** The `txn/` description of a stored index whose B+tree lies at `root`. */
export function indexDef(
  ix: StoredIndexSpec,
  root: number,
  types: readonly SqlType[],
  columnNames: readonly string[],
): IndexDef {
  const expressions = ix.expressions;
  return {
    name: ix.name,
    root,
    columns: readColumns(ix),
    ...(expressions
      ? {
        keyOf: keyOfSpec(ix),
        keyNames: ix.columns.map((c, k) => expressions[k]?.text ?? columnNames[c] ?? "?"),
      }
      : {}),
    keyColumns: types.map((type, k): KeyColumn => ({
      type,
      ...(ix.descending?.[k] ? { descending: true } : {}),
    })),
    unique: ix.unique,
    constraint: ix.constraintName,
    ...(ix.predicate ? { predicate: ix.predicate } : {}),
  };
}
