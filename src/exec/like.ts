/**
 * LIKE / ILIKE patterns compiled to regular expressions (memoized).
 * @module
 */
const cache = new Map<string, RegExp>();

/** Compiles a LIKE pattern with `\` as the escape character. */
export function likeToRegExp(pattern: string, caseInsensitive: boolean): RegExp {
  const key = (caseInsensitive ? "i" : "s") + pattern;
  let re = cache.get(key);
  if (re) return re;
  let src = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "\\" && i + 1 < pattern.length) src += escape(pattern[++i]!);
    else if (c === "%") src += "[\\s\\S]*";
    else if (c === "_") src += "[\\s\\S]";
    else src += escape(c);
  }
  re = new RegExp(`^${src}$`, caseInsensitive ? "i" : "");
  if (cache.size > 1000) cache.clear();
  cache.set(key, re);
  return re;
}

function escape(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
