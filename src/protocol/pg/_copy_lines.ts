/**
 * Splitting COPY input into fields: one text-format line with its backslash
 * escapes, or one CSV record with its quotes (which may span lines).
 * Folder-private.
 * @module
 */
import { DbError } from "../../common/errors.ts";
import type { CopyOptions } from "./_copy_options.ts";

const textEscapes: Record<string, string> = {
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
};

/** Splits one text-format line into raw fields, undoing backslash escapes; null for NULL. */
export function splitTextLine(line: string, o: CopyOptions): (string | null)[] {
  if (!line.includes("\\")) {
    return line.split(o.delimiter).map((f) => (f === o.nullText ? null : f));
  }
  const out: (string | null)[] = [];
  let field = "";
  let raw = "";
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === o.delimiter) {
      out.push(raw === o.nullText ? null : field);
      field = raw = "";
      continue;
    }
    if (c !== "\\" || i + 1 >= line.length) {
      field += c;
      raw += c;
      continue;
    }
    const n = line[++i]!;
    raw += c + n;
    if (n in textEscapes) field += textEscapes[n];
    else if (n >= "0" && n <= "7") {
      const m = /^[0-7]{1,3}/.exec(line.slice(i))![0];
      field += String.fromCharCode(parseInt(m, 8));
      raw += m.slice(1);
      i += m.length - 1;
    } else if (n === "x" && /^[0-9a-fA-F]/.test(line[i + 1] ?? "")) {
      const m = /^[0-9a-fA-F]{1,2}/.exec(line.slice(i + 1))![0];
      field += String.fromCharCode(parseInt(m, 16));
      raw += m;
      i += m.length;
    } else field += n;
  }
  out.push(raw === o.nullText ? null : field);
  return out;
}

/**
 * Parses the next CSV record starting at `pos`. Returns the fields and the
 * position after the record's line end, or undefined when the record is not
 * complete yet (an open quote, or no line end and `final` is false).
 */
export function parseCsvRecord(
  s: string,
  pos: number,
  o: CopyOptions,
  final: boolean,
): { fields: (string | null)[]; next: number } | undefined {
  const fields: (string | null)[] = [];
  let field = "";
  let quoted = false;
  let inQuotes = false;
  let i = pos;
  for (; i < s.length; i++) {
    const c = s[i]!;
    if (inQuotes) {
      if (
        c === o.escape && (s[i + 1] === o.quote || (o.escape !== o.quote && s[i + 1] === o.escape))
      ) {
        field += s[++i];
      } else if (c === o.quote) inQuotes = false;
      else field += c;
      continue;
    }
    if (c === o.quote) {
      inQuotes = quoted = true;
    } else if (c === o.delimiter) {
      fields.push(!quoted && field === o.nullText ? null : field);
      field = "";
      quoted = false;
    } else if (c === "\n" || c === "\r") {
      fields.push(!quoted && field === o.nullText ? null : field);
      const next = c === "\r" && s[i + 1] === "\n" ? i + 2 : i + 1;
      if (c === "\r" && i + 1 === s.length && !final) return undefined;
      return { fields, next };
    } else field += c;
  }
  if (!final || inQuotes) {
    if (final) throw new DbError("22P04", "unterminated CSV quoted field");
    return undefined;
  }
  fields.push(!quoted && field === o.nullText ? null : field);
  return { fields, next: i };
}
