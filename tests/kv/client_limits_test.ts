import assert from "node:assert/strict";
import {
  clientEvictionLimit,
  defaultOutputBufferLimits,
  formatOutputBufferLimits,
  outputCheckBytes,
  parseMaxmemoryClients,
  parseOutputBufferLimits,
} from "../../src/kv/client_limits.ts";
import { evictClients } from "../../src/kv/client_evict.ts";
import { clientsCron, recentMaxBuffers } from "../../src/kv/client_cron.ts";
import { KvClient } from "../../src/kv/client.ts";
import { Harness, RecordingReply } from "./_harness.ts";

Deno.test("client-output-buffer-limit: Redis's CONFIG text and errors", () => {
  assert.equal(
    formatOutputBufferLimits(defaultOutputBufferLimits),
    "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
  );
  const set = parseOutputBufferLimits(
    defaultOutputBufferLimits,
    "normal 1mb 2mb 60 replica 3mb 4mb 70 pubsub 5mb 6mb 80",
  );
  assert.ok(typeof set !== "string");
  assert.equal(
    formatOutputBufferLimits(set),
    "normal 1048576 2097152 60 slave 3145728 4194304 70 pubsub 5242880 6291456 80",
  );
  // Only the classes named change.
  const one = parseOutputBufferLimits(set, "pubsub 100000 0 0");
  assert.ok(typeof one !== "string");
  assert.deepEqual(one.normal, set.normal);
  assert.deepEqual(one.pubsub, { hard: 100000, soft: 0, softSeconds: 0 });
  const errors: [string, RegExp][] = [
    ["wrong number", /Wrong number of arguments/],
    ["invalid_class 10mb 10mb 60", /Invalid client class/],
    ["master 10mb 10mb 60", /Invalid client class/],
    ["normal 10mbs 10mb 60", /Error in hard, soft or soft_seconds/],
    ["pubsub 10mb 10mb 60s", /Error in hard, soft or soft_seconds/],
  ];
  for (const [text, message] of errors) {
    const r = parseOutputBufferLimits(defaultOutputBufferLimits, text);
    assert.ok(typeof r === "string" && message.test(r), `${text}: ${String(r)}`);
  }
});

Deno.test("output limits: the smallest non-zero normal or pubsub limit gates the closer check", () => {
  assert.equal(outputCheckBytes(defaultOutputBufferLimits), 8 * 1024 * 1024);
  const none = parseOutputBufferLimits(defaultOutputBufferLimits, "normal 0 0 0 pubsub 0 0 0");
  assert.ok(typeof none !== "string");
  assert.equal(outputCheckBytes(none), Infinity);
  const normal = parseOutputBufferLimits(none, "normal 100000 0 0");
  assert.ok(typeof normal !== "string");
  assert.equal(outputCheckBytes(normal), 100000);
});

Deno.test("maxmemory-clients: bytes or a percentage of maxmemory", () => {
  assert.deepEqual(parseMaxmemoryClients("3mb"), { percent: false, value: 3 * 1024 * 1024 });
  assert.deepEqual(parseMaxmemoryClients("7%"), { percent: true, value: 7 });
  assert.equal(parseMaxmemoryClients("101%"), "percentage argument must be less or equal to 100");
  assert.equal(parseMaxmemoryClients("x%"), "argument must be a memory or percent value");
  assert.equal(clientEvictionLimit({ percent: true, value: 7 }, 6 * 1024 * 1024), 440401);
  assert.equal(clientEvictionLimit({ percent: true, value: 7 }, 0), 0);
});

Deno.test("client eviction closes the largest evictable clients until memory fits", () => {
  const h = new Harness();
  const x = h.engine;
  const shut: number[] = [];
  const open = (memory: number, noEvict = false): KvClient => {
    const c = new KvClient(
      x.nextClientId++,
      new RecordingReply(),
      {
        setProtocol: () => {},
        closeAfterReply: () => {},
        flushSoon: () => {},
        shutdown: () => {
          shut.push(c.id);
          c.closed = true;
          x.clients.delete(c.id);
          x.clientsMemory -= c.memory;
        },
      },
      "a",
      "b",
      0,
      false,
    );
    c.memory = memory;
    c.noEvict = noEvict;
    x.clientsMemory += memory;
    x.clients.set(c.id, c);
    return c;
  };
  const big = open(3000, true);
  const a = open(1000);
  const b = open(2000);
  const c = open(500);
  evictClients(x);
  assert.deepEqual(shut, [], "no limit, no eviction");
  x.config.maxmemoryClients = { percent: false, value: 5000 };
  evictClients(x);
  // 6500 > 5000: the largest evictable (b, 2000) goes; 4500 fits. The NO-EVICT client stays.
  assert.deepEqual(shut, [b.id]);
  assert.equal(x.stats.evictedClients, 1);
  x.config.maxmemoryClients = { percent: false, value: 3200 };
  evictClients(x);
  assert.deepEqual(shut, [b.id, a.id, c.id]);
  assert.ok(!big.closed);
  assert.equal(x.clientsMemory, 3000);
  // Through CONFIG SET: lowering the limit evicts at once; INFO counts it.
  const control = h.client();
  assert.equal(control.run("CONFIG", "SET", "maxmemory-clients", "10%"), "OK");
  assert.deepEqual(control.run("CONFIG", "GET", "maxmemory-clients"), ["maxmemory-clients", "10%"]);
  assert.match(String(control.run("INFO", "stats")), /evicted_clients:3\r\n/);
});

Deno.test("client cron: a pass visits at least 50 clients, each once a second; INFO recent maxima", () => {
  const h = new Harness();
  const x = h.engine;
  const visits = new Map<number, number>();
  for (let i = 0; i < 120; i++) {
    const c: KvClient = new KvClient(
      x.nextClientId++,
      new RecordingReply(),
      {
        setProtocol: () => {},
        closeAfterReply: () => {},
        flushSoon: () => {},
        cron: () => void visits.set(c.id, (visits.get(c.id) ?? 0) + 1),
        buffers: () => ({ qbuf: c.id, qbufFree: 1000, obl: 0, oll: 0, omem: 2 * c.id }),
      },
      "a",
      "b",
      0,
      false,
    );
    x.clients.set(c.id, c);
  }
  clientsCron(x);
  assert.equal(visits.size, 50);
  clientsCron(x);
  clientsCron(x);
  // 150 visits: every client once, then the first 30 again.
  assert.equal(visits.size, 120);
  assert.equal([...visits.values()].filter((n) => n === 2).length, 30);
  const maxId = Math.max(...x.clients.keys());
  assert.deepEqual(recentMaxBuffers(x), { input: maxId + 1000, output: 2 * maxId });
  const info = String(h.client().run("INFO", "clients"));
  assert.match(info, new RegExp(`client_recent_max_input_buffer:${maxId + 1000}\\r\\n`));
  assert.match(info, new RegExp(`client_recent_max_output_buffer:${2 * maxId}\\r\\n`));
});
