/**
 * Set-returning functions in FROM: generate_series, unnest and the library's
 * others (`functions/srf_rows.ts`).
 * @module
 */
import { DbError } from "../common/errors.ts";
import { Interval, Numeric, type SqlType, type Value } from "../common/types.ts";
import { numericOp, toNumeric } from "./numeric_ops.ts";
import { compareValues } from "./values.ts";
import { srfRows } from "./functions/srf_rows.ts";

const rowsMax = 10_000_000;

/**
 * Returns the rows of a set-returning function (with an ordinality column
 * when `width` asks for one more column than it returns).
 * @throws {DbError} 22023 on a zero step, 54000 when too many rows
 */
export function functionScan(
  fn: string,
  args: Value[],
  types: readonly SqlType[],
  width = 0,
): Value[][] {
  const rows = functionRows(fn, args, types);
  // WITH ORDINALITY: one more column than the function returns, numbered from 1.
  if (rows.length > 0 && rows[0]!.length < width) {
    for (let i = 0; i < rows.length; i++) rows[i]!.push(BigInt(i + 1));
  }
  return rows;
}

/**
 * Functions run side by side (`rows_from:name/arguments/width;...`): row i holds
 * each function's row i, NULLs where a function has fewer rows.
 */
function rowsFrom(spec: string, args: Value[], types: readonly SqlType[]): Value[][] {
  const sets: { rows: Value[][]; width: number }[] = [];
  let at = 0;
  for (const part of spec.split(";")) {
    const [fn, arity, width] = part.split("/");
    const n = Number(arity);
    const rows = functionRows(fn!, args.slice(at, at + n), types.slice(at, at + n));
    sets.push({ rows, width: Number(width) });
    at += n;
  }
  const count = Math.max(0, ...sets.map((s) => s.rows.length));
  const out: Value[][] = [];
  for (let i = 0; i < count; i++) {
    const row: Value[] = [];
    for (const s of sets) {
      const r = s.rows[i];
      for (let c = 0; c < s.width; c++) row.push(r?.[c] ?? null);
    }
    out.push(row);
  }
  return out;
}

function functionRows(fn: string, args: Value[], types: readonly SqlType[]): Value[][] {
  if (fn.startsWith("rows_from:")) return rowsFrom(fn.slice("rows_from:".length), args, types);
  switch (fn) {
    case "generate_series":
      return generateSeries(args, types);
    case "unnest": {
      const a = args[0];
      if (a === null || a === undefined) return [];
      // A multidimensional array unnests in storage order, all dimensions flattened.
      return (a as Value[]).flat(Infinity as 1).map((v) => [v as Value]);
    }
  }
  const rows = srfRows(fn, args);
  if (rows !== null) return rows;
  throw new DbError("42883", `function ${fn} does not exist`);
}

function generateSeries(args: Value[], types: readonly SqlType[]): Value[][] {
  const [start, stop, step] = args;
  if (
    start === null || stop === null || step === null || start === undefined || stop === undefined
  ) return [];
  const out: Value[][] = [];
  if (types[0]?.id === "timestamp" || types[0]?.id === "timestamptz") {
    const iv = step as Interval;
    const inc = iv.micros + BigInt(iv.days) * 86_400_000_000n;
    if (inc === 0n && iv.months === 0) throw new DbError("22023", "step size cannot equal zero");
    for (
      let v = start as bigint;
      inc > 0n ? v <= (stop as bigint) : v >= (stop as bigint);
      v += inc
    ) {
      out.push([v]);
      if (out.length > rowsMax) {
        throw new DbError("54000", `generate_series exceeded ${rowsMax} rows`);
      }
    }
    return out;
  }
  if (start instanceof Numeric || stop instanceof Numeric || step instanceof Numeric) {
    const s = toNumeric((step ?? 1) as number);
    if (s.digits === 0n) throw new DbError("22023", "step size cannot equal zero");
    const up = s.digits > 0n;
    for (
      let v = toNumeric(start as number);
      up
        ? compareValues(v, toNumeric(stop as number)) <= 0
        : compareValues(v, toNumeric(stop as number)) >= 0;
      v = numericOp("+", v, s)
    ) {
      out.push([v]);
      if (out.length > rowsMax) {
        throw new DbError("54000", `generate_series exceeded ${rowsMax} rows`);
      }
    }
    return out;
  }
  if (typeof start === "bigint" || typeof stop === "bigint") {
    const s = BigInt((step ?? 1) as number);
    if (s === 0n) throw new DbError("22023", "step size cannot equal zero");
    for (
      let v = BigInt(start as number);
      s > 0n ? v <= BigInt(stop as number) : v >= BigInt(stop as number);
      v += s
    ) {
      out.push([v]);
      if (out.length > rowsMax) {
        throw new DbError("54000", `generate_series exceeded ${rowsMax} rows`);
      }
    }
    return out;
  }
  const s = Number(step ?? 1);
  if (s === 0) throw new DbError("22023", "step size cannot equal zero");
  for (let v = Number(start); s > 0 ? v <= Number(stop) : v >= Number(stop); v += s) {
    out.push([v]);
    if (out.length > rowsMax) {
      throw new DbError("54000", `generate_series exceeded ${rowsMax} rows`);
    }
  }
  return out;
}
