/**
 * Name scopes for binding: the columns visible at one query level, with a
 * link to the enclosing level for correlated references.
 * @module
 */
import { DbError } from "../../common/errors.ts";
import type { SqlType } from "../../common/types.ts";
import type { BoundExpr } from "../../exec/plan.ts";

/** One visible column. */
export interface ScopeColumn {
  /** The FROM item's name (alias or table name), null for computed columns. */
  readonly table: string | null;
  readonly name: string;
  readonly type: SqlType;
  readonly tableOid: number;
  readonly attnum: number;
  /** Hidden from `*` (ctid, columns merged away by USING). */
  readonly hidden: boolean;
  /**
   * The merged value of a JOIN USING column, set on the left side's entry
   * when it differs from that side's own value (FULL/RIGHT joins, a type
   * widened to the other side's): an unqualified reference means this.
   */
  readonly merged?: BoundExpr;
  /** Aliases of the joins (`USING (k) AS j`) this merged column is `j.k` of. */
  readonly usingAliases?: readonly string[];
}

/** True when `c` is a column of the FROM item (or JOIN USING alias) named `table`. */
export function ofTable(c: ScopeColumn, table: string): boolean {
  return c.table === table || (c.usingAliases?.includes(table) ?? false);
}

/** A resolved column reference. */
export interface Resolved {
  readonly depth: number;
  readonly index: number;
  readonly column: ScopeColumn;
}

/** The columns of one query level. */
export class Scope {
  /** Counts references from inner levels that reached this one (correlation). */
  innerRefs = 0;
  /**
   * FROM items on the NULL-filled side of an outer join: a whole-row reference
   * to one of them is NULL when the join found no row (see `bind_row.ts`).
   */
  nullableTables: ReadonlySet<string> = new Set();
  /** Indexes of the columns `SELECT *` shows, in order (null: all visible, in place). */
  star: readonly number[] | null = null;
  constructor(readonly columns: ScopeColumn[], readonly parent: Scope | null) {}

  /** Sum of `innerRefs` along this scope and its ancestors. */
  chainRefs(): number {
    let n = this.innerRefs;
    for (let s = this.parent; s; s = s.parent) n += s.innerRefs;
    return n;
  }

  /** True when a FROM item with this name exists at this level. */
  hasTable(table: string): boolean {
    return this.columns.some((c) => ofTable(c, table));
  }

  /**
   * Resolves `table.name` or `name`, searching outward.
   * @throws {DbError} 42703 unknown column, 42702 ambiguous, 42P01 unknown table
   */
  resolve(table: string | null, name: string): Resolved {
    return resolveFrom(this, table, name);
  }
}

function resolveFrom(start: Scope, table: string | null, name: string): Resolved {
  {
    let scope: Scope | null = start;
    let depth = 0;
    let tableSeen = false;
    while (scope) {
      const hits: number[] = [];
      scope.columns.forEach((c, i) => {
        if (c.name !== name) return;
        if (table !== null ? ofTable(c, table) : !c.hidden || c.name === "ctid") hits.push(i);
      });
      if (table !== null && scope.hasTable(table)) tableSeen = true;
      if (hits.length > 1 && table === null) {
        throw new DbError("42702", `column reference "${name}" is ambiguous`);
      }
      if (hits.length >= 1) {
        if (depth > 0) scope.innerRefs++;
        return { depth, index: hits[0]!, column: scope.columns[hits[0]!]! };
      }
      if (table !== null && tableSeen) break;
      scope = scope.parent;
      depth++;
    }
    if (table !== null && !tableSeen) {
      throw new DbError("42P01", `missing FROM-clause entry for table "${table}"`);
    }
    throw new DbError(
      "42703",
      table !== null ? `column ${table}.${name} does not exist` : `column "${name}" does not exist`,
    );
  }
}
