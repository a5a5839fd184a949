/**
 * MONITOR: clients that asked for it receive every command other clients
 * run, as Redis prints them (`+<time> [<db> <addr>] "cmd" "arg"...`, quoted
 * and escaped, AUTH secrets redacted), after the command ran. Administrative
 * commands and commands rejected before running are not shown.
 * @module
 */
import type { KvClient } from "./client.ts";
import type { KvEngine } from "./engine.ts";
import { upperAscii } from "./bytes.ts";
import type { Handler } from "./cmd_util.ts";

const hex = "0123456789abcdef";

/** An argument quoted and escaped as Redis's sdscatrepr does. */
export function quoteArg(arg: Uint8Array): string {
  let out = '"';
  for (const b of arg) {
    if (b === 0x22) out += '\\"';
    else if (b === 0x5c) out += "\\\\";
    else if (b === 0x0a) out += "\\n";
    else if (b === 0x0d) out += "\\r";
    else if (b === 0x09) out += "\\t";
    else if (b === 0x07) out += "\\a";
    else if (b === 0x08) out += "\\b";
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += "\\x" + hex[b >> 4]! + hex[b & 15]!;
  }
  return out + '"';
}

/** Indexes of arguments shown as "(redacted)": AUTH's, and HELLO's after AUTH. */
function redacted(argv: readonly Uint8Array[]): (i: number) => boolean {
  const name = upperAscii(argv[0]!);
  if (name === "AUTH") return (i) => i > 0;
  if (name === "HELLO") {
    for (let i = 2; i < argv.length; i++) {
      if (upperAscii(argv[i]!) === "AUTH") return (j) => j === i + 1 || j === i + 2;
    }
  }
  return () => false;
}

/** Sends a command that `c` ran to every monitoring client. */
export function feedMonitors(x: KvEngine, c: KvClient, db: number, argv: readonly Uint8Array[]) {
  const ms = x.clock();
  const usec = String(Math.floor((ms % 1000) * 1000)).padStart(6, "0");
  const hide = redacted(argv);
  let line = `${Math.floor(ms / 1000)}.${usec} [${db} ${c.addr}]`;
  for (let i = 0; i < argv.length; i++) {
    line += " " + (hide(i) ? '"(redacted)"' : quoteArg(argv[i]!));
  }
  for (const m of x.monitors) {
    if (m.closed) continue;
    m.reply.simple(line);
    m.transport.flushSoon();
  }
}

const monitor: Handler = (x, c) => {
  if (x.noBlock && !x.loading) {
    return c.reply.error("ERR MONITOR isn't allowed for DENY BLOCKING client");
  }
  if (c.monitor) return;
  c.monitor = true;
  x.monitors.add(c);
  c.reply.ok();
};

/** Ends a client's monitoring (RESET, disconnect). */
export function stopMonitoring(x: KvEngine, c: KvClient): void {
  c.monitor = false;
  x.monitors.delete(c);
}

/** MONITOR by lower-case name. */
export const monitorHandlers: Record<string, Handler> = { monitor };
