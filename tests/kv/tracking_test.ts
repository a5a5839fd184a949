/**
 * CLIENT TRACKING: default mode (remembered reads, one invalidation each),
 * RESP3 pushes after the command's own reply, RESP2 REDIRECT to a
 * __redis__:invalidate subscriber, BCAST with prefixes, NOLOOP, OPTIN /
 * OPTOUT with CLIENT CACHING, FLUSHALL's null invalidation, expiry,
 * tracking-table-max-keys, GETREDIR / TRACKINGINFO and RESET.
 */
import assert from "node:assert/strict";
import { err, Harness } from "./_harness.ts";

Deno.test("RESP3 tracking: a read key is invalidated once, after the writer's reply", () => {
  const h = new Harness();
  const t = h.client();
  const w = h.client();
  t.run("HELLO", "3");
  assert.equal(t.run("CLIENT", "TRACKING", "on"), "OK");
  w.run("SET", "k", "1");
  assert.equal(t.run("GET", "k"), "1");
  w.run("SET", "k", "2");
  assert.deepEqual(t.drain(), [["invalidate", ["k"]]]);
  w.run("SET", "k", "3");
  assert.deepEqual(t.drain(), [], "invalidated once until read again");
  // The client's own write: the push follows its reply.
  t.run("GET", "k");
  assert.deepEqual(t.run("SET", "k", "4"), ["OK", ["invalidate", ["k"]]]);
  // FLUSHALL tells every tracking client to drop everything.
  t.run("GET", "k");
  w.run("FLUSHALL");
  assert.deepEqual(t.drain(), [["invalidate", null]]);
  assert.equal(t.run("RESET"), "RESET");
  assert.deepEqual(t.run("CLIENT", "GETREDIR"), -1);
});

Deno.test("RESP2 REDIRECT to a __redis__:invalidate subscriber; broken redirect", () => {
  const h = new Harness();
  const sub = h.client();
  const t = h.client();
  const w = h.client();
  sub.run("SUBSCRIBE", "__redis__:invalidate");
  assert.deepEqual(
    t.run("CLIENT", "TRACKING", "on", "REDIRECT", 999),
    err("ERR The client ID you want redirect to does not exist"),
  );
  t.run("CLIENT", "TRACKING", "on", "REDIRECT", sub.client.id);
  assert.equal(t.run("CLIENT", "GETREDIR"), sub.client.id);
  t.run("MGET", "a", "b");
  w.run("MSET", "a", "1", "c", "2");
  assert.deepEqual(sub.drain(), [["message", "__redis__:invalidate", ["a"]]]);
  const info = t.run("CLIENT", "TRACKINGINFO");
  assert.deepEqual(info, ["flags", ["on"], "redirect", sub.client.id, "prefixes", []]);
});

Deno.test("BCAST with prefixes and NOLOOP; prefix overlaps are refused", () => {
  const h = new Harness();
  const t = h.client();
  const w = h.client();
  t.run("HELLO", "3");
  t.run("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "a:", "PREFIX", "b:", "NOLOOP");
  w.run("MULTI");
  w.run("INCR", "a:1");
  w.run("INCR", "b:1");
  w.run("INCR", "c:1");
  w.run("EXEC");
  assert.deepEqual(t.drain(), [["invalidate", ["a:1"]], ["invalidate", ["b:1"]]]);
  t.run("SET", "a:2", "x");
  assert.deepEqual(t.drain(), [], "NOLOOP: not its own change");
  assert.match(
    String((t.run("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "a") as { error: string }).error),
    /^ERR Prefix 'a' overlaps with an existing prefix 'a:'/,
  );
  assert.deepEqual(
    t.run("CLIENT", "TRACKING", "on"),
    err(
      "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.",
    ),
  );
});

Deno.test("OPTIN with CLIENT CACHING yes; OPTOUT with CLIENT CACHING no", () => {
  const h = new Harness();
  const t = h.client();
  const w = h.client();
  t.run("HELLO", "3");
  t.run("CLIENT", "TRACKING", "on", "OPTIN");
  t.run("GET", "x");
  w.run("SET", "x", "1");
  assert.deepEqual(t.drain(), []);
  t.run("CLIENT", "CACHING", "yes");
  t.run("GET", "x");
  w.run("SET", "x", "2");
  assert.deepEqual(t.drain(), [["invalidate", ["x"]]]);
  t.run("CLIENT", "TRACKING", "off");
  t.run("CLIENT", "TRACKING", "on", "OPTOUT");
  t.run("CLIENT", "CACHING", "no");
  t.run("GET", "y");
  w.run("SET", "y", "1");
  assert.deepEqual(t.drain(), []);
  assert.deepEqual(
    t.run("CLIENT", "CACHING", "yes"),
    err("ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode."),
  );
});

Deno.test("expiry invalidates; tracking-table-max-keys evicts with an invalidation", () => {
  const h = new Harness();
  const t = h.client();
  t.run("HELLO", "3");
  t.run("SET", "e", "v", "PX", 10);
  t.run("CLIENT", "TRACKING", "on");
  t.run("MGET", "p", "q");
  t.run("GET", "e");
  h.nowMs += 20;
  h.client().run("GET", "e");
  assert.deepEqual(t.drain(), [["invalidate", ["e"]]]);
  const info = () => String(h.client().run("INFO", "stats"));
  assert.match(info(), /tracking_total_keys:2/);
  assert.deepEqual(t.run("CONFIG", "SET", "tracking-table-max-keys", "1"), [
    "OK",
    ["invalidate", ["p"]],
  ]);
  assert.match(info(), /tracking_total_keys:1/);
});

Deno.test("CLIENT TRACKING: a script's declared keys are tracked only when it called a read-only command", () => {
  const h = new Harness();
  const a = h.client();
  const b = h.client();
  a.run("HELLO", "3");
  a.run("CLIENT", "TRACKING", "on");
  a.run("EVAL", "redis.call('set', 'k3', 'bar')", "2", "k1", "k2");
  b.run("MSET", "k2", "1", "k1", "1");
  assert.deepEqual(a.drain(), []);
  a.run("EVAL", "redis.call('get', 'k3')", "2", "k1", "k2");
  b.run("MSET", "k2", "2", "k1", "2");
  assert.deepEqual(a.drain(), [["invalidate", ["k2"]], ["invalidate", ["k1"]]]);
  // A read-only script is not a read in itself: only a read it makes counts.
  a.run("EVAL_RO", "redis.call('ping')", "2", "k1", "k2");
  b.run("MSET", "k2", "3", "k1", "3");
  assert.deepEqual(a.drain(), []);
  a.run("EVAL_RO", "redis.call('get', 'k1')", "2", "k1", "k2");
  b.run("MSET", "k2", "4", "k1", "4");
  assert.deepEqual(a.drain(), [["invalidate", ["k2"]], ["invalidate", ["k1"]]]);
});
