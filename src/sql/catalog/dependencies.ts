/**
 * What depends on a relation, for DROP: views whose query reads it (found by
 * parsing the stored view SQL, transitively through views on views) and
 * foreign keys that reference it. DROP without CASCADE refuses with 2BP01
 * (PostgreSQL's message, DETAIL and HINT); with CASCADE the dependent views
 * are dropped and the foreign-key constraints removed.
 * @module
 */
import { DbError } from "../../common/errors.ts";
import { parseSql } from "../parse/parse_sql.ts";
import type { Catalog, RelationDef } from "./catalog.ts";

/** One object that depends on a dropped relation. */
export type Dependent =
  | { readonly kind: "view"; readonly view: RelationDef; readonly on: RelationDef }
  | {
    readonly kind: "foreign_key";
    readonly table: RelationDef;
    readonly constraint: string;
    readonly on: RelationDef;
  };

const referenceCache = new Map<string, readonly { name: string; schema?: string }[]>();

/**
 * The relations a stored view query names (FROM items at any depth).
 * @param sql the view's SELECT text
 * @returns names as parsed (unparsable text names nothing)
 */
export function viewReferences(sql: string): readonly { name: string; schema?: string }[] {
  const cached = referenceCache.get(sql);
  if (cached) return cached;
  const out: { name: string; schema?: string }[] = [];
  const visit = (n: unknown): void => {
    if (typeof n !== "object" || n === null) return;
    if (Array.isArray(n)) return n.forEach(visit);
    const record = n as Record<string, unknown>;
    const name = record.name as { name?: unknown; schema?: unknown } | undefined;
    if (record.type === "table" && typeof name?.name === "string") {
      out.push(
        typeof name.schema === "string"
          ? { name: name.name, schema: name.schema }
          : { name: name.name },
      );
    }
    Object.values(record).forEach(visit);
  };
  try {
    for (const s of parseSql(sql)) visit(s.ast);
  } catch {
    // A view the parser no longer reads depends on nothing it can name.
  }
  if (referenceCache.size > 1000) referenceCache.clear();
  referenceCache.set(sql, out);
  return out;
}

/**
 * Everything that depends on `rel`, views transitively, in discovery order.
 * @param cat the catalog being edited
 */
export function dependentsOf(cat: Catalog, rel: RelationDef): Dependent[] {
  const out: Dependent[] = [];
  const seen = new Set<number>([rel.oid]);
  const queue: RelationDef[] = [rel];
  while (queue.length > 0) {
    const target = queue.shift()!;
    for (const other of cat.relations.values()) {
      if (seen.has(other.oid)) continue;
      if (other.kind === "view" && other.viewSql !== null && readsRelation(cat, other, target)) {
        out.push({ kind: "view", view: other, on: target });
        seen.add(other.oid);
        queue.push(other);
      }
    }
  }
  for (const other of cat.relations.values()) {
    if (other.oid === rel.oid) continue;
    for (const c of other.constraints) {
      if (c.kind === "foreign_key" && c.refTable === rel.oid) {
        out.push({ kind: "foreign_key", table: other, constraint: c.name, on: rel });
      }
    }
  }
  return out;
}

function readsRelation(cat: Catalog, view: RelationDef, target: RelationDef): boolean {
  return viewReferences(view.viewSql!).some((r) =>
    cat.findRelation(r.name, r.schema ?? view.schema)?.oid === target.oid ||
    (r.schema === undefined && cat.findRelation(r.name)?.oid === target.oid)
  );
}

/**
 * The error DROP without CASCADE raises when something depends on `rel`.
 * @returns 2BP01 with PostgreSQL's DETAIL and HINT
 */
export function dependentObjectsError(rel: RelationDef, deps: readonly Dependent[]): DbError {
  const err = new DbError(
    "2BP01",
    `cannot drop ${rel.kind} ${rel.name} because other objects depend on it`,
  );
  err.detail = deps.map(describe).join("\n");
  err.hint = "Use DROP ... CASCADE to drop the dependent objects too.";
  return err;
}

function describe(d: Dependent): string {
  return d.kind === "view"
    ? `view ${d.view.name} depends on ${d.on.kind} ${d.on.name}`
    : `constraint ${d.constraint} on table ${d.table.name} depends on table ${d.on.name}`;
}

/** The NOTICE DROP ... CASCADE gives. */
export function cascadeNotice(deps: readonly Dependent[]): string {
  if (deps.length === 1) {
    const d = deps[0]!;
    return d.kind === "view"
      ? `drop cascades to view ${d.view.name}`
      : `drop cascades to constraint ${d.constraint} on table ${d.table.name}`;
  }
  return `drop cascades to ${deps.length} other objects`;
}
