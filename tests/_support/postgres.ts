/**
 * Starts a real PostgreSQL server (Debian's `postgresql` package) on a free
 * loopback port in a temporary directory, for tests and benchmarks that compare
 * ThunderDB with PostgreSQL. As root it runs the server as the `postgres` user,
 * since PostgreSQL refuses to run as root.
 */

/** A running PostgreSQL server. */
export interface PostgresServer {
  readonly port: number;
  readonly host: string;
  readonly user: string;
  readonly database: string;
  /** libpq connection URL. */
  readonly url: string;
  stop(): Promise<void>;
}

/** Finds the newest installed PostgreSQL's bin directory. */
export function postgresBinDir(): string {
  const root = "/usr/lib/postgresql";
  let versions: string[] = [];
  try {
    versions = [...Deno.readDirSync(root)].map((e) => e.name).filter((n) => /^\d+$/.test(n));
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  if (versions.length === 0) {
    throw new Error(
      "PostgreSQL is not installed: apt-get install -y postgresql (npm test does this)",
    );
  }
  versions.sort((a, b) => Number(b) - Number(a));
  return `${root}/${versions[0]}/bin`;
}

/** Returns a TCP port that was free a moment ago. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

async function run(cmd: string, args: string[], asUser: string | undefined): Promise<string> {
  const full = asUser
    ? ["runuser", ["-u", asUser, "--", cmd, ...args]] as const
    : [cmd, args] as const;
  const out = await new Deno.Command(full[0], { args: [...full[1]], stdin: "null" }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  if (out.code !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${out.code}):\n${text}`);
  return text;
}

/**
 * Creates a cluster and starts it. `fsync` defaults to on (durable, as a fair
 * anchor for benchmarks).
 */
export async function startPostgres(
  options: { fsync?: boolean; settings?: Readonly<Record<string, string>> } = {},
): Promise<PostgresServer> {
  const bin = postgresBinDir();
  const asUser = Deno.uid() === 0 ? "postgres" : undefined;
  const dir = await Deno.makeTempDir({ prefix: "thunder_pg_" });
  if (asUser) await run("chown", ["postgres:postgres", dir], undefined);
  const dataDir = `${dir}/data`;
  await run(`${bin}/initdb`, [
    "-D",
    dataDir,
    "-U",
    "postgres",
    "-A",
    "trust",
    "-E",
    "UTF8",
    "--locale=C",
  ], asUser);
  const port = freePort();
  const settings: Record<string, string> = {
    listen_addresses: "127.0.0.1",
    port: String(port),
    unix_socket_directories: dir,
    fsync: options.fsync === false ? "off" : "on",
    max_connections: "100",
    ...options.settings,
  };
  const opts = Object.entries(settings).map(([k, v]) => `-c ${k}=${v}`).join(" ");
  await run(`${bin}/pg_ctl`, [
    "-D",
    dataDir,
    "-o",
    opts,
    "-l",
    `${dir}/log`,
    "-w",
    "-t",
    "60",
    "start",
  ], asUser);
  return {
    port,
    host: "127.0.0.1",
    user: "postgres",
    database: "postgres",
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      await run(`${bin}/pg_ctl`, ["-D", dataDir, "-m", "fast", "-w", "stop"], asUser);
      await Deno.remove(dir, { recursive: true });
    },
  };
}
