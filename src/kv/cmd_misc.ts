/**
 * Introspection commands outside the data types: MEMORY (USAGE from the
 * engine's per-key estimate) and CLUSTER (no cluster mode).
 * @module
 */
import { type Handler, intArg, key, opt, replyHelp, subcommandArityError } from "./cmd_util.ts";

const memory: Handler = (x, c, argv) => {
  const sub = opt(argv, 1);
  if (sub === "USAGE" && argv.length >= 3) {
    if (argv.length !== 3 && (argv.length !== 5 || opt(argv, 3) !== "SAMPLES")) {
      return c.reply.error("ERR syntax error");
    }
    if (argv.length === 5 && intArg(c, argv[4]!) === null) return;
    const e = x.dbs[c.db]!.lookup(key(argv, 2), x.now, x.loading);
    return e === undefined ? c.reply.nil() : c.reply.integer(e.bytes);
  }
  if (sub === "DOCTOR" && argv.length === 2) {
    return c.reply.verbatim("Hi Sam, I can't find any memory issue in your instance.");
  }
  if (sub === "HELP" && argv.length === 2) {
    const lines = ["MEMORY <subcommand>", "DOCTOR", "USAGE <key> [SAMPLES <count>]"];
    replyHelp(c, lines);
    return;
  }
  subcommandArityError(c, "MEMORY", argv);
};

/** CLUSTER answers as a Redis started without cluster mode does. */
const cluster: Handler = (_x, c) => c.reply.error("ERR This instance has cluster support disabled");

/** MEMORY and CLUSTER by lower-case name. */
export const miscHandlers: Record<string, Handler> = { memory, cluster };
