/**
 * Object identities and SQL definitions derived from the catalog: constraint
 * OIDs, `pg_get_indexdef` and `pg_get_constraintdef` text.
 * @module
 */
import type { Catalog, ConstraintDef, IndexDef, RelationDef } from "../catalog/catalog.ts";

/** Constraints have no OID in ThunderDB's catalog: this derives a stable one. */
export function constraintOid(rel: RelationDef, position: number): number {
  return 1_000_000_000 + rel.oid * 64 + position;
}

/** Every constraint with its table and synthesized OID. */
export function allConstraints(
  catalog: Catalog,
): { rel: RelationDef; con: ConstraintDef; oid: number }[] {
  const out: { rel: RelationDef; con: ConstraintDef; oid: number }[] = [];
  for (const rel of catalog.relations.values()) {
    rel.constraints.forEach((con, i) => out.push({ rel, con, oid: constraintOid(rel, i) }));
  }
  return out;
}

/** Quotes an identifier when PostgreSQL would (`quote_ident`). */
export function quoteIdent(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) && !reserved.has(name)
    ? name
    : `"${name.replaceAll('"', '""')}"`;
}

const reserved = new Set(
  ("all analyse analyze and any array as asc asymmetric both case cast check collate column " +
    "constraint create current_catalog current_date current_role current_time current_timestamp " +
    "current_user default deferrable desc distinct do else end except false fetch for foreign " +
    "from grant group having in initially intersect into lateral leading limit localtime " +
    "localtimestamp not null offset on only or order placing primary references returning " +
    "select session_user some symmetric table then to trailing true union unique user using " +
    "variadic when where window with").split(" "),
);

function columnList(rel: RelationDef, positions: readonly number[]): string {
  return positions.map((p) => quoteIdent(rel.columns[p]?.name ?? "?")).join(", ");
}

/** `pg_get_indexdef(oid)`: the CREATE INDEX statement of an index. */
export function indexDefinition(catalog: Catalog, idx: IndexDef, pretty = false): string {
  const rel = catalog.relations.get(idx.table);
  if (!rel) return "";
  const keys = idx.columns.map((p, i) =>
    quoteIdent(rel.columns[p]?.name ?? "?") + (idx.descending[i] ? " DESC" : "")
  ).join(", ");
  const where = idx.predicateSql ? ` WHERE (${idx.predicateSql})` : "";
  return `CREATE ${idx.unique ? "UNIQUE " : ""}INDEX ${quoteIdent(idx.name)} ON ` +
    `${
      pretty ? qualifiedName(catalog, rel.oid) : `${quoteIdent(rel.schema)}.${quoteIdent(rel.name)}`
    }` +
    ` USING ${idx.method ?? "btree"} (${keys})${where}`;
}

function qualifiedName(catalog: Catalog, oid: number): string {
  const rel = catalog.relations.get(oid);
  if (!rel) return "???";
  const name = quoteIdent(rel.name);
  return rel.schema === "public" || rel.schema === "pg_catalog"
    ? name
    : `${quoteIdent(rel.schema)}.${name}`;
}

/** `pg_get_constraintdef(oid)`: a constraint's definition as PostgreSQL prints it. */
export function constraintDefinition(
  catalog: Catalog,
  rel: RelationDef,
  con: ConstraintDef,
): string {
  switch (con.kind) {
    case "primary_key":
      return `PRIMARY KEY (${columnList(rel, con.columns)})`;
    case "unique":
      return `UNIQUE (${columnList(rel, con.columns)})`;
    case "check": {
      const sql = con.sql.trim();
      const wrapped = sql.startsWith("(") && sql.endsWith(")") ? sql : `(${sql})`;
      return `CHECK ${wrapped}`;
    }
    case "foreign_key": {
      const ref = catalog.relations.get(con.refTable);
      let s = `FOREIGN KEY (${columnList(rel, con.columns)}) REFERENCES ` +
        `${qualifiedName(catalog, con.refTable)}(${ref ? columnList(ref, con.refColumns) : ""})`;
      if (con.onUpdate !== "no action") s += ` ON UPDATE ${con.onUpdate.toUpperCase()}`;
      if (con.onDelete !== "no action") s += ` ON DELETE ${con.onDelete.toUpperCase()}`;
      return s;
    }
  }
}

/** Finds a constraint by its synthesized OID. */
export function constraintByOid(
  catalog: Catalog,
  oid: number,
): { rel: RelationDef; con: ConstraintDef } | undefined {
  const relOid = Math.floor((oid - 1_000_000_000) / 64);
  const rel = catalog.relations.get(relOid);
  const con = rel?.constraints[oid - 1_000_000_000 - relOid * 64];
  return rel && con ? { rel, con } : undefined;
}

/**
 * A column default as PostgreSQL deparses it: sequence names in `nextval`
 * carry `::regclass`.
 */
export function defaultExpression(sql: string): string {
  return sql.replace(/nextval\('([^']*)'\)/g, "nextval('$1'::regclass)");
}
