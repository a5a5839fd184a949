/**
 * Whole-row references given to the JSON conversions: `row_to_json(t)`,
 * `to_json(t)` and `to_jsonb(t)` (or `t.*`) where `t` names a FROM item rather than a
 * column. The binder has no record type with field names, so the call is
 * rewritten to build the object from the item's visible columns by name.
 * @module
 */
import type { Expr, ExprCall } from "pgsql-ast-parser";
import type { Scope } from "./scope.ts";

/** Library function building the object for each conversion. */
const builders: Readonly<Record<string, string>> = {
  row_to_json: "__row_json",
  to_json: "__row_json",
  to_jsonb: "jsonb_build_object",
};

/** The rewritten call and the function it names. */
export interface WholeRowCall {
  readonly fn: string;
  readonly call: ExprCall;
}

/**
 * Rewrites `f(t)` to `builder('c1', t.c1, 'c2', t.c2, ...)` when `t` is a FROM
 * item visible in `scope` and no column is called `t` (a column wins, as in
 * PostgreSQL). Returns null when the call is not such a conversion.
 */
export function wholeRowJson(e: ExprCall, name: string, scope: Scope): WholeRowCall | null {
  const fn = builders[name];
  const arg = e.args[0];
  if (fn === undefined || e.args.length !== 1 || arg?.type !== "ref") return null;
  // `t` alone, or `t.*`, which PostgreSQL also reads as the whole row here.
  const star = arg.name === "*";
  if (star !== (arg.table !== undefined)) return null;
  const table = arg.table?.name ?? arg.name;
  for (let s: Scope | null = scope; s; s = s.parent) {
    if (!star && s.columns.some((c) => c.name === table && !c.hidden)) return null;
    if (!s.hasTable(table)) continue;
    const args: Expr[] = [];
    for (const c of s.columns) {
      if (c.table !== table || c.hidden) continue;
      args.push({ type: "string", value: c.name });
      args.push({ type: "ref", table: { name: table }, name: c.name });
    }
    return { fn, call: { type: "call", function: { name: fn }, args } };
  }
  return null;
}
