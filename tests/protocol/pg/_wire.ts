/** A minimal frontend-side encoder and backend-side decoder, written independently for tests. */

const enc = new TextEncoder();

/** Builds one frontend message: type byte (or none for startup), int32 length, body. */
export function frame(
  type: string | null,
  ...parts: (Uint8Array | string | number[])[]
): Uint8Array {
  const chunks = parts.map((p) =>
    typeof p === "string" ? [enc.encode(p), new Uint8Array([0])] : [Uint8Array.from(p)]
  ).flat();
  const bodyLength = chunks.reduce((n, c) => n + c.length, 0);
  const head = type === null ? 4 : 5;
  const out = new Uint8Array(head + bodyLength);
  if (type !== null) out[0] = type.charCodeAt(0);
  new DataView(out.buffer).setInt32(head - 4, bodyLength + 4);
  let pos = head;
  for (const c of chunks) {
    out.set(c, pos);
    pos += c.length;
  }
  return out;
}

/** Big-endian int16 bytes. */
export function i16(n: number): number[] {
  return [(n >> 8) & 255, n & 255];
}

/** Big-endian int32 bytes. */
export function i32(n: number): number[] {
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
}

/** A StartupMessage for protocol 3.0. */
export function startupMessage(params: Record<string, string>): Uint8Array {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(params)) parts.push(k, v);
  return frame(null, i32(196608), ...parts, [0]);
}

/** One decoded backend message. */
export interface BackendMessage {
  readonly type: string;
  readonly body: Uint8Array;
}

/** Splits a byte stream into backend messages; returns them and the unconsumed rest. */
export function splitMessages(bytes: Uint8Array): { messages: BackendMessage[]; rest: Uint8Array } {
  const messages: BackendMessage[] = [];
  let pos = 0;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  while (pos + 5 <= bytes.length) {
    const len = dv.getInt32(pos + 1);
    if (pos + 1 + len > bytes.length) break;
    messages.push({
      type: String.fromCharCode(bytes[pos]!),
      body: bytes.slice(pos + 5, pos + 1 + len),
    });
    pos += 1 + len;
  }
  return { messages, rest: bytes.slice(pos) };
}

/** Reads the fields of an ErrorResponse/NoticeResponse body. */
export function errorFieldsOf(body: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  let pos = 0;
  const dec = new TextDecoder();
  while (pos < body.length && body[pos] !== 0) {
    const code = String.fromCharCode(body[pos]!);
    const end = body.indexOf(0, pos + 1);
    out[code] = dec.decode(body.subarray(pos + 1, end));
    pos = end + 1;
  }
  return out;
}

/** A raw TCP client that collects backend messages. */
export class RawClient {
  readonly #conn: Deno.Conn;
  #pending: Uint8Array = new Uint8Array(0);
  readonly #queue: BackendMessage[] = [];
  readonly #buf = new Uint8Array(64 * 1024);

  private constructor(conn: Deno.Conn) {
    this.#conn = conn;
  }

  /** Connects to the listener. */
  static async connect(port: number): Promise<RawClient> {
    return new RawClient(await Deno.connect({ hostname: "127.0.0.1", port }));
  }

  /** Sends bytes; ignores a peer that already closed. */
  async send(bytes: Uint8Array): Promise<boolean> {
    try {
      let off = 0;
      while (off < bytes.length) off += await this.#conn.write(bytes.subarray(off));
      return true;
    } catch {
      return false;
    }
  }

  /** Reads until a message of `type` arrives or the server closes; returns all messages read. */
  async until(type: string | null): Promise<BackendMessage[]> {
    const out: BackendMessage[] = [];
    for (;;) {
      const { messages, rest } = splitMessages(this.#pending);
      this.#pending = rest;
      this.#queue.push(...messages);
      while (this.#queue.length > 0) {
        const m = this.#queue.shift()!;
        out.push(m);
        if (m.type === type) return out;
      }
      let n: number | null = null;
      try {
        n = await this.#conn.read(this.#buf);
      } catch {
        n = null;
      }
      if (n === null) return out;
      const next = new Uint8Array(this.#pending.length + n);
      next.set(this.#pending);
      next.set(this.#buf.subarray(0, n), this.#pending.length);
      this.#pending = next;
    }
  }

  /** Reads raw bytes (for single-byte SSL answers). */
  async readRaw(): Promise<Uint8Array> {
    const n = await this.#conn.read(this.#buf);
    return this.#buf.slice(0, n ?? 0);
  }

  /** Closes the socket. */
  close(): void {
    try {
      this.#conn.close();
    } catch {
      // Already closed.
    }
  }
}
