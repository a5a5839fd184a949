/**
 * Enum support functions: enum_first, enum_last and enum_range (one or two
 * bounds). They read the labels from the argument's type, so the argument's
 * value matters only as a bound.
 * @module
 */
import { DbError } from "../../common/errors.ts";
import { arrayOf, type SqlType, type Value } from "../../common/types.ts";
import { formatTypeName } from "../../common/value_text.ts";
import { defineFunction } from "./registry.ts";

function labelsOf(t: SqlType | undefined, fn: string): readonly string[] {
  if (t?.id !== "enum" || !t.enumType) {
    throw new DbError(
      "42883",
      `function ${fn}(${t ? formatTypeName(t) : "unknown"}) does not exist`,
    );
  }
  return t.enumType.labels;
}

const first = (types: readonly SqlType[]): SqlType => types[0]!;

defineFunction("enum_first", {
  args: ["any"],
  ret: first,
  strict: false,
  impl: (_a, _c, types) => labelsOf(types[0], "enum_first")[0] ?? null,
});
defineFunction("enum_last", {
  args: ["any"],
  ret: first,
  strict: false,
  impl: (_a, _c, types) => labelsOf(types[0], "enum_last").at(-1) ?? null,
});
defineFunction("enum_range", {
  args: ["any"],
  ret: (types) => arrayOf(first(types)),
  strict: false,
  impl: (_a, _c, types) => labelsOf(types[0], "enum_range").slice(),
});
defineFunction("enum_range", {
  args: ["any", "any"],
  ret: (types) => arrayOf(first(types)),
  strict: false,
  impl: (a, _c, types) => {
    const labels = labelsOf(types[0], "enum_range");
    const lo = a[0] === null || a[0] === undefined ? 0 : labels.indexOf(a[0] as string);
    const hi = a[1] === null || a[1] === undefined
      ? labels.length - 1
      : labels.indexOf(a[1] as string);
    const out: Value[] = labels.slice(lo, hi + 1);
    return out;
  },
});
