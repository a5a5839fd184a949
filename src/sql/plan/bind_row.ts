/**
 * Row values: `ROW(a, b)` and `(a, b)` constructors, whole-row references to
 * FROM items (`t`, `t.*`), field selection `(x).f`, and row comparisons and
 * row `IN` with PostgreSQL's semantics.
 *
 * A row value is a `Value[]` of type `record` whose `fields` name and type
 * each field (f1, f2, ... for a constructor, column names for a whole row).
 * Comparisons between two constructors are expanded field by field as
 * PostgreSQL does (`ROW(a, b) = ROW(c, d)` is `a = c AND b = d`, so a NULL
 * field makes the result NULL); other records compare as whole values, where
 * NULL fields are equal to each other and sort after the rest (record_eq,
 * record_lt).
 * @module
 */
import { catalogOf } from "../pg_catalog/functions.ts";
import type { Expr, SelectStatement } from "pgsql-ast-parser";
import { DbError } from "../../common/errors.ts";
import { recordOf, type SqlType, type as scalar } from "../../common/types.ts";
import type { BoundExpr, PlanNode } from "../../exec/plan.ts";
import { type BindEnv, bindExpr, coerceTo } from "./bind_expr.ts";
import { compareOp } from "./bind_binary.ts";
import type { Scope } from "./scope.ts";

const boolT = scalar("bool");

/** The items of a row constructor: `ROW(...)` (any arity) or a parenthesized list of two or more. */
export function rowItems(e: Expr): readonly Expr[] | null {
  if (e.type === "list" && e.expressions.length >= 2) return e.expressions;
  if (e.type !== "call" || e.over || e.function.name.toLowerCase() !== "row") return null;
  const schema = e.function.schema;
  return schema === undefined || schema === "pg_catalog" ? e.args : null;
}

/**
 * Binds a row constructor; unknown literals become text, or the field type of
 * `expected` when it is a record with fields.
 */
export function bindRow(items: readonly Expr[], env: BindEnv, expected?: SqlType): BoundExpr {
  const bound = items.flatMap((x, i) => bindItem(x, env, expected?.fields?.[i]?.type)).map(
    (b, i) => {
      const want = expected?.fields?.[i]?.type;
      if (want) return coerceTo(b, want);
      return b.type.id === "unknown" ? coerceTo(b, scalar("text")) : b;
    },
  );
  const type = recordOf(bound.map((b, i) => ({ name: `f${i + 1}`, type: b.type })));
  return { kind: "array", items: bound, type };
}

/** Binds one constructor item; `t.*` stands for t's columns, as in `ROW(t.*, 1)`. */
function bindItem(x: Expr, env: BindEnv, want: SqlType | undefined): BoundExpr[] {
  if (x.type !== "ref" || x.name !== "*" || !x.table) return [bindExpr(x, env, want)];
  const whole = bindWholeRow(x.table.name, env);
  const row = whole?.kind === "case" ? whole.otherwise : whole;
  if (row?.kind !== "array") {
    throw new DbError("42P01", `missing FROM-clause entry for table "${x.table.name}"`);
  }
  return [...row.items];
}

/**
 * The whole row of FROM item `table` as a record of its visible columns, or
 * null when no FROM item has that name. On the NULL-filled side of an outer
 * join the row is NULL when all its columns are.
 * @throws {DbError} 42803 a whole row of the grouped level outside an aggregate
 */
export function bindWholeRow(table: string, env: BindEnv): BoundExpr | null {
  let depth = 0;
  for (let s: Scope | null = env.agg?.inputScope ?? env.scope; s; s = s.parent, depth++) {
    if (!s.hasTable(table)) continue;
    if (env.agg && depth === 0) {
      throw new DbError(
        "42803",
        `column "${table}" must appear in the GROUP BY clause or be used in an aggregate function`,
      );
    }
    if (depth > 0) s.innerRefs++;
    const items: BoundExpr[] = [];
    const fields: { name: string; type: SqlType }[] = [];
    const oids = new Set<number>();
    s.columns.forEach((c, index) => {
      if (c.table !== table || (c.hidden && !mergedColumn(c.name))) return;
      items.push({ kind: "column", depth, index, type: c.type });
      fields.push({ name: c.name, type: c.type });
      oids.add(c.tableOid);
    });
    const composite = oids.size === 1 ? rowTypeOf(env, [...oids][0]!, fields.length) : null;
    const type = composite ? { ...recordOf(fields), composite } : recordOf(fields);
    const row: BoundExpr = { kind: "array", items, type };
    if (!s.nullableTables.has(table)) return row;
    const absent: BoundExpr = {
      kind: "and",
      args: items.map((arg) => ({ kind: "is_null", arg, negate: false, type: boolT })),
      type: boolT,
    };
    const none: BoundExpr = { kind: "const", value: null, type: row.type };
    return {
      kind: "case",
      operand: null,
      whens: [{ when: absent, then: none }],
      otherwise: row,
      type: row.type,
    };
  }
  return null;
}

/**
 * The row type of table `oid` when a whole row of `width` columns is all of
 * it (a table's row type has its own OID, as PostgreSQL reports on the wire).
 */
function rowTypeOf(env: BindEnv, oid: number, width: number): SqlType["composite"] | null {
  const rel = catalogOf(env.ctx)?.relations.get(oid);
  if (!rel || rel.rowTypeOid === undefined) return null;
  if (rel.columns.filter((c) => !c.dropped).length !== width) return null;
  return { oid: rel.rowTypeOid, name: rel.name };
}

/**
 * True for a hidden column that still belongs to its row: one merged away by
 * USING or NATURAL (not ctid, not a dropped column).
 */
export function mergedColumn(name: string): boolean {
  return name !== "ctid" && !name.startsWith("........pg.dropped.");
}

/**
 * `ROW(a, b) op ROW(c, d)` for two constructors: `=` is the AND of the
 * field comparisons, `<>` their OR, and `<`, `<=`, `>`, `>=` decide on the
 * first pair that is not equal (NULL when that pair has a NULL).
 * @throws {DbError} 42601 rows of different lengths, 42883 no operator for a field pair
 */
export function bindRowCompare(
  op: string,
  left: readonly Expr[],
  right: readonly Expr[],
  env: BindEnv,
): BoundExpr {
  if (left.length !== right.length) {
    throw new DbError("42601", "unequal number of entries in row expressions");
  }
  if (left.length === 0) throw new DbError("0A000", "cannot compare rows of zero length");
  return comparePairs(op, left.map((l, i) => bindPair(l, right[i]!, env)));
}

/**
 * `ROW(a, b) op (SELECT x, y ...)`: the subquery (at most one row, as a
 * record `sub`) compared field by field like two constructors.
 * @throws {DbError} 42601 when the subquery's width differs from the row's
 */
export function bindRowCompareRecord(
  op: string,
  left: readonly Expr[],
  sub: BoundExpr,
  env: BindEnv,
): BoundExpr {
  const fields = sub.type.fields ?? [];
  if (fields.length !== left.length) {
    throw new DbError("42601", "unequal number of entries in row expressions");
  }
  const pairs = fields.map((f, i): [BoundExpr, BoundExpr] => {
    const at: BoundExpr = { kind: "const", value: i + 1, type: scalar("int4") };
    const r: BoundExpr = { kind: "call", fn: "array_index", args: [sub, at], type: f.type };
    return [bindExpr(left[i]!, env, f.type), r];
  });
  return comparePairs(op, pairs);
}

function comparePairs(op: string, pairs: readonly [BoundExpr, BoundExpr][]): BoundExpr {
  const cmp = (o: string, i: number) => compareOp(o, pairs[i]![0], pairs[i]![1]);
  if (op === "=") return andOr("and", pairs.map((_, i) => cmp("=", i)));
  if (op === "<>") return andOr("or", pairs.map((_, i) => cmp("<>", i)));
  if (!["<", "<=", ">", ">="].includes(op)) {
    throw new DbError("42883", `operator ${op} is not supported for row expressions`);
  }
  // a1 < b1 OR (a1 = b1 AND (a2 < b2 OR (a2 = b2 AND a3 <= b3))): the last pair takes op.
  const strict = op.slice(0, 1);
  let acc = cmp(op, pairs.length - 1);
  for (let i = pairs.length - 2; i >= 0; i--) {
    acc = andOr("or", [cmp(strict, i), andOr("and", [cmp("=", i), acc])]);
  }
  return acc;
}

/** Binds two operands, giving an unknown literal the other side's type. */
function bindPair(l: Expr, r: Expr, env: BindEnv): [BoundExpr, BoundExpr] {
  const l0 = bindExpr(l, env);
  const r0 = bindExpr(r, env, l0.type.id === "unknown" ? undefined : l0.type);
  const l1 = l0.type.id === "unknown" && r0.type.id !== "unknown" ? bindExpr(l, env, r0.type) : l0;
  return [l1, r0];
}

function andOr(kind: "and" | "or", args: BoundExpr[]): BoundExpr {
  if (args.length === 1) return args[0]!;
  const flat = args.flatMap((a) => a.kind === kind ? a.args : [a]);
  return { kind, args: flat, type: boolT };
}

/**
 * `(a, b) [NOT] IN ((1, 'x'), (2, 'y'))`: the OR of row equalities (a single
 * parenthesized row on the right is one row, not a list of scalars).
 */
export function bindRowInList(
  left: readonly Expr[],
  right: Expr,
  negate: boolean,
  env: BindEnv,
): BoundExpr {
  const list = right.type === "list" ? right.expressions : [right];
  const rows = list.every((x) => rowItems(x) !== null) ? list.map((x) => rowItems(x)!) : [list];
  const any = andOr("or", rows.map((r) => bindRowCompare("=", left, r, env)));
  return negate ? { kind: "not", arg: any, type: boolT } : any;
}

/**
 * `(a, b) [NOT] IN (SELECT x, y ...)`: the subquery's columns become one
 * record per row, compared with the left row as a record.
 * @throws {DbError} 42601 when the subquery's width differs from the row's
 */
export function bindRowInQuery(
  left: readonly Expr[],
  sub: { plan: PlanNode; types: SqlType[] },
  env: BindEnv,
): { arg: BoundExpr; plan: PlanNode } {
  if (sub.types.length !== left.length) {
    throw new DbError(
      "42601",
      `subquery has too ${sub.types.length > left.length ? "many" : "few"} columns`,
    );
  }
  const { plan, type } = recordRows(sub);
  return { arg: bindRow(left, env, type), plan };
}

/** A subquery's plan turned into one record column per row, and the record's type. */
export function recordRows(sub: { plan: PlanNode; types: SqlType[] }): {
  plan: PlanNode;
  type: SqlType;
} {
  const type = recordOf(sub.types.map((t, i) => ({ name: `f${i + 1}`, type: t })));
  const items: BoundExpr[] = sub.types.map((t, index) => ({
    kind: "column",
    depth: 0,
    index,
    type: t,
  }));
  return {
    plan: { kind: "project", input: sub.plan, exprs: [{ kind: "array", items, type }] },
    type,
  };
}

/**
 * `(x).field` (arrives as `__field(x, 'field')`): a column of FROM item `x`,
 * or the field of a record value.
 * @throws {DbError} 42703 no such field, 42809 not a record
 */
export function bindFieldSelect(args: readonly Expr[], env: BindEnv): BoundExpr {
  const [inner, field] = args;
  if (inner === undefined || field?.type !== "string") {
    throw new DbError("42601", "field selection needs a field name");
  }
  const name = field.value;
  if (inner.type === "ref" && inner.table === undefined && inner.name !== "*") {
    // `(t).a` where t is a FROM item (and not a column) is the column t.a.
    const scope = env.agg?.inputScope ?? env.scope;
    if (!hasColumn(scope, inner.name) && hasTable(scope, inner.name)) {
      return bindExpr({ type: "ref", table: { name: inner.name }, name }, env);
    }
  }
  const rec = bindExpr(inner, env);
  if (rec.type.id !== "record") {
    throw new DbError(
      "42809",
      `column notation .${name} applied to type ${rec.type.id}, which is not a composite type`,
    );
  }
  const at = rec.type.fields?.findIndex((f) => f.name === name) ?? -1;
  const f = rec.type.fields?.[at];
  if (!f) throw new DbError("42703", `could not identify column "${name}" in record data type`);
  const index: BoundExpr = { kind: "const", value: at + 1, type: scalar("int4") };
  return { kind: "call", fn: "array_index", args: [rec, index], type: f.type };
}

function hasColumn(scope: Scope, name: string): boolean {
  for (let s: Scope | null = scope; s; s = s.parent) {
    if (s.columns.some((c) => c.name === name && !c.hidden)) return true;
  }
  return false;
}

function hasTable(scope: Scope, name: string): boolean {
  for (let s: Scope | null = scope; s; s = s.parent) if (s.hasTable(name)) return true;
  return false;
}

/** True for the statement kinds a subquery operand can be. */
export function isQueryExpr(e: Expr): e is SelectStatement & Expr {
  // A subquery with INTERSECT / EXCEPT is the frontend's set-operation tree.
  if ((e as { kind?: unknown }).kind === "ext.set_operation") return true;
  return ["select", "union", "union all", "values", "with", "with recursive"].includes(e.type);
}
