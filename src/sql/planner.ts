/**
 * The planner's entry point: turns a parsed statement into a plan with its
 * result columns and parameter types. Pure: it reads the catalog it is given
 * and never touches storage.
 * @module
 */
import type { SelectStatement, Statement } from "pgsql-ast-parser";
import { DbError } from "../common/errors.ts";
import { type SqlType, type as scalar } from "../common/types.ts";
import type { PlanNode } from "../exec/plan.ts";
import type { Catalog } from "./catalog/catalog.ts";
import { type ExtensionStatement, parseOne } from "./parser_port.ts";
import type { ExtQuery } from "./parse/ext_ast.ts";
import { planDelete, planInsert, planUpdate } from "./plan/plan_dml.ts";
import { isWithDml, planWithDml } from "./plan/plan_forms.ts";
import { planSelectStatement } from "./plan/plan_select.ts";
import { planSetQuery } from "./plan/plan_set_query.ts";
import { pruneColumns } from "./plan/prune_columns.ts";
import type { OutColumn, Planner, PreRunCte } from "./plan/planner_types.ts";
import type { Scope } from "./plan/scope.ts";
import { regOutput } from "./pg_catalog/reg_types.ts";
import { recordLiteralTexts } from "./plan/literal_text.ts";

/** A planned query or DML statement. */
export interface PlannedStatement {
  readonly plan: PlanNode;
  readonly columns: readonly OutColumn[] | null;
  readonly command: "SELECT" | "INSERT" | "UPDATE" | "DELETE";
  readonly paramTypes: readonly SqlType[];
  /** Catalog version the plan was made against. */
  readonly catalogVersion: number;
  readonly relations: ReadonlySet<number>;
  /** True when the plan depends on a constant's value (never run it with a parameter there). */
  readonly valueDependent: boolean;
  /**
   * CTEs to run once before `plan`, in order: the top-level WITH's INSERT /
   * UPDATE / DELETE (and the plain CTEs before them); empty for most statements.
   */
  readonly preRun: readonly PreRunCte[];
}

const viewCache = new Map<string, ExtQuery>();

/** Parses a stored query (a view's, CREATE TABLE AS's), set operations included. */
function parseStoredQuery(sql: string): ExtQuery {
  let s = viewCache.get(sql);
  if (!s) {
    const parsed = parseOne(sql, 0).ast;
    if ("kind" in parsed && parsed.kind === "set_operation") s = parsed.query;
    else if ("type" in parsed) s = parsed as SelectStatement;
    else throw new DbError("XX000", `Stored query is not a SELECT: ${sql}`);
    recordLiteralTexts(s, sql);
    if (viewCache.size > 1000) viewCache.clear();
    viewCache.set(sql, s);
  }
  return s;
}

function parseSelect(sql: string): SelectStatement {
  const q = parseStoredQuery(sql);
  if ("kind" in q) throw new DbError("XX000", `Stored query is not a SELECT: ${sql}`);
  return q;
}

/** Creates planner state for one statement. */
export function createPlanner(
  catalog: Catalog,
  text: string,
  paramTypes: (SqlType | null)[],
  stats: ReadonlyMap<number, number> = new Map(),
): Planner {
  const p: Planner = {
    catalog,
    text,
    paramTypes,
    ctes: [],
    nextId: 1,
    relations: new Set(),
    flags: { valueDependent: false },
    stats,
    planSelect(stmt: SelectStatement, outer: Scope | null) {
      // A subquery with INTERSECT / EXCEPT comes as the frontend's set-operation tree.
      if ("kind" in stmt) return planSetQuery(p, stmt as unknown as ExtQuery, outer);
      return planSelectStatement(p, stmt, outer);
    },
    parseView: parseSelect,
    parseQuery: parseStoredQuery,
    planQuery(q: ExtQuery, outer: Scope | null) {
      return planSetQuery(p, q, outer);
    },
    topWith: null,
    preRun: [],
  };
  return p;
}

/** True when the statement is planned here (query or DML) rather than run as a command. */
export function isPlannable(ast: Statement | ExtensionStatement): boolean {
  if ("kind" in ast && !("type" in ast)) return ast.kind === "set_operation";
  const t = (ast as Statement).type;
  return [
    "select",
    "union",
    "union all",
    "values",
    "with",
    "with recursive",
    "insert",
    "update",
    "delete",
  ].includes(t);
}

/**
 * Plans a query or DML statement.
 * @param declared parameter types given by the client (null entries are inferred)
 * @throws {DbError} 42P01, 42703, 42702, 42803, 42883, 42601 ...
 */
export function planStatement(
  catalog: Catalog,
  ast: Statement | ExtensionStatement,
  text: string,
  declared: readonly (SqlType | null)[] = [],
  stats: ReadonlyMap<number, number> = new Map(),
): PlannedStatement {
  const paramTypes = declared.slice();
  const p = createPlanner(catalog, text, paramTypes, stats);
  let plan: PlanNode;
  let columns: readonly OutColumn[] | null;
  let command: PlannedStatement["command"] = "SELECT";
  if ("kind" in ast && !("type" in ast)) {
    if (ast.kind !== "set_operation") throw new DbError("XX000", `Cannot plan ${ast.kind}`);
    // Halves split out of the text carry locations into their own texts: use parsed values.
    if (!ast.located) (p as { text: string }).text = "";
    const q = planSetQuery(p, ast.query, null);
    plan = q.plan;
    columns = q.columns;
  } else {
    const s = ast as Statement;
    switch (s.type) {
      case "insert": {
        const d = planInsert(p, s);
        ({ plan, columns, command } = d);
        break;
      }
      case "update": {
        const d = planUpdate(p, s);
        ({ plan, columns, command } = d);
        break;
      }
      case "delete": {
        const d = planDelete(p, s);
        ({ plan, columns, command } = d);
        break;
      }
      default: {
        if (s.type === "with") p.topWith = s;
        if (isWithDml(s)) {
          ({ plan, columns, command } = planWithDml(p, s));
          break;
        }
        const q = p.planSelect(s as SelectStatement, null);
        plan = q.plan;
        columns = q.columns;
      }
    }
  }
  return {
    plan: pruneColumns(columns ? regOutput(plan, columns.map((c) => c.type), catalog) : plan),
    columns,
    command,
    paramTypes: paramTypes.map((t) => (t === null || t.id === "unknown" ? scalar("text") : t)),
    catalogVersion: catalog.version,
    relations: p.relations,
    valueDependent: p.flags.valueDependent,
    preRun: p.preRun,
  };
}
