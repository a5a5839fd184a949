/**
 * Template parsing: to_timestamp(text, fmt), to_date(text, fmt) and
 * to_number(text, fmt), with the patterns `to_char.ts` formats.
 * @module
 */

import { DbError } from "../../common/errors.ts";
import {
  daysFromCivil,
  daysInMonth,
  localToUtc,
  microsPerDay,
  splitTimestamp,
} from "../../common/datetime.ts";
import { numericFromNumber, numericRound } from "../../common/numeric.ts";
import { defineFunction } from "./registry.ts";
import { findPattern, months } from "./to_char.ts";

/** Parses text with a template into a local timestamp (to_timestamp / to_date). */
export function parseTemplate(text: string, fmt: string): { local: bigint; offset?: number } {
  let y = 1, m = 1, d = 1, h = 0, mi = 0, s = 0, us = 0, pm: boolean | undefined;
  let offset: number | undefined;
  let ti = 0;
  let i = 0;
  const num = (maxLen: number): number => {
    while (text[ti] === " ") ti++;
    const mm = new RegExp(`^[+-]?\\d{1,${maxLen}}`).exec(text.slice(ti));
    if (!mm) {
      throw new DbError(
        "22007",
        `invalid value "${text.slice(ti, ti + maxLen)}" for "${fmt.slice(i)}"`,
      );
    }
    ti += mm[0].length;
    return Number(mm[0]);
  };
  while (i < fmt.length) {
    if (fmt.startsWith("FM", i)) {
      i += 2;
      continue;
    }
    const found = findPattern(fmt, i);
    const p = found?.name;
    if (!p) {
      if (text[ti] === fmt[i] || fmt[i] === " ") ti += text[ti] === fmt[i] ? 1 : 0;
      else if (text[ti] !== undefined && !/[0-9A-Za-z]/.test(text[ti]!)) ti++;
      i++;
      continue;
    }
    switch (p) {
      case "YYYY":
        y = num(4);
        break;
      case "YY":
        y = 2000 + num(2);
        if (y > 2069) y -= 100;
        break;
      case "MM":
        m = num(2);
        break;
      case "DD":
        d = num(2);
        break;
      case "HH24":
        h = num(2);
        break;
      case "HH12":
      case "HH":
        h = num(2);
        break;
      case "MI":
        mi = num(2);
        break;
      case "SS":
        s = num(2);
        break;
      case "MS":
        us = num(3) * 1000;
        break;
      case "US":
        us = num(6);
        break;
      case "AM":
      case "PM":
      case "am":
      case "pm":
        pm = /^p/i.test(text.slice(ti, ti + 2));
        ti += 2;
        break;
      case "MON":
      case "Mon":
      case "mon":
      case "MONTH":
      case "Month":
      case "month": {
        const word = /^[A-Za-z]+/.exec(text.slice(ti))?.[0] ?? "";
        const idx = months.findIndex((x) =>
          x.toLowerCase().startsWith(word.toLowerCase().slice(0, 3))
        );
        if (idx < 0 || word.length < 3) {
          throw new DbError("22007", `invalid value "${word}" for "${p}"`);
        }
        m = idx + 1;
        ti += word.length;
        break;
      }
      case "TZ":
      case "OF": {
        const mm = /^([+-])(\d{1,2})(?::?(\d{2}))?/.exec(text.slice(ti));
        if (mm) {
          offset = (mm[1] === "-" ? -1 : 1) * (Number(mm[2]) * 3600 + Number(mm[3] ?? 0) * 60);
          ti += mm[0].length;
        }
        break;
      }
      default:
        num(p.length);
    }
    i += found!.length;
  }
  if (pm !== undefined && h <= 12) h = (h % 12) + (pm ? 12 : 0);
  if (m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m) || h > 24 || mi > 59 || s > 60) {
    throw new DbError("22008", `date/time field value out of range: "${text}"`);
  }
  const local = BigInt(daysFromCivil(y, m, d)) * microsPerDay +
    BigInt((h * 3600 + mi * 60 + s) * 1e6 + us);
  return offset === undefined ? { local } : { local, offset };
}

defineFunction("to_timestamp", {
  args: ["text", "text"],
  ret: "timestamptz",
  volatility: "stable",
  impl: (a, c) => {
    const r = parseTemplate(a[0] as string, a[1] as string);
    if (r.offset !== undefined) return r.local - BigInt(r.offset) * 1_000_000n;
    return localToUtc(r.local, c.session.timeZone);
  },
});
defineFunction("to_date", {
  args: ["text", "text"],
  ret: "date",
  impl: (a) => splitTimestamp(parseTemplate(a[0] as string, a[1] as string).local)[0],
});
defineFunction("to_number", {
  args: ["text", "text"],
  ret: "numeric",
  impl: (a) => {
    const cleaned = (a[0] as string).replace(/[^0-9.\-]/g, "");
    if (cleaned === "" || cleaned === "-") {
      throw new DbError("22P02", `invalid input syntax for type numeric: " "`);
    }
    return numericRound(
      numericFromNumber(Number(cleaned), 15),
      ((a[1] as string).split(/[.D]/)[1] ?? "").replace(/[^90]/g, "").length,
    );
  },
});
