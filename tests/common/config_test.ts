import assert from "node:assert/strict";
import {
  configKeys,
  parseServerArgs,
  parseSize,
  resolveConfig,
} from "../../src/common/config/mod.ts";
import { ConfigError } from "../../src/common/errors.ts";

const referenceText = Deno.readTextFileSync(
  new URL("../../config/thunderdb.toml", import.meta.url),
);

Deno.test("config: the reference file documents every key with the built-in default", () => {
  assert.deepEqual(resolveConfig({ fileText: referenceText }), resolveConfig());
  for (const spec of configKeys) {
    const pattern = new RegExp(`^${spec.key} = `, "m");
    assert.ok(
      pattern.test(referenceText),
      `config/thunderdb.toml lacks ${spec.section}.${spec.key}`,
    );
  }
});

Deno.test("config: defaults", () => {
  const config = resolveConfig();
  assert.equal(config.storage.buffer_pool_size, 256 * 1024 * 1024);
  assert.equal(config.storage.page_size, 16 * 1024);
  assert.equal(config.storage.wal_sync, "fsync");
  assert.equal(config.server.data_dir, "./data");
  assert.equal(config.server.wal_dir, "./data/wal");
});

Deno.test("config: precedence is flags > environment > file > defaults", () => {
  const fileText = "[server]\npg_port = 6000\nhttp_port = 6001\nresp_port = 6002\n";
  const config = resolveConfig({
    fileText,
    env: { THUNDERDB_SERVER_HTTP_PORT: "7001", THUNDERDB_SERVER_RESP_PORT: "7002" },
    overrides: { "server.resp_port": "8002" },
  });
  assert.equal(config.server.pg_port, 6000);
  assert.equal(config.server.http_port, 7001);
  assert.equal(config.server.resp_port, 8002);
});

Deno.test("config: sizes accept 128MB-style strings", () => {
  assert.equal(parseSize("128MB"), 128 * 1024 * 1024);
  assert.equal(parseSize("16KB"), 16384);
  assert.equal(parseSize("1.5GB"), 1.5 * 1024 ** 3);
  assert.equal(parseSize("4096"), 4096);
  assert.equal(parseSize("12 parsecs"), undefined);
  const config = resolveConfig({ env: { THUNDERDB_STORAGE_BUFFER_POOL_SIZE: "1GB" } });
  assert.equal(config.storage.buffer_pool_size, 1024 ** 3);
});

Deno.test("config: an invalid value names the key and the expected form", () => {
  assert.throws(
    () => resolveConfig({ overrides: { "storage.page_size": "12KB" } }),
    (error: unknown) =>
      error instanceof ConfigError && /storage\.page_size/.test(error.message) &&
      /power of two/.test(error.message),
  );
  assert.throws(
    () => resolveConfig({ fileText: '[storage]\nwal_sync = "sometimes"\n', fileName: "x.toml" }),
    /storage\.wal_sync \(from x\.toml\).*one of "fsync", "off"/,
  );
  assert.throws(
    () => resolveConfig({ fileText: "[server]\nbogus = 1\n" }),
    /Unknown key server\.bogus/,
  );
  assert.throws(() => resolveConfig({ fileText: "[server\n" }), ConfigError);
});

Deno.test("config: server flags map to keys", () => {
  const args = parseServerArgs([
    "--data-dir",
    "/tmp/x",
    "--http-port=18080",
    "--set",
    "log.level=debug",
  ]);
  assert.deepEqual(args.overrides, {
    "server.data_dir": "/tmp/x",
    "server.http_port": "18080",
    "log.level": "debug",
  });
  const config = resolveConfig({ overrides: args.overrides });
  assert.equal(config.server.wal_dir, "/tmp/x/wal");
  assert.throws(() => parseServerArgs(["--bogus"]), /Unknown flag --bogus/);
  assert.throws(() => parseServerArgs(["--pg-port"]), /needs a value/);
});
