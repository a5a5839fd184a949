/**
 * The select list's names and `*`: the output name of an item (PostgreSQL's
 * FigureColname rules) and the expansion of `*` and `t.*` over a scope.
 * @module
 */
import type { Expr, SelectedColumn } from "pgsql-ast-parser";
import { DbError } from "../../common/errors.ts";
import type { BoundExpr } from "../../exec/plan.ts";
import type { OutColumn } from "./planner_types.ts";
import { ofTable, type Scope } from "./scope.ts";
import { mergedColumn } from "./bind_row.ts";
import { OPERATOR_MARKERS } from "../parse/rewrite.ts";

/** Internal functions that stand for operators (`a @? p`, `a #> p`, `a IS DISTINCT FROM b`, ...). */
const operatorFunctions: ReadonlySet<string> = new Set(OPERATOR_MARKERS.values());

/** The name PostgreSQL gives a select-list item: its alias, else FigureColname of its expression. */
export function outputName(c: SelectedColumn): string {
  if (c.alias) return c.alias.name;
  return exprName(c.expr);
}

/** True when PostgreSQL's FigureColname finds a name of full strength (not `?column?`, a type name or `case`). */
function strongName(e: Expr): boolean {
  switch (e.type) {
    case "ref":
    case "member":
    case "keyword":
    case "array":
    case "list":
      return true;
    case "call":
      return !operatorFunctions.has(e.function.name);
    case "cast":
      return strongName(e.operand);
    case "case":
      return e.else !== undefined && e.else !== null && strongName(e.else);
    default:
      return false;
  }
}

function exprName(e: Expr): string {
  switch (e.type) {
    case "ref":
      return e.name;
    case "call": {
      // `(x).f` arrives as `__field(x, 'f')` and is named after its field.
      const field = e.function.name === "__field" ? e.args[1] : undefined;
      if (field?.type === "string") return field.value;
      // Operators the grammar lacks arrive as internal calls; PostgreSQL names them ?column?.
      if (operatorFunctions.has(e.function.name)) return "?column?";
      return e.function.name.toLowerCase();
    }
    case "list":
      return "row";
    case "cast":
      // As PostgreSQL's FigureColname: a column or function name beats a cast, a
      // cast's type name beats an inner cast's.
      return e.operand.type === "ref" || e.operand.type === "call"
        ? exprName(e.operand)
        : e.to.kind === "array"
        ? "array"
        : typeNameOf(e.to.name);
    case "case":
      // PostgreSQL names a CASE after its ELSE when that has a name of its own.
      return e.else && strongName(e.else) ? exprName(e.else) : "case";
    case "member":
      return typeof e.member === "string" ? e.member : "?column?";
    case "array":
    case "array select":
      return "array";
    case "keyword":
      return e.keyword;
    case "extract":
      return "extract";
    case "substring":
      return "substring";
    default:
      return "?column?";
  }
}

function typeNameOf(name: string): string {
  const map: Record<string, string> = {
    int: "int4",
    integer: "int4",
    bigint: "int8",
    smallint: "int2",
    boolean: "bool",
    real: "float4",
    float: "float8",
    "double precision": "float8",
    decimal: "numeric",
    "character varying": "varchar",
  };
  return map[name.toLowerCase()] ?? name.toLowerCase();
}

/** A select-list item: its expression (null for `*`), bound form and output column. */
export interface SelectItem {
  readonly expr: Expr | null;
  readonly bound: BoundExpr;
  readonly column: OutColumn;
}

/**
 * `*` (table null) or `t.*`: the visible columns, merged JOIN USING values
 * for `*` and for a join alias `j.*`.
 * @throws {DbError} 42P01 when no FROM item is named `table`
 */
export function expandStar(scope: Scope, table: string | null): SelectItem[] {
  const out: SelectItem[] = [];
  let found = table === null;
  const all = scope.columns.map((_, i) => i);
  for (const i of table === null ? scope.star ?? all : all) {
    const c = scope.columns[i]!;
    if (table !== null && !ofTable(c, table)) continue;
    found = true;
    // `t.*` keeps t's own copy of a column merged away by USING.
    if (c.hidden && (table === null || !mergedColumn(c.name))) continue;
    const alias = table !== null && c.table !== table; // `j.*` of `USING (k) AS j`
    const merged = table === null || alias ? c.merged : undefined;
    out.push({
      expr: null,
      bound: merged ?? { kind: "column", depth: 0, index: i, type: c.type },
      column: merged
        ? { name: c.name, type: merged.type, tableOid: 0, attnum: 0 }
        : { name: c.name, type: c.type, tableOid: c.tableOid, attnum: c.attnum },
    });
  }
  if (!found) throw new DbError("42P01", `missing FROM-clause entry for table "${table}"`);
  return out;
}
