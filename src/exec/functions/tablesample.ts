/**
 * `TABLESAMPLE {SYSTEM|BERNOULLI} (p) [REPEATABLE (seed)]`: the frontend
 * rewrites a sampled table into a subquery filtered by
 * `__tablesample(method, p, repeatable, seed, row)`, which keeps each row
 * with probability p / 100. SYSTEM samples rows as BERNOULLI does (PostgreSQL
 * picks whole pages; both return a random subset of about p percent). With
 * REPEATABLE the choice is a hash of the seed and the row's values, so the
 * same seed picks the same rows while the table is unchanged.
 * @module
 */
import { DbError } from "../../common/errors.ts";
import { formatValue } from "../../common/value_text.ts";
import { type } from "../../common/types.ts";
import { defineFunction } from "./registry.ts";

/** A uniform number in [0, 1) from a text (FNV-1a, then a 32-bit mix). */
function unitHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 2 ** 32;
}

defineFunction("__tablesample", {
  args: ["text", "float8", "bool", "float8", "any"],
  ret: "bool",
  strict: false,
  volatility: "volatile",
  impl: (a, _ctx, types) => {
    const method = String(a[0]).toLowerCase();
    if (method !== "system" && method !== "bernoulli") {
      throw new DbError("42704", `tablesample method ${String(a[0])} does not exist`);
    }
    const p = a[1] ?? null;
    if (p === null) throw new DbError("2202H", "TABLESAMPLE parameter cannot be null");
    const pct = p as number;
    if (!(pct >= 0 && pct <= 100)) {
      throw new DbError("2202H", "sample percentage must be between 0 and 100");
    }
    const seed = a[3] ?? null;
    if (a[2] === true && seed === null) {
      throw new DbError("2202G", "TABLESAMPLE REPEATABLE parameter cannot be null");
    }
    if (pct === 100) return true;
    if (pct === 0) return false;
    const u = a[2] === true
      ? unitHash(`${String(seed)}/${formatValue(a[4] ?? null, types[4] ?? type("text"))}`)
      : Math.random();
    return u < pct / 100;
  },
});
