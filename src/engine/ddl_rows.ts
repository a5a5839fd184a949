/**
 * Rewrites of stored rows that DDL implies: values of columns added with a
 * default, an identity, a volatile default or a generation expression, and
 * values of columns whose type changed (the cast, or USING).
 * @module
 */
import { DbError } from "../common/errors.ts";
import type { RelationDef } from "../sql/catalog/catalog.ts";
import type { DdlEffects } from "../sql/catalog/ddl.ts";
import type { Relabel } from "../sql/catalog/ddl_enum.ts";
import type { Value } from "../common/types.ts";
import { isVolatileDefault } from "../sql/catalog/ddl_alter.ts";
import { compile } from "../exec/scalar.ts";
import type { BoundExpr } from "../exec/plan.ts";
import { createPlanner } from "../sql/planner.ts";
import { coerceTo } from "../sql/plan/bind_expr.ts";
import { bindSqlText } from "../sql/plan/plan_dml.ts";
import { tableColumns } from "../sql/plan/plan_from.ts";
import { Scope } from "../sql/plan/scope.ts";
import type { SqlSession } from "./session.ts";
import { execContext } from "./statement_context.ts";

/**
 * Stored rows written before ADD COLUMN read the new column as NULL: rows
 * get the column's default (its `missing` value) written into them.
 */
export async function fillAddedColumns(
  s: SqlSession,
  before: RelationDef | undefined,
  after: RelationDef | undefined,
): Promise<void> {
  if (!before || !after || after.kind !== "table") return;
  const p = createPlanner(s.catalog, "", []);
  const scope = new Scope(tableColumns(after, after.name), null);
  // Generated columns and volatile defaults (nextval, random()) get a value per row.
  const added = after.columns
    .map((c, i) => ({
      c,
      i,
      fn: c.generatedSql
        ? compile(coerceTo(bindSqlText(p, c.generatedSql, scope, c.type), c.type))
        : c.defaultSql && isVolatileDefault(c.defaultSql)
        ? compile(coerceTo(bindSqlText(p, c.defaultSql, new Scope([], null), c.type), c.type))
        : null,
    }))
    .filter(({ c, i, fn }) =>
      i >= before.columns.length && !c.dropped && (c.missing !== null || fn !== null)
    );
  if (added.length === 0) return;
  const txn = s.statementTxn();
  const ctx = execContext(s, [], false);
  const rowIds = [...s.engine.rs.scan(after.oid, txn)].map((r) => r.rowId);
  for (const rowId of rowIds) {
    await s.engine.rs.update(txn, after.oid, rowId, (current) => {
      const next = after.columns.map((c, i) => (i < current.length ? current[i]! : c.missing));
      for (const { c, i, fn } of added) {
        if (fn) next[i] = fn(next, ctx);
        else if (next[i] === null) next[i] = c.missing;
      }
      return next;
    });
  }
  s.engine.txns.advanceCommand(txn);
}

/**
 * ALTER COLUMN TYPE: every stored row gets the column's value cast to the new
 * type (assignment rules, so too long text fails with 22001), or the USING
 * expression over the row as it was.
 * @throws {DbError} what the cast or USING raises for a row
 */
export async function rewriteColumns(
  s: SqlSession,
  before: RelationDef | undefined,
  after: RelationDef | undefined,
  retyped: DdlEffects["retyped"],
): Promise<void> {
  if (!before || !after || after.kind !== "table") return;
  const mine = retyped.filter((r) => r.rel === after.oid);
  if (mine.length === 0) return;
  const fns = retypeFns(s, before, after, mine);
  const txn = s.statementTxn();
  const ctx = execContext(s, [], false);
  const rowIds = [...s.engine.rs.scan(after.oid, txn)].map((r) => r.rowId);
  for (const rowId of rowIds) {
    await s.engine.rs.update(txn, after.oid, rowId, (current) => {
      const old = before.columns.map((c, i) => (i < current.length ? current[i]! : c.missing));
      const next = old.slice();
      for (const { column, fn } of fns) next[column] = fn(old, ctx);
      return next;
    });
  }
  s.engine.txns.advanceCommand(txn);
}

/**
 * ALTER COLUMN TYPE that moves a table to fresh storage (the values are
 * stored another way): reads the rows while the table is still bound to its
 * old storage and converts them at once (so a bad value fails before any
 * change), and returns the step that writes them into the new storage, with
 * every index, once it is bound. Null when the table does not move.
 * @throws {DbError} what the cast or USING raises for a row
 */
export function prepareMove(
  s: SqlSession,
  before: RelationDef | undefined,
  after: RelationDef | undefined,
  retyped: DdlEffects["retyped"],
): (() => Promise<void>) | null {
  if (!before || !after || after.kind !== "table") return null;
  if ((before.storage ?? before.oid) === (after.storage ?? after.oid)) return null;
  const fns = retypeFns(s, before, after, retyped.filter((r) => r.rel === after.oid));
  const txn = s.statementTxn();
  for (const other of s.engine.sessions.values()) {
    // Rows another open transaction wrote would stay behind in the old storage.
    if (other !== s && other.txn && other.txn !== txn && other.txChanges.has(after.oid)) {
      throw new DbError("55P03", `could not obtain lock on relation "${after.name}"`);
    }
  }
  const ctx = execContext(s, [], false);
  const rows = [...s.engine.rs.scan(after.oid, txn)].map(({ values }) => {
    const old = before.columns.map((c, i) => (i < values.length ? values[i]! : c.missing));
    // A stored NULL stays NULL; only a column the row predates reads its default.
    const next = after.columns.map((
      c,
      i,
    ) => (c.dropped ? null : i < old.length ? old[i]! : c.missing));
    for (const { column, fn } of fns) next[column] = fn(old, ctx);
    return next;
  });
  s.engine.rs.claimMove(after.oid, txn);
  return async () => {
    await s.engine.rs.insertMany(txn, after.oid, rows);
    s.engine.txns.advanceCommand(txn);
  };
}

/** The conversions of retyped columns: each column's cast, or USING, over the row as it was. */
function retypeFns(
  s: SqlSession,
  before: RelationDef,
  after: RelationDef,
  mine: DdlEffects["retyped"],
): { column: number; fn: ReturnType<typeof compile> }[] {
  const p = createPlanner(s.catalog, "", []);
  const scope = new Scope(tableColumns(before, before.name), null);
  return mine.map((r) => {
    const name = before.columns[r.column]!.name;
    const to = after.columns[r.column]!.type;
    const e = bindSqlText(p, r.using ?? `"${name.replaceAll('"', '""')}"`, scope);
    let c: BoundExpr = coerceTo(e, to);
    if ((to.typmod ?? -1) >= 0 && c === e) {
      c = { kind: "cast", arg: e, from: e.type, type: to, implicit: true };
    }
    return { column: r.column, fn: compile(c) };
  });
}

function relabel(v: Value, from: string, to: string): Value {
  if (Array.isArray(v)) return v.map((x) => relabel(x, from, to));
  return v === from ? to : v;
}

/** Rewrites stored enum labels after ALTER TYPE ... RENAME VALUE. */
export async function relabelRows(s: SqlSession, changes: readonly Relabel[]): Promise<void> {
  const txn = s.statementTxn();
  for (const ch of changes) {
    const hit = (row: readonly Value[]) =>
      ch.columns.some((c) => {
        const v = row[c] ?? null;
        return v === ch.from || (Array.isArray(v) && v.flat(8).includes(ch.from));
      });
    const rowIds = [...s.engine.rs.scan(ch.rel, txn)].filter((r) => hit(r.values)).map((r) =>
      r.rowId
    );
    for (const rowId of rowIds) {
      await s.engine.rs.update(txn, ch.rel, rowId, (current) => {
        const next = current.slice();
        for (const c of ch.columns) {
          if (c < next.length) next[c] = relabel(next[c] ?? null, ch.from, ch.to);
        }
        return next;
      });
    }
  }
  s.engine.txns.advanceCommand(txn);
}
