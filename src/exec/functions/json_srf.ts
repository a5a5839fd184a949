/**
 * jsonb set-returning functions: `jsonb_each`, `jsonb_each_text`,
 * `jsonb_array_elements`, `jsonb_array_elements_text`, `jsonb_object_keys`,
 * with PostgreSQL's output columns and 22023 errors on the wrong kind of
 * value; the json ones are in `json_text_srf.ts`.
 * @module
 */
import { DbError } from "../../common/errors.ts";
import {
  compareJsonKeys,
  formatJsonData,
  isJsonObject,
  type JsonData,
  type JsonObject,
} from "../../common/jsonb.ts";
import { jsonTextSetRows } from "./json_text_srf.ts";
import { Jsonb, type SqlType, type as scalar, type Value } from "../../common/types.ts";

const jsonbT = scalar("jsonb");
const textT = scalar("text");
const jsonT = scalar("json");

/** Output columns (name and type) of each json / jsonb set-returning function. */
export const JSON_SRF_COLUMNS: ReadonlyMap<string, readonly { name: string; type: SqlType }[]> =
  new Map([
    ["jsonb_each", [{ name: "key", type: textT }, { name: "value", type: jsonbT }]],
    ["jsonb_each_text", [{ name: "key", type: textT }, { name: "value", type: textT }]],
    ["jsonb_array_elements", [{ name: "value", type: jsonbT }]],
    ["jsonb_array_elements_text", [{ name: "value", type: textT }]],
    ["jsonb_object_keys", [{ name: "jsonb_object_keys", type: textT }]],
    ["json_each", [{ name: "key", type: textT }, { name: "value", type: jsonT }]],
    ["json_each_text", [{ name: "key", type: textT }, { name: "value", type: textT }]],
    ["json_array_elements", [{ name: "value", type: jsonT }]],
    ["json_array_elements_text", [{ name: "value", type: textT }]],
    ["json_object_keys", [{ name: "json_object_keys", type: textT }]],
  ]);

/** A JSON value as `->>` shows it: strings unquoted, JSON null as SQL NULL. */
function asText(d: JsonData): Value {
  if (d === null) return null;
  return typeof d === "string" ? d : formatJsonData(d);
}

function kindOf(d: JsonData): string {
  return Array.isArray(d) ? "an array" : isJsonObject(d) ? "an object" : "a scalar";
}

function entries(fn: string, d: JsonData): [string, JsonData][] {
  if (!isJsonObject(d)) {
    const what = fn === "jsonb_object_keys" ? kindOf(d) : "a non-object";
    throw new DbError("22023", `cannot call ${fn} on ${what}`);
  }
  const o = d as JsonObject;
  return Object.keys(o).sort(compareJsonKeys).map((k) => [k, o[k]!]);
}

/**
 * Rows of a jsonb set-returning function for one argument value.
 * @returns null when `fn` is not one of them
 * @throws {DbError} 22023 on an argument of the wrong kind
 */
export function jsonSetRows(fn: string, arg: Value): Value[][] | null {
  if (!JSON_SRF_COLUMNS.has(fn)) return null;
  if (!fn.startsWith("jsonb_")) return jsonTextSetRows(fn, arg);
  if (arg === null) return [];
  const d = (arg instanceof Jsonb ? arg.value : arg) as JsonData;
  switch (fn) {
    case "jsonb_each":
      return entries(fn, d).map(([k, v]) => [k, new Jsonb(v)]);
    case "jsonb_each_text":
      return entries(fn, d).map(([k, v]) => [k, asText(v)]);
    case "jsonb_object_keys":
      return entries(fn, d).map(([k]) => [k]);
  }
  if (!Array.isArray(d)) {
    throw new DbError("22023", `cannot extract elements from ${kindOf(d)}`);
  }
  return fn === "jsonb_array_elements" ? d.map((v) => [new Jsonb(v)]) : d.map((v) => [asText(v)]);
}
