/**
 * Rewrites keys of a TOML config file in place (CONFIG REWRITE): each key's
 * line is replaced where the file has it, otherwise the key is added at the
 * end of its section (or in a new section at the end of the file). Comments,
 * blank lines and every other line stay as they are. Pure: text in, text out.
 * @module
 */

/** One key to write: `section.key = value`. */
export interface TomlSetting {
  readonly section: string;
  readonly key: string;
  readonly value: string | number | boolean;
}

const sectionLine = /^\s*\[\s*([A-Za-z0-9_.-]+)\s*\]\s*(#.*)?$/;

/** A TOML value: strings as basic strings (JSON escapes are valid TOML ones). */
function tomlValue(value: string | number | boolean): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

/** The lines of `section`: from its header (index) to before the next header. */
function sectionRange(lines: readonly string[], section: string): [number, number] | null {
  let start = -1;
  for (let i = 0; i < lines.length; i++) {
    const m = sectionLine.exec(lines[i]!);
    if (m === null) continue;
    if (start >= 0) return [start, i];
    if (m[1] === section) start = i;
  }
  return start >= 0 ? [start, lines.length] : null;
}

/**
 * Returns `text` with `settings` written in.
 * @example
 * rewriteToml('[resp]\nmaxclients = 10\n', [{ section: "resp", key: "maxclients", value: 20 }])
 * // '[resp]\nmaxclients = 20\n'
 */
export function rewriteToml(text: string, settings: readonly TomlSetting[]): string {
  const lines = text.split("\n");
  for (const { section, key, value } of settings) {
    const line = `${key} = ${tomlValue(value)}`;
    const range = sectionRange(lines, section);
    if (range === null) {
      if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
      if (lines.length > 0) lines.push("");
      lines.push(`[${section}]`, line, "");
      continue;
    }
    const [start, end] = range;
    const keyLine = new RegExp(`^\\s*${key.replace(/[.-]/g, "\\$&")}\\s*=`);
    const at = lines.slice(start + 1, end).findIndex((l) => keyLine.test(l));
    if (at >= 0) {
      lines[start + 1 + at] = line;
      continue;
    }
    // After the section's last non-blank line.
    let last = end - 1;
    while (last > start && lines[last]!.trim() === "") last--;
    lines.splice(last + 1, 0, line);
  }
  return lines.join("\n");
}
