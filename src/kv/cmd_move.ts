/**
 * MOVE key db: moves a key, with its TTL, to another of the databases. The
 * entry itself changes database (its encoding, LRU/LFU state and expiry go
 * with it). The command line is logged as it is, so WAL replay moves the key
 * again; WATCHers of the key in either database see it change and clients
 * blocked on it in the target database are served.
 * @module
 */
import { parseInt64 } from "./bytes.ts";
import { errors, type Handler, key } from "./cmd_util.ts";
import { notifyFlags as ev } from "./notify.ts";

const int32Max = 2 ** 31 - 1;

const move: Handler = (x, c, argv) => {
  const k = key(argv, 1);
  const n = parseInt64(argv[2]!);
  if (n === null) return c.reply.error(errors.notInteger);
  if (n > int32Max || n < -int32Max - 1) {
    return c.reply.error(
      "ERR value is out of range, value must between -2147483648 and 2147483647",
    );
  }
  const dst = Number(n);
  if (dst < 0 || dst >= x.dbs.length) return c.reply.error(errors.dbRange);
  if (dst === c.db) return c.reply.error("ERR source and destination objects are the same");
  const e = x.lookupWrite(c.db, k);
  if (e === undefined) return c.reply.integer(0);
  if (x.lookupWrite(dst, k) !== undefined) return c.reply.integer(0);
  x.dbs[c.db]!.delete(k);
  x.dbs[dst]!.set(k, e);
  x.keyChanged(c.db, k);
  x.keyChanged(dst, k);
  x.notify(ev.newKey, "new", dst, k);
  x.notify(ev.generic, "move_from", c.db, k);
  x.notify(ev.generic, "move_to", dst, k);
  c.reply.integer(1);
};

/** MOVE by lower-case name. */
export const moveHandlers: Record<string, Handler> = { move };
