/**
 * Relation and index descriptions, their page structures, and index keys.
 *
 * A relation is a heap of MVCC tuple versions (`tuple.ts` header + a
 * `row_codec` row). Each index is a B+tree whose keys are the `key_codec`
 * encoding of the indexed columns followed by the 6-byte big-endian row id of
 * the version, so every version has its own entry (also in unique indexes:
 * uniqueness is checked against live versions, as PostgreSQL does); values
 * are empty. Entries of dead versions are removed by vacuum.
 * @module
 */

import { DbError } from "../common/errors.ts";
import type { SqlType, Value } from "../common/types.ts";
import { Interval, Jsonb, Numeric } from "../common/types.ts";
import { btreeDrop, createBTree } from "../storage/btree/mod.ts";
import { createHeap, heapDrop } from "../storage/heap/mod.ts";
import { encodeKey, encodeKeyScratch, type KeyColumn } from "../storage/key_codec.ts";
import type { Mtr } from "../storage/mtr.ts";

/** An index of a relation. */
export interface IndexDef {
  /** Index name (also the constraint name unless `constraint` is set). */
  readonly name: string;
  /** Root page of its B+tree (from `createIndexStorage`). */
  readonly root: number;
  /**
   * Positions of the indexed columns in the row; for an expression index
   * (`keyOf` set), the columns its keys read.
   */
  readonly columns: readonly number[];
  /** Expression index: the key values of a row (parallel to `keyColumns`). */
  readonly keyOf?: (row: readonly Value[]) => Value[];
  /** Expression index: the key names in error details (`lower(email)`). */
  readonly keyNames?: readonly string[];
  /** Type and order of each indexed column, parallel to `columns`. */
  readonly keyColumns: readonly KeyColumn[];
  /** Whether live versions must have distinct keys (NULLs never conflict). */
  readonly unique: boolean;
  /** Constraint name reported on a unique violation (default: the index name). */
  readonly constraint?: string;
  /** Partial index: only rows for which this returns true have an entry. */
  readonly predicate?: (row: readonly Value[]) => boolean;
}

/** A relation (table) as the access layer needs it; the catalog persists it. */
export interface RelationDef {
  /** Unique id of the relation (row locks and SERIALIZABLE tracking are keyed by it). */
  readonly id: number;
  /** Relation name, for error messages. */
  readonly name: string;
  /** Column names, for error details. */
  readonly columnNames: readonly string[];
  /** Column types, for the row codec. */
  readonly types: readonly SqlType[];
  /** Header page of its heap (from `createRelationStorage`). */
  readonly heap: number;
  /** Indexes maintained with every write. */
  readonly indexes: readonly IndexDef[];
}

/** Page ids of a new relation's heap and indexes. */
export interface RelationStorage {
  /** Header page of the heap. */
  readonly heap: number;
  /** Root pages of the indexes, in order. */
  readonly indexRoots: number[];
}

/** Bytes of the row-id suffix of every index key. */
export const rowIdSuffixBytes = 6;
const emptyValue = new Uint8Array(0);

/** The (empty) value stored with every index entry. */
export function indexValue(): Uint8Array {
  return emptyValue;
}

/**
 * Creates the heap and `indexCount` empty B+trees of a new relation.
 * @example store.update((m) => createRelationStorage(m, 1))
 */
export function createRelationStorage(m: Mtr, indexCount: number): RelationStorage {
  const heap = createHeap(m);
  const indexRoots: number[] = [];
  for (let i = 0; i < indexCount; i++) indexRoots.push(createBTree(m));
  return { heap, indexRoots };
}

/** Creates an empty B+tree for a new index (fill it with `Tables.buildIndex`). */
export function createIndexStorage(m: Mtr): number {
  return createBTree(m);
}

/** Frees every page of a relation: its heap and its indexes. */
export function dropRelationStorage(m: Mtr, rel: RelationDef): void {
  for (const index of rel.indexes) btreeDrop(m, index.root);
  heapDrop(m, rel.heap);
}

/**
 * The key prefix of a row in an index (without row id), or null when a partial
 * index's predicate excludes the row.
 */
export function indexPrefix(index: IndexDef, row: readonly Value[]): Uint8Array | null {
  if (index.predicate !== undefined && !index.predicate(row)) return null;
  return encodeKey(keyValues(index, row), index.keyColumns);
}

const scratchKeyValues: Value[] = [];

/**
 * `indexPrefix` without allocating: the result is a view of a shared buffer,
 * valid only until the next key is encoded (for comparing at once).
 */
export function indexPrefixScratch(index: IndexDef, row: readonly Value[]): Uint8Array | null {
  if (index.predicate !== undefined && !index.predicate(row)) return null;
  if (index.keyOf) return encodeKeyScratch(index.keyOf(row), index.keyColumns);
  const columns = index.columns;
  const values = scratchKeyValues;
  values.length = columns.length;
  for (let i = 0; i < columns.length; i++) values[i] = row[columns[i]!] ?? null;
  const key = encodeKeyScratch(values, index.keyColumns);
  values.length = 0;
  return key;
}

/** The index key values of a row. */
export function keyValues(index: IndexDef, row: readonly Value[]): Value[] {
  return index.keyOf ? index.keyOf(row) : index.columns.map((c) => row[c] ?? null);
}

/** True when any key value of the row is NULL (NULLs never violate uniqueness). */
export function hasNullKey(index: IndexDef, row: readonly Value[]): boolean {
  if (index.keyOf) return index.keyOf(row).some((v) => v === null);
  for (const c of index.columns) if (row[c] === null || row[c] === undefined) return true;
  return false;
}

/** Appends the row id to a key prefix. */
export function withRowId(prefix: Uint8Array, rowId: number): Uint8Array {
  const n = prefix.length;
  const key = new Uint8Array(n + rowIdSuffixBytes);
  // Short prefixes (the common int/text keys) copy faster by hand than through `set`.
  if (n <= 32) { for (let i = 0; i < n; i++) key[i] = prefix[i]!; }
  else key.set(prefix);
  const low = rowId % 0x1_0000_0000;
  const high = (rowId - low) / 0x1_0000_0000;
  key[n] = high >>> 8;
  key[n + 1] = high;
  key[n + 2] = low >>> 24;
  key[n + 3] = low >>> 16;
  key[n + 4] = low >>> 8;
  key[n + 5] = low;
  return key;
}

/** Reads the row id from the end of an index key. */
export function rowIdOfKey(key: Uint8Array): number {
  let v = 0;
  for (let i = key.length - rowIdSuffixBytes; i < key.length; i++) v = v * 256 + key[i]!;
  return v;
}

/**
 * The smallest byte string greater than every string starting with `prefix`,
 * or undefined when there is none (all 0xff).
 */
export function prefixSuccessor(prefix: Uint8Array): Uint8Array | undefined {
  for (let i = prefix.length - 1; i >= 0; i--) {
    if (prefix[i]! !== 0xff) {
      const out = prefix.slice(0, i + 1);
      out[i]! += 1;
      return out;
    }
  }
  return undefined;
}

let successorBuffer = new Uint8Array(64);
let successorViews: Uint8Array[] = [];

/**
 * Like `prefixSuccessor`, but into a shared buffer: valid only until the next
 * call (for a range scan that uses the bound at once, with no allocation).
 */
export function prefixSuccessorScratch(prefix: Uint8Array): Uint8Array | undefined {
  let i = prefix.length - 1;
  while (i >= 0 && prefix[i]! === 0xff) i--;
  if (i < 0) return undefined;
  if (successorBuffer.length <= i) {
    successorBuffer = new Uint8Array(Math.max(2 * successorBuffer.length, i + 1));
    successorViews = [];
  }
  const out = successorViews[i + 1] ??= successorBuffer.subarray(0, i + 1);
  for (let j = 0; j < i; j++) out[j] = prefix[j]!;
  out[i] = prefix[i]! + 1;
  return out;
}

/** 23505: a unique index already holds the key; names the index and the conflicting version. */
export class UniqueViolationError extends DbError {
  /** For a bulk insert, the position of the failing row among the given rows. */
  rowIndex?: number;
  /** Creates the error; `detail` is set by `uniqueViolation`. */
  constructor(
    message: string,
    /** Name of the unique index (PostgreSQL's constraint field). */
    readonly constraint: string,
    /** Position of the index in `RelationDef.indexes`. */
    readonly indexNo: number,
    /** Row id of the live version holding the key. */
    readonly conflictRowId: number,
  ) {
    super("23505", message);
  }
}

/** The 23505 error for a duplicate key, with PostgreSQL's message and detail. */
export function uniqueViolation(
  rel: RelationDef,
  indexNo: number,
  row: readonly Value[],
  conflictRowId: number,
): UniqueViolationError {
  const index = rel.indexes[indexNo]!;
  const constraint = index.constraint ?? index.name;
  const e = new UniqueViolationError(
    `duplicate key value violates unique constraint "${constraint}"`,
    constraint,
    indexNo,
    conflictRowId,
  );
  const names = (index.keyNames ?? index.columns.map((c) => rel.columnNames[c] ?? `column${c}`))
    .join(", ");
  const values = keyValues(index, row).map(formatValue).join(", ");
  e.detail = `Key (${names})=(${values}) already exists.`;
  return e;
}

/** Text form of a value for error details (close to PostgreSQL's output functions). */
export function formatValue(v: Value): string {
  if (v === null) return "null";
  if (typeof v === "boolean") return v ? "t" : "f";
  if (typeof v === "number" || typeof v === "bigint" || typeof v === "string") return String(v);
  if (v instanceof Numeric) return formatNumeric(v);
  if (v instanceof Uint8Array && !(v instanceof Float32Array)) {
    return "\\x" + Array.from(v, (b) => b.toString(16).padStart(2, "0")).join("");
  }
  if (v instanceof Float32Array) return "[" + Array.from(v).join(",") + "]";
  if (v instanceof Interval) return `${v.months} mons ${v.days} days ${v.micros} us`;
  if (v instanceof Jsonb) {
    return JSON.stringify(v.value, (_k, x) => typeof x === "bigint" ? String(x) : x);
  }
  return "{" + v.map(formatValue).join(",") + "}";
}

function formatNumeric(v: Numeric): string {
  if (v.nan) return "NaN";
  const negative = v.digits < 0n;
  let s = (negative ? -v.digits : v.digits).toString();
  if (v.scale > 0) {
    s = s.padStart(v.scale + 1, "0");
    s = s.slice(0, s.length - v.scale) + "." + s.slice(s.length - v.scale);
  } else if (v.scale < 0) s += "0".repeat(-v.scale);
  return (negative ? "-" : "") + s;
}
