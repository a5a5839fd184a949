/**
 * The message loop over a real engine and an in-memory byte stream: every
 * message already received is answered, in order, and the replies to a batch
 * read at once leave in one write.
 */
import assert from "node:assert/strict";
import { openEngine } from "../../../src/engine/engine.ts";
import { PgConnection } from "../../../src/protocol/pg/connection.ts";
import type { PgEngine, PgTransport } from "../../../src/protocol/pg/mod.ts";
import { pgLimitsDefault } from "../../../src/protocol/pg/mod.ts";
import { frame, i16, i32, splitMessages, startupMessage } from "./_wire.ts";

/** A byte stream fed by the test; it records every write the connection makes. */
class MemoryTransport implements PgTransport {
  readonly writes: Uint8Array[] = [];
  #pending: Uint8Array[] = [];
  #wake: (() => void) | null = null;
  #closed = false;

  push(bytes: Uint8Array): void {
    this.#pending.push(bytes);
    this.#wake?.();
  }

  async read(p: Uint8Array): Promise<number | null> {
    while (this.#pending.length === 0) {
      if (this.#closed) return null;
      await new Promise<void>((resolve) => this.#wake = resolve);
      this.#wake = null;
    }
    const head = this.#pending[0]!;
    const n = Math.min(head.length, p.length);
    p.set(head.subarray(0, n));
    if (n === head.length) this.#pending.shift();
    else this.#pending[0] = head.subarray(n);
    return n;
  }

  write(p: Uint8Array): Promise<number> {
    this.writes.push(p.slice());
    return Promise.resolve(p.length);
  }

  close(): void {
    this.#closed = true;
    this.#wake?.();
  }

  /** Backend message types of all writes from `from` on. */
  types(from: number): string {
    const all = this.writes.slice(from);
    return all.map((w) => splitMessages(w).messages.map((m) => m.type).join("")).join("");
  }
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

/** Parse (unnamed), Bind with one text parameter, Execute, Sync. */
function selectParam(sql: string, value: string): Uint8Array[] {
  const v = new TextEncoder().encode(value);
  return [
    frame("P", "", sql, i16(0)),
    frame("B", "", "", i16(0), i16(1), i32(v.length), [...v], i16(0)),
    frame("E", "", i32(0)),
    frame("S"),
  ];
}

async function until(cond: () => boolean, state: () => string): Promise<void> {
  for (let i = 0; i < 400 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(cond(), `timed out waiting for the connection; it sent ${state()}`);
}

Deno.test("pipelined batches over a real engine: answered in order, one write per read until a statement suspends", async () => {
  const engine = await openEngine({ memory: true });
  const pgEngine: PgEngine = {
    openSession: (p) => Promise.resolve(engine.openSession({ user: p.user, database: p.database })),
    cancel: () => {},
  };
  const transport = new MemoryTransport();
  const conn = new PgConnection(transport, {
    engine: pgEngine,
    auth: { method: "trust", lookup: () => undefined },
    limits: pgLimitsDefault,
    serverVersion: "15.0",
    admit: () => true,
    release: () => {},
  });
  const running = conn.run();
  try {
    transport.push(startupMessage({ user: "alice", database: "thunder" }));
    await until(() => transport.types(0).endsWith("Z"), () => transport.types(0));
    const start = transport.writes.length;
    transport.push(concat([
      ...selectParam("SELECT $1::int + 1", "41"),
      frame("Q", "SELECT 'two'"),
      frame("B", "", "missing", i16(0), i16(0), i16(0)), // unknown statement: error
      frame("E", "", i32(0)), // skipped until Sync
      frame("S"),
      ...selectParam("SELECT $1::text", "three"),
      frame("Q", "BEGIN; CREATE TABLE pipe (a int); SELECT 4; COMMIT"),
    ]));
    await until(
      () => transport.types(start).split("Z").length === 6,
      () => transport.types(start),
    );
    // ParseComplete, BindComplete, DataRow, CommandComplete, ReadyForQuery, ...
    assert.equal(transport.types(start), "12DCZ" + "TDCZ" + "EZ" + "12DCZ" + "CCTDCCZ");
    // One write for everything up to the block's CREATE TABLE, which suspends
    // (DDL takes the general path): the replies before it (BEGIN's too) leave
    // then, the rest after.
    assert.equal(transport.writes.length, start + 2);
    assert.equal(transport.types(start + 1), "CTDCCZ");
    const rows = transport.writes.slice(start).flatMap((w) =>
      splitMessages(w).messages.filter((m) => m.type === "D")
    );
    const text = rows.map((m) => new TextDecoder().decode(m.body.subarray(6)));
    assert.deepEqual(text, ["42", "two", "three", "4"]);
    transport.push(frame("X"));
    await running;
  } finally {
    conn.close();
    await running;
    await engine.close();
  }
});
