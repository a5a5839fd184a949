/** Sharded pub/sub: SSUBSCRIBE, SUNSUBSCRIBE, SPUBLISH and PUBSUB SHARDCHANNELS / SHARDNUMSUB. */
import assert from "node:assert/strict";
import { err, Harness } from "./_harness.ts";

Deno.test("SPUBLISH reaches shard subscribers only; PUBLISH reaches classic ones only", () => {
  const h = new Harness();
  const sub = h.client();
  const classic = h.client();
  const pub = h.client();
  assert.deepEqual(sub.run("SSUBSCRIBE", "a", "b", "a"), [
    ["ssubscribe", "a", 1],
    ["ssubscribe", "b", 2],
    ["ssubscribe", "a", 2],
  ]);
  classic.run("SUBSCRIBE", "a");
  assert.equal(pub.run("SPUBLISH", "a", "hi"), 1);
  assert.deepEqual(sub.drain(), [["smessage", "a", "hi"]]);
  assert.deepEqual(classic.drain(), []);
  assert.equal(pub.run("PUBLISH", "a", "yo"), 1);
  assert.deepEqual(sub.drain(), []);
  assert.deepEqual(pub.run("PUBSUB", "SHARDCHANNELS"), ["a", "b"]);
  assert.deepEqual(pub.run("PUBSUB", "SHARDCHANNELS", "b*"), ["b"]);
  assert.deepEqual(pub.run("PUBSUB", "SHARDNUMSUB", "a", "zz"), ["a", 1, "zz", 0]);
  assert.deepEqual(pub.run("PUBSUB", "CHANNELS"), ["a"]);
  // In RESP2 a shard subscriber is in pub/sub context.
  assert.deepEqual(
    sub.run("GET", "k"),
    err(
      "ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context",
    ),
  );
  assert.match(String(pub.run("CLIENT", "LIST")), /ssub=2 /);
  assert.deepEqual(sub.run("SUNSUBSCRIBE", "a"), ["sunsubscribe", "a", 1]);
  assert.deepEqual(sub.run("SUNSUBSCRIBE"), ["sunsubscribe", "b", 0]);
  assert.deepEqual(sub.run("SUNSUBSCRIBE"), ["sunsubscribe", null, 0]);
  assert.equal(pub.run("SPUBLISH", "a", "hi"), 0);
  assert.equal(sub.run("GET", "k"), null);
});

Deno.test("RESET drops shard subscriptions", () => {
  const h = new Harness();
  const sub = h.client();
  sub.run("SSUBSCRIBE", "a");
  assert.equal(sub.run("RESET"), "RESET");
  assert.equal(h.client().run("SPUBLISH", "a", "x"), 0);
  assert.deepEqual(h.client().run("PUBSUB", "SHARDNUMSUB", "a"), ["a", 0]);
});
