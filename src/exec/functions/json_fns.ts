/**
 * JSON functions: to_json(b), json(b)_build_object/array, jsonb_set,
 * json(b)_typeof, array lengths, extract_path(_text), jsonb_pretty,
 * row_to_json, strip_nulls; plus SQL value → JSON conversion.
 * @module
 */

import { DbError } from "../../common/errors.ts";
import { Jsonb, Numeric, type SqlType, type, type Value } from "../../common/types.ts";
import {
  formatJsonData,
  isJsonObject,
  type JsonData,
  makeObject,
  prettyJsonData,
} from "../../common/jsonb.ts";
import { numericFromNumber } from "../../common/numeric.ts";
import { formatValue } from "../../common/value_text.ts";
import { formatOffset, utcToLocal, zoneOffsetSeconds } from "../../common/datetime.ts";
import { defineFunction } from "./registry.ts";
import {
  jsonbInsert,
  jsonbSet,
  jsonDataOf,
  jsonGetPath,
  jsonText,
  jsonTypeof,
} from "./json_ops.ts";

/** Converts a SQL value to JSON data as to_json/to_jsonb do. */
export function valueToJson(v: Value, t: SqlType, timeZone: string): JsonData {
  if (v === null) return null;
  switch (t.id) {
    case "bool":
      return v as boolean;
    case "int2":
    case "int4":
    case "int8":
    case "oid":
      return new Numeric(BigInt(v as number | bigint), 0);
    case "float4":
    case "float8": {
      const x = v as number;
      if (!Number.isFinite(x)) return formatValue(x, t);
      return numericFromNumber(x, 17).nan ? formatValue(x, t) : jsonNumber(x, t);
    }
    case "numeric":
      return (v as Numeric).nan ? "NaN" : v as Numeric;
    case "json":
      return jsonDataOf(v);
    case "jsonb":
      return (v as Jsonb).value as JsonData;
    case "timestamp":
      return formatValue(v, t).replace(" ", "T");
    case "timestamptz": {
      const local = utcToLocal(v as bigint, timeZone);
      const off = formatOffset(zoneOffsetSeconds(v as bigint, timeZone));
      const offText = off.length === 3 ? off + ":00" : off;
      return formatValue(local, type("timestamp")).replace(" ", "T") + offText;
    }
    case "array":
      return (v as Value[]).map((x) =>
        Array.isArray(x) && t.elem?.id !== "array" && t.elem?.id !== "record"
          ? valueToJson(x, t, timeZone)
          : valueToJson(x, t.elem ?? type("text"), timeZone)
      );
    case "record":
      return recordToJson(v as Value[], t, timeZone);
    default:
      return formatValue(v, t, { timeZone });
  }
}

function jsonNumber(x: number, t: SqlType): Numeric {
  // Keep the float's own shortest text so 0.1 stays 0.1.
  const text = formatValue(x, t);
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(text);
  if (!m) return numericFromNumber(x, 17);
  const frac = m[3] ?? "";
  let digits = BigInt((m[1] ?? "") + (m[2] ?? "0") + frac);
  let scale = frac.length - Number(m[4] ?? 0);
  if (scale < 0) {
    digits *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return new Numeric(digits, scale);
}

/** JSON text without spaces, as to_json and row_to_json print it. */
export function compactJson(d: JsonData): string {
  if (Array.isArray(d)) return "[" + d.map(compactJson).join(",") + "]";
  if (isJsonObject(d)) {
    return "{" + Object.keys(d).map((k) =>
      formatJsonData(k) + ":" + compactJson(d[k] ?? null)
    ).join(",") + "}";
  }
  return formatJsonData(d);
}

/**
 * A record as JSON data: an object of its field names (f1, f2, ... when
 * anonymous) and typed values, keys in jsonb's order (`valueJsonText` writes
 * json text in field order).
 */
function recordToJson(v: readonly Value[], t: SqlType, timeZone: string): JsonData {
  return makeObject(v.map((x, i) => {
    const field = t.fields?.[i];
    const data = field ? valueToJson(x, field.type, timeZone) : genericToJson(x);
    return [field?.name ?? `f${i + 1}`, data];
  }));
}

/**
 * A value as to_json writes it: compact, with json values kept as written,
 * jsonb values in their text form and records as objects in field order.
 */
export function valueJsonText(v: Value, t: SqlType, timeZone: string): string {
  if (v === null) return "null";
  if (t.id === "json") return v as string;
  if (t.id === "jsonb") return formatJsonData((v as Jsonb).value);
  if (t.id === "record" && Array.isArray(v)) {
    return "{" + v.map((x, i) => {
      const field = t.fields?.[i];
      const text = field ? valueJsonText(x, field.type, timeZone) : compactJson(genericToJson(x));
      return `${formatJsonData(field?.name ?? `f${i + 1}`)}:${text}`;
    }).join(",") + "}";
  }
  const elem = t.elem;
  if (t.id === "array" && elem && (elem.id === "record" || elem.id === "json")) {
    return "[" + (v as Value[]).map((x) => valueJsonText(x, elem, timeZone)).join(",") + "]";
  }
  return compactJson(valueToJson(v, t, timeZone));
}

function genericToJson(x: Value): JsonData {
  if (x === null || typeof x === "boolean" || typeof x === "string") return x;
  if (typeof x === "number") return jsonNumber(x, type("float8"));
  if (typeof x === "bigint") return new Numeric(x, 0);
  if (x instanceof Numeric) return x;
  if (x instanceof Jsonb) return x.value as JsonData;
  if (Array.isArray(x)) return x.map(genericToJson);
  return String(x);
}

const anyArgs = {
  args: [] as [],
  variadic: "any" as const,
  strict: false,
  volatility: "stable" as const,
};

function buildObject(a: Value[], types: readonly SqlType[], tz: string): JsonData {
  if (a.length % 2 !== 0) {
    throw new DbError("22023", "argument list must have even number of elements");
  }
  const entries: [string, JsonData][] = [];
  for (let i = 0; i < a.length; i += 2) {
    const k = a[i]!;
    if (k === null) throw new DbError("22023", `argument ${i + 1} cannot be null`);
    const kt = types[i] ?? type("text");
    entries.push([
      typeof k === "string" ? k : formatValue(k, kt, { timeZone: tz }),
      valueToJson(a[i + 1] ?? null, types[i + 1] ?? type("text"), tz),
    ]);
  }
  return makeObject(entries);
}

function buildJsonObjectText(a: Value[], types: readonly SqlType[], tz: string): string {
  if (a.length % 2 !== 0) {
    throw new DbError("22023", "argument list must have even number of elements");
  }
  const parts: string[] = [];
  for (let i = 0; i < a.length; i += 2) {
    const k = a[i]!;
    if (k === null) throw new DbError("22023", `argument ${i + 1} cannot be null`);
    const key = typeof k === "string" ? k : formatValue(k, types[i] ?? type("text"));
    parts.push(
      `${formatJsonData(key)} : ${jsonTextOf(a[i + 1] ?? null, types[i + 1] ?? type("text"), tz)}`,
    );
  }
  return `{${parts.join(", ")}}`;
}

function jsonTextOf(v: Value, t: SqlType, tz: string): string {
  if (t.id === "json" && typeof v === "string") return v;
  // Records and arrays are written compactly, as PostgreSQL's datum_to_json does.
  if (t.id === "record" || t.id === "array") return valueJsonText(v, t, tz);
  return formatJsonData(valueToJson(v, t, tz));
}

defineFunction("to_jsonb", {
  args: ["any"],
  ret: "jsonb",
  strict: false,
  volatility: "stable",
  impl: (a, c, t) =>
    a[0] === null ? null : new Jsonb(valueToJson(a[0]!, t[0] ?? type("text"), c.session.timeZone)),
});
defineFunction("to_json", {
  args: ["any"],
  ret: "json",
  strict: false,
  volatility: "stable",
  impl: (a, c, t) =>
    a[0] === null ? null : valueJsonText(a[0]!, t[0] ?? type("text"), c.session.timeZone),
});
defineFunction("jsonb_build_object", {
  ...anyArgs,
  ret: "jsonb",
  impl: (a, c, t) => new Jsonb(buildObject(a, t, c.session.timeZone)),
});
defineFunction("json_build_object", {
  ...anyArgs,
  ret: "json",
  impl: (a, c, t) => buildJsonObjectText(a, t, c.session.timeZone),
});
defineFunction("jsonb_build_array", {
  ...anyArgs,
  ret: "jsonb",
  impl: (a, c, t) =>
    new Jsonb(a.map((v, i) => valueToJson(v, t[i] ?? type("text"), c.session.timeZone))),
});
defineFunction("json_build_array", {
  ...anyArgs,
  ret: "json",
  impl: (a, c, t) =>
    `[${a.map((v, i) => jsonTextOf(v, t[i] ?? type("text"), c.session.timeZone)).join(", ")}]`,
});
defineFunction("jsonb_set", {
  args: ["jsonb", { id: "array", elem: type("text") }, "jsonb"],
  ret: "jsonb",
  impl: (a) => jsonbSet(a[0] as Jsonb, a[1] as Value[], a[2] as Jsonb),
}, {
  args: ["jsonb", { id: "array", elem: type("text") }, "jsonb", "bool"],
  ret: "jsonb",
  impl: (a) => jsonbSet(a[0] as Jsonb, a[1] as Value[], a[2] as Jsonb, a[3] as boolean),
});
defineFunction("jsonb_insert", {
  args: ["jsonb", { id: "array", elem: type("text") }, "jsonb"],
  ret: "jsonb",
  impl: (a) => jsonbInsert(a[0] as Jsonb, a[1] as Value[], a[2] as Jsonb),
}, {
  args: ["jsonb", { id: "array", elem: type("text") }, "jsonb", "bool"],
  ret: "jsonb",
  impl: (a) => jsonbInsert(a[0] as Jsonb, a[1] as Value[], a[2] as Jsonb, a[3] as boolean),
});
defineFunction("array_to_json", {
  args: ["anyarray"],
  ret: "json",
  volatility: "stable",
  impl: (a, c, t) => valueJsonText(a[0]!, t[0]!, c.session.timeZone),
});
defineFunction("jsonb_typeof", {
  args: ["jsonb"],
  ret: "text",
  impl: (a) => jsonTypeof((a[0] as Jsonb).value as JsonData),
});
defineFunction("json_typeof", {
  args: ["json"],
  ret: "text",
  impl: (a) => jsonTypeof(jsonDataOf(a[0]!)),
});

function arrayLength(d: JsonData): number {
  if (Array.isArray(d)) return d.length;
  throw new DbError(
    "22023",
    isJsonObject(d)
      ? "cannot get array length of a non-array"
      : "cannot get array length of a scalar",
  );
}
defineFunction("jsonb_array_length", {
  args: ["jsonb"],
  ret: "int4",
  impl: (a) => arrayLength((a[0] as Jsonb).value as JsonData),
});
defineFunction("json_array_length", {
  args: ["json"],
  ret: "int4",
  impl: (a) => arrayLength(jsonDataOf(a[0]!)),
});

for (const base of ["json", "jsonb"] as const) {
  defineFunction(`${base}_extract_path`, {
    args: [base],
    variadic: "text",
    ret: base,
    impl: (a) => {
      const d = jsonGetPath(jsonDataOf(a[0]!), a.slice(1));
      if (d === undefined) return null;
      return base === "jsonb" ? new Jsonb(d) : formatJsonData(d);
    },
  });
  defineFunction(`${base}_extract_path_text`, {
    args: [base],
    variadic: "text",
    ret: "text",
    impl: (a) => jsonText(jsonGetPath(jsonDataOf(a[0]!), a.slice(1))),
  });
}
defineFunction("jsonb_pretty", {
  args: ["jsonb"],
  ret: "text",
  impl: (a) => prettyJsonData((a[0] as Jsonb).value),
});
defineFunction("row_to_json", {
  args: ["record"],
  ret: "json",
  impl: (a, c, t) => valueJsonText(a[0]!, t[0] ?? type("record"), c.session.timeZone),
});

function stripNulls(d: JsonData): JsonData {
  if (Array.isArray(d)) return d.map(stripNulls);
  if (isJsonObject(d)) {
    return makeObject(
      Object.entries(d).filter(([, v]) => v !== null).map(([k, v]) => [k, stripNulls(v)]),
    );
  }
  return d;
}
defineFunction("jsonb_strip_nulls", {
  args: ["jsonb"],
  ret: "jsonb",
  impl: (a) => new Jsonb(stripNulls((a[0] as Jsonb).value as JsonData)),
});
defineFunction("jsonb_exists", {
  args: ["jsonb", "text"],
  ret: "bool",
  impl: (a) => {
    const d = (a[0] as Jsonb).value as JsonData;
    return isJsonObject(d)
      ? Object.hasOwn(d, a[1] as string)
      : Array.isArray(d) && d.includes(a[1] as string);
  },
});
