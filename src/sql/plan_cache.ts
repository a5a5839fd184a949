/**
 * The shape cache on the query path: a statement whose normalized text
 * (literals turned into parameters, see `parse/normalize.ts`) was seen before
 * skips the parser, and its plan comes from the planner's cache keyed by that
 * text, so only the literal values change between runs.
 *
 * A shape is admitted on its second sight (the first only records it, so
 * one-off statements cost just the normalization), after checks that running
 * it with parameters means the same as running it with its literals:
 * - one statement, no client `$n` of its own, a plannable query or DML that is
 *   not an extension node (utility statements and DDL are never cached);
 * - the parameterized text parses and plans; a string literal's parameter
 *   takes the type the plan gives it in context (a second planning pass pins
 *   types inferred through coercions), and every parameter node of the plan
 *   agrees with the parameter's declared type;
 * - the result columns (names and types) equal those of the literal text's plan.
 * Anything else is remembered as rejected and runs by its literal text as
 * before. Entries hold the catalog version and the planning settings they
 * were checked against and are re-checked when either changes (DDL, SET
 * search_path). The cache is a bounded LRU.
 * @module
 */
import { statementCacheEntriesMax, statementCacheTextBytesMax } from "../common/limits.ts";
import type { SqlType, Value } from "../common/types.ts";
import { Lru } from "../common/lru.ts";
import { lex } from "./parse/lexer.ts";
import { normalizeStatement, splitStatements } from "./parse/normalize.ts";
import { isExtension, type ParsedStatement, parseSql } from "./parser_port.ts";
import { isPlannable, type PlannedStatement } from "./planner.ts";

/** What the cache needs from the session that looks a statement up. */
export interface ShapeEnv {
  /** Version of the catalog the session sees. */
  readonly catalogVersion: number;
  /** Settings that affect planning (search_path), joined. */
  readonly settingsKey: string;
  /** Plans a statement with declared parameter types (the session's cached planner). */
  plan(st: ParsedStatement, declared: readonly (SqlType | null)[]): PlannedStatement;
  /** Parses literal text (the engine's parse cache). */
  parse(sql: string): readonly ParsedStatement[];
}

/** A statement to run: the cached shape, its literal values and their declared types. */
export interface ShapedStatement {
  readonly statement: ParsedStatement;
  readonly params: readonly Value[];
  readonly declared: readonly (SqlType | null)[];
  /** True when the shape came from the cache. */
  readonly hit: boolean;
}

interface Entry {
  readonly catalogVersion: number;
  readonly settingsKey: string;
  /** Null when the shape must run by its literal text. */
  readonly statement: ParsedStatement | null;
  readonly declared: readonly (SqlType | null)[];
}

/** Marks a shape seen once: it is admitted (checked) on its second sight. */
const SEEN_ONCE = "seen-once";

/** Counters for tests and metrics. */
export interface PlanCacheStats {
  hits: number;
  misses: number;
  rejected: number;
}

/** Bounded LRU of statement shapes checked against one catalog version. */
export class PlanCache {
  readonly #entries: Lru<Entry | typeof SEEN_ONCE>;
  readonly stats: PlanCacheStats = { hits: 0, misses: 0, rejected: 0 };

  /** @param capacity shapes kept, 1..`statementCacheEntriesMax` */
  constructor(capacity: number = statementCacheEntriesMax) {
    this.#entries = new Lru(Math.max(1, Math.min(capacity, statementCacheEntriesMax)));
  }

  /** Shapes held (admitted, rejected and seen once). */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Finds the cached shape of `sql`. A shape's first sight only records it (the
   * statement runs by its literal text, so one-off statements pay just the
   * normalization); the second admits or rejects it; later ones hit.
   * @returns the statement to run, or null when `sql` must take the literal path
   * @throws {DbError} only what `env.parse` throws for invalid literal text
   */
  lookup(sql: string, env: ShapeEnv): ShapedStatement | null {
    if (sql.length > statementCacheTextBytesMax) return null;
    let tokens;
    try {
      tokens = lex(sql);
    } catch {
      return null; // the literal path reports the error
    }
    const slices = splitStatements(tokens);
    if (slices.length !== 1) return null;
    const norm = normalizeStatement(sql, slices[0]!);
    if (norm.literals.length === 0 || norm.firstLiteralParam !== 1) return null;
    const params = norm.literals.map((l) => l.value);
    const found = this.#entries.get(norm.key);
    if (
      found !== undefined && found !== SEEN_ONCE &&
      found.catalogVersion === env.catalogVersion && found.settingsKey === env.settingsKey
    ) {
      this.stats.hits++;
      if (found.statement === null) return null;
      return { statement: found.statement, params, declared: found.declared, hit: true };
    }
    this.stats.misses++;
    if (found === undefined) {
      this.#entries.set(norm.key, SEEN_ONCE);
      return null;
    }
    const literalTypes = norm.literals.map((l) => (l.type.id === "unknown" ? null : l.type));
    const admitted = admit(sql, norm.text, literalTypes, env);
    if (admitted === null) this.stats.rejected++;
    this.#entries.set(norm.key, {
      catalogVersion: env.catalogVersion,
      settingsKey: env.settingsKey,
      statement: admitted?.statement ?? null,
      declared: admitted?.declared ?? [],
    });
    if (admitted === null) return null;
    return { statement: admitted.statement, params, declared: admitted.declared, hit: false };
  }

  /** Drops every shape. */
  clear(): void {
    this.#entries.clear();
  }
}

const caches = new WeakMap<object, PlanCache>();

/**
 * The plan cache shared by everything that runs on `owner` (an engine).
 * @param owner the object whose lifetime bounds the cache
 */
export function planCacheFor(owner: object): PlanCache {
  let c = caches.get(owner);
  if (c === undefined) caches.set(owner, c = new PlanCache());
  return c;
}

/** Checks that the parameterized shape means what the literal text means. */
function admit(
  sql: string,
  normText: string,
  literalTypes: readonly (SqlType | null)[],
  env: ShapeEnv,
): { statement: ParsedStatement; declared: (SqlType | null)[] } | null {
  const literal = env.parse(sql); // throws the client's syntax error
  const lit = literal[0];
  if (literal.length !== 1 || lit === undefined || !cacheable(lit)) return null;
  try {
    const parsed = parseSql(normText);
    const statement = parsed[0];
    if (parsed.length !== 1 || statement === undefined || !cacheable(statement)) return null;
    let declared = literalTypes.slice();
    let planned = env.plan(statement, declared);
    const pinned = pinInferred(planned, declared);
    if (pinned !== null) {
      declared = pinned;
      planned = env.plan(statement, declared);
      if (pinInferred(planned, declared) !== null) return null;
    }
    if (planned.paramTypes.length !== literalTypes.length || planned.valueDependent) return null;
    const reference = env.plan(lit, []);
    return sameResult(planned, reference) ? { statement, declared } : null;
  } catch {
    return null; // runs by its literal text, which reports any error itself
  }
}

function cacheable(st: ParsedStatement): boolean {
  return !isExtension(st.ast) && isPlannable(st.ast);
}

/**
 * Compares each parameter's declared type with the types its uses in the plan
 * got; returns declarations with inferred types pinned, or null when they agree.
 * @throws {Error} when a parameter is used with two different types
 */
function pinInferred(
  planned: PlannedStatement,
  declared: readonly (SqlType | null)[],
): (SqlType | null)[] | null {
  const uses = paramUses(planned.plan);
  const out = declared.slice();
  let changed = false;
  for (const [index, types] of uses) {
    const want = planned.paramTypes[index];
    if (want === undefined) throw new Error(`parameter ${index + 1} not typed`);
    for (const t of types) {
      if (sameType(t, want) || t.id === "unknown" && want.id === "text") continue;
      const d = declared[index];
      if (d !== null && d !== undefined || t.id === "unknown") {
        throw new Error(`parameter ${index + 1} used as ${t.id} and ${want.id}`);
      }
      if (out[index] !== null && out[index] !== undefined && !sameType(out[index]!, t)) {
        throw new Error(`parameter ${index + 1} used with two types`);
      }
      out[index] = t;
      changed = true;
    }
  }
  return changed ? out : null;
}

const walkBudget = 200_000;

/** Collects the types of `param` nodes in a plan, by parameter index. */
function paramUses(plan: unknown): Map<number, SqlType[]> {
  const out = new Map<number, SqlType[]>();
  const seen = new Set<object>();
  const stack: unknown[] = [plan];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node !== "object" || node === null || seen.has(node)) continue;
    seen.add(node);
    if (seen.size > walkBudget) throw new Error("plan too large to check");
    if (Array.isArray(node)) {
      for (const x of node) stack.push(x);
      continue;
    }
    const proto = Object.getPrototypeOf(node);
    if (proto !== Object.prototype && proto !== null) continue; // catalog objects, values
    const rec = node as Record<string, unknown>;
    if (rec.kind === "param" && typeof rec.index === "number" && isType(rec.type)) {
      const list = out.get(rec.index);
      if (list) list.push(rec.type);
      else out.set(rec.index, [rec.type]);
      continue;
    }
    for (const k in rec) stack.push(rec[k]);
  }
  return out;
}

function isType(v: unknown): v is SqlType {
  return typeof v === "object" && v !== null && typeof (v as { id?: unknown }).id === "string";
}

function sameType(a: SqlType, b: SqlType): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function sameResult(a: PlannedStatement, b: PlannedStatement): boolean {
  if (a.command !== b.command) return false;
  if (a.columns === null || b.columns === null) return a.columns === b.columns;
  if (a.columns.length !== b.columns.length) return false;
  return a.columns.every((c, i) => {
    const d = b.columns![i]!;
    return c.name === d.name && sameType(c.type, d.type);
  });
}
