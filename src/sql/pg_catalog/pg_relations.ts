/**
 * `pg_namespace`, `pg_class`, `pg_attribute`, `pg_attrdef`, `pg_index`,
 * `pg_constraint` and `pg_sequence`, built from the catalog's schemas,
 * tables, views, indexes, sequences and constraints.
 * @module
 */
import type { Value } from "../../common/types.ts";
import type { Catalog, RelationDef } from "../catalog/catalog.ts";
import { allConstraints, defaultExpression } from "./defs.ts";
import { attributeTypmod, typeOidOf } from "./type_table.ts";
import { ownerOid, virtual, type VirtualRelation } from "./virtual.ts";

const heapAm = 2;
const btreeAm = 403;
/** pg_am OIDs of the index access methods. */
const indexAms: Readonly<Record<string, number>> = {
  btree: btreeAm,
  hash: 405,
  gist: 783,
  gin: 2742,
  spgist: 4000,
  brin: 3580,
};

function schemaOid(catalog: Catalog, schema: string): number {
  return catalog.schemas.get(schema) ?? 0;
}

/** pg_namespace: one row per schema. */
export const pgNamespace: VirtualRelation = virtual(
  "pg_catalog",
  "pg_namespace",
  "oid:oid nspname:name nspowner:oid nspacl:text[]",
  (catalog) =>
    [...catalog.schemas].map(([name, oid]) => [
      oid,
      name,
      name === "public" ? 6171 : ownerOid,
      // PostgreSQL 15's default privileges on the public schema.
      name === "public" ? ["pg_database_owner=UC/pg_database_owner", "=U/pg_database_owner"] : null,
    ]),
);

const classSpec = "oid:oid relname:name relnamespace:oid reltype:oid reloftype:oid relowner:oid " +
  "relam:oid relfilenode:oid reltablespace:oid relpages:int4 reltuples:float4 " +
  "relallvisible:int4 reltoastrelid:oid relhasindex:bool relisshared:bool relpersistence:char " +
  "relkind:char relnatts:int2 relchecks:int2 relhasrules:bool relhastriggers:bool " +
  "relhassubclass:bool relrowsecurity:bool relforcerowsecurity:bool relispopulated:bool " +
  "relreplident:char relispartition:bool relrewrite:oid relfrozenxid:int8 relminmxid:int8 " +
  "relacl:text[] reloptions:text[] relpartbound:text";

function classRow(
  oid: number,
  name: string,
  nsp: number,
  kind: string,
  am: number,
  natts: number,
  extra: {
    tuples?: number;
    hasIndex?: boolean;
    checks?: number;
    hasTriggers?: boolean;
    rowType?: number;
  },
): Value[] {
  return [
    oid,
    name,
    nsp,
    extra.rowType ?? 0,
    0,
    ownerOid,
    am,
    oid,
    0,
    0,
    extra.tuples ?? -1,
    0,
    0,
    extra.hasIndex ?? false,
    false,
    "p",
    kind,
    natts,
    extra.checks ?? 0,
    false,
    extra.hasTriggers ?? false,
    false,
    false,
    false,
    true,
    kind === "r" ? "d" : "n",
    false,
    0,
    0n,
    0n,
    null,
    null,
    null,
  ];
}

/**
 * True when the table has foreign-key triggers in PostgreSQL: it references
 * another table or is referenced (psql shows foreign keys only then).
 */
function hasForeignKeyTriggers(catalog: Catalog, rel: RelationDef): boolean {
  if (rel.constraints.some((c) => c.kind === "foreign_key")) return true;
  for (const other of catalog.relations.values()) {
    if (other.constraints.some((c) => c.kind === "foreign_key" && c.refTable === rel.oid)) {
      return true;
    }
  }
  return false;
}

function tableRow(catalog: Catalog, rel: RelationDef): Value[] {
  return classRow(
    rel.oid,
    rel.name,
    schemaOid(catalog, rel.schema),
    rel.kind === "view" ? "v" : rel.matview ? "m" : "r",
    rel.kind === "view" ? 0 : heapAm,
    rel.columns.length,
    {
      tuples: rel.rowEstimate,
      ...(rel.rowTypeOid === undefined ? {} : { rowType: rel.rowTypeOid }),
      hasIndex: rel.indexes.length > 0,
      checks: rel.constraints.filter((c) => c.kind === "check").length,
      hasTriggers: hasForeignKeyTriggers(catalog, rel),
    },
  );
}

/** pg_class: tables, views, indexes and sequences. */
export const pgClass: VirtualRelation = virtual("pg_catalog", "pg_class", classSpec, (catalog) => {
  const rows: Value[][] = [];
  for (const rel of catalog.relations.values()) rows.push(tableRow(catalog, rel));
  for (const idx of catalog.indexes.values()) {
    const rel = catalog.relations.get(idx.table);
    if (!rel) continue;
    rows.push(
      classRow(
        idx.oid,
        idx.name,
        schemaOid(catalog, rel.schema),
        "i",
        indexAms[idx.method ?? "btree"] ?? btreeAm,
        idx.columns.length,
        {},
      ),
    );
  }
  for (const seq of catalog.sequences.values()) {
    rows.push(classRow(seq.oid, seq.name, schemaOid(catalog, seq.schema), "S", 0, 3, {}));
  }
  return rows;
});

/** attstorage: the type's typstorage (plain for fixed-size types, main for numeric). */
function storageOf(type: RelationDef["columns"][number]["type"]): string {
  if (type.id === "numeric") return "m";
  const extended = ["text", "varchar", "bpchar", "bytea", "json", "jsonb", "array", "record"];
  return extended.includes(type.id) || type.id === "vector" ? "x" : "p";
}

/** pg_attribute: user columns of tables and views, and index key columns. */
export const pgAttribute: VirtualRelation = virtual(
  "pg_catalog",
  "pg_attribute",
  "attrelid:oid attname:name atttypid:oid attstattarget:int4 attlen:int2 attnum:int2 " +
    "attndims:int4 atttypmod:int4 attbyval:bool attalign:char attstorage:char attnotnull:bool " +
    "atthasdef:bool atthasmissing:bool attidentity:char attgenerated:char attisdropped:bool " +
    "attislocal:bool attinhcount:int4 attcollation:oid attacl:text[] attoptions:text[] " +
    "attcompression:char",
  (catalog) => {
    const rows: Value[][] = [];
    const attr = (
      relOid: number,
      name: string,
      type: RelationDef["columns"][number]["type"],
      num: number,
      col: {
        notNull: boolean;
        hasDef: boolean;
        identity: string;
        dropped: boolean;
        generated?: boolean;
      },
    ) => {
      const collatable = ["text", "varchar", "bpchar", "name"].includes(type.id);
      rows.push([
        relOid,
        col.dropped ? `........pg.dropped.${num}........` : name,
        col.dropped ? 0 : typeOidOf(type),
        -1,
        -1,
        num,
        type.id === "array" ? 1 : 0,
        attributeTypmod(type),
        false,
        "i",
        storageOf(type),
        col.notNull,
        col.hasDef,
        false,
        col.identity,
        col.generated ? "s" : "",
        col.dropped,
        true,
        0,
        collatable ? 100 : 0,
        null,
        null,
        "",
      ]);
    };
    for (const rel of catalog.relations.values()) {
      rel.columns.forEach((c, i) =>
        attr(rel.oid, c.name, c.type, i + 1, {
          notNull: c.notNull,
          hasDef: c.defaultSql !== null || !!c.generatedSql,
          identity: c.identity === "always" ? "a" : c.identity === "by default" ? "d" : "",
          dropped: c.dropped,
          generated: !!c.generatedSql,
        })
      );
    }
    for (const idx of catalog.indexes.values()) {
      const rel = catalog.relations.get(idx.table);
      idx.columns.forEach((p, i) => {
        const c = idx.expressions?.[i] ?? rel?.columns[p];
        if (c) {
          attr(idx.oid, c.name, c.type, i + 1, {
            notNull: false,
            hasDef: false,
            identity: "",
            dropped: false,
          });
        }
      });
    }
    return rows;
  },
);

/** pg_attrdef: column defaults; `adbin` holds the SQL text (see `pg_get_expr`). */
export const pgAttrdef: VirtualRelation = virtual(
  "pg_catalog",
  "pg_attrdef",
  "oid:oid adrelid:oid adnum:int2 adbin:text",
  (catalog) => {
    const rows: Value[][] = [];
    for (const rel of catalog.relations.values()) {
      rel.columns.forEach((c, i) => {
        const sql = c.generatedSql ? `(${c.generatedSql})` : c.defaultSql;
        if (sql && !c.dropped) {
          rows.push([2_000_000_000 + rows.length, rel.oid, i + 1, defaultExpression(sql)]);
        }
      });
    }
    return rows;
  },
);

/** pg_index: one row per index. */
export const pgIndex: VirtualRelation = virtual(
  "pg_catalog",
  "pg_index",
  "indexrelid:oid indrelid:oid indnatts:int2 indnkeyatts:int2 indisunique:bool " +
    "indnullsnotdistinct:bool indisprimary:bool indisexclusion:bool indimmediate:bool " +
    "indisclustered:bool indisvalid:bool indcheckxmin:bool indisready:bool indislive:bool " +
    "indisreplident:bool indkey:int2[] indcollation:oid[] indclass:oid[] indoption:int2[] " +
    "indexprs:text indpred:text",
  (catalog) => {
    const rows: Value[][] = [];
    for (const idx of catalog.indexes.values()) {
      const rel = catalog.relations.get(idx.table);
      const primary = rel?.constraints.some((c) =>
        c.kind === "primary_key" && c.indexOid === idx.oid
      ) ?? false;
      const n = idx.columns.length;
      rows.push([
        idx.oid,
        idx.table,
        n,
        n,
        idx.unique,
        false,
        primary,
        false,
        true,
        false,
        true,
        false,
        true,
        true,
        false,
        idx.columns.map((p) => p + 1),
        idx.columns.map(() => 0),
        idx.columns.map(() => 0),
        idx.descending.map((d) => (d ? 3 : 0)),
        idx.expressions ? idx.expressions.flatMap((e) => (e ? [e.text] : [])).join(" ") : null,
        idx.predicateSql,
      ]);
    }
    return rows;
  },
);

const fkAction: Record<string, string> = {
  "no action": "a",
  "restrict": "r",
  "cascade": "c",
  "set null": "n",
  "set default": "d",
};

/** pg_constraint: primary key, unique, check and foreign key constraints. */
export const pgConstraint: VirtualRelation = virtual(
  "pg_catalog",
  "pg_constraint",
  "oid:oid conname:name connamespace:oid contype:char condeferrable:bool condeferred:bool " +
    "convalidated:bool conrelid:oid contypid:oid conindid:oid conparentid:oid confrelid:oid " +
    "confupdtype:char confdeltype:char confmatchtype:char conislocal:bool coninhcount:int4 " +
    "connoinherit:bool conkey:int2[] confkey:int2[] conbin:text",
  (catalog) =>
    allConstraints(catalog).map(({ rel, con, oid }) => {
      const fk = con.kind === "foreign_key" ? con : null;
      const keys = con.kind === "check" ? null : con.columns.map((p) => p + 1);
      return [
        oid,
        con.name,
        schemaOid(catalog, rel.schema),
        { primary_key: "p", unique: "u", check: "c", foreign_key: "f" }[con.kind],
        false,
        false,
        true,
        rel.oid,
        0,
        con.kind === "primary_key" || con.kind === "unique" ? con.indexOid : 0,
        0,
        fk ? fk.refTable : 0,
        fk ? fkAction[fk.onUpdate]! : " ",
        fk ? fkAction[fk.onDelete]! : " ",
        fk ? "s" : " ",
        true,
        0,
        false,
        keys,
        fk ? fk.refColumns.map((p) => p + 1) : null,
        con.kind === "check" ? con.sql : null,
      ];
    }),
);

/** pg_sequence: sequence parameters. */
export const pgSequence: VirtualRelation = virtual(
  "pg_catalog",
  "pg_sequence",
  "seqrelid:oid seqtypid:oid seqstart:int8 seqincrement:int8 seqmax:int8 seqmin:int8 " +
    "seqcache:int8 seqcycle:bool",
  (catalog) =>
    [...catalog.sequences.values()].map((s) => [
      s.oid,
      20,
      s.start,
      s.increment,
      s.max,
      s.min,
      1n,
      s.cycle,
    ]),
);
