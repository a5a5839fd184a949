/**
 * Set-returning functions of the function library beyond generate_series and
 * unnest: `regexp_split_to_table`, `regexp_matches` (one row per match) and
 * `generate_subscripts`, plus the json / jsonb ones (`json_srf.ts`). Each has
 * a signature (`SRF_SPECS`) the planner checks and coerces its arguments to.
 * @module
 */
import { arrayOf, type SqlType, type as scalar, type Value } from "../../common/types.ts";
import { compileRegex, regexFlags } from "./patterns.ts";
import { regexpMatches } from "./regex_fns.ts";
import { JSON_SRF_COLUMNS, jsonSetRows } from "./json_srf.ts";
import { jsonPathRows } from "./jsonpath_fns.ts";

/** Argument types (null: any array) and output columns of one set-returning function. */
export interface SrfSpec {
  readonly args: readonly (SqlType | null)[];
  /** How many trailing arguments may be left out. */
  readonly optional: number;
  readonly columns: readonly { readonly name: string; readonly type: SqlType }[];
}

const text = scalar("text");

function spec(name: string, args: (SqlType | null)[], optional: number, type: SqlType): SrfSpec {
  return { args, optional, columns: [{ name, type }] };
}

/** The set-returning functions of this module by name. */
export const SRF_SPECS: ReadonlyMap<string, SrfSpec> = new Map<string, SrfSpec>([
  ...[...JSON_SRF_COLUMNS].map(([name, columns]): [string, SrfSpec] => [name, {
    args: [scalar(name.startsWith("jsonb_") ? "jsonb" : "json")],
    optional: 0,
    columns,
  }]),
  ["regexp_split_to_table", spec("regexp_split_to_table", [text, text, text], 1, text)],
  ["regexp_matches", spec("regexp_matches", [text, text, text], 1, arrayOf(text))],
  ["generate_subscripts", spec("generate_subscripts", [null, scalar("int4")], 0, scalar("int4"))],
  [
    "jsonb_path_query",
    spec(
      "jsonb_path_query",
      [scalar("jsonb"), text, scalar("jsonb"), scalar("bool")],
      2,
      scalar("jsonb"),
    ),
  ],
]);

/** Length of dimension `dim` (1-based) of a possibly nested array, 0 when it has none. */
function dimLength(a: readonly Value[], dim: number): number {
  let cur: readonly Value[] | undefined = a;
  for (let d = 1; d < dim; d++) {
    const first: Value | undefined = cur?.[0];
    cur = Array.isArray(first) ? first as Value[] : undefined;
  }
  return cur?.length ?? 0;
}

/**
 * Rows of one of `SRF_SPECS` for its (coerced) argument values.
 * @returns null when `fn` is not one of them
 */
export function srfRows(fn: string, args: readonly Value[]): Value[][] | null {
  if (JSON_SRF_COLUMNS.has(fn)) return jsonSetRows(fn, args[0] ?? null);
  if (!SRF_SPECS.has(fn)) return null;
  if (fn === "jsonb_path_query") return jsonPathRows(args);
  if (args[0] === null || args[1] === null || args[2] === null) return [];
  switch (fn) {
    case "regexp_split_to_table": {
      const flags = regexFlags(String(args[2] ?? "")).flags;
      return String(args[0]).split(compileRegex(String(args[1]), flags)).map((s) => [s]);
    }
    case "regexp_matches":
      return regexpMatches(String(args[0]), String(args[1]), String(args[2] ?? "")).map((m) => [m]);
    case "generate_subscripts": {
      const n = dimLength(args[0] as Value[], args[1] as number);
      return Array.from({ length: n }, (_, i) => [i + 1]);
    }
  }
  return null;
}
