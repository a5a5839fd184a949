import assert from "node:assert/strict";
import { setLogSink } from "../../../src/common/log.ts";
import { directFallbackLogged, LibcFileSystem } from "../../../src/storage/os/libc.ts";
import { checkFileSystem } from "./_conformance.ts";

Deno.test("LibcFileSystem passes the file-system suite with O_DIRECT on a disk directory", async () => {
  const dir = await Deno.makeTempDir({ dir: ".", prefix: ".tmp_libc_" });
  try {
    const fs = new LibcFileSystem({ preferDirect: true });
    await checkFileSystem(fs, dir);
    const file = fs.open(`${dir}/direct.bin`, { create: true, direct: true });
    assert.equal(file.direct, true, "ext4/xfs accept O_DIRECT");
    file.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("LibcFileSystem passes the file-system suite on tmpfs (/dev/shm)", async () => {
  const dir = await Deno.makeTempDir({ dir: "/dev/shm", prefix: "thunder_libc_" });
  try {
    await checkFileSystem(new LibcFileSystem({ preferDirect: true }), dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("LibcFileSystem falls back to buffered I/O when O_DIRECT is refused, logging once", async () => {
  const dir = await Deno.makeTempDir({ dir: "/dev/shm", prefix: "thunder_libc_" });
  const lines: string[] = [];
  const loggedBefore = directFallbackLogged();
  setLogSink((line) => lines.push(line));
  try {
    const fs = new LibcFileSystem({ preferDirect: true, refuseDirect: true });
    await checkFileSystem(fs, dir);
    const a = fs.open(`${dir}/a.bin`, { create: true, direct: true });
    const b = fs.open(`${dir}/b.bin`, { create: true, direct: true });
    assert.equal(a.direct, false);
    assert.equal(b.direct, false);
    a.close();
    b.close();
    const logged = lines.filter((l) => l.includes("O_DIRECT")).length;
    assert.equal(
      logged,
      loggedBefore ? 0 : 1,
      "one line per process, however many opens fall back",
    );
    assert.ok(directFallbackLogged());
  } finally {
    setLogSink((line) => console.error(line));
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("LibcFileSystem names the path and operation in errors", () => {
  const fs = new LibcFileSystem();
  assert.throws(
    () => fs.open("/nonexistent-dir/x.db", {}),
    (error: Error & { sqlstate?: string }) =>
      error.sqlstate === "58030" && error.message.includes("/nonexistent-dir/x.db") &&
      error.message.includes("open") && error.message.includes("errno 2"),
  );
});

Deno.test("LibcFileSystem.allocAligned() returns 4096-aligned zeroed memory", () => {
  const memory = new LibcFileSystem().allocAligned(3 * 4096);
  const address = BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(memory)));
  assert.equal(address % 4096n, 0n);
  assert.equal(memory.length, 3 * 4096);
  assert.ok(memory.every((b) => b === 0));
});
