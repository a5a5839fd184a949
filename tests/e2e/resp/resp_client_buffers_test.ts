/**
 * End-to-end: client buffer limits through server.ts over raw sockets.
 * A pub/sub subscriber that does not read is closed at the output hard limit
 * (CLIENT LIST omem grows first), a normal client whose single reply passes
 * its hard limit gets nothing and is closed, and maxmemory-clients evicts the
 * client using the most memory while CLIENT NO-EVICT protects another.
 */
import assert from "node:assert/strict";
import { startServer } from "./_support.ts";

const encoder = new TextEncoder();

/** A RESP request. */
function request(...args: string[]): Uint8Array {
  let text = `*${args.length}\r\n`;
  for (const a of args) text += `$${encoder.encode(a).length}\r\n${a}\r\n`;
  return encoder.encode(text);
}

/** Length of the complete reply at the start of `text`, or -1 when it is partial. */
function replyLength(text: string, at = 0): number {
  const eol = text.indexOf("\r\n", at);
  if (eol < 0) return -1;
  const head = text[at];
  const n = Number(text.slice(at + 1, eol));
  if (head === "$") return n < 0 ? eol + 2 : (text.length >= eol + 4 + n ? eol + 4 + n : -1);
  if (head !== "*") return eol + 2;
  let end = eol + 2;
  for (let i = 0; i < n; i++) {
    end = replyLength(text, end);
    if (end < 0) return -1;
  }
  return end;
}

/** A connection that sends one command at a time and reads its whole reply. */
class Client {
  #pending = "";
  constructor(readonly conn: Deno.TcpConn) {}

  static async open(port: number): Promise<Client> {
    return new Client(await Deno.connect({ hostname: "127.0.0.1", port }));
  }

  async write(bytes: Uint8Array): Promise<void> {
    for (let off = 0; off < bytes.length;) off += await this.conn.write(bytes.subarray(off));
  }

  /** Sends a command and returns its reply's text (RESP framing included). */
  async call(...args: string[]): Promise<string> {
    await this.write(request(...args));
    const buf = new Uint8Array(64 * 1024);
    for (;;) {
      const end = replyLength(this.#pending);
      if (end > 0) {
        const reply = this.#pending.slice(0, end);
        this.#pending = this.#pending.slice(end);
        return reply;
      }
      const n = await this.conn.read(buf);
      if (n === null) throw new Error("connection closed");
      this.#pending += new TextDecoder().decode(buf.subarray(0, n));
    }
  }

  /** Reads until the server closes; returns the bytes that came. */
  async readToEnd(): Promise<number> {
    const buf = new Uint8Array(64 * 1024);
    let total = 0;
    for (;;) {
      const n = await this.conn.read(buf).catch(() => null);
      if (n === null) return total;
      total += n;
    }
  }

  close(): void {
    try {
      this.conn.close();
    } catch { /* already closed by the server's end */ }
  }
}

/** The CLIENT LIST line of the client named `name`, or undefined. */
async function clientLine(control: Client, name: string): Promise<string | undefined> {
  const list = await control.call("CLIENT", "LIST");
  return list.split("\n").find((l) => l.includes(` name=${name} `));
}

function field(line: string, name: string): number {
  const m = new RegExp(` ${name}=(\\d+)`).exec(line);
  assert.ok(m !== null, `${name} in ${line}`);
  return Number(m[1]);
}

async function withServer(
  fn: (port: number) => Promise<void>,
  extra: string[] = [],
): Promise<void> {
  const dir = await Deno.makeTempDir();
  const server = await startServer(dir, extra);
  try {
    await fn(server.port);
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

for (const transport of ["native", "deno"]) {
  Deno.test(`a pub/sub subscriber that does not read is closed at the output hard limit (${transport})`, async () => {
    await withServer(async (port) => {
      const control = await Client.open(port);
      const sub = await Client.open(port);
      try {
        assert.equal(
          await control.call("CONFIG", "SET", "client-output-buffer-limit", "pubsub 200000 0 0"),
          "+OK\r\n",
        );
        assert.match(
          await control.call("CONFIG", "GET", "client-output-buffer-limit"),
          /normal 0 0 0 slave 268435456 67108864 60 pubsub 200000 0 0/,
        );
        await sub.call("CLIENT", "SETNAME", "sub");
        await sub.call("SUBSCRIBE", "ch");
        const message = "x".repeat(2000);
        let maxOmem = 0;
        let closed = false;
        // The socket's buffers take a few MB first; 20000 messages of 2 kB are far more.
        for (let i = 0; i < 20_000 && !closed; i++) {
          await control.call("PUBLISH", "ch", message);
          if (i % 20 !== 0) continue;
          const line = await clientLine(control, "sub");
          if (line === undefined) closed = true;
          else maxOmem = Math.max(maxOmem, field(line, "omem"));
        }
        assert.ok(closed, "the subscriber was closed");
        assert.ok(maxOmem > 0 && maxOmem < 200_000, `omem grew before the close: ${maxOmem}`);
        // What the socket had taken arrives, then the end of the connection.
        await sub.readToEnd();
        assert.match(await control.call("INFO", "clients"), /connected_clients:1\r\n/);
      } finally {
        sub.close();
        control.close();
      }
    }, ["--transport", transport]);
  });
}

Deno.test("a reply past the normal class's hard limit closes the client with nothing sent", async () => {
  await withServer(async (port) => {
    const control = await Client.open(port);
    const reader = await Client.open(port);
    try {
      await control.call("SET", "big", "v".repeat(300_000));
      await control.call("CONFIG", "SET", "client-output-buffer-limit", "normal 100000 0 0");
      const before = /used_memory:(\d+)/.exec(await control.call("INFO", "memory"))![1]!;
      assert.equal(await reader.call("CLIENT", "SETNAME", "reader"), "+OK\r\n");
      await reader.write(request("GET", "big"));
      assert.equal(await reader.readToEnd(), 0);
      assert.equal(await clientLine(control, "reader"), undefined);
      const after = /used_memory:(\d+)/.exec(await control.call("INFO", "memory"))![1]!;
      assert.ok(Number(after) < Number(before) + 100_000, `${before} -> ${after}`);
      // A reply under the limit still goes out.
      await control.call("CONFIG", "SET", "client-output-buffer-limit", "normal 1mb 0 0");
      assert.equal((await control.call("GET", "big")).length, 300_000 + 11);
    } finally {
      reader.close();
      control.close();
    }
  });
});

Deno.test("maxmemory-clients evicts the largest client; CLIENT NO-EVICT protects", async () => {
  await withServer(async (port) => {
    const control = await Client.open(port);
    const clients = await Promise.all([1, 2, 3].map(() => Client.open(port)));
    const [kept, small, large] = clients as [Client, Client, Client];
    try {
      assert.equal(await control.call("CLIENT", "NO-EVICT", "on"), "+OK\r\n");
      assert.equal(await control.call("CONFIG", "SET", "maxmemory-clients", "4mb"), "+OK\r\n");
      assert.match(await control.call("CONFIG", "GET", "maxmemory-clients"), /\r\n4194304\r\n/);
      await kept.call("CLIENT", "SETNAME", "kept");
      await kept.call("CLIENT", "NO-EVICT", "on");
      await small.call("CLIENT", "SETNAME", "small");
      await large.call("CLIENT", "SETNAME", "large");
      // Partial requests: each client's query buffer holds what it sent of one big argument.
      const partial = (bytes: number) =>
        encoder.encode(`*2\r\n$3\r\nGET\r\n$${bytes * 2}\r\n${"v".repeat(bytes)}`);
      await kept.write(partial(1_000_000));
      await small.write(partial(300_000));
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline) {
        const line = await clientLine(control, "small");
        if (line !== undefined && field(line, "qbuf") > 300_000) break;
      }
      const keptLine = await clientLine(control, "kept");
      assert.ok(keptLine !== undefined && field(keptLine, "tot-mem") >= 2_000_000, keptLine);
      assert.match(keptLine, / flags=e /);
      await large.write(partial(1_000_000));
      assert.equal(await large.readToEnd(), 0);
      assert.equal(await clientLine(control, "large"), undefined);
      assert.ok(await clientLine(control, "small") !== undefined, "the smaller client stays");
      assert.ok(await clientLine(control, "kept") !== undefined, "the NO-EVICT client stays");
      assert.match(await control.call("INFO", "stats"), /evicted_clients:1\r\n/);
      assert.match(await control.call("INFO", "memory"), /mem_clients_normal:\d{7}\r\n/);
    } finally {
      for (const c of clients) c.close();
      control.close();
    }
  });
});
