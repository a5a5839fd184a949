/**
 * DDL against a `CatalogEditor`: CREATE TABLE and its constraints, and the
 * helpers the other DDL files share. Pure: it changes the editor and reports what the
 * engine must do to stored rows (new indexes to build, relations to drop).
 * @module
 */
import type {
  ColumnConstraint,
  CreateColumnDef,
  CreateTableStatement,
  Expr,
  TableConstraint,
} from "pgsql-ast-parser";
import { DbError } from "../../common/errors.ts";
import { isSerial, resolveType } from "../plan/sql_types.ts";
import { domainColumn } from "./ddl_domain.ts";
import type {
  CatalogEditor,
  ColumnDef,
  ConstraintDef,
  FkAction,
  IndexDef,
  RelationDef,
  SequenceDef,
} from "./catalog.ts";

/** What the engine must do after a DDL change. */
export interface DdlEffects {
  readonly buildIndexes: number[];
  readonly droppedRelations: number[];
  readonly droppedIndexes: { rel: number; index: number }[];
  /** Relations whose rows must be emptied (TRUNCATE). */
  readonly truncated: number[];
  readonly newSequences: number[];
  /** Sequences to set back to a value (ALTER SEQUENCE RESTART, TRUNCATE RESTART IDENTITY). */
  readonly restartSequences: { oid: number; value: bigint }[];
  /** Columns whose type changed: stored values get the cast (or USING `using`, SQL text). */
  readonly retyped: { rel: number; column: number; using: string | null; rewrite: boolean }[];
  readonly notices: string[];
}

/** Empty effects. */
export function noEffects(): DdlEffects {
  return {
    buildIndexes: [],
    droppedRelations: [],
    droppedIndexes: [],
    truncated: [],
    newSequences: [],
    restartSequences: [],
    retyped: [],
    notices: [],
  };
}

/** Returns the source text of an expression. */
export type SourceOf = (e: Expr) => string;

/** Internal to the DDL files. */
export function exists(kind: string, name: string): DbError {
  return new DbError(
    kind === "schema" ? "42P06" : "42P07",
    `${kind === "schema" ? "schema" : "relation"} "${name}" already exists`,
  );
}

/** Internal to the DDL files. */
export function replaceRel(ed: CatalogEditor, rel: RelationDef): void {
  ed.relations.set(rel.oid, rel);
}

/** Internal to the DDL files: adds a sequence. @throws {DbError} 42P07 */
export function addSequence(
  ed: CatalogEditor,
  schema: string,
  name: string,
  fx: DdlEffects,
  opts: Partial<SequenceDef> = {},
): SequenceDef {
  if (ed.done().nameTaken(name, schema)) throw exists("relation", name);
  const inc = opts.increment ?? 1n;
  const seq: SequenceDef = {
    oid: ed.oid(),
    schema,
    name,
    increment: inc,
    min: opts.min ?? (inc > 0n ? 1n : -(2n ** 63n)),
    max: opts.max ?? (inc > 0n ? 2n ** 63n - 1n : -1n),
    start: opts.start ?? (inc > 0n ? opts.min ?? 1n : opts.max ?? -1n),
    cycle: opts.cycle ?? false,
    ownedBy: opts.ownedBy ?? null,
  };
  ed.sequences.set(seq.oid, seq);
  fx.newSequences.push(seq.oid);
  return seq;
}

/** Internal to the DDL files: adds an index to a table. @throws {DbError} 42P07 */
export function addIndex(
  ed: CatalogEditor,
  rel: RelationDef,
  def: Omit<IndexDef, "oid" | "table">,
  fx: DdlEffects,
): RelationDef {
  if (ed.done().nameTaken(def.name, rel.schema)) throw exists("relation", def.name);
  const idx: IndexDef = { ...def, oid: ed.oid(), table: rel.oid };
  ed.indexes.set(idx.oid, idx);
  fx.buildIndexes.push(idx.oid);
  const next = { ...rel, indexes: [...rel.indexes, idx.oid] };
  replaceRel(ed, next);
  return next;
}

/** Internal to the DDL files. */
export function columnIndex(rel: RelationDef, name: string): number {
  const i = rel.columns.findIndex((c) => c.name === name && !c.dropped);
  if (i < 0) throw new DbError("42703", `column "${name}" named in key does not exist`);
  return i;
}

function fkAction(a: string | undefined): FkAction {
  return (a ?? "no action") as FkAction;
}

/** Internal to the DDL files: `base`, or `base` with the first free number appended. */
export function uniqueName(ed: CatalogEditor, schema: string, base: string): string {
  const cat = ed.done();
  if (!cat.nameTaken(base, schema)) return base;
  for (let i = 1;; i++) if (!cat.nameTaken(`${base}${i}`, schema)) return `${base}${i}`;
}

/**
 * Applies CREATE TABLE.
 * @throws {DbError} 42P07, 42704, 42703, 42P16
 */
export function createTable(
  ed: CatalogEditor,
  stmt: CreateTableStatement,
  source: SourceOf,
  fx: DdlEffects,
): void {
  const schema = stmt.name.schema ?? "public";
  const name = stmt.name.name;
  if (!ed.schemas.has(schema)) throw new DbError("3F000", `schema "${schema}" does not exist`);
  if (ed.done().findRelation(name, schema)) {
    if (stmt.ifNotExists) {
      fx.notices.push(`relation "${name}" already exists, skipping`);
      return;
    }
    throw exists("relation", name);
  }
  const defs = stmt.columns.filter((c): c is CreateColumnDef => c.kind === "column");
  const seen = new Set<string>();
  const columns: ColumnDef[] = [];
  const later: { col: number; c: ColumnConstraint; src: SourceOf }[] = [];
  const oid = ed.oid();
  for (const d of defs) {
    const colName = d.name.name;
    if (seen.has(colName)) {
      throw new DbError("42701", `column "${colName}" specified more than once`);
    }
    seen.add(colName);
    let defaultSql: string | null = null;
    let identity: ColumnDef["identity"] = null;
    let notNull = false;
    let generatedSql: string | null = null;
    const dom = domainColumn(ed.done(), d);
    const cons = [
      ...(dom?.def.constraints ?? []).map((c) => ({ c, src: dom!.source })),
      ...(d.constraints ?? []).map((c) => ({ c, src: source })),
    ];
    if (isSerial(d.dataType)) {
      const seq = addSequence(ed, schema, uniqueName(ed, schema, `${name}_${colName}_seq`), fx, {
        ownedBy: { table: oid, column: columns.length },
      });
      defaultSql = `nextval('${seq.name}')`;
      notNull = true;
    }
    for (const { c, src } of cons) {
      if (c.type === "not null" || c.type === "primary key") notNull = true;
      else if (c.type === "default") defaultSql = src(c.default);
      else if (c.type === "add generated" && c.expression) {
        generatedSql = generationSql(c, src);
      } else if (c.type === "add generated") {
        const seq = addSequence(ed, schema, uniqueName(ed, schema, `${name}_${colName}_seq`), fx, {
          ownedBy: { table: oid, column: columns.length },
        });
        defaultSql = `nextval('${seq.name}')`;
        identity = c.always === "always" ? "always" : "by default";
        notNull = true;
      }
      if (
        c.type !== "not null" && c.type !== "null" && c.type !== "default" &&
        c.type !== "add generated"
      ) {
        later.push({ col: columns.length, c, src });
      }
    }
    columns.push({
      name: colName,
      type: resolveType(dom ? dom.def.dataType : d.dataType, ed.base),
      notNull,
      defaultSql,
      identity,
      dropped: false,
      missing: null,
      ...(generatedSql === null ? {} : { generatedSql }),
      ...(dom ? { domain: dom.domain } : {}),
    });
  }
  let rel: RelationDef = {
    oid,
    kind: "table",
    schema,
    name,
    columns,
    constraints: [],
    indexes: [],
    viewSql: null,
    rowEstimate: -1,
    rowTypeOid: ed.oid(),
  };
  replaceRel(ed, rel);
  // Keys first, foreign keys last: a self-reference must see the table's
  // own PRIMARY KEY / UNIQUE whatever their place in the statement.
  const tableCons = stmt.constraints ?? [];
  for (const fkPass of [false, true]) {
    for (const { col, c, src } of later) {
      if ((c.type === "reference") === fkPass) {
        rel = addColumnConstraint(ed, rel, col, c, src, fx);
      }
    }
    for (const c of tableCons) {
      if ((c.type === "foreign key") === fkPass) rel = addTableConstraint(ed, rel, c, source, fx);
    }
  }
}

/** Internal to the DDL files: the text of `GENERATED ALWAYS AS (expr) STORED`'s expr (the grammar's location of it is off). */
export function generationSql(
  c: ColumnConstraint & { expression?: Expr },
  source: SourceOf,
): string {
  const m = /\bas\s*\(([\s\S]*)\)\s*stored\s*$/i.exec(source(c as unknown as Expr));
  if (m) return m[1]!.trim();
  return source(c.expression!);
}

/** Internal to the DDL files. */
export function addColumnConstraint(
  ed: CatalogEditor,
  rel: RelationDef,
  col: number,
  c: ColumnConstraint,
  source: SourceOf,
  fx: DdlEffects,
): RelationDef {
  const colName = rel.columns[col]!.name;
  switch (c.type) {
    case "primary key":
    case "unique":
      return addTableConstraint(
        ed,
        rel,
        {
          type: c.type,
          columns: [{ name: colName }],
          ...(c.constraintName ? { constraintName: c.constraintName } : {}),
        },
        source,
        fx,
      );
    case "check":
      return addTableConstraint(
        ed,
        rel,
        {
          ...c,
          constraintName: c.constraintName ??
            { name: uniqueConstraint(rel, `${rel.name}_${colName}_check`) },
        },
        source,
        fx,
      );
    case "reference":
      return addTableConstraint(
        ed,
        rel,
        {
          type: "foreign key",
          localColumns: [{ name: colName }],
          foreignTable: c.foreignTable,
          foreignColumns: c.foreignColumns,
          ...(c.onDelete ? { onDelete: c.onDelete } : {}),
          ...(c.onUpdate ? { onUpdate: c.onUpdate } : {}),
          ...(c.constraintName ? { constraintName: c.constraintName } : {}),
        },
        source,
        fx,
      );
    default:
      return rel;
  }
}

function uniqueConstraint(rel: RelationDef, base: string): string {
  if (!rel.constraints.some((c) => c.name === base)) return base;
  for (let i = 1;; i++) {
    if (!rel.constraints.some((c) => c.name === `${base}${i}`)) return `${base}${i}`;
  }
}

/**
 * Adds a table constraint (PRIMARY KEY, UNIQUE, CHECK, FOREIGN KEY).
 * @throws {DbError} 42P16 multiple primary keys, 42830 no unique key for a FK
 */
export function addTableConstraint(
  ed: CatalogEditor,
  rel0: RelationDef,
  c: TableConstraint,
  source: SourceOf,
  fx: DdlEffects,
): RelationDef {
  let rel = rel0;
  switch (c.type) {
    case "primary key":
    case "unique": {
      const cols = c.columns.map((n) => columnIndex(rel, n.name));
      if (c.type === "primary key" && rel.constraints.some((x) => x.kind === "primary_key")) {
        throw new DbError("42P16", `multiple primary keys for table "${rel.name}" are not allowed`);
      }
      const name = c.constraintName?.name ??
        uniqueName(
          ed,
          rel.schema,
          c.type === "primary key"
            ? `${rel.name}_pkey`
            : `${rel.name}_${cols.map((i) => rel.columns[i]!.name).join("_")}_key`,
        );
      if (c.type === "primary key") {
        rel = {
          ...rel,
          columns: rel.columns.map((
            col,
            i,
          ) => (cols.includes(i) ? { ...col, notNull: true } : col)),
        };
      }
      rel = addIndex(ed, rel, {
        name,
        columns: cols,
        descending: cols.map(() => false),
        unique: true,
        predicateSql: null,
      }, fx);
      const idxOid = rel.indexes.at(-1)!;
      const con: ConstraintDef = {
        kind: c.type === "primary key" ? "primary_key" : "unique",
        name,
        columns: cols,
        indexOid: idxOid,
      };
      rel = { ...rel, constraints: [...rel.constraints, con] };
      break;
    }
    case "check": {
      const name = c.constraintName?.name ?? uniqueConstraint(rel, `${rel.name}_check`);
      rel = {
        ...rel,
        constraints: [...rel.constraints, { kind: "check", name, sql: source(c.expr) }],
      };
      break;
    }
    case "foreign key": {
      const parent = c.foreignTable.name === rel.name
        ? rel
        : ed.done().relation(c.foreignTable.name, c.foreignTable.schema);
      const cols = c.localColumns.map((n) => columnIndex(rel, n.name));
      const refCols = c.foreignColumns.length
        ? c.foreignColumns.map((n) => columnIndex(parent, n.name))
        : (parent.constraints.find((x) => x.kind === "primary_key") as {
          columns: readonly number[];
        } | undefined)?.columns;
      if (!refCols) {
        throw new DbError("42830", `there is no primary key for referenced table "${parent.name}"`);
      }
      const ok = parent.indexes.some((oid) => {
        const idx = ed.indexes.get(oid);
        return idx?.unique && idx.columns.length === refCols.length &&
          idx.columns.every((x, i) => x === refCols[i]);
      });
      if (!ok) {
        throw new DbError(
          "42830",
          `there is no unique constraint matching given keys for referenced table "${parent.name}"`,
        );
      }
      const name = c.constraintName?.name ??
        uniqueConstraint(
          rel,
          `${rel.name}_${cols.map((i) => rel.columns[i]!.name).join("_")}_fkey`,
        );
      rel = {
        ...rel,
        constraints: [...rel.constraints, {
          kind: "foreign_key",
          name,
          columns: cols,
          refTable: parent.oid,
          refColumns: refCols,
          onDelete: fkAction(c.onDelete),
          onUpdate: fkAction(c.onUpdate),
        }],
      };
      break;
    }
  }
  replaceRel(ed, rel);
  return rel;
}
