/**
 * pgbench against the real server: `pgbench -i -s 10`, then 8 clients for 10
 * seconds in each protocol mode (simple, extended, prepared) with zero failed
 * transactions, and balances that add up afterwards. The prepared run goes
 * over the other socket transport than the default one (the server restarted
 * on the same data with `server.pg_transport` switched).
 */
import assert from "node:assert/strict";
import { pgbenchInit, pgbenchRun } from "./_pgbench.ts";
import { psqlValue, startThunder, thunderTarget } from "./_support.ts";

Deno.test("pgbench: -i -s 10, then -c 8 -j 2 -T 10 in every -M mode, over both transports", async () => {
  let server = await startThunder();
  try {
    let target = thunderTarget(server);
    await pgbenchInit(target, 10);
    assert.equal(await psqlValue(target, "SELECT count(*) FROM pgbench_accounts"), "1000000");
    assert.equal(await psqlValue(target, "SELECT count(*) FROM pgbench_branches"), "10");
    assert.equal(await psqlValue(target, "SELECT count(*) FROM pgbench_tellers"), "100");
    // pgbench truncates pgbench_history at the start of every run, so the
    // history is checked per run and the balance deltas are added up across runs.
    let delta = 0;
    for (const mode of ["simple", "extended", "prepared"] as const) {
      if (mode === "prepared") {
        assert.equal(await server.stop("SIGTERM"), 0);
        const defaultDeno = /"transport":"deno"/.test(server.logText());
        server = await startThunder({
          dataDir: server.dataDir,
          args: [`--set=server.pg_transport=${defaultDeno ? "native" : "deno"}`],
        });
        const other = defaultDeno ? "native" : "deno";
        assert.match(
          server.logText(),
          new RegExp(`PostgreSQL listening[^\\n]*"transport":"${other}"`),
        );
        target = thunderTarget(server);
      }
      const report = await pgbenchRun(target, { mode, seconds: 10 });
      assert.equal(report.failed, 0, `failed transactions in -M ${mode}:\n${report.output}`);
      assert.ok(report.processed > 0, `no transactions in -M ${mode}:\n${report.output}`);
      assert.equal(
        await psqlValue(target, "SELECT count(*) FROM pgbench_history"),
        String(report.processed),
        `history rows after -M ${mode}`,
      );
      delta += Number(
        await psqlValue(target, "SELECT coalesce(sum(delta), 0) FROM pgbench_history"),
      );
    }
    for (
      const sql of [
        "SELECT sum(abalance) FROM pgbench_accounts",
        "SELECT sum(bbalance) FROM pgbench_branches",
        "SELECT sum(tbalance) FROM pgbench_tellers",
      ]
    ) {
      assert.equal(await psqlValue(target, sql), String(delta), sql);
    }
  } finally {
    assert.equal(await server.stop("SIGTERM"), 0);
  }
});
