/**
 * The child of `crash_fault_test.ts`. Commits transactions against the storage
 * engine until it is killed: each transaction inserts three keys in one
 * mini-transaction, then waits for the WAL flush (group commit) before it
 * prints "ack <n>". "begin <n>" is printed before the transaction starts, so
 * the parent knows which transactions may legitimately be present.
 *
 * Usage: deno run -A --unstable-ffi _crash_child.ts <dataDir> <firstTxn> <writers>
 */
import { openFileSystem } from "../../src/storage/os/mod.ts";
import { openPageStore } from "../../src/storage/page_store.ts";
import { btreeInsert, createBTree } from "../../src/storage/btree/mod.ts";

/** Root slot used by this test's tree (slots 0..2 belong to the catalog, clog, sequences). */
export const crashTestRootSlot = 15;

async function main(): Promise<void> {
  const [dataDir, firstArg, writersArg] = Deno.args;
  if (dataDir === undefined || firstArg === undefined || writersArg === undefined) {
    console.error("Usage: _crash_child.ts <dataDir> <firstTxn> <writers>");
    Deno.exit(2);
  }
  const encoder = new TextEncoder();
  const store = await openPageStore({
    fs: openFileSystem({ preferDirect: true }),
    dataDir,
    walDir: `${dataDir}/wal`,
    pageSize: 4096,
    bufferPoolBytes: 1024 * 1024,
  });
  let root = store.view((r) => r.root(crashTestRootSlot));
  if (root === 0) {
    root = store.update((m) => {
      const id = createBTree(m);
      m.setRoot(crashTestRootSlot, id);
      return id;
    });
    await store.wal.flush(store.wal.endLsn);
  }
  const out = (line: string) => Deno.stdout.writeSync(encoder.encode(line + "\n"));
  out("ready");

  let next = Number(firstArg);
  async function writer(): Promise<void> {
    for (;;) {
      const txn = next++;
      out(`begin ${txn}`);
      store.update((m) => {
        for (let k = 0; k < 3; k++) {
          const value = encoder.encode(`value of ${txn}/${k} `.repeat(1 + (txn % 40)));
          btreeInsert(m, root, encoder.encode(`t${String(txn).padStart(8, "0")}/${k}`), value);
        }
      });
      await store.wal.flush(store.wal.endLsn);
      out(`ack ${txn}`);
      if (txn % 97 === 0) await store.checkpoint();
    }
  }
  await Promise.all(Array.from({ length: Number(writersArg) }, writer));
}

if (import.meta.main) await main();
