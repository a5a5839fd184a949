/**
 * SQL/JSON path functions: jsonb_path_exists, jsonb_path_match,
 * jsonb_path_query_array, jsonb_path_query_first (scalar, registered here),
 * jsonb_path_query (set-returning: `jsonPathRows`) and the `@?` / `@@`
 * operators' cores. The path is taken as text and parsed per call (parsed
 * paths are cached by text).
 * @module
 */
import { DbError } from "../../common/errors.ts";
import { Jsonb, type Value } from "../../common/types.ts";
import { isJsonObject, type JsonData, type JsonObject } from "../../common/jsonb.ts";
import { defineFunction } from "./registry.ts";
import { type JsonPath, parseJsonPath } from "./jsonpath_parse.ts";
import { evalJsonPath } from "./jsonpath_eval.ts";

const cache = new Map<string, JsonPath>();
const CACHE_MAX = 256;

/** Parses (or reuses) a jsonpath. @throws {DbError} 42601 */
export function jsonPathOf(text: string): JsonPath {
  let p = cache.get(text);
  if (p === undefined) {
    p = parseJsonPath(text);
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(text, p);
  }
  return p;
}

function varsOf(v: Value | undefined): JsonObject {
  if (v === undefined || v === null) return Object.create(null) as JsonObject;
  const d = (v as Jsonb).value as JsonData;
  if (!isJsonObject(d)) {
    const e = new DbError("22023", `"vars" argument is not an object`);
    e.detail = `Jsonpath parameters should be encoded as key-value pairs of "vars" object.`;
    throw e;
  }
  return d;
}

/**
 * The items a path yields, or null when `silent` and evaluation failed.
 * @throws {DbError} evaluation errors unless `silent`
 */
export function jsonPathItems(args: readonly Value[]): JsonData[] | null {
  const target = (args[0] as Jsonb).value as JsonData;
  const path = jsonPathOf(String(args[1]));
  const vars = varsOf(args[2]);
  const silent = args[3] === true;
  try {
    return evalJsonPath(path, target, vars);
  } catch (e) {
    if (silent && e instanceof DbError && e.sqlstate !== "42704") return null;
    throw e;
  }
}

/** Rows of `jsonb_path_query(target, path [, vars [, silent]])`. */
export function jsonPathRows(args: readonly Value[]): Value[][] {
  if (args[0] === null || args[1] === null || args[2] === null || args[3] === null) return [];
  return (jsonPathItems(args) ?? []).map((d) => [new Jsonb(d)]);
}

/** `jsonb_path_exists` (and `@?` with silent = true). */
export function jsonPathExists(args: readonly Value[]): Value {
  const items = jsonPathItems(args);
  return items === null ? null : items.length > 0;
}

/** `jsonb_path_match` (and `@@` with silent = true). */
export function jsonPathMatch(args: readonly Value[]): Value {
  const items = jsonPathItems(args);
  if (items !== null && items.length === 1) {
    const v = items[0];
    if (typeof v === "boolean") return v;
    if (v === null) return null;
  }
  if (args[3] === true) return null;
  throw new DbError("22038", "single boolean result is expected");
}

const sig = (ret: "jsonb" | "bool", impl: (a: readonly Value[]) => Value) => [
  { args: ["jsonb", "text"] as const, ret, impl },
  { args: ["jsonb", "text", "jsonb"] as const, ret, impl },
  { args: ["jsonb", "text", "jsonb", "bool"] as const, ret, impl },
];

defineFunction("jsonb_path_exists", ...sig("bool", jsonPathExists));
defineFunction("jsonb_path_match", ...sig("bool", jsonPathMatch));
defineFunction(
  "jsonb_path_query_array",
  ...sig("jsonb", (a) => new Jsonb(jsonPathItems(a) ?? [])),
);
defineFunction(
  "jsonb_path_query_first",
  ...sig("jsonb", (a) => {
    const first = jsonPathItems(a)?.[0];
    return first === undefined ? null : new Jsonb(first);
  }),
);
