import assert from "node:assert/strict";
import { LibcFileSystem, openFileSystem } from "../../../src/storage/os/mod.ts";

Deno.test("openFileSystem() picks libc when FFI is permitted", () => {
  assert.ok(openFileSystem({ preferDirect: true }) instanceof LibcFileSystem);
});

Deno.test("openFileSystem() picks the Deno.FsFile fallback without FFI permission", async () => {
  const dir = await Deno.makeTempDir({ prefix: "thunder_mod_" });
  try {
    const script = `${dir}/probe.ts`;
    const modUrl = new URL("../../../src/storage/os/mod.ts", import.meta.url).href;
    await Deno.writeTextFile(
      script,
      `import { openFileSystem, FsFileSystem } from ${JSON.stringify(modUrl)};\n` +
        `console.log(openFileSystem({ preferDirect: true }) instanceof FsFileSystem);\n`,
    );
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-check", "--allow-read", "--unstable-ffi", script],
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(output.stdout).trim();
    assert.equal(text, "true", new TextDecoder().decode(output.stderr));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
