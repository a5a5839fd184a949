/**
 * Raw-protocol round trips for comparing ThunderDB's binary format with
 * PostgreSQL's byte for byte: Parse with declared parameter types, Bind with
 * binary parameters and binary results, Execute, Sync.
 * @module
 */
import { frame, i16, i32, RawClient, startupMessage } from "../../protocol/pg/_wire.ts";
import type { Target } from "./_support.ts";

const enc = new TextEncoder();

/** A parameter: its type OID and its binary encoding. */
export interface BinaryParam {
  readonly oid: number;
  readonly bytes: readonly number[];
}

/** What a server answered: result type OIDs and DataRow bodies in hex, or the SQLSTATE. */
export type BinaryOutcome = { readonly types: number[]; readonly rows: string[] } | {
  readonly error: string;
};

function hex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function errorCode(body: Uint8Array): string {
  let pos = 0;
  while (pos < body.length && body[pos] !== 0) {
    const end = body.indexOf(0, pos + 1);
    if (body[pos] === 0x43) return new TextDecoder().decode(body.subarray(pos + 1, end));
    pos = end + 1;
  }
  return "?";
}

/** Runs `sql` with binary parameters and binary results on `target`. */
export async function binaryQuery(
  target: Target,
  sql: string,
  params: readonly BinaryParam[],
): Promise<BinaryOutcome> {
  const c = await RawClient.connect(target.port);
  try {
    await c.send(startupMessage({ user: target.user, database: target.database }));
    await c.until("Z");
    const paramBytes = params.flatMap((p) => [...i32(p.bytes.length), ...p.bytes]);
    await c.send(frame("P", "", sql, i16(params.length), params.flatMap((p) => i32(p.oid))));
    await c.send(
      frame(
        "B",
        "",
        "",
        i16(1),
        i16(1),
        i16(params.length),
        paramBytes,
        i16(1),
        i16(1),
      ),
    );
    await c.send(frame("D", [0x50], ""));
    await c.send(frame("E", "", i32(0)));
    await c.send(frame("S"));
    const messages = await c.until("Z");
    const failed = messages.find((m) => m.type === "E");
    if (failed) return { error: errorCode(failed.body) };
    const description = messages.find((m) => m.type === "T");
    const types: number[] = [];
    if (description) {
      const dv = new DataView(description.body.buffer, description.body.byteOffset);
      let pos = 2;
      for (let i = 0; i < dv.getInt16(0); i++) {
        pos = description.body.indexOf(0, pos) + 1;
        types.push(dv.getInt32(pos + 6));
        pos += 18;
      }
    }
    const rows = messages.filter((m) => m.type === "D").map((m) => hex(m.body));
    await c.send(frame("X"));
    return { types, rows };
  } finally {
    c.close();
  }
}

/** Binary encodings of parameter values, as PostgreSQL's send functions write them. */
export const binary = {
  int2: (n: number): BinaryParam => ({ oid: 21, bytes: i16(n) }),
  int4: (n: number): BinaryParam => ({ oid: 23, bytes: i32(n) }),
  int8: (n: bigint): BinaryParam => {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigInt64(0, n);
    return { oid: 20, bytes: [...b] };
  },
  float4: (n: number): BinaryParam => {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, n);
    return { oid: 700, bytes: [...b] };
  },
  float8: (n: number): BinaryParam => {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, n);
    return { oid: 701, bytes: [...b] };
  },
  bool: (v: boolean): BinaryParam => ({ oid: 16, bytes: [v ? 1 : 0] }),
  text: (s: string): BinaryParam => ({ oid: 25, bytes: [...enc.encode(s)] }),
  bytea: (b: readonly number[]): BinaryParam => ({ oid: 17, bytes: [...b] }),
  jsonb: (s: string): BinaryParam => ({ oid: 3802, bytes: [1, ...enc.encode(s)] }),
  uuid: (s: string): BinaryParam => ({
    oid: 2950,
    bytes: s.replaceAll("-", "").match(/../g)!.map((h) => parseInt(h, 16)),
  }),
  /** Days since 2000-01-01. */
  date: (days: number): BinaryParam => ({ oid: 1082, bytes: i32(days) }),
  /** Microseconds since 2000-01-01 00:00 (UTC for timestamptz). */
  timestamp: (micros: bigint, oid = 1114): BinaryParam => ({
    oid,
    bytes: binary.int8(micros).bytes,
  }),
  /** numeric from base-10000 digits. */
  numeric: (digits: readonly number[], weight: number, negative: boolean, scale: number) => ({
    oid: 1700,
    bytes: [
      ...i16(digits.length),
      ...i16(weight),
      ...i16(negative ? 0x4000 : 0),
      ...i16(scale),
      ...digits.flatMap(i16),
    ],
  }),
  /** A one-dimensional int4[] without NULLs. */
  int4Array: (values: readonly number[]): BinaryParam => ({
    oid: 1007,
    bytes: [
      ...i32(1),
      ...i32(0),
      ...i32(23),
      ...i32(values.length),
      ...i32(1),
      ...values.flatMap((v) => [...i32(4), ...i32(v)]),
    ],
  }),
};
