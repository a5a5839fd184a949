/**
 * A reply sink that keeps a command's answer as a value tree instead of
 * framing it, so `redis.call` can hand it to Lua. It frames like a client of
 * the script's protocol version (redis.setresp): in RESP2 a map is a flat
 * array, a double a bulk string, a boolean an integer.
 * @module
 */
import type { Reply } from "./reply.ts";
import { formatDouble, fromLatin1, utf8Bytes } from "./bytes.ts";

/** One reply value as a command produced it. */
export type RespValue =
  | { readonly kind: "status"; readonly text: string }
  | { readonly kind: "error"; readonly text: string }
  | { readonly kind: "integer"; readonly value: number | bigint }
  | { readonly kind: "bulk"; readonly bytes: Uint8Array }
  | { readonly kind: "null" }
  /** RESP3's null, which Lua sees as nil (RESP2's null bulk is false). */
  | { readonly kind: "none" }
  | { readonly kind: "nullArray" }
  | { readonly kind: "array"; readonly items: RespValue[] }
  | { readonly kind: "map"; readonly items: RespValue[] }
  | { readonly kind: "set"; readonly items: RespValue[] }
  | { readonly kind: "double"; readonly value: number }
  | { readonly kind: "bool"; readonly value: boolean }
  | { readonly kind: "verbatim"; readonly text: string }
  | { readonly kind: "bigNumber"; readonly digits: string };

interface Open {
  readonly items: RespValue[];
  remaining: number;
}

/** Collects one or more top-level replies as `RespValue`s. */
export class CaptureReply implements Reply {
  errors = 0;
  lastError = "";
  /** Completed top-level values, in order. */
  readonly values: RespValue[] = [];
  readonly #open: Open[] = [];

  constructor(readonly resp: 2 | 3) {}

  #add(v: RespValue): void {
    const top = this.#open[this.#open.length - 1];
    if (top === undefined) {
      this.values.push(v);
      return;
    }
    top.items.push(v);
    top.remaining--;
    this.#close();
  }

  /** Pops aggregates whose elements have all arrived. */
  #close(): void {
    for (;;) {
      const top = this.#open[this.#open.length - 1];
      if (top === undefined || top.remaining > 0) return;
      this.#open.pop();
    }
  }

  #aggregate(kind: "array" | "map" | "set", elements: number): void {
    const items: RespValue[] = [];
    this.#add({ kind, items });
    if (elements === 0) return;
    this.#open.push({ items, remaining: elements });
  }

  ok(): void {
    this.#add({ kind: "status", text: "OK" });
  }
  simple(text: string): void {
    this.#add({ kind: "status", text });
  }
  error(message: string): void {
    this.errors++;
    this.lastError = message;
    this.#add({ kind: "error", text: message });
  }
  integer(value: number | bigint): void {
    this.#add({ kind: "integer", value });
  }
  bulk(bytes: Uint8Array): void {
    this.#add({ kind: "bulk", bytes: bytes.slice() });
  }
  bulkLatin1(text: string): void {
    this.#add({ kind: "bulk", bytes: fromLatin1(text) });
  }
  bulkText(text: string): void {
    this.#add({ kind: "bulk", bytes: utf8Bytes(text) });
  }
  nil(): void {
    this.#add(this.resp === 3 ? { kind: "none" } : { kind: "null" });
  }
  nullArray(): void {
    this.#add(this.resp === 3 ? { kind: "none" } : { kind: "nullArray" });
  }
  array(count: number): void {
    this.#aggregate("array", count);
  }
  map(count: number): void {
    this.#aggregate(this.resp === 3 ? "map" : "array", count * 2);
  }
  set(count: number): void {
    this.#aggregate(this.resp === 3 ? "set" : "array", count);
  }
  push(count: number): void {
    this.#aggregate("array", count);
  }
  double(value: number): void {
    if (this.resp === 3) this.#add({ kind: "double", value });
    else this.bulkLatin1(formatDouble(value));
  }
  bool(value: boolean): void {
    if (this.resp === 3) this.#add({ kind: "bool", value });
    else this.integer(value ? 1 : 0);
  }
  verbatim(text: string): void {
    if (this.resp === 3) this.#add({ kind: "verbatim", text });
    else this.bulkText(text);
  }
  bigNumber(digits: string): void {
    if (this.resp === 3) this.#add({ kind: "bigNumber", digits });
    else this.bulkLatin1(digits);
  }
  /** Attributes are not shown to scripts (as in Redis): their pairs are read and dropped. */
  attribute(count: number): void {
    if (count !== 0) this.#open.push({ items: [], remaining: 2 * count });
  }
}
