/**
 * Bridge between the SQL catalog and the page-store row store: which
 * relations and indexes the store must keep (tables only; views have no
 * rows), and the durable text form of the catalog plus sequence positions
 * saved with `RelationStore.saveCatalog`.
 * @module
 */
import { CorruptError } from "../common/errors.ts";
import type { RelationStore } from "../exec/relation_store.ts";
import type { StoredIndexSpec, StoredRelationSpec } from "../exec/relation_spec.ts";
import { Catalog, type IndexDef } from "../sql/catalog/catalog.ts";
import { decodeValue, encodeValue } from "./value_json.ts";

/** Position of a sequence (nextval state). */
export interface SequencePosition {
  readonly value: bigint;
  readonly called: boolean;
}

/** The catalog and sequence positions as saved in the page store. */
export interface SavedCatalog {
  readonly catalog: Catalog;
  readonly sequences: Map<number, SequencePosition>;
}

/** Builds the store-level description of an index (the engine's `indexSpec`). */
export type IndexSpecOf = (catalog: Catalog, idx: IndexDef) => StoredIndexSpec;

/** The row-store descriptions of every table of a catalog. */
export function storedRelationSpecs(catalog: Catalog, specOf: IndexSpecOf): StoredRelationSpec[] {
  const out: StoredRelationSpec[] = [];
  for (const rel of catalog.relations.values()) {
    const spec = storedRelationSpec(catalog, rel.oid, specOf);
    if (spec) out.push(spec);
  }
  return out;
}

/** The row-store description of one table, or null when `oid` is no table of `catalog`. */
export function storedRelationSpec(
  catalog: Catalog,
  oid: number,
  specOf: IndexSpecOf,
): StoredRelationSpec | null {
  const rel = catalog.relations.get(oid);
  if (!rel || rel.kind !== "table") return null;
  const indexes = rel.indexes.flatMap((oid) => {
    const idx = catalog.indexes.get(oid);
    if (!idx) return [];
    const spec = specOf(catalog, idx);
    return [{ ...spec, descending: idx.descending }];
  });
  return {
    oid: rel.oid,
    ...(rel.storage === undefined ? {} : { storage: rel.storage }),
    name: rel.name,
    columnNames: rel.columns.map((c) => c.name),
    types: rel.columns.map((c) => c.type),
    indexes,
  };
}

/**
 * Binds every table of `catalog` to its pages (allocating what is new) and
 * frees the pages of stored relations the catalog no longer has.
 */
export function syncRelationStore(rs: RelationStore, catalog: Catalog, specOf: IndexSpecOf): void {
  const specs = storedRelationSpecs(catalog, specOf);
  const live = new Set(specs.map((s) => s.storage ?? s.oid));
  for (const oid of rs.storedRelations()) if (!live.has(oid)) rs.dropRelation(oid);
  for (const spec of specs) rs.define(spec);
}

/** Text form of a catalog and sequence positions (the commit log's JSON value encoding). */
export function encodeCatalog(
  catalog: Catalog,
  sequences: ReadonlyMap<number, SequencePosition>,
): string {
  return JSON.stringify(encodeValue({
    catalog: catalog.toData(),
    sequences: [...sequences].map(([oid, s]) => [oid, s.value, s.called]),
  }));
}

/**
 * Parses `encodeCatalog` output.
 * @throws {CorruptError} XX001 when the text is not a saved catalog
 */
export function decodeCatalog(text: string): SavedCatalog {
  const d = decodeValue(JSON.parse(text)) as {
    catalog?: Parameters<typeof Catalog.fromData>[0];
    sequences?: [number, bigint, boolean][];
  };
  if (!d.catalog || !Array.isArray(d.sequences)) {
    throw new CorruptError("The saved catalog is malformed");
  }
  return {
    catalog: Catalog.fromData(d.catalog),
    sequences: new Map(d.sequences.map(([oid, value, called]) => [oid, { value, called }])),
  };
}

/**
 * The engine's durable state text: the committed catalog, the catalog before
 * the last DDL transaction and that transaction's xid (when its commit never
 * became durable, a restart goes back to `prev`), and sequence positions.
 */
export interface DurableCatalog {
  readonly cur: string;
  readonly prev: string | null;
  readonly xid: number;
}

/** Encodes the durable state (catalog texts from `encodeCatalog`, so they can be cached). */
export function encodeDurable(
  d: DurableCatalog,
  sequences: ReadonlyMap<number, SequencePosition>,
): string {
  return JSON.stringify({
    ...d,
    seq: encodeValue([...sequences].map(([oid, s]) => [oid, s.value, s.called])),
  });
}

/**
 * Decodes `encodeDurable` output, choosing the catalog whose DDL transaction committed.
 * @throws {CorruptError} XX001 when the text is malformed
 */
export function decodeDurable(text: string, committed: (xid: number) => boolean): SavedCatalog {
  const d = JSON.parse(text) as Partial<DurableCatalog> & { seq?: unknown };
  if (typeof d.cur !== "string" || !Array.isArray(decodeValue(d.seq))) {
    throw new CorruptError("The saved catalog is malformed");
  }
  const useCur = !d.xid || committed(d.xid) || typeof d.prev !== "string";
  const saved = decodeCatalog(useCur ? d.cur : d.prev as string);
  const seq = decodeValue(d.seq) as [number, bigint, boolean][];
  return {
    catalog: saved.catalog,
    sequences: new Map(seq.map(([oid, value, called]) => [oid, { value, called }])),
  };
}
