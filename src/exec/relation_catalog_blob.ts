/**
 * The durable catalog blob of `RelationStore`: one row (engine catalog text
 * plus the page placement of every relation) in a heap under
 * `RootSlot.catalog`, rewritten in place by one mini-transaction.
 * @module
 */
import { CorruptError } from "../common/errors.ts";
import { createHeap, heapGet, heapInsert, heapScan, heapUpdate } from "../storage/heap/mod.ts";
import { type Mtr, type PageReader, RootSlot } from "../storage/mtr.ts";
import type { PageStore } from "../storage/page_store.ts";

/** Where a relation's pages live. */
export interface Placement {
  readonly heap: number;
  /** Index oid → B+tree root. */
  readonly indexes: Record<string, number>;
}

const catalogVersion = 1;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Writes the blob (creating the catalog heap on first use) in one mini-transaction. */
export function saveBlob(store: PageStore, blob: LoadedBlob): void {
  store.update((m) => writeBlob(m, blob));
}

/** Writes the blob inside the caller's mini-transaction (so it lands atomically with other page changes). */
export function writeBlob(m: Mtr, blob: LoadedBlob): void {
  const bytes = encoder.encode(JSON.stringify({ v: catalogVersion, ...blob }));
  let heap = m.root(RootSlot.catalog);
  if (heap === 0) {
    heap = createHeap(m);
    m.setRoot(RootSlot.catalog, heap);
  }
  const at = catalogRowId(m, heap);
  if (at === undefined) heapInsert(m, heap, bytes);
  else heapUpdate(m, heap, at, bytes);
}

/** Row id of the single catalog row of the catalog heap, if written. */
function catalogRowId(r: PageReader, heap: number): number | undefined {
  let found: number | undefined;
  heapScan(r, heap, (rowId) => {
    found = rowId;
    return false;
  });
  return found;
}

/** The saved catalog text and page placements. */
export interface LoadedBlob {
  readonly catalog: string;
  readonly placements: Record<string, Placement>;
}

/** Reads the catalog blob, or null for a new database. */
export function loadBlob(store: PageStore): LoadedBlob | null {
  return store.view((r) => {
    const heap = r.root(RootSlot.catalog);
    if (heap === 0) return null;
    const at = catalogRowId(r, heap);
    if (at === undefined) return null;
    const bytes = heapGet(r, heap, at);
    if (!bytes) return null;
    const parsed = JSON.parse(decoder.decode(bytes)) as LoadedBlob & { v: number };
    if (parsed.v !== catalogVersion) {
      throw new CorruptError(`Unsupported catalog version ${parsed.v}`);
    }
    return parsed;
  });
}
