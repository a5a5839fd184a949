/**
 * Dates, times and timestamps in PostgreSQL's ISO text formats, plus time
 * zone arithmetic. Dates are days since 1970-01-01; time and timestamps are
 * microseconds (bigint). Named zones use the runtime's IANA database (Intl).
 * @module
 */

import { DbError } from "./errors.ts";

/** Microseconds in a day. */
export const microsPerDay = 86_400_000_000n;
/** Microseconds in a second. */
export const microsPerSecond = 1_000_000n;

/** Days since 1970-01-01 of a proleptic Gregorian date. */
export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Year, month (1-12) and day of a day number. */
export function civilFromDays(z: number): [number, number, number] {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) -
      Math.floor(doe / 146096)) / 365,
  );
  const y = yoe + era * 400;
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  return [m <= 2 ? y + 1 : y, m, d];
}

/** Days in a month. */
export function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(m) ? 30 : 31;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}

/** Formats a day number as `YYYY-MM-DD` (with ` BC` before year 1). */
export function formatDate(days: number): string {
  if (days === Infinity) return "infinity";
  if (days === -Infinity) return "-infinity";
  const [y, m, d] = civilFromDays(days);
  if (y <= 0) return `${pad(1 - y, 4)}-${pad(m, 2)}-${pad(d, 2)} BC`;
  return `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;
}

/** Formats microseconds since midnight as `HH:MM:SS[.ffffff]`. */
export function formatTime(micros: bigint): string {
  const us = Number(micros % microsPerSecond);
  const secs = Number(micros / microsPerSecond);
  const h = Math.floor(secs / 3600);
  const mi = Math.floor((secs % 3600) / 60);
  const s = secs % 60;
  return `${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}${formatFraction(us)}`;
}

/** `.ffffff` with trailing zeros removed, or "" for zero. */
export function formatFraction(us: number): string {
  if (us === 0) return "";
  return "." + pad(us, 6).replace(/0+$/, "");
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q;
}

/** Splits a timestamp into its day number and microseconds of the day. */
export function splitTimestamp(ts: bigint): [number, bigint] {
  const days = floorDiv(ts, microsPerDay);
  return [Number(days), ts - days * microsPerDay];
}

/** Formats a timestamp without time zone. */
export function formatTimestamp(ts: bigint): string {
  const [days, tod] = splitTimestamp(ts);
  const date = formatDate(days);
  if (date.endsWith(" BC")) return `${date.slice(0, -3)} ${formatTime(tod)} BC`;
  return `${date} ${formatTime(tod)}`;
}

/** Formats a UTC offset in seconds east of Greenwich as PostgreSQL does (`+05:30`, `-08`). */
export function formatOffset(offsetSeconds: number): string {
  const sign = offsetSeconds < 0 ? "-" : "+";
  const a = Math.abs(offsetSeconds);
  const h = Math.floor(a / 3600);
  const m = Math.floor((a % 3600) / 60);
  const s = a % 60;
  let out = `${sign}${pad(h, 2)}`;
  if (m !== 0 || s !== 0) out += `:${pad(m, 2)}`;
  if (s !== 0) out += `:${pad(s, 2)}`;
  return out;
}

/** Formats a timestamptz in the session's time zone (`2024-01-31 12:34:56+00`). */
export function formatTimestamptz(ts: bigint, timeZone: string): string {
  const off = zoneOffsetSeconds(ts, timeZone);
  const local = ts + BigInt(off) * microsPerSecond;
  const text = formatTimestamp(local);
  if (text.endsWith(" BC")) return `${text.slice(0, -3)}${formatOffset(off)} BC`;
  return text + formatOffset(off);
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Parses a fixed offset zone name (`UTC`, `+02`, `-05:30`); undefined otherwise. */
function fixedOffset(zone: string): number | undefined {
  const z = zone.trim().toUpperCase();
  if (z === "UTC" || z === "GMT" || z === "Z" || z === "ZULU" || z === "UCT") return 0;
  // POSIX form PostgreSQL shows after SET TIME ZONE <number>: `<-05>+05` is five hours west.
  const posix = /^<[^>]*>([+-]?)(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?$/.exec(z);
  if (posix) {
    const secs = Number(posix[2]) * 3600 + Number(posix[3] ?? 0) * 60 + Number(posix[4] ?? 0);
    return posix[1] === "-" ? secs : -secs;
  }
  const m = /^(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?(?::?(\d{2}))?$/.exec(z);
  if (!m) return undefined;
  const secs = Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
  return m[1] === "-" ? -secs : secs;
}

/**
 * The TimeZone value PostgreSQL stores for `SET TIME ZONE <offset>`: a POSIX
 * zone such as `<-05>+05` (an offset east of UTC in seconds; POSIX counts west).
 */
export function posixZone(eastSeconds: number): string {
  const hhmm = (secs: number) => {
    const a = Math.abs(secs);
    const h = String(Math.floor(a / 3600)).padStart(2, "0");
    const m = Math.floor((a % 3600) / 60);
    const sec = a % 60;
    return h + (m || sec ? ":" + String(m).padStart(2, "0") : "") +
      (sec ? ":" + String(sec).padStart(2, "0") : "");
  };
  const name = (eastSeconds < 0 ? "-" : "+") + hhmm(eastSeconds);
  return `<${name}>${eastSeconds > 0 ? "-" : "+"}${hhmm(eastSeconds)}`;
}

function formatterFor(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat("en-US", {
        timeZone: zone,
        hourCycle: "h23",
        year: "numeric",
        month: "numeric",
        day: "numeric",
        hour: "numeric",
        minute: "numeric",
        second: "numeric",
        era: "short",
      });
    } catch (e) {
      throw new DbError("22023", `time zone "${zone}" not recognized`, e);
    }
    formatters.set(zone, f);
  }
  return f;
}

/**
 * Checks that a time zone name is known.
 * @throws {DbError} 22023 for an unknown zone
 */
export function checkTimeZone(zone: string): void {
  if (fixedOffset(zone) === undefined) formatterFor(zone);
}

/**
 * Offset in seconds east of UTC of `zone` at the UTC instant `ts` (µs).
 * @throws {DbError} 22023 for an unknown zone
 */
export function zoneOffsetSeconds(ts: bigint, zone: string): number {
  const fixed = fixedOffset(zone);
  if (fixed !== undefined) return fixed;
  const ms = Number(floorDiv(ts, 1000n));
  // Intl works inside +-8.64e15 ms; clamp far timestamps to the range edge.
  const clamped = Math.max(-8.64e15, Math.min(8.64e15, ms - (ms % 1000)));
  const parts = formatterFor(zone).formatToParts(new Date(clamped));
  let y = 0, mo = 1, d = 1, h = 0, mi = 0, s = 0, bc = false;
  for (const p of parts) {
    const v = Number(p.value);
    if (p.type === "year") y = v;
    else if (p.type === "month") mo = v;
    else if (p.type === "day") d = v;
    else if (p.type === "hour") h = v;
    else if (p.type === "minute") mi = v;
    else if (p.type === "second") s = v;
    else if (p.type === "era") bc = p.value.startsWith("B");
  }
  if (bc) y = 1 - y;
  const localMs = (daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s) * 1000;
  return Math.round((localMs - clamped) / 1000);
}

/**
 * Converts a local wall-clock timestamp in `zone` to UTC microseconds. Like
 * PostgreSQL, a time skipped by a spring-forward change takes the offset from
 * before the change, and an ambiguous fall-back time the offset after it.
 */
export function localToUtc(local: bigint, zone: string): bigint {
  const fixed = fixedOffset(zone);
  if (fixed !== undefined) return local - BigInt(fixed) * microsPerSecond;
  const before = zoneOffsetSeconds(local - microsPerDay, zone);
  const after = zoneOffsetSeconds(local + microsPerDay, zone);
  const t1 = local - BigInt(before) * microsPerSecond;
  if (before === after) {
    const actual = zoneOffsetSeconds(t1, zone);
    return actual === before ? t1 : local - BigInt(actual) * microsPerSecond;
  }
  const t2 = local - BigInt(after) * microsPerSecond;
  if (zoneOffsetSeconds(t2, zone) === after) return t2;
  return t1;
}

/** Converts UTC microseconds to the local wall-clock timestamp in `zone`. */
export function utcToLocal(ts: bigint, zone: string): bigint {
  return ts + BigInt(zoneOffsetSeconds(ts, zone)) * microsPerSecond;
}

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
  if (lower === "infinity" || lower === "+infinity") return Infinity;
  if (lower === "-infinity") return -Infinity;
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
  const p = parseParts(text, "timestamp", true);
  return BigInt(p.days ?? 0) * microsPerDay + (p.timeMicros ?? 0n);
}

/**
 * Parses timestamptz input; without a zone the text is in `timeZone`.
 * @throws {DbError} 22007 bad syntax, 22008 field out of range
 */
export function parseTimestamptz(text: string, timeZone: string): bigint {
  if (text.trim().toLowerCase() === "epoch") return 0n;
  const p = parseParts(text, "timestamp with time zone", true);
  const local = BigInt(p.days ?? 0) * microsPerDay + (p.timeMicros ?? 0n);
  if (p.offset !== undefined) return local - BigInt(p.offset) * microsPerSecond;
  return localToUtc(local, p.zone ?? timeZone);
}
