/**
 * A bounded LRU cache of parsed statement shapes, keyed by normalized text.
 *
 * The engine calls `lookup(sql)`: it lexes and normalizes each statement
 * (literals become `$n` parameters), finds the shape in the cache or parses
 * the normalized text once and stores it, and returns the entry plus the
 * literal values to bind. A repeated shape skips the parser entirely.
 *
 * Parameter numbering: the client's own `$1..$m` keep their numbers; the
 * literals extracted from the text are `$(m+1)...` in source order, typed as
 * PostgreSQL types the literal (string constant → unknown, integer → int4
 * or int8 by size, else numeric). `bindParams` builds the full list. The
 * binder must resolve a literal parameter exactly as it would the literal
 * (an "unknown" one takes its type from context, like `'x'` does), which is
 * why `CacheEntry.literalTypes` is separate from client parameter types.
 *
 * When the normalized text does not parse but the original does (a literal
 * the grammar only accepts in place), the shape is remembered as
 * literal-only and such statements are cached by their literal text.
 * @module
 */

import { statementCacheEntriesMax, statementCacheTextBytesMax } from "../../common/limits.ts";
import type { SqlType, Value } from "../../common/types.ts";
import { assert } from "../../common/errors.ts";
import { Lru } from "../../common/lru.ts";
import { lex } from "./lexer.ts";
import {
  type NormalizedStatement,
  normalizeStatement,
  splitStatements,
  type StatementSlice,
} from "./normalize.ts";
import { checkLength, parseTokens } from "./parse_sql.ts";
import type { Statement } from "./ext_ast.ts";

/** One cached statement shape. */
export interface CacheEntry {
  readonly key: string;
  /** Normalized text that was parsed (literals as `$n`). */
  readonly text: string;
  readonly ast: Statement;
  /** Types of the literal parameters, in order from `firstLiteralParam`. */
  readonly literalTypes: readonly SqlType[];
  /** 1-based number of the first literal parameter. */
  readonly firstLiteralParam: number;
  /** Opaque slot for the planner's cached plan. */
  plan?: unknown;
}

/** The result of looking one statement up. */
export interface StatementLookup {
  readonly entry: CacheEntry;
  /** Literal values to bind to `$(entry.firstLiteralParam)` onwards. */
  readonly params: readonly Value[];
  /** The statement's original text and its offset in the looked-up string. */
  readonly text: string;
  readonly start: number;
  /** True when the shape came from the cache without parsing. */
  readonly hit: boolean;
}

/** Counters for tests and metrics. */
export interface StatementCacheStats {
  hits: number;
  misses: number;
  /** Statements handed to the parser (a miss may parse twice: normalized, then original). */
  parses: number;
}

const LITERAL_ONLY = "literal-only";

/**
 * Builds the complete parameter list: the client's values for `$1..$m`, then
 * the extracted literals.
 * @param lookup a lookup result
 * @param clientParams values the client bound (extended protocol), if any
 * @returns values for `$1` onwards
 */
export function bindParams(lookup: StatementLookup, clientParams: readonly Value[] = []): Value[] {
  const own = lookup.entry.firstLiteralParam - 1;
  const out: Value[] = clientParams.slice(0, own);
  while (out.length < own) out.push(null);
  return out.concat(lookup.params);
}

/** Bounded LRU of parsed statements. */
export class StatementCache {
  readonly #entries: Lru<CacheEntry | typeof LITERAL_ONLY>;
  readonly stats: StatementCacheStats = { hits: 0, misses: 0, parses: 0 };

  /**
   * @param capacity entries kept; at most `statementCacheEntriesMax`
   */
  constructor(capacity: number = statementCacheEntriesMax) {
    assert(
      capacity >= 1 && capacity <= statementCacheEntriesMax,
      `Cache capacity ${capacity} outside 1..${statementCacheEntriesMax}`,
    );
    this.#entries = new Lru(capacity);
  }

  /** Entries held (shapes and literal-only markers). */
  get size(): number {
    return this.#entries.size;
  }

  /** Drops every entry (e.g. after DDL that invalidates plans). */
  clear(): void {
    this.#entries.clear();
  }

  /**
   * Looks up (parsing on a miss) every statement of `sql`.
   * @param sql one or more statements
   * @returns one lookup per non-empty statement
   * @throws {DbError} 42601 with `position` for invalid SQL; 54000 for oversized text
   * @example new StatementCache().lookup("SELECT abalance FROM pgbench_accounts WHERE aid = 12345")
   */
  lookup(sql: string): StatementLookup[] {
    checkLength(sql);
    const slices = splitStatements(lex(sql));
    const out: StatementLookup[] = [];
    for (const slice of slices) out.push(this.#lookupOne(sql, slice));
    return out;
  }

  #lookupOne(sql: string, slice: StatementSlice): StatementLookup {
    let norm = normalizeStatement(sql, slice);
    let found = this.#entries.get(norm.key);
    if (found === LITERAL_ONLY) {
      norm = normalizeStatement(sql, slice, false);
      found = this.#entries.get(norm.key);
    }
    const text = sql.slice(slice.start, slice.end);
    if (found !== undefined && found !== LITERAL_ONLY) {
      this.stats.hits++;
      return {
        entry: found,
        params: norm.literals.map((l) => l.value),
        text,
        start: slice.start,
        hit: true,
      };
    }
    this.stats.misses++;
    const { entry, used } = this.#parse(sql, slice, norm);
    if (entry.text.length <= statementCacheTextBytesMax) this.#entries.set(entry.key, entry);
    return {
      entry,
      params: used.literals.map((l) => l.value),
      text,
      start: slice.start,
      hit: false,
    };
  }

  /** Parses the normalized text; falls back to the literal text when only that parses. */
  #parse(
    sql: string,
    slice: StatementSlice,
    norm: NormalizedStatement,
  ): { entry: CacheEntry; used: NormalizedStatement } {
    this.stats.parses++;
    try {
      return { entry: makeEntry(norm, parseTokens(norm.text, lex(norm.text))), used: norm };
    } catch {
      // The normalized text's error positions are not the client's: parse the
      // original, which either throws PostgreSQL's error or shows that only
      // the literal form parses.
      this.stats.parses++;
      const ast = parseTokens(sql, slice.tokens);
      if (norm.literals.length === 0) return { entry: makeEntry(norm, ast), used: norm };
      this.#entries.set(norm.key, LITERAL_ONLY);
      const literal = normalizeStatement(sql, slice, false);
      return { entry: makeEntry(literal, ast), used: literal };
    }
  }
}

function makeEntry(norm: NormalizedStatement, ast: Statement): CacheEntry {
  return {
    key: norm.key,
    text: norm.text,
    ast,
    literalTypes: norm.literals.map((l) => l.type),
    firstLiteralParam: norm.firstLiteralParam,
  };
}
