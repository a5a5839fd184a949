/**
 * ACL: the user a connection runs as. ThunderDB's users (CREATE USER in SQL)
 * are the Redis users besides `default`; ACL WHOAMI names the client's.
 * @module
 */
import { opt, subcommandError } from "./cmd_util.ts";
import type { Handler } from "./cmd_util.ts";

const acl: Handler = (_x, c, argv) => {
  const sub = opt(argv, 1);
  if (sub === "WHOAMI" && argv.length === 2) return c.reply.bulkLatin1(c.user);
  subcommandError(c, "ACL", argv, ["WHOAMI"]);
};

/** ACL command handlers by lower-case name. */
export const aclHandlers: Record<string, Handler> = { acl };
