/**
 * Domains against a `CatalogEditor`: CREATE DOMAIN keeps the body text; a
 * column declared with a domain gets the base type and the domain's DEFAULT,
 * NOT NULL and CHECK constraints (VALUE read as the column), and remembers
 * the domain's name. DROP DOMAIN refuses while columns use it.
 * @module
 */
import type { CreateColumnDef, Expr } from "pgsql-ast-parser";
import { DbError } from "../../common/errors.ts";
import type { ExtQName } from "../parse/ext_ast.ts";
import type { CreateDomain } from "../parse/ext_domain.ts";
import { parseSql } from "../parse/parse_sql.ts";
import type { Catalog, CatalogEditor, DomainDef } from "./catalog.ts";
import { type DdlEffects, exists, type SourceOf } from "./ddl.ts";

/** A parsed DROP DOMAIN (the parser port's node). */
export interface DropDomain {
  readonly type: "drop domain";
  readonly names: readonly ExtQName[];
  readonly ifExists: boolean;
  readonly cascade: boolean;
}

function findDomain(cat: Catalog, name: string, schema?: string): DomainDef | undefined {
  for (const d of cat.domains.values()) {
    if (d.name === name && d.schema === (schema ?? "public")) return d;
  }
  return undefined;
}

/**
 * Applies CREATE DOMAIN.
 * @throws {DbError} 42710 when a domain of that name exists, 3F000
 */
export function createDomain(ed: CatalogEditor, stmt: CreateDomain): void {
  const schema = stmt.name.schema ?? "public";
  if (!ed.schemas.has(schema)) throw new DbError("3F000", `schema "${schema}" does not exist`);
  if (findDomain(ed.done(), stmt.name.name, schema)) {
    throw new DbError("42710", `type "${stmt.name.name}" already exists`);
  }
  if (ed.done().nameTaken(stmt.name.name, schema)) throw exists("relation", stmt.name.name);
  const oid = ed.oid();
  ed.domains.set(oid, { oid, schema, name: stmt.name.name, body: stmt.body });
}

/**
 * Applies DROP DOMAIN.
 * @throws {DbError} 42704, 2BP01 while a column uses the domain
 */
export function dropDomain(ed: CatalogEditor, stmt: DropDomain, fx: DdlEffects): void {
  for (const n of stmt.names) {
    const d = findDomain(ed.done(), n.name, n.schema);
    if (!d) {
      if (stmt.ifExists) {
        fx.notices.push(`type "${n.name}" does not exist, skipping`);
        continue;
      }
      throw new DbError("42704", `type "${n.name}" does not exist`);
    }
    const users = [...ed.relations.values()].flatMap((r) =>
      r.columns.filter((c) => c.domain === d.name && !c.dropped).map((c) =>
        `column ${c.name} of table ${r.name} depends on type ${d.name}`
      )
    );
    if (users.length > 0) {
      const err = new DbError(
        stmt.cascade ? "0A000" : "2BP01",
        stmt.cascade
          ? `DROP DOMAIN ${d.name} CASCADE is not supported while columns use it`
          : `cannot drop type ${d.name} because other objects depend on it`,
      );
      err.detail = users.join("\n");
      if (!stmt.cascade) err.hint = "Use DROP ... CASCADE to drop the dependent objects too.";
      throw err;
    }
    ed.domains.delete(d.oid);
  }
}

/**
 * The column definition a domain gives column `d` (base type and the
 * domain's constraints with VALUE as the column), with the source reader of
 * its expressions; null when `d`'s type is no domain.
 */
export function domainColumn(
  cat: Catalog,
  d: CreateColumnDef,
): { def: CreateColumnDef; source: SourceOf; domain: string } | null {
  if (d.dataType.kind === "array" || cat.domains.size === 0) return null;
  const dom = findDomain(cat, d.dataType.name, d.dataType.schema);
  if (!dom) return null;
  const col = `"${d.name.name.replaceAll('"', '""')}"`;
  const text = `CREATE TABLE "d" (${col} ${dom.body.replace(/\bvalue\b/gi, col)})`;
  const ast = parseSql(text, { locations: true })[0]?.ast;
  const def = ast && !("kind" in ast) && ast.type === "create table"
    ? ast.columns.find((c): c is CreateColumnDef => c.kind === "column")
    : undefined;
  if (!def) throw new DbError("XX000", `Bad domain definition: ${dom.body}`);
  const source = (e: Expr): string => {
    const loc = e._location;
    if (!loc) throw new DbError("XX000", "Expression without location");
    return text.slice(loc.start, loc.end);
  };
  return { def, source, domain: dom.name };
}
