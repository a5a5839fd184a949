/**
 * Writing a row's new version: where it goes (next to the old one, or a
 * heap-only version on any page after a chain's first), the old version's
 * xmax stamp, and the index entries it needs, if any (see `placeNewVersion`).
 * @module
 */

import { assert } from "../common/errors.ts";
import type { Value } from "../common/types.ts";
import { btreeInsert } from "../storage/btree/mod.ts";
import {
  heapGet,
  heapInsert,
  heapInsertOn,
  heapRowPrefix,
  heapUpdate,
  heapView,
  rowIdPage,
} from "../storage/heap/mod.ts";
import type { Mtr } from "../storage/mtr.ts";
import {
  indexPrefix,
  indexPrefixScratch,
  indexValue,
  type RelationDef,
  withRowId,
} from "./relation.ts";
import type { Txn } from "./txn.ts";
import { heapOnlyFlag, setTupleFlag, stampXmax, tupleFlags, tupleHeaderBytes } from "./tuple.ts";

/** True when `a` and `b` hold the same bytes (false when `b` is null). */
export function sameKey(a: Uint8Array, b: Uint8Array | null): boolean {
  if (b === null || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Inserts index entries of a new version and records them for SERIALIZABLE
 * checks; a heap-only version (`heapOnly`) gets no entries, its keys are only recorded.
 */
export function insertIndexEntries(
  m: Mtr,
  txn: Txn,
  rel: RelationDef,
  prefixes: readonly (Uint8Array | null)[],
  rowId: number,
  heapOnly = false,
): void {
  const writes = txn.writes;
  writes?.row(rel.id, rowId);
  // A heap-only version of a transaction that tracks no writes needs no keys at all.
  if (heapOnly && writes === null) return;
  for (let i = 0; i < rel.indexes.length; i++) {
    const prefix = prefixes[i]!;
    if (prefix === null) continue;
    const key = withRowId(prefix, rowId);
    if (!heapOnly) btreeInsert(m, rel.indexes[i]!.root, key, indexValue());
    writes?.key(rel.id, i, key);
  }
}

/**
 * True when every index is a plain column index (no expression, no
 * predicate) whose columns hold the same values in both rows (`Object.is`:
 * the same primitive or the same object), so the keys are equal without
 * encoding them. False says nothing: ask `sameIndexKeys`.
 */
export function sameIndexValues(
  rel: RelationDef,
  next: readonly Value[],
  old: readonly Value[],
): boolean {
  for (const index of rel.indexes) {
    if (index.predicate !== undefined || index.keyOf) return false;
    for (const c of index.columns) if (!Object.is(next[c] ?? null, old[c] ?? null)) return false;
  }
  return true;
}

/** The key prefixes of a row in each of the relation's indexes (see `indexPrefix`). */
export function indexPrefixes(rel: RelationDef, row: readonly Value[]): (Uint8Array | null)[] {
  return rel.indexes.map((index) => indexPrefix(index, row));
}

/** True when every index gives the same key (or no entry) for both rows' prefixes. */
export function sameIndexKeys(
  rel: RelationDef,
  prefixes: readonly (Uint8Array | null)[],
  old: readonly Value[],
): boolean {
  for (let i = 0; i < rel.indexes.length; i++) {
    const prefix = prefixes[i]!;
    // The old row's key goes to a scratch buffer: it is only compared.
    const before = indexPrefixScratch(rel.indexes[i]!, old);
    if (prefix === null ? before !== null : !sameKey(prefix, before)) return false;
  }
  return true;
}

/** Sets xmax/cmax/next (and the HOT flag) on a stored version in place. */
export function stampVersion(
  m: Mtr,
  rel: RelationDef,
  rowId: number,
  xid: number,
  cid: number,
  next: number,
  hot = false,
): void {
  // Inline rows are stamped in place: only the header is rewritten and logged.
  const inPlace = heapRowPrefix(m, rel.heap, rowId, tupleHeaderBytes);
  if (inPlace !== undefined) return stampXmax(inPlace, xid, cid, next, hot);
  const tuple = heapGet(m, rel.heap, rowId);
  assert(tuple !== undefined, `Row ${rowId} of ${rel.name} vanished while locked`);
  stampXmax(tuple, xid, cid, next, hot);
  const kept = heapUpdate(m, rel.heap, rowId, tuple);
  assert(kept === rowId, `Stamping row ${rowId} of ${rel.name} moved it to ${kept}`);
}

/**
 * Writes an updated row's new version and links the old one to it. With no
 * indexed value changed the new version needs no index entries (a HOT
 * update): it goes next to the old one when it fits there, else, when the old
 * version is the first of its chain (it has index entries), to any page with
 * room. A chain thus crosses pages at most once (after its first version), so
 * readers arriving from an index follow at most one link to another page and
 * chains stay bounded by a page's slots as before; a full page after that
 * hop ends the chain (the next version gets index entries of its own). The
 * first update of a row on a full page (every page of a freshly loaded
 * table) then needs no index entry, and vacuum later turns the dead first
 * version into a redirect instead of deleting index entries.
 * @param prefixes the new version's index key prefixes, or null to encode
 * them from `values` where needed (only when `keysKept`)
 * @returns the new version's row id
 */
export function placeNewVersion(
  m: Mtr,
  txn: Txn,
  xid: number,
  rel: RelationDef,
  oldRowId: number,
  tuple: Uint8Array,
  prefixes: readonly (Uint8Array | null)[] | null,
  keysKept: boolean,
  values: readonly Value[],
): number {
  setTupleFlag(tuple, heapOnlyFlag, keysKept);
  let id = heapInsertOn(m, rel.heap, rowIdPage(oldRowId), tuple);
  let hot = keysKept && id >= 0;
  if (id < 0) {
    hot = keysKept && chainStarts(m, rel, oldRowId);
    setTupleFlag(tuple, heapOnlyFlag, hot);
    id = heapInsert(m, rel.heap, tuple);
  }
  stampVersion(m, rel, oldRowId, xid, txn.cid, id, hot);
  // The keys are encoded only when an index or the write set needs them.
  if (!hot || txn.writes !== null) {
    insertIndexEntries(m, txn, rel, prefixes ?? indexPrefixes(rel, values), id, hot);
  }
  txn.writes?.row(rel.id, oldRowId);
  return id;
}

/** True when version `rowId` has index entries of its own (it is no heap-only version). */
function chainStarts(m: Mtr, rel: RelationDef, rowId: number): boolean {
  const tuple = heapView(m, rel.heap, rowId);
  assert(tuple !== undefined, `Row ${rowId} of ${rel.name} vanished while locked`);
  return (tupleFlags(tuple) & heapOnlyFlag) === 0;
}
