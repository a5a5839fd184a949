/**
 * The table every driver test round-trips parameters through: one column per
 * common PostgreSQL type.
 * @module
 */

/** `CREATE TABLE` for the typed round trip. */
export const typedTableSql = `CREATE TABLE typed (
  id integer PRIMARY KEY,
  b boolean,
  i2 smallint,
  i4 integer,
  i8 bigint,
  f4 real,
  f8 double precision,
  n numeric(20,6),
  by bytea,
  d date,
  ts timestamp,
  tstz timestamptz,
  u uuid,
  t text,
  j jsonb,
  ai integer[],
  at text[]
)`;

/** Column names in order, after `id`. */
export const typedColumns = [
  "b",
  "i2",
  "i4",
  "i8",
  "f4",
  "f8",
  "n",
  "by",
  "d",
  "ts",
  "tstz",
  "u",
  "t",
  "j",
  "ai",
  "at",
] as const;

/** `INSERT INTO typed VALUES ($1, ..., $17)`. */
export const typedInsertSql = `INSERT INTO typed (id, ${typedColumns.join(", ")}) VALUES (${
  Array.from({ length: typedColumns.length + 1 }, (_, i) => `$${i + 1}`).join(", ")
})`;
