/**
 * Member and element access on json text that keeps the input's own
 * formatting, as PostgreSQL's json (not jsonb) operators do: `'{"a": {"b":1}}'::json -> 'a'`
 * is `{"b":1}` exactly as written. The text must already be valid json.
 * @module
 */

function skipWs(s: string, i: number): number {
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) break;
    i++;
  }
  return i;
}

function stringEnd(s: string, i: number): number {
  // s[i] is the opening quote.
  for (let j = i + 1; j < s.length; j++) {
    const c = s[j];
    if (c === "\\") j++;
    else if (c === '"') return j + 1;
  }
  return s.length;
}

/** End (exclusive) of the json value starting at `i`. */
function valueEnd(s: string, i: number): number {
  const c = s[i];
  if (c === '"') return stringEnd(s, i);
  if (c === "{" || c === "[") {
    let depth = 0;
    for (let j = i; j < s.length; j++) {
      const d = s[j];
      if (d === '"') j = stringEnd(s, j) - 1;
      else if (d === "{" || d === "[") depth++;
      else if (d === "}" || d === "]") {
        depth--;
        if (depth === 0) return j + 1;
      }
    }
    return s.length;
  }
  let j = i;
  while (j < s.length && !/[\s,\]}]/.test(s[j]!)) j++;
  return j;
}

/** The raw text of each member (objects: [key, text]) or element of the top-level value. */
function children(s: string): { keys: string[] | null; values: string[] } | null {
  let i = skipWs(s, 0);
  const open = s[i];
  if (open !== "{" && open !== "[") return null;
  const isObject = open === "{";
  const keys: string[] = [];
  const values: string[] = [];
  i = skipWs(s, i + 1);
  while (i < s.length && s[i] !== "}" && s[i] !== "]") {
    if (isObject) {
      const end = stringEnd(s, i);
      keys.push(JSON.parse(s.slice(i, end)) as string);
      i = skipWs(s, skipWs(s, end) + 1);
    }
    const end = valueEnd(s, i);
    values.push(s.slice(i, end));
    i = skipWs(s, end);
    if (s[i] === ",") i = skipWs(s, i + 1);
  }
  return { keys: isObject ? keys : null, values };
}

/**
 * `json -> key` / `json -> index` on json text.
 * @returns the member's text as written, or undefined when absent
 */
export function jsonTextGet(s: string, key: string | number): string | undefined {
  const c = children(s);
  if (!c) return undefined;
  if (typeof key === "number") {
    if (c.keys) return undefined;
    return c.values[key < 0 ? c.values.length + key : key];
  }
  if (!c.keys) return undefined;
  // The last duplicate key wins, as in PostgreSQL.
  const at = c.keys.lastIndexOf(key);
  return at < 0 ? undefined : c.values[at];
}

/** `json #> path` on json text. @returns the value's text, or undefined when absent */
export function jsonTextGetPath(s: string, path: readonly (string | null)[]): string | undefined {
  let cur: string | undefined = s;
  for (const step of path) {
    if (cur === undefined || step === null) return undefined;
    const isArray = skipWs(cur, 0) < cur.length && cur[skipWs(cur, 0)] === "[";
    if (isArray) {
      if (!/^\s*-?\d+\s*$/.test(step)) return undefined;
      cur = jsonTextGet(cur, Number(step));
    } else cur = jsonTextGet(cur, step);
  }
  return cur;
}
