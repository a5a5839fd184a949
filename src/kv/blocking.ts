/**
 * Blocking commands' bookkeeping (BLPOP, BZPOPMIN, XREAD BLOCK, ...): which
 * clients wait on which keys, their timeouts, and serving them once a key
 * they wait on changed. `KvEngine.block`, `unblock`, `blockedKeyHolds` and
 * `serveReadyKeys` call these.
 * @module
 */
import type { BlockState, KvClient } from "./client.ts";
import type { KvEngine } from "./engine.ts";
import type { ValueType } from "./keyspace.ts";

/** Database-qualified key for the WATCH and blocking maps. */
export function qualify(db: number, key: string): string {
  return db + "\u0000" + key;
}

/** Blocks `client` on keys until one is ready or the deadline passes. */
export function blockClient(
  x: KvEngine,
  client: KvClient,
  keys: readonly string[],
  argv: Uint8Array[],
  timeoutMs: number,
  timeoutReply: "nil" | "nullArray" | "zero",
): void {
  const qualified = keys.map((k) => qualify(client.db, k));
  let resolve!: () => void;
  const waiting = new Promise<void>((r) => (resolve = r));
  const state: BlockState = {
    keys: qualified,
    argv: argv.map((a) => a.slice()),
    deadline: timeoutMs > 0 ? x.now + timeoutMs : 0,
    timeoutReply,
    resolve,
    timer: undefined,
  };
  for (const q of qualified) {
    const list = x.blockedOn.get(q);
    if (list === undefined) x.blockedOn.set(q, [client]);
    else if (!list.includes(client)) list.push(client);
  }
  client.blocked = state;
  client.blockedWait = waiting;
  if (timeoutMs > 0) {
    state.timer = setTimeout(() => {
      if (client.blocked !== state) return;
      unblockClient(x, client);
      if (timeoutReply === "nil") client.reply.nil();
      else if (timeoutReply === "zero") client.reply.integer(0);
      else client.reply.nullArray();
      client.transport.flushSoon();
    }, timeoutMs);
  }
}

/** Removes a client from every blocking queue and releases its wait. */
export function unblockClient(x: KvEngine, client: KvClient): void {
  const state = client.blocked;
  if (state === null) return;
  if (state.timer !== undefined) clearTimeout(state.timer);
  for (const q of state.keys) {
    const list = x.blockedOn.get(q);
    if (list === undefined) continue;
    const i = list.indexOf(client);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) x.blockedOn.delete(q);
  }
  client.blocked = null;
  client.blockedWait = null;
  state.resolve();
}

/**
 * Whether a key `client` is blocked on now holds a `type` value. As in
 * Redis, a key that became ready with another type (LPUSH, DEL, SET inside
 * one MULTI) leaves the client blocked rather than failing its command.
 */
export function blockedKeyHolds(x: KvEngine, client: KvClient, type: ValueType): boolean {
  for (const q of client.blocked?.keys ?? []) {
    const cut = q.indexOf("\u0000");
    const e = x.dbs[Number(q.slice(0, cut))]!.lookup(q.slice(cut + 1), x.now, x.loading);
    if (e !== undefined && e.type === type) return true;
  }
  return false;
}

/** Serves clients blocked on keys that became ready, oldest first. */
export function serveReadyKeys(x: KvEngine): void {
  let rounds = 0;
  while (x.readyKeys.size !== 0 && rounds++ < 1000) {
    const keys = [...x.readyKeys];
    x.readyKeys.clear();
    for (const q of keys) {
      const list = x.blockedOn.get(q);
      if (list === undefined) continue;
      for (const client of [...list]) {
        const state = client.blocked;
        if (state === null) continue;
        const savedDb = client.db;
        if (!x.runBlocked(client, state.argv)) continue;
        client.db = savedDb;
        unblockClient(x, client);
        client.transport.flushSoon();
      }
    }
  }
}
