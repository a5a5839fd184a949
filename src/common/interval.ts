/**
 * PostgreSQL intervals: text input (PostgreSQL and ISO 8601 forms), the
 * `postgres` output style, arithmetic and comparison.
 * @module
 */

import { DbError } from "./errors.ts";
import { Interval } from "./types.ts";
import { formatFraction } from "./datetime.ts";

const usPerSec = 1_000_000;
const usPerMin = 60 * usPerSec;
const usPerHour = 60 * usPerMin;

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n !== 1 ? "s" : ""}`;
}

/** Formats an interval in PostgreSQL's default `postgres` style (`1 year 2 mons 3 days 04:05:06`). */
export function formatInterval(iv: Interval): string {
  const parts: string[] = [];
  let isBefore = false;
  let isZero = true;
  const add = (value: number, unit: string): void => {
    if (value === 0) return;
    parts.push((isBefore && value > 0 ? "+" : "") + plural(value, unit));
    isBefore = value < 0;
    isZero = false;
  };
  add(Math.trunc(iv.months / 12), "year");
  add(iv.months % 12, "mon");
  add(iv.days, "day");
  const us = iv.micros;
  if (isZero || us !== 0n) {
    const minus = us < 0n;
    const a = minus ? -us : us;
    const hours = a / BigInt(usPerHour);
    const rem = Number(a % BigInt(usPerHour));
    const min = Math.floor(rem / usPerMin);
    const sec = Math.floor((rem % usPerMin) / usPerSec);
    const frac = rem % usPerSec;
    const sign = minus ? "-" : isBefore ? "+" : "";
    parts.push(
      `${sign}${String(hours).padStart(2, "0")}:${String(min).padStart(2, "0")}:` +
        `${String(sec).padStart(2, "0")}${formatFraction(frac)}`,
    );
  }
  return parts.join(" ");
}

/** Formats an interval as ISO 8601 (`P1Y2M3DT4H5M6S`), PostgreSQL's `iso_8601` style. */
export function formatIntervalIso(iv: Interval): string {
  const y = Math.trunc(iv.months / 12);
  const mo = iv.months % 12;
  let out = "P";
  if (y) out += `${y}Y`;
  if (mo) out += `${mo}M`;
  if (iv.days) out += `${iv.days}D`;
  if (iv.micros !== 0n) {
    const us = Number(iv.micros);
    const h = Math.trunc(us / usPerHour);
    const m = Math.trunc((us % usPerHour) / usPerMin);
    const s = (us % usPerMin) / usPerSec;
    out += "T";
    if (h) out += `${h}H`;
    if (m) out += `${m}M`;
    if (s) out += `${s}S`;
  }
  return out === "P" ? "PT0S" : out;
}

interface Acc {
  months: number;
  days: number;
  micros: number;
}

/** Adds `value` of `unit` to the accumulator, spilling fractions downward like PostgreSQL. */
function addUnit(acc: Acc, value: number, unit: string): boolean {
  const spillMonths = (m: number): void => {
    const whole = Math.trunc(m);
    acc.months += whole;
    spillDays((m - whole) * 30);
  };
  const spillDays = (d: number): void => {
    const whole = Math.trunc(d);
    acc.days += whole;
    acc.micros += Math.round((d - whole) * 24 * usPerHour);
  };
  switch (unit) {
    case "microsecond":
      acc.micros += Math.round(value);
      break;
    case "millisecond":
      acc.micros += Math.round(value * 1000);
      break;
    case "second":
      acc.micros += Math.round(value * usPerSec);
      break;
    case "minute":
      acc.micros += Math.round(value * usPerMin);
      break;
    case "hour":
      acc.micros += Math.round(value * usPerHour);
      break;
    case "day":
      spillDays(value);
      break;
    case "week":
      spillDays(value * 7);
      break;
    case "month":
      spillMonths(value);
      break;
    case "year":
      spillMonths(value * 12);
      break;
    case "decade":
      spillMonths(value * 120);
      break;
    case "century":
      spillMonths(value * 1200);
      break;
    case "millennium":
      spillMonths(value * 12000);
      break;
    default:
      return false;
  }
  return true;
}

const unitAliases: Record<string, string> = {
  us: "microsecond",
  usec: "microsecond",
  usecs: "microsecond",
  microsecond: "microsecond",
  microseconds: "microsecond",
  ms: "millisecond",
  msec: "millisecond",
  msecs: "millisecond",
  millisecond: "millisecond",
  milliseconds: "millisecond",
  s: "second",
  sec: "second",
  secs: "second",
  second: "second",
  seconds: "second",
  m: "minute",
  min: "minute",
  mins: "minute",
  minute: "minute",
  minutes: "minute",
  h: "hour",
  hr: "hour",
  hrs: "hour",
  hour: "hour",
  hours: "hour",
  d: "day",
  day: "day",
  days: "day",
  w: "week",
  week: "week",
  weeks: "week",
  mon: "month",
  mons: "month",
  month: "month",
  months: "month",
  y: "year",
  yr: "year",
  yrs: "year",
  year: "year",
  years: "year",
  decade: "decade",
  decades: "decade",
  c: "century",
  cent: "century",
  century: "century",
  centuries: "century",
  millennium: "millennium",
  millennia: "millennium",
  mil: "millennium",
  mils: "millennium",
};

/** Normalises a unit name (`mins`, `Hours`) to its canonical singular; undefined if unknown. */
export function intervalUnit(name: string): string | undefined {
  return unitAliases[name.toLowerCase()];
}

function badInterval(text: string): DbError {
  return new DbError("22007", `invalid input syntax for type interval: "${text}"`);
}

function parseIso(s: string, text: string): Interval {
  const m =
    /^P(?:([-\d.]+)Y)?(?:([-\d.]+)M)?(?:([-\d.]+)W)?(?:([-\d.]+)D)?(?:T(?:([-\d.]+)H)?(?:([-\d.]+)M)?(?:([-\d.]+)S)?)?$/i
      .exec(s);
  if (!m || s.length < 2) throw badInterval(text);
  const acc: Acc = { months: 0, days: 0, micros: 0 };
  const units = ["year", "month", "week", "day", "hour", "minute", "second"];
  units.forEach((u, i) => {
    const v = m[i + 1];
    if (v === undefined) return;
    const n = Number(v);
    if (!Number.isFinite(n)) throw badInterval(text);
    addUnit(acc, n, u);
  });
  return new Interval(acc.months, acc.days, BigInt(acc.micros));
}

function parseClock(tok: string, sign: number): number | undefined {
  const m = /^(\d+):(\d{1,2})(?::(\d{1,2})(?:\.(\d+))?)?$/.exec(tok);
  if (!m) return undefined;
  const frac = m[4] ? Math.round(Number("0." + m[4]) * usPerSec) : 0;
  const us = Number(m[1]) * usPerHour + Number(m[2]) * usPerMin + Number(m[3] ?? 0) * usPerSec +
    frac;
  return sign * us;
}

/**
 * Parses interval input: `1 year 2 mons 3 days 04:05:06`, `2 hours`, `-1 week`,
 * `1.5 days`, `@ 3 days ago`, `10` (seconds), ISO `P1DT2H`.
 * @throws {DbError} 22007 bad syntax
 */
export function parseInterval(text: string): Interval {
  let s = text.trim();
  if (/^-?P/i.test(s) && !/\s/.test(s)) {
    if (s.startsWith("-")) return negateInterval(parseIso(s.slice(1), text));
    return parseIso(s, text);
  }
  if (s.startsWith("@")) s = s.slice(1).trim();
  let ago = false;
  if (/\bago$/i.test(s)) {
    ago = true;
    s = s.slice(0, -3).trim();
  }
  if (s === "") throw badInterval(text);
  const tokens = s.split(/\s+/);
  const acc: Acc = { months: 0, days: 0, micros: 0 };
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i] ?? "";
    const signChar = tok[0];
    const sign = signChar === "-" ? -1 : 1;
    const body = signChar === "-" || signChar === "+" ? tok.slice(1) : tok;
    const clock = parseClock(body, sign);
    if (clock !== undefined) {
      acc.micros += clock;
      continue;
    }
    const numUnit = /^(\d+(?:\.\d*)?|\.\d+)([a-z]+)?$/i.exec(body);
    if (!numUnit) throw badInterval(text);
    const value = sign * Number(numUnit[1]);
    let unitName = numUnit[2];
    if (unitName === undefined) {
      const next = tokens[i + 1];
      if (next !== undefined && /^[+-]?\d+:\d/.test(next)) {
        // A bare number before a clock time counts days ("1 2:03").
        unitName = "day";
      } else if (next !== undefined && intervalUnit(next.replace(/,$/, "")) !== undefined) {
        unitName = next.replace(/,$/, "");
        i++;
      } else if (i === tokens.length - 1) {
        unitName = "second";
      } else {
        throw badInterval(text);
      }
    }
    const unit = intervalUnit(unitName);
    if (unit === undefined || !addUnit(acc, value, unit)) throw badInterval(text);
  }
  const iv = new Interval(acc.months, acc.days, BigInt(acc.micros));
  return ago ? negateInterval(iv) : iv;
}

/** -iv. */
export function negateInterval(iv: Interval): Interval {
  return new Interval(-iv.months, -iv.days, -iv.micros);
}

/** a + b, field by field. */
export function addIntervals(a: Interval, b: Interval): Interval {
  return new Interval(a.months + b.months, a.days + b.days, a.micros + b.micros);
}

/** a - b, field by field. */
export function subIntervals(a: Interval, b: Interval): Interval {
  return new Interval(a.months - b.months, a.days - b.days, a.micros - b.micros);
}

/** Multiplies by a factor, spilling fractional months and days downward like PostgreSQL. */
export function scaleInterval(iv: Interval, factor: number): Interval {
  const months = iv.months * factor;
  const wholeMonths = Math.trunc(months);
  const days = iv.days * factor + (months - wholeMonths) * 30;
  const wholeDays = Math.trunc(days);
  const micros = Number(iv.micros) * factor + (days - wholeDays) * 86_400 * usPerSec;
  if (!Number.isFinite(micros)) throw new DbError("22008", "interval out of range");
  return new Interval(wholeMonths, wholeDays, BigInt(Math.round(micros)));
}

/** The interval as total microseconds with 30-day months and 24-hour days (PostgreSQL's sort key). */
export function intervalSortKey(iv: Interval): bigint {
  return (BigInt(iv.months) * 30n + BigInt(iv.days)) * 86_400_000_000n + iv.micros;
}

/** Compares like PostgreSQL (months as 30 days, days as 24 hours). */
export function compareIntervals(a: Interval, b: Interval): number {
  const x = intervalSortKey(a);
  const y = intervalSortKey(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** justify_hours: moves whole 24-hour spans of the time part into days. */
export function justifyHours(iv: Interval): Interval {
  const day = 86_400_000_000n;
  let days = iv.days + Number(iv.micros / day);
  let micros = iv.micros % day;
  if (days > 0 && micros < 0n) {
    micros += day;
    days--;
  } else if (days < 0 && micros > 0n) {
    micros -= day;
    days++;
  }
  return new Interval(iv.months, days, micros);
}

/** justify_days: moves whole 30-day spans into months. */
export function justifyDays(iv: Interval): Interval {
  let months = iv.months + Math.trunc(iv.days / 30);
  let days = iv.days % 30;
  if (months > 0 && days < 0) {
    days += 30;
    months--;
  } else if (months < 0 && days > 0) {
    days -= 30;
    months++;
  }
  return new Interval(months, days, iv.micros);
}

/** justify_interval: PostgreSQL's combined justification with sign fix-ups. */
export function justifyInterval(iv: Interval): Interval {
  const day = 86_400_000_000n;
  let months = iv.months;
  let days = iv.days + Number(iv.micros / day);
  let micros = iv.micros % day;
  months += Math.trunc(days / 30);
  days = days % 30;
  if (months > 0 && (days < 0 || (days === 0 && micros < 0n))) {
    days += 30;
    months--;
  } else if (months < 0 && (days > 0 || (days === 0 && micros > 0n))) {
    days -= 30;
    months++;
  }
  if (days > 0 && micros < 0n) {
    micros += day;
    days--;
  } else if (days < 0 && micros > 0n) {
    micros -= day;
    days++;
  }
  return new Interval(months, days, micros);
}
