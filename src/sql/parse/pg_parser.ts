/**
 * The one adapter of pgsql-ast-parser: nothing else in ThunderDB imports it
 * (other files import its node types through the `pg` namespace below).
 *
 * The extension layer (`rewrite.ts`) hands this file text that the grammar
 * accepts, with operators it lacks spelled as `OPERATOR(__thunder_x.~)`
 * markers. `parseGrammar` turns each marker back into a call of an internal
 * function in `pg_catalog` with the original operands (see `OPERATOR_MARKERS`
 * in `rewrite.ts` for the list), so every node the planner sees is a
 * documented pgsql-ast-parser node.
 * @module
 */

import { astMapper, parse } from "pgsql-ast-parser";
import type { Expr, ExprBinary, ExprCall, Statement as PgStatement } from "pgsql-ast-parser";
import { DbError } from "../../common/errors.ts";
import { positionalCall } from "./named_args.ts";
import { type ConstraintTimingNote, OPERATOR_MARKERS, PRIMARY_KEY_MARKER } from "./rewrite.ts";

/** pgsql-ast-parser's node types, for modules that build or read them. */
export type * as pg from "pgsql-ast-parser";

/** Where the grammar stopped: a 0-based offset into the text it was given. */
export class GrammarError extends DbError {
  constructor(readonly offset: number | null, message: string, sqlstate = "42601") {
    super(sqlstate, message);
  }
}

const markerMapper = astMapper((map) => ({
  binary: (b: ExprBinary): Expr => {
    const fn = b.opSchema === undefined ? undefined : OPERATOR_MARKERS.get(b.opSchema);
    if (fn === undefined) return map.super().binary(b) ?? b;
    const left = map.expr(b.left) ?? b.left;
    const right = map.expr(b.right) ?? b.right;
    // `a SIMILAR TO p ESCAPE e` arrives as `a <marker> __similar_escape(p, e)`.
    const escaped = right.type === "call" && right.function.name === "__similar_escape" &&
      right.args.length === 2;
    const args = escaped ? [left, right.args[0]!, right.args[1]!] : [left, right];
    return { type: "call", function: { name: fn, schema: "pg_catalog" }, args };
  },
  call: (c: ExprCall): Expr | null | undefined => {
    const mapped = map.super().call(c);
    return mapped?.type === "call" ? positionalCall(mapped) : mapped;
  },
}));

function hasMarker(text: string): boolean {
  return text.indexOf("__thunder_") >= 0;
}

/**
 * Parses text that holds exactly one statement with pgsql-ast-parser.
 * @param text statement text (no trailing semicolon needed)
 * @returns the grammar's node, operator markers replaced by internal calls
 * @throws {GrammarError} 42601 with the failing offset; 0A000 when the grammar finds the text ambiguous
 */
export function parseGrammar(text: string, notes: GrammarNotes = {}): PgStatement {
  let stmts: PgStatement[];
  const locations = notes.locations === true && notes.pieces !== undefined;
  try {
    stmts = parse(text, { locationTracking: locations });
  } catch (e) {
    throw toGrammarError(e, text);
  }
  if (stmts.length !== 1) {
    throw new GrammarError(null, `Expected one statement, the grammar found ${stmts.length}`);
  }
  const stmt = stmts[0]!;
  if (locations) mapLocations(stmt, notes.pieces!, text.length);
  for (const t of notes.timings ?? []) annotateTiming(stmt, t);
  for (const names of notes.lockedOf ?? []) annotateLockOf(stmt, names);
  if (!hasMarker(text)) return stmt;
  if (text.indexOf(PRIMARY_KEY_MARKER) >= 0) clearPrimaryKeyMarkers(stmt);
  return markerMapper.statement(stmt) ?? stmt;
}

/** Facts the rewrite stripped from the text, to put back on the grammar's nodes. */
export interface GrammarNotes {
  readonly timings?: readonly ConstraintTimingNote[];
  readonly lockedOf?: readonly (readonly string[])[];
  /** Where each piece of the text came from in the source (see `Rewritten`). */
  readonly pieces?: readonly { readonly out: number; readonly source: number }[];
  /** Track `_location`s, mapped back to source offsets through `pieces`. */
  readonly locations?: boolean;
}

/**
 * Rewrites every `_location` from offsets in the grammar's text to offsets in
 * the source. A piece copied verbatim maps exactly; inside a rewritten piece
 * the offset is approximate (the piece's source start plus the distance).
 */
function mapLocations(
  node: unknown,
  pieces: readonly { readonly out: number; readonly source: number }[],
  length: number,
): void {
  const map = (at: number): number => {
    let lo = 0;
    let hi = pieces.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (pieces[mid]!.out <= at) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    const p = pieces[best];
    return p === undefined ? at : p.source + (at - p.out);
  };
  const seen = new Set<unknown>();
  const visit = (n: unknown): void => {
    if (typeof n !== "object" || n === null || seen.has(n)) return;
    seen.add(n);
    if (Array.isArray(n)) return n.forEach(visit);
    const record = n as Record<string, unknown>;
    const loc = record._location as { start?: unknown; end?: unknown } | undefined;
    if (loc && typeof loc.start === "number" && typeof loc.end === "number") {
      const start = map(loc.start);
      const end = loc.end > loc.start ? map(Math.min(loc.end, length) - 1) + 1 : start;
      record._location = { start, end: Math.max(start, end) };
    }
    for (const [k, v] of Object.entries(record)) if (k !== "_location") visit(v);
  };
  visit(node);
}

/**
 * Sets `for.of` on the statement's row-locking clause.
 * @throws {GrammarError} 0A000 for an OF list inside a subquery
 */
function annotateLockOf(stmt: PgStatement, names: readonly string[]): void {
  const lock = stmt.type === "select" ? stmt.for as Record<string, unknown> | undefined : undefined;
  if (names.length === 0 || lock === undefined) {
    throw new GrammarError(null, "FOR UPDATE OF is only supported at statement level", "0A000");
  }
  lock.of = names.map((name) => ({ name }));
}

/**
 * Sets `deferrable` / `initiallyDeferred` on the constraint named in `note`.
 * @throws {GrammarError} 0A000 for an unnamed deferrable constraint
 */
function annotateTiming(node: unknown, note: ConstraintTimingNote): void {
  if (note.constraint === null) {
    throw new GrammarError(null, "DEFERRABLE is only supported on named constraints", "0A000");
  }
  const visit = (n: unknown): void => {
    if (typeof n !== "object" || n === null) return;
    if (Array.isArray(n)) return n.forEach(visit);
    const record = n as Record<string, unknown>;
    const name = record.constraintName as { name?: unknown } | undefined;
    if (name?.name === note.constraint) {
      record.deferrable = note.deferrable;
      record.initiallyDeferred = note.initiallyDeferred;
    }
    Object.values(record).forEach(visit);
  };
  visit(node);
}

/** Empties `foreignColumns` lists that only hold the primary-key marker (the AST is fresh, so in place). */
function clearPrimaryKeyMarkers(node: unknown): void {
  if (typeof node !== "object" || node === null) return;
  if (Array.isArray(node)) {
    for (const item of node) clearPrimaryKeyMarkers(item);
    return;
  }
  const record = node as Record<string, unknown>;
  const cols = record.foreignColumns;
  if (
    Array.isArray(cols) && cols.length === 1 &&
    (cols[0] as { name?: unknown }).name === PRIMARY_KEY_MARKER
  ) {
    record.foreignColumns = [];
  }
  for (const value of Object.values(record)) clearPrimaryKeyMarkers(value);
}

/** Converts whatever the grammar threw into a `GrammarError`. */
function toGrammarError(e: unknown, text: string): GrammarError {
  if (!(e instanceof Error)) return new GrammarError(null, String(e));
  if (e.message.indexOf("Ambiguous") >= 0) {
    return new GrammarError(null, "This statement form is not supported by the parser", "0A000");
  }
  const info = e as { token?: { offset?: unknown }; offset?: unknown };
  const raw = info.token?.offset ?? info.offset;
  const offset = typeof raw === "number" && raw < text.length ? raw : null;
  return new GrammarError(offset, e.message.split("\n")[0] ?? "syntax error");
}
