/**
 * Waits for transactions that rewrite a table. ALTER COLUMN TYPE that moves
 * a table to fresh storage holds, in PostgreSQL, an ACCESS EXCLUSIVE lock on
 * it until its transaction ends: other sessions' reads and writes of the
 * table wait for that end, then go on (planned again against the catalog
 * the mover left, so a dropped table or column is reported as such). Queries,
 * DML, COPY, EXPLAIN, CREATE TABLE AS, ANALYZE / VACUUM and DDL on the table
 * all queue this way.
 * @module
 */
import { DbError } from "../common/errors.ts";
import type { Catalog, RelationDef } from "../sql/catalog/catalog.ts";
import { PG_CLASS_OID } from "../sql/catalog/ddl_comment.ts";
import { createPlanner } from "../sql/planner.ts";
import type { Txn } from "../txn/mod.ts";
import type { SqlSession } from "./session.ts";

/**
 * Waits while another transaction moves one of `rels`, honouring
 * lock_timeout, statement_timeout and cancel, with deadlock detection.
 * @returns true when it waited (the catalog may have changed: plan again)
 * @throws {DbError} 40P01 when the wait closes a cycle, 55P03 on lock_timeout, 57014 on cancel
 */
export async function waitForMovers(s: SqlSession, rels: Iterable<number>): Promise<boolean> {
  const rs = s.engine.rs;
  if (!rs.moving) return false;
  let waited = false;
  for (;;) {
    const mine = s.txn;
    let mover: Txn | undefined;
    for (const rel of rels) {
      const m = rs.moverOf(rel);
      if (m !== undefined && m !== mine) {
        mover = m;
        break;
      }
    }
    if (mover === undefined) {
      // Rows the mover wrote are visible to a snapshot taken after it ended
      // only: a statement that started before the wait starts again.
      if (waited && s.txn && !s.txn.ended) s.engine.txns.startStatement(s.txn);
      return waited;
    }
    waited = true;
    if (mover.ended) {
      // It ended; its commit or rollback rebinds the table before its next await.
      await new Promise((resolve) => setTimeout(resolve, 0));
      continue;
    }
    await waitForTxn(s, mover);
  }
}

/** Waits for `holder` to end, as the session's transaction (started if needed). */
async function waitForTxn(s: SqlSession, holder: Txn): Promise<void> {
  // The snapshot is taken by the statement later, after the wait.
  const txn = s.ensureTxn();
  const ms = Number(s.getSetting("lock_timeout") ?? "0");
  const timer = ms > 0
    ? setTimeout(() => {
      s.engine.txns.cancelWait(
        txn,
        new DbError("55P03", "canceling statement due to lock timeout"),
      );
    }, ms)
    : undefined;
  try {
    await s.engine.txns.locks.waitForOwner(txn, holder);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The relations a DDL statement locks in PostgreSQL, found from what it
 * changed: relations (and their indexes) that came, went or changed, the
 * tables their foreign keys name, the relations a new or changed view reads,
 * relations whose comments changed, and `extra` (TRUNCATE's tables).
 */
export function ddlRelations(
  before: Catalog,
  next: Catalog,
  extra: Iterable<number> = [],
): Set<number> {
  const out = new Set<number>(extra);
  const changed = (rel: RelationDef): void => {
    out.add(rel.oid);
    for (const c of rel.constraints) if (c.kind === "foreign_key") out.add(c.refTable);
  };
  for (const [oid, rel] of next.relations) {
    if (before.relations.get(oid) === rel) continue;
    changed(rel);
    const sql = rel.viewSql ?? rel.matview?.sql;
    if (sql) { for (const read of relationsRead(next, sql)) out.add(read); }
  }
  for (const [oid, rel] of before.relations) if (!next.relations.has(oid)) changed(rel);
  for (const [oid, idx] of next.indexes) if (before.indexes.get(oid) !== idx) out.add(idx.table);
  for (const [oid, idx] of before.indexes) if (next.indexes.get(oid) !== idx) out.add(idx.table);
  if (before.comments !== next.comments) {
    // Comment keys are `class:object:column` (see `commentKey`).
    for (const key of new Set([...before.comments.keys(), ...next.comments.keys()])) {
      if (before.comments.get(key) === next.comments.get(key)) continue;
      const [classOid, oid] = key.split(":").map(Number);
      if (classOid === PG_CLASS_OID && oid !== undefined) out.add(oid);
    }
  }
  return out;
}

/**
 * The relations a query reads (views expanded to their tables).
 * @throws {DbError} what planning the query raises
 */
export function relationsRead(catalog: Catalog, sql: string): ReadonlySet<number> {
  const p = createPlanner(catalog, sql, []);
  p.planQuery(p.parseQuery(sql), null);
  return p.relations;
}
