/**
 * Python psycopg2 against the real server: every common type as parameters
 * and results, NULLs, commit and rollback, 25P02 after an error inside a
 * block, errors with SQLSTATE and message, the connection usable after.
 */
import { runPsycopg2, transactionsScenario, typesScenario } from "./_psycopg2.ts";

Deno.test("psycopg2: types, NULLs, transactions and errors", async () => {
  await runPsycopg2([typesScenario, transactionsScenario]);
});
