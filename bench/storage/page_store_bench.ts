/**
 * Hot-path micro-benchmarks of the storage core: cached page reads, small
 * logged updates, WAL appends and page checksums. Run with
 * `deno bench --allow-all --unstable-ffi bench/storage/`.
 * @module
 */

import { crc32c } from "../../src/common/crc32c.ts";
import { MemFileSystem } from "../../src/storage/os/mem_file_system.ts";
import { PageType } from "../../src/storage/page.ts";
import { openPageStore } from "../../src/storage/page_store.ts";

const store = await openPageStore({
  fs: new MemFileSystem(),
  dataDir: "/bench",
  walDir: "/bench/wal",
  walSync: "off",
  bufferPoolBytes: 64 * 1024 * 1024,
});
const ids: number[] = [];
for (let i = 0; i < 1000; i++) store.update((m) => ids.push(m.allocate(PageType.heap).id));
await store.checkpoint();
let i = 0;

Deno.bench("view: read one cached page", { group: "page", baseline: true }, () => {
  const id = ids[i++ % ids.length]!;
  store.view((r) => r.read(id).data[100]);
});

Deno.bench("update: 8-byte logged change to one page", { group: "page" }, () => {
  const id = ids[i++ % ids.length]!;
  store.update((m) => {
    const page = m.write(id);
    page.data[200] = i;
    m.logRange(page, 200, 8);
  });
});

const payload = new Uint8Array(100);
Deno.bench("wal: append a 100-byte record", { group: "wal" }, () => {
  store.wal.append(16, payload);
});

const page = new Uint8Array(16384).map((_, k) => k * 7);
Deno.bench("crc32c of a 16 KiB page", { group: "crc" }, () => {
  crc32c(page, 4);
});
