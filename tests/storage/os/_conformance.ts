/**
 * One behavioural suite every `FileSystem` implementation must pass.
 * @module
 */

import assert from "node:assert/strict";
import { IoError } from "../../../src/common/errors.ts";
import type { FileSystem } from "../../../src/storage/os/file_system.ts";

/** Exercises open/read/write/sync/size/truncate/close and the directory calls under `dir`. */
export async function checkFileSystem(fs: FileSystem, dir: string): Promise<void> {
  fs.mkdir(`${dir}/sub/deeper`);
  assert.ok(fs.exists(`${dir}/sub/deeper`));
  const path = `${dir}/sub/data.bin`;
  assert.ok(!fs.exists(path));
  assert.throws(() => fs.open(path, {}), IoError);
  const file = fs.open(path, { create: true, direct: true });
  assert.equal(file.path, path);
  assert.equal(file.size(), 0);

  const page = fs.allocAligned(8192);
  assert.equal(page.length, 8192);
  assert.ok(page.every((b) => b === 0));
  page.fill(7, 0, 4096);
  page.fill(9, 4096);
  file.writeSync(page, 8192);
  assert.equal(file.size(), 16384);

  // An unaligned caller buffer (a plain JS array at an odd byte offset) still works.
  const backing = new Uint8Array(4096 + 1);
  const unaligned = backing.subarray(1);
  assert.equal(file.readSync(unaligned, 8192), 4096);
  assert.ok(unaligned.every((b) => b === 7));
  unaligned.fill(3);
  file.writeSync(unaligned, 0);
  await file.sync();

  const whole = fs.allocAligned(16384);
  assert.equal(file.readSync(whole, 0), 16384);
  assert.ok(whole.subarray(0, 4096).every((b) => b === 3));
  assert.ok(whole.subarray(4096, 8192).every((b) => b === 0));
  assert.ok(whole.subarray(12288).every((b) => b === 9));
  assert.equal(file.readSync(fs.allocAligned(4096), 16384), 0, "a read at the end returns 0");

  file.truncateSync(4096);
  assert.equal(file.size(), 4096);
  file.close();
  assert.throws(() => file.size(), IoError);

  const reopened = fs.open(path, {});
  assert.equal(reopened.size(), 4096);
  reopened.close();

  fs.rename(path, `${dir}/sub/renamed.bin`);
  assert.deepEqual(fs.list(`${dir}/sub`), ["deeper", "renamed.bin"]);
  await fs.syncDir(`${dir}/sub`);
  fs.remove(`${dir}/sub/renamed.bin`);
  assert.deepEqual(fs.list(`${dir}/sub`), ["deeper"]);
  assert.throws(() => fs.remove(`${dir}/sub/renamed.bin`), IoError);
}
