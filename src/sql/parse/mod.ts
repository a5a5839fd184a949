/**
 * SQL frontend: lexer, normalizer, parser (pgsql-ast-parser plus the
 * extension layer for what its grammar lacks) and the statement cache.
 *
 * The engine calls `StatementCache.lookup(sql)`: lex + normalize, cache
 * lookup, and on a miss one parse of the normalized text. Tools and tests
 * call `parseSql(sql)`.
 *
 * What the planner receives (`Statement`):
 * - pgsql-ast-parser nodes (tagged `type`) for everything the grammar parses;
 * - extension nodes (tagged `kind: "ext.*"`, see `ext_ast.ts`) for the
 *   statements listed in `parse_sql.ts`;
 * - inside expressions, calls of internal `pg_catalog.__*` functions for
 *   operators the grammar lacks (SIMILAR TO, pgvector distances, IS DISTINCT
 *   FROM, COLLATE, NATURAL JOIN, window frames), plus `like_escape`, `btrim`,
 *   `ltrim`, `rtrim` as PostgreSQL itself reads ESCAPE and TRIM (see
 *   `rewrite.ts`);
 * - annotations on grammar nodes: `ConstraintTiming` (DEFERRABLE) on
 *   constraints, `LockingOf` (FOR UPDATE OF) on a select's `for`, empty
 *   `foreignColumns` for REFERENCES without columns (the primary key).
 * Cached ASTs are shared: treat them as immutable.
 * @module
 */

export { lex, type Token, type TokenKind } from "./lexer.ts";
export {
  type ExtractedLiteral,
  type NormalizedStatement,
  normalizeStatement,
  splitStatements,
  type StatementSlice,
} from "./normalize.ts";
export { type ParsedStatement, parseSql } from "./parse_sql.ts";
export {
  bindParams,
  type CacheEntry,
  StatementCache,
  type StatementCacheStats,
  type StatementLookup,
} from "./statement_cache.ts";
export * from "./ext_ast.ts";
export { OPERATOR_MARKERS } from "./rewrite.ts";
