/**
 * A raw RESP connection for the busy-script tests: sends commands pipelined,
 * reads reply lines (bounded waits) and sees the server close it.
 * @module
 */

/** The BUSY error text while a script (EVAL) runs. */
export const busyEval =
  "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";
/** The BUSY error text while a function (FCALL) runs. */
export const busyFcall =
  "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.";

/** A raw RESP connection that sends commands and reads reply lines. */
export class RawClient {
  #text = "";
  readonly #buf = new Uint8Array(4096);
  private constructor(readonly conn: Deno.TcpConn) {}

  static async open(port: number): Promise<RawClient> {
    return new RawClient(await Deno.connect({ hostname: "127.0.0.1", port }));
  }

  /** Sends commands (pipelined in one write). */
  async send(...commands: string[][]): Promise<void> {
    const enc = new TextEncoder();
    let out = "";
    for (const argv of commands) {
      out += `*${argv.length}\r\n`;
      for (const a of argv) out += `$${enc.encode(a).length}\r\n${a}\r\n`;
    }
    await this.conn.write(enc.encode(out));
  }

  /**
   * The next reply line (a simple reply, an error or an integer) within
   * `ms`, or null once the server closed the connection.
   */
  async line(ms = 15_000): Promise<string | null> {
    const deadline = Date.now() + ms;
    while (!this.#text.includes("\r\n")) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<"timeout">((r) =>
        timer = setTimeout(() => r("timeout"), Math.max(0, deadline - Date.now()))
      );
      const n = await Promise.race([this.conn.read(this.#buf).catch(() => null), timeout]);
      clearTimeout(timer);
      if (n === "timeout") throw new Error(`no reply within ${ms} ms (have ${this.#text})`);
      if (n === null) return null;
      this.#text += new TextDecoder().decode(this.#buf.subarray(0, n));
    }
    const end = this.#text.indexOf("\r\n");
    const line = this.#text.slice(0, end);
    this.#text = this.#text.slice(end + 2);
    return line;
  }

  close(): void {
    try {
      this.conn.close();
    } catch {
      // Already closed.
    }
  }
}

/** Sends PING from `b` until it answers `expected` (the script is past the threshold). */
export async function waitBusy(b: RawClient, expected: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    await b.send(["PING"]);
    if (await b.line() === expected) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error("the script never turned busy");
}
