/**
 * The simple query path of a session: SQL text through the plan cache (a
 * statement shape seen before runs its cached plan with its literals as
 * parameters) or the parser, each statement on the fast path when it can,
 * else the general path.
 * @module
 */
import type { SqlType, Value } from "../common/types.ts";
import type { ParsedStatement } from "../sql/parser_port.ts";
import { planCacheFor, type ShapedStatement } from "../sql/plan_cache.ts";
import type { SqlSession } from "./session.ts";
import type { StatementResult } from "./session_api.ts";
import { isResult } from "./session_prepared.ts";
import { planFor } from "./statement_context.ts";

/** No declared parameter types; one shared array so plan lookups can compare by identity. */
const noDeclared: readonly (SqlType | null)[] = [];

/**
 * Runs the statements of `sql`: their results themselves when every one ran
 * on the fast path without suspending, a promise otherwise.
 */
export function executeStatements(
  s: SqlSession,
  sql: string,
  params: readonly Value[],
  onResult?: (result: StatementResult) => void,
): StatementResult[] | Promise<StatementResult[]> {
  // Plan cache hook: a statement shape seen before runs its cached plan with its literals as
  // parameters; anything else (null) takes the literal path below.
  const shaped = params.length === 0 ? shapedStatement(s, sql) : null;
  const statements = shaped ? [shaped.statement] : s.engine.parse(sql);
  const p = shaped?.params ?? params;
  const d = shaped?.declared ?? noDeclared;
  const results: StatementResult[] = [];
  for (let i = 0; i < statements.length; i++) {
    const fast = s.runFast(statements[i]!, p, d);
    if (fast === null || !isResult(fast)) {
      return executeRest(s, statements, i, fast, p, d, results, onResult);
    }
    results.push(fast);
    onResult?.(fast);
  }
  if (statements.length === 0) {
    const empty: StatementResult = { command: "", tag: "", rowCount: 0, fields: null, rows: [] };
    results.push(empty);
  }
  return results;
}

/** The rest of `executeStatements` from statement `i`, whose fast-path run (if any) is `fast`. */
async function executeRest(
  s: SqlSession,
  statements: readonly ParsedStatement[],
  i: number,
  fast: Promise<StatementResult> | null,
  p: readonly Value[],
  d: readonly (SqlType | null)[],
  results: StatementResult[],
  onResult?: (result: StatementResult) => void,
): Promise<StatementResult[]> {
  for (let first = true; i < statements.length; i++, first = false) {
    const st = statements[i]!;
    const again = first ? fast : s.runFast(st, p, d);
    const r = again === null ? await s.runOne(st, p, d) : await again;
    results.push(r);
    onResult?.(r);
  }
  return results;
}

/** The plan cache's statement for `sql` when its shape was seen before, else null. */
function shapedStatement(s: SqlSession, sql: string): ShapedStatement | null {
  return planCacheFor(s.engine).lookup(sql, {
    catalogVersion: s.catalog.version,
    settingsKey: s.getSetting("search_path") ?? "",
    plan: (st, declared) => planFor(s, st, declared),
    parse: (text) => s.engine.parse(text),
  });
}
