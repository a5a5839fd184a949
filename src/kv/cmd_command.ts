/**
 * COMMAND and its subcommands (COUNT, LIST, INFO, DOCS, GETKEYS) over the
 * command table.
 * @module
 */
import type { KvClient } from "./client.ts";
import type { CommandSpec } from "./command_table.ts";
import { latin1 } from "./bytes.ts";
import { type Handler, opt } from "./cmd_util.ts";

/** SORT's destination key (the last STORE wins), skipping other options' arguments. */
function sortStoreKey(args: Uint8Array[]): Uint8Array[] {
  let store: Uint8Array | undefined;
  for (let i = 2; i < args.length; i++) {
    const w = opt(args, i);
    if (w === "LIMIT") i += 2;
    else if (w === "GET" || w === "BY") i += 1;
    else if (w === "STORE" && i + 1 < args.length) store = args[++i];
  }
  return store === undefined ? [] : [store];
}

function docsEntry(c: KvClient, spec: CommandSpec): void {
  c.reply.map(3);
  c.reply.bulkText("summary");
  c.reply.bulkText(`${spec.name.toUpperCase()} command`);
  c.reply.bulkText("since");
  c.reply.bulkText("1.0.0");
  c.reply.bulkText("group");
  c.reply.bulkText(spec.group);
}

function infoEntry(c: KvClient, spec: CommandSpec): void {
  c.reply.array(10);
  c.reply.bulkText(spec.name);
  c.reply.integer(spec.arity);
  const flags = [...spec.flags].filter((f) =>
    !["pubsubok", "nomulti", "denymulti", "movablekeys"].includes(f)
  );
  c.reply.set(flags.length);
  for (const f of flags) c.reply.simple(f);
  c.reply.integer(spec.firstKey);
  c.reply.integer(spec.lastKey);
  c.reply.integer(spec.step);
  c.reply.set(1);
  c.reply.simple("@" + spec.group);
  c.reply.array(0);
  c.reply.array(0);
  c.reply.array(0);
}

/** The COMMAND handler over the table `getTable` returns (built after it). */
export function commandHandler(getTable: () => ReadonlyMap<string, CommandSpec>): Handler {
  return (_x, c, argv) => command(getTable(), c, argv);
}

function command(table: ReadonlyMap<string, CommandSpec>, c: KvClient, argv: Uint8Array[]): void {
  const sub = argv.length === 1 ? "" : opt(argv, 1);
  if (sub === "") {
    c.reply.array(table.size);
    for (const spec of table.values()) infoEntry(c, spec);
  } else if (sub === "COUNT" && argv.length === 2) c.reply.integer(table.size);
  else if (sub === "LIST") {
    c.reply.array(table.size);
    for (const name of table.keys()) c.reply.bulkText(name);
  } else if (sub === "INFO") {
    const names = argv.length === 2
      ? [...table.keys()]
      : argv.slice(2).map((a) => latin1(a).toLowerCase());
    c.reply.array(names.length);
    for (const n of names) {
      const spec = table.get(n);
      if (spec === undefined) c.reply.nil();
      else infoEntry(c, spec);
    }
  } else if (sub === "DOCS") {
    const names = argv.length === 2
      ? [...table.keys()]
      : argv.slice(2).map((a) => latin1(a).toLowerCase());
    const specs = names.map((n) => table.get(n)).filter((s): s is CommandSpec => s !== undefined);
    c.reply.map(specs.length);
    for (const spec of specs) {
      c.reply.bulkText(spec.name);
      docsEntry(c, spec);
    }
  } else if (sub === "GETKEYS" && argv.length >= 3) {
    const spec = table.get(latin1(argv[2]!).toLowerCase());
    if (spec === undefined) return c.reply.error("ERR Invalid command specified");
    const args = argv.slice(2);
    const keys: Uint8Array[] = [];
    if (spec.name === "sort" && args.length >= 2) keys.push(args[1]!, ...sortStoreKey(args));
    else if (spec.firstKey > 0) {
      const last = spec.lastKey < 0 ? args.length + spec.lastKey : spec.lastKey;
      for (let i = spec.firstKey; i <= last && i < args.length; i += spec.step) keys.push(args[i]!);
    }
    if (keys.length === 0) return c.reply.error("ERR The command has no key arguments");
    c.reply.array(keys.length);
    for (const k of keys) c.reply.bulk(k);
  } else {
    c.reply.error(`ERR unknown subcommand '${latin1(argv[1]!)}'. Try COMMAND HELP.`);
  }
}
