/**
 * Template formatting and parsing: to_char for timestamps, intervals and
 * numbers, to_timestamp(text, fmt) and to_date(text, fmt), covering the
 * common template patterns (YYYY MM DD HH24 HH12 MI SS MS US AM Mon Month Dy
 * Day DDD D Q TZ, FM prefix; 9 0 . , S for numbers).
 * @module
 */

import { Interval, Numeric } from "../../common/types.ts";
import {
  civilFromDays,
  daysFromCivil,
  formatOffset,
  isInfiniteTimestamp,
  splitTimestamp,
  utcToLocal,
  zoneOffsetSeconds,
} from "../../common/datetime.ts";
import { numericFromNumber, numericRound, numericToString } from "../../common/numeric.ts";
import { defineFunction } from "./registry.ts";

/** Month names for templates. */
export const months = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
const dayNames = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/** Template patterns, longest first where prefixes overlap. */
export const patterns = [
  "HH24",
  "HH12",
  "HH",
  "MI",
  "SS",
  "MS",
  "US",
  "AM",
  "PM",
  "am",
  "pm",
  "A.M.",
  "P.M.",
  "YYYY",
  "YYY",
  "YY",
  "Y",
  "MONTH",
  "Month",
  "month",
  "MON",
  "Mon",
  "mon",
  "MM",
  "DAY",
  "Day",
  "day",
  "DY",
  "Dy",
  "dy",
  "DDD",
  "DD",
  "D",
  "Q",
  "TZ",
  "tz",
  "OF",
  "IW",
  "WW",
  "J",
];

/** Patterns whose letter case carries no meaning (hh24 = HH24). */
const caseless = new Set([
  "HH24",
  "HH12",
  "HH",
  "MI",
  "SS",
  "MS",
  "US",
  "YYYY",
  "YYY",
  "YY",
  "Y",
  "MM",
  "DDD",
  "DD",
  "D",
  "Q",
  "IW",
  "WW",
  "J",
]);

/** Finds the template pattern at `i`: exact spelling first, then caseless ones. */
export function findPattern(fmt: string, i: number): { name: string; length: number } | undefined {
  const exact = patterns.find((x) => fmt.startsWith(x, i));
  if (exact) return { name: exact, length: exact.length };
  const upper = fmt.slice(i, i + 4).toUpperCase();
  const loose = patterns.find((x) => caseless.has(x) && upper.startsWith(x));
  return loose ? { name: loose, length: loose.length } : undefined;
}

interface Fields {
  y: number;
  m: number;
  d: number;
  tod: bigint;
  days: number;
  zone?: string;
  offset?: number;
}

function casing(name: string, pat: string): string {
  if (pat === pat.toUpperCase()) return name.toUpperCase();
  if (pat === pat.toLowerCase()) return name.toLowerCase();
  return name;
}

function formatPattern(p: string, f: Fields, fm: boolean): string {
  const pad = (n: number, w: number): string => (fm ? String(n) : String(n).padStart(w, "0"));
  const secs = Number(f.tod / 1_000_000n);
  const h = Math.floor(secs / 3600);
  const dow = ((f.days + 4) % 7 + 7) % 7;
  switch (p) {
    case "HH24":
      return pad(h, 2);
    case "HH12":
    case "HH":
      return pad(h % 12 === 0 ? 12 : h % 12, 2);
    case "MI":
      return pad(Math.floor(secs / 60) % 60, 2);
    case "SS":
      return pad(secs % 60, 2);
    case "MS":
      return pad(Number((f.tod / 1000n) % 1000n), 3);
    case "US":
      return pad(Number(f.tod % 1_000_000n), 6);
    case "AM":
    case "PM":
      return h < 12 ? "AM" : "PM";
    case "am":
    case "pm":
      return h < 12 ? "am" : "pm";
    case "A.M.":
    case "P.M.":
      return h < 12 ? "A.M." : "P.M.";
    case "YYYY":
      return pad(f.y, 4);
    case "YYY":
      return pad(f.y % 1000, 3);
    case "YY":
      return pad(f.y % 100, 2);
    case "Y":
      return String(f.y % 10);
    case "MONTH":
    case "Month":
    case "month": {
      const name = casing(months[f.m - 1]!, p);
      return fm ? name : name.padEnd(9, " ");
    }
    case "MON":
    case "Mon":
    case "mon":
      return casing(months[f.m - 1]!.slice(0, 3), p);
    case "MM":
      return pad(f.m, 2);
    case "DAY":
    case "Day":
    case "day": {
      const name = casing(dayNames[dow]!, p);
      return fm ? name : name.padEnd(9, " ");
    }
    case "DY":
    case "Dy":
    case "dy":
      return casing(dayNames[dow]!.slice(0, 3), p);
    case "DDD":
      return pad(f.days - daysFromCivil(f.y, 1, 1) + 1, 3);
    case "DD":
      return pad(f.d, 2);
    case "D":
      return String(dow + 1);
    case "Q":
      return String(Math.floor((f.m - 1) / 3) + 1);
    case "TZ":
      return f.offset === undefined
        ? ""
        : (f.zone && /^[A-Za-z]+$/.test(f.zone) ? f.zone.toUpperCase() : formatOffset(f.offset));
    case "tz":
      return formatPattern("TZ", f, fm).toLowerCase();
    case "OF":
      return f.offset === undefined ? "" : formatOffset(f.offset);
    case "WW":
      return pad(Math.floor((f.days - daysFromCivil(f.y, 1, 1)) / 7) + 1, 2);
    case "IW": {
      const dowMon = ((f.days + 3) % 7 + 7) % 7;
      const thursday = f.days - dowMon + 3;
      const [ty] = civilFromDays(thursday);
      return pad(Math.floor((thursday - daysFromCivil(ty, 1, 1)) / 7) + 1, 2);
    }
    case "J":
      return String(f.days + 2440588);
  }
  return p;
}

/** Formats date/time fields with a template. */
function formatTemplate(fmt: string, f: Fields): string {
  let out = "";
  let i = 0;
  while (i < fmt.length) {
    if (fmt[i] === '"') {
      const end = fmt.indexOf('"', i + 1);
      out += fmt.slice(i + 1, end < 0 ? fmt.length : end);
      i = end < 0 ? fmt.length : end + 1;
      continue;
    }
    let fm = false;
    if (fmt.startsWith("FM", i)) {
      fm = true;
      i += 2;
    }
    const p = findPattern(fmt, i);
    if (p) {
      out += formatPattern(p.name, f, fm);
      i += p.length;
    } else {
      out += fmt[i] === "\\" && i + 1 < fmt.length ? fmt[++i] : fmt[i];
      i++;
    }
  }
  return out;
}

function fieldsOf(local: bigint): Fields {
  const [days, tod] = splitTimestamp(local);
  const [y, m, d] = civilFromDays(days);
  return { y, m, d, tod, days };
}

/** to_char(timestamp, fmt). */
export function toCharTimestamp(local: bigint, fmt: string): string {
  return formatTemplate(fmt, fieldsOf(local));
}

defineFunction("to_char", {
  args: ["timestamp", "text"],
  ret: "text",
  // An infinite timestamp has no fields to show: NULL, as in PostgreSQL.
  impl: (a) =>
    isInfiniteTimestamp(a[0] as bigint) ? null : toCharTimestamp(a[0] as bigint, a[1] as string),
}, {
  args: ["timestamptz", "text"],
  ret: "text",
  volatility: "stable",
  impl: (a, c) => {
    if (isInfiniteTimestamp(a[0] as bigint)) return null;
    const tz = c.session.timeZone;
    const f = fieldsOf(utcToLocal(a[0] as bigint, tz));
    f.zone = tz;
    f.offset = zoneOffsetSeconds(a[0] as bigint, tz);
    return formatTemplate(a[1] as string, f);
  },
}, {
  args: ["interval", "text"],
  ret: "text",
  impl: (a) => {
    const iv = a[0] as Interval;
    const f: Fields = {
      y: Math.trunc(iv.months / 12),
      m: iv.months % 12,
      d: iv.days,
      tod: iv.micros,
      days: iv.days,
    };
    return formatTemplate(a[1] as string, f);
  },
}, {
  args: ["numeric", "text"],
  ret: "text",
  impl: (a) => toCharNumber(a[0] as Numeric, a[1] as string),
}, {
  args: ["float8", "text"],
  ret: "text",
  impl: (a) => toCharNumber(numericFromNumber(a[0] as number), a[1] as string),
}, {
  args: ["int8", "text"],
  ret: "text",
  impl: (a) => toCharNumber(new Numeric(a[0] as bigint, 0), a[1] as string),
});

/** to_char for numbers with 9, 0, '.', 'D', ',', 'G', 'S', 'MI', 'FM' patterns. */
export function toCharNumber(n: Numeric, fmt: string): string {
  const fm = fmt.includes("FM");
  const body = fmt.replace(/FM/g, "");
  const dot = body.search(/[.D]/);
  const intPat = (dot < 0 ? body : body.slice(0, dot)).replace(/[^90,G]/g, "");
  const fracPat = dot < 0 ? "" : body.slice(dot + 1).replace(/[^90]/g, "");
  const r = numericRound(n, fracPat.length);
  const neg = r.digits < 0n;
  const abs = numericToString(new Numeric(neg ? -r.digits : r.digits, r.scale));
  const [ip = "", fp = ""] = abs.split(".");
  const intSlots = intPat.replace(/[,G]/g, "").length;
  if (ip.length > intSlots && !(ip === "0" && intSlots === 0)) {
    return (fm ? (neg ? "-" : "") : " ") + "#".repeat(intSlots) +
      (fracPat ? "." + "#".repeat(fracPat.length) : "");
  }
  let digits = ip.padStart(intSlots, " ");
  // Leading positions under '0' show zeros; under '9' blanks.
  const slotPats = intPat.replace(/[,G]/g, "");
  digits = [...digits].map((ch, i) => (ch === " " && slotPats[i] === "0" ? "0" : ch)).join("");
  if (ip === "0" && slotPats.endsWith("9")) digits = digits.slice(0, -1) + " ";
  let out = "";
  let di = 0;
  for (const ch of intPat) {
    if (ch === "," || ch === "G") out += /\d/.test(out.trim().slice(-1)) ? "," : " ";
    else out += digits[di++] ?? "";
  }
  if (fracPat) out += "." + fp.padEnd(fracPat.length, "0");
  const first = out.search(/\S/);
  const at = first < 0 ? out.length : first;
  out = out.slice(0, at) + (neg ? "-" : " ") + out.slice(at);
  return fm ? out.trim().replace(/^(-?)\s+/, "$1") : out;
}
