/**
 * A sqllogictest runner with pluggable targets: the embedded engine, and a
 * real PostgreSQL reached with the `pg` client (so the same files can be
 * checked against PostgreSQL 15 in CI).
 *
 * File format (one record per blank-line-separated block):
 *   statement ok | statement error <sqlstate>
 *   <sql>
 *
 *   query <types> [rowsort|nosort]
 *   <sql>
 *   ----
 *   <row: values separated by single spaces; NULL for null; (empty) for "">
 *
 * As in sqllogictest, `skipif <target>` and `onlyif <target>` lines before a
 * record's header limit it to some targets ("thunderdb", "postgresql"); text
 * after `#` on such a line gives the reason.
 */
import { openEngine } from "../../src/engine/engine.ts";
import type { Session } from "../../src/engine/session_api.ts";
import { formatText } from "../../src/exec/values.ts";

/** Outcome of running one SQL text on a target. */
export type TargetResult =
  | { readonly ok: true; readonly rows: string[][] }
  | { readonly ok: false; readonly sqlstate: string; readonly message: string };

/** Something the runner can send SQL to. */
export interface SltTarget {
  readonly name: string;
  run(sql: string): Promise<TargetResult>;
  close(): Promise<void>;
}

/** A `skipif` / `onlyif` line before a record. */
export interface SltCondition {
  readonly kind: "skipif" | "onlyif";
  readonly target: string;
}

/** One record of an slt file. */
export type SltRecord =
  & { readonly conditions: readonly SltCondition[] }
  & (
    | {
      readonly kind: "statement";
      readonly line: number;
      readonly sql: string;
      readonly error: string | null;
    }
    | {
      readonly kind: "query";
      readonly line: number;
      readonly sql: string;
      readonly types: string;
      readonly sort: "rowsort" | "nosort";
      readonly expected: string[];
    }
  );

/** True when the record's conditions let it run on `target`. */
export function appliesTo(record: SltRecord, target: string): boolean {
  return record.conditions.every((c) => (c.kind === "onlyif") === (c.target === target));
}

/**
 * Parses slt text.
 * @throws {Error} on a malformed record
 */
export function parseSlt(text: string): SltRecord[] {
  const lines = text.split("\n");
  const out: SltRecord[] = [];
  let conditions: SltCondition[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!.trim();
    if (line === "" || line.startsWith("#")) {
      i++;
      continue;
    }
    const condition = /^(skipif|onlyif)\s+(\S+)\s*(#.*)?$/.exec(line);
    if (condition) {
      conditions.push({ kind: condition[1] as SltCondition["kind"], target: condition[2]! });
      i++;
      continue;
    }
    const start = i + 1;
    const header = line.split(/\s+/);
    i++;
    const sql: string[] = [];
    while (i < lines.length && lines[i]!.trim() !== "" && lines[i]!.trim() !== "----") {
      sql.push(lines[i++]!);
    }
    const conds = conditions;
    conditions = [];
    if (header[0] === "statement") {
      out.push({
        conditions: conds,
        kind: "statement",
        line: start,
        sql: sql.join("\n"),
        error: header[1] === "error" ? header[2] ?? "" : null,
      });
      continue;
    }
    if (header[0] !== "query") throw new Error(`Line ${start}: unknown record "${line}"`);
    const expected: string[] = [];
    if (lines[i]?.trim() === "----") {
      i++;
      while (i < lines.length && lines[i]!.trim() !== "") expected.push(lines[i++]!.trimEnd());
    }
    out.push({
      conditions: conds,
      kind: "query",
      line: start,
      sql: sql.join("\n"),
      types: header[1] ?? "",
      sort: header[2] === "rowsort" ? "rowsort" : "nosort",
      expected,
    });
  }
  return out;
}

function cell(v: string | null): string {
  if (v === null) return "NULL";
  if (v === "") return "(empty)";
  return v;
}

/** Runs records against a target; returns failure descriptions (empty when all pass). */
export async function runSlt(
  records: readonly SltRecord[],
  target: SltTarget,
  file: string,
): Promise<string[]> {
  const failures: string[] = [];
  for (const r of records) {
    if (!appliesTo(r, target.name)) continue;
    const res = await target.run(r.sql);
    const where = `${file}:${r.line} [${target.name}]`;
    if (r.kind === "statement") {
      if (r.error === null && !res.ok) {
        failures.push(`${where}: expected ok, got ${res.sqlstate} ${res.message}\n  ${r.sql}`);
      }
      if (r.error !== null) {
        if (res.ok) failures.push(`${where}: expected error ${r.error}, got ok\n  ${r.sql}`);
        else if (r.error !== "" && res.sqlstate !== r.error) {
          failures.push(
            `${where}: expected ${r.error}, got ${res.sqlstate} ${res.message}\n  ${r.sql}`,
          );
        }
      }
      continue;
    }
    if (!res.ok) {
      failures.push(`${where}: query failed with ${res.sqlstate} ${res.message}\n  ${r.sql}`);
      continue;
    }
    let got = res.rows.map((row) => row.join(" "));
    let expected = r.expected;
    if (r.sort === "rowsort") {
      got = [...got].sort();
      expected = [...expected].sort();
    }
    if (got.join("\n") !== expected.join("\n")) {
      failures.push(
        `${where}: result mismatch\n  ${r.sql}\n  expected:\n    ${
          expected.join("\n    ")
        }\n  got:\n    ${got.join("\n    ")}`,
      );
    }
  }
  return failures;
}

/** The embedded engine as a target (a fresh in-memory database). */
export class EmbeddedTarget implements SltTarget {
  readonly name = "thunderdb";
  private constructor(
    readonly engine: Awaited<ReturnType<typeof openEngine>>,
    readonly session: Session,
  ) {}

  static async create(): Promise<EmbeddedTarget> {
    const engine = await openEngine({ memory: true });
    return new EmbeddedTarget(engine, engine.openSession());
  }

  async run(sql: string): Promise<TargetResult> {
    try {
      const results = await this.session.execute(sql);
      const last = results[results.length - 1]!;
      const fields = last.fields ?? [];
      return {
        ok: true,
        rows: last.rows.map((row) => row.map((v, i) => cell(formatText(v, fields[i]!.type)))),
      };
    } catch (e) {
      const err = e as { sqlstate?: string; message?: string };
      return { ok: false, sqlstate: err.sqlstate ?? "XX000", message: err.message ?? String(e) };
    }
  }

  async close(): Promise<void> {
    await this.engine.close();
  }
}

/** A real PostgreSQL as a target, through the `pg` client, in a fresh database. */
export class PostgresTarget implements SltTarget {
  readonly name = "postgresql";
  private constructor(
    readonly client: { query(q: unknown): Promise<{ rows: unknown[][] }>; end(): Promise<void> },
  ) {}

  /** Connects to `url` (e.g. postgres://user@127.0.0.1:port/db). */
  static async connect(url: string): Promise<PostgresTarget> {
    const pg = (await import("pg")).default;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    return new PostgresTarget(client as unknown as PostgresTarget["client"]);
  }

  async run(sql: string): Promise<TargetResult> {
    try {
      const r = await this.client.query({
        text: sql,
        rowMode: "array",
        types: { getTypeParser: () => (v: string) => v },
      });
      const last = Array.isArray(r) ? r[r.length - 1] : r;
      return {
        ok: true,
        rows: (last.rows ?? []).map((row: unknown[]) => row.map((v) => cell(v as string | null))),
      };
    } catch (e) {
      const err = e as { code?: string; message?: string };
      return { ok: false, sqlstate: err.code ?? "XX000", message: err.message ?? String(e) };
    }
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}
