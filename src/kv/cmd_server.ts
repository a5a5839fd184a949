/**
 * Connection and server commands: PING, ECHO, AUTH, HELLO, SELECT, CLIENT,
 * TIME, DBSIZE, FLUSHDB/FLUSHALL, SWAPDB, SAVE/BGSAVE/LASTSAVE, QUIT, RESET.
 * INFO, CONFIG and COMMAND are in cmd_admin.ts.
 * @module
 */
import type { KvClient } from "./client.ts";
import type { KvEngine } from "./engine.ts";
import { latin1 } from "./bytes.ts";
import { errors, type Handler, intArg, opt } from "./cmd_util.ts";
import { unsubscribeAll } from "./cmd_pubsub.ts";
import { stopMonitoring } from "./monitor.ts";
import { leavePause } from "./pause.ts";
import { authenticate, defaultUser, wrongPass } from "./auth.ts";

/** Version reported to clients (HELLO, INFO). */
export const redisVersion = "7.0.15";

const ping: Handler = (_x, c, argv) => {
  if (argv.length > 2) return c.reply.error("ERR wrong number of arguments for 'ping' command");
  if (c.reply.resp === 2 && c.subscriptionCount > 0) {
    c.reply.array(2);
    c.reply.bulkText("pong");
    if (argv.length === 2) c.reply.bulk(argv[1]!);
    else c.reply.bulkText("");
    return;
  }
  if (argv.length === 2) c.reply.bulk(argv[1]!);
  else c.reply.simple("PONG");
};

const echo: Handler = (_x, c, argv) => c.reply.bulk(argv[1]!);

const auth: Handler = (x, c, argv) => {
  if (argv.length > 3) return c.reply.error(errors.syntax);
  if (argv.length === 2 && x.acl.defaultUser.nopass) {
    return c.reply.error(
      "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?",
    );
  }
  const user = argv.length === 3 ? latin1(argv[1]!) : defaultUser;
  if (!authenticate(x, c, user, latin1(argv[argv.length - 1]!))) {
    return c.reply.error(wrongPass);
  }
  c.reply.ok();
};

/** Client names may not contain spaces or control characters. */
function validName(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    if (code < 33 || code > 126) return false;
  }
  return true;
}

const nameError = "ERR Client names cannot contain spaces, newlines or special characters.";

const hello: Handler = (x, c, argv) => {
  let proto = c.reply.resp as number;
  let i = 1;
  if (argv.length >= 2) {
    const v = intArg(c, argv[1]!, "ERR Protocol version is not an integer or out of range");
    if (v === null) return;
    if (v !== 2 && v !== 3) return c.reply.error("NOPROTO unsupported protocol version");
    proto = v;
    i = 2;
  }
  let name: string | null = null;
  for (; i < argv.length; i++) {
    const w = opt(argv, i);
    if (w === "AUTH" && i + 2 < argv.length) {
      if (!authenticate(x, c, latin1(argv[i + 1]!), latin1(argv[i + 2]!))) {
        return c.reply.error(wrongPass);
      }
      i += 2;
    } else if (w === "SETNAME" && i + 1 < argv.length) {
      name = latin1(argv[++i]!);
      if (!validName(name)) return c.reply.error(nameError);
    } else return c.reply.error(`ERR Syntax error in HELLO option '${latin1(argv[i]!)}'`);
  }
  if (!c.authenticated) {
    return c.reply.error(
      "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time",
    );
  }
  if (name !== null) c.name = name;
  c.resp = proto as 2 | 3;
  c.transport.setProtocol(c.resp);
  c.reply.map(7);
  c.reply.bulkText("server");
  c.reply.bulkText("redis");
  c.reply.bulkText("version");
  c.reply.bulkText(redisVersion);
  c.reply.bulkText("proto");
  c.reply.integer(proto);
  c.reply.bulkText("id");
  c.reply.integer(c.id);
  c.reply.bulkText("mode");
  c.reply.bulkText("standalone");
  c.reply.bulkText("role");
  c.reply.bulkText("master");
  c.reply.bulkText("modules");
  c.reply.array(0);
};

const select: Handler = (x, c, argv) => {
  const n = intArg(c, argv[1]!);
  if (n === null) return;
  if (n < 0 || n >= x.dbs.length) return c.reply.error(errors.dbRange);
  c.db = n;
  c.reply.ok();
};

const quit: Handler = (_x, c) => {
  c.reply.ok();
  c.transport.closeAfterReply();
};

/** Resets a client's state as RESET does (also used on disconnect). */
export function resetClient(x: KvEngine, c: KvClient): void {
  c.multi = null;
  c.multiError = false;
  unwatchAll(x, c);
  unsubscribeAll(x, c, false);
  stopMonitoring(x, c);
  x.unblock(c);
  leavePause(x, c);
  c.db = 0;
  c.name = "";
  c.noEvict = false;
  c.authenticated = x.acl.defaultOpen;
  c.user = defaultUser;
  c.aclUser = null;
  x.tracking.disable(c);
  c.resp = 2;
  c.transport.setProtocol(2);
}

/** Forgets a client's WATCHed keys. */
export function unwatchAll(x: KvEngine, c: KvClient): void {
  for (const q of c.watched) {
    const set = x.watchers.get(q);
    if (set === undefined) continue;
    set.delete(c);
    if (set.size === 0) x.watchers.delete(q);
  }
  c.watched.clear();
  c.dirtyCas = false;
}

const reset: Handler = (x, c) => {
  resetClient(x, c);
  c.reply.simple("RESET");
};

const time: Handler = (x, c) => {
  const ms = x.clock();
  c.reply.array(2);
  c.reply.bulkText(String(Math.floor(ms / 1000)));
  c.reply.bulkText(String((ms % 1000) * 1000));
};

const dbsize: Handler = (x, c) => c.reply.integer(x.dbs[c.db]!.size);

function flushDb(x: KvEngine, db: number): void {
  x.databaseChanged(db);
  x.dbs[db]!.clear();
  x.stats.dirty++;
}

const flush = (all: boolean): Handler => (x, c, argv) => {
  if (argv.length > 2 || (argv.length === 2 && !["ASYNC", "SYNC"].includes(opt(argv, 1)))) {
    return c.reply.error(errors.syntax);
  }
  if (all) { for (let i = 0; i < x.dbs.length; i++) flushDb(x, i); }
  else flushDb(x, c.db);
  // As Redis: tracking clients drop their whole cache (keys are tracked without their database).
  x.tracking.flushed();
  c.reply.ok();
};

const swapdb: Handler = (x, c, argv) => {
  const a = intArg(c, argv[1]!, "ERR invalid first DB index");
  if (a === null) return;
  const b = intArg(c, argv[2]!, "ERR invalid second DB index");
  if (b === null) return;
  if (a < 0 || b < 0 || a >= x.dbs.length || b >= x.dbs.length) {
    return c.reply.error(errors.dbRange);
  }
  if (a !== b) {
    x.databaseChanged(a, b);
    x.databaseChanged(b, a);
    const da = x.dbs[a]!;
    const dbb = x.dbs[b]!;
    x.dbs[a] = dbb;
    x.dbs[b] = da;
    dbb.index = a;
    da.index = b;
  }
  c.reply.ok();
};

const save: Handler = async (x, c) => {
  if (x.checkpoint === null) return c.reply.error("ERR This server has no storage to save to");
  try {
    await x.checkpoint();
    c.reply.ok();
  } catch (e) {
    // The failure is reported to the client; the server keeps running.
    c.reply.error(`ERR ${e instanceof Error ? e.message : String(e)}`);
  }
};

const bgsave: Handler = (x, c) => {
  if (x.checkpoint !== null) {
    x.checkpoint().catch(() => {
      // Recorded in stats.lastSaveOk by the checkpoint itself.
    });
  }
  c.reply.simple("Background saving started");
};

/**
 * BGREWRITEAOF: ThunderDB's log is compacted by a snapshot (the WAL before it
 * is then no longer needed for recovery), so a rewrite is a background save.
 */
const bgrewriteaof: Handler = (x, c) => {
  if (x.checkpoint === null) return c.reply.error("ERR This server has no storage to rewrite");
  x.checkpoint().catch(() => {
    // Recorded in stats.lastSaveOk by the checkpoint itself.
  });
  c.reply.simple("Background append only file rewriting started");
};

const lastsave: Handler = (x, c) => c.reply.integer(Math.floor(x.stats.lastSaveMs / 1000));

/** Server command handlers by lower-case name. */
export const serverHandlers: Record<string, Handler> = {
  ping,
  echo,
  auth,
  hello,
  select,
  quit,
  reset,
  time,
  dbsize,
  flushdb: flush(false),
  flushall: flush(true),
  swapdb,
  save,
  bgsave,
  bgrewriteaof,
  lastsave,
};
