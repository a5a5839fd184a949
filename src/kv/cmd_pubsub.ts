/**
 * Publish/subscribe: channel and pattern subscriptions, PUBLISH fan-out as
 * RESP2 arrays or RESP3 push messages, PUBSUB introspection.
 * @module
 */
import type { KvClient } from "./client.ts";
import type { KvEngine } from "./engine.ts";
import { type Handler, key, opt, subcommandError } from "./cmd_util.ts";
import { globMatch } from "./glob.ts";
import { latin1 } from "./bytes.ts";
import { shardChannelsReply, shardNumsubReply, sunsubscribeAll } from "./cmd_pubsub_shard.ts";

/** The count a (P)SUBSCRIBE reply carries: classic channels and patterns, not shard channels. */
function classicCount(c: KvClient): number {
  return c.channels.size + c.patterns.size;
}

function replyEvent(c: KvClient, kind: string, name: string | null, count: number): void {
  c.reply.push(3);
  c.reply.bulkText(kind);
  if (name === null) c.reply.nil();
  else c.reply.bulkLatin1(name);
  c.reply.integer(count);
}

function registry(x: KvEngine, pattern: boolean): Map<string, Set<KvClient>> {
  return pattern ? x.patterns : x.channels;
}

const subscribe = (pattern: boolean): Handler => (x, c, argv) => {
  const mine = pattern ? c.patterns : c.channels;
  const reg = registry(x, pattern);
  for (let i = 1; i < argv.length; i++) {
    const name = key(argv, i);
    if (!mine.has(name)) {
      mine.add(name);
      let set = reg.get(name);
      if (set === undefined) reg.set(name, set = new Set());
      set.add(c);
    }
    replyEvent(c, pattern ? "psubscribe" : "subscribe", name, classicCount(c));
  }
};

/** Removes one subscription of a client; returns true when it existed. */
function drop(x: KvEngine, c: KvClient, name: string, pattern: boolean): boolean {
  const mine = pattern ? c.patterns : c.channels;
  if (!mine.delete(name)) return false;
  const reg = registry(x, pattern);
  const set = reg.get(name);
  if (set !== undefined) {
    set.delete(c);
    if (set.size === 0) reg.delete(name);
  }
  return true;
}

/** Unsubscribes a client from everything (RESET, disconnect), replying when `notify`. */
export function unsubscribeAll(x: KvEngine, c: KvClient, notify: boolean): void {
  for (const pattern of [false, true]) {
    const names = [...(pattern ? c.patterns : c.channels)];
    for (const name of names) {
      drop(x, c, name, pattern);
      if (notify) {
        replyEvent(c, pattern ? "punsubscribe" : "unsubscribe", name, classicCount(c));
      }
    }
  }
  sunsubscribeAll(x, c, notify);
}

const unsubscribe = (pattern: boolean): Handler => (x, c, argv) => {
  const kind = pattern ? "punsubscribe" : "unsubscribe";
  const mine = pattern ? c.patterns : c.channels;
  if (argv.length === 1) {
    if (mine.size === 0) return replyEvent(c, kind, null, classicCount(c));
    for (const name of [...mine]) {
      drop(x, c, name, pattern);
      replyEvent(c, kind, name, classicCount(c));
    }
    return;
  }
  for (let i = 1; i < argv.length; i++) {
    const name = key(argv, i);
    drop(x, c, name, pattern);
    replyEvent(c, kind, name, classicCount(c));
  }
};

/** Delivers a message; returns the number of receiving clients. */
export function publish(x: KvEngine, channel: string, message: Uint8Array): number {
  let n = 0;
  const subs = x.channels.get(channel);
  if (subs !== undefined) {
    for (const s of subs) {
      s.reply.push(3);
      s.reply.bulkText("message");
      s.reply.bulkLatin1(channel);
      s.reply.bulk(message);
      s.transport.flushSoon();
      n++;
    }
  }
  for (const [pattern, set] of x.patterns) {
    if (!globMatch(pattern, channel)) continue;
    for (const s of set) {
      s.reply.push(4);
      s.reply.bulkText("pmessage");
      s.reply.bulkLatin1(pattern);
      s.reply.bulkLatin1(channel);
      s.reply.bulk(message);
      s.transport.flushSoon();
      n++;
    }
  }
  return n;
}

const publishCmd: Handler = (x, c, argv) => {
  c.reply.integer(publish(x, key(argv, 1), argv[2]!));
};

const pubsub: Handler = (x, c, argv) => {
  const sub = opt(argv, 1);
  if (sub === "CHANNELS" && argv.length <= 3) {
    const pattern = argv.length === 3 ? latin1(argv[2]!) : null;
    const names = [...x.channels.keys()].filter((n) => pattern === null || globMatch(pattern, n));
    c.reply.array(names.length);
    for (const n of names) c.reply.bulkLatin1(n);
  } else if (sub === "NUMSUB") {
    c.reply.array((argv.length - 2) * 2);
    for (let i = 2; i < argv.length; i++) {
      c.reply.bulk(argv[i]!);
      c.reply.integer(x.channels.get(key(argv, i))?.size ?? 0);
    }
  } else if (sub === "NUMPAT" && argv.length === 2) {
    c.reply.integer(x.patterns.size);
  } else if (sub === "SHARDCHANNELS" && argv.length <= 3) {
    shardChannelsReply(x, c, argv);
  } else if (sub === "SHARDNUMSUB") {
    shardNumsubReply(x, c, argv);
  } else {
    subcommandError(c, "PUBSUB", argv, [
      "CHANNELS",
      "NUMSUB",
      "NUMPAT",
      "SHARDCHANNELS",
      "SHARDNUMSUB",
      "HELP",
    ]);
  }
};

/** Pub/sub handlers by lower-case name. */
export const pubsubHandlers: Record<string, Handler> = {
  subscribe: subscribe(false),
  psubscribe: subscribe(true),
  unsubscribe: unsubscribe(false),
  punsubscribe: unsubscribe(true),
  publish: publishCmd,
  pubsub,
};
