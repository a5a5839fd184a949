/**
 * Enum types against a `CatalogEditor`: CREATE TYPE ... AS ENUM, ALTER TYPE
 * ADD VALUE / RENAME VALUE and DROP TYPE. A column of an enum type carries
 * the enum (labels in sort order) in its `SqlType`, so ALTER TYPE rewrites
 * those column types too; stored values are the labels, so RENAME VALUE also
 * reports the columns whose rows must be relabelled.
 * @module
 */
import { DbError } from "../../common/errors.ts";
import { enumOf, type EnumType, type SqlType } from "../../common/types.ts";
import type { ExtQName } from "../parse/ext_ast.ts";
import type { AlterEnum, CreateEnum } from "../parse/ext_enum.ts";
import type { Catalog, CatalogEditor, ColumnDef } from "./catalog.ts";
import type { DdlEffects } from "./ddl.ts";
import { type DropDomain, dropDomain } from "./ddl_domain.ts";

/** A parsed DROP TYPE (the grammar's node). */
export interface DropType {
  readonly type: "drop type";
  readonly names: readonly ExtQName[];
  readonly ifExists?: boolean;
  readonly cascade?: "cascade" | "restrict";
}

/** Columns whose rows hold enum labels that RENAME VALUE changes. */
export interface Relabel {
  readonly rel: number;
  readonly columns: readonly number[];
  readonly from: string;
  readonly to: string;
}

function typeExists(name: string): DbError {
  return new DbError("42710", `type "${name}" already exists`);
}

function notLabel(l: string): DbError {
  return new DbError("22023", `"${l}" is not an existing enum label`);
}

/** True when type `t` (or its elements) is enum `oid`. */
export function usesEnum(t: SqlType, oid: number): boolean {
  if (t.id === "array") return t.elem !== undefined && usesEnum(t.elem, oid);
  return t.id === "enum" && t.enumType?.oid === oid;
}

function withEnum(t: SqlType, e: EnumType): SqlType {
  if (t.id === "array" && t.elem) return { ...t, elem: withEnum(t.elem, e) };
  return t.id === "enum" && t.enumType?.oid === e.oid ? enumOf(e) : t;
}

/**
 * Applies CREATE TYPE ... AS ENUM.
 * @throws {DbError} 42710 when a type of that name exists, 23505 for a repeated label, 3F000
 */
export function createEnum(ed: CatalogEditor, stmt: CreateEnum): void {
  const schema = stmt.name.schema ?? "public";
  if (!ed.schemas.has(schema)) throw new DbError("3F000", `schema "${schema}" does not exist`);
  const cat = ed.done();
  const name = stmt.name.name;
  const domain = [...cat.domains.values()].some((d) => d.name === name && d.schema === schema);
  if (cat.findEnum(name, schema) || domain || cat.findRelation(name, schema)) {
    throw typeExists(name);
  }
  const seen = new Set<string>();
  for (const l of stmt.labels) {
    if (seen.has(l)) {
      // PostgreSQL reports the clash through pg_enum's unique index.
      const err = new DbError(
        "23505",
        `duplicate key value violates unique constraint "pg_enum_typid_label_index"`,
      );
      err.detail = `Key (enumtypid, enumlabel)=(${ed.base.nextOid}, ${l}) already exists.`;
      throw err;
    }
    seen.add(l);
  }
  const oid = ed.oid();
  const arrayOid = ed.oid();
  ed.enums.set(oid, { oid, arrayOid, schema, name, labels: stmt.labels });
}

/**
 * Applies ALTER TYPE ... ADD VALUE / RENAME VALUE and retypes the columns
 * using the enum.
 * @param inBlock inside a transaction block: an added label is unusable until commit
 * @returns the columns to relabel (RENAME VALUE), else null
 * @throws {DbError} 42704, 42710 for a label that exists, 22023 for a missing one
 */
export function alterEnum(
  ed: CatalogEditor,
  stmt: AlterEnum,
  fx: DdlEffects,
  inBlock = false,
): Relabel[] | null {
  const e = ed.done().findEnum(stmt.name.name, stmt.name.schema);
  if (!e) throw new DbError("42704", `type "${stmt.name.name}" does not exist`);
  const a = stmt.action;
  const labels = e.labels.slice();
  if (a.kind === "add") {
    if (labels.includes(a.label)) {
      if (!a.ifNotExists) throw new DbError("42710", `enum label "${a.label}" already exists`);
      fx.notices.push(`enum label "${a.label}" already exists, skipping`);
      return null;
    }
    if (a.place) {
      const at = labels.indexOf(a.place.neighbour);
      if (at < 0) throw notLabel(a.place.neighbour);
      labels.splice(a.place.before ? at : at + 1, 0, a.label);
    } else labels.push(a.label);
  } else {
    const at = labels.indexOf(a.from);
    if (at < 0) throw notLabel(a.from);
    if (labels.includes(a.to)) throw new DbError("42710", `enum label "${a.to}" already exists`);
    labels[at] = a.to;
  }
  // In a transaction block an added label stays unusable until commit (in
  // PostgreSQL 15 also for an enum created in the same transaction).
  const pending = a.kind === "add" && inBlock
    ? { uncommitted: [...(e.uncommitted ?? []), a.label] }
    : {};
  const next: EnumType = { ...e, labels, ...pending };
  ed.enums.set(e.oid, next);
  retypeColumns(ed, e, next, a.kind === "rename" ? a : undefined);
  return a.kind === "rename" ? relabelled(ed, e, a) : null;
}

/** Columns of enum `e` take its new definition `next` (RENAME VALUE also renames defaults). */
function retypeColumns(ed: CatalogEditor, e: EnumType, next: EnumType, a?: AlterEnum["action"]) {
  for (const r of ed.relations.values()) {
    if (!r.columns.some((c) => usesEnum(c.type, e.oid))) continue;
    const columns = r.columns.map((c): ColumnDef =>
      usesEnum(c.type, e.oid)
        ? {
          ...c,
          type: withEnum(c.type, next),
          ...(a ? { missing: renamed(c, a), defaultSql: renamedDefault(c.defaultSql, a) } : {}),
        }
        : c
    );
    ed.relations.set(r.oid, { ...r, columns });
  }
}

/**
 * The catalog a committing transaction publishes: labels it added become
 * usable (their `uncommitted` mark goes, in the enums and the column types).
 */
export function commitEnumLabels(catalog: Catalog): Catalog {
  const marked = [...catalog.enums.values()].filter((e) => e.uncommitted !== undefined);
  if (marked.length === 0) return catalog;
  const ed = catalog.edit();
  for (const e of marked) {
    const { uncommitted: _, ...clean } = e;
    ed.enums.set(e.oid, clean);
    retypeColumns(ed, e, clean);
  }
  return ed.done();
}

function relabelled(ed: CatalogEditor, e: EnumType, a: AlterEnum["action"]): Relabel[] {
  const relabel: Relabel[] = [];
  if (a.kind !== "rename") return relabel;
  for (const r of ed.relations.values()) {
    const cols = r.columns.flatMap((c, i) => (usesEnum(c.type, e.oid) && !c.dropped ? [i] : []));
    if (cols.length === 0 || r.kind !== "table") continue;
    relabel.push({ rel: r.oid, columns: cols, from: a.from, to: a.to });
  }
  return relabel;
}

function renamed(c: ColumnDef, a: AlterEnum["action"]): ColumnDef["missing"] {
  return a.kind === "rename" && c.missing === a.from ? a.to : c.missing;
}

/**
 * A column DEFAULT that is a literal of the renamed label, rewritten to the
 * new label (PostgreSQL's stored default refers to the label's row).
 */
function renamedDefault(sql: string | null, a: AlterEnum["action"]): string | null {
  if (sql === null || a.kind !== "rename") return sql;
  const m = /^\s*'((?:[^']|'')*)'(\s*::.*)?$/s.exec(sql);
  if (!m || m[1]!.replaceAll("''", "'") !== a.from) return sql;
  return `'${a.to.replaceAll("'", "''")}'${m[2] ?? ""}`;
}

/** The enum type named `name` in `cat`, or undefined. */
export function findEnumType(cat: Catalog, name: string, schema?: string): SqlType | undefined {
  const e = cat.findEnum(name, schema);
  return e ? enumOf(e) : undefined;
}

/**
 * Applies DROP TYPE (enums and domains).
 * @throws {DbError} 42704, 2BP01 while a column uses the type
 */
export function dropType(ed: CatalogEditor, stmt: DropType, fx: DdlEffects): void {
  for (const n of stmt.names) {
    const e = ed.done().findEnum(n.name, n.schema);
    if (!e) {
      const drop: DropDomain = {
        type: "drop domain",
        names: [n],
        ifExists: stmt.ifExists ?? false,
        cascade: stmt.cascade === "cascade",
      };
      dropDomain(ed, drop, fx);
      continue;
    }
    const users = [...ed.relations.values()].flatMap((r) =>
      r.columns.filter((c) => usesEnum(c.type, e.oid) && !c.dropped).map((c) =>
        `column ${c.name} of ${
          r.kind === "view" ? "view" : "table"
        } ${r.name} depends on type ${e.name}`
      )
    );
    if (users.length > 0) {
      const cascade = stmt.cascade === "cascade";
      const err = new DbError(
        cascade ? "0A000" : "2BP01",
        cascade
          ? `DROP TYPE ${e.name} CASCADE is not supported while columns use it`
          : `cannot drop type ${e.name} because other objects depend on it`,
      );
      err.detail = users.join("\n");
      if (!cascade) err.hint = "Use DROP ... CASCADE to drop the dependent objects too.";
      throw err;
    }
    ed.enums.delete(e.oid);
  }
}
