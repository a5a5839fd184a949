import assert from "node:assert/strict";
/**
 * Test harness: an in-process engine with clients whose replies are decoded
 * into plain values (strings, numbers, arrays, null, { error }).
 */
import { KvEngine } from "../../src/kv/engine.ts";
import { KvClient } from "../../src/kv/client.ts";
import { defaultKvConfig, type KvConfig } from "../../src/kv/config.ts";
import { attachDispatcher, executeCommand } from "../../src/kv/dispatch.ts";
import type { Reply } from "../../src/kv/reply.ts";
import { fromLatin1, latin1 } from "../../src/kv/bytes.ts";
import type { WalWriter } from "../../src/storage/wal_port.ts";

/** A decoded reply. */
export type Value = string | number | bigint | boolean | null | { error: string } | Value[] | {
  map: [Value, Value][];
};

/** Builds values from the flat header/element stream. */
export class RecordingReply implements Reply {
  resp: 2 | 3 = 2;
  readonly values: Value[] = [];
  /** Pairs of RESP3 attributes received, each as a flat list. */
  readonly attributes: Value[][] = [];
  #stack: { items: Value[]; left: number; kind: "array" | "map" | "attribute" }[] = [];

  #emit(v: Value): void {
    let value = v;
    for (;;) {
      const top = this.#stack[this.#stack.length - 1];
      if (top === undefined) {
        this.values.push(value);
        return;
      }
      top.items.push(value);
      top.left--;
      if (top.left > 0) return;
      this.#stack.pop();
      if (top.kind === "attribute") {
        this.attributes.push(top.items);
        return;
      }
      value = top.kind === "map" ? { map: pairs(top.items) } : top.items;
    }
  }
  #open(count: number, kind: "array" | "map"): void {
    if (count === 0) return this.#emit(kind === "map" ? { map: [] } : []);
    this.#stack.push({ items: [], left: kind === "map" ? count * 2 : count, kind });
  }
  ok(): void {
    this.#emit("OK");
  }
  simple(text: string): void {
    this.#emit(text);
  }
  errors = 0;
  lastError = "";
  error(message: string): void {
    this.errors++;
    this.lastError = message;
    this.#emit({ error: message });
  }
  integer(value: number | bigint): void {
    this.#emit(value);
  }
  bulk(bytes: Uint8Array): void {
    this.#emit(latin1(bytes));
  }
  bulkLatin1(text: string): void {
    this.#emit(text);
  }
  bulkText(text: string): void {
    this.#emit(text);
  }
  nil(): void {
    this.#emit(null);
  }
  nullArray(): void {
    this.#emit(null);
  }
  array(count: number): void {
    this.#open(count, "array");
  }
  map(count: number): void {
    if (this.resp === 3) this.#open(count, "map");
    else this.#open(count * 2, "array");
  }
  set(count: number): void {
    this.#open(count, "array");
  }
  push(count: number): void {
    this.#open(count, "array");
  }
  double(value: number): void {
    this.#emit(this.resp === 3 ? value : String(value));
  }
  bool(value: boolean): void {
    this.#emit(value);
  }
  verbatim(text: string): void {
    this.#emit(text);
  }
  bigNumber(digits: string): void {
    this.#emit(this.resp === 3 ? BigInt(digits) : digits);
  }
  /** An attribute's pairs are kept apart in `attributes`, not among the replies. */
  attribute(count: number): void {
    this.#stack.push({ items: [], left: count * 2, kind: "attribute" });
  }
}

function pairs(items: Value[]): [Value, Value][] {
  const out: [Value, Value][] = [];
  for (let i = 0; i < items.length; i += 2) out.push([items[i]!, items[i + 1]!]);
  return out;
}

/** A WAL that keeps records in memory. */
export class MemoryWal implements WalWriter {
  readonly records: { kind: number; lsn: number; payload: Uint8Array }[] = [];
  endLsn = 0;
  flushedLsn = 0;
  append(kind: number, payload: Uint8Array): number {
    this.endLsn += payload.length + 9;
    this.records.push({ kind, lsn: this.endLsn, payload: payload.slice() });
    return this.endLsn;
  }
  flush(lsn: number): Promise<void> {
    this.flushedLsn = Math.max(this.flushedLsn, lsn);
    return Promise.resolve();
  }
}

/** An engine with a controllable clock and deterministic randomness. */
export class Harness {
  readonly engine: KvEngine;
  nowMs = 1_700_000_000_000;
  /** The monotonic clock commands are timed with (ms). */
  timerMs = 0;
  /** How far the monotonic clock moves at each read: the time every command seems to take. */
  timerStepMs = 0;
  #seed = 42;
  readonly wal = new MemoryWal();

  constructor(config: Partial<KvConfig> = {}) {
    this.engine = new KvEngine(
      { ...defaultKvConfig, ...config },
      () => this.nowMs,
      () => {
        this.#seed = (this.#seed * 1103515245 + 12345) % 2147483648;
        return this.#seed / 2147483648;
      },
      () => (this.timerMs += this.timerStepMs),
    );
    attachDispatcher(this.engine);
    this.engine.wal = this.wal;
  }

  /** Opens a client. */
  client(): TestClient {
    const reply = new RecordingReply();
    const closes = { closed: false };
    const c = new KvClient(
      this.engine.nextClientId++,
      reply,
      {
        setProtocol: (v) => (reply.resp = v),
        closeAfterReply: () => (closes.closed = true),
        flushSoon: () => {},
      },
      "127.0.0.1:1",
      "127.0.0.1:6379",
      this.nowMs,
      this.engine.config.requirepass !== "",
    );
    this.engine.clients.set(c.id, c);
    return new TestClient(this, c, reply);
  }
}

/** A client that runs commands and returns their decoded replies. */
export class TestClient {
  constructor(readonly h: Harness, readonly client: KvClient, readonly reply: RecordingReply) {}

  /** Runs a command; returns its reply (the last value written). */
  run(...args: (string | number)[]): Value {
    const before = this.reply.values.length;
    const wait = executeCommand(this.h.engine, this.client, args.map((a) => fromLatin1(String(a))));
    this.h.engine.commitRecord();
    if (wait !== undefined) wait.catch(() => {});
    const out = this.reply.values.splice(before);
    return out.length === 1 ? out[0]! : out;
  }

  /** Starts a command that may block; returns its promise (undefined when it did not block). */
  start(...args: (string | number)[]): Promise<void> | undefined {
    const wait = executeCommand(this.h.engine, this.client, args.map((a) => fromLatin1(String(a))));
    this.h.engine.commitRecord();
    return wait;
  }

  /** Replies written since the last call. */
  drain(): Value[] {
    return this.reply.values.splice(0);
  }
}

/** Shorthand for an error value. */
/** A flat [field, value, ...] reply (ACL GETUSER, HELLO...) as an object. */
export function mapOf(v: unknown): Record<string, unknown> {
  if (!Array.isArray(v)) throw new Error(`expected an array reply, got ${String(v)}`);
  const out: Record<string, unknown> = {};
  for (let i = 0; i < v.length; i += 2) out[String(v[i])] = v[i + 1];
  return out;
}

export function err(message: string): { error: string } {
  return { error: message };
}

/** Deep strict equality (node:assert; jsr is not reachable here). */
export function assertEquals(actual: unknown, expected: unknown, message?: string): void {
  assert.deepStrictEqual(actual, expected, message);
}
