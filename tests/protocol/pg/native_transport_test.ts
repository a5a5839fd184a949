/**
 * The PostgreSQL listener over the native socket transport (`transport:
 * "native"`): the same connection code as over `Deno.listen`, driven by the
 * epoll loop of `protocol/net`, with real psql and pgbench clients.
 */
import { deepStrictEqual, match, ok, strictEqual } from "node:assert/strict";
import {
  errno,
  type LibcNet,
  loadLibcNet,
  sockaddrIn,
  sys,
} from "../../../src/protocol/net/libc_net.ts";
import { frame, i16, i32, RawClient, startupMessage } from "./_wire.ts";
import { psql, startHarness } from "./_harness.ts";

async function connected(port: number): Promise<RawClient> {
  const c = await RawClient.connect(port);
  await c.send(startupMessage({ user: "raw", database: "db" }));
  await c.until("Z");
  return c;
}

Deno.test({
  name:
    "the default transport is auto (native where it loads, as server.pg_transport); deno stays Deno.listen",
  async fn() {
    for (const [choice, expected] of [[undefined, "native"], ["deno", "deno"]] as const) {
      const h = await startHarness(choice ? { transport: choice } : {});
      try {
        strictEqual(h.server.transport, expected);
        const c = await connected(h.port);
        c.close();
      } finally {
        await h.server.close();
      }
    }
  },
});

Deno.test({
  name: "native transport: pipelined extended query and a 2 MB message across many reads",
  async fn() {
    const h = await startHarness({ transport: "native" });
    strictEqual(h.server.transport, "native");
    h.engine.items.push([1, "a"], [2, "b"], [3, "c"]);
    const c = await connected(h.port);
    try {
      await c.send(
        new Uint8Array([
          ...frame("P", "all", "select * from items", i16(0)),
          ...frame("B", "cur", "all", i16(0), i16(0), i16(0)),
          ...frame("E", "cur", i32(2)),
          ...frame("E", "cur", i32(0)),
          ...frame("S"),
        ]),
      );
      strictEqual((await c.until("Z")).map((m) => m.type).join(""), "12DDsDCZ");
      await c.send(frame("Q", "select 1" + " ".repeat(2_000_000) + "; select 2"));
      strictEqual((await c.until("Z")).map((m) => m.type).join(""), "TDCTDCZ");
    } finally {
      c.close();
      await h.server.close();
    }
  },
});

Deno.test({
  name: "native transport: psql COPY of several MB in and out, notices and errors",
  async fn() {
    const h = await startHarness({ transport: "native" });
    try {
      const rows = 100_000;
      const lines: string[] = [];
      for (let i = 1; i <= rows; i++) lines.push(`${i}\tname number ${i} ${"x".repeat(40)}`);
      const load = await psql(h.port, ["-c", "COPY items FROM STDIN"], {
        stdin: lines.join("\n") + "\n",
      });
      strictEqual(load.code, 0, load.stderr);
      strictEqual(load.stdout, `COPY ${rows}\n`);
      strictEqual(h.engine.items.length, rows);
      deepStrictEqual(h.engine.items[rows - 1], [rows, `name number ${rows} ${"x".repeat(40)}`]);
      const out = await psql(h.port, ["-c", "COPY items TO STDOUT"]);
      strictEqual(out.code, 0, out.stderr);
      strictEqual(out.stdout, lines.join("\n") + "\n");
      const bad = await psql(h.port, ["-c", "COPY items FROM STDIN"], { stdin: "x\ty\n" });
      strictEqual(bad.code, 1);
      match(bad.stderr, /invalid input syntax for type integer/);
    } finally {
      await h.server.close();
    }
  },
});

Deno.test({
  name: "native transport: pgbench in simple and prepared mode, max_connections refuses with 53300",
  async fn() {
    const h = await startHarness({ transport: "native", maxConnections: 2 });
    const dir = await Deno.makeTempDir();
    const script = `${dir}/select.sql`;
    await Deno.writeTextFile(script, "\\set n random(1, 1000)\nselect :n::int4;\n");
    try {
      for (const mode of ["simple", "prepared"]) {
        const out = await new Deno.Command("pgbench", {
          args: ["-n", "-f", script, "-t", "200", "-c", "2", "-M", mode, "-h", "127.0.0.1"]
            .concat(["-p", String(h.port), "-U", "bench", "app"]),
          env: { PGCONNECT_TIMEOUT: "5" },
          stdout: "piped",
          stderr: "piped",
        }).output();
        const text = new TextDecoder().decode(out.stdout);
        strictEqual(out.code, 0, new TextDecoder().decode(out.stderr));
        match(text, /number of transactions actually processed: 400\/400/);
      }
      // pgbench has exited, but the server frees its two slots only once it
      // has read the hang-ups: wait for that (bounded) before filling them.
      for (let i = 0; i < 200 && h.server.connections > 0; i++) {
        await new Promise((r) => setTimeout(r, 25));
      }
      strictEqual(h.server.connections, 0);
      const a = await RawClient.connect(h.port);
      const b = await RawClient.connect(h.port);
      try {
        await a.send(startupMessage({ user: "a", database: "db" }));
        await b.send(startupMessage({ user: "b", database: "db" }));
        strictEqual((await a.until("Z")).at(-1)?.type, "Z");
        strictEqual((await b.until("Z")).at(-1)?.type, "Z");
        const refused = await psql(h.port, ["-c", "select 1"]);
        strictEqual(refused.code, 2);
        match(refused.stderr, /too many clients/);
      } finally {
        a.close();
        b.close();
      }
    } finally {
      await h.server.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "native transport: SSLRequest upgrades to TLS; closing the server ends idle connections",
  async fn() {
    const dir = await Deno.makeTempDir();
    const certFile = `${dir}/cert.pem`;
    const keyFile = `${dir}/key.pem`;
    const gen = await new Deno.Command("openssl", {
      args: ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", keyFile, "-out"]
        .concat([certFile, "-days", "1", "-subj", "/CN=localhost"]),
      stdout: "null",
      stderr: "null",
    }).output();
    strictEqual(gen.code, 0);
    const h = await startHarness({ transport: "native", tls: { certFile, keyFile } });
    const idle = await connected(h.port);
    try {
      const secure = await psql(h.port, ["-At", "-c", "select 6", "-c", "\\conninfo"], {
        sslmode: "require",
      });
      strictEqual(secure.code, 0, secure.stderr);
      match(secure.stdout, /^6\n/);
      match(secure.stdout, /SSL connection \(protocol: TLSv1\.[23]/);
      // psql's connection ends shortly after it exits; the idle one stays.
      for (let i = 0; i < 200 && h.server.connections > 1; i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
      strictEqual(h.server.connections, 1);
    } finally {
      await h.server.close();
      // The server closed the idle connection: its next read ends.
      deepStrictEqual(await idle.until(null), []);
      idle.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

/**
 * A client socket made with plain libc calls: created and connected
 * synchronously, so the test decides which descriptors are free when the
 * listener accepts it.
 */
function rawSocketClient(c: LibcNet, port: number): number {
  const lib = Deno.dlopen("libc.so.6", {
    connect: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  });
  try {
    const fd = c.socket(sys.AF_INET, sys.SOCK_STREAM | sys.SOCK_NONBLOCK | sys.SOCK_CLOEXEC, 0);
    ok(fd >= 0);
    const addr = sockaddrIn("127.0.0.1", port)!;
    // Non-blocking: loopback completes the handshake at once (0 or EINPROGRESS).
    const r = lib.symbols.connect(fd, addr, addr.length);
    ok(r === 0 || errno(c) === 115, `connect: errno ${errno(c)}`);
    return fd;
  } finally {
    lib.close();
  }
}

/** True when descriptor `fd` of this process is a socket. */
function isSocket(fd: number): boolean {
  try {
    return Deno.readLinkSync(`/proc/self/fd/${fd}`).startsWith("socket:");
  } catch {
    return false;
  }
}

Deno.test({
  name: "native transport: a socket that reuses the number of a closed runtime epoll set is served",
  async fn() {
    const c = loadLibcNet();
    ok(c !== null);
    // Stands for another worker's runtime poller: found (and nested) by the listener.
    const foreign = c.epoll_create1(sys.EPOLL_CLOEXEC);
    ok(foreign >= 0);
    const h = await startHarness({ transport: "native" });
    const first = await connected(h.port);
    let client = -1;
    try {
      // While the loop still has the pollers nested after serving `first`:
      // connect, then free the poller's number, so the accept takes it.
      client = rawSocketClient(c, h.port);
      c.close(foreign);
      // Wait (bounded) until the listener has accepted it on that number.
      for (let i = 0; i < 200 && !isSocket(foreign); i++) {
        await new Promise((r) => setTimeout(r, 5));
      }
      // A statement that waits on a timer: the loop parks and takes the pollers
      // out of its set (which, by number, used to remove the new socket).
      await first.send(frame("Q", "select pg_sleep(0.05)"));
      await first.until("Z");
      const startup = startupMessage({ user: "reused", database: "db" });
      strictEqual(
        c.send(client, startup, BigInt(startup.length), sys.MSG_NOSIGNAL),
        startup.length,
      );
      const buf = new Uint8Array(4096);
      let got: number[] = [];
      // ReadyForQuery (idle) among the replies, bytes compared as text.
      const answered = () => `,${got.join()},`.includes(",90,0,0,0,5,73,");
      const until = performance.now() + 5000;
      while (performance.now() < until && !answered()) {
        const n = c.recv(client, buf, BigInt(buf.length), 0);
        if (n > 0) got = got.concat([...buf.subarray(0, n)]);
        else if (n === 0) break;
        else await new Promise((r) => setTimeout(r, 10));
      }
      ok(answered(), "the connection on the reused number got no reply");
    } finally {
      if (client >= 0) c.close(client);
      first.close();
      await h.server.close();
    }
  },
});
