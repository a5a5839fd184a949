/**
 * What running a statement needs besides the statement itself: its plan
 * (through the engine's plan cache), its parameters converted to their types,
 * its result fields, and an execution context on the session's transaction.
 * Shared by the statement runner and the fast paths.
 * @module
 */
import { DbError } from "../common/errors.ts";
import { type SqlType, type Value } from "../common/types.ts";
import type { ExecContext } from "../exec/context.ts";
import { castValue } from "../exec/coerce.ts";
import { toNumeric } from "../exec/numeric_ops.ts";
import { type PlannedStatement, planStatement } from "../sql/planner.ts";
import { activityFunction, activityRows } from "../sql/pg_catalog/mod.ts";
import { referencedBy } from "../sql/plan/plan_dml.ts";
import type { ParsedStatement } from "../sql/parser_port.ts";
import type { SqlSession } from "./session.ts";
import type { Field, StatementResult } from "./session_api.ts";

/** Plans the engine's plan cache holds before it is emptied. */
const planCacheMax = 2_000;

/** A result of a statement that returns no rows. */
export function result(
  command: string,
  tag = command,
  extra: Partial<StatementResult> = {},
): StatementResult {
  return { command, tag, rowCount: 0, fields: null, rows: [], ...extra };
}

/** Plans (or fetches from the plan cache) a query or DML statement. */
export function planFor(
  s: SqlSession,
  st: ParsedStatement,
  declared: readonly (SqlType | null)[],
): PlannedStatement {
  const catalog = s.catalog;
  const cache = s.engine.planCache;
  // A statement object run again (prepared, or a cached shape) finds its plan without
  // building the text key, as long as the plan cache still holds that plan.
  const last = lastPlan.get(st);
  if (
    last !== undefined && last.version === catalog.version && last.declared === declared &&
    cache.get(last.key) === last.planned
  ) {
    return last.planned;
  }
  const key = `${catalog.version}\u0000${
    declared.map((t) => t?.id ?? "").join(",")
  }\u0000${st.text}`;
  let planned = cache.get(key);
  if (!planned) {
    planned = planStatement(catalog, st.ast, st.text, declared, s.engine.stats);
    if (cache.size >= planCacheMax) cache.clear();
    cache.set(key, planned);
  }
  lastPlan.set(st, { version: catalog.version, declared, key, planned });
  return planned;
}

/** The plan a statement object got last, with what it was looked up by. */
const lastPlan = new WeakMap<ParsedStatement, {
  readonly version: number;
  readonly declared: readonly (SqlType | null)[];
  readonly key: string;
  readonly planned: PlannedStatement;
}>();

/** Converts a client value to the representation of its parameter type. */
export function coerceParam(v: Value, t: SqlType, timeZone = "UTC"): Value {
  if (v === null || v === undefined) return null;
  if (typeof v === "string") {
    return t.id === "text" || t.id === "unknown"
      ? v
      : castValue(v, { id: "unknown" }, t, true, timeZone);
  }
  switch (t.id) {
    case "int8":
      return typeof v === "number" ? BigInt(Math.trunc(v)) : v;
    case "int2":
    case "int4":
      return typeof v === "bigint"
        ? castValue(v, { id: "int8" }, t)
        : typeof v === "boolean"
        ? v
        : castValue(
          v,
          { id: typeof v === "number" && !Number.isInteger(v) ? "float8" : "int4" },
          t,
        );
    case "numeric":
      return typeof v === "number" || typeof v === "bigint" ? toNumeric(v) : v;
    case "float4":
    case "float8":
      return typeof v === "bigint" ? Number(v) : v;
    case "text":
    case "varchar":
      return typeof v === "number" || typeof v === "bigint" || typeof v === "boolean"
        ? String(v)
        : v;
    default:
      return v;
  }
}

/** Result fields per plan, built once (plans are immutable). */
const fieldsCache = new WeakMap<PlannedStatement, Field[] | null>();

/** The result fields of a plan, built once per plan. */
export function fieldsOf(p: PlannedStatement): Field[] | null {
  let fields = fieldsCache.get(p);
  if (fields === undefined) {
    fields = buildFields(p);
    fieldsCache.set(p, fields);
  }
  return fields;
}

function buildFields(p: PlannedStatement): Field[] | null {
  if (!p.columns) return null;
  return p.columns.map((c) => ({
    name: c.name,
    type: c.type,
    tableOid: c.tableOid,
    columnNumber: c.attnum,
  }));
}

/** The parts of an execution context that depend only on the session, made once per session. */
interface SessionTools {
  readonly sequences: ExecContext["sequences"];
  readonly checkCancel: () => void;
  readonly referencedBy: ExecContext["referencedBy"];
  readonly setting: ExecContext["setting"];
  readonly setSetting: (name: string, value: string, local: boolean) => void;
  readonly systemRows: (fn: string) => Value[][] | undefined;
  readonly clockMs: () => number;
}

const toolsOf = new WeakMap<SqlSession, SessionTools>();

function sessionTools(s: SqlSession): SessionTools {
  let tools = toolsOf.get(s);
  if (tools === undefined) toolsOf.set(s, tools = makeSessionTools(s));
  return tools;
}

function makeSessionTools(s: SqlSession): SessionTools {
  const engine = s.engine;
  const seq = (name: string) => {
    const parts = name.split(".");
    const def = s.catalog.findSequence(
      parts.at(-1)!.replace(/"/g, ""),
      parts.length > 1 ? parts[0] : undefined,
    );
    if (!def) throw new DbError("42P01", `relation "${name}" does not exist`);
    return def;
  };
  return {
    sequences: {
      nextval: (name) => {
        const def = seq(name);
        const v = engine.nextval(def.oid, def);
        s.currvals.set(def.oid, v);
        return v;
      },
      currval: (name) => {
        const def = seq(name);
        const v = s.currvals.get(def.oid);
        if (v === undefined) {
          throw new DbError(
            "55000",
            `currval of sequence "${def.name}" is not yet defined in this session`,
          );
        }
        return v;
      },
      setval: (name, value, called) => {
        const def = seq(name);
        return engine.setval(def.oid, value, called, def);
      },
    },
    checkCancel: () => {
      if (s.cancelled) {
        s.cancelled = false;
        throw new DbError(
          "57014",
          s.timedOut
            ? "canceling statement due to statement timeout"
            : "canceling statement due to user request",
        );
      }
    },
    referencedBy: (rel) => referencedBy(s.catalog, rel),
    setting: (name) => s.getSetting(name),
    setSetting: (name, value, local) => s.setConfig(name, value, local),
    systemRows: (fn) =>
      fn === activityFunction
        ? activityRows([...s.engine.sessions.values()].map((x) => x.activity()))
        : undefined,
    clockMs: () => performance.now(),
  };
}

/** Builds an execution context for the session's current transaction. */
export function execContext(
  s: SqlSession,
  params: readonly Value[],
  collect: boolean,
): ExecContext {
  const txn = s.statementTxn();
  const engine = s.engine;
  const tools = sessionTools(s);
  return {
    rs: engine.rs,
    txns: engine.txns,
    txn,
    params,
    outer: [],
    ctes: new Map(),
    sequences: tools.sequences,
    nowMicros: s.statementStartMicros,
    checkCancel: tools.checkCancel,
    referencedBy: tools.referencedBy,
    changes: new Map(),
    stats: collect ? new Map() : null,
    setting: tools.setting,
    setSetting: tools.setSetting,
    systemRows: tools.systemRows,
    sessionId: s.id,
    clockMs: tools.clockMs,
  };
}
