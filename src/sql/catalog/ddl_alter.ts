/**
 * ALTER TABLE and DROP against a `CatalogEditor` (see `ddl.ts`).
 * @module
 */
import { renameInIndexes } from "./rename_refs.ts";
import type { AlterTableStatement, CreateColumnDef } from "pgsql-ast-parser";
import { DbError } from "../../common/errors.ts";
import type { Value } from "../../common/types.ts";
import { isSerial, resolveType } from "../plan/sql_types.ts";
import type { CatalogEditor, ColumnDef, RelationDef } from "./catalog.ts";
import { ownedSequences } from "./ddl_sequence.ts";
import { setColumnType } from "./ddl_column_type.ts";
import { domainColumn } from "./ddl_domain.ts";
import { cascadeNotice, dependentObjectsError, dependentsOf } from "./dependencies.ts";
import {
  addColumnConstraint,
  addSequence,
  addTableConstraint,
  columnIndex,
  type DdlEffects,
  exists,
  generationSql,
  replaceRel,
  type SourceOf,
  uniqueName,
} from "./ddl.ts";

/**
 * True for a default that PostgreSQL evaluates once per existing row when a
 * column is added (volatile functions), not once for the whole table.
 */
export function isVolatileDefault(sql: string): boolean {
  return /\b(nextval|random|gen_random_uuid|uuid_generate_v4|clock_timestamp|timeofday)\s*\(/i
    .test(sql);
}

/** The new column of ADD COLUMN, with the sequence of a serial or identity column. */
/** A new column declared with a domain: the base type, the domain's NOT NULL and DEFAULT. */
function withDomain(col: ColumnDef, dom: ReturnType<typeof domainColumn>): ColumnDef {
  if (!dom) return col;
  const cons = dom.def.constraints ?? [];
  const def = cons.find((c) => c.type === "default");
  return {
    ...col,
    notNull: col.notNull || cons.some((c) => c.type === "not null"),
    defaultSql: col.defaultSql ?? (def && def.type === "default" ? dom.source(def.default) : null),
    domain: dom.domain,
  };
}

function addedColumn(
  ed: CatalogEditor,
  rel: RelationDef,
  d: CreateColumnDef,
  source: SourceOf,
  fx: DdlEffects,
  dom: ReturnType<typeof domainColumn>,
): ColumnDef {
  const cons = d.constraints ?? [];
  const def = cons.find((c) => c.type === "default");
  const gen = cons.find((c) => c.type === "add generated");
  let defaultSql = def && def.type === "default" ? source(def.default) : null;
  let identity: ColumnDef["identity"] = null;
  let generatedSql: string | null = null;
  let notNull = cons.some((c) => c.type === "not null" || c.type === "primary key");
  const owned = () => {
    const name = uniqueName(ed, rel.schema, `${rel.name}_${d.name.name}_seq`);
    const seq = addSequence(ed, rel.schema, name, fx, {
      ownedBy: { table: rel.oid, column: rel.columns.length },
    });
    notNull = true;
    return `nextval('${seq.name}')`;
  };
  if (gen && gen.type === "add generated" && gen.expression) {
    generatedSql = generationSql(gen, source);
  } else if (gen && gen.type === "add generated") {
    defaultSql = owned();
    identity = gen.always === "always" ? "always" : "by default";
  } else if (isSerial(d.dataType)) defaultSql = owned();
  return {
    name: d.name.name,
    type: resolveType(dom ? dom.def.dataType : d.dataType, ed.base),
    notNull,
    defaultSql,
    identity,
    dropped: false,
    missing: null,
    ...(generatedSql === null ? {} : { generatedSql }),
  };
}

/**
 * Applies ALTER TABLE.
 * @throws {DbError} 42P01, 42703, 42701
 */
export function alterTable(
  ed: CatalogEditor,
  stmt: AlterTableStatement,
  source: SourceOf,
  evalDefault: (sql: string, rel: RelationDef, col: ColumnDef) => Value,
  fx: DdlEffects,
): void {
  const found = ed.done().findRelation(stmt.table.name, stmt.table.schema);
  if (!found) {
    if (stmt.ifExists) return;
    throw new DbError("42P01", `relation "${stmt.table.name}" does not exist`);
  }
  let rel: RelationDef = found;
  for (const ch of stmt.changes) {
    switch (ch.type) {
      case "rename":
        if (ed.done().nameTaken(ch.to.name, rel.schema)) throw exists("relation", ch.to.name);
        rel = { ...rel, name: ch.to.name };
        break;
      case "rename column": {
        const i = columnIndex(rel, ch.column.name);
        if (rel.columns.some((c) => c.name === ch.to.name && !c.dropped)) {
          throw new DbError(
            "42701",
            `column "${ch.to.name}" of relation "${rel.name}" already exists`,
          );
        }
        renameInIndexes(ed, rel, ch.column.name, ch.to.name);
        rel = {
          ...rel,
          columns: rel.columns.map((c, k) => (k === i ? { ...c, name: ch.to.name } : c)),
        };
        break;
      }
      case "add column": {
        const d = ch.column;
        if (rel.columns.some((c) => c.name === d.name.name && !c.dropped)) {
          if (ch.ifNotExists) break;
          throw new DbError(
            "42701",
            `column "${d.name.name}" of relation "${rel.name}" already exists`,
          );
        }
        const dom = domainColumn(ed.done(), d);
        const col = withDomain(addedColumn(ed, rel, d, source, fx, dom), dom);
        const missing = col.defaultSql && !isVolatileDefault(col.defaultSql)
          ? evalDefault(col.defaultSql, rel, col)
          : null;
        if (
          col.notNull && missing === null && ed.base.relations.get(rel.oid) &&
          fx.truncated.length === 0
        ) {
          // PostgreSQL rejects this only when rows exist; the engine checks that (23502).
        }
        rel = { ...rel, columns: [...rel.columns, { ...col, missing }] };
        replaceRel(ed, rel);
        const cons = [
          ...(dom?.def.constraints ?? []).map((c) => ({ c, src: dom!.source })),
          ...(d.constraints ?? []).map((c) => ({ c, src: source })),
        ];
        for (const { c, src } of cons) {
          if (
            c.type === "unique" || c.type === "primary key" || c.type === "check" ||
            c.type === "reference"
          ) {
            rel = addColumnConstraint(ed, rel, rel.columns.length - 1, c, src, fx);
          }
        }
        break;
      }
      case "drop column": {
        const i = rel.columns.findIndex((c) => c.name === ch.column.name && !c.dropped);
        if (i < 0) {
          if (ch.ifExists) break;
          throw new DbError(
            "42703",
            `column "${ch.column.name}" of relation "${rel.name}" does not exist`,
          );
        }
        for (const seq of ownedSequences(ed.done(), rel, i)) ed.sequences.delete(seq.oid);
        for (const oid of rel.indexes) {
          const idx = ed.indexes.get(oid);
          if (idx?.columns.includes(i) || idx?.expressions?.some((e) => e?.reads.includes(i))) {
            ed.indexes.delete(oid);
            fx.droppedIndexes.push({ rel: rel.oid, index: oid });
          }
        }
        rel = {
          ...rel,
          columns: rel.columns.map((
            c,
            k,
          ) => (k === i
            ? { ...c, dropped: true, name: `........pg.dropped.${k + 1}........`, notNull: false }
            : c)
          ),
          constraints: rel.constraints.filter((c) => !("columns" in c) || !c.columns.includes(i)),
          indexes: rel.indexes.filter((oid) => ed.indexes.has(oid)),
        };
        break;
      }
      case "alter column": {
        const i = columnIndex(rel, ch.column.name);
        const a = ch.alter;
        const col = rel.columns[i]!;
        let next: ColumnDef = col;
        if (a.type === "set not null") next = { ...col, notNull: true };
        else if (a.type === "drop not null") next = { ...col, notNull: false };
        else if (a.type === "set default") next = { ...col, defaultSql: source(a.default) };
        else if (a.type === "drop default") next = { ...col, defaultSql: null };
        else if (a.type === "set type") {
          next = setColumnType(ed, rel, i, a, fx);
          // Values stored another way go to fresh storage (once per statement).
          const moved = fx.retyped.some((r) => r.rel === rel.oid && r.rewrite);
          if (moved && rel.storage === (ed.base.relations.get(rel.oid)?.storage)) {
            rel = { ...rel, storage: ed.oid() };
          }
        } else throw new DbError("0A000", `ALTER COLUMN ${a.type} is not supported`);
        rel = { ...rel, columns: rel.columns.map((c, k) => (k === i ? next : c)) };
        break;
      }
      case "add constraint":
        replaceRel(ed, rel);
        rel = addTableConstraint(ed, rel, ch.constraint, source, fx);
        break;
      case "drop constraint": {
        const con = rel.constraints.find((c) => c.name === ch.constraint.name);
        if (!con) {
          if (ch.ifExists) break;
          throw new DbError(
            "42704",
            `constraint "${ch.constraint.name}" of relation "${rel.name}" does not exist`,
          );
        }
        if (con.kind === "primary_key" || con.kind === "unique") {
          ed.indexes.delete(con.indexOid);
          fx.droppedIndexes.push({ rel: rel.oid, index: con.indexOid });
          rel = { ...rel, indexes: rel.indexes.filter((o) => o !== con.indexOid) };
        }
        rel = { ...rel, constraints: rel.constraints.filter((c) => c !== con) };
        break;
      }
      case "rename constraint":
      case "owner":
        break;
    }
    replaceRel(ed, rel);
  }
}

/**
 * Refuses (2BP01) or, with CASCADE, drops the views on `rel` and removes the
 * foreign keys referencing it.
 */
function dropDependents(
  ed: CatalogEditor,
  rel: RelationDef,
  cascade: boolean,
  fx: DdlEffects,
): void {
  const deps = dependentsOf(ed.done(), rel);
  if (deps.length === 0) return;
  if (!cascade) throw dependentObjectsError(rel, deps);
  fx.notices.push(cascadeNotice(deps));
  for (const d of deps) {
    if (d.kind === "view") {
      ed.relations.delete(d.view.oid);
      fx.droppedRelations.push(d.view.oid);
      continue;
    }
    const table = ed.relations.get(d.table.oid);
    if (!table) continue;
    replaceRel(ed, {
      ...table,
      constraints: table.constraints.filter((c) => c.name !== d.constraint),
    });
  }
}

function relationKind(rel: RelationDef): "table" | "view" | "materialized view" {
  return rel.kind === "view" ? "view" : rel.matview ? "materialized view" : "table";
}

/**
 * Drops tables, views, materialized views, indexes or sequences.
 * @throws {DbError} 42P01, 2BP01 when other objects (views, foreign keys) depend on a relation
 */
export function dropObjects(
  ed: CatalogEditor,
  kind: "table" | "view" | "materialized view" | "index" | "sequence",
  names: readonly { name: string; schema?: string }[],
  ifExists: boolean,
  cascade: boolean,
  fx: DdlEffects,
): void {
  for (const n of names) {
    const cat = ed.done();
    if (kind === "index") {
      const idx = cat.findIndex(n.name);
      if (!idx) {
        if (ifExists) {
          fx.notices.push(`index "${n.name}" does not exist, skipping`);
          continue;
        }
        throw new DbError("42704", `index "${n.name}" does not exist`);
      }
      ed.indexes.delete(idx.oid);
      const rel = ed.relations.get(idx.table)!;
      replaceRel(ed, { ...rel, indexes: rel.indexes.filter((o) => o !== idx.oid) });
      fx.droppedIndexes.push({ rel: rel.oid, index: idx.oid });
      continue;
    }
    if (kind === "sequence") {
      const seq = cat.findSequence(n.name, n.schema);
      if (!seq) {
        if (ifExists) continue;
        throw new DbError("42P01", `sequence "${n.name}" does not exist`);
      }
      ed.sequences.delete(seq.oid);
      continue;
    }
    const found = cat.findRelation(n.name, n.schema);
    const rel = found && relationKind(found) === kind ? found : undefined;
    if (!rel) {
      if (ifExists) {
        fx.notices.push(`${kind} "${n.name}" does not exist, skipping`);
        continue;
      }
      if (found) {
        const err = new DbError("42809", `"${n.name}" is not a ${kind}`);
        if (found.matview) err.hint = "Use DROP MATERIALIZED VIEW to remove a materialized view.";
        throw err;
      }
      throw new DbError("42P01", `${kind} "${n.name}" does not exist`);
    }
    dropDependents(ed, rel, cascade, fx);
    for (const oid of rel.indexes) ed.indexes.delete(oid);
    for (const seq of ownedSequences(ed.done(), rel)) ed.sequences.delete(seq.oid);
    ed.relations.delete(rel.oid);
    fx.droppedRelations.push(rel.oid);
  }
}
