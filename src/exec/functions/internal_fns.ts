/**
 * The internal functions the SQL frontend's rewrites call for syntax the
 * grammar lacks (see `sql/parse/rewrite.ts`): `a IS [NOT] DISTINCT FROM b`,
 * `a [NOT] SIMILAR TO p [ESCAPE e]`, `x [NOT] BETWEEN SYMMETRIC a AND b`,
 * `x IS [NOT] UNKNOWN`, `x COLLATE name`, `a[lo:hi]`, and PostgreSQL's own
 * `like_escape` (how `a LIKE b ESCAPE c` is read) and `__bitnot` (prefix `~x`).
 * @module
 */

import { checkCollation } from "../../common/collations.ts";
import { DbError } from "../../common/errors.ts";
import { type SqlType, type, type Value } from "../../common/types.ts";
import { formatValue } from "../../common/value_text.ts";
import { defineFunction } from "./registry.ts";
import { cachedPattern, similarToRegExp } from "./patterns.ts";
import { compareValues } from "./compare.ts";

for (const negate of [false, true]) {
  defineFunction(negate ? "__is_not_distinct_from" : "__is_distinct_from", {
    args: ["anyelement", "anyelement"],
    ret: "bool",
    strict: false,
    impl: (a, _ctx, types) => {
      const x = a[0] ?? null;
      const y = a[1] ?? null;
      const distinct = x === null || y === null ? x !== y : compareValues(x, y, types[0]!) !== 0;
      return distinct !== negate;
    },
  });
}

for (const negate of [false, true]) {
  const name = negate ? "__not_similar_to" : "__similar_to";
  // Keyed by escape and pattern; one entry, as patterns rarely vary per row.
  const match = cachedPattern((key) => {
    const cut = key.indexOf("\u0000");
    return similarToRegExp(key.slice(cut + 1), key.slice(0, cut));
  });
  defineFunction(name, {
    args: ["text", "text"],
    ret: "bool",
    impl: (a) => match("\\\u0000" + (a[1] as string)).test(a[0] as string) !== negate,
  }, {
    args: ["text", "text", "text"],
    ret: "bool",
    impl: (a) => match(`${a[2] as string}\u0000${a[1] as string}`).test(a[0] as string) !== negate,
  });
}

/** `between(x, lo, hi)` with SQL's three-valued AND. */
function between(x: Value, lo: Value, hi: Value, t: SqlType): Value {
  const ge = x === null || lo === null ? null : compareValues(x, lo, t) >= 0;
  const le = x === null || hi === null ? null : compareValues(x, hi, t) <= 0;
  if (ge === false || le === false) return false;
  return ge === null || le === null ? null : true;
}

for (const negate of [false, true]) {
  defineFunction(negate ? "__not_between_symmetric" : "__between_symmetric", {
    args: ["anyelement", "anyelement", "anyelement"],
    ret: "bool",
    strict: false,
    impl: (a, _ctx, types) => {
      const [x = null, lo = null, hi = null] = a;
      const t = types[0]!;
      const one = between(x, lo, hi, t);
      const other = between(x, hi, lo, t);
      const r = one === true || other === true
        ? true
        : one === null || other === null
        ? null
        : false;
      return r === null ? null : r !== negate;
    },
  });
}

for (const negate of [false, true]) {
  defineFunction(negate ? "__is_not_unknown" : "__is_unknown", {
    args: ["bool"],
    ret: "bool",
    strict: false,
    impl: (a) => (a[0] === null) !== negate,
  });
}

defineFunction("__collate", {
  args: ["any", "text"],
  ret: (types) => types[0]!.id === "unknown" ? { id: "text" } : types[0]!,
  strict: false,
  impl: (a) => {
    checkCollation(String(a[1] ?? ""));
    return a[0] ?? null;
  },
});

defineFunction("__slice", {
  args: ["anyarray", "int4", "int4"],
  ret: (types) => types[0]!,
  strict: false,
  impl: (a) => {
    const arr = a[0] as Value[] | null;
    if (arr === null) return null;
    const lo = a[1] === null ? 1 : a[1] as number;
    const hi = a[2] === null ? arr.length : a[2] as number;
    return arr.slice(Math.max(0, lo - 1), Math.max(0, hi));
  },
});

/** Rewrites a LIKE pattern with escape `esc` to the default backslash escape. */
function likeEscape(pattern: string, esc: string): string {
  if (esc === "\\") return pattern;
  if ([...esc].length > 1) {
    throw new DbError("22019", "invalid escape string");
  }
  let out = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (esc !== "" && c === esc) {
      const n = pattern[i + 1];
      if (n === undefined) {
        throw new DbError("22025", "LIKE pattern must not end with escape character");
      }
      out += "\\" + n;
      i++;
    } else out += c === "\\" ? "\\\\" : c;
  }
  return out;
}

defineFunction("like_escape", {
  args: ["text", "text"],
  ret: "text",
  impl: (a) => likeEscape(a[0] as string, a[1] as string),
});

// Prefix `~x`: bitwise NOT of an integer (int2 and int4 stay in range).
defineFunction("__bitnot", { args: ["int2"], ret: "int2", impl: (a) => ~(a[0] as number) }, {
  args: ["int4"],
  ret: "int4",
  impl: (a) => ~(a[0] as number),
}, { args: ["int8"], ret: "int8", impl: (a) => ~(a[0] as bigint) });

// A record of its arguments, each kept as its text (a select-list `jsonb_each(x)`).
defineFunction("__record", {
  args: [],
  variadic: "any",
  ret: "record",
  strict: false,
  volatility: "stable",
  impl: (a, ctx, types) =>
    a.map((v, i) =>
      v === null
        ? null
        : formatValue(v, types[i] ?? type("text"), { timeZone: ctx.session.timeZone })
    ),
});

/**
 * `ROW(a, b) = ROW(c, d)` with SQL's NULL semantics: false when a pair
 * differs, else NULL when a pair has a NULL, else true.
 */
function rowEquals(left: readonly Value[], right: readonly Value[], types: readonly SqlType[]) {
  let sawNull = false;
  for (let i = 0; i < left.length; i++) {
    const x = left[i] ?? null;
    const y = right[i] ?? null;
    if (x === null || y === null) sawNull = true;
    else if (compareValues(x, y, types[i] ?? type("text")) !== 0) return false;
  }
  return sawNull ? null : true;
}

// `ROW(a, b) IN (SELECT x, y ...)`: the left row against the subquery's rows
// (as an array of records), NULL when no row matches and some comparison was NULL.
defineFunction("__row_in", {
  args: [],
  variadic: "any",
  ret: "bool",
  strict: false,
  impl: (a, _ctx, types) => {
    const rows = (a[1] ?? []) as Value[][];
    const left = a[0] ?? null;
    if (rows.length === 0) return false;
    if (left === null) return null;
    const fields = (types[0]?.fields ?? []).map((f) => f.type);
    let sawNull = false;
    for (const r of rows) {
      const eq = rowEquals(left as Value[], r, fields);
      if (eq === true) return true;
      if (eq === null) sawNull = true;
    }
    return sawNull ? null : false;
  },
});

/**
 * `__domain_check(value, ok, domain, constraint, notNull)`: the value of a
 * cast to a domain once the domain's constraint holds (`ok` is its CHECK on
 * the value; NULL passes a CHECK, as in PostgreSQL).
 */
defineFunction("__domain_check", {
  args: ["anyelement", "bool", "text", "text", "bool"],
  ret: (t) => t[0] ?? type("text"),
  strict: false,
  impl: (a) => {
    const [value, ok, domain, constraint, notNull] = a;
    if (value === null && notNull === true) {
      throw new DbError("23502", `domain ${domain} does not allow null values`);
    }
    if (ok === false) {
      throw new DbError(
        "23514",
        `value for domain ${domain} violates check constraint "${constraint}"`,
      );
    }
    return value ?? null;
  },
});
