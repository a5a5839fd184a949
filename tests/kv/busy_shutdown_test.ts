/**
 * SHUTDOWN while a script is busy, as Redis 7.0 answers it: without NOSAVE
 * BUSY (the script's or the function's wording), with NOSAVE the host stops
 * without a snapshot, the script ends where it is without answering its
 * caller, and its writes are dropped from the pending WAL record while the
 * commands logged before it in the same record stay.
 */
import { assertEquals, err, Harness, type TestClient, type Value } from "./_harness.ts";
import { decodeRecord, RecordEncoder } from "../../src/kv/record.ts";
import { latin1 } from "../../src/kv/bytes.ts";
import { executeCommand } from "../../src/kv/dispatch.ts";
import { attachServerHost, type ServerHost } from "../../src/kv/server_control.ts";

const evalBusy =
  "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";
const fcallBusy =
  "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.";
/** Writes, then spins long enough that the test fails (not hangs) if the stop does not work. */
const spin = "redis.call('set', 'k2', 'v2') local i = 0 while i < 50000000 do i = i + 1 end";

/** An engine whose scripts turn busy after 10 ms, attached to a host that records stops. */
function busyHost(turn: (other: TestClient, n: number) => void) {
  const h = new Harness({ busyReplyThreshold: 10 });
  h.timerStepMs = 1;
  const stops: { snapshot: boolean; reason: string }[] = [];
  const host: ServerHost = {
    stop: (o) => void stops.push(o),
    hostname: "127.0.0.1",
    rebind: () => Promise.resolve(null),
    rewriteConfig: () => Promise.resolve(null),
  };
  attachServerHost(h.engine, host);
  const caller = h.client();
  const other = h.client();
  let n = 0;
  h.engine.onBusy = () => turn(other, n++);
  return { h, caller, stops };
}

function logged(h: Harness): string[] {
  return h.wal.records.flatMap((r) =>
    decodeRecord(r.payload).map((c) => c.argv.map((a) => latin1(a)).join(" "))
  );
}

Deno.test("busy script: SHUTDOWN NOSAVE stops it unanswered and drops only its writes", () => {
  const seen: Value[] = [];
  const { h, caller, stops } = busyHost((o, n) => {
    if (n === 0) seen.push(o.run("SCRIPT", "KILL"), o.run("SHUTDOWN"), o.run("SHUTDOWN", "SAVE"));
    if (n === 1) seen.push(o.run("SHUTDOWN", "NOSAVE"));
  });
  // An earlier command of the same listener turn: logged, not committed yet.
  executeCommand(
    h.engine,
    caller.client,
    ["SET", "k1", "v1"].map((a) => new TextEncoder().encode(a)),
  );
  caller.drain();
  assertEquals(caller.run("EVAL", spin, "0"), []);
  assertEquals(seen, [
    err(
      "UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.",
    ),
    err(evalBusy),
    err(evalBusy),
    [], // the server stops: no reply
  ]);
  assertEquals(stops, [{ snapshot: false, reason: "User requested shutdown" }]);
  assertEquals(h.engine.busyScript, null);
  assertEquals(h.engine.snapshotsBarred, true);
  assertEquals(logged(h), ["SET k1 v1"]);
});

Deno.test("busy function: SHUTDOWN answers with FUNCTION's wording, NOSAVE stops it", () => {
  const seen: Value[] = [];
  const { h, caller, stops } = busyHost((o, n) => {
    if (n === 0) seen.push(o.run("SHUTDOWN", "NOW", "FORCE"));
    if (n === 1) seen.push(o.run("SHUTDOWN", "NOSAVE", "NOW"));
  });
  const lib = `#!lua name=lib\nredis.register_function('spin', function()\n${spin}\nend)`;
  assertEquals(caller.run("FUNCTION", "LOAD", lib), "lib");
  const before = logged(h);
  assertEquals(caller.run("FCALL", "spin", "0"), []);
  assertEquals(seen, [err(fcallBusy), []]);
  assertEquals(stops.length, 1);
  assertEquals(logged(h), before);
});

Deno.test("RecordEncoder.truncate drops what came after a mark, or all of a later record", () => {
  const e = new RecordEncoder();
  const argv = (s: string) => s.split(" ").map((a) => new TextEncoder().encode(a));
  e.add(0, argv("SET a 1"));
  const mark = e.mark();
  e.add(0, argv("SET b 2"));
  e.truncate(mark);
  e.add(0, argv("SET c 3"));
  const names = (p: Uint8Array) => decodeRecord(p).map((c) => latin1(c.argv[1]!));
  assertEquals(names(e.take()), ["a", "c"]);
  // Taken since the mark: everything pending now came after it.
  e.add(0, argv("SET d 4"));
  e.truncate(mark);
  assertEquals(e.count, 0);
});
