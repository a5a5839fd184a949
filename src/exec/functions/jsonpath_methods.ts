/**
 * jsonpath item methods: .type(), .size(), .double(), .abs(), .floor(),
 * .ceiling() and .keyvalue(), with PostgreSQL 15's results and errors.
 * @module
 */
import { DbError } from "../../common/errors.ts";
import { Numeric } from "../../common/types.ts";
import {
  numericAbs,
  numericCeil,
  numericFloor,
  numericFromBigInt,
  numericFromNumber,
  numericToNumber,
} from "../../common/numeric.ts";
import { isJsonObject, type JsonData, makeObject } from "../../common/jsonb.ts";
import { jsonTypeof } from "./json_ops.ts";

/**
 * Applies item method `.name()` to one item. Lax mode (`strict` false)
 * applies it to each element of an array (except .type() and .size());
 * `structural` reports the errors lax mode ignores.
 * @throws {DbError} 22038 for a non-numeric item where a number is needed
 */
export function itemMethod(
  name: string,
  item: JsonData,
  strict: boolean,
  structural: (code: string, message: string) => JsonData[],
): JsonData[] {
  if (name === "type") return [jsonTypeof(item)];
  if (name === "size") {
    if (Array.isArray(item)) return [numericFromBigInt(item.length)];
    if (!strict) return [numericFromBigInt(1)];
    return structural("22039", "jsonpath item method .size() can only be applied to an array");
  }
  if (Array.isArray(item) && !strict) {
    return item.flatMap((e) => itemMethod(name, e, strict, structural));
  }
  switch (name) {
    case "keyvalue":
      if (!isJsonObject(item)) {
        return structural(
          "2203C",
          "jsonpath item method .keyvalue() can only be applied to an object",
        );
      }
      return Object.keys(item).map((k) =>
        makeObject([["id", numericFromBigInt(0)], ["key", k], ["value", item[k]!]])
      );
    case "double":
      return [toDouble(item)];
    default: {
      if (!(item instanceof Numeric)) {
        throw new DbError(
          "22038",
          `jsonpath item method .${name}() can only be applied to a numeric value`,
        );
      }
      if (name === "abs") return [numericAbs(item)];
      return [name === "floor" ? numericFloor(item) : numericCeil(item)];
    }
  }
}

function toDouble(item: JsonData): JsonData {
  let x: number;
  if (item instanceof Numeric) x = numericToNumber(item);
  else if (typeof item === "string") {
    const t = item.trim();
    x = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t) ? Number(t) : NaN;
    if (Number.isNaN(x)) {
      throw new DbError(
        "22038",
        "string argument of jsonpath item method .double() is not a valid representation of a double precision number",
      );
    }
  } else {
    throw new DbError(
      "22038",
      "jsonpath item method .double() can only be applied to a string or numeric value",
    );
  }
  if (!Number.isFinite(x)) {
    throw new DbError(
      "22038",
      "numeric argument of jsonpath item method .double() is an infinite value",
    );
  }
  return numericFromNumber(x);
}
