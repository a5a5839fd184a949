/**
 * EXPLAIN output in PostgreSQL's text style, with actual rows and times for
 * EXPLAIN ANALYZE.
 * @module
 */
import { assertNever } from "../../common/errors.ts";
import type { BoundExpr, PlanNode } from "../../exec/plan.ts";

/** Per-node actuals collected by EXPLAIN ANALYZE. */
export type NodeStats = ReadonlyMap<object, { rows: number; ms: number; loops: number }>;

function exprText(e: BoundExpr): string {
  switch (e.kind) {
    case "const":
      return e.value === null
        ? "NULL"
        : typeof e.value === "string"
        ? `'${e.value}'`
        : String(e.value);
    case "param":
      return `$${e.index + 1}`;
    case "column":
      return e.depth === 0 ? `col${e.index + 1}` : `outer${e.depth}.col${e.index + 1}`;
    case "call":
      return e.args.length === 2 && /^[^a-z]/.test(e.fn)
        ? `(${exprText(e.args[0]!)} ${e.fn} ${exprText(e.args[1]!)})`
        : `${e.fn}(${e.args.map(exprText).join(", ")})`;
    case "and":
    case "or":
      return `(${e.args.map(exprText).join(` ${e.kind.toUpperCase()} `)})`;
    case "not":
      return `(NOT ${exprText(e.arg)})`;
    case "is_null":
      return `(${exprText(e.arg)} IS ${e.negate ? "NOT " : ""}NULL)`;
    case "is_bool":
      return `(${exprText(e.arg)} IS ${e.negate ? "NOT " : ""}${e.value ? "TRUE" : "FALSE"})`;
    case "case":
      return "CASE ... END";
    case "cast":
      return `(${exprText(e.arg)})::${e.type.id}`;
    case "in_list":
      return `(${exprText(e.arg)} ${e.negate ? "<> ALL" : "= ANY"} (...))`;
    case "subquery":
      return `(SubPlan ${e.mode})`;
    case "array":
      return `ARRAY[${e.items.map(exprText).join(", ")}]`;
    default:
      return assertNever(e, "expression");
  }
}

function label(n: PlanNode): { title: string; details: string[]; children: PlanNode[] } {
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
        details: n.filter ? [`Filter: ${exprText(n.filter)}`] : [],
        children: [],
      };
    case "index_scan":
      return {
        title: `Index Scan using ${n.indexName} on ${n.table}${
          n.alias !== n.table ? " " + n.alias : ""
        }`,
        details: [
          `Index Cond: (${n.key.map(exprText).join(", ")})`,
          ...(n.filter ? [`Filter: ${exprText(n.filter)}`] : []),
        ],
        children: [],
      };
    case "index_range": {
      const cond: string[] = [];
      if (n.lo) cond.push(`col ${n.loInclusive ? ">=" : ">"} ${exprText(n.lo)}`);
      if (n.hi) cond.push(`col ${n.hiInclusive ? "<=" : "<"} ${exprText(n.hi)}`);
      return {
        title: `Index Scan using ${n.indexName} on ${n.table}${
          n.alias !== n.table ? " " + n.alias : ""
        }`,
        details: [
          `Index Cond: (${cond.join(" AND ")})`,
          ...(n.filter ? [`Filter: ${exprText(n.filter)}`] : []),
        ],
        children: [],
      };
    }
    case "filter":
      return {
        title: "Filter",
        details: [`Filter: ${exprText(n.predicate)}`],
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
      const details = n.leftKeys.length
        ? [
          `Hash Cond: (${
            n.leftKeys.map((k, i) => `${exprText(k)} = ${exprText(n.rightKeys[i]!)}`).join(" AND ")
          })`,
        ]
        : [];
      if (n.on) details.push(`Join Filter: ${exprText(n.on)}`);
      return { title, details, children: [n.left, n.right] };
    }
    case "aggregate":
      return {
        title: n.groups.length
          ? (n.groupingSets ? "MixedAggregate" : "HashAggregate")
          : "Aggregate",
        details: n.groups.length ? [`Group Key: ${n.groups.map(exprText).join(", ")}`] : [],
        children: [n.input],
      };
    case "window":
      return { title: "WindowAgg", details: [], children: [n.input] };
    case "sort":
      return {
        title: "Sort",
        details: [
          `Sort Key: ${
            n.keys.map((k) => exprText(k.expr) + (k.descending ? " DESC" : "")).join(", ")
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

/** Renders a plan as EXPLAIN lines. */
export function explainPlan(plan: PlanNode, stats: NodeStats | null): string[] {
  const lines: string[] = [];
  const walk = (n: PlanNode, depth: number) => {
    const l = label(n);
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
