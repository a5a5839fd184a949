/**
 * INSERT, UPDATE and DELETE on automatically updatable views, PostgreSQL's
 * way: a view over one table (or one such view) without DISTINCT, WITH,
 * GROUP BY, HAVING, set operations, LIMIT/OFFSET, aggregates, window or
 * set-returning functions is rewritten into the same statement on its base
 * relation. View columns that are base columns map to them; the others
 * (`n * 2 AS dbl`) can be read but not assigned. UPDATE and DELETE see only
 * the rows the view shows (its WHERE joins the statement's).
 * @module
 */
import type {
  DeleteStatement,
  Expr,
  InsertStatement,
  SelectedColumn,
  SelectFromStatement,
  Statement,
  UpdateStatement,
} from "pgsql-ast-parser";
import { DbError } from "../../common/errors.ts";
import { DEFAULT_VALUES_MARKER } from "../parse/_rewrite_query.ts";
import { isAggregateName, isWindowName } from "../../exec/functions/aggregates.ts";
import type { RelationDef } from "../catalog/catalog.ts";
import type { Planner } from "./planner_types.ts";
import { SELECT_LIST_SRFS } from "./srf_select.ts";

type Action = "insert" | "update" | "delete";

/** One column of an updatable view: its name and what it reads from the base relation. */
interface ViewColumn {
  readonly name: string;
  readonly expr: Expr;
  /** The base column it is, or null for a computed column. */
  readonly base: string | null;
}

/** An updatable view's base relation and columns. */
interface ViewBase {
  readonly table: { readonly name: string; readonly schema?: string; readonly alias?: string };
  readonly columns: readonly ViewColumn[];
  readonly where: Expr | null;
}

const verbs: Record<Action, [string, string]> = {
  insert: ["insert into", "inserting into"],
  update: ["update", "updating"],
  delete: ["delete from", "deleting from"],
};

/**
 * The base relation and columns of an automatically updatable view.
 * @throws {DbError} 55000 when the view is not automatically updatable (PostgreSQL's detail)
 */
function viewBase(p: Planner, view: RelationDef, action: Action): ViewBase {
  const query = p.parseQuery(view.viewSql ?? "");
  const refuse = (detail: string) => {
    const e = new DbError("55000", `cannot ${verbs[action][0]} view "${view.name}"`);
    e.detail = `${detail} are not automatically updatable.`;
    e.hint =
      `To enable ${verbs[action][1]} the view, provide an INSTEAD OF ${action.toUpperCase()}` +
      ` trigger or an unconditional ON ${action.toUpperCase()} DO INSTEAD rule.`;
    return e;
  };
  if ("kind" in query) throw refuse("Views containing UNION, INTERSECT, or EXCEPT");
  const stmt = query as Statement;
  if (stmt.type === "union" || stmt.type === "union all" || stmt.type === "values") {
    throw refuse("Views containing UNION, INTERSECT, or EXCEPT");
  }
  if (stmt.type === "with" || stmt.type === "with recursive") {
    throw refuse("Views containing WITH");
  }
  if (stmt.type !== "select") throw refuse("Views that do not select from a single table or view");
  const s = stmt as SelectFromStatement;
  if (s.distinct) throw refuse("Views containing DISTINCT");
  if (s.groupBy?.length) throw refuse("Views containing GROUP BY");
  if (s.having) throw refuse("Views containing HAVING");
  if (s.limit) throw refuse("Views containing LIMIT or OFFSET");
  const calls = (s.columns ?? []).flatMap((c) => callsIn(c.expr));
  if (calls.some((c) => isAggregateName(c.name) && !c.over)) {
    throw refuse("Views that return aggregate functions");
  }
  if (calls.some((c) => c.over || isWindowName(c.name))) {
    throw refuse("Views that return window functions");
  }
  if (calls.some((c) => SELECT_LIST_SRFS.has(c.name) || recordSrfs.has(c.name))) {
    throw refuse("Views that return set-returning functions");
  }
  const from = s.from ?? [];
  const only = from[0];
  if (from.length !== 1 || !only || only.type !== "table" || only.name.name === "dual") {
    throw refuse("Views that do not select from a single table or view");
  }
  const base = p.catalog.relation(only.name.name, only.name.schema);
  if (base.matview) throw refuse("Views that do not select from a single table or view");
  const qualifier = only.name.alias ?? only.name.name;
  const items: { expr: Expr; alias?: string }[] = [];
  for (const c of (s.columns ?? []) as SelectedColumn[]) {
    const e = c.expr;
    if (e.type === "ref" && e.name === "*") {
      for (const col of base.columns) {
        if (!col.dropped) items.push({ expr: { type: "ref", name: col.name } });
      }
    } else items.push({ expr: e, ...(c.alias ? { alias: c.alias.name } : {}) });
  }
  const live = view.columns.filter((c) => !c.dropped);
  const columns = live.map((col, i): ViewColumn => {
    const e = items[i]?.expr ?? { type: "null" };
    const plain = e.type === "ref" && e.name !== "*" &&
      (!e.table || e.table.name === qualifier);
    return { name: col.name, expr: e, base: plain ? (e as { name: string }).name : null };
  });
  return { table: only.name, columns, where: s.where ?? null };
}

/**
 * Checks that a view may have WITH CHECK OPTION: only automatically
 * updatable views may.
 * @throws {DbError} 0A000 with the reason as hint
 */
export function checkOptionAllowed(p: Planner, view: RelationDef): void {
  try {
    viewBase(p, view, "insert");
  } catch (e) {
    if (!(e instanceof DbError) || e.sqlstate !== "55000") throw e;
    const err = new DbError(
      "0A000",
      "WITH CHECK OPTION is supported only on automatically updatable views",
    );
    if (e.detail) err.hint = e.detail;
    throw err;
  }
}

/** The function calls in an expression (outside subqueries). */
function callsIn(e: unknown, out: { name: string; over: boolean }[] = []) {
  if (Array.isArray(e)) {
    for (const x of e) callsIn(x, out);
    return out;
  }
  if (e === null || typeof e !== "object") return out;
  const node = e as { type?: string; function?: { name: string }; over?: unknown };
  if (node.type && subqueryTypes.has(node.type)) return out;
  if (node.type === "call" && node.function) {
    out.push({ name: node.function.name.toLowerCase(), over: node.over != null });
  }
  for (const [k, v] of Object.entries(e)) if (k !== "_location") callsIn(v, out);
  return out;
}

const recordSrfs = new Set(["jsonb_each", "jsonb_each_text", "json_each", "json_each_text"]);

const subqueryTypes = new Set(["select", "union", "union all", "with", "with recursive", "values"]);

/**
 * Replaces references to view columns (unqualified, or qualified by one of
 * `names`) with what the view computes for them. Subqueries are left alone.
 */
function mapRefs<T>(e: T, cols: ReadonlyMap<string, Expr>, names: readonly string[]): T {
  if (Array.isArray(e)) return e.map((x) => mapRefs(x, cols, names)) as T;
  if (e === null || typeof e !== "object") return e;
  const node = e as { type?: string; name?: string; table?: { name: string } };
  if (node.type && subqueryTypes.has(node.type)) return e;
  if (node.type === "ref" && typeof node.name === "string") {
    const hit = cols.get(node.name);
    if (hit && (!node.table || names.includes(node.table.name))) return hit as T;
    return e;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) out[k] = k === "_location" ? v : mapRefs(v, cols, names);
  return out as T;
}

function columnMap(base: ViewBase): Map<string, Expr> {
  return new Map(base.columns.map((c) => [c.name, c.expr]));
}

/** The base column a view column assigns, or 0A000 as PostgreSQL reports a computed one. */
function assignable(view: RelationDef, base: ViewBase, name: string, action: Action): string {
  const col = base.columns.find((c) => c.name === name);
  if (!col) {
    throw new DbError("42703", `column "${name}" of relation "${view.name}" does not exist`);
  }
  if (col.base === null) {
    const e = new DbError(
      "0A000",
      `cannot ${action} ${
        action === "insert" ? "into " : ""
      }column "${name}" of view "${view.name}"`,
    );
    e.detail = "View columns that are not columns of their base relation are not updatable.";
    throw e;
  }
  return col.base;
}

/** RETURNING of a view statement: its columns by the view's names. */
function mapReturning(
  returning: readonly SelectedColumn[] | undefined | null,
  base: ViewBase,
  names: readonly string[],
): SelectedColumn[] | undefined {
  if (!returning) return undefined;
  const cols = columnMap(base);
  return returning.flatMap((c): SelectedColumn[] => {
    const e = c.expr;
    if (e.type === "ref" && e.name === "*" && (!e.table || names.includes(e.table.name))) {
      return base.columns.map((v) => ({ expr: v.expr, alias: { name: v.name } }));
    }
    const alias = c.alias ?? (e.type === "ref" ? { name: e.name } : undefined);
    return [{ expr: mapRefs(e, cols, names), ...(alias ? { alias } : {}) }];
  });
}

/** A view's WITH CHECK OPTION condition on its way down to the base table. */
export interface PendingCheck {
  /** The view whose condition it is (named in the 44000 error). */
  readonly view: string;
  /** The condition over the current base relation's columns. */
  readonly where: Expr;
  /** The name its references to the base relation are qualified with. */
  readonly qualifier: string;
}

/** The check options collected while rewriting through views. */
export interface ViewChecks {
  readonly checks: readonly PendingCheck[];
  /** True below a CASCADED view: every view's condition is checked. */
  readonly cascade: boolean;
}

/** No views passed yet. */
export const noViewChecks: ViewChecks = { checks: [], cascade: false };

/**
 * The checks after passing `view`: the earlier ones mapped onto its base
 * relation, plus its own condition when it has a check option or one above
 * it cascades (PostgreSQL's LOCAL and CASCADED rules).
 */
function passView(view: RelationDef, base: ViewBase, pending: ViewChecks): ViewChecks {
  const cols = columnMap(base);
  const qualifier = base.table.alias ?? base.table.name;
  const checks: PendingCheck[] = pending.checks.map((c) => ({
    ...c,
    where: mapRefs(c.where, cols, [c.qualifier]),
    qualifier,
  }));
  // Inner views' conditions are checked first (the SQL standard's order, as PostgreSQL does).
  if ((view.checkOption || pending.cascade) && base.where) {
    checks.unshift({ view: view.name, where: base.where, qualifier });
  }
  return { checks, cascade: pending.cascade || view.checkOption === "cascaded" };
}

function andWhere(view: Expr | null, own: Expr | null | undefined): Expr | undefined {
  if (!view) return own ?? undefined;
  if (!own) return view;
  return { type: "binary", op: "AND", left: view, right: own };
}

/**
 * INSERT into an updatable view as INSERT into its base relation.
 * @throws {DbError} 55000 not updatable, 0A000 computed column, 42703
 */
export function viewInsert(
  p: Planner,
  view: RelationDef,
  stmt: InsertStatement,
  pending: ViewChecks,
): { stmt: InsertStatement; pending: ViewChecks } {
  const base = viewBase(p, view, "insert");
  const names = stmt.into.alias ? [stmt.into.alias] : [view.name];
  let given = stmt.columns?.map((c) => c.name);
  if (!given) {
    const first = stmt.insert.type === "values" ? stmt.insert.values[0] : undefined;
    const n = first ? first.length : base.columns.length;
    given = base.columns.slice(0, n).map((c) => c.name);
  }
  const defaultValues = given.length === 1 && given[0] === DEFAULT_VALUES_MARKER;
  const columns = defaultValues
    ? stmt.columns
    : given.map((n) => ({ name: assignable(view, base, n, "insert") }));
  const returning = mapReturning(stmt.returning, base, names);
  const { returning: _, onConflict: conflict, ...rest } = stmt;
  const into = {
    name: base.table.name,
    ...(base.table.schema ? { schema: base.table.schema } : {}),
  };
  const onConflict = conflict ? mapOnConflict(view, base, conflict, names) : null;
  return {
    stmt: {
      ...rest,
      into,
      columns,
      ...(returning ? { returning } : {}),
      ...(onConflict ? { onConflict } : {}),
    },
    pending: passView(view, base, pending),
  };
}

/** An expression with every column reference qualified by `qualifier` (subqueries left alone). */
function qualify<T>(x: T, qualifier: string): T {
  if (Array.isArray(x)) return x.map((y) => qualify(y, qualifier)) as T;
  if (x === null || typeof x !== "object") return x;
  const node = x as { type?: string; name?: string };
  if (node.type && subqueryTypes.has(node.type)) return x;
  if (node.type === "ref" && node.name !== "*") return { ...x, table: { name: qualifier } };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(x)) out[k] = k === "_location" ? v : qualify(v, qualifier);
  return out as T;
}

/**
 * Replaces references to view columns that `matches` (by their qualifier,
 * or undefined when unqualified) with what the view computes for them, its
 * base column references qualified by `qualifier`.
 */
function mapQualified<T>(
  e: T,
  cols: ReadonlyMap<string, Expr>,
  matches: (table: string | undefined) => boolean,
  qualifier: string,
): T {
  if (Array.isArray(e)) return e.map((x) => mapQualified(x, cols, matches, qualifier)) as T;
  if (e === null || typeof e !== "object") return e;
  const node = e as { type?: string; name?: string; table?: { name: string } };
  if (node.type && subqueryTypes.has(node.type)) return e;
  if (node.type === "ref" && typeof node.name === "string" && matches(node.table?.name)) {
    const hit = cols.get(node.name);
    return hit ? qualify(hit, qualifier) as T : e;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) {
    out[k] = k === "_location" ? v : mapQualified(v, cols, matches, qualifier);
  }
  return out as T;
}

/**
 * ON CONFLICT of an INSERT into a view, in terms of its base relation: the
 * conflict target's and DO UPDATE's view columns become base columns, and
 * `excluded` (the proposed row) is read through the view's columns too.
 * @throws {DbError} 0A000 computed column assigned, 42703, 42704 ON CONSTRAINT (as PostgreSQL)
 */
function mapOnConflict(
  view: RelationDef,
  base: ViewBase,
  oc: NonNullable<InsertStatement["onConflict"]>,
  names: readonly string[],
): NonNullable<InsertStatement["onConflict"]> {
  if (oc.on?.type === "on constraint") {
    // PostgreSQL looks the constraint up on the view itself, which has none.
    throw new DbError(
      "42704",
      `constraint "${oc.on.constraint.name}" for table "${view.name}" does not exist`,
    );
  }
  const cols = columnMap(base);
  const target = base.table.name;
  const map = <T>(e: T): T =>
    mapQualified(
      mapQualified(e, cols, (t) => t === "excluded", "excluded"),
      cols,
      (t) => t === undefined || names.includes(t),
      target,
    );
  const on = oc.on ? { ...oc.on, exprs: oc.on.exprs.map(map) } : undefined;
  const action = oc.do === "do nothing" ? oc.do : {
    // PostgreSQL names the INSERT when DO UPDATE assigns a computed column.
    sets: oc.do.sets.map((s) => ({
      column: { name: assignable(view, base, s.column.name, "insert") },
      value: map(s.value),
    })),
  };
  return {
    ...oc,
    ...(on ? { on } : {}),
    do: action,
    ...(oc.where ? { where: map(oc.where) } : {}),
  };
}

/**
 * UPDATE of an updatable view as UPDATE of its base relation (rows the view shows).
 * @throws {DbError} 55000 not updatable, 0A000 computed column, 42703
 */
export function viewUpdate(
  p: Planner,
  view: RelationDef,
  stmt: UpdateStatement,
  pending: ViewChecks,
): { stmt: UpdateStatement; pending: ViewChecks } {
  const base = viewBase(p, view, "update");
  const names = [stmt.table.alias ?? view.name];
  const cols = columnMap(base);
  const sets = stmt.sets.map((s) => ({
    column: { name: assignable(view, base, s.column.name, "update") },
    value: mapRefs(s.value, cols, names),
  }));
  const where = andWhere(base.where, mapRefs(stmt.where, cols, names));
  const returning = mapReturning(stmt.returning, base, names);
  const { returning: _, where: __, ...rest } = stmt;
  return {
    stmt: {
      ...rest,
      table: base.table,
      sets,
      ...(where ? { where } : {}),
      ...(returning ? { returning } : {}),
    },
    pending: passView(view, base, pending),
  };
}

/**
 * DELETE from an updatable view as DELETE from its base relation (rows the view shows).
 * @throws {DbError} 55000 not updatable
 */
export function viewDelete(p: Planner, view: RelationDef, stmt: DeleteStatement): DeleteStatement {
  const base = viewBase(p, view, "delete");
  const names = [stmt.from.alias ?? view.name];
  const where = andWhere(base.where, mapRefs(stmt.where, columnMap(base), names));
  const returning = mapReturning(stmt.returning, base, names);
  const { returning: _, where: __, ...rest } = stmt;
  return {
    ...rest,
    from: base.table,
    ...(where ? { where } : {}),
    ...(returning ? { returning } : {}),
  };
}
