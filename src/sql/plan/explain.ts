/**
 * EXPLAIN output in PostgreSQL's text style, with actual rows and times for
 * EXPLAIN ANALYZE. Expressions show column names (qualified by the table alias
 * when the plan reads more than one relation), as PostgreSQL prints them.
 * @module
 */
import { assertNever } from "../../common/errors.ts";
import type { BoundExpr, PlanNode } from "../../exec/plan.ts";
import type { Catalog } from "../catalog/catalog.ts";
import { fusedAggShape } from "../../exec/agg_join_shape.ts";

/** Per-node actuals collected by EXPLAIN ANALYZE. */
export type NodeStats = ReadonlyMap<object, { rows: number; ms: number; loops: number }>;

/** Names of a node's output columns, used to print expressions over its rows. */
type Names = readonly string[];

function constText(v: unknown): string {
  if (v === null) return "NULL";
  if (typeof v === "string") return `'${v.replaceAll("'", "''")}'`;
  if (v instanceof Uint8Array) return "'\\x...'::bytea";
  if (typeof v === "object") return `'${JSON.stringify(v)}'`;
  return String(v);
}

/**
 * An expression as PostgreSQL prints it in plans and index definitions
 * (operators in parentheses: `(a + b)`, `lower(email)`).
 * @param names the names of the depth-0 columns
 */
export function exprText(e: BoundExpr, names: Names): string {
  const t = (x: BoundExpr) => exprText(x, names);
  switch (e.kind) {
    case "const":
      return constText(e.value);
    case "param":
      return `$${e.index + 1}`;
    case "column":
      return e.depth === 0
        ? (names[e.index] ?? `col${e.index + 1}`)
        : `(outer ref ${e.depth}.${e.index + 1})`;
    case "call": {
      // The binder names resolved library calls `fn:<name>` and `op:<operator>`.
      const fn = e.fn.replace(/^(fn|op):/, "");
      return e.args.length === 2 && /^[^a-z_]/.test(fn)
        ? `(${t(e.args[0]!)} ${fn} ${t(e.args[1]!)})`
        : `${fn}(${e.args.map(t).join(", ")})`;
    }
    case "and":
    case "or":
      return `(${e.args.map(t).join(` ${e.kind.toUpperCase()} `)})`;
    case "not":
      return `(NOT ${t(e.arg)})`;
    case "is_null":
      return `(${t(e.arg)} IS ${e.negate ? "NOT " : ""}NULL)`;
    case "is_bool":
      return `(${t(e.arg)} IS ${e.negate ? "NOT " : ""}${e.value ? "TRUE" : "FALSE"})`;
    case "case":
      return "CASE ... END";
    case "cast":
      return `(${t(e.arg)})::${e.type.id}`;
    case "in_list":
      return `(${t(e.arg)} ${e.negate ? "<> ALL" : "= ANY"} (...))`;
    case "subquery":
      return `(SubPlan ${e.mode})`;
    case "array":
      // Row values are built by the same node kind as arrays.
      return e.type.id === "record"
        ? `ROW(${e.items.map(t).join(", ")})`
        : `ARRAY[${e.items.map(t).join(", ")}]`;
    default:
      return assertNever(e, "expression");
  }
}

/** Strips the outer parentheses PostgreSQL omits in keys and targets. */
function bare(text: string): string {
  return text.startsWith("(") && text.endsWith(")") && !text.startsWith("(SubPlan")
    ? text.slice(1, -1)
    : text;
}

/** Catalog facts EXPLAIN needs, plus whether names are qualified. */
interface NameEnv {
  readonly catalog: Catalog | null;
  readonly qualify: boolean;
  /** Name the fused aggregate-over-join execution (plain EXPLAIN; ANALYZE runs row operators). */
  readonly fused: boolean;
}

function scanNames(n: { rel: number; alias: string; width: number; ctid: boolean }, env: NameEnv) {
  const cols = env.catalog?.relations.get(n.rel)?.columns;
  const out: string[] = [];
  for (let i = 0; i < n.width; i++) {
    const name = cols?.[i]?.name ?? `col${i + 1}`;
    out.push(env.qualify ? `${n.alias}.${name}` : name);
  }
  if (n.ctid) out.push(env.qualify ? `${n.alias}.ctid` : "ctid");
  return out;
}

/** The output column names of `n`. */
function outputNames(n: PlanNode, env: NameEnv): Names {
  switch (n.kind) {
    case "seq_scan":
    case "index_scan":
    case "index_range":
      return scanNames(n, env);
    case "values":
      return Array.from({ length: n.width }, (_, i) => `"*VALUES*".column${i + 1}`);
    case "project": {
      const input = outputNames(n.input, env);
      return n.exprs.map((e) => bare(exprText(e, input)));
    }
    case "join":
      return n.joinType === "semi" || n.joinType === "anti"
        ? outputNames(n.left, env)
        : [...outputNames(n.left, env), ...outputNames(n.right, env)];
    case "aggregate": {
      const input = outputNames(n.input, env);
      return [
        ...n.groups.map((g) => bare(exprText(g, input))),
        ...n.aggs.map((a) => `${a.fn}(${a.star ? "*" : a.args.map((x) => exprText(x, input))})`),
      ];
    }
    case "window": {
      const input = outputNames(n.input, env);
      return [...input, ...n.windows.map((w) => `${w.fn}() OVER (...)`)];
    }
    case "filter":
    case "sort":
    case "limit":
    case "distinct":
    case "with":
      return outputNames(n.input, env);
    case "set_op":
      return outputNames(n.left, env);
    case "cte_scan":
      return Array.from({ length: n.width }, (_, i) => `${n.name}.col${i + 1}`);
    case "function_scan":
      return Array.from(
        { length: n.width },
        (_, i) => n.width === 1 ? n.fn : `${n.fn}.col${i + 1}`,
      );
    case "insert":
    case "update":
    case "delete":
      return [];
    default:
      return assertNever(n, "plan node");
  }
}

/** How many relations the plan reads (names are qualified when more than one). */
function scanCount(n: PlanNode): number {
  switch (n.kind) {
    case "seq_scan":
    case "index_scan":
    case "index_range":
    case "cte_scan":
    case "function_scan":
    case "values":
      return 1;
    case "join":
    case "set_op":
      return scanCount(n.left) + scanCount(n.right);
    case "with":
      return n.ctes.reduce((s, c) => s + scanCount(c.plan), scanCount(n.input));
    case "insert":
    case "update":
    case "delete":
      return scanCount(n.source) + 1;
    default:
      return scanCount(n.input);
  }
}

/** Index key columns of an index scan, by name. */
function keyNames(n: { index: number; rel: number; alias: string }, env: NameEnv): string[] {
  const idx = env.catalog?.indexes.get(n.index);
  const cols = env.catalog?.relations.get(n.rel)?.columns;
  return (idx?.columns ?? []).map((c, k) => {
    const expr = idx?.expressions?.[k];
    if (expr) return expr.text;
    const name = cols?.[c]?.name ?? `col${c + 1}`;
    return env.qualify ? `${n.alias}.${name}` : name;
  });
}

/** `(a)` for one condition, `((a) AND (b))` for several, as PostgreSQL prints them. */
function conj(conds: readonly string[]): string {
  return conds.length === 1 ? `(${conds[0]})` : `(${conds.map((c) => `(${c})`).join(" AND ")})`;
}

function label(
  n: PlanNode,
  env: NameEnv,
): { title: string; details: string[]; children: PlanNode[] } {
  const inputNames = (x: PlanNode) => outputNames(x, env);
  switch (n.kind) {
    case "values":
      return {
        title: n.rows.length === 1 && n.width === 0 ? "Result" : "Values Scan",
        details: [],
        children: [],
      };
    case "seq_scan":
      return {
        title: `Seq Scan on ${n.table}${n.alias !== n.table ? " " + n.alias : ""}`,
        details: n.filter ? [`Filter: ${exprText(n.filter, scanNames(n, env))}`] : [],
        children: [],
      };
    case "index_scan": {
      const keys = keyNames(n, env);
      const own = scanNames(n, env);
      return {
        title: `Index Scan using ${n.indexName} on ${n.table}${
          n.alias !== n.table ? " " + n.alias : ""
        }`,
        details: [
          `Index Cond: ${conj(n.key.map((k, i) => `${keys[i] ?? "?"} = ${exprText(k, own)}`))}`,
          ...(n.filter ? [`Filter: ${exprText(n.filter, own)}`] : []),
        ],
        children: [],
      };
    }
    case "index_range": {
      const col = keyNames(n, env)[0] ?? "?";
      const own = scanNames(n, env);
      const cond: string[] = [];
      if (n.lo) cond.push(`${col} ${n.loInclusive ? ">=" : ">"} ${exprText(n.lo, own)}`);
      if (n.hi) cond.push(`${col} ${n.hiInclusive ? "<=" : "<"} ${exprText(n.hi, own)}`);
      return {
        title: `Index Scan using ${n.indexName} on ${n.table}${
          n.alias !== n.table ? " " + n.alias : ""
        }`,
        details: [
          `Index Cond: ${conj(cond)}`,
          ...(n.filter ? [`Filter: ${exprText(n.filter, own)}`] : []),
        ],
        children: [],
      };
    }
    case "filter":
      return {
        title: "Filter",
        details: [`Filter: ${exprText(n.predicate, inputNames(n.input))}`],
        children: [n.input],
      };
    case "project":
      return { title: "Result", details: [], children: [n.input] };
    case "join": {
      const kind = n.joinType === "inner" || n.joinType === "cross"
        ? ""
        : ` ${n.joinType[0]!.toUpperCase()}${n.joinType.slice(1)}`;
      const title = n.method === "hash"
        ? `Hash${kind} Join`
        : `Nested Loop${kind}${n.joinType === "inner" || n.joinType === "cross" ? "" : " Join"}`;
      const left = inputNames(n.left);
      const right = inputNames(n.right);
      const details = n.leftKeys.length
        ? [
          `Hash Cond: ${
            conj(
              n.leftKeys.map((k, i) =>
                `${bare(exprText(k, left))} = ${bare(exprText(n.rightKeys[i]!, right))}`
              ),
            )
          }`,
        ]
        : [];
      if (n.on) details.push(`Join Filter: ${exprText(n.on, [...left, ...right])}`);
      return { title, details, children: [n.left, n.right] };
    }
    case "aggregate":
      return {
        title: n.groups.length
          ? (n.groupingSets ? "MixedAggregate" : "HashAggregate")
          : "Aggregate",
        details: [
          ...(n.groups.length
            ? [
              `Group Key: ${
                n.groups.map((g) => bare(exprText(g, inputNames(n.input)))).join(", ")
              }`,
            ]
            : []),
          ...(env.fused ? fusedDetails(n, inputNames(n.input)) : []),
        ],
        children: [n.input],
      };
    case "window":
      return { title: "WindowAgg", details: [], children: [n.input] };
    case "sort":
      return {
        title: "Sort",
        details: [
          `Sort Key: ${
            n.keys.map((k) =>
              bare(exprText(k.expr, inputNames(n.input))) + (k.descending ? " DESC" : "")
            ).join(", ")
          }`,
        ],
        children: [n.input],
      };
    case "limit":
      return { title: "Limit", details: [], children: [n.input] };
    case "distinct":
      return { title: "Unique", details: [], children: [n.input] };
    case "set_op":
      return {
        title: n.op === "union"
          ? (n.all ? "Append" : "HashSetOp Union")
          : `HashSetOp ${n.op === "intersect" ? "Intersect" : "Except"}${n.all ? " All" : ""}`,
        details: [],
        children: [n.left, n.right],
      };
    case "cte_scan":
      return { title: `CTE Scan on ${n.name}`, details: [], children: [] };
    case "with":
      return { title: "CTE", details: [], children: [...n.ctes.map((c) => c.plan), n.input] };
    case "function_scan":
      return { title: `Function Scan on ${n.fn}`, details: [], children: [] };
    case "insert":
      return { title: `Insert on ${n.target.name}`, details: [], children: [n.source] };
    case "update":
      return { title: `Update on ${n.target.name}`, details: [], children: [n.source] };
    case "delete":
      return { title: `Delete on ${n.target.name}`, details: [], children: [n.source] };
    default:
      return assertNever(n, "plan node");
  }
}

/** How the executor runs an aggregate over hash joins without joined rows, when it does. */
function fusedDetails(n: Extract<PlanNode, { kind: "aggregate" }>, input: Names): string[] {
  const shape = fusedAggShape(n);
  if (!shape) return [];
  const j = n.input.kind === "join" ? firstJoin(n.input) : null;
  // The first join's probe key reads the probe input, whose columns lead the joined row.
  const key = j ? bare(exprText(j.leftKeys[0]!, input)) : "?";
  return [
    "Fused: the hash joins feed the aggregate directly",
    ...(shape.pushdown ? [`Partial Aggregate: by ${key}, below the joins`] : []),
  ];
}

function firstJoin(n: Extract<PlanNode, { kind: "join" }>): Extract<PlanNode, { kind: "join" }> {
  return n.left.kind === "join" ? firstJoin(n.left) : n;
}

/**
 * Renders a plan as EXPLAIN lines.
 * @param catalog names columns and index keys; without it they print as colN
 */
export function explainPlan(
  plan: PlanNode,
  stats: NodeStats | null,
  catalog: Catalog | null = null,
): string[] {
  const lines: string[] = [];
  const env: NameEnv = { catalog, qualify: scanCount(plan) > 1, fused: stats === null };
  const walk = (n: PlanNode, depth: number) => {
    const l = label(n, env);
    // Projections are folded into their child, as PostgreSQL shows them.
    if (n.kind === "project" && depth > 0) return walk(n.input, depth);
    const s = stats?.get(n);
    const actual = stats
      ? (s
        ? ` (actual time=${s.ms.toFixed(3)} rows=${
          Math.round(s.rows / Math.max(1, s.loops))
        } loops=${s.loops})`
        : " (never executed)")
      : "";
    const indent = depth === 0 ? "" : " ".repeat(depth * 6 - 4) + "->  ";
    lines.push(`${indent}${l.title}${actual}`);
    for (const d of l.details) lines.push(`${" ".repeat(depth === 0 ? 2 : depth * 6 + 2)}${d}`);
    if (n.kind === "join" && n.method === "hash") {
      // As in PostgreSQL: the probe side first, then the build side under a Hash node.
      const [probe, build] = n.buildLeft ? [n.right, n.left] : [n.left, n.right];
      walk(probe, depth + 1);
      lines.push(`${" ".repeat((depth + 1) * 6 - 4)}->  Hash`);
      walk(build, depth + 2);
      return;
    }
    for (const c of l.children) walk(c, depth + 1);
  };
  walk(plan.kind === "project" ? plan.input : plan, 0);
  return lines;
}
