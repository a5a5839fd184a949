/**
 * Python psycopg2 COPY FROM STDIN and TO STDOUT (text and CSV with HEADER)
 * against the real server.
 */
import { copyScenario, runPsycopg2 } from "./_psycopg2.ts";

Deno.test("psycopg2: COPY FROM STDIN and TO STDOUT", async () => {
  await runPsycopg2([copyScenario]);
});
