/**
 * MULTI, DISCARD, WATCH and UNWATCH: a client's transaction state. EXEC runs
 * the queue in dispatch.ts, which owns the command table.
 * @module
 */
import { KvEngine } from "./engine.ts";
import { type Handler, key } from "./cmd_util.ts";
import { unwatchAll } from "./cmd_server.ts";
import { watchNotifies } from "./watch_expiry.ts";

/** MULTI. */
export const multi: Handler = (_x, c) => {
  if (c.multi !== null) return c.reply.error("ERR MULTI calls can not be nested");
  c.multi = [];
  c.multiError = false;
  c.reply.ok();
};

/** DISCARD. */
export const discard: Handler = (x, c) => {
  if (c.multi === null) return c.reply.error("ERR DISCARD without MULTI");
  c.multi = null;
  c.multiError = false;
  unwatchAll(x, c);
  c.reply.ok();
};

/** WATCH. */
export const watch: Handler = (x, c, argv) => {
  if (c.multi !== null) return c.reply.error("ERR WATCH inside MULTI is not allowed");
  for (let i = 1; i < argv.length; i++) {
    const name = key(argv, i);
    const q = KvEngine.qualify(c.db, name);
    if (c.watched.has(q)) continue;
    const notifies = watchNotifies(x, c, c.db, q, name);
    c.watched.add(q);
    if (!notifies) continue;
    let set = x.watchers.get(q);
    if (set === undefined) x.watchers.set(q, set = new Set());
    set.add(c);
  }
  c.reply.ok();
};

/** UNWATCH. */
export const unwatch: Handler = (x, c) => {
  unwatchAll(x, c);
  c.reply.ok();
};
