/**
 * The catalog: schemas, tables (columns, constraints, indexes), views and
 * sequences, each with an OID. A `Catalog` value is immutable; DDL produces
 * a new one (copy on write), so a transaction's DDL is private until commit
 * and vanishes on rollback.
 * @module
 */
import { DbError } from "../../common/errors.ts";
import type { EnumType, SqlType, Value } from "../../common/types.ts";
import type { RoleDef } from "./ddl_role.ts";

/** A table column. */
export interface ColumnDef {
  readonly name: string;
  readonly type: SqlType;
  readonly notNull: boolean;
  /** DEFAULT expression as SQL text. */
  readonly defaultSql: string | null;
  readonly identity: "always" | "by default" | null;
  readonly dropped: boolean;
  /** Value for rows stored before the column was added. */
  readonly missing: Value;
  /** Expression of a stored generated column as SQL text; absent in old catalogs. */
  readonly generatedSql?: string | null;
  /** The domain the column was declared with (its type is the domain's base type). */
  readonly domain?: string;
}

/** A domain (CREATE DOMAIN): `body` is the SQL text after AS (base type, DEFAULT, constraints). */
export interface DomainDef {
  readonly oid: number;
  readonly schema: string;
  readonly name: string;
  readonly body: string;
}

/** A table constraint. Column lists are positions in `columns`. */
export type ConstraintDef =
  | {
    readonly kind: "primary_key" | "unique";
    readonly name: string;
    readonly columns: readonly number[];
    readonly indexOid: number;
  }
  | { readonly kind: "check"; readonly name: string; readonly sql: string }
  | {
    readonly kind: "foreign_key";
    readonly name: string;
    readonly columns: readonly number[];
    readonly refTable: number;
    readonly refColumns: readonly number[];
    readonly onDelete: FkAction;
    readonly onUpdate: FkAction;
  };

/** A referential action. */
export type FkAction = "cascade" | "set null" | "restrict" | "no action" | "set default";

/** An index. */
export interface IndexDef {
  readonly oid: number;
  readonly name: string;
  readonly table: number;
  /** Positions of the key columns in the table; -1 for an expression key (see `expressions`). */
  readonly columns: readonly number[];
  /**
   * Expression index: per key, the expression (null for a plain column key),
   * parallel to `columns`; absent when every key is a column.
   */
  readonly expressions?: readonly (IndexExpr | null)[];
  readonly descending: readonly boolean[];
  readonly unique: boolean;
  readonly predicateSql: string | null;
  /**
   * Access method as written (USING hash, gin, ...); absent means btree. Every
   * index is stored as a B-tree, which the planner uses for equality and ranges only.
   */
  readonly method?: string;
}

/** An expression key of an index (`lower(email)`). */
export interface IndexExpr {
  /** The expression as SQL text over the table's columns (as written). */
  readonly sql: string;
  /** The expression as PostgreSQL prints it (`(a + b)`, `lower(email)`). */
  readonly text: string;
  /** The index column's name (`lower`, `expr`), as PostgreSQL derives it. */
  readonly name: string;
  /** The key's type when the index was created (the engine binds `sql` again). */
  readonly type: SqlType;
  /** Positions of the columns it reads (dropping one drops the index). */
  readonly reads: readonly number[];
}

/** A table or view. */
export interface RelationDef {
  readonly oid: number;
  readonly kind: "table" | "view";
  readonly schema: string;
  readonly name: string;
  readonly columns: readonly ColumnDef[];
  readonly constraints: readonly ConstraintDef[];
  readonly indexes: readonly number[];
  /** View body as SQL text. */
  readonly viewSql: string | null;
  /**
   * Where a table's rows are stored (like pg_class.relfilenode): absent for
   * its own OID; a rewrite (ALTER COLUMN TYPE that changes how values are
   * stored) moves them to fresh storage under a new number, so a rollback or
   * a crash before the commit finds the old storage untouched.
   */
  readonly storage?: number;
  /** OID of a table's row type (pg_class.reltype); absent in catalogs older than it. */
  readonly rowTypeOid?: number;
  /** A view's WITH [LOCAL | CASCADED] CHECK OPTION; absent without one. */
  readonly checkOption?: "local" | "cascaded" | null;
  /** Rows at the last ANALYZE, -1 before any. */
  readonly rowEstimate: number;
  /**
   * For a materialized view (stored as a table): its query as SQL text and
   * whether it holds data (false after WITH NO DATA); absent for others.
   */
  readonly matview?: { readonly sql: string; readonly populated: boolean } | null;
}

/** A sequence. */
export interface SequenceDef {
  readonly oid: number;
  readonly schema: string;
  readonly name: string;
  readonly start: bigint;
  readonly increment: bigint;
  readonly min: bigint;
  readonly max: bigint;
  readonly cycle: boolean;
  /** The column owning the sequence (serial, identity, OWNED BY); absent in old catalogs. */
  readonly ownedBy?: { readonly table: number; readonly column: number } | null;
}

let versionCounter = 0;

/**
 * Gives every table of a catalog saved before tables had row types one (in
 * OID order, from `nextOid`), so `SELECT t FROM t` has the table's type
 * rather than `record`. The same saved catalog always gets the same OIDs;
 * the next saved catalog keeps them.
 */
function withRowTypes(
  nextOid: number,
  relations: Map<number, RelationDef>,
): { nextOid: number; relations: Map<number, RelationDef> } {
  const missing = [...relations.values()].filter((r) =>
    r.kind === "table" && r.rowTypeOid === undefined
  ).sort((a, b) => a.oid - b.oid);
  if (missing.length === 0) return { nextOid, relations };
  const out = new Map(relations);
  let next = nextOid;
  for (const rel of missing) out.set(rel.oid, { ...rel, rowTypeOid: next++ });
  return { nextOid: next, relations: out };
}

/** The catalog at one version. */
export class Catalog {
  constructor(
    readonly version: number,
    readonly nextOid: number,
    readonly schemas: ReadonlyMap<string, number>,
    readonly relations: ReadonlyMap<number, RelationDef>,
    readonly indexes: ReadonlyMap<number, IndexDef>,
    readonly sequences: ReadonlyMap<number, SequenceDef>,
    /** COMMENT ON texts by `commentKey`. */
    readonly comments: ReadonlyMap<string, string> = new Map(),
    readonly domains: ReadonlyMap<number, DomainDef> = new Map(),
    /** Enum types (CREATE TYPE ... AS ENUM) by OID. */
    readonly enums: ReadonlyMap<number, EnumType> = new Map(),
    /** Roles (CREATE USER / ROLE) by name; the bootstrap superuser is the config's, not here. */
    readonly roles: ReadonlyMap<string, RoleDef> = new Map(),
  ) {}

  /** Rebuilds a catalog from its decoded log form. */
  static fromData(d: {
    nextOid: number;
    schemas: Map<string, number>;
    relations: Map<number, RelationDef>;
    indexes: Map<number, IndexDef>;
    sequences: Map<number, SequenceDef>;
    comments?: Map<string, string>;
    domains?: Map<number, DomainDef>;
    enums?: Map<number, EnumType>;
    roles?: Map<string, RoleDef>;
  }): Catalog {
    const { nextOid, relations } = withRowTypes(d.nextOid, d.relations);
    return new Catalog(
      ++versionCounter,
      nextOid,
      d.schemas,
      relations,
      d.indexes,
      d.sequences,
      d.comments ?? new Map(),
      d.domains ?? new Map(),
      d.enums ?? new Map(),
      d.roles ?? new Map(),
    );
  }

  /** The catalog's data for the log. */
  toData(): Record<string, unknown> {
    return {
      nextOid: this.nextOid,
      schemas: this.schemas,
      relations: this.relations,
      indexes: this.indexes,
      sequences: this.sequences,
      comments: this.comments,
      domains: this.domains,
      enums: this.enums,
      roles: this.roles,
    };
  }

  /** The empty catalog with the built-in schemas. */
  static initial(): Catalog {
    return new Catalog(
      0,
      16384,
      new Map([["pg_catalog", 11], ["public", 2200], ["information_schema", 13000]]),
      new Map(),
      new Map(),
      new Map(),
    );
  }

  /** Finds a table or view by (optionally qualified) name. */
  findRelation(name: string, schema?: string): RelationDef | undefined {
    for (const r of this.relations.values()) {
      if (r.name === name && r.schema === (schema ?? "public")) return r;
    }
    return undefined;
  }

  /**
   * Like `findRelation` but throws when missing.
   * @throws {DbError} 42P01
   */
  relation(name: string, schema?: string): RelationDef {
    const r = this.findRelation(name, schema);
    if (!r) {
      throw new DbError("42P01", `relation "${schema ? schema + "." : ""}${name}" does not exist`);
    }
    return r;
  }

  /** Finds an enum type by (optionally qualified) name. */
  findEnum(name: string, schema?: string): EnumType | undefined {
    for (const e of this.enums.values()) {
      if (e.name === name && e.schema === (schema ?? "public")) return e;
    }
    return undefined;
  }

  /** Finds a sequence by name. */
  findSequence(name: string, schema?: string): SequenceDef | undefined {
    for (const s of this.sequences.values()) {
      if (s.name === name && (schema === undefined || s.schema === schema)) return s;
    }
    return undefined;
  }

  /** Finds an index by name. */
  findIndex(name: string): IndexDef | undefined {
    for (const i of this.indexes.values()) if (i.name === name) return i;
    return undefined;
  }

  /** True when any relation, index or sequence uses the name in the schema. */
  nameTaken(name: string, schema: string): boolean {
    for (const r of this.relations.values()) {
      if (r.name === name && r.schema === schema) return true;
    }
    for (const i of this.indexes.values()) {
      if (i.name === name && this.relations.get(i.table)?.schema === schema) return true;
    }
    for (const s of this.sequences.values()) {
      if (s.name === name && s.schema === schema) return true;
    }
    return false;
  }

  /** Starts a batch of changes producing a new catalog. */
  edit(): CatalogEditor {
    return new CatalogEditor(this);
  }
}

/** Collects DDL changes and produces the next catalog version. */
export class CatalogEditor {
  #nextOid: number;
  readonly schemas: Map<string, number>;
  readonly relations: Map<number, RelationDef>;
  readonly indexes: Map<number, IndexDef>;
  readonly sequences: Map<number, SequenceDef>;
  readonly comments: Map<string, string>;
  readonly domains: Map<number, DomainDef>;
  readonly enums: Map<number, EnumType>;
  readonly roles: Map<string, RoleDef>;
  constructor(readonly base: Catalog) {
    this.#nextOid = base.nextOid;
    this.schemas = new Map(base.schemas);
    this.relations = new Map(base.relations);
    this.indexes = new Map(base.indexes);
    this.sequences = new Map(base.sequences);
    this.comments = new Map(base.comments);
    this.domains = new Map(base.domains);
    this.enums = new Map(base.enums);
    this.roles = new Map(base.roles);
  }

  /** Allocates an OID. */
  oid(): number {
    return this.#nextOid++;
  }

  /** The resulting catalog. */
  done(): Catalog {
    return new Catalog(
      ++versionCounter,
      this.#nextOid,
      this.schemas,
      this.relations,
      this.indexes,
      this.sequences,
      this.comments,
      this.domains,
      this.enums,
      this.roles,
    );
  }
}

/**
 * Key of a comment: the catalog holding the object (pg_class 1259,
 * pg_namespace 2615), the object's OID and the column number (0 for the
 * object itself), as pg_description's classoid, objoid and objsubid.
 */
export function commentKey(classOid: number, objOid: number, subId = 0): string {
  return `${classOid}:${objOid}:${subId}`;
}
