/**
 * The json/jsonb and array operators the binary-operator library does not
 * cover: member and path access (`-> ->> #> #>>`), containment (`@> <@`)
 * array overlap (`&&`) and key existence (`? ?| ?&`), with their operand and
 * result types.
 * @module
 */
import { arrayOf, Jsonb, type SqlType, type, type Value } from "../common/types.ts";
import { isJsonObject, type JsonData } from "../common/jsonb.ts";
import { pairType } from "./functions/type_rules.ts";
import { jsonTextGet, jsonTextGetPath } from "../common/json_text.ts";
import {
  jsonbContains,
  jsonbHasKey,
  jsonDataOf,
  jsonGet,
  jsonGetPath,
  jsonText,
} from "./functions/json_ops.ts";
import { compareValues } from "./values.ts";
import { jsonPathExists, jsonPathMatch } from "./functions/jsonpath_fns.ts";

/** A resolved operator: operand types, result type and kernel on non-null operands. */
export interface SpecialOperator {
  readonly left: SqlType;
  readonly right: SqlType;
  readonly ret: SqlType;
  readonly kernel: (a: Value, b: Value) => Value;
}

const jsonb = type("jsonb");
const text = type("text");
const bool = type("bool");
const textArray = arrayOf(text);

/** Wraps an extracted datum back into a jsonb value. */
function wrap(d: JsonData | undefined): Value {
  return d === undefined ? null : new Jsonb(d);
}

/** `->>` of json text: strings unescaped, JSON null as SQL NULL, the rest as written. */
function rawText(raw: string | undefined): Value {
  if (raw === undefined || raw === "null") return null;
  return raw.startsWith('"') ? JSON.parse(raw) as string : raw;
}

/** json (text) access keeps the input's formatting. */
function jsonAccess(op: string, r: SqlType): SpecialOperator {
  const asText = op === "->>" || op === "#>>";
  const json = type("json");
  const ret = asText ? text : json;
  if (op === "#>" || op === "#>>") {
    return {
      left: json,
      right: textArray,
      ret,
      kernel: (a, b) => {
        const raw = jsonTextGetPath(a as string, b as (string | null)[]);
        return asText ? rawText(raw) : raw ?? null;
      },
    };
  }
  const byIndex = r.id === "int2" || r.id === "int4" || r.id === "int8";
  return {
    left: json,
    right: byIndex ? type("int4") : text,
    ret,
    kernel: (a, b) => {
      const raw = jsonTextGet(a as string, b as string | number);
      return asText ? rawText(raw) : raw ?? null;
    },
  };
}

function access(op: string, l: SqlType, r: SqlType): SpecialOperator | undefined {
  if (l.id === "json") return jsonAccess(op, r);
  if (l.id !== "jsonb") return undefined;
  const asText = op === "->>" || op === "#>>";
  const ret = asText ? text : l;
  if (op === "#>" || op === "#>>") {
    return {
      left: l,
      right: textArray,
      ret,
      kernel: (a, b) => {
        const d = jsonGetPath(jsonDataOf(a), b as Value[]);
        return asText ? jsonText(d) : wrap(d);
      },
    };
  }
  const byIndex = r.id === "int2" || r.id === "int4" || r.id === "int8";
  return {
    left: l,
    right: byIndex ? type("int4") : text,
    ret,
    kernel: (a, b) => {
      const doc = jsonDataOf(a);
      // A scalar document acts as a one-element array for an index.
      const scalar = typeof b === "number" && !Array.isArray(doc) && !isJsonObject(doc);
      const d = scalar
        ? (b === 0 || b === -1 ? doc : undefined)
        : jsonGet(doc, b as string | number);
      return asText ? jsonText(d) : wrap(d);
    },
  };
}

function arrayContains(x: readonly Value[], y: readonly Value[]): boolean {
  return y.every((v) => v !== null && x.some((w) => w !== null && compareValues(w, v) === 0));
}

function containment(op: string, l: SqlType, r: SqlType): SpecialOperator | undefined {
  if (l.id === "array" || r.id === "array") {
    const t = pairType(l, r);
    if (!t || t.id !== "array") return undefined;
    return {
      left: t,
      right: t,
      ret: bool,
      kernel: (a, b) =>
        op === "@>"
          ? arrayContains(a as Value[], b as Value[])
          : arrayContains(b as Value[], a as Value[]),
    };
  }
  if (l.id !== "jsonb" && r.id !== "jsonb") return undefined;
  return {
    left: jsonb,
    right: jsonb,
    ret: bool,
    kernel: (a, b) =>
      op === "@>" ? jsonbContains(a as Jsonb, b as Jsonb) : jsonbContains(b as Jsonb, a as Jsonb),
  };
}

function overlap(l: SqlType, r: SqlType): SpecialOperator | undefined {
  const t = pairType(l, r);
  if (!t || t.id !== "array") return undefined;
  return {
    left: t,
    right: t,
    ret: bool,
    kernel: (a, b) =>
      (a as Value[]).some((v) =>
        v !== null && (b as Value[]).some((w) => w !== null && compareValues(v, w) === 0)
      ),
  };
}

function existence(op: string, l: SqlType): SpecialOperator | undefined {
  if (l.id !== "jsonb") return undefined;
  if (op === "?") {
    return {
      left: jsonb,
      right: text,
      ret: bool,
      kernel: (a, b) => jsonbHasKey(a as Jsonb, b as string),
    };
  }
  const any = op === "?|";
  return {
    left: jsonb,
    right: textArray,
    ret: bool,
    kernel: (a, b) => {
      const keys = b as Value[];
      for (const k of keys) {
        if (k === null) continue;
        if (jsonbHasKey(a as Jsonb, k as string) === any) return any;
      }
      return !any;
    },
  };
}

/**
 * Resolves one of the json/array operators for the operand types.
 * @returns undefined when `op` is not one of them or the types do not fit
 */
export function specialOperator(op: string, l: SqlType, r: SqlType): SpecialOperator | undefined {
  switch (op) {
    case "->":
    case "->>":
    case "#>":
    case "#>>":
      return access(op, l, r);
    case "@>":
    case "<@":
      return containment(op, l, r);
    case "&&":
      return overlap(l, r);
    case "?":
    case "?|":
    case "?&":
      return existence(op, l);
    case "@?":
    case "@@":
      if (l.id !== "jsonb") return undefined;
      return {
        left: jsonb,
        right: text,
        ret: bool,
        // The operators are the functions with silent = true: errors give NULL.
        kernel: (a, b) => (op === "@?" ? jsonPathExists : jsonPathMatch)([a, b, null, true]),
      };
  }
  return undefined;
}
