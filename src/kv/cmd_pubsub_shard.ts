/**
 * Sharded publish/subscribe (Redis 7): SSUBSCRIBE, SUNSUBSCRIBE, SPUBLISH
 * and PUBSUB SHARDCHANNELS / SHARDNUMSUB. ThunderDB's Redis listener is one
 * shard holding every slot, so shard channels are a namespace of their own
 * beside the classic channels: SPUBLISH reaches SSUBSCRIBErs only.
 * @module
 */
import type { KvClient } from "./client.ts";
import type { KvEngine } from "./engine.ts";
import { type Handler, key } from "./cmd_util.ts";
import { globMatch } from "./glob.ts";
import { latin1 } from "./bytes.ts";

function replyEvent(c: KvClient, kind: string, name: string | null): void {
  c.reply.push(3);
  c.reply.bulkText(kind);
  if (name === null) c.reply.nil();
  else c.reply.bulkLatin1(name);
  c.reply.integer(c.shardChannels.size);
}

const ssubscribe: Handler = (x, c, argv) => {
  for (let i = 1; i < argv.length; i++) {
    const name = key(argv, i);
    if (!c.shardChannels.has(name)) {
      c.shardChannels.add(name);
      let set = x.shardChannels.get(name);
      if (set === undefined) x.shardChannels.set(name, set = new Set());
      set.add(c);
    }
    replyEvent(c, "ssubscribe", name);
  }
};

/** Removes one shard subscription of a client; returns true when it existed. */
function drop(x: KvEngine, c: KvClient, name: string): boolean {
  if (!c.shardChannels.delete(name)) return false;
  const set = x.shardChannels.get(name);
  if (set !== undefined) {
    set.delete(c);
    if (set.size === 0) x.shardChannels.delete(name);
  }
  return true;
}

/** Drops every shard subscription of a client (RESET, disconnect), replying when `notify`. */
export function sunsubscribeAll(x: KvEngine, c: KvClient, notify: boolean): void {
  for (const name of [...c.shardChannels]) {
    drop(x, c, name);
    if (notify) replyEvent(c, "sunsubscribe", name);
  }
}

const sunsubscribe: Handler = (x, c, argv) => {
  if (argv.length === 1) {
    if (c.shardChannels.size === 0) return replyEvent(c, "sunsubscribe", null);
    return sunsubscribeAll(x, c, true);
  }
  for (let i = 1; i < argv.length; i++) {
    const name = key(argv, i);
    drop(x, c, name);
    replyEvent(c, "sunsubscribe", name);
  }
};

/** Delivers a shard message; returns the number of receiving clients. */
export function spublish(x: KvEngine, channel: string, message: Uint8Array): number {
  const subs = x.shardChannels.get(channel);
  if (subs === undefined) return 0;
  for (const s of subs) {
    s.reply.push(3);
    s.reply.bulkText("smessage");
    s.reply.bulkLatin1(channel);
    s.reply.bulk(message);
    s.transport.flushSoon();
  }
  return subs.size;
}

const spublishCmd: Handler = (x, c, argv) => {
  c.reply.integer(spublish(x, key(argv, 1), argv[2]!));
};

/** PUBSUB SHARDCHANNELS [pattern]. */
export function shardChannelsReply(x: KvEngine, c: KvClient, argv: Uint8Array[]): void {
  const pattern = argv.length === 3 ? latin1(argv[2]!) : null;
  const names = [...x.shardChannels.keys()].filter((n) =>
    pattern === null || globMatch(pattern, n)
  );
  c.reply.array(names.length);
  for (const n of names) c.reply.bulkLatin1(n);
}

/** PUBSUB SHARDNUMSUB [channel ...]. */
export function shardNumsubReply(x: KvEngine, c: KvClient, argv: Uint8Array[]): void {
  c.reply.array((argv.length - 2) * 2);
  for (let i = 2; i < argv.length; i++) {
    c.reply.bulk(argv[i]!);
    c.reply.integer(x.shardChannels.get(key(argv, i))?.size ?? 0);
  }
}

/** Sharded pub/sub handlers by lower-case name. */
export const shardPubsubHandlers: Record<string, Handler> = {
  ssubscribe,
  sunsubscribe,
  spublish: spublishCmd,
};
