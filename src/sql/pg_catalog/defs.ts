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
  const keys = idx.columns.map((_, i) =>
    indexKeyText(rel, idx, i, pretty) + (idx.descending[i] ? " DESC" : "")
  ).join(", ");
  const where = idx.predicateSql ? ` WHERE (${idx.predicateSql})` : "";
  return `CREATE ${idx.unique ? "UNIQUE " : ""}INDEX ${quoteIdent(idx.name)} ON ` +
    `${
      pretty ? qualifiedName(catalog, rel.oid) : `${quoteIdent(rel.schema)}.${quoteIdent(rel.name)}`
    }` +
    ` USING ${idx.method ?? "btree"} (${keys})${where}`;
}

/**
 * Key `k` of an index as `pg_get_indexdef` prints it: a column name, a bare
 * function call, or another expression in parentheses (whose own
 * parentheses the pretty form drops: `(a + b)` against `((a + b))`).
 */
export function indexKeyText(rel: RelationDef, idx: IndexDef, k: number, pretty: boolean): string {
  const expr = idx.expressions?.[k];
  if (!expr) return quoteIdent(rel.columns[idx.columns[k] ?? -1]?.name ?? "?");
  if (looksLikeFunction(expr.text)) return expr.text;
  const wrapped = expr.text.startsWith("(") && closingParen(expr.text, 0) === expr.text.length - 1;
  return pretty && wrapped ? expr.text : `(${expr.text})`;
}

/** True for `name(...)` where the call's parentheses close at the end. */
function looksLikeFunction(text: string): boolean {
  const open = /^[a-z_][a-z0-9_$.]*\(/i.exec(text);
  return open !== null && closingParen(text, open[0].length - 1) === text.length - 1;
}

/** Position of the parenthesis closing the one at `at` (quotes skipped), or -1. */
function closingParen(text: string, at: number): number {
  let depth = 0;
  let quoted = false;
  for (let i = at; i < text.length; i++) {
    const ch = text[i];
    if (ch === "'") quoted = !quoted;
    if (quoted) continue;
    if (ch === "(") depth++;
    else if (ch === ")" && --depth === 0) return i;
  }
  return -1;
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
