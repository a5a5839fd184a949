/**
 * Test fixtures for the transaction layer: a real page store over the
 * in-memory file system, its transaction manager and `Tables`, and a helper
 * to create relations.
 * @module
 */

import { type SqlType, type Value } from "../../src/common/types.ts";
import type { KeyColumn } from "../../src/storage/key_codec.ts";
import { MemFileSystem } from "../../src/storage/os/mod.ts";
import { openPageStore, type PageStore } from "../../src/storage/page_store.ts";
import {
  createRelationStorage,
  type IndexDef,
  type RelationDef,
  Tables,
  type Txn,
  TxnManager,
} from "../../src/txn/mod.ts";

/** A store with its transaction layer. */
export interface Env {
  readonly fs: MemFileSystem;
  readonly store: PageStore;
  readonly txns: TxnManager;
  readonly tables: Tables;
}

/** Opens (or reopens, after a simulated crash) a store on `fs`. */
export async function openEnv(fs: MemFileSystem = new MemFileSystem()): Promise<Env> {
  const store = await openPageStore({
    fs,
    dataDir: "/db",
    walDir: "/db/wal",
    pageSize: 4096,
    bufferPoolBytes: 4 * 1024 * 1024,
  });
  const txns = TxnManager.open(store);
  return { fs, store, txns, tables: new Tables(store, txns) };
}

/** Index description for `createTable`. */
export interface IndexSpec {
  readonly name: string;
  readonly columns: readonly number[];
  readonly unique?: boolean;
  readonly descending?: readonly boolean[];
  readonly predicate?: (row: readonly Value[]) => boolean;
}

let nextRelId = 1000;

/** Creates a relation with the given columns and indexes. */
export function createTable(
  env: Env,
  name: string,
  columns: readonly [string, SqlType][],
  indexes: readonly IndexSpec[] = [],
): RelationDef {
  const storage = env.store.update((m) => createRelationStorage(m, indexes.length));
  const types = columns.map(([, t]) => t);
  return {
    id: nextRelId++,
    name,
    columnNames: columns.map(([n]) => n),
    types,
    heap: storage.heap,
    indexes: indexes.map((spec, i): IndexDef => ({
      name: spec.name,
      root: storage.indexRoots[i]!,
      columns: spec.columns,
      keyColumns: spec.columns.map((c, k): KeyColumn => ({
        type: types[c]!,
        ...(spec.descending?.[k] ? { descending: true } : {}),
      })),
      unique: spec.unique ?? false,
      ...(spec.predicate ? { predicate: spec.predicate } : {}),
    })),
  };
}

/** Runs one statement's worth of work in `txn` (new command id / snapshot first). */
export function statement<T>(env: Env, txn: Txn, fn: () => T): T {
  env.txns.startStatement(txn);
  return fn();
}

/** All rows of `rel` visible to a new statement of `txn`, sorted by their JSON form. */
export function visibleRows(env: Env, txn: Txn, rel: RelationDef): Value[][] {
  env.txns.startStatement(txn);
  const rows = env.tables.scan(txn, rel).all().rows;
  return rows.sort((a, b) => json(a) < json(b) ? -1 : json(a) > json(b) ? 1 : 0);
}

function json(v: unknown): string {
  return JSON.stringify(v, (_k, x) => typeof x === "bigint" ? `${x}n` : x);
}

/** Runs `fn` in its own transaction and commits it. */
export async function inTxn<T>(
  env: Env,
  fn: (txn: Txn) => Promise<T> | T,
  isolation: "read committed" | "repeatable read" | "serializable" = "read committed",
): Promise<T> {
  const txn = env.txns.begin({ isolation });
  env.txns.startStatement(txn);
  try {
    const result = await fn(txn);
    await env.txns.commit(txn);
    return result;
  } catch (e) {
    env.txns.abort(txn);
    throw e;
  }
}
