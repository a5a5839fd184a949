/**
 * Redis glob-style pattern matching (KEYS, SCAN MATCH, PSUBSCRIBE): `*`, `?`,
 * `[abc]`, `[^a]`, `[a-z]` and `\` escapes, over latin1 strings.
 * @module
 */

/**
 * True when `text` matches `pattern`.
 * @example globMatch("h?llo", "hello") // true
 */
export function globMatch(pattern: string, text: string, nocase = false): boolean {
  return matchAt(pattern, 0, text, 0, nocase, { depth: 0, giveUp: false });
}

/**
 * Search state. `giveUp` is Redis's "skip longer matches": once the rest of
 * the pattern after a `*` matched nowhere in the rest of the text, no earlier
 * `*` can help by matching more, so the whole search stops. Without it
 * "a*a*a*...b" against a long run of "a" is exponential.
 */
interface Search {
  depth: number;
  giveUp: boolean;
}

function eq(a: string, b: string, nocase: boolean): boolean {
  return nocase ? a.toLowerCase() === b.toLowerCase() : a === b;
}

function matchAt(
  p: string,
  pi: number,
  s: string,
  si: number,
  nocase: boolean,
  search: Search,
): boolean {
  if (search.depth > 1000) return false;
  while (pi < p.length) {
    const c = p[pi]!;
    if (c === "*") {
      while (p[pi + 1] === "*") pi++;
      if (pi + 1 === p.length) return true;
      search.depth++;
      for (let k = si; k <= s.length; k++) {
        if (matchAt(p, pi + 1, s, k, nocase, search)) return true;
        if (search.giveUp) break;
      }
      search.depth--;
      search.giveUp = true;
      return false;
    }
    if (si >= s.length) return false;
    if (c === "?") {
      pi++;
      si++;
      continue;
    }
    if (c === "[") {
      const r = matchClass(p, pi + 1, s[si]!, nocase);
      if (!r.matched) return false;
      pi = r.next;
      si++;
      continue;
    }
    let literal = c;
    if (c === "\\" && pi + 1 < p.length) {
      pi++;
      literal = p[pi]!;
    }
    if (!eq(literal, s[si]!, nocase)) return false;
    pi++;
    si++;
  }
  return si === s.length;
}

function matchClass(
  p: string,
  pi: number,
  ch: string,
  nocase: boolean,
): { matched: boolean; next: number } {
  let negate = false;
  if (p[pi] === "^") {
    negate = true;
    pi++;
  }
  let matched = false;
  while (pi < p.length && p[pi] !== "]") {
    if (p[pi] === "\\" && pi + 1 < p.length) {
      pi++;
      if (eq(p[pi]!, ch, nocase)) matched = true;
      pi++;
    } else if (p[pi + 1] === "-" && pi + 2 < p.length && p[pi + 2] !== "]") {
      let lo = p.charCodeAt(pi);
      let hi = p.charCodeAt(pi + 2);
      if (lo > hi) [lo, hi] = [hi, lo];
      const code = ch.charCodeAt(0);
      if (code >= lo && code <= hi) matched = true;
      if (nocase) {
        const l = ch.toLowerCase().charCodeAt(0);
        const u = ch.toUpperCase().charCodeAt(0);
        if ((l >= lo && l <= hi) || (u >= lo && u <= hi)) matched = true;
      }
      pi += 3;
    } else {
      if (eq(p[pi]!, ch, nocase)) matched = true;
      pi++;
    }
  }
  // An unterminated class consumes the rest of the pattern, as in Redis.
  const next = pi < p.length ? pi + 1 : pi;
  return { matched: negate ? !matched : matched, next };
}
