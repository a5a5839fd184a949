/** Helpers shared by the PostgreSQL protocol integration tests. */
import { type PgAuthOptions, type PgServer, startPgServer } from "../../../src/protocol/pg/mod.ts";
import type { PgLimits } from "../../../src/protocol/pg/mod.ts";
import { ScriptedEngine } from "./_scripted_engine.ts";
import { configureLog } from "../../../src/common/log.ts";

configureLog({ level: "warn" });

/** A listener on a free loopback port over a fresh scripted engine. */
export interface Harness {
  readonly engine: ScriptedEngine;
  readonly server: PgServer;
  readonly port: number;
}

/** Starts a listener on port 0. */
export async function startHarness(
  options: {
    auth?: PgAuthOptions;
    maxConnections?: number;
    limits?: Partial<PgLimits>;
    tls?: { certFile: string; keyFile: string };
    transport?: "native" | "deno";
  } = {},
): Promise<Harness> {
  const engine = new ScriptedEngine();
  const server = await startPgServer({
    hostname: "127.0.0.1",
    port: 0,
    engine,
    auth: options.auth ?? { method: "trust", lookup: () => undefined },
    maxConnections: options.maxConnections ?? 20,
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.tls ? { tls: options.tls } : {}),
    ...(options.transport ? { transport: options.transport } : {}),
  });
  return { engine, server, port: server.port };
}

/** Output of one psql run. */
export interface PsqlOutput {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real psql client against the harness. */
export async function psql(
  port: number,
  args: readonly string[],
  options: {
    stdin?: string | Uint8Array;
    user?: string;
    password?: string;
    sslmode?: string;
    database?: string;
  } = {},
): Promise<PsqlOutput> {
  const env: Record<string, string> = {
    PGCONNECT_TIMEOUT: "5",
    PGSSLMODE: options.sslmode ?? "prefer",
  };
  if (options.password !== undefined) env.PGPASSWORD = options.password;
  const cmd = new Deno.Command("psql", {
    args: [
      "-X",
      "-v",
      "ON_ERROR_STOP=1",
      "-h",
      "127.0.0.1",
      "-p",
      String(port),
      "-U",
      options.user ?? "alice",
      "-d",
      options.database ?? "app",
      "-w",
      ...args,
    ],
    env,
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  });
  const child = cmd.spawn();
  if (options.stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(
      typeof options.stdin === "string" ? new TextEncoder().encode(options.stdin) : options.stdin,
    );
    await w.close();
  }
  const out = await child.output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}
