/**
 * Types shared by the planner's parts: the planner state, planned queries and
 * result columns.
 * @module
 */
import type { SelectStatement } from "pgsql-ast-parser";
import type { SqlType } from "../../common/types.ts";
import type { PlanNode } from "../../exec/plan.ts";
import type { Catalog } from "../catalog/catalog.ts";
import type { ExtQuery } from "../parse/ext_ast.ts";
import type { Scope } from "./scope.ts";

/** One output column of a planned query. */
export interface OutColumn {
  readonly name: string;
  readonly type: SqlType;
  readonly tableOid: number;
  readonly attnum: number;
  /**
   * Set on a SELECT's output that is an untyped literal (shown as text): a
   * set operation gives it the other side's type, as PostgreSQL resolves it.
   */
  readonly untypedLiteral?: true;
}

/** A planned query: the plan and its columns. */
export interface PlannedQuery {
  readonly plan: PlanNode;
  readonly columns: readonly OutColumn[];
}

/** A CTE visible by name. */
export interface CteBinding {
  readonly id: number;
  readonly name: string;
  readonly columns: readonly OutColumn[];
  /** An INSERT / UPDATE / DELETE without RETURNING: it cannot be read. */
  readonly noReturning?: true;
}

/**
 * Facts planning learned about the statement. `valueDependent`: the plan was
 * built from a constant's value (catalog functions, reg* casts), so a plan made
 * with a parameter in its place would not mean the same; the shape cache must
 * not run such a statement with its literals as parameters.
 */
export interface PlanFlags {
  valueDependent: boolean;
}

/** State for planning one statement. */
export interface Planner {
  readonly catalog: Catalog;
  readonly text: string;
  readonly paramTypes: (SqlType | null)[];
  /** CTE scopes, innermost last. */
  readonly ctes: Map<string, CteBinding>[];
  nextId: number;
  /** Relations the plan depends on (for plan cache invalidation). */
  readonly relations: Set<number>;
  /** Set when planning read a parameter where it needed a value (see `PlanFlags`). */
  readonly flags: PlanFlags;
  /** Plans a SELECT with `outer` as its enclosing scope. */
  planSelect(stmt: SelectStatement, outer: Scope | null): PlannedQuery;
  /** Row counts from ANALYZE (and auto-analyze) by relation OID. */
  readonly stats: ReadonlyMap<number, number>;
  /** Parses SQL text (views, defaults, checks) into an AST statement. */
  parseView(sql: string): SelectStatement;
  /** Parses a stored query (a view's, CREATE TABLE AS's); set operations come as the frontend's tree. */
  parseQuery(sql: string): ExtQuery;
  /** Plans a query from `parseQuery` (or any SELECT) with `outer` as its enclosing scope. */
  planQuery(q: ExtQuery, outer: Scope | null): PlannedQuery;
  /** The statement's top-level WITH (the only one that may hold INSERT/UPDATE/DELETE). */
  topWith: SelectStatement | null;
  /**
   * Data-modifying CTEs of the top-level WITH and the plain CTEs before them,
   * in order: they run once before the main query (see `PlannedStatement.preRun`).
   */
  readonly preRun: PreRunCte[];
}

/** A CTE run before the main query: its rows (a DML's RETURNING rows) become the CTE's rows. */
export interface PreRunCte {
  readonly id: number;
  readonly plan: PlanNode;
}
