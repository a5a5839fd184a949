/**
 * Collation names. ThunderDB has one collation and compares text as "C"
 * (byte order); it accepts the names PostgreSQL 15 knows in every database.
 * @module
 */
import { DbError } from "./errors.ts";

const known = new Set([
  "default",
  "c",
  "posix",
  "ucs_basic",
  "c.utf8",
  "c.utf-8",
  "en_us",
  "en_us.utf8",
  "en_us.utf-8",
]);

/**
 * Checks a collation name as written (`"C"`, `pg_catalog.default`, ...).
 * @throws {DbError} 42704 when PostgreSQL would not know the collation
 */
export function checkCollation(written: string): void {
  if (known.has(written.toLowerCase().replace(/^pg_catalog\./, ""))) return;
  const shown = written.replace(/^pg_catalog\./i, "");
  throw new DbError("42704", `collation "${shown}" for encoding "UTF8" does not exist`);
}
