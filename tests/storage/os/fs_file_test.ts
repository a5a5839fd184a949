import assert from "node:assert/strict";
import { FsFileSystem } from "../../../src/storage/os/fs_file.ts";
import { checkFileSystem } from "./_conformance.ts";

Deno.test("FsFileSystem passes the file-system suite on a disk directory", async () => {
  const dir = await Deno.makeTempDir({ dir: ".", prefix: ".tmp_fsfile_" });
  try {
    await checkFileSystem(new FsFileSystem(), dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("FsFileSystem passes the file-system suite on tmpfs (/dev/shm)", async () => {
  const dir = await Deno.makeTempDir({ dir: "/dev/shm", prefix: "thunder_fsfile_" });
  try {
    const fs = new FsFileSystem();
    await checkFileSystem(fs, dir);
    const file = fs.open(`${dir}/x`, { create: true, direct: true });
    assert.equal(file.direct, false, "the fallback never uses O_DIRECT");
    file.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
