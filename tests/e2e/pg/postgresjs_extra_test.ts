/**
 * postgres.js against the real server, the parts not passing yet: an error
 * inside an explicit block over the extended protocol must give 25P02 until
 * ROLLBACK, and COPY FROM STDIN / TO STDOUT in text and CSV with HEADER.
 */
import { abortedBlock, copy, transactions, withPostgresJs } from "./_postgresjs.ts";

Deno.test("postgres.js: 25P02 after an error in a block (extended protocol)", async () => {
  await withPostgresJs({ transactions, abortedBlock });
});

Deno.test("postgres.js: COPY FROM STDIN and TO STDOUT", async () => {
  await withPostgresJs({ copy });
});
