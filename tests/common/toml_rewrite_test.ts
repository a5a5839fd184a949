/**
 * CONFIG REWRITE's TOML edit: keys replaced on their own line, added at the
 * end of their section or in a new section, everything else kept.
 */
import assert from "node:assert/strict";
import { rewriteToml } from "../../src/common/config/toml_rewrite.ts";
import { resolveConfig } from "../../src/common/config/mod.ts";

const file = `# ThunderDB
[server]
# The Redis port.
resp_port = 6379 # trailing
pg_port = 5432

[resp]
# Eviction.
maxmemory_policy = "noeviction"

[log]
level = "info"
`;

Deno.test("rewriteToml replaces a key's line and keeps comments and other lines", () => {
  const out = rewriteToml(file, [
    { section: "server", key: "resp_port", value: 7000 },
    { section: "resp", key: "maxmemory_policy", value: "allkeys-lru" },
  ]);
  assert.equal(
    out,
    file.replace("resp_port = 6379 # trailing", "resp_port = 7000").replace(
      'maxmemory_policy = "noeviction"',
      'maxmemory_policy = "allkeys-lru"',
    ),
  );
  const config = resolveConfig({ fileText: out, fileName: "t.toml" });
  assert.equal(config.server.resp_port, 7000);
  assert.equal(config.resp.maxmemory_policy, "allkeys-lru");
  assert.equal(config.log.level, "info");
});

Deno.test("rewriteToml adds a missing key at the end of its section", () => {
  const out = rewriteToml(file, [{ section: "resp", key: "maxclients", value: 42 }]);
  assert.ok(out.includes('maxmemory_policy = "noeviction"\nmaxclients = 42\n\n[log]'), out);
  assert.equal(resolveConfig({ fileText: out, fileName: "t.toml" }).resp.maxclients, 42);
});

Deno.test("rewriteToml adds a missing section at the end, and writes into an empty file", () => {
  const out = rewriteToml('[log]\nlevel = "warn"\n', [
    { section: "resp", key: "appendfsync", value: "always" },
  ]);
  assert.equal(out, '[log]\nlevel = "warn"\n\n[resp]\nappendfsync = "always"\n');
  assert.equal(
    rewriteToml("", [{ section: "resp", key: "maxmemory", value: "1024" }]),
    '[resp]\nmaxmemory = "1024"\n',
  );
});

Deno.test("rewriteToml ignores commented-out keys and same-named keys of other sections", () => {
  const text = "[server]\n# resp_port = 1\n[other]\nresp_port = 2\n";
  const out = rewriteToml(text, [{ section: "server", key: "resp_port", value: 3 }]);
  assert.equal(out, "[server]\n# resp_port = 1\nresp_port = 3\n[other]\nresp_port = 2\n");
});
