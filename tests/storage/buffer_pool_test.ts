import assert from "node:assert/strict";
import { BufferPool } from "../../src/storage/buffer_pool.ts";
import { MemFileSystem } from "../../src/storage/os/mem_file_system.ts";
import { Prng } from "../sim/prng.ts";

const pageSize = 4096;

function pool(frames: number, written: number[] = []): BufferPool {
  const p = new BufferPool(new MemFileSystem(), pageSize, frames * pageSize);
  p.setWriter({
    writeBack: (frame) => written.push(p.pageIds[frame]!),
    cheapToWrite: () => true,
  });
  return p;
}

function fetch(p: BufferPool, pageId: number): number {
  const cached = p.pinCached(pageId);
  if (cached >= 0) return cached;
  const frame = p.claim(pageId);
  p.handles[frame]!.data[40] = pageId & 0xff;
  return frame;
}

Deno.test("BufferPool has at least 16 frames and carves them from one region", () => {
  const p = pool(2);
  assert.equal(p.frames, 16);
  const a = p.handles[0]!.data;
  const b = p.handles[1]!.data;
  assert.equal(a.buffer, b.buffer);
  assert.equal(b.byteOffset - a.byteOffset, pageSize);
});

Deno.test("BufferPool never exceeds its frames and never evicts pinned pages (random workload)", () => {
  const prng = new Prng(42);
  const written: number[] = [];
  const p = pool(16, written);
  const pinned = new Map<number, number>(); // pageId -> frame
  for (let step = 0; step < 20_000; step++) {
    const roll = prng.next();
    if (roll < 0.6 || pinned.size === 0) {
      if (pinned.size >= 12) continue;
      const pageId = prng.int(200);
      if (pinned.has(pageId)) continue;
      const frame = fetch(p, pageId);
      assert.equal(p.handles[frame]!.id, pageId);
      assert.equal(p.handles[frame]!.data[40], pageId & 0xff, "a cached page keeps its contents");
      if (prng.chance(0.3)) p.dirty[frame] = 1;
      pinned.set(pageId, frame);
    } else {
      const [pageId, frame] = [...pinned][prng.int(pinned.size)]!;
      pinned.delete(pageId);
      p.unpin(frame);
    }
    assert.ok(p.cachedPages <= p.frames);
    for (const [pageId, frame] of pinned) {
      assert.equal(p.pageIds[frame], pageId, "a pinned frame still holds its page");
      assert.ok(p.pins[frame]! > 0);
    }
  }
  assert.ok(p.stats.evictions > 1000);
  assert.ok(written.length > 0, "dirty victims were written back");
});

Deno.test("BufferPool writes a dirty victim back before reusing its frame", () => {
  const written: number[] = [];
  const p = pool(16, written);
  const first = fetch(p, 1);
  p.dirty[first] = 1;
  p.unpin(first);
  for (let id = 2; id < 40; id++) p.unpin(fetch(p, id));
  assert.deepEqual(written, [1]);
  assert.equal(p.pinCached(1), -1);
});

Deno.test("BufferPool throws a clear error when every frame is pinned", () => {
  const p = pool(16);
  for (let id = 0; id < 16; id++) fetch(p, id);
  assert.throws(
    () => fetch(p, 99),
    (error: Error & { sqlstate?: string }) =>
      error.sqlstate === "53200" && /All 16 buffer pool frames are pinned/.test(error.message),
  );
});
