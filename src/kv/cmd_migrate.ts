/**
 * MIGRATE host port key|"" destination-db timeout [COPY] [REPLACE]
 * [AUTH password] [AUTH2 username password] [KEYS key...]: DUMPs the keys,
 * sends AUTH, SELECT and one RESTORE per key pipelined over a cached
 * connection to the target (see migrate_link.ts), and deletes each key the
 * target accepted unless COPY. Replies as Redis 7.0 does: +NOKEY when no key
 * exists, IOERR texts for connection trouble, the target's first error.
 * Unlike Redis the server does not stall while the target answers: the
 * values are taken when the command starts, and a key changed meanwhile is
 * not deleted.
 * @module
 */
import type { KvClient } from "./client.ts";
import type { KvEngine } from "./engine.ts";
import { fromLatin1, joinBytes, latin1, parseInt64 } from "./bytes.ts";
import { errors, type Handler, key, opt } from "./cmd_util.ts";
import type { Entry } from "./keyspace.ts";
import { MigrateIoError, type MigrateLink, migrateLink } from "./migrate_link.ts";
import { notifyFlags as ev } from "./notify.ts";
import { encodeRdbPayload } from "./rdb_encode.ts";

/** MIGRATE's parsed arguments. */
interface MigrateArgs {
  readonly host: string;
  readonly port: number;
  readonly db: number;
  readonly timeoutMs: number;
  readonly copy: boolean;
  readonly replace: boolean;
  /** [password] or [username, password] when AUTH or AUTH2 is given. */
  readonly auth: readonly Uint8Array[];
  readonly keys: readonly string[];
}

/** Parses MIGRATE's arguments; null after replying the error. */
function parseMigrate(c: KvClient, argv: Uint8Array[]): MigrateArgs | null {
  let copy = false;
  let replace = false;
  let auth: Uint8Array[] = [];
  let keys = [key(argv, 3)];
  for (let j = 6; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const w = opt(argv, j);
    if (w === "COPY") copy = true;
    else if (w === "REPLACE") replace = true;
    else if (w === "AUTH" && more >= 1) auth = [argv[++j]!];
    else if (w === "AUTH2" && more >= 2) auth = [argv[++j]!, argv[++j]!];
    else if (w === "KEYS") {
      if (argv[3]!.length !== 0) {
        c.reply.error(
          "ERR When using MIGRATE KEYS option, the key argument must be set to the empty string",
        );
        return null;
      }
      keys = argv.slice(j + 1).map((a) => latin1(a));
      break;
    } else {
      c.reply.error(errors.syntax);
      return null;
    }
  }
  const timeout = parseInt64(argv[5]!);
  const db = parseInt64(argv[4]!);
  const port = parseInt64(argv[2]!);
  if (timeout === null || db === null || port === null) {
    c.reply.error(errors.notInteger);
    return null;
  }
  const timeoutMs = Number(timeout) <= 0 ? 1000 : Math.min(Number(timeout), 2 ** 31 - 1);
  const host = latin1(argv[1]!);
  return { host, port: Number(port), db: Number(db), timeoutMs, copy, replace, auth, keys };
}

/** RESP encoding of one command. */
function command(parts: readonly Uint8Array[]): Uint8Array[] {
  const out = [fromLatin1(`*${parts.length}\r\n`)];
  for (const p of parts) out.push(fromLatin1(`$${p.length}\r\n`), p, fromLatin1("\r\n"));
  return out;
}

/** A key to send: its entry (to see whether it changed meanwhile) and its RESTORE. */
interface Outgoing {
  readonly key: string;
  readonly entry: Entry;
  readonly restore: Uint8Array[];
}

function outgoing(x: KvEngine, c: KvClient, a: MigrateArgs): Outgoing[] {
  const out: Outgoing[] = [];
  for (const k of a.keys) {
    const e = x.lookupRead(c.db, k);
    if (e === undefined) continue;
    // The TTL left, at least 1 ms, as Redis sends it.
    const ttl = e.expireAt === 0 ? 0 : Math.max(1, e.expireAt - x.now);
    const parts = [fromLatin1("RESTORE"), fromLatin1(k), fromLatin1(String(ttl))];
    parts.push(encodeRdbPayload(e.type, e.value));
    if (a.replace) parts.push(fromLatin1("REPLACE"));
    out.push({ key: k, entry: e, restore: command(parts) });
  }
  return out;
}

/** Sends the batch and reads the replies: the first error, or null, and the keys accepted. */
async function exchange(
  link: MigrateLink,
  a: MigrateArgs,
  batch: readonly Outgoing[],
): Promise<{ error: string | null; accepted: string[] }> {
  const select = link.lastDb !== a.db;
  const chunks: Uint8Array[] = [];
  if (a.auth.length > 0) chunks.push(...command([fromLatin1("AUTH"), ...a.auth]));
  if (select) chunks.push(...command([fromLatin1("SELECT"), fromLatin1(String(a.db))]));
  for (const o of batch) chunks.push(...o.restore);
  await link.write(joinBytes(chunks), a.timeoutMs);
  const authReply = a.auth.length > 0 ? await link.readLine(a.timeoutMs) : "+OK";
  const selectReply = select ? await link.readLine(a.timeoutMs) : "+OK";
  let error: string | null = null;
  const accepted: string[] = [];
  for (const o of batch) {
    const reply = await link.readLine(a.timeoutMs);
    const failed = [authReply, selectReply, reply].find((r) => r.startsWith("-"));
    if (failed !== undefined) {
      error ??= `ERR Target instance replied with error: ${failed.slice(1)}`;
    } else accepted.push(o.key);
  }
  link.lastDb = error === null ? a.db : -1;
  return { error, accepted };
}

/** Deletes the migrated keys that still hold what was sent, logging a DEL. */
function deleteMigrated(
  x: KvEngine,
  c: KvClient,
  batch: readonly Outgoing[],
  keys: string[],
): void {
  const deleted: Uint8Array[] = [];
  for (const k of keys) {
    const o = batch.find((b) => b.key === k)!;
    if (x.lookupWrite(c.db, k) !== o.entry || !x.deleteKey(c.db, k)) continue;
    x.notify(ev.generic, "del", c.db, k);
    deleted.push(fromLatin1(k));
  }
  if (deleted.length > 0) x.propagate(c.db, [fromLatin1("DEL"), ...deleted]);
}

const migrate: Handler = (x, c, argv) => {
  const a = parseMigrate(c, argv);
  if (a === null) return;
  const batch = outgoing(x, c, a);
  if (batch.length === 0) return c.reply.simple("NOKEY");
  return run(x, c, a, batch);
};

async function run(x: KvEngine, c: KvClient, a: MigrateArgs, batch: Outgoing[]): Promise<void> {
  // As Redis: one retry on a fresh connection after an I/O error that was not a timeout.
  for (let attempt = 0;; attempt++) {
    let link: MigrateLink;
    try {
      link = await migrateLink(x, a, a.timeoutMs);
    } catch (e) {
      if (!(e instanceof MigrateIoError)) throw e;
      if (e.step === "connecting") {
        return c.reply.error("IOERR error or timeout connecting to the client");
      }
      if (attempt > 0) return c.reply.error(`IOERR error or timeout ${e.step} to target instance`);
      continue;
    }
    try {
      const { error, accepted } = await exchange(link, a, batch);
      link.touch();
      if (!a.copy) deleteMigrated(x, c, batch, accepted);
      return error === null ? c.reply.ok() : c.reply.error(error);
    } catch (e) {
      if (!(e instanceof MigrateIoError)) throw e;
      link.close();
      if (e.timedOut || attempt > 0) {
        return c.reply.error(`IOERR error or timeout ${e.step} to target instance`);
      }
    }
  }
}

/** MIGRATE by lower-case name. */
export const migrateHandlers: Record<string, Handler> = { migrate };
