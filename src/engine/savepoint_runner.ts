/**
 * SAVEPOINT, RELEASE SAVEPOINT and ROLLBACK TO SAVEPOINT inside a
 * transaction block: the transaction manager's savepoints plus what the
 * session must put back on ROLLBACK TO (its private catalog, queued
 * notifications, sequence RESTARTs and the storage of rolled-back DDL).
 * @module
 */
import { DbError } from "../common/errors.ts";
import type { ExtensionStatement } from "../sql/parser_port.ts";
import type { SqlSession } from "./session.ts";
import type { StatementResult } from "./session_api.ts";
import { result } from "./statement_context.ts";

/**
 * Runs a savepoint statement.
 * @throws {DbError} 25P01 outside a transaction block, 3B001 unknown savepoint
 */
export function runSavepoint(
  s: SqlSession,
  ext: Extract<ExtensionStatement, { kind: "savepoint" | "release" | "rollback_to" }>,
): StatementResult {
  switch (ext.kind) {
    case "savepoint": {
      if (!s.inBlock) {
        throw new DbError("25P01", "SAVEPOINT can only be used in transaction blocks");
      }
      const txn = s.ensureTxn();
      s.engine.txns.savepoint(txn, ext.name);
      s.savepoints.push({
        name: ext.name,
        catalog: s.txCatalog,
        notifies: s.pendingNotifies.length,
        sequenceUndo: s.sequenceUndo.length,
      });
      return result("SAVEPOINT");
    }
    case "release":
    case "rollback_to": {
      const at = s.savepoints.map((p) => p.name).lastIndexOf(ext.name);
      if (at < 0) {
        if (ext.kind === "rollback_to" && s.failed) s.failed = true;
        throw new DbError("3B001", `savepoint "${ext.name}" does not exist`);
      }
      const sp = s.savepoints[at]!;
      const txn = s.txn!;
      if (ext.kind === "release") {
        s.engine.txns.release(txn, ext.name);
        s.savepoints.splice(at);
        return result("RELEASE");
      }
      s.engine.txns.rollbackTo(txn, ext.name);
      s.txCatalog = sp.catalog;
      s.pendingNotifies.splice(sp.notifies);
      s.undoSequences(sp.sequenceUndo);
      // The savepoint itself survives ROLLBACK TO.
      s.savepoints.splice(at + 1);
      s.failed = false;
      if (s.txTouched.size > 0) {
        s.engine.bindRelations(s.catalog, s.txTouched, true, s.engine.catalog);
      }
      return result("ROLLBACK");
    }
  }
}
