/**
 * ACL LOG [count | RESET]: the refused commands, keys, channels and failed
 * AUTHs, newest first, as Redis 7.0 shows them.
 * @module
 */
import { type Handler, intArg, opt } from "./cmd_util.ts";

/** ACL LOG's handler. */
export const aclLogReply: Handler = (x, c, argv) => {
  if (argv.length === 3 && opt(argv, 2) === "RESET") {
    x.acl.log.length = 0;
    return c.reply.ok();
  }
  let count = x.acl.log.length;
  if (argv.length === 3) {
    const n = intArg(c, argv[2]!, "ERR value is out of range, must be positive");
    if (n === null) return;
    if (n < 0) return c.reply.error("ERR value is out of range, must be positive");
    count = Math.min(n, count);
  } else if (argv.length > 3) {
    return c.reply.error("ERR syntax error");
  }
  c.reply.array(count);
  for (const e of x.acl.log.slice(0, count)) {
    c.reply.map(7);
    c.reply.bulkText("count");
    c.reply.integer(e.count);
    c.reply.bulkText("reason");
    c.reply.bulkText(e.reason);
    c.reply.bulkText("context");
    c.reply.bulkText(e.context);
    c.reply.bulkText("object");
    c.reply.bulkLatin1(e.object);
    c.reply.bulkText("username");
    c.reply.bulkLatin1(e.username);
    c.reply.bulkText("age-seconds");
    c.reply.double((x.now - e.createdMs) / 1000);
    c.reply.bulkText("client-info");
    c.reply.bulkLatin1(e.clientInfo);
  }
};
