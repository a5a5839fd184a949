import { MemFileSystem } from "../../../src/storage/os/mem_file_system.ts";
import { checkFileSystem } from "./_conformance.ts";

Deno.test("MemFileSystem passes the file-system suite", async () => {
  await checkFileSystem(new MemFileSystem(), "/m");
});
