/**
 * Dates, times and timestamps in PostgreSQL's ISO text formats, plus time
 * zone arithmetic. Dates are days since 1970-01-01; time and timestamps are
 * microseconds (bigint). Named zones use the runtime's IANA database (Intl).
 * Parsing of the text forms is in `datetime_parse.ts`.
 * @module
 */

import { DbError } from "./errors.ts";

/** Microseconds in a day. */
export const microsPerDay = 86_400_000_000n;
/** Microseconds in a second. */
export const microsPerSecond = 1_000_000n;

/** timestamp[tz] 'infinity': PostgreSQL's sentinel, the largest int64 (it sorts after all). */
export const timestampInfinity = 2n ** 63n - 1n;
/** timestamp[tz] '-infinity': the smallest int64 (it sorts before all). */
export const timestampMinusInfinity = -(2n ** 63n);

/** True for 'infinity' and '-infinity' timestamps. */
export function isInfiniteTimestamp(ts: bigint): boolean {
  return ts === timestampInfinity || ts === timestampMinusInfinity;
}

/** 1 or -1 when an input text is 'infinity' or '-infinity' (any case, blanks around). */
export function infinityInput(text: string): 1 | -1 | undefined {
  const t = text.trim().toLowerCase();
  return t === "infinity" ? 1 : t === "-infinity" ? -1 : undefined;
}

/** A date (day number, ±Infinity for the infinite dates) as a timestamp at midnight. */
export function dateToTimestamp(days: number): bigint {
  if (!Number.isFinite(days)) return days > 0 ? timestampInfinity : timestampMinusInfinity;
  return BigInt(days) * microsPerDay;
}

/** The date (day number) of a timestamp; the infinite ones give ±Infinity. */
export function timestampToDate(ts: bigint): number {
  if (isInfiniteTimestamp(ts)) return ts > 0n ? Infinity : -Infinity;
  return Number(floorDiv(ts, microsPerDay));
}

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
  if (isInfiniteTimestamp(ts)) return ts > 0n ? "infinity" : "-infinity";
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
  if (isInfiniteTimestamp(ts)) return formatTimestamp(ts);
  const off = zoneOffsetSeconds(ts, timeZone);
  const local = ts + BigInt(off) * microsPerSecond;
  const text = formatTimestamp(local);
  if (text.endsWith(" BC")) return `${text.slice(0, -3)}${formatOffset(off)} BC`;
  return text + formatOffset(off);
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Parses a fixed offset zone name (`UTC`, `+02`, `-05:30`); undefined otherwise. */
export function fixedOffset(zone: string): number | undefined {
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
  if (isInfiniteTimestamp(local)) return local;
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
  if (isInfiniteTimestamp(ts)) return ts;
  return ts + BigInt(zoneOffsetSeconds(ts, zone)) * microsPerSecond;
}
