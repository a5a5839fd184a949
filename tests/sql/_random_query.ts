/**
 * A seeded random query generator for differential testing of ThunderDB
 * against PostgreSQL: small tables with NULLs, duplicates and skewed values,
 * and queries with filters, inner/left joins, GROUP BY aggregates and an
 * ORDER BY over every output column. Queries are plain data so a mismatch can
 * be shrunk to a minimal reproducer.
 */

/** A deterministic PRNG (mulberry32). */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
}

/** A column of a generated table. */
export interface Column {
  readonly name: string;
  readonly type: "int" | "text";
}

/** A generated table with its rows (null for SQL NULL). */
export interface Table {
  readonly name: string;
  readonly columns: readonly Column[];
  readonly rows: readonly (readonly (number | string | null)[])[];
}

const TEXTS = ["a", "b", "ab", "ba", "abc", "B", "x", "xy"];

function intValue(rng: Rng): number | null {
  const r = rng.next();
  if (r < 0.15) return null;
  if (r < 0.45) return 1; // skew: one hot value
  if (r < 0.6) return rng.int(-3, 3);
  return rng.int(0, 20);
}

function textValue(rng: Rng): string | null {
  const r = rng.next();
  if (r < 0.15) return null;
  if (r < 0.4) return "a";
  return rng.pick(TEXTS);
}

/**
 * Builds the tables used by the generator (deterministic for a seed). Sizes:
 * a three-way join on the hot value grows with the cube of the row count, so
 * the largest table has 120 rows (200 gave 10^5-row results that were half of
 * a run's time while comparing nothing the smaller cubes do not).
 */
export function makeTables(rng: Rng): Table[] {
  const specs: [string, number, Column[]][] = [
    ["t1", 120, [{ name: "a", type: "int" }, { name: "b", type: "int" }, {
      name: "c",
      type: "text",
    }]],
    ["t2", 120, [{ name: "a", type: "int" }, { name: "b", type: "int" }, {
      name: "c",
      type: "text",
    }]],
    ["t3", 40, [{ name: "a", type: "int" }, { name: "d", type: "int" }]],
    ["t4", 20, [{ name: "b", type: "int" }, { name: "c", type: "text" }]],
  ];
  return specs.map(([name, count, columns]) => ({
    name,
    columns,
    rows: Array.from(
      { length: count },
      () => columns.map((c) => c.type === "int" ? intValue(rng) : textValue(rng)),
    ),
  }));
}

/** SQL statements creating and filling the tables. */
export function setupSql(tables: readonly Table[]): string[] {
  const lit = (v: number | string | null) =>
    v === null ? "NULL" : typeof v === "number" ? String(v) : `'${v}'`;
  return tables.flatMap((t) => [
    `CREATE TABLE ${t.name} (${t.columns.map((c) => `${c.name} ${c.type}`).join(", ")})`,
    `INSERT INTO ${t.name} VALUES ${t.rows.map((r) => `(${r.map(lit).join(", ")})`).join(", ")}`,
  ]);
}

/** A column reference: table alias and column. */
export interface ColRef {
  readonly alias: string;
  readonly column: Column;
}

/** A WHERE/ON/HAVING conjunct, already rendered, with the aliases it uses. */
export interface Pred {
  readonly sql: string;
  readonly aliases: readonly string[];
}

/** A join onto the query. */
export interface Join {
  readonly kind: "JOIN" | "LEFT JOIN";
  readonly table: string;
  readonly alias: string;
  readonly on: Pred;
}

/** An output expression (a column or an aggregate). */
export interface OutExpr {
  readonly sql: string;
  readonly aliases: readonly string[];
  readonly aggregate: boolean;
}

/** A generated query as data (rendered by `renderQuery`). */
export interface Query {
  readonly from: { readonly table: string; readonly alias: string };
  readonly joins: readonly Join[];
  readonly where: readonly Pred[];
  readonly select: readonly OutExpr[];
  /** Grouped query: the non-aggregate outputs form the GROUP BY. */
  readonly grouped: boolean;
  readonly having: readonly Pred[];
  readonly limit: number | null;
}

function colSql(c: ColRef): string {
  return `${c.alias}.${c.column.name}`;
}

function predicate(rng: Rng, cols: readonly ColRef[]): Pred {
  const c = rng.pick(cols);
  const s = colSql(c);
  const r = rng.next();
  let sql: string;
  if (r < 0.1) sql = `${s} IS NULL`;
  else if (r < 0.2) sql = `${s} IS NOT NULL`;
  else if (c.column.type === "int") {
    const k = rng.int(-2, 12);
    const r2 = rng.next();
    if (r2 < 0.5) sql = `${s} ${rng.pick(["=", "<>", "<", "<=", ">", ">="])} ${k}`;
    else if (r2 < 0.65) sql = `${s} IN (${k}, ${rng.int(0, 3)}, 1)`;
    else if (r2 < 0.8) sql = `${s} BETWEEN ${k - 3} AND ${k}`;
    else sql = `(${s} = ${k} OR ${s} < ${rng.int(-3, 3)})`;
  } else {
    const r2 = rng.next();
    if (r2 < 0.4) sql = `${s} ${rng.pick(["=", "<>", "<", ">="])} '${rng.pick(TEXTS)}'`;
    else if (r2 < 0.7) sql = `${s} LIKE '${rng.pick(["a%", "%b", "_", "%"])}'`;
    else sql = `${s} IN ('a', '${rng.pick(TEXTS)}')`;
  }
  return { sql, aliases: [c.alias] };
}

/** Generates one random query over `tables`. */
export function generateQuery(rng: Rng, tables: readonly Table[]): Query {
  const base = rng.pick(tables);
  const cols: ColRef[] = base.columns.map((column) => ({ alias: "r0", column }));
  const joins: Join[] = [];
  const nJoins = rng.pick([0, 0, 1, 1, 2]);
  for (let i = 1; i <= nJoins; i++) {
    const t = rng.pick(tables);
    const alias = `r${i}`;
    const mine = t.columns.map((column) => ({ alias, column }));
    const left = rng.pick(cols);
    const candidates = mine.filter((m) => m.column.type === left.column.type);
    const right = candidates.length > 0 ? rng.pick(candidates) : null;
    if (right === null) continue;
    joins.push({
      kind: rng.next() < 0.5 ? "JOIN" : "LEFT JOIN",
      table: t.name,
      alias,
      on: { sql: `${colSql(left)} = ${colSql(right)}`, aliases: [left.alias, alias] },
    });
    cols.push(...mine);
  }
  const where = Array.from({ length: rng.int(0, 3) }, () => predicate(rng, cols));
  const grouped = rng.next() < 0.45;
  const select: OutExpr[] = [];
  const nCols = rng.int(grouped ? 0 : 1, grouped ? 2 : 3);
  for (let i = 0; i < nCols; i++) {
    const c = rng.pick(cols);
    if (!select.some((e) => e.sql === colSql(c))) {
      select.push({ sql: colSql(c), aliases: [c.alias], aggregate: false });
    }
  }
  const having: Pred[] = [];
  if (grouped) {
    const nAggs = rng.int(1, 3);
    for (let i = 0; i < nAggs; i++) {
      const c = rng.pick(cols);
      const ints = cols.filter((x) => x.column.type === "int");
      const fn = rng.pick(["count(*)", "count", "sum", "min", "max"]);
      if (fn === "count(*)") select.push({ sql: "count(*)", aliases: [], aggregate: true });
      else if (fn === "sum" && ints.length > 0) {
        const ic = rng.pick(ints);
        select.push({ sql: `sum(${colSql(ic)})`, aliases: [ic.alias], aggregate: true });
      } else {
        const f = fn === "sum" ? "count" : fn;
        select.push({ sql: `${f}(${colSql(c)})`, aliases: [c.alias], aggregate: true });
      }
    }
    if (select.some((e) => !e.aggregate) && rng.next() < 0.3) {
      having.push({ sql: `count(*) > ${rng.int(0, 3)}`, aliases: [] });
    }
  }
  const limit = !grouped && rng.next() < 0.2 ? rng.int(0, 10) : null;
  return { from: { table: base.name, alias: "r0" }, joins, where, select, grouped, having, limit };
}

/** Renders a query; ORDER BY covers every output column so order is deterministic. */
export function renderQuery(q: Query): string {
  const parts = [`SELECT ${q.select.map((e) => e.sql).join(", ")}`];
  parts.push(`FROM ${q.from.table} ${q.from.alias}`);
  for (const j of q.joins) parts.push(`${j.kind} ${j.table} ${j.alias} ON ${j.on.sql}`);
  if (q.where.length > 0) parts.push(`WHERE ${q.where.map((p) => p.sql).join(" AND ")}`);
  const keys = q.select.filter((e) => !e.aggregate).map((e) => e.sql);
  if (q.grouped && keys.length > 0) parts.push(`GROUP BY ${keys.join(", ")}`);
  if (q.having.length > 0) parts.push(`HAVING ${q.having.map((p) => p.sql).join(" AND ")}`);
  parts.push(`ORDER BY ${q.select.map((_, i) => String(i + 1)).join(", ")}`);
  if (q.limit !== null) parts.push(`LIMIT ${q.limit}`);
  return parts.join(" ");
}

function without<T>(items: readonly T[], i: number): T[] {
  return [...items.slice(0, i), ...items.slice(i + 1)];
}

function dropAlias(q: Query, alias: string): Query {
  const keep = (x: { aliases: readonly string[] }) => !x.aliases.includes(alias);
  const dependent = q.joins.find((j) => j.alias !== alias && j.on.aliases.includes(alias));
  const next: Query = {
    ...q,
    joins: q.joins.filter((j) => j.alias !== alias),
    where: q.where.filter(keep),
    select: q.select.filter(keep),
    having: q.having.filter(keep),
  };
  return dependent ? dropAlias(next, dependent.alias) : next;
}

/** Candidate one-step simplifications of a query (each still valid SQL). */
export function shrinkSteps(q: Query): Query[] {
  const out: Query[] = [];
  if (q.limit !== null) out.push({ ...q, limit: null });
  for (let i = q.joins.length - 1; i >= 0; i--) out.push(dropAlias(q, q.joins[i]!.alias));
  for (let i = 0; i < q.where.length; i++) out.push({ ...q, where: without(q.where, i) });
  for (let i = 0; i < q.having.length; i++) out.push({ ...q, having: without(q.having, i) });
  for (let i = 0; i < q.select.length; i++) out.push({ ...q, select: without(q.select, i) });
  return out.filter((c) =>
    c.select.length > 0 && (!c.grouped || c.select.some((e) => e.aggregate)) &&
    (c.having.length === 0 || c.select.some((e) => !e.aggregate))
  );
}

/**
 * Greedily shrinks `q` while `fails` stays true; returns the smallest
 * failing query found.
 */
export async function shrink(q: Query, fails: (q: Query) => Promise<boolean>): Promise<Query> {
  let cur = q;
  for (let progress = true; progress;) {
    progress = false;
    for (const c of shrinkSteps(cur)) {
      if (await fails(c)) {
        cur = c;
        progress = true;
        break;
      }
    }
  }
  return cur;
}
