import assert from "node:assert/strict";
import { CorruptError } from "../../src/common/errors.ts";
import { MemFileSystem } from "../../src/storage/os/mem_file_system.ts";
import { Pager } from "../../src/storage/pager.ts";
import { SimFileSystem } from "../sim/sim_disk.ts";

const pageSize = 4096;

function page(fill: number): Uint8Array {
  const data = new Uint8Array(pageSize);
  data.fill(fill, 32);
  return data;
}

Deno.test("Pager.writePage() stamps id and checksum that readPage() verifies", () => {
  const fs = new MemFileSystem();
  const pager = Pager.open(fs, "/thunder.db", pageSize, true);
  pager.writePage(3, page(7));
  const back = new Uint8Array(pageSize);
  assert.equal(pager.readPage(3, back), "page");
  assert.equal(back[100], 7);
  assert.equal(pager.stats.pagesWritten, 1);
  assert.equal(pager.stats.pagesRead, 1);
  pager.close();
});

Deno.test("Pager.readPage() throws CorruptError naming file and page on a flipped bit", () => {
  const fs = new SimFileSystem({ seed: 9 });
  fs.mkdir("/x");
  const pager = Pager.open(fs, "/x/thunder.db", pageSize, true);
  for (let id = 0; id < 20; id++) pager.writePage(id, page(id));
  pager.durablePageCount = 20;
  fs.flipBit("/x/thunder.db", 17 * pageSize + 40, 18 * pageSize);
  assert.throws(
    () => pager.readPage(17, new Uint8Array(pageSize)),
    (error: CorruptError) =>
      error instanceof CorruptError && error.sqlstate === "XX001" &&
      /^Page 17 of \/x\/thunder\.db failed its checksum \(stored 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}\)$/
        .test(error.message),
  );
  assert.equal(pager.readPage(16, new Uint8Array(pageSize)), "page");
});

Deno.test("Pager.readPage() rejects a page stored under another id", () => {
  const fs = new MemFileSystem();
  const pager = Pager.open(fs, "/thunder.db", pageSize, true);
  const data = page(1);
  pager.writePage(2, data);
  fs.open("/thunder.db", {}).writeSync(data, 5 * pageSize);
  pager.durablePageCount = 6;
  assert.throws(
    () => pager.readPage(5, new Uint8Array(pageSize)),
    /Page 5 of \/thunder\.db holds page id 2/,
  );
});

Deno.test("Pager treats zero pages as fresh only beyond the durable page count", () => {
  const fs = new MemFileSystem();
  const pager = Pager.open(fs, "/thunder.db", pageSize, true);
  pager.writePage(4, page(1)); // pages 0..3 are a hole of zeros
  pager.durablePageCount = 2;
  const buffer = new Uint8Array(pageSize).fill(9);
  assert.equal(pager.readPage(3, buffer), "fresh");
  assert.ok(buffer.every((b) => b === 0));
  assert.equal(pager.readPage(10, buffer), "fresh", "beyond the end of the file");
  assert.throws(() => pager.readPage(1, buffer), /Page 1 of \/thunder\.db failed its checksum/);
});

Deno.test("Pager.readPage() reports a short read as corruption", () => {
  const fs = new MemFileSystem();
  const pager = Pager.open(fs, "/thunder.db", pageSize, true);
  pager.writePage(0, page(1));
  pager.writePage(1, page(1));
  pager.file.truncateSync(pageSize + 100);
  pager.durablePageCount = 2;
  assert.throws(
    () => pager.readPage(1, new Uint8Array(pageSize)),
    /Page 1 of \/thunder\.db is short: read 100 of 4096/,
  );
});
