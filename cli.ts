/**
 * `thunder-cli`: an interactive SQL shell over the PostgreSQL protocol, plus
 * admin subcommands that talk to a running server.
 *
 * ```sh
 * deno task cli                       # interactive shell on 127.0.0.1:5432
 * deno task cli -- -c "SELECT 1"      # one command
 * deno task cli -- health             # the server's health report
 * ```
 * @module
 */
import pg from "pg";

const usage = `Usage: thunder-cli [options] [sql]          interactive SQL shell (or run -c / -f)
       thunder-cli health [--http-port N]      print the server's health report
       thunder-cli ready [--http-port N]       exit 0 when the server accepts work

Options:
  -h, --host HOST        server address (default 127.0.0.1, or PGHOST)
  -p, --port PORT        PostgreSQL-protocol port (default 5432, or PGPORT)
  -U, --user USER        user name (default thunder, or PGUSER)
  -d, --dbname NAME      database (default thunder, or PGDATABASE)
  -W, --password PASS    password (or PGPASSWORD)
  -c, --command SQL      run SQL and exit
  -f, --file FILE        run the statements in FILE and exit
      --http-port PORT   HTTP port for health/ready (default 8080)
      --help             print this help

In the shell: end statements with ";". \\q quits, \\timing toggles timing,
\\? lists the shell's commands.`;

/** Parsed command line. */
interface CliArgs {
  command: "sql" | "health" | "ready";
  host: string;
  port: number;
  user: string;
  database: string;
  password?: string;
  sql?: string;
  file?: string;
  httpPort: number;
}

function parseArgs(args: readonly string[]): CliArgs | string {
  const env = (name: string) => Deno.env.get(name);
  const out: CliArgs = {
    command: "sql",
    host: env("PGHOST") ?? "127.0.0.1",
    port: Number(env("PGPORT") ?? 5432),
    user: env("PGUSER") ?? "thunder",
    database: env("PGDATABASE") ?? "thunder",
    httpPort: 8080,
  };
  const password = env("PGPASSWORD");
  if (password !== undefined) out.password = password;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const value = () => {
      const next = args[++i];
      if (next === undefined) throw new Error(`Option ${arg} needs a value`);
      return next;
    };
    switch (arg) {
      case "--help":
        return usage;
      case "-h":
      case "--host":
        out.host = value();
        break;
      case "-p":
      case "--port":
        out.port = Number(value());
        break;
      case "-U":
      case "--user":
        out.user = value();
        break;
      case "-d":
      case "--dbname":
        out.database = value();
        break;
      case "-W":
      case "--password":
        out.password = value();
        break;
      case "-c":
      case "--command":
        out.sql = value();
        break;
      case "-f":
      case "--file":
        out.file = value();
        break;
      case "--http-port":
        out.httpPort = Number(value());
        break;
      case "health":
      case "ready":
        out.command = arg;
        break;
      default:
        if (arg.startsWith("-")) throw new Error(`Unknown option ${arg}; see --help`);
        out.sql = arg;
    }
  }
  if (!Number.isInteger(out.port) || out.port <= 0 || out.port > 65535) {
    throw new Error(`Invalid port ${out.port}`);
  }
  return out;
}

/** Formats rows as psql's aligned table. */
export function formatTable(
  fields: readonly string[],
  rows: readonly (readonly unknown[])[],
): string {
  const text = rows.map((row) =>
    row.map((v) => (v === null || v === undefined ? "" : cellText(v)))
  );
  const widths = fields.map((f, i) => Math.max(f.length, ...text.map((r) => r[i]!.length)));
  const header = fields.map((f, i) => center(f, widths[i]!)).join(" | ");
  const rule = widths.map((w) => "-".repeat(w)).join("-+-");
  const lines = text.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join(" | ").trimEnd());
  const count = `(${rows.length} ${rows.length === 1 ? "row" : "rows"})`;
  return [" " + header.trimEnd(), "-" + rule + "-", ...lines.map((l) => " " + l), count].join("\n");
}

function cellText(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function center(text: string, width: number): string {
  const left = Math.floor((width - text.length) / 2);
  return " ".repeat(left) + text + " ".repeat(width - text.length - left);
}

async function runSql(client: pg.Client, sql: string, timing: boolean): Promise<boolean> {
  const started = performance.now();
  try {
    const result = await client.query({ text: sql, rowMode: "array" });
    for (const r of Array.isArray(result) ? result : [result]) {
      if (r.fields.length > 0) {
        console.log(formatTable(r.fields.map((f: { name: string }) => f.name), r.rows) + "\n");
      } else console.log(`${r.command}${r.rowCount === null ? "" : " " + r.rowCount}`);
    }
    if (timing) console.log(`Time: ${(performance.now() - started).toFixed(3)} ms`);
    return true;
  } catch (error) {
    const e = error as { message: string; code?: string };
    console.error(`ERROR:  ${e.message}${e.code ? ` (SQLSTATE ${e.code})` : ""}`);
    return false;
  }
}

async function shell(client: pg.Client): Promise<void> {
  let buffer = "";
  let timing = false;
  const encoder = new TextEncoder();
  const prompt = () => Deno.stdout.writeSync(encoder.encode(buffer ? "thunder-# " : "thunder=> "));
  const interactive = Deno.stdin.isTerminal();
  if (interactive) console.log('thunder-cli: type "\\?" for help, "\\q" to quit.');
  if (interactive) prompt();
  const decoder = new TextDecoderStream();
  let pending = "";
  for await (const chunk of Deno.stdin.readable.pipeThrough(decoder)) {
    pending += chunk;
    let nl: number;
    while ((nl = pending.indexOf("\n")) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      const trimmed = line.trim();
      if (buffer === "" && trimmed.startsWith("\\")) {
        if (trimmed === "\\q") return;
        if (trimmed === "\\timing") {
          timing = !timing;
          console.log(`Timing is ${timing ? "on" : "off"}.`);
        } else console.log("\\q quit\n\\timing toggle timing of statements");
      } else {
        buffer += line + "\n";
        if (trimmed.endsWith(";")) {
          await runSql(client, buffer, timing);
          buffer = "";
        }
      }
      if (interactive) prompt();
    }
  }
  if (buffer.trim()) await runSql(client, buffer, timing);
}

async function main(args: readonly string[]): Promise<number> {
  let parsed: CliArgs | string;
  try {
    parsed = parseArgs(args);
  } catch (error) {
    console.error(`thunder-cli: ${(error as Error).message}`);
    return 2;
  }
  if (typeof parsed === "string") {
    console.log(parsed);
    return 0;
  }
  if (parsed.command !== "sql") {
    const path = parsed.command === "health" ? "/api/v1/health" : "/admin/ready";
    try {
      const response = await fetch(`http://${parsed.host}:${parsed.httpPort}${path}`);
      console.log(JSON.stringify(await response.json(), null, 2));
      return response.ok ? 0 : 1;
    } catch (error) {
      console.error(
        `thunder-cli: cannot reach ${parsed.host}:${parsed.httpPort}: ${(error as Error).message}`,
      );
      return 1;
    }
  }
  const client = new pg.Client({
    host: parsed.host,
    port: parsed.port,
    user: parsed.user,
    database: parsed.database,
    ...(parsed.password === undefined ? {} : { password: parsed.password }),
  });
  try {
    await client.connect();
  } catch (error) {
    console.error(
      `thunder-cli: cannot connect to ${parsed.host}:${parsed.port}: ${(error as Error).message}`,
    );
    return 1;
  }
  try {
    if (parsed.sql !== undefined) return (await runSql(client, parsed.sql, false)) ? 0 : 1;
    if (parsed.file !== undefined) {
      return (await runSql(client, await Deno.readTextFile(parsed.file), false)) ? 0 : 1;
    }
    await shell(client);
    return 0;
  } finally {
    await client.end();
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
