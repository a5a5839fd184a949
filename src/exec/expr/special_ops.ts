/**
 * Operators on jsonb, arrays and time zones: containment (`@> <@ &&`), key
 * existence (`? ?| ?&`), path access (`#> #>>`) and AT TIME ZONE.
 * @module
 */

import { arrayOf, Jsonb, Numeric, type, type Value } from "../../common/types.ts";
import { formatJsonData } from "../../common/jsonb.ts";
import { localToUtc, utcToLocal } from "../../common/datetime.ts";
import type { Node } from "./node.ts";
import { pairType } from "../functions/type_rules.ts";
import { noOperator } from "./operators.ts";
import type { Compiler } from "./compiler.ts";
import { strictBinary } from "./compile_ops.ts";
import {
  jsonbContains,
  jsonbHasKey,
  jsonDataOf,
  jsonGetPath,
  jsonText,
} from "../functions/json_ops.ts";

/** Compiles a jsonb/array operator, or returns undefined when `op` is not one. */
export function jsonOperator(c: Compiler, op: string, l: Node, r: Node): Node | undefined {
  const isJson = l.type.id === "jsonb" || l.type.id === "json";
  if (!isJson && !(op === "@>" || op === "<@")) return undefined;
  const jb = type("jsonb");
  switch (op) {
    case "@>":
    case "<@": {
      if (l.type.id === "array" || r.type.id === "array") return arrayContainment(c, op, l, r);
      const a = c.coerce(l, jb);
      const b = c.coerce(r, jb);
      return strictBinary(
        a,
        b,
        type("bool"),
        (x, y) =>
          op === "@>"
            ? jsonbContains(x as Jsonb, y as Jsonb)
            : jsonbContains(y as Jsonb, x as Jsonb),
      );
    }
    case "?":
      return strictBinary(
        c.coerce(l, jb),
        c.coerce(r, type("text")),
        type("bool"),
        (x, y) => jsonbHasKey(x as Jsonb, y as string),
      );
    case "?|":
    case "?&": {
      const keys = c.coerce(r, arrayOf(type("text")));
      return strictBinary(c.coerce(l, jb), keys, type("bool"), (x, y) => {
        const list = (y as Value[]).filter((k) => k !== null) as string[];
        return op === "?|"
          ? list.some((k) => jsonbHasKey(x as Jsonb, k))
          : list.every((k) => jsonbHasKey(x as Jsonb, k));
      });
    }
    case "#>":
    case "#>>": {
      const path = c.coerce(r, arrayOf(type("text")));
      const asText = op === "#>>";
      const jsonIn = l.type.id === "json";
      return strictBinary(l, path, asText ? type("text") : l.type, (x, y) => {
        const d = jsonGetPath(jsonDataOf(x), y as Value[]);
        if (asText) return jsonText(d);
        if (d === undefined) return null;
        return jsonIn ? formatJsonData(d) : new Jsonb(d);
      });
    }
  }
  return undefined;
}

function arrayContainment(c: Compiler, op: string, l: Node, r: Node): Node {
  const t = pairType(l.type, r.type);
  if (!t || t.id !== "array") throw noOperator(op, l.type, r.type);
  const a = c.coerce(l, t);
  const b = c.coerce(r, t);
  const contains = (x: Value[], y: Value[]): boolean =>
    y.every((v) => v !== null && x.some((w) => w !== null && compareEq(w, v)));
  return strictBinary(
    a,
    b,
    type("bool"),
    (x, y) =>
      op === "@>" ? contains(x as Value[], y as Value[]) : contains(y as Value[], x as Value[]),
  );
}

/** Loose element equality for array containment. */
export function compareEq(a: Value, b: Value): boolean {
  if (a instanceof Numeric && b instanceof Numeric) {
    return a.digits * 10n ** BigInt(b.scale) === b.digits * 10n ** BigInt(a.scale);
  }
  return a === b || String(a) === String(b);
}

/** Compiles `x AT TIME ZONE zone`. */
export function atTimeZone(c: Compiler, l: Node, r: Node): Node {
  const zone = c.coerce(r, type("text"));
  const v = l.type.id === "unknown" ? c.coerce(l, type("timestamptz")) : l;
  if (v.type.id === "timestamptz") {
    return strictBinary(v, zone, type("timestamp"), (a, z) => toLocal(a as bigint, z as string));
  }
  if (v.type.id === "timestamp" || v.type.id === "date") {
    const ts = c.coerce(v, type("timestamp"));
    return strictBinary(ts, zone, type("timestamptz"), (a, z) => toUtc(a as bigint, z as string));
  }
  throw noOperator("AT TIME ZONE", l.type, r.type);
}

function toLocal(ts: bigint, zone: string): bigint {
  return utcToLocal(ts, zone);
}
function toUtc(ts: bigint, zone: string): bigint {
  return localToUtc(ts, zone);
}
