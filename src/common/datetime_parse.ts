/**
 * Parsing of PostgreSQL's date, time and timestamp input forms (ISO, month
 * names, BC, time zone suffixes) into the representations of `datetime.ts`.
 * @module
 */

import { DbError } from "./errors.ts";
import {
  checkTimeZone,
  civilFromDays,
  daysFromCivil,
  daysInMonth,
  fixedOffset,
  infinityInput,
  localToUtc,
  microsPerDay,
  microsPerSecond,
  timestampInfinity,
  timestampMinusInfinity,
} from "./datetime.ts";

function badSyntax(typeName: string, text: string): DbError {
  return new DbError("22007", `invalid input syntax for type ${typeName}: "${text}"`);
}

function outOfRange(text: string): DbError {
  return new DbError("22008", `date/time field value out of range: "${text}"`);
}

const monthNames = [
  "jan",
  "feb",
  "mar",
  "apr",
  "may",
  "jun",
  "jul",
  "aug",
  "sep",
  "oct",
  "nov",
  "dec",
];

/** Parsed pieces of a date/time literal. */
interface DateTimeParts {
  days?: number;
  timeMicros?: bigint;
  /** Offset in seconds east of UTC, or a zone name, when given. */
  offset?: number;
  zone?: string;
}

const dateRe =
  /^(\d{1,6})-(\d{1,2})-(\d{1,2})|^(\d{4})(\d{2})(\d{2})(?!\d)|^(\d{1,2})\/(\d{1,2})\/(\d{4})/;
const timeRe = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?/;

function parseDatePart(s: string, typeName: string, text: string): [number, string] {
  const m = dateRe.exec(s);
  let y: number, mo: number, d: number;
  let rest: string;
  if (m) {
    if (m[1] !== undefined) [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    else if (m[4] !== undefined) [y, mo, d] = [Number(m[4]), Number(m[5]), Number(m[6])];
    else [mo, d, y] = [Number(m[7]), Number(m[8]), Number(m[9])];
    rest = s.slice(m[0].length);
  } else {
    const t = /^([a-z]{3})[a-z]*\s+(\d{1,2}),?\s+(\d{1,5})/i.exec(s);
    const mi = t ? monthNames.indexOf((t[1] ?? "").toLowerCase()) : -1;
    if (!t || mi < 0) throw badSyntax(typeName, text);
    [y, mo, d] = [Number(t[3]), mi + 1, Number(t[2])];
    rest = s.slice(t[0].length);
  }
  const bc = /\s*\bBC\b/i.exec(rest);
  if (bc) {
    y = 1 - y;
    rest = rest.slice(0, bc.index) + rest.slice(bc.index + bc[0].length);
  }
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) throw outOfRange(text);
  return [daysFromCivil(y, mo, d), rest];
}

function parseTimePart(s: string, text: string, typeName: string): [bigint, string] {
  const m = timeRe.exec(s);
  if (!m) throw badSyntax(typeName, text);
  const h = Number(m[1]);
  const mi = Number(m[2]);
  const sec = Number(m[3] ?? 0);
  const frac = m[4] ?? "";
  if (h > 24 || mi > 59 || sec > 60) throw outOfRange(text);
  let us = BigInt(h * 3600 + mi * 60 + sec) * microsPerSecond;
  if (frac) {
    // Round to microseconds, half up, as PostgreSQL does.
    const f = Number("0." + frac) * 1e6;
    // rint(): ties to even, as PostgreSQL rounds fractional seconds.
    let r = Math.round(f);
    if (r - f === 0.5 && r % 2 !== 0) r -= 1;
    us += BigInt(r);
  }
  let rest = s.slice(m[0].length);
  const ampm = /^\s*([AaPp])\.?[Mm]\.?(?![A-Za-z])/.exec(rest);
  if (ampm) {
    if (h > 12) throw outOfRange(text);
    const pm = (ampm[1] ?? "").toLowerCase() === "p";
    us += BigInt(((pm && h < 12 ? 12 : 0) - (!pm && h === 12 ? 12 : 0)) * 3600) * microsPerSecond;
    rest = rest.slice(ampm[0].length);
  }
  if (us > microsPerDay) throw outOfRange(text);
  return [us, rest];
}

function parseZonePart(s: string, typeName: string, text: string): DateTimeParts {
  const z = s.trim();
  if (z === "") return {};
  const fixed = fixedOffset(z);
  if (fixed !== undefined) return { offset: fixed };
  if (/^[A-Za-z][A-Za-z0-9_/+-]*$/.test(z)) {
    try {
      checkTimeZone(z);
    } catch {
      // An unknown zone name means the whole literal is malformed.
      throw badSyntax(typeName, text);
    }
    return { zone: z };
  }
  throw badSyntax(typeName, text);
}

/** Parses a date/time literal into its parts. */
function parseParts(text: string, typeName: string, wantDate: boolean): DateTimeParts {
  const s = text.trim();
  let days: number | undefined;
  let rest = s;
  if (wantDate) [days, rest] = parseDatePart(s, typeName, text);
  rest = rest.replace(/^(?:T|\s+)/i, "");
  let timeMicros: bigint | undefined;
  if (/^\d/.test(rest)) [timeMicros, rest] = parseTimePart(rest, text, typeName);
  const bc = /\s*\bBC\b/i.exec(rest);
  if (bc && days !== undefined) {
    const [y, mo, d] = civilFromDays(days);
    days = daysFromCivil(1 - y, mo, d);
    rest = rest.slice(0, bc.index) + rest.slice(bc.index + bc[0].length);
  }
  const zone = parseZonePart(rest, typeName, text);
  const out: DateTimeParts = { ...zone };
  if (days !== undefined) out.days = days;
  if (timeMicros !== undefined) out.timeMicros = timeMicros;
  return out;
}

/**
 * Parses date input (`2024-01-31`, `20240131`, `Jan 31 2024`, `01/31/2024`).
 * @throws {DbError} 22007 bad syntax, 22008 field out of range
 */
export function parseDate(text: string): number {
  const lower = text.trim().toLowerCase();
  if (lower === "epoch") return 0;
  const infinite = infinityInput(text);
  if (infinite !== undefined) return infinite * Infinity;
  return parseParts(text, "date", true).days ?? 0;
}

/**
 * Parses time input (`12:34`, `12:34:56.789`); a zone suffix is ignored.
 * @throws {DbError} 22007 bad syntax, 22008 field out of range
 */
export function parseTime(text: string): bigint {
  if (text.trim().toLowerCase() === "allballs") return 0n;
  const parts = parseParts(text, "time without time zone", false);
  if (parts.timeMicros === undefined) throw badSyntax("time without time zone", text);
  return parts.timeMicros;
}

/** Largest timestamp (294276-12-31 23:59:59.999999). */
export const timestampMax = 9224318015999999999n / 1000n;

/**
 * Parses timestamp input; a zone in the text is ignored, as PostgreSQL does.
 * @throws {DbError} 22007 bad syntax, 22008 field out of range
 */
export function parseTimestamp(text: string): bigint {
  if (text.trim().toLowerCase() === "epoch") return 0n;
  const infinite = infinityInput(text);
  if (infinite !== undefined) return infinite > 0 ? timestampInfinity : timestampMinusInfinity;
  const p = parseParts(text, "timestamp", true);
  return BigInt(p.days ?? 0) * microsPerDay + (p.timeMicros ?? 0n);
}

/**
 * Parses timestamptz input; without a zone the text is in `timeZone`.
 * @throws {DbError} 22007 bad syntax, 22008 field out of range
 */
export function parseTimestamptz(text: string, timeZone: string): bigint {
  if (text.trim().toLowerCase() === "epoch") return 0n;
  if (infinityInput(text) !== undefined) return parseTimestamp(text);
  const p = parseParts(text, "timestamp with time zone", true);
  const local = BigInt(p.days ?? 0) * microsPerDay + (p.timeMicros ?? 0n);
  if (p.offset !== undefined) return local - BigInt(p.offset) * microsPerSecond;
  return localToUtc(local, p.zone ?? timeZone);
}
