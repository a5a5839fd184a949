/** The PostgreSQL listener against the real psql client. */
import { deepStrictEqual, match, ok, strictEqual } from "node:assert/strict";
import { createMd5Verifier } from "../../../src/security/md5_auth.ts";
import { createScramVerifier } from "../../../src/security/scram.ts";
import { psql, startHarness } from "./_harness.ts";

Deno.test("psql: several statements in one simple query, errors with position and hint", async () => {
  const h = await startHarness();
  try {
    const multi = await psql(h.port, ["-At", "-c", "select 1; select 2"]);
    strictEqual(multi.code, 0, multi.stderr);
    strictEqual(multi.stdout, "1\n2\n");
    const bad = await psql(h.port, ["-c", "select boom"]);
    strictEqual(bad.code, 1);
    match(bad.stderr, /ERROR: {2}syntax error at or near "boom"\nLINE 1: select boom\n {15}\^/);
    match(bad.stderr, /HINT: {2}The scripted engine knows only a few statements/);
    const typed = await psql(h.port, ["-At", "-F", "|", "-c", "select typed"]);
    strictEqual(
      typed.stdout,
      "t|-12|123456|9007199254740993|1.5|-2.25|-1234567890123456789.0123|\\x0001feff|2024-01-01|" +
        "2024-01-01 00:00:00.123456|2024-01-01 00:00:00+00|a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11|héllo, wörld|" +
        '{"a": [1, "x", null]}|{1,NULL,3}|{"a b","",NULL,"q\\""}\n',
    );
    deepStrictEqual(h.engine.opened.map((p) => [p.user, p.database]), [
      ["alice", "app"],
      ["alice", "app"],
      ["alice", "app"],
    ]);
  } finally {
    await h.server.close();
  }
});

Deno.test("psql: transaction status, aborted block and notices", async () => {
  const h = await startHarness();
  try {
    const script =
      "\\set ON_ERROR_STOP 0\nbegin;\nselect boom;\nselect 1;\nrollback;\nselect notice;\nselect 7;\n";
    const out = await psql(h.port, ["-At", "-f", "-"], { stdin: script });
    strictEqual(out.stdout, "BEGIN\nROLLBACK\nSELECT 0\n7\n");
    match(out.stderr, /current transaction is aborted/);
    match(out.stderr, /NOTICE: {2}hello notice/);
  } finally {
    await h.server.close();
  }
});

Deno.test("psql: COPY FROM STDIN (csv) and COPY TO STDOUT round trip", async () => {
  const h = await startHarness();
  try {
    const data = 'id,name\n1,plain\n2,"with, comma"\n3,\n4,"line\nbreak"\n5,""\n';
    const load = await psql(h.port, ["-c", "COPY items FROM STDIN CSV HEADER"], { stdin: data });
    strictEqual(load.code, 0, load.stderr);
    strictEqual(load.stdout, "COPY 5\n");
    deepStrictEqual(h.engine.items, [[1, "plain"], [2, "with, comma"], [3, null], [
      4,
      "line\nbreak",
    ], [5, ""]]);
    const text = await psql(h.port, ["-c", "COPY items TO STDOUT"]);
    strictEqual(text.stdout, "1\tplain\n2\twith, comma\n3\t\\N\n4\tline\\nbreak\n5\t\n");
    const csv = await psql(h.port, ["-c", "COPY items TO STDOUT CSV HEADER"]);
    strictEqual(csv.stdout, 'id,name\n1,plain\n2,"with, comma"\n3,\n4,"line\nbreak"\n5,""\n');
    const binary = await new Deno.Command("psql", {
      args: [
        "-X",
        "-h",
        "127.0.0.1",
        "-p",
        String(h.port),
        "-U",
        "alice",
        "-d",
        "app",
        "-c",
        "COPY items TO STDOUT BINARY",
      ],
      env: { PGCONNECT_TIMEOUT: "5" },
      stdout: "piped",
    }).output();
    strictEqual(binary.code, 0);
    strictEqual(new TextDecoder().decode(binary.stdout.subarray(0, 6)), "PGCOPY");
    h.engine.items.length = 0;
    const reload = await psql(h.port, ["-c", "COPY items FROM STDIN BINARY"], {
      stdin: binary.stdout,
    });
    strictEqual(reload.stdout, "COPY 5\n", reload.stderr);
    deepStrictEqual(h.engine.items, [[1, "plain"], [2, "with, comma"], [3, null], [
      4,
      "line\nbreak",
    ], [5, ""]]);
    const bad = await psql(h.port, ["-c", "COPY items FROM STDIN"], { stdin: "x\ty\n" });
    strictEqual(bad.code, 1);
    match(bad.stderr, /invalid input syntax for type integer/);
    strictEqual(h.engine.items.length, 5);
  } finally {
    await h.server.close();
  }
});

Deno.test("psql: server_version from ParameterStatus; unknown database is a FATAL error", async () => {
  const h = await startHarness();
  try {
    const out = await psql(h.port, [
      "-At",
      "-c",
      "\\echo :SERVER_VERSION_NAME :SERVER_VERSION_NUM",
    ]);
    strictEqual(out.code, 0, out.stderr);
    strictEqual(out.stdout, "15.0 (ThunderDB) 150000\n");
    const missing = await psql(h.port, ["-c", "select 1"], { database: "nosuchdb" });
    strictEqual(missing.code, 2);
    match(missing.stderr, /database "nosuchdb" does not exist/);
  } finally {
    await h.server.close();
  }
});

for (const method of ["password", "md5", "scram-sha-256"] as const) {
  Deno.test(`psql: ${method} authentication accepts the right password and refuses a wrong one`, async () => {
    const verifiers = new Map([
      ["alice", createScramVerifier("s3cret", { iterations: 64 })],
      ["bob", createMd5Verifier("bob", "hunter2")],
      ["carol", "plain-pass"],
    ]);
    const h = await startHarness({ auth: { method, lookup: (u) => verifiers.get(u) } });
    try {
      const users = method === "scram-sha-256"
        ? [["alice", "s3cret"], ["carol", "plain-pass"]]
        : [["alice", "s3cret"], ["bob", "hunter2"], ["carol", "plain-pass"]];
      for (const [user, password] of users) {
        const ok1 = await psql(h.port, ["-At", "-c", "select 5"], {
          user: user!,
          password: password!,
        });
        strictEqual(ok1.code, 0, `${user}: ${ok1.stderr}`);
        strictEqual(ok1.stdout, "5\n");
      }
      const wrong = await psql(h.port, ["-c", "select 1"], { user: "alice", password: "nope" });
      strictEqual(wrong.code, 2);
      match(wrong.stderr, /password authentication failed for user "alice"/);
      const unknown = await psql(h.port, ["-c", "select 1"], { user: "mallory", password: "x" });
      match(unknown.stderr, /password authentication failed for user "mallory"/);
      ok(!h.engine.opened.some((p) => p.user === "mallory"));
    } finally {
      await h.server.close();
    }
  });
}

Deno.test("psql: max_connections refuses the next client with 53300", async () => {
  const h = await startHarness({ maxConnections: 1 });
  try {
    const first = psql(h.port, ["-At", "-c", "select pg_sleep(0.6)"]);
    await new Promise((r) => setTimeout(r, 250));
    const second = await psql(h.port, ["-c", "select 1"]);
    strictEqual(second.code, 2);
    match(second.stderr, /sorry, too many clients already/);
    strictEqual((await first).code, 0);
    strictEqual((await psql(h.port, ["-At", "-c", "select 3"])).stdout, "3\n");
  } finally {
    await h.server.close();
  }
});

Deno.test("psql: SSLRequest upgrades to TLS when a certificate is configured", async () => {
  const dir = await Deno.makeTempDir();
  const certFile = `${dir}/cert.pem`;
  const keyFile = `${dir}/key.pem`;
  const gen = await new Deno.Command("openssl", {
    args: [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      keyFile,
      "-out",
      certFile,
      "-days",
      "1",
      "-subj",
      "/CN=localhost",
    ],
    stdout: "null",
    stderr: "null",
  }).output();
  strictEqual(gen.code, 0);
  const h = await startHarness({ tls: { certFile, keyFile } });
  try {
    const secure = await psql(h.port, ["-At", "-c", "select 6", "-c", "\\conninfo"], {
      sslmode: "require",
    });
    strictEqual(secure.code, 0, secure.stderr);
    match(secure.stdout, /^6\n/);
    match(secure.stdout, /SSL connection \(protocol: TLSv1\.[23]/);
    const plain = await psql(h.port, ["-At", "-c", "select 8"], { sslmode: "disable" });
    strictEqual(plain.stdout, "8\n");
  } finally {
    await h.server.close();
    await Deno.remove(dir, { recursive: true });
  }
});
