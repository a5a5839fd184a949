/**
 * COPY ... FROM STDIN / TO STDOUT through the session's `CopyPort`, and
 * VACUUM / ANALYZE. COPY FROM plans one `INSERT ... VALUES ($1, ...)` for the
 * target columns and runs its source per row, so rows get the same defaults,
 * sequences and casts as INSERT, without planning per row; the rows are then
 * checked and written in batches (`insertBatch`: many rows per
 * mini-transaction and WAL record), with INSERT's constraint checks. Errors
 * about a row carry PostgreSQL's CONTEXT, `COPY t, line N`; the protocol's
 * decoder adds the column and value to conversion errors.
 * @module
 */
import { baseType } from "../exec/functions/type_rules.ts";
import type * as pg from "pgsql-ast-parser";
import { DbError } from "../common/errors.ts";
import type { SqlType, Value } from "../common/types.ts";
import { insertBatch } from "../exec/run_dml.ts";
import { runPlan } from "../exec/run_select.ts";
import type { ExtCopy } from "../sql/parse/ext_ast.ts";
import { type ExtensionStatement, type ParsedStatement, parseOne } from "../sql/parser_port.ts";
import type { RelationDef } from "../sql/catalog/catalog.ts";
import type { SqlSession } from "./session.ts";
import type { CopyPort, CopySpec, StatementResult } from "./session_api.ts";
import { execContext, planFor } from "./statement_context.ts";
import { waitForMovers } from "./relation_waits.ts";

/** Rows COPY FROM converts before writing them in one bulk insert. */
const copyBatchRows = 1_000;

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function copyResult(count: number): StatementResult {
  return { command: "COPY", tag: `COPY ${count}`, rowCount: count, fields: null, rows: [] };
}

/** Builds the wire layout of a COPY from its options. */
export function copySpec(
  copy: ExtCopy,
  types: readonly SqlType[],
  names: readonly string[],
): CopySpec {
  const opt = new Map(copy.options.map((o) => [o.name.toLowerCase(), o.value]));
  const format = (opt.get("format") ?? "text")?.toLowerCase() ?? "text";
  if (format !== "text" && format !== "csv" && format !== "binary") {
    throw new DbError("22023", `COPY format "${format}" not recognized`);
  }
  const header = opt.has("header") && !/^(false|off|0)$/i.test(opt.get("header") ?? "true");
  if (header && format !== "csv" && copy.direction === "from" && format === "binary") {
    throw new DbError("0A000", "cannot specify HEADER in BINARY mode");
  }
  const spec: {
    -readonly [K in keyof CopySpec]: CopySpec[K];
  } = { format, columns: types.length, types, header, headerNames: names };
  const delimiter = opt.get("delimiter");
  if (delimiter !== undefined && delimiter !== null) {
    if (delimiter.length !== 1) {
      throw new DbError("0A000", "COPY delimiter must be a single one-byte character");
    }
    spec.delimiter = delimiter;
  }
  const nul = opt.get("null");
  if (nul !== undefined && nul !== null) spec.null = nul;
  const quote = opt.get("quote");
  if (quote !== undefined && quote !== null) spec.quote = quote;
  const escape = opt.get("escape");
  if (escape !== undefined && escape !== null) spec.escape = escape;
  return spec;
}

function portOf(s: SqlSession, copy: ExtCopy): CopyPort {
  const t = copy.target;
  if (t.kind === "file" || t.kind === "program") {
    const role = t.kind === "program"
      ? "pg_execute_server_program"
      : copy.direction === "from"
      ? "pg_read_server_files"
      : "pg_write_server_files";
    const what = t.kind === "program" ? "an external program" : "a file";
    throw new DbError(
      "42501",
      `must be superuser or have privileges of the ${role} role to COPY ${copy.direction} ${what}`,
    );
  }
  if (!s.copyPort) {
    throw new DbError(
      "0A000",
      `COPY ${
        copy.direction === "from" ? "FROM STDIN" : "TO STDOUT"
      } is not supported through the embedded API`,
    );
  }
  return s.copyPort;
}

function targetColumns(rel: RelationDef, names: readonly string[] | null): string[] {
  const live = rel.columns.filter((c) => !c.dropped);
  if (!names) return live.map((c) => c.name);
  for (const n of names) {
    if (!live.some((c) => c.name === n)) {
      throw new DbError("42703", `column "${n}" of relation "${rel.name}" does not exist`);
    }
  }
  return [...names];
}

/**
 * Runs a COPY statement.
 * @throws {DbError} 42501 for server files, 0A000 without a copy port, and INSERT's errors
 */
export async function runCopy(s: SqlSession, copy: ExtCopy): Promise<StatementResult> {
  const port = portOf(s, copy);
  if (copy.direction === "from") return await copyFrom(s, port, copy);
  return await copyTo(s, port, copy);
}

async function copyFrom(s: SqlSession, port: CopyPort, copy: ExtCopy): Promise<StatementResult> {
  if (copy.where) throw new DbError("0A000", "COPY FROM ... WHERE is not supported");
  if (!copy.table) throw new DbError("42601", "COPY FROM needs a table");
  const rel = s.catalog.relation(copy.table.name, copy.table.schema);
  if (rel.kind !== "table") {
    throw new DbError("42809", `cannot copy to view "${rel.name}"`);
  }
  if (await waitForMovers(s, [rel.oid])) return await copyFrom(s, port, copy);
  const cols = targetColumns(rel, copy.columns);
  // The decoder fits values to each column's modifiers (varchar(n), numeric(p,s), char(n)) and
  // passes them on as their base type: the INSERT's parameters carry no modifiers.
  const columnTypes = cols.map((n) => rel.columns.find((c) => c.name === n && !c.dropped)!.type);
  const types = columnTypes.map(baseType);
  const text = `INSERT INTO ${quoteIdent(rel.schema)}.${quoteIdent(rel.name)} (${
    cols.map(quoteIdent).join(", ")
  }) VALUES (${cols.map((_, i) => `$${i + 1}`).join(", ")})`;
  const plan = planFor(s, parseOne(text, 0), types).plan;
  const params: Value[] = new Array<Value>(cols.length).fill(null);
  const ctx = execContext(s, params, false);
  if (ctx.txn.readOnly) {
    throw new DbError("25006", "cannot execute COPY FROM in a read-only transaction");
  }
  if (plan.kind !== "insert") throw new DbError("XX000", "COPY FROM planned no INSERT");
  const spec = { ...copySpec(copy, columnTypes, cols), relation: rel.name };
  // PostgreSQL counts lines from 1, the CSV header line included; each row is one line.
  let line = spec.header ? 1 : 0;
  let count = 0;
  let pending: Value[][] = [];
  let firstLine = line + 1;
  const where = (row: number) => `COPY ${rel.name}, line ${firstLine + row}`;
  for await (const batch of port.copyIn(spec)) {
    ctx.checkCancel();
    for (const row of batch) {
      line++;
      if (row.length !== cols.length) {
        throw new DbError("22P04", `row has ${row.length} columns, expected ${cols.length}`);
      }
      for (let i = 0; i < row.length; i++) params[i] = row[i] ?? null;
      // The INSERT's source adds defaults, sequence values and casts per row.
      try {
        for (const values of runPlan(plan.source, ctx)) pending.push(values);
      } catch (e) {
        throw withContext(e, `COPY ${rel.name}, line ${line}`);
      }
      if (pending.length >= copyBatchRows) {
        count += await insertBatch(plan, pending, ctx, where);
        pending = [];
        firstLine = line + 1;
      }
    }
  }
  if (pending.length > 0) count += await insertBatch(plan, pending, ctx, where);
  s.addChanges(ctx.changes);
  return copyResult(count);
}

/** Sets a DbError's CONTEXT unless it has one; returns the error to throw. */
function withContext(e: unknown, context: string): unknown {
  if (e instanceof DbError && e.context === undefined) e.context = context;
  return e;
}

async function copyTo(s: SqlSession, port: CopyPort, copy: ExtCopy): Promise<StatementResult> {
  let st: ParsedStatement;
  if (copy.query) {
    if (!("type" in copy.query)) {
      throw new DbError("0A000", "COPY of this query form is not supported");
    }
    const ast = copy.query as pg.Statement;
    st = { text: `/* copy */ ${JSON.stringify(ast)}`, offset: 0, ast };
  } else {
    if (!copy.table) throw new DbError("42601", "COPY TO needs a table or a query");
    const rel = s.catalog.relation(copy.table.name, copy.table.schema);
    const cols = targetColumns(rel, copy.columns);
    st = parseOne(
      `SELECT ${cols.map(quoteIdent).join(", ")} FROM ${quoteIdent(rel.schema)}.${
        quoteIdent(rel.name)
      }`,
      0,
    );
  }
  const p = planFor(s, st, []);
  if (await waitForMovers(s, p.relations)) return await copyTo(s, port, copy);
  if (p.command !== "SELECT" || !p.columns) {
    throw new DbError("0A000", "COPY query must be a SELECT");
  }
  const rows = runPlan(p.plan, execContext(s, [], false));
  const spec = copySpec(copy, p.columns.map((c) => c.type), p.columns.map((c) => c.name));
  async function* batches(): AsyncIterable<readonly (readonly Value[])[]> {
    const step = 1_000;
    for (let i = 0; i < rows.length; i += step) {
      await Promise.resolve();
      yield rows.slice(i, i + step);
    }
  }
  const sent = await port.copyOut(spec, batches());
  return copyResult(sent);
}

/**
 * Runs VACUUM [ANALYZE] / ANALYZE on the named tables, or on all tables,
 * once no other transaction is rewriting them.
 */
export async function runVacuum(
  s: SqlSession,
  ext: Extract<ExtensionStatement, { kind: "vacuum" }>,
): Promise<StatementResult> {
  if (ext.vacuum && s.inBlock) {
    throw new DbError("25001", "VACUUM cannot run inside a transaction block");
  }
  const tables = () =>
    ext.tables.length
      ? ext.tables.map((t) => s.catalog.relation(t.name, t.schema))
      : [...s.catalog.relations.values()].filter((r) => r.kind === "table");
  let rels = tables();
  if (await waitForMovers(s, rels.map((r) => r.oid))) rels = tables();
  for (const rel of rels) {
    if (ext.vacuum) s.engine.vacuum(rel.oid);
    if (ext.analyze || !ext.vacuum) s.engine.analyze(rel.oid);
  }
  const tag = ext.vacuum ? "VACUUM" : "ANALYZE";
  return { command: tag, tag, rowCount: 0, fields: null, rows: [] };
}
