/**
 * Set-returning functions in a select list (`SELECT generate_series(1, 3)`,
 * `SELECT unnest(a) FROM t`). PostgreSQL evaluates them per input row and
 * emits one output row per element; for one such function that is exactly a
 * LATERAL join with the function in FROM, which is how this module rewrites
 * the statement: the call moves to the end of the FROM list and its place in
 * the select list becomes a reference to the function's column.
 *
 * Several different calls run side by side (`__rows_from`, PostgreSQL's
 * lockstep). In a grouped query the function runs after aggregation (see
 * `liftAfterGrouping`). Left as they are (the binder then reports the call):
 * a bare `*` (it would list the moved function) and grouped shapes
 * `liftAfterGrouping` does not cover.
 * @module
 */
import type {
  Expr,
  ExprCall,
  From,
  FromCall,
  SelectedColumn,
  SelectFromStatement,
} from "pgsql-ast-parser";
import { DbError } from "../../common/errors.ts";
import { type as scalar } from "../../common/types.ts";
import type { BoundExpr, PlanNode } from "../../exec/plan.ts";
import { SRF_SPECS, type SrfSpec } from "../../exec/functions/srf_rows.ts";
import { aggregateNames } from "../../exec/functions/aggregates.ts";
import { coerceTo } from "./bind_expr.ts";
import type { ScopeColumn } from "./scope.ts";
import { formatTypeName } from "../../common/value_text.ts";
import { isTextType } from "./sql_types.ts";

/** Set-returning functions of one column that a select list may call. */
export const SELECT_LIST_SRFS: ReadonlySet<string> = new Set([
  "generate_series",
  "unnest",
  "jsonb_array_elements",
  "jsonb_array_elements_text",
  "jsonb_object_keys",
  "json_array_elements",
  "json_array_elements_text",
  "json_object_keys",
  "regexp_split_to_table",
  "regexp_matches",
  "generate_subscripts",
  "jsonb_path_query",
]);

const alias = "__thunder_srf";
/** Internal function whose arguments are set-returning calls run side by side. */
const rowsFrom = "__rows_from";

/** Set-returning functions of several columns: in a select list each row is one record. */
const RECORD_SRFS: ReadonlySet<string> = new Set(
  ["jsonb_each", "jsonb_each_text", "json_each", "json_each_text"],
);

function srfName(e: ExprCall): string | null {
  const schema = e.function.schema;
  if (schema !== undefined && schema !== "pg_catalog") return null;
  const name = e.function.name.toLowerCase();
  return (SELECT_LIST_SRFS.has(name) || RECORD_SRFS.has(name)) && !e.over ? name : null;
}

/** The output columns of the k-th lifted call (one, or one per field of a record). */
function liftedColumns(k: number, name: string): string[] {
  const n = RECORD_SRFS.has(name) ? SRF_SPECS.get(name)?.columns.length ?? 1 : 1;
  return n === 1 ? [`s${k}`] : Array.from({ length: n }, (_, j) => `s${k}_${j}`);
}

/** The select-list value of the k-th lifted call: its column, or a record of its columns. */
function liftedValue(k: number, name: string): Expr {
  const refs: Expr[] = liftedColumns(k, name).map((c) => ({
    type: "ref",
    table: { name: alias },
    name: c,
  }));
  return refs.length === 1
    ? refs[0]!
    : { type: "call", function: { name: "__record" }, args: refs };
}

const subqueryTypes = new Set(["select", "union", "union all", "values", "with", "with recursive"]);

/** Copies `node`, replacing each set-returning call through `swap`. */
type Swap = (call: ExprCall, name: string, field?: string) => Expr;

/** `(f(x)).field` arrives as `__field(f(x), 'field')` (see `parse/_rewrite_ops.ts`). */
function fieldSelect(e: ExprCall): { call: ExprCall; name: string; field: string } | null {
  const [inner, field] = e.args;
  if (e.function.name !== "__field" || inner?.type !== "call" || field?.type !== "string") {
    return null;
  }
  const name = srfName(inner);
  return name !== null && RECORD_SRFS.has(name) ? { call: inner, name, field: field.value } : null;
}

function mapCalls(node: unknown, swap: Swap): unknown {
  if (node === null || typeof node !== "object") return node;
  if (Array.isArray(node)) return node.map((n) => mapCalls(n, swap));
  const o = node as Record<string, unknown>;
  if (typeof o.type === "string" && subqueryTypes.has(o.type)) return node;
  if (o.type === "call") {
    const sel = fieldSelect(node as ExprCall);
    if (sel) return swap(sel.call, sel.name, sel.field);
    const name = srfName(node as ExprCall);
    if (name !== null) return swap(node as ExprCall, name);
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[k] = k === "_location" ? v : mapCalls(v, swap);
  return out;
}

/** True when `node` calls an aggregate or a window function outside subqueries. */
function aggregates(node: unknown): boolean {
  if (node === null || typeof node !== "object") return false;
  if (Array.isArray(node)) return node.some(aggregates);
  const o = node as Record<string, unknown>;
  if (typeof o.type === "string" && subqueryTypes.has(o.type)) return false;
  if (o.type === "call") {
    const c = node as ExprCall;
    if (c.over || aggregateNames.has(c.function.name.toLowerCase())) return true;
  }
  return Object.entries(o).some(([k, v]) => k !== "_location" && aggregates(v));
}

function callKey(call: ExprCall): string {
  return JSON.stringify(call, (k, v) => (k === "_location" ? undefined : v));
}

/**
 * Moves the select list's set-returning calls into FROM as one LATERAL item
 * (several distinct calls run side by side, as PostgreSQL runs them).
 * @returns the statement unchanged when it has none (or a form left to the binder)
 */
export function liftSetReturning(stmt: SelectFromStatement): SelectFromStatement {
  const columns = stmt.columns ?? [];
  const found: { key: string; call: ExprCall; name: string }[] = [];
  const swap: Swap = (call, name, field) => {
    const key = callKey(call);
    let k = found.findIndex((f) => f.key === key);
    if (k < 0) k = found.push({ key, call, name }) - 1;
    if (field === undefined) return liftedValue(k, name);
    const j = SRF_SPECS.get(name)?.columns.findIndex((c) => c.name === field) ?? -1;
    if (j < 0) throw new DbError("42703", `column "${field}" not found in data type record`);
    return { type: "ref", table: { name: alias }, name: liftedColumns(k, name)[j]! };
  };
  const lifted = (mapCalls(columns, swap) as typeof columns).map((c, i) => {
    const e = columns[i]!.expr;
    // A bare call keeps its name as the output column's; a field selection the field's.
    if (c.alias || e.type !== "call") return c;
    const sel = fieldSelect(e);
    if (sel) return { ...c, alias: { name: sel.field } };
    return srfName(e) === null ? c : { ...c, alias: { name: srfName(e)! } };
  });
  if (found.length === 0) return stmt;
  const star = columns.some((c) => c.expr.type === "ref" && c.expr.name === "*" && !c.expr.table);
  const grouped = (stmt.groupBy?.length ?? 0) > 0 || stmt.having != null || aggregates(columns);
  // Records run side by side with other calls are left to the binder.
  if (star || (found.length > 1 && found.some((f) => RECORD_SRFS.has(f.name)))) return stmt;
  if (grouped) {
    return found.length === 1
      ? liftAfterGrouping(stmt, found[0]!.call, found[0]!.name) ?? stmt
      : stmt;
  }
  const orderBy = stmt.orderBy ? mapCalls(stmt.orderBy, swap) as typeof stmt.orderBy : stmt.orderBy;
  const names = found.flatMap((f, k) => liftedColumns(k, f.name).map((name) => ({ name })));
  const item: From = found.length === 1
    ? { ...found[0]!.call, alias: { name: alias, columns: names }, lateral: true }
    : {
      type: "call",
      function: { name: rowsFrom },
      args: found.map((f) => f.call),
      alias: { name: alias, columns: names },
      lateral: true,
    };
  return { ...stmt, columns: lifted, orderBy, from: [...(stmt.from ?? []), item] };
}

const grouped = "__thunder_grouped";

/** The output name PostgreSQL gives a select item (approximately, for a moved item). */
function itemName(c: SelectedColumn): string {
  if (c.alias) return c.alias.name;
  if (c.expr.type === "ref") return c.expr.name;
  if (c.expr.type === "call") return c.expr.function.name;
  return "?column?";
}

/**
 * A grouped query whose select list calls a set-returning function on aggregates
 * (`SELECT unnest(array_agg(x)) FROM t`): the grouped query becomes a subquery that
 * computes the call's arguments, and the function runs LATERAL over its rows.
 * @returns null for shapes it does not cover (the call inside a larger expression,
 *   ORDER BY other than output positions or names)
 */
function liftAfterGrouping(
  stmt: SelectFromStatement,
  call: ExprCall,
  name: string,
): SelectFromStatement | null {
  const columns = stmt.columns ?? [];
  const isCall = (e: Expr) => e.type === "call" && srfName(e) !== null;
  const names = columns.map(itemName);
  let nested = false;
  mapCalls(columns.filter((c) => !isCall(c.expr)), (c) => {
    nested = true;
    return c;
  });
  if (nested) return null;
  const order = stmt.orderBy ?? [];
  const ok = order.every((o) =>
    o.by.type === "integer" || (o.by.type === "ref" && !o.by.table && names.includes(o.by.name))
  );
  if (!ok) return null;
  const inner: SelectedColumn[] = [];
  const outer: SelectedColumn[] = columns.map((c, i) => {
    if (isCall(c.expr)) {
      return { expr: { type: "ref", table: { name: alias }, name }, alias: { name: names[i]! } };
    }
    inner.push({ expr: c.expr, alias: { name: `c${i}` } });
    return {
      expr: { type: "ref", table: { name: grouped }, name: `c${i}` },
      alias: { name: names[i]! },
    };
  });
  call.args.forEach((a, j) => inner.push({ expr: a, alias: { name: `a${j}` } }));
  const args: Expr[] = call.args.map((_, j) => ({
    type: "ref",
    table: { name: grouped },
    name: `a${j}`,
  }));
  const sub: SelectFromStatement = {
    ...stmt,
    columns: inner,
    orderBy: null,
    limit: null,
    distinct: null,
  };
  const from: From[] = [
    { type: "statement", statement: sub, alias: grouped },
    { ...call, args, alias: { name: alias, columns: [{ name }] }, lateral: true },
  ];
  return {
    type: "select",
    columns: outer,
    from,
    orderBy: stmt.orderBy,
    limit: stmt.limit,
    distinct: stmt.distinct,
  };
}

function noSuchFunction(fn: string, args: readonly BoundExpr[]): DbError {
  const types = args.map((a) => formatTypeName(a.type)).join(", ");
  const e = new DbError("42883", `function ${fn}(${types}) does not exist`);
  e.hint = "No function matches the given name and argument types. " +
    "You might need to add explicit type casts.";
  return e;
}

/** The arguments coerced to the function's signature, or null when they do not fit. */
function fitArgs(spec: SrfSpec, args: readonly BoundExpr[]): BoundExpr[] | null {
  if (args.length > spec.args.length || args.length < spec.args.length - spec.optional) return null;
  const out: BoundExpr[] = [];
  for (const [i, a] of args.entries()) {
    const want = spec.args[i]!;
    if (want === null) {
      if (a.type.id !== "array") return null;
      out.push(a);
    } else if (a.type.id === want.id || a.type.id === "unknown") out.push(coerceTo(a, want));
    else if (isTextType(want) && isTextType(a.type)) out.push(coerceTo(a, want));
    else if (want.id === "int4" && (a.type.id === "int2")) out.push(coerceTo(a, want));
    else return null;
  }
  return out;
}

/**
 * Plans a library set-returning function in FROM (`jsonb_each`, `json_array_elements`,
 * `regexp_split_to_table`, `generate_subscripts`, ...).
 * @returns null when `fn` is not one of them
 * @throws {DbError} 42883 when the arguments do not fit
 */
export function bindSetFunction(
  fn: string,
  args: readonly BoundExpr[],
  item: FromCall,
): { node: PlanNode; columns: ScopeColumn[]; table: null } | null {
  const spec = SRF_SPECS.get(fn);
  if (spec === undefined) return null;
  const outs = spec.columns;
  const fitted = fitArgs(spec, args);
  if (fitted === null) throw noSuchFunction(fn, args);
  const table = item.alias?.name ?? fn;
  const renamed = item.alias?.columns ?? [];
  // A one-column function without an OUT name takes the alias as its column name.
  const single = outs.length === 1 && outs[0]!.name === fn;
  const columns: ScopeColumn[] = outs.map((c, i) => ({
    table,
    name: renamed[i]?.name ?? (single && item.alias ? table : c.name),
    type: c.type,
    tableOid: 0,
    attnum: 0,
    hidden: false,
  }));
  if (item.withOrdinality) {
    columns.push({
      table,
      name: renamed[outs.length]?.name ?? "ordinality",
      type: scalar("int8"),
      tableOid: 0,
      attnum: 0,
      hidden: false,
    });
  }
  const node: PlanNode = { kind: "function_scan", fn, args: fitted, width: columns.length };
  return { node, columns, table: null };
}

/**
 * The calls a FROM item runs side by side (PostgreSQL's ROWS FROM): those of the
 * internal `__rows_from(f(...), g(...))`, or each array of a multi-argument `unnest`.
 * @returns null for any other item
 */
export function rowsFromCalls(item: FromCall): ExprCall[] | null {
  const name = item.function.name.toLowerCase();
  if (name === rowsFrom) return item.args as ExprCall[];
  if (name === "unnest" && !item.function.schema && item.args.length > 1) {
    return item.args.map((a) => ({ type: "call", function: { name: "unnest" }, args: [a] }));
  }
  return null;
}

/**
 * Plans set-returning calls side by side: row i holds each function's row i,
 * NULLs for a function with fewer rows (the scan's `fn` lists each function as
 * `name/arguments/width`, see `exec/function_scan.ts`).
 * @throws {DbError} 0A000 when a call does not plan to a function scan
 */
export function planRowsFrom(
  item: FromCall,
  calls: readonly ExprCall[],
  plan: (call: FromCall) => { node: PlanNode; columns: ScopeColumn[] },
): { node: PlanNode; columns: ScopeColumn[] } {
  const parts: string[] = [];
  const args: BoundExpr[] = [];
  const columns: ScopeColumn[] = [];
  const table = item.alias?.name ?? calls[0]?.function.name ?? "unnest";
  const renamed = item.alias?.columns ?? [];
  for (const call of calls) {
    const one = plan({ ...call, type: "call" });
    if (one.node.kind !== "function_scan" || call.type !== "call") {
      throw new DbError("0A000", "only set-returning functions can run side by side");
    }
    parts.push(`${one.node.fn}/${one.node.args.length}/${one.columns.length}`);
    args.push(...one.node.args);
    for (const c of one.columns) {
      columns.push({ ...c, table, name: renamed[columns.length]?.name ?? c.name });
    }
  }
  if (item.withOrdinality) {
    columns.push({
      table,
      name: renamed[columns.length]?.name ?? "ordinality",
      type: scalar("int8"),
      tableOid: 0,
      attnum: 0,
      hidden: false,
    });
  }
  const node: PlanNode = {
    kind: "function_scan",
    fn: `rows_from:${parts.join(";")}`,
    args,
    width: columns.length,
  };
  return { node, columns };
}
