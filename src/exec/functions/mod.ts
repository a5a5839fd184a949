/**
 * The SQL function library: registers every scalar function (string, math,
 * date/time, JSON, vector, misc) in the registry on import, and exports
 * resolution and the aggregate factory.
 * @module
 */

import "./string_fns.ts";
import "./format_fns.ts";
import "./math_fns.ts";
import "./datetime_fns.ts";
import "./make_fns.ts";
import "./date_bin.ts";
import "./overlaps.ts";
import "./extract.ts";
import "./to_char.ts";
import "./to_timestamp.ts";
import "./regex_fns.ts";
import "./json_fns.ts";
import "./vector_fns.ts";
import "./misc_fns.ts";
import "./enum_fns.ts";
import "./internal_fns.ts";
import "./array_text_fns.ts";
import "./jsonpath_fns.ts";
import "./tablesample.ts";

export { defineFunction, hasFunction, resolveFunction } from "./registry.ts";
export type { ArgSpec, FnImpl, FnOverload, ResolvedFn } from "./registry.ts";
export {
  type Aggregate,
  aggregateResultType,
  type AggState,
  createAggregate,
  isAggregateName,
  isWindowName,
  windowResultType,
} from "./aggregates.ts";
