/**
 * Starts a real redis-server for tests that talk to both servers (DUMP,
 * RESTORE and MIGRATE between Redis and ThunderDB) and for bench/resp.ts,
 * on a free loopback port.
 */

/** A running redis-server. */
export interface RedisServer {
  readonly port: number;
  /** Its process id (the benchmark reads its CPU time from /proc). */
  readonly pid: number;
  stop(): Promise<void>;
}

/** A loopback port nobody listens on, from `first` up. */
function freePort(first: number, last: number): number {
  const start = first + Math.floor(Math.random() * (last - first));
  for (let i = 0; i <= last - first; i++) {
    const port = first + ((start - first + i) % (last - first + 1));
    try {
      Deno.listen({ hostname: "127.0.0.1", port }).close();
      return port;
    } catch {
      // Taken: try the next one.
    }
  }
  throw new Error(`No free port in ${first}..${last}`);
}

/**
 * Starts redis-server without persistence; `args` are extra command-line
 * options (later ones win, so `--appendonly yes` turns persistence on).
 */
export async function startRedis(args: readonly string[] = []): Promise<RedisServer> {
  const port = freePort(35000, 35999);
  const child = new Deno.Command("redis-server", {
    args: [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      ...args,
    ],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  for (let i = 0; i < 100; i++) {
    try {
      const c = await Deno.connect({ hostname: "127.0.0.1", port });
      c.close();
      return {
        port,
        pid: child.pid,
        async stop() {
          child.kill("SIGTERM");
          await child.status;
        },
      };
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  child.kill("SIGKILL");
  await child.status;
  throw new Error(`redis-server did not start on port ${port}`);
}
