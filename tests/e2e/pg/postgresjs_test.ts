/**
 * postgres.js against the real server: every common type as parameters and
 * results, NULLs, pipelined queries with an error among them, and
 * sql.begin commit and rollback on a duplicate key.
 */
import { pipelined, transactions, types, withPostgresJs } from "./_postgresjs.ts";

Deno.test("postgres.js: types, pipelining and transactions", async () => {
  await withPostgresJs({ types, pipelined, transactions });
});
