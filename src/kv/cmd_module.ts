/**
 * MODULE (no Redis module is ever loaded: LIST is empty, LOAD and LOADEX
 * fail, UNLOAD finds no such module) and LOLWUT (the version line Redis
 * prints for a version with no art of its own, for every version).
 * @module
 */
import { parseInt64 } from "./bytes.ts";
import { errors, type Handler, opt, replyHelp, subcommandError } from "./cmd_util.ts";
import { redisVersion } from "./cmd_server.ts";

const moduleHelp = [
  "MODULE <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "LIST",
  "    Return a list of loaded modules.",
  "LOAD <path> [<arg> ...]",
  "    Load a module library from <path>, passing to it any optional arguments.",
  "LOADEX <path> [[CONFIG NAME VALUE] [CONFIG NAME VALUE]] [ARGS ...]",
  "    Load a module library from <path>, while passing it module configurations and optional arguments.",
  "UNLOAD <name>",
  "    Unload a module.",
  "HELP",
  "    Prints this help.",
];

/** Why MODULE LOAD and LOADEX fail. */
export const noModules = "ERR Error loading the extension: ThunderDB does not load Redis modules";

const module: Handler = (_x, c, argv) => {
  const sub = opt(argv, 1);
  const n = argv.length;
  if (sub === "HELP" && n === 2) return replyHelp(c, moduleHelp);
  if (sub === "LIST" && n === 2) return c.reply.array(0);
  if ((sub === "LOAD" || sub === "LOADEX") && n >= 3) return c.reply.error(noModules);
  if (sub === "UNLOAD" && n === 3) {
    return c.reply.error("ERR Error unloading module: no such module with that name");
  }
  subcommandError(c, "MODULE", argv, ["HELP", "LIST", "LOAD", "LOADEX", "UNLOAD"]);
};

/** LOLWUT [VERSION v ...]: the version must be an integer; every version prints the version line. */
const lolwut: Handler = (_x, c, argv) => {
  if (argv.length >= 3 && opt(argv, 1) === "VERSION" && parseInt64(argv[2]!) === null) {
    return c.reply.error(errors.notInteger);
  }
  c.reply.verbatim(`Redis ver. ${redisVersion}\n`);
};

/** MODULE and LOLWUT by lower-case name. */
export const moduleHandlers: Record<string, Handler> = { module, lolwut };
