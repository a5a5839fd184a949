/**
 * jsonb operator kernels: member and path access (`-> ->> #> #>>`),
 * concatenation, deletion, containment and key existence.
 * @module
 */

import { DbError } from "../../common/errors.ts";
import { Jsonb, Numeric, type Value } from "../../common/types.ts";
import {
  compareJsonData,
  formatJsonData,
  isJsonObject,
  jsonContains,
  type JsonData,
  type JsonObject,
  makeObject,
  parseJsonData,
} from "../../common/jsonb.ts";
import { numericToString } from "../../common/numeric.ts";

/** Returns the jsonb data of a json (text) or jsonb value. */
export function jsonDataOf(v: Value): JsonData {
  if (v instanceof Jsonb) return v.value as JsonData;
  if (typeof v === "string") return parseJsonData(v, "json");
  throw new DbError("XX000", "Expected a json or jsonb value");
}

/** Element `key` (string) or index (number, negative from the end) of a JSON datum. */
export function jsonGet(d: JsonData, key: string | number): JsonData | undefined {
  if (typeof key === "number") {
    if (!Array.isArray(d)) return undefined;
    const i = key < 0 ? d.length + key : key;
    return d[i];
  }
  if (isJsonObject(d)) return Object.hasOwn(d, key) ? d[key] : undefined;
  return undefined;
}

/** Follows a text[] path (`#>`): array steps must be integers. */
export function jsonGetPath(d: JsonData, path: readonly Value[]): JsonData | undefined {
  let cur: JsonData | undefined = d;
  for (const p of path) {
    if (cur === undefined || p === null) return undefined;
    const s = String(p);
    if (Array.isArray(cur)) {
      if (!/^-?\d+$/.test(s.trim())) return undefined;
      cur = jsonGet(cur, Number(s));
    } else {
      cur = jsonGet(cur, s);
    }
  }
  return cur;
}

/** The `->>` rendering of a datum: strings unquoted, JSON null as SQL NULL. */
export function jsonText(d: JsonData | undefined): string | null {
  if (d === undefined || d === null) return null;
  if (typeof d === "string") return d;
  if (d instanceof Numeric) return numericToString(d);
  return formatJsonData(d);
}

/** jsonb || jsonb: merges objects, concatenates arrays, wraps scalars. */
export function jsonbConcat(a: Jsonb, b: Jsonb): Jsonb {
  const x = a.value as JsonData;
  const y = b.value as JsonData;
  if (isJsonObject(x) && isJsonObject(y)) {
    return new Jsonb(makeObject([...Object.entries(x), ...Object.entries(y)]));
  }
  const ax = Array.isArray(x) ? x : [x];
  const ay = Array.isArray(y) ? y : [y];
  return new Jsonb([...ax, ...ay]);
}

/** jsonb - text | int | text[]: removes keys or an array element. */
export function jsonbDelete(a: Jsonb, key: Value): Jsonb {
  const d = a.value as JsonData;
  if (Array.isArray(key)) {
    let cur: Jsonb = a;
    for (const k of key) if (k !== null) cur = jsonbDelete(cur, k);
    return cur;
  }
  if (typeof key === "number") {
    if (!Array.isArray(d)) {
      throw new DbError(
        "22023",
        isJsonObject(d)
          ? "cannot delete from object using integer index"
          : "cannot delete from scalar",
      );
    }
    const i = key < 0 ? d.length + key : key;
    return new Jsonb(d.filter((_, j) => j !== i));
  }
  const k = String(key);
  if (isJsonObject(d)) {
    return new Jsonb(makeObject(Object.entries(d).filter(([name]) => name !== k)));
  }
  if (Array.isArray(d)) return new Jsonb(d.filter((x) => x !== k));
  throw new DbError("22023", "cannot delete from scalar");
}

/**
 * The array index a path step names; a negative step counts from the end.
 * @throws {DbError} 22P02 when the step is not an integer
 */
function arrayStep(step: string, position: number, length: number): number {
  if (!/^-?\d+$/.test(step)) {
    throw new DbError(
      "22P02",
      `path element at position ${position + 1} is not an integer: "${step}"`,
    );
  }
  const n = Number(step);
  return n < 0 ? length + n : n;
}

/** jsonb #- text[]: removes the element at a path. */
export function jsonbDeletePath(a: Jsonb, path: readonly Value[]): Jsonb {
  const walk = (d: JsonData, i: number): JsonData => {
    const step = path[i];
    if (step === undefined || step === null) return d;
    const s = String(step);
    const last = i === path.length - 1;
    if (Array.isArray(d)) {
      const idx = arrayStep(s, i, d.length);
      if (idx < 0 || idx >= d.length) return d;
      if (last) return d.filter((_, j) => j !== idx);
      return d.map((x, j) => (j === idx ? walk(x, i + 1) : x));
    }
    if (isJsonObject(d)) {
      if (!Object.hasOwn(d, s)) return d;
      if (last) return makeObject(Object.entries(d).filter(([k]) => k !== s));
      return makeObject(Object.entries(d).map(([k, v]) => [k, k === s ? walk(v, i + 1) : v]));
    }
    return d;
  };
  return new Jsonb(walk(a.value as JsonData, 0));
}

/** jsonb_set(target, path, new_value, create_missing). */
export function jsonbSet(
  a: Jsonb,
  path: readonly Value[],
  value: Jsonb,
  createMissing = true,
): Jsonb {
  const walk = (d: JsonData, i: number): JsonData => {
    const step = path[i];
    if (step === undefined || step === null) return d;
    const s = String(step);
    const last = i === path.length - 1;
    if (Array.isArray(d)) {
      let idx = arrayStep(s, i, d.length);
      if (idx < 0 || idx >= d.length) {
        if (!last || !createMissing) return d;
        idx = idx < 0 ? -1 : d.length;
        return idx < 0 ? [value.value as JsonData, ...d] : [...d, value.value as JsonData];
      }
      return d.map((x, j) => (j === idx ? (last ? value.value as JsonData : walk(x, i + 1)) : x));
    }
    if (isJsonObject(d)) {
      const has = Object.hasOwn(d, s);
      if (!has && (!last || !createMissing)) return d;
      const entries: [string, JsonData][] = Object.entries(d);
      const next = last ? value.value as JsonData : walk((d as JsonObject)[s] ?? null, i + 1);
      return makeObject([...entries.filter(([k]) => k !== s), [s, next]]);
    }
    return d;
  };
  return new Jsonb(walk(a.value as JsonData, 0));
}

/** jsonb @> jsonb. */
export function jsonbContains(a: Jsonb, b: Jsonb): boolean {
  return jsonContains(a.value, b.value);
}

/** jsonb ? text: top-level key or string array element exists. */
export function jsonbHasKey(a: Jsonb, key: string): boolean {
  const d = a.value as JsonData;
  if (isJsonObject(d)) return Object.hasOwn(d, key);
  if (Array.isArray(d)) return d.some((x) => x === key);
  return d === key;
}

/** jsonb equality via the jsonb ordering. */
export function jsonbEquals(a: Jsonb, b: Jsonb): boolean {
  return compareJsonData(a.value, b.value) === 0;
}

/** PostgreSQL's jsonb_typeof names. */
export function jsonTypeof(d: JsonData): string {
  if (d === null) return "null";
  if (typeof d === "string") return "string";
  if (typeof d === "boolean") return "boolean";
  if (d instanceof Numeric) return "number";
  if (Array.isArray(d)) return "array";
  return "object";
}

/**
 * jsonb_insert(target, path, new_value, insert_after): inserts into an array
 * before (or after) the addressed element, or adds a missing object key.
 * @throws {DbError} 22023 when the object key already exists
 */
export function jsonbInsert(a: Jsonb, path: readonly Value[], value: Jsonb, after = false): Jsonb {
  const v = value.value as JsonData;
  const walk = (d: JsonData, i: number): JsonData => {
    const step = path[i];
    if (step === undefined || step === null) return d;
    const s = String(step);
    const last = i === path.length - 1;
    if (Array.isArray(d)) {
      const idx = arrayStep(s, i, d.length);
      if (!last) {
        return idx >= 0 && idx < d.length ? d.map((x, j) => (j === idx ? walk(x, i + 1) : x)) : d;
      }
      const at = Math.min(Math.max(idx + (after ? 1 : 0), 0), d.length);
      return [...d.slice(0, at), v, ...d.slice(at)];
    }
    if (isJsonObject(d)) {
      const has = Object.hasOwn(d, s);
      if (!last) {
        return has
          ? makeObject([...Object.entries(d)].map(([k, x]) => [k, k === s ? walk(x, i + 1) : x]))
          : d;
      }
      if (has) {
        const e = new DbError("22023", "cannot replace existing key");
        e.hint = "Try using the function jsonb_set to replace key value.";
        throw e;
      }
      return makeObject([...Object.entries(d), [s, v]]);
    }
    return d;
  };
  return new Jsonb(walk(a.value as JsonData, 0));
}
