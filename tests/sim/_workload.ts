/**
 * The crash/recover workload over the page store, driven by one seed. Each
 * cycle reopens (recovering) the store on a `SimFileSystem`, checks that the
 * recovered state is exactly the state after some prefix of the operations
 * and includes every acknowledged one, runs random mini-transactions (counter
 * updates, blob writes, page moves through the free list, rolled-back
 * updates), acknowledges some through `wal.flush`, checkpoints now and then,
 * sometimes injects an I/O fault, and crashes at a random point.
 * @module
 */

import { IoError } from "../../src/common/errors.ts";
import { setLogSink } from "../../src/common/log.ts";
import type { Mtr, PageReader } from "../../src/storage/mtr.ts";
import { PageType } from "../../src/storage/page.ts";
import { openPageStore, type PageStore } from "../../src/storage/page_store.ts";
import { Ledger } from "./_ledger.ts";
import { SimFileSystem } from "./sim_disk.ts";

const groups = 24;
const counters = 16;
const counterOffset = 64;
const blobOffset = 200;
const blobBytes = 5000;
const pageSize = 8192;
const dirSlot = 0;

/** The logical state after some number of operations. */
interface ModelState {
  readonly counters: Uint32Array;
  readonly blobs: Uint8Array;
  /** The ledger participant's total after this operation. */
  readonly ledger: number;
}

/** What a run did. */
export interface SimRunStats {
  cycles: number;
  operations: number;
  acknowledged: number;
  lostUnacknowledged: number;
  injectedFaults: number;
  tornWrites: number;
  checkpoints: number;
}

const ledgerPath = "/db/ledger";
const storeOptions = (fs: SimFileSystem, ledger?: Ledger) => ({
  fs: fs.view(),
  participants: ledger === undefined ? [] : [ledger],
  dataDir: "/db",
  walDir: "/db/wal",
  pageSize,
  bufferPoolBytes: 16 * pageSize,
  walSegmentBytes: 64 * 1024,
  checkpointWalBytes: 256 * 1024,
});

function u32(data: Uint8Array, at: number): number {
  return (data[at]! | (data[at + 1]! << 8) | (data[at + 2]! << 16) | (data[at + 3]! << 24)) >>> 0;
}

function setU32(data: Uint8Array, at: number, value: number): void {
  new DataView(data.buffer, data.byteOffset + at, 4).setUint32(0, value >>> 0, true);
}

/**
 * Runs `cycles` crash/recover cycles from `seed`.
 * @throws {Error} naming the seed and cycle when recovery loses or invents data
 */
export async function runSimulation(seed: number, cycles: number): Promise<SimRunStats> {
  const fs = new SimFileSystem({ seed });
  // Background checkpoints cut short by a simulated crash log their failure; keep the output quiet.
  setLogSink(() => {});
  try {
    return await runCycles(fs, seed, cycles);
  } finally {
    // Let the last crash's abandoned background work fail before logging is restored.
    await new Promise((resolve) => setTimeout(resolve, 0));
    setLogSink((line) => console.error(line));
  }
}

async function runCycles(fs: SimFileSystem, seed: number, cycles: number): Promise<SimRunStats> {
  const stats: SimRunStats = {
    cycles: 0,
    operations: 0,
    acknowledged: 0,
    lostUnacknowledged: 0,
    injectedFaults: 0,
    tornWrites: 0,
    checkpoints: 0,
  };
  let history: ModelState[] = [];
  let acknowledged = 0;
  {
    const store = await openPageStore(storeOptions(fs));
    initialize(store);
    history = [{
      counters: new Uint32Array(groups * counters),
      blobs: new Uint8Array(groups * blobBytes),
      ledger: 0,
    }];
    await store.close();
  }
  const state = { history, acknowledged };
  for (let cycle = 0; cycle < cycles; cycle++) {
    const where = `seed ${seed}, cycle ${cycle} (replay: deno task sim --seed=${seed} --cycles=${
      cycle + 1
    })`;
    try {
      await runCycle(fs, state, stats, where);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (message.includes(where)) throw error;
      throw new Error(`At ${where}: ${message}`, { cause: error });
    }
    stats.cycles++;
  }
  acknowledged = state.acknowledged;
  stats.acknowledged = acknowledged;
  stats.tornWrites = fs.stats.tornWrites;
  return stats;
}

/** One cycle: recover and verify, run operations, maybe inject a fault, crash. */
async function runCycle(
  fs: SimFileSystem,
  run: { history: ModelState[]; acknowledged: number },
  stats: SimRunStats,
  where: string,
): Promise<void> {
  const prng = fs.prng;
  let history = run.history;
  let acknowledged = run.acknowledged;
  const ledger = new Ledger(fs.view(), ledgerPath);
  const store = await openPageStore(storeOptions(fs, ledger)).catch((error) => {
    throw new Error(`Recovery failed at ${where}: ${error}`, { cause: error });
  });
  const recovered = readState(store);
  if (recovered.seq < acknowledged || recovered.seq >= history.length) {
    throw new Error(
      `At ${where}: recovered operation ${recovered.seq}, acknowledged ${acknowledged}, performed ${
        history.length - 1
      }`,
    );
  }
  compare(recovered.state, history[recovered.seq]!, where);
  // The ledger's record for an operation precedes the operation's page record in the log.
  if (ledger.seq !== recovered.seq && ledger.seq !== recovered.seq + 1) {
    throw new Error(
      `At ${where}: the ledger recovered operation ${ledger.seq}, the pages ${recovered.seq}`,
    );
  }
  if (ledger.total !== history[ledger.seq]!.ledger) {
    throw new Error(
      `At ${where}: ledger total ${ledger.total}, expected ${history[ledger.seq]!.ledger}`,
    );
  }
  stats.lostUnacknowledged += history.length - 1 - recovered.seq;
  history = history.slice(0, recovered.seq + 1);
  // A ledger record whose operation's page record was lost still counts: it is in the log.
  history[recovered.seq] = { ...history[recovered.seq]!, ledger: ledger.total };
  acknowledged = recovered.seq;
  const faulty = prng.chance(0.1);
  if (faulty) {
    stats.injectedFaults++;
    const which = prng.int(3);
    if (which === 0) fs.failWriteAfter = prng.int(30);
    else if (which === 1) fs.failSyncAfter = prng.int(6);
    else fs.freeBytes = prng.int(200_000);
  }
  const pending: Promise<unknown>[] = [];
  try {
    const operations = 5 + prng.int(40);
    for (let i = 0; i < operations; i++) {
      const next = operate(store, ledger, prng, history);
      if (next !== undefined) {
        history.push(next);
        stats.operations++;
      }
      const seq = history.length - 1;
      const roll = prng.next();
      if (roll < 0.25) {
        await store.wal.flush(store.wal.endLsn);
        acknowledged = Math.max(acknowledged, seq);
      } else if (roll < 0.35) {
        pending.push(
          store.wal.flush(store.wal.endLsn).then(() => {
            acknowledged = Math.max(acknowledged, seq);
          }),
        );
      } else if (roll < 0.38) {
        await store.checkpoint();
        acknowledged = Math.max(acknowledged, seq);
        stats.checkpoints++;
      } else if (roll < 0.41) {
        pending.push(
          store.checkpoint().then(() => {
            acknowledged = Math.max(acknowledged, seq);
          }),
        );
      }
    }
    for (let turns = prng.int(12); turns > 0; turns--) await Promise.resolve();
  } catch (error) {
    // An injected fault surfaces as an IoError to the caller; the run goes on to crash and recover.
    if (!(error instanceof IoError) || !faulty) throw error;
  }
  fs.crash();
  await Promise.allSettled(pending);
  run.history = history;
  run.acknowledged = acknowledged;
}

function initialize(store: PageStore): void {
  store.update((m) => {
    const dir = m.allocate(PageType.heap);
    m.setRoot(dirSlot, dir.id);
    setU32(dir.data, 36, groups);
    m.logRange(dir, 32, 8);
  });
  for (let g = 0; g < groups; g++) {
    store.update((m) => {
      const page = m.allocate(PageType.heap);
      const dir = m.write(m.root(dirSlot));
      setU32(dir.data, 40 + 4 * g, page.id);
      m.logRange(dir, 40 + 4 * g, 4);
    });
  }
}

function groupPage(reader: PageReader, g: number): number {
  const dir = reader.read(reader.root(dirSlot));
  return u32(dir.data, 40 + 4 * g);
}

/** Runs one random operation; returns the new state, or undefined when it rolled back. */
function operate(
  store: PageStore,
  ledger: Ledger,
  prng: SimFileSystem["prng"],
  history: ModelState[],
): ModelState | undefined {
  const state = history[history.length - 1]!;
  const seq = history.length;
  const next = {
    counters: state.counters.slice(),
    blobs: state.blobs.slice(),
    ledger: state.ledger,
  };
  const kind = prng.next();
  const bump = (m: Mtr) => {
    const dir = m.write(m.root(dirSlot));
    setU32(dir.data, 32, seq);
    m.logRange(dir, 32, 4);
  };
  if (kind < 0.1) {
    const g = prng.int(groups);
    const before = store.view((r) => r.read(groupPage(r, g)).data.slice());
    try {
      store.update((m) => {
        const page = m.write(groupPage(m, g));
        page.data.fill(0xee, counterOffset, blobOffset + blobBytes);
        m.logRange(page, counterOffset, blobOffset + blobBytes - counterOffset);
        bump(m);
        throw new Error("planned rollback");
      });
    } catch (error) {
      if (!(error instanceof Error) || error.message !== "planned rollback") throw error;
    }
    const after = store.view((r) => r.read(groupPage(r, g)).data.slice());
    if (after.some((byte, i) => byte !== before[i])) {
      throw new Error(`Rollback left changes in group ${g}`);
    }
    return undefined;
  }
  const amount = 1 + prng.int(100);
  ledger.append(store.wal, seq, amount);
  next.ledger += amount;
  try {
    change(store, prng, next, kind, seq);
  } catch (error) {
    // The ledger record may have reached the log (an eviction flushes it) though the pages
    // never will: recovery may find the ledger one operation ahead, at this state.
    history.push({ ...state, ledger: next.ledger });
    throw error;
  }
  return next;
}

/** The page side of an operation: one mini-transaction. */
function change(
  store: PageStore,
  prng: SimFileSystem["prng"],
  next: ModelState,
  kind: number,
  seq: number,
): void {
  const bump = (m: Mtr) => {
    const dir = m.write(m.root(dirSlot));
    setU32(dir.data, 32, seq);
    m.logRange(dir, 32, 4);
  };
  store.update((m) => {
    if (kind < 0.6) {
      for (let n = 1 + prng.int(3); n > 0; n--) {
        const g = prng.int(groups);
        const j = prng.int(counters);
        const value = (next.counters[g * counters + j]! + 1 + prng.int(1000)) >>> 0;
        next.counters[g * counters + j] = value;
        const page = m.write(groupPage(m, g));
        setU32(page.data, counterOffset + 4 * j, value);
        m.logRange(page, counterOffset + 4 * j, 4);
      }
    } else if (kind < 0.85) {
      const g = prng.int(groups);
      const length = [100, 1500, blobBytes][prng.int(3)]!;
      const value = 1 + prng.int(250);
      next.blobs.fill(value, g * blobBytes, g * blobBytes + length);
      const page = m.write(groupPage(m, g));
      page.data.fill(value, blobOffset, blobOffset + length);
      m.logRange(page, blobOffset, length);
    } else {
      const g = prng.int(groups);
      const oldId = groupPage(m, g);
      const old = m.read(oldId);
      const fresh = m.allocate(PageType.heap);
      fresh.data.set(old.data.subarray(counterOffset, blobOffset + blobBytes), counterOffset);
      m.logPage(fresh);
      m.free(oldId);
      const dir = m.write(m.root(dirSlot));
      setU32(dir.data, 40 + 4 * g, fresh.id);
      m.logRange(dir, 40 + 4 * g, 4);
    }
    bump(m);
  });
}

function readState(store: PageStore): { seq: number; state: ModelState } {
  const state = {
    counters: new Uint32Array(groups * counters),
    blobs: new Uint8Array(groups * blobBytes),
    ledger: 0,
  };
  let seq = 0;
  for (let g = 0; g < groups; g++) {
    store.view((r) => {
      const dir = r.read(r.root(dirSlot));
      seq = u32(dir.data, 32);
      const page = r.read(u32(dir.data, 40 + 4 * g));
      if (page.data[16] !== PageType.heap) {
        throw new Error(`Group ${g} is on page ${page.id} of type ${page.data[16]}`);
      }
      for (let j = 0; j < counters; j++) {
        state.counters[g * counters + j] = u32(page.data, counterOffset + 4 * j);
      }
      state.blobs.set(page.data.subarray(blobOffset, blobOffset + blobBytes), g * blobBytes);
    });
  }
  return { seq, state };
}

function compare(actual: ModelState, expected: ModelState, where: string): void {
  for (let i = 0; i < expected.counters.length; i++) {
    if (actual.counters[i] !== expected.counters[i]) {
      throw new Error(
        `At ${where}: counter ${i} is ${actual.counters[i]}, expected ${expected.counters[i]}`,
      );
    }
  }
  for (let i = 0; i < expected.blobs.length; i++) {
    if (actual.blobs[i] !== expected.blobs[i]) {
      throw new Error(
        `At ${where}: blob byte ${i} is ${actual.blobs[i]}, expected ${expected.blobs[i]}`,
      );
    }
  }
}
