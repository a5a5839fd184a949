/**
 * The store's view of a catalog index: key columns, expression keys and the
 * partial-index predicate compiled into functions the relation store calls
 * on rows. They run outside any statement, on a static execution context.
 * @module
 */
import { DbError } from "../common/errors.ts";
import type { Value } from "../common/types.ts";
import { compile } from "../exec/scalar.ts";
import type { ExecContext } from "../exec/context.ts";
import type { RelationStore } from "../exec/relation_store.ts";
import type { StoredIndexExpr, StoredIndexSpec } from "../exec/relation_spec.ts";
import type { Catalog, IndexDef, RelationDef } from "../sql/catalog/catalog.ts";
import { createPlanner } from "../sql/planner.ts";
import { bindSqlText } from "../sql/plan/plan_dml.ts";
import { tableColumns } from "../sql/plan/plan_from.ts";
import { Scope } from "../sql/plan/scope.ts";
import { bindIndexKeys } from "../sql/plan/index_expr.ts";
import { exprRefs } from "../sql/plan/expr_walk.ts";

/**
 * The store's view of a catalog index.
 * @param staticCtx the engine's static execution context, asked for only when needed
 */
export function storedIndexSpec(
  catalog: Catalog,
  idx: IndexDef,
  staticCtx: () => ExecContext,
): StoredIndexSpec {
  const rel = catalog.relations.get(idx.table)!;
  const con = rel.constraints.find((c) =>
    (c.kind === "primary_key" || c.kind === "unique") && c.indexOid === idx.oid
  );
  let predicate: StoredIndexSpec["predicate"] = null;
  if (idx.predicateSql) {
    const p = createPlanner(catalog, "", []);
    const e = bindSqlText(p, idx.predicateSql, new Scope(tableColumns(rel, rel.name), null));
    const fn = compile(e);
    const ctx = staticCtx();
    predicate = (values) => fn(values as Value[], ctx) === true;
  }
  return {
    oid: idx.oid,
    name: idx.name,
    columns: idx.columns,
    ...(idx.expressions ? { expressions: indexExpressions(catalog, rel, idx, staticCtx) } : {}),
    unique: idx.unique,
    predicate,
    constraintName: con?.name ?? idx.name,
  };
}

/** How to compute each expression key of an index (null for its column keys). */
function indexExpressions(
  catalog: Catalog,
  rel: RelationDef,
  idx: IndexDef,
  staticCtx: () => ExecContext,
): (StoredIndexExpr | null)[] {
  const keys = bindIndexKeys(createPlanner(catalog, "", []), rel, idx);
  const ctx = staticCtx();
  return keys.map((e, k) => {
    const sql = idx.expressions?.[k]?.sql ?? null;
    if (sql === null) return null;
    const fn = compile(e);
    const columns = [...exprRefs(e).columns].sort((a, b) => a - b);
    return { eval: (row) => fn(row as Value[], ctx), type: e.type, text: sql, columns };
  });
}

/**
 * An execution context for expressions evaluated outside any statement (index
 * keys and predicates): an ended read-only transaction, no parameters, no
 * sequences, no settings.
 */
export function staticContext(rs: RelationStore): ExecContext {
  const txn = rs.txns.begin({ readOnly: true });
  rs.txns.abort(txn);
  return {
    rs,
    txns: rs.txns,
    txn,
    params: [],
    outer: [],
    ctes: new Map(),
    sequences: {
      nextval: () => {
        throw new DbError("0A000", "nextval is not allowed here");
      },
      currval: () => 0n,
      setval: () => 0n,
    },
    nowMicros: 0n,
    checkCancel: () => {},
    referencedBy: () => [],
    changes: new Map(),
    stats: null,
    setting: () => undefined,
    sessionId: 0,
    clockMs: () => 0,
  };
}
