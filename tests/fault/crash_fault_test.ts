/**
 * Crash test: a child process commits transactions against the storage engine
 * and is killed with SIGKILL at random moments; after each restart every
 * acknowledged commit must be present, whole, and nothing that was never begun
 * may appear. Transactions are atomic: all three keys or none.
 */
import assert from "node:assert/strict";
import { openFileSystem } from "../../src/storage/os/mod.ts";
import { openPageStore } from "../../src/storage/page_store.ts";
import { btreeCheck, btreeScan } from "../../src/storage/btree/mod.ts";
import { crashTestRootSlot } from "./_crash_child.ts";
import { prng } from "../_support/prng.ts";

const childPath = new URL("./_crash_child.ts", import.meta.url).pathname;
const rounds = 50;

interface RoundLog {
  begun: Set<number>;
  acked: Set<number>;
}

async function runChild(dataDir: string, first: number, killAfterMs: number): Promise<RoundLog> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--unstable-ffi", childPath, dataDir, String(first), "8"],
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).spawn();
  const log: RoundLog = { begun: new Set(), acked: new Set() };
  let text = "";
  let killTimer: ReturnType<typeof setTimeout> | undefined;
  const decoder = new TextDecoder();
  const stderr = new Response(child.stderr).text();
  for await (const chunk of child.stdout) {
    text += decoder.decode(chunk, { stream: true });
    if (killTimer === undefined && text.includes("ready\n")) {
      killTimer = setTimeout(() => child.kill("SIGKILL"), killAfterMs);
    }
  }
  clearTimeout(killTimer);
  const status = await child.status;
  const errors = await stderr;
  assert.equal(
    status.signal,
    "SIGKILL",
    `child exited on its own (code ${status.code}):\n${errors}`,
  );
  for (const line of text.split("\n")) {
    const [word, n] = line.split(" ");
    if (word === "begin") log.begun.add(Number(n));
    if (word === "ack") log.acked.add(Number(n));
  }
  return log;
}

Deno.test("crash: acknowledged commits survive SIGKILL, unacknowledged work is atomic", async () => {
  const seed = Number(Deno.env.get("CRASH_SEED") ?? Date.now() % 1_000_000);
  const random = prng(seed);
  const dataDir = await Deno.makeTempDir({ prefix: "thunder_crash_" });
  const begunEver = new Set<number>();
  const ackedEver = new Set<number>();
  let first = 0;
  try {
    for (let round = 0; round < rounds; round++) {
      const log = await runChild(dataDir, first, Math.floor(20 + random() * 250));
      for (const n of log.begun) begunEver.add(n);
      for (const n of log.acked) ackedEver.add(n);
      first += 100_000;
      const store = await openPageStore({
        fs: openFileSystem({ preferDirect: true }),
        dataDir,
        walDir: `${dataDir}/wal`,
        // One view pins every page it reads; the whole tree must fit.
        bufferPoolBytes: 64 * 1024 * 1024,
      });
      try {
        const found = new Map<number, number>();
        store.view((r) => {
          const root = r.root(crashTestRootSlot);
          if (root === 0) return;
          btreeCheck(r, root);
          btreeScan(r, root, {}, (key) => {
            const txn = Number(new TextDecoder().decode(key).slice(1, 9));
            found.set(txn, (found.get(txn) ?? 0) + 1);
            return true;
          });
        });
        const context = `seed ${seed}, round ${round} (repeat with CRASH_SEED=${seed})`;
        for (const n of ackedEver) {
          assert.equal(found.get(n), 3, `acknowledged transaction ${n} lost; ${context}`);
        }
        for (const [n, keys] of found) {
          assert.equal(
            keys,
            3,
            `transaction ${n} is partly visible (${keys} of 3 keys); ${context}`,
          );
          assert.ok(begunEver.has(n), `transaction ${n} appeared but was never begun; ${context}`);
        }
      } finally {
        await store.close();
      }
    }
    assert.ok(ackedEver.size > rounds, `too few commits to mean anything: ${ackedEver.size}`);
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
