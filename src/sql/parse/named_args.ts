/**
 * Named function arguments (`make_interval(days => 3)`, `f(a := 1)`): the
 * rewrite wraps each as `__thunder_named_arg('name', value)`, and this module
 * puts the values in their parameters' positions, filling skipped parameters
 * with their defaults, as PostgreSQL's function resolution does. Only the
 * built-in functions whose parameters PostgreSQL names are known here.
 * @module
 */
import type { Expr, ExprCall } from "pgsql-ast-parser";
import { DbError } from "../../common/errors.ts";

/** Function name that marks a named argument in the grammar's text. */
export const NAMED_ARG_MARKER = "__thunder_named_arg";

interface Signature {
  readonly names: readonly string[];
  /** Defaults of the last parameters, in order. */
  readonly defaults: readonly Expr[];
}

const int = (value: number): Expr => ({ type: "integer", value });
const bool = (value: boolean): Expr => ({ type: "boolean", value });
const emptyJsonb: Expr = {
  type: "cast",
  operand: { type: "string", value: "{}" },
  to: { name: "jsonb" },
};
const jsonPath: Signature = {
  names: ["target", "path", "vars", "silent"],
  defaults: [emptyJsonb, bool(false)],
};

/** PostgreSQL 15's parameter names (pg_proc.proargnames) and defaults. */
const signatures: ReadonlyMap<string, Signature> = new Map<string, Signature>([
  ["make_interval", {
    names: ["years", "months", "weeks", "days", "hours", "mins", "secs"],
    defaults: [int(0), int(0), int(0), int(0), int(0), int(0), int(0)],
  }],
  ["make_date", { names: ["year", "month", "day"], defaults: [] }],
  ["make_time", { names: ["hour", "min", "sec"], defaults: [] }],
  ["make_timestamp", { names: ["year", "month", "mday", "hour", "min", "sec"], defaults: [] }],
  ["make_timestamptz", {
    names: ["year", "month", "mday", "hour", "min", "sec", "timezone"],
    defaults: [],
  }],
  ["jsonb_set", {
    names: ["jsonb_in", "path", "replacement", "create_if_missing"],
    defaults: [bool(true)],
  }],
  ["jsonb_insert", {
    names: ["jsonb_in", "path", "replacement", "insert_after"],
    defaults: [bool(false)],
  }],
  ["jsonb_path_exists", jsonPath],
  ["jsonb_path_match", jsonPath],
  ["jsonb_path_query", jsonPath],
  ["jsonb_path_query_array", jsonPath],
  ["jsonb_path_query_first", jsonPath],
  ["parse_ident", { names: ["str", "strict"], defaults: [bool(true)] }],
]);

function namedArg(e: Expr): { name: string; value: Expr } | null {
  if (e.type !== "call" || e.function.name !== NAMED_ARG_MARKER) return null;
  const [name, value] = e.args;
  return name?.type === "string" && value !== undefined ? { name: name.value, value } : null;
}

function noFunction(call: ExprCall): DbError {
  return new DbError("42883", `function ${call.function.name}(...) does not exist`);
}

/**
 * The call with its named arguments in their positions; the call itself when it has none.
 * @throws {DbError} 42601 a positional argument after a named one or a name used twice,
 *   42883 a name the function lacks or a parameter without value
 */
export function positionalCall(call: ExprCall): ExprCall {
  const named = call.args.map(namedArg);
  const first = named.findIndex((n) => n !== null);
  if (first < 0) return call;
  if (named.slice(first).some((n) => n === null)) {
    throw new DbError("42601", "positional argument cannot follow named argument");
  }
  const sig = signatures.get(call.function.name.toLowerCase());
  if (!sig || (call.function.schema !== undefined && call.function.schema !== "pg_catalog")) {
    throw noFunction(call);
  }
  const slots: (Expr | undefined)[] = call.args.slice(0, first);
  for (const n of named.slice(first)) {
    const at = sig.names.indexOf(n!.name);
    if (at < 0) throw noFunction(call);
    if (slots[at] !== undefined) {
      throw new DbError("42601", `argument name "${n!.name}" used more than once`);
    }
    slots[at] = n!.value;
  }
  const firstDefault = sig.names.length - sig.defaults.length;
  const args: Expr[] = [];
  for (let i = 0; i < slots.length; i++) {
    const value = slots[i] ?? (i >= firstDefault ? sig.defaults[i - firstDefault] : undefined);
    if (value === undefined) throw noFunction(call);
    args.push(value);
  }
  return { ...call, args };
}
