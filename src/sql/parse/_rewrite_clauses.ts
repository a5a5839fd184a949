/**
 * Token helpers and the clause-level planners of `rewrite.ts`: window frames,
 * LIKE ... ESCAPE and constraint DEFERRABLE clauses. See `rewrite.ts` for how
 * each reaches the planner.
 * @module
 */

import type { Token } from "./lexer.ts";

/** True when `t` is the unquoted word `w`. */
export function isWord(t: Token | undefined, w: string): boolean {
  return t !== undefined && t.kind === "ident" && t.value === w;
}
/** True when `t` is the punctuation `v`. */
export function isPunct(t: Token | undefined, v: string): boolean {
  return t !== undefined && t.kind === "punct" && t.value === v;
}

/** Index of the bracket closing the one at `i`, or -1 when unbalanced. */
export function matchingClose(tokens: readonly Token[], i: number): number {
  let depth = 0;
  for (let j = i; j < tokens.length; j++) {
    const t = tokens[j]!;
    if (t.kind !== "punct") continue;
    if (t.value === "(" || t.value === "[") depth++;
    else if ((t.value === ")" || t.value === "]") && --depth === 0) return j;
  }
  return -1;
}

/** Index of the bracket opening the one closing at `i`, or -1 when unbalanced. */
export function matchingOpen(tokens: readonly Token[], i: number): number {
  let depth = 0;
  for (let j = i; j >= 0; j--) {
    const t = tokens[j]!;
    if (t.kind !== "punct") continue;
    if (t.value === ")" || t.value === "]") depth++;
    else if ((t.value === "(" || t.value === "[") && --depth === 0) return j;
  }
  return -1;
}

/** Renders `s` as a standard-conforming string literal. */
export function quote(s: string): string {
  return "'" + s.replace(/'/g, "''") + "'";
}

/** A stripped `[NOT] DEFERRABLE [INITIALLY DEFERRED|IMMEDIATE]` clause. */
export interface ConstraintTimingNote {
  readonly constraint: string | null;
  readonly deferrable: boolean;
  readonly initiallyDeferred: boolean;
}

/** Plans the insertions and removals; the emitter then walks the tokens once. */
export interface Plan {
  before: Map<number, string[]>;
  after: Map<number, string[]>;
  replace: Map<number, { text: string; skip: number }>;
  timings: ConstraintTimingNote[];
  /** Relations named by `FOR UPDATE|SHARE OF ...` clauses at statement level, in order. */
  lockedOf: string[][];
}

/** Appends `s` to the list kept for token `i`. */
export function add(m: Map<number, string[]>, i: number, s: string): void {
  const list = m.get(i);
  if (list === undefined) m.set(i, [s]);
  else list.push(s);
}

/** `a LIKE b ESCAPE c` → `a LIKE pg_catalog.like_escape(b, c)`, PostgreSQL's own reading. */
export function planEscape(tokens: readonly Token[], i: number, plan: Plan): void {
  let depth = 0;
  for (let j = i - 1; j >= 0; j--) {
    const t = tokens[j]!;
    if (isPunct(t, ")") || isPunct(t, "]")) depth++;
    else if (isPunct(t, "(") || isPunct(t, "[")) {
      if (--depth < 0) return;
    } else if (
      depth === 0 &&
      (isWord(t, "like") || isWord(t, "ilike") ||
        isWord(t, "to") && isWord(tokens[j - 1], "similar"))
    ) {
      if (j + 1 >= i || tokens[i + 1] === undefined) return;
      // SIMILAR TO keeps the escape for __similar_to's third argument (see pg_parser.ts).
      const fn = t.value === "to" ? "__similar_escape" : "like_escape";
      add(plan.before, j + 1, `pg_catalog.${fn}(`);
      plan.replace.set(i, { text: ",", skip: 1 });
      add(plan.after, i + 1, ")");
      return;
    }
  }
}

/** Strips a constraint's DEFERRABLE / INITIALLY clause and notes it with the constraint's name. */
export function planTiming(tokens: readonly Token[], i: number, plan: Plan): void {
  if (plan.replace.has(i) || (i > 0 && isWord(tokens[i - 1], "not") && plan.replace.has(i - 1))) {
    return;
  }
  const start = isWord(tokens[i - 1], "not") ? i - 1 : i;
  let j = start;
  let deferrable = false;
  let initiallyDeferred = false;
  for (;;) {
    if (isWord(tokens[j], "not") && isWord(tokens[j + 1], "deferrable")) j += 2;
    else if (isWord(tokens[j], "deferrable")) {
      deferrable = true;
      j++;
    } else if (isWord(tokens[j], "initially") && tokens[j + 1] !== undefined) {
      initiallyDeferred = tokens[j + 1]!.value === "deferred";
      j += 2;
    } else break;
  }
  if (j === start) return;
  let constraint: string | null = null;
  let depth = 0;
  for (let k = start - 1; k >= 1; k--) {
    const t = tokens[k]!;
    if (isPunct(t, ")")) depth++;
    else if (isPunct(t, "(")) {
      if (--depth < 0) break;
    } else if (depth === 0 && isPunct(t, ",")) break;
    else if (depth === 0 && isWord(tokens[k - 1], "constraint")) {
      constraint = t.value;
      break;
    }
  }
  plan.timings.push({ constraint, deferrable: deferrable || initiallyDeferred, initiallyDeferred });
  plan.replace.set(start, { text: "", skip: j - start });
}

const BOUND_WORDS = new Set(["preceding", "following"]);
const EXCLUSIONS = new Set(["current row", "group", "ties", "no others"]);

/** A frame bound: its kind and its offset expression text ("NULL" when none). */
type Bound = [string, string];

/**
 * Reads `start | BETWEEN start AND end [EXCLUDE ...]` from token `from` up to
 * `close`; null when the clause is malformed.
 */
function frameBounds(
  sql: string,
  tokens: readonly Token[],
  from: number,
  close: number,
): { start: Bound; end: Bound; exclusion: string } | null {
  let j = from;
  const bound = (): Bound | null => {
    if (isWord(tokens[j], "unbounded") && BOUND_WORDS.has(tokens[j + 1]?.value ?? "")) {
      j += 2;
      return [`unbounded ${tokens[j - 1]!.value}`, "NULL"];
    }
    if (isWord(tokens[j], "current") && isWord(tokens[j + 1], "row")) {
      j += 2;
      return ["current row", "NULL"];
    }
    const first = j;
    let depth = 0;
    while (
      j < close &&
      !(depth === 0 && tokens[j]!.kind === "ident" && BOUND_WORDS.has(tokens[j]!.value))
    ) {
      if (isPunct(tokens[j], "(")) depth++;
      if (isPunct(tokens[j], ")")) depth--;
      j++;
    }
    if (j >= close || j === first) return null;
    j++;
    return [`offset ${tokens[j - 1]!.value}`, sql.slice(tokens[first]!.start, tokens[j - 2]!.end)];
  };
  let start: Bound | null;
  let end: Bound | null = ["current row", "NULL"];
  if (isWord(tokens[j], "between")) {
    j++;
    start = bound();
    if (start === null || !isWord(tokens[j], "and")) return null;
    j++;
    end = bound();
  } else start = bound();
  if (start === null || end === null) return null;
  let exclusion = "no others";
  if (isWord(tokens[j], "exclude")) {
    exclusion = tokens.slice(j + 1, close).map((t) => t.value).join(" ");
    if (!EXCLUSIONS.has(exclusion)) return null;
  } else if (j !== close) return null;
  return { start, end, exclusion };
}

/** Plans the rewrite of a frame clause inside the OVER group opening at `open`. */
export function planFrame(sql: string, tokens: readonly Token[], open: number, plan: Plan): void {
  const close = matchingClose(tokens, open);
  if (close < 0) return;
  let depth = 0;
  let frame = -1;
  let orderAt = -1;
  let partition = false;
  for (let j = open + 1; j < close; j++) {
    const t = tokens[j]!;
    if (isPunct(t, "(") || isPunct(t, "[")) depth++;
    else if (isPunct(t, ")") || isPunct(t, "]")) depth--;
    else if (depth === 0 && t.kind === "ident") {
      if (t.value === "partition") partition = true;
      if (t.value === "order" && orderAt < 0) orderAt = j;
      if ((t.value === "rows" || t.value === "range" || t.value === "groups") && frame < 0) {
        frame = j;
      }
    }
  }
  if (frame < 0 || close < 0) return;
  const bounds = frameBounds(sql, tokens, frame + 1, close);
  if (bounds === null) return; // malformed: the grammar reports the syntax error
  const { start, end, exclusion } = bounds;
  const marker =
    `pg_catalog.__window_frame('${tokens[frame]!.value}', '${start[0]}', ${start[1]}, ` +
    `'${end[0]}', ${end[1]}, ${quote(exclusion)})`;
  plan.replace.set(frame, { text: "", skip: close - frame });
  if (!partition) add(plan.after, open, `PARTITION BY ${marker}`);
  else add(plan.before, orderAt >= 0 ? orderAt : frame, `, ${marker}`);
}

/** `trim([BOTH|LEADING|TRAILING] [chars] FROM s)` → `pg_catalog.btrim|ltrim|rtrim(s[, chars])`, as PostgreSQL reads it. */
export function planTrim(tokens: readonly Token[], i: number, plan: Plan): void {
  const open = i + 1;
  const close = matchingClose(tokens, open);
  if (close < 0) return;
  let k = open + 1;
  let fn = "btrim";
  const mode = tokens[k];
  if (isWord(mode, "both") || isWord(mode, "leading") || isWord(mode, "trailing")) {
    fn = mode!.value === "leading" ? "ltrim" : mode!.value === "trailing" ? "rtrim" : "btrim";
    k++;
  }
  let from = -1;
  let depth = 0;
  for (let j = k; j < close; j++) {
    if (isPunct(tokens[j], "(") || isPunct(tokens[j], "[")) depth++;
    else if (isPunct(tokens[j], ")") || isPunct(tokens[j], "]")) depth--;
    else if (depth === 0 && isWord(tokens[j], "from")) {
      from = j;
      break;
    }
  }
  if (from < 0 && k === open + 1) return; // plain trim(s) is an ordinary call
  plan.replace.set(i, { text: `pg_catalog.${fn}(`, skip: k - i });
  if (from < 0) return;
  // Move the characters after the string: trim(chars FROM s) → fn(s, chars).
  if (from > k) {
    plan.replace.set(k, { text: "", skip: from - k + 1 });
    add(plan.before, close, `, ${tokensText(tokens, k, from)}`);
  } else plan.replace.set(from, { text: "", skip: 1 });
}

/** Source-faithful text of tokens `[from, to)` joined by spaces (strings re-quoted). */
function tokensText(tokens: readonly Token[], from: number, to: number): string {
  return tokens.slice(from, to).map((t) =>
    t.kind === "string"
      ? quote(t.value)
      : t.kind === "qident"
      ? `"${t.value.replace(/"/g, '""')}"`
      : t.kind === "param"
      ? "$" + t.value
      : t.value
  ).join(" ");
}

/** Strips `OF a, b` after `FOR UPDATE|SHARE` (grammar lacks it) and records the relation names. */
export function planLockOf(tokens: readonly Token[], i: number, plan: Plan): void {
  const names: string[] = [];
  let k = i + 1;
  for (;;) {
    const t = tokens[k];
    if (t === undefined || (t.kind !== "ident" && t.kind !== "qident")) break;
    let name = t.value;
    k++;
    while (isPunct(tokens[k], ".") && tokens[k + 1] !== undefined) {
      name += "." + tokens[k + 1]!.value;
      k += 2;
    }
    names.push(name);
    if (!isPunct(tokens[k], ",")) break;
    k++;
  }
  if (names.length === 0) return;
  let depth = 0;
  for (let j = 0; j < i; j++) {
    if (isPunct(tokens[j], "(")) depth++;
    else if (isPunct(tokens[j], ")")) depth--;
  }
  plan.lockedOf.push(depth === 0 ? names : []);
  plan.replace.set(i, { text: "", skip: k - i });
}
