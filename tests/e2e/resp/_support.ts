/**
 * Helpers for the RESP end-to-end tests: start the server as a real process
 * on a free port over a data directory, run redis-cli, stop or kill.
 */
import { type ServerProcess as ThunderProcess, startServer as startThunder } from "../_server.ts";

/** A running `server.ts` process, seen from the Redis side. */
export class ServerProcess {
  constructor(readonly process: ThunderProcess, readonly port: number, readonly dir: string) {}

  /** Graceful stop (SIGTERM): the server writes a final snapshot. */
  async stop(): Promise<void> {
    const code = await this.process.stop("SIGTERM");
    if (code !== 0) throw new Error(`server exited with ${code}:\n${this.process.logText()}`);
  }

  /** SIGKILL: no shutdown work at all. */
  async kill(): Promise<void> {
    await this.process.stop("SIGKILL");
  }
}

/** The Redis-style flags the tests use, as server.ts config overrides. */
function toServerArgs(extra: readonly string[]): string[] {
  const args: string[] = [];
  for (let i = 0; i < extra.length; i += 2) {
    const [flag, value] = [extra[i]!, extra[i + 1]!];
    switch (flag) {
      case "--appendfsync":
        args.push("--set", `resp.appendfsync=${value}`);
        break;
      case "--requirepass":
        args.push(
          "--set",
          "security.authentication_enabled=true",
          "--set",
          `security.superuser_password=${value}`,
        );
        break;
      case "--maxmemory":
        args.push("--set", `resp.maxmemory=${value}`);
        break;
      case "--maxmemory-policy":
        args.push("--set", `resp.maxmemory_policy=${value}`);
        break;
      case "--transport":
        args.push("--set", `resp.transport=${value}`);
        break;
      case "--maxclients":
        args.push("--set", `resp.maxclients=${value}`);
        break;
      case "--enable-debug-command":
        args.push("--set", `resp.enable_debug_command=${value}`);
        break;
      case "--aclfile":
        args.push("--set", `resp.aclfile=${value}`);
        break;
      default:
        throw new Error(`Unknown test server flag ${flag}`);
    }
  }
  return args;
}

/** Starts the real server (`server.ts`) over `dir` and waits for its Redis listener. */
export async function startServer(dir: string, extra: string[] = []): Promise<ServerProcess> {
  const process = await startThunder({
    dataDir: dir,
    args: toServerArgs(extra),
    waitFor: ["http", "redis"],
  });
  const transport = extra[extra.indexOf("--transport") + 1];
  if (extra.includes("--transport") && !process.logText().includes(`"transport":"${transport}"`)) {
    throw new Error(`server did not use the ${transport} transport:\n${process.logText()}`);
  }
  return new ServerProcess(process, process.ports.redis!, dir);
}

/** Runs redis-cli with arguments (and optional stdin); returns stdout. */
export async function redisCli(
  port: number,
  args: string[],
  input?: string | Uint8Array,
): Promise<string> {
  const child = new Deno.Command("redis-cli", {
    args: ["-p", String(port), ...args],
    stdin: input === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (input !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(typeof input === "string" ? new TextEncoder().encode(input) : input);
    await w.close();
  }
  const out = await child.output();
  return new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
}
