/// <reference lib="deno.worker" />
/**
 * One SQLite writer of `bench/storage.ts`: its own connection, one durable
 * autocommit insert at a time, for the given number of seconds.
 */
import { openSqlite } from "./_sqlite_side.ts";

self.onmessage = (event: MessageEvent<{ path: string; seconds: number; base: number }>) => {
  const { path, seconds, base } = event.data;
  const db = openSqlite(path);
  const insert = db.prepare("INSERT INTO kv (k, v) VALUES (?, ?)");
  const value = new Uint8Array(100).fill(7);
  const k = new Uint8Array(8);
  const view = new DataView(k.buffer);
  let commits = 0;
  const deadline = performance.now() + seconds * 1000;
  while (performance.now() < deadline) {
    view.setBigUint64(0, BigInt(base + commits));
    insert.run(k, value);
    commits++;
  }
  db.close();
  self.postMessage(commits);
};
