/**
 * Row estimates for the planner and the triggers of automatic maintenance:
 * committed row changes are counted per relation; enough dead versions
 * request a vacuum (as PostgreSQL's autovacuum), enough changes refresh the
 * row estimate (its auto-analyze), and a large move of an estimate drops
 * cached plans that chose join sides from the old one.
 * @module
 */
import type { RelationStore } from "../exec/relation_store.ts";
import type { Autovacuum } from "./autovacuum.ts";

/** Dead versions that trigger an automatic vacuum: base plus this fraction of the live rows. */
const autoVacuumBase = 50;
const autoVacuumScale = 0.2;

/** Changed rows of a relation before its row estimate is refreshed automatically. */
const autoAnalyzeChanges = 2_000;

/** Row estimates per relation, and the changes counted since the last one. */
export class TableStats {
  /** Row counts per relation from ANALYZE and auto-analyze, used for join planning. */
  readonly rows = new Map<number, number>();
  readonly #changes = new Map<number, number>();
  readonly #rs: RelationStore;
  readonly #autovacuum: Autovacuum;
  readonly #estimatesMoved: () => void;

  /** @param estimatesMoved called when an estimate changed enough to plan again */
  constructor(rs: RelationStore, autovacuum: Autovacuum, estimatesMoved: () => void) {
    this.#rs = rs;
    this.#autovacuum = autovacuum;
    this.#estimatesMoved = estimatesMoved;
  }

  /** Counts a committed transaction's row changes per relation. */
  countChanges(changes: ReadonlyMap<number, number>): void {
    const rs = this.#rs;
    for (const [rel, k] of changes) {
      if (!rs.spec(rel)) continue;
      // Like autovacuum: vacuum once dead versions pass 50 plus a fifth of the table.
      const st = rs.tables.stats(rs.relationDef(rel));
      if (st.deadRows >= autoVacuumBase + autoVacuumScale * st.rows) this.#autovacuum.request(rel);
      const n = (this.#changes.get(rel) ?? 0) + k;
      const threshold = Math.max(autoAnalyzeChanges, 0.2 * (this.rows.get(rel) ?? 0));
      if (n < threshold) {
        this.#changes.set(rel, n);
        continue;
      }
      this.#changes.set(rel, 0);
      this.set(rel, rs.rowCount(rel));
    }
  }

  /** Counts the live rows of a relation (ANALYZE) and keeps the estimate. */
  analyze(rel: number): number {
    const rs = this.#rs;
    if (!rs.spec(rel)) return 0;
    const txn = rs.txns.begin({ readOnly: true });
    rs.txns.startStatement(txn);
    let rows = 0;
    try {
      // Counting needs no column values.
      const none = rs.relationDef(rel).types.map(() => false);
      for (const _r of rs.scan(rel, txn, rs.batchRows, none)) rows++;
    } finally {
      rs.txns.abort(txn);
    }
    this.set(rel, rows);
    return rows;
  }

  /** Sets a relation's row estimate. */
  set(rel: number, rows: number): void {
    const before = this.rows.get(rel);
    this.rows.set(rel, rows);
    // Plans chose join sides from the old numbers; replan when they moved a lot.
    if (before === undefined || rows > before * 2 || rows < before / 2) this.#estimatesMoved();
  }
}
