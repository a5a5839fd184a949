/**
 * Starts a real `server.ts` process for end-to-end tests and reads the ports
 * it listens on from its log ("<Name> listening on <host>:<port>").
 */

const serverPath = new URL("../../server.ts", import.meta.url).pathname;
const denoBin = Deno.execPath();

/** A running server process. */
export interface ServerProcess {
  readonly dataDir: string;
  /** Listener ports by name: http, postgresql, redis, mysql. */
  readonly ports: Readonly<Record<string, number>>;
  /** Everything it logged so far. */
  logText(): string;
  /** Sends a signal and waits for the exit code. */
  stop(signal?: Deno.Signal): Promise<number>;
}

/** Options for `startServer`. */
export interface StartOptions {
  /** Data directory; a fresh temporary one when omitted. */
  readonly dataDir?: string;
  readonly args?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** Listener names to wait for (default: ["http"]). */
  readonly waitFor?: readonly string[];
  readonly timeoutMs?: number;
}

/** Starts `server.ts` with every port on 0 (free ports) unless `args` says otherwise. */
export async function startServer(options: StartOptions = {}): Promise<ServerProcess> {
  const dataDir = options.dataDir ?? await Deno.makeTempDir({ prefix: "thunder_e2e_" });
  const args = [
    "run",
    "--allow-all",
    "--unstable-ffi",
    serverPath,
    "--data-dir",
    dataDir,
    "--pg-port=0",
    "--resp-port=0",
    "--mysql-port=0",
    "--http-port=0",
    ...(options.args ?? []),
  ];
  const child = new Deno.Command(denoBin, {
    args,
    env: { ...options.env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let log = "";
  const ports: Record<string, number> = {};
  const waitFor = options.waitFor ?? ["http"];
  const decoder = new TextDecoder();
  let ready: () => void = () => {};
  const readyPromise = new Promise<void>((resolve) => (ready = resolve));
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream) {
      log += decoder.decode(chunk, { stream: true });
      for (const match of log.matchAll(/(\w+) listening on [^\s]*:(\d+)/g)) {
        ports[match[1]!.toLowerCase()] = Number(match[2]);
      }
      if (waitFor.every((name) => ports[name] !== undefined)) ready();
    }
  };
  const pumps = Promise.all([pump(child.stdout), pump(child.stderr)]);
  const status = child.status;
  const timeoutMs = options.timeoutMs ?? 30_000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const outcome = await Promise.race([
    readyPromise.then(() => "ready" as const),
    status.then(() => "exited" as const),
    new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), timeoutMs))),
  ]);
  clearTimeout(timer);
  if (outcome !== "ready") {
    if (outcome === "timeout") child.kill("SIGKILL");
    await status;
    await pumps;
    throw new Error(`Server did not start (${outcome}):\n${log}`);
  }
  return {
    dataDir,
    ports,
    logText: () => log,
    async stop(signal: Deno.Signal = "SIGTERM") {
      try {
        child.kill(signal);
      } catch (error) {
        // Already exited: its status below tells how.
        if (!(error instanceof TypeError)) throw error;
      }
      const { code } = await status;
      await pumps;
      return code;
    },
  };
}

/** Runs `server.ts` to completion (for flag and config errors); returns code and output. */
export async function runServerOnce(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<{ code: number; output: string }> {
  const result = await new Deno.Command(denoBin, {
    args: ["run", "--allow-all", "--unstable-ffi", serverPath, ...args],
    env: { ...env },
    stdin: "null",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: result.code,
    output: decoder.decode(result.stdout) + decoder.decode(result.stderr),
  };
}
