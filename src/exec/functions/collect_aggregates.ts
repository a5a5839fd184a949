/**
 * Aggregates that collect their inputs: string_agg, array_agg, json(b)_agg
 * and json(b)_object_agg.
 * @module
 */

import { DbError } from "../../common/errors.ts";
import { arrayOf, Jsonb, type SqlType, type, type Value } from "../../common/types.ts";
import { formatJsonData, type JsonData, makeObject } from "../../common/jsonb.ts";
import { formatValue } from "../../common/value_text.ts";
import { valueJsonText, valueToJson } from "./json_fns.ts";
import type { Aggregate } from "./aggregates.ts";

/** string_agg(text|bytea, delimiter): NULL values and their delimiters are skipped. */
export function stringAgg(t: SqlType): Aggregate {
  const bytes = t.id === "bytea";
  return {
    resultType: bytes ? type("bytea") : type("text"),
    init: () => ({ n: 0, acc: [] as Value[] }),
    step: (s, args) => {
      const v = args[0] ?? null;
      if (v === null) return;
      const parts = s.acc as Value[];
      if (s.n > 0) parts.push(args[1] ?? null);
      parts.push(v);
      s.n++;
    },
    final: (s) => {
      if (s.n === 0) return null;
      const parts = (s.acc as Value[]).filter((p) => p !== null);
      if (!bytes) return parts.join("");
      let total = 0;
      for (const p of parts) total += (p as Uint8Array).length;
      const out = new Uint8Array(total);
      let off = 0;
      for (const p of parts) {
        out.set(p as Uint8Array, off);
        off += (p as Uint8Array).length;
      }
      return out;
    },
  };
}

/** array_agg(value): keeps NULLs, as PostgreSQL does. */
export function arrayAgg(t: SqlType): Aggregate {
  const resultType = t.id === "array" ? t : arrayOf(t.id === "unknown" ? type("text") : t);
  return {
    resultType,
    init: () => ({ n: 0, acc: [] as Value[] }),
    step: (s, args) => {
      (s.acc as Value[]).push(args[0] ?? null);
      s.n++;
    },
    final: (s) => (s.n === 0 ? null : [...(s.acc as Value[])]),
  };
}

/** json_agg / jsonb_agg. */
export function jsonAgg(binary: boolean, t: SqlType): Aggregate {
  const composite = t.id === "record" || t.id === "array";
  return {
    resultType: type(binary ? "jsonb" : "json"),
    init: () => ({ n: 0, acc: [] as JsonData[] }),
    step: (s, args) => {
      const v = args[0] ?? null;
      // json_agg keeps records and arrays as their json text (see `final`).
      const d = binary
        ? valueToJson(v, t, "UTC")
        : composite
        ? valueJsonText(v, t, "UTC")
        : valueToJson(v, t, "UTC");
      (s.acc as JsonData[]).push(d);
      s.n++;
    },
    final: (s) => {
      if (s.n === 0) return null;
      const items = s.acc as JsonData[];
      if (binary) return new Jsonb([...items]);
      // json_agg writes records and arrays compactly, one per line (PostgreSQL's layout).
      if (!composite) return "[" + items.map(formatJsonData).join(", ") + "]";
      // Records and arrays are written compactly, one per line (PostgreSQL's layout).
      return "[" + (items as string[]).join(", \n ") + "]";
    },
  };
}

/** json_object_agg / jsonb_object_agg: a NULL key is 22023. */
export function jsonObjectAgg(binary: boolean, types: readonly SqlType[]): Aggregate {
  const kt = types[0] ?? type("text");
  const vt = types[1] ?? type("text");
  return {
    resultType: type(binary ? "jsonb" : "json"),
    init: () => ({ n: 0, acc: [] as [string, JsonData][] }),
    step: (s, args) => {
      const k = args[0] ?? null;
      if (k === null) throw new DbError("22023", "field name must not be null");
      const key = typeof k === "string" ? k : formatValue(k, kt);
      const v = args[1] ?? null;
      // json_object_agg keeps each value's json text (records compact, in field order).
      const d = binary ? valueToJson(v, vt, "UTC") : valueJsonText(v, vt, "UTC");
      (s.acc as [string, JsonData][]).push([key, d]);
      s.n++;
    },
    final: (s) => {
      if (s.n === 0) return null;
      const entries = s.acc as [string, JsonData][];
      if (binary) return new Jsonb(makeObject(entries));
      return "{ " +
        entries.map(([k, v]) => `${formatJsonData(k)} : ${v as string}`).join(", ") + " }";
    },
  };
}
