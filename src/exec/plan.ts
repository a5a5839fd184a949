/**
 * Physical plan nodes and bound expressions: what the planner (`sql/plan/`)
 * produces and the executor runs. Readonly and `kind`-tagged. They live in
 * `exec/` because the executor (a lower layer) consumes them.
 * @module
 */
import type { SqlType, Value } from "../common/types.ts";

/** A bound, typed scalar expression. */
export type BoundExpr =
  | { readonly kind: "const"; readonly value: Value; readonly type: SqlType }
  | { readonly kind: "param"; readonly index: number; readonly type: SqlType }
  | {
    readonly kind: "column";
    readonly depth: number;
    readonly index: number;
    readonly type: SqlType;
  }
  | {
    readonly kind: "call";
    readonly fn: string;
    readonly args: readonly BoundExpr[];
    readonly type: SqlType;
  }
  | { readonly kind: "and" | "or"; readonly args: readonly BoundExpr[]; readonly type: SqlType }
  | { readonly kind: "not"; readonly arg: BoundExpr; readonly type: SqlType }
  | {
    readonly kind: "is_null";
    readonly arg: BoundExpr;
    readonly negate: boolean;
    readonly type: SqlType;
  }
  | {
    readonly kind: "is_bool";
    readonly arg: BoundExpr;
    readonly value: boolean;
    readonly negate: boolean;
    readonly type: SqlType;
  }
  | {
    readonly kind: "case";
    readonly operand: BoundExpr | null;
    readonly whens: readonly { readonly when: BoundExpr; readonly then: BoundExpr }[];
    readonly otherwise: BoundExpr | null;
    readonly type: SqlType;
  }
  | {
    readonly kind: "cast";
    readonly arg: BoundExpr;
    readonly from: SqlType;
    readonly type: SqlType;
    /** Assignment casts reject over-long strings instead of truncating. */
    readonly implicit?: boolean;
  }
  | {
    readonly kind: "in_list";
    readonly arg: BoundExpr;
    readonly list: readonly BoundExpr[];
    readonly negate: boolean;
    readonly type: SqlType;
  }
  | {
    readonly kind: "subquery";
    readonly mode: "scalar" | "exists" | "in" | "array";
    readonly plan: PlanNode;
    readonly arg: BoundExpr | null;
    readonly negate: boolean;
    readonly correlated: boolean;
    readonly type: SqlType;
  }
  | { readonly kind: "array"; readonly items: readonly BoundExpr[]; readonly type: SqlType };

/** One aggregate computed by an aggregate node. */
export interface AggSpec {
  readonly fn: string;
  readonly args: readonly BoundExpr[];
  readonly distinct: boolean;
  readonly filter: BoundExpr | null;
  readonly orderBy: readonly SortKey[];
  readonly type: SqlType;
  /** True for count(*). */
  readonly star: boolean;
  /**
   * Set for an ordered-set call `fn(direct...) WITHIN GROUP (ORDER BY x)`: the
   * number of direct arguments; `args` holds them followed by x, `orderBy` x's key.
   */
  readonly withinGroup?: number;
}

/** One window function computed by a window node. */
export interface WindowSpec {
  readonly fn: string;
  readonly args: readonly BoundExpr[];
  readonly partitionBy: readonly BoundExpr[];
  readonly orderBy: readonly SortKey[];
  readonly frame: WindowFrame | null;
  readonly type: SqlType;
  readonly aggregate: boolean;
  readonly filter: BoundExpr | null;
}

/**
 * A window frame: `ROWS|RANGE|GROUPS BETWEEN start AND end`. Offsets count
 * rows (ROWS) or peer groups (GROUPS); a RANGE offset (`distance`) is a
 * difference of the one ORDER BY value (a number, or an interval for dates
 * and timestamps).
 */
export interface WindowFrame {
  readonly mode: "rows" | "range" | "groups";
  /** EXCLUDE CURRENT ROW | GROUP | TIES (absent: EXCLUDE NO OTHERS). */
  readonly exclude?: "current row" | "group" | "ties";
  readonly start: FrameBound;
  readonly end: FrameBound;
}

/** One end of a window frame. */
export type FrameBound =
  | { readonly kind: "unbounded_preceding" }
  | { readonly kind: "preceding"; readonly offset: number; readonly distance?: Value }
  | { readonly kind: "current_row" }
  | { readonly kind: "following"; readonly offset: number; readonly distance?: Value }
  | { readonly kind: "unbounded_following" };

/** A sort key. */
export interface SortKey {
  readonly expr: BoundExpr;
  readonly descending: boolean;
  readonly nullsFirst: boolean;
}

/** A constraint the DML operators check on each written row. */
export type RowCheck =
  | {
    readonly kind: "not_null";
    readonly column: number;
    readonly columnName: string;
    readonly table: string;
  }
  | {
    readonly kind: "check";
    readonly name: string;
    readonly expr: BoundExpr;
    readonly table: string;
  }
  | {
    /** A view's WITH CHECK OPTION condition on rows written through it. */
    readonly kind: "view_check";
    readonly view: string;
    readonly expr: BoundExpr;
  }
  | {
    readonly kind: "foreign_key";
    readonly name: string;
    readonly table: string;
    readonly columns: readonly number[];
    readonly refRel: number;
    readonly refIndex: number;
    readonly refTable: string;
    /** Names of `columns`, for the error detail. */
    readonly columnNames: readonly string[];
  };

/** Actions on rows that reference a deleted or updated row. */
export interface ReferencingAction {
  readonly name: string;
  readonly childRel: number;
  readonly childTable: string;
  readonly childColumns: readonly number[];
  /** Parent key columns. */
  readonly parentColumns: readonly number[];
  /** The parent table's name and its key columns' names, for error messages. */
  readonly parentTable: string;
  readonly parentColumnNames: readonly string[];
  readonly onDelete: "cascade" | "set null" | "restrict" | "no action" | "set default";
  readonly onUpdate: "cascade" | "set null" | "restrict" | "no action" | "set default";
  /** Width of the child row, for building updated rows. */
  readonly childWidth: number;
  /** The child's own referencing actions (cascades chain), resolved lazily by id. */
  readonly childRelKey: number;
}

/** What an INSERT does on a unique conflict. */
export interface OnConflict {
  readonly action: "nothing" | "update";
  /** Index to probe for the conflicting row; null means any unique index. */
  readonly indexOid: number | null;
  /** For DO UPDATE: new values, evaluated over [existing row ++ excluded row]. */
  readonly sets: readonly { readonly column: number; readonly expr: BoundExpr }[];
  readonly where: BoundExpr | null;
}

/** A relation target of DML. */
export interface TargetRel {
  readonly rel: number;
  readonly name: string;
  readonly width: number;
  readonly checks: readonly RowCheck[];
  readonly referencedBy: readonly ReferencingAction[];
  readonly uniqueIndexes: readonly number[];
  /** Position and type of each live column: PostgreSQL's "Failing row contains (...)" detail. */
  readonly rowColumns: readonly { readonly index: number; readonly type: SqlType }[];
}

/** A plan node. Every node produces rows of `Value[]`. */
export type PlanNode =
  | {
    readonly kind: "values";
    readonly rows: readonly (readonly BoundExpr[])[];
    readonly width: number;
  }
  | {
    readonly kind: "seq_scan";
    readonly rel: number;
    readonly table: string;
    readonly alias: string;
    readonly width: number;
    readonly filter: BoundExpr | null;
    /** Values for columns added by ALTER TABLE, used when a stored row is shorter. */
    readonly missing: readonly Value[];
    /** Append the tuple id after the columns (DML sources). */
    readonly ctid: boolean;
    /** Columns read above the scan (absent: all); the others read as NULL. */
    readonly needed?: readonly boolean[];
  }
  | {
    readonly kind: "index_scan";
    readonly rel: number;
    readonly table: string;
    readonly alias: string;
    readonly index: number;
    readonly indexName: string;
    readonly key: readonly BoundExpr[];
    readonly width: number;
    readonly filter: BoundExpr | null;
    readonly missing: readonly Value[];
    /** Append the tuple id after the columns (DML sources). */
    readonly ctid: boolean;
    /** Columns read above the scan (absent: all); the others read as NULL. */
    readonly needed?: readonly boolean[];
  }
  | {
    readonly kind: "index_range";
    readonly rel: number;
    readonly table: string;
    readonly alias: string;
    readonly index: number;
    readonly indexName: string;
    readonly lo: BoundExpr | null;
    readonly loInclusive: boolean;
    readonly hi: BoundExpr | null;
    readonly hiInclusive: boolean;
    readonly width: number;
    /** Every WHERE term on the table, re-checked on each row. */
    readonly filter: BoundExpr | null;
    readonly missing: readonly Value[];
    readonly ctid: boolean;
    /** Columns read above the scan (absent: all); the others read as NULL. */
    readonly needed?: readonly boolean[];
  }
  | { readonly kind: "filter"; readonly input: PlanNode; readonly predicate: BoundExpr }
  | { readonly kind: "project"; readonly input: PlanNode; readonly exprs: readonly BoundExpr[] }
  | {
    readonly kind: "join";
    readonly joinType: "inner" | "left" | "right" | "full" | "cross" | "semi" | "anti";
    readonly method: "nested_loop" | "hash";
    readonly left: PlanNode;
    readonly right: PlanNode;
    readonly leftWidth: number;
    readonly rightWidth: number;
    readonly on: BoundExpr | null;
    readonly leftKeys: readonly BoundExpr[];
    readonly rightKeys: readonly BoundExpr[];
    readonly lateral: boolean;
    /** Inner hash joins only: build the hash table on the left input (the smaller one). */
    readonly buildLeft?: boolean;
  }
  | {
    readonly kind: "aggregate";
    readonly input: PlanNode;
    readonly groups: readonly BoundExpr[];
    /** Each set lists the group indexes kept; null means one set with all groups. */
    readonly groupingSets: readonly (readonly number[])[] | null;
    readonly aggs: readonly AggSpec[];
  }
  | { readonly kind: "window"; readonly input: PlanNode; readonly windows: readonly WindowSpec[] }
  | { readonly kind: "sort"; readonly input: PlanNode; readonly keys: readonly SortKey[] }
  | {
    readonly kind: "limit";
    readonly input: PlanNode;
    readonly limit: BoundExpr | null;
    readonly offset: BoundExpr | null;
    /** FETCH ... WITH TIES: the input's sort keys; rows tied with the last one kept also pass. */
    readonly ties?: readonly SortKey[];
  }
  | {
    readonly kind: "distinct";
    readonly input: PlanNode;
    readonly on: readonly BoundExpr[] | null;
  }
  | {
    readonly kind: "set_op";
    readonly op: "union" | "intersect" | "except";
    readonly all: boolean;
    readonly left: PlanNode;
    readonly right: PlanNode;
  }
  | {
    readonly kind: "cte_scan";
    readonly id: number;
    readonly name: string;
    readonly width: number;
  }
  | {
    readonly kind: "with";
    readonly ctes: readonly {
      readonly id: number;
      readonly plan: PlanNode;
      readonly recursive: PlanNode | null;
      readonly unionAll: boolean;
    }[];
    readonly input: PlanNode;
  }
  | {
    readonly kind: "function_scan";
    readonly fn: string;
    readonly args: readonly BoundExpr[];
    readonly width: number;
  }
  | {
    readonly kind: "insert";
    readonly target: TargetRel;
    readonly source: PlanNode;
    readonly onConflict: OnConflict | null;
    readonly returning: readonly BoundExpr[] | null;
  }
  | {
    readonly kind: "update";
    readonly target: TargetRel;
    /** Rows of [target row (width) ++ other FROM columns]; `tupleSlot` holds the tuple id. */
    readonly source: PlanNode;
    readonly sets: readonly { readonly column: number; readonly expr: BoundExpr }[];
    readonly recheck: BoundExpr | null;
    readonly returning: readonly BoundExpr[] | null;
  }
  | {
    readonly kind: "delete";
    readonly target: TargetRel;
    readonly source: PlanNode;
    readonly recheck: BoundExpr | null;
    readonly returning: readonly BoundExpr[] | null;
  };
