/**
 * Runs ordered-set aggregates (`fn(direct) WITHIN GROUP (ORDER BY x)`) over a
 * group's rows: FILTER, then the WITHIN GROUP sort, then the pure functions
 * of `functions/ordered_set.ts`.
 * @module
 */
import type { Value } from "../common/types.ts";
import type { ExecContext } from "./context.ts";
import type { AggSpec } from "./plan.ts";
import { compile, truthy } from "./scalar.ts";
import { compareForSort, sortRows } from "./run_select.ts";
import { compareValues } from "./values.ts";
import { hypothetical, modeOf, percentile } from "./functions/ordered_set.ts";

/** Computes one ordered-set aggregate (`spec.withinGroup` set) over a group's rows. */
export function computeOrderedSet(spec: AggSpec, rows: Value[][], ctx: ExecContext): Value {
  const nDirect = spec.withinGroup ?? 0;
  // Direct arguments are evaluated once per group (they may only use grouped columns).
  const first = rows[0] ?? [];
  const direct = spec.args.slice(0, nDirect).map((a) => compile(a)(first, ctx));
  const value = compile(spec.args[nDirect]!);
  const filter = spec.filter ? compile(spec.filter) : null;
  const input = filter ? rows.filter((r) => truthy(filter(r, ctx))) : rows;
  const sorted = sortRows(input, spec.orderBy, ctx).map((r) => value(r, ctx));
  const key = spec.orderBy[0]!;
  switch (spec.fn) {
    case "percentile_cont":
    case "percentile_disc":
      return percentile(
        spec.fn === "percentile_cont" ? "cont" : "disc",
        sorted.filter((v) => v !== null),
        direct[0] ?? null,
      );
    case "mode":
      return modeOf(sorted.filter((v) => v !== null), (a, b) => compareValues(a, b) === 0);
    default:
      return hypothetical(
        spec.fn,
        sorted,
        direct[0] ?? null,
        (a, b) => compareForSort(a, b, key.descending, key.nullsFirst),
      );
  }
}
