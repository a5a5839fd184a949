/**
 * The SQLite side of `bench/storage.ts`: Deno's built-in `node:sqlite`, WAL
 * mode, `synchronous=FULL` (every commit is durable, like ThunderDB's
 * `wal_sync = "fsync"`). Concurrent writers are separate connections in worker
 * threads, as an application would run them.
 */
import { DatabaseSync } from "node:sqlite";

/** Opens a database tuned as the benchmark's anchor. */
export function openSqlite(path: string): DatabaseSync {
  const db = new DatabaseSync(path);
  db.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=60000;");
  db.exec("PRAGMA cache_size=-131072"); // 128 MB, the same as ThunderDB's buffer pool
  db.exec("CREATE TABLE IF NOT EXISTS kv (k BLOB PRIMARY KEY, v BLOB) WITHOUT ROWID");
  return db;
}
