/**
 * Compiles EXTRACT(field FROM x) and date_part over a compiled source.
 * @module
 */

import { DbError } from "../../common/errors.ts";
import { type } from "../../common/types.ts";
import { numericToNumber } from "../../common/numeric.ts";
import { formatTypeName } from "../../common/value_text.ts";
import { extractField, infiniteField } from "../functions/extract.ts";
import { type Node, tryFold } from "./node.ts";
import type { Compiler } from "./compiler.ts";

/** Compiles EXTRACT (numeric result) or date_part (float8 result) over a compiled source. */
export function datePartNode(
  c: Compiler,
  field: string,
  source: Node,
  numericResult: boolean,
): Node {
  let src = source;
  if (src.type.id === "unknown") src = c.coerce(src, type("timestamptz"));
  const t = src.type;
  if (!["date", "timestamp", "timestamptz", "time", "interval"].includes(t.id)) {
    throw new DbError(
      "42883",
      `function pg_catalog.extract(unknown, ${formatTypeName(t)}) does not exist`,
    );
  }
  const node: Node = {
    type: type(numericResult ? "numeric" : "float8"),
    eval: (row, ctx) => {
      const v = src.eval(row, ctx);
      if (v === null) return null;
      const infinite = numericResult ? undefined : infiniteField(field, v, t, true);
      if (infinite !== undefined) return infinite;
      const n = extractField(field, v, t, ctx.session.timeZone);
      return n === null || numericResult ? n : numericToNumber(n);
    },
  };
  return src.isConst && t.id !== "timestamptz" ? tryFold(node) : node;
}
