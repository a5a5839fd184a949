/**
 * Bridge between the SQL catalog and the page-store row store: which
 * relations and indexes the store must keep (tables only; views have no
 * rows), and the durable text form of the catalog plus sequence positions
 * saved with `RelationStore.saveCatalog`.
 * @module
 */
import { CorruptError } from "../common/errors.ts";
import type { IndexSpec } from "../exec/table_store.ts";
import type { RelationStore, StoredRelationSpec } from "../exec/relation_store.ts";
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
export type IndexSpecOf = (catalog: Catalog, idx: IndexDef) => IndexSpec;

/** The row-store descriptions of every table of a catalog. */
export function storedRelationSpecs(catalog: Catalog, specOf: IndexSpecOf): StoredRelationSpec[] {
  const out: StoredRelationSpec[] = [];
  for (const rel of catalog.relations.values()) {
    if (rel.kind !== "table") continue;
    const indexes = rel.indexes.flatMap((oid) => {
      const idx = catalog.indexes.get(oid);
      if (!idx) return [];
      const spec = specOf(catalog, idx);
      return [{ ...spec, descending: idx.descending }];
    });
    out.push({
      oid: rel.oid,
      name: rel.name,
      columnNames: rel.columns.map((c) => c.name),
      types: rel.columns.map((c) => c.type),
      indexes,
    });
  }
  return out;
}

/**
 * Binds every table of `catalog` to its pages (allocating what is new) and
 * frees the pages of stored relations the catalog no longer has.
 */
export function syncRelationStore(rs: RelationStore, catalog: Catalog, specOf: IndexSpecOf): void {
  const specs = storedRelationSpecs(catalog, specOf);
  const live = new Set(specs.map((s) => s.oid));
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
