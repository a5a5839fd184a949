/**
 * The object-identifier alias types `regclass`, `regtype`, `regproc` and
 * `regnamespace`. Their values are OIDs (numbers), so they compare and join
 * with `oid` columns; names appear only where PostgreSQL's input and output
 * functions would look them up: a cast from text resolves a name to its OID,
 * and a cast to text or a result column shows the name. Both lookups read the
 * catalog when the query is planned (plans are cached per catalog version),
 * as constants or as a CASE over the catalog's objects.
 * @module
 */
import { DbError } from "../../common/errors.ts";
import { type SqlType, type as scalar, type TypeId, type Value } from "../../common/types.ts";
import type { BoundExpr, PlanNode } from "../../exec/plan.ts";
import { formatTypeName } from "../../exec/builtins_helpers.ts";
import type { Catalog } from "../catalog/catalog.ts";
import { quoteIdent } from "./defs.ts";
import { builtinTypes } from "./type_table.ts";

const regIds: ReadonlySet<TypeId> = new Set(["regclass", "regtype", "regproc", "regnamespace"]);
const textIds: ReadonlySet<TypeId> = new Set(["text", "varchar", "bpchar", "name", "unknown"]);
const numberIds: ReadonlySet<TypeId> = new Set(["int2", "int4", "int8", "oid"]);

/** True for regclass, regtype, regproc and regnamespace. */
export function isRegType(t: SqlType): boolean {
  return regIds.has(t.id);
}

/** System catalogs that are referenced by OID (`classoid = 'pg_class'::regclass`). */
const systemRelations: readonly (readonly [number, string])[] = [
  [1247, "pg_type"],
  [1249, "pg_attribute"],
  [1255, "pg_proc"],
  [1259, "pg_class"],
  [1260, "pg_authid"],
  [1262, "pg_database"],
  [1213, "pg_tablespace"],
  [2224, "pg_sequence"],
  [2601, "pg_am"],
  [2604, "pg_attrdef"],
  [2606, "pg_constraint"],
  [2608, "pg_depend"],
  [2609, "pg_description"],
  [2610, "pg_index"],
  [2611, "pg_inherits"],
  [2615, "pg_namespace"],
  [2618, "pg_rewrite"],
  [2620, "pg_trigger"],
  [3079, "pg_extension"],
  [3456, "pg_collation"],
];

/** Functions that catalog rows refer to (`pg_am.amhandler`) or tools name. */
const systemProcs: readonly (readonly [number, string])[] = [
  [3, "heap_tableam_handler"],
  [42, "int4in"],
  [43, "int4out"],
  [330, "bthandler"],
  [1299, "now"],
  [1574, "nextval"],
];

/** OID → name as the type's output function prints it, for every object. */
function outputNames(id: TypeId, catalog: Catalog): Map<number, string> {
  const out = new Map<number, string>();
  switch (id) {
    case "regclass": {
      const shown = (schema: string, name: string) =>
        schema === "public" || schema === "pg_catalog"
          ? quoteIdent(name)
          : `${quoteIdent(schema)}.${quoteIdent(name)}`;
      for (const [oid, name] of systemRelations) out.set(oid, name);
      for (const r of catalog.relations.values()) out.set(r.oid, shown(r.schema, r.name));
      for (const i of catalog.indexes.values()) {
        const schema = catalog.relations.get(i.table)?.schema ?? "public";
        out.set(i.oid, shown(schema, i.name));
      }
      for (const s of catalog.sequences.values()) out.set(s.oid, shown(s.schema, s.name));
      break;
    }
    case "regtype":
      for (const t of builtinTypes) {
        const known = formatTypeName(t.oid, -1);
        const name = known === "???" ? t.name : known;
        out.set(t.oid, name);
        if (t.arrayOid > 0) out.set(t.arrayOid, `${name}[]`);
      }
      for (const e of catalog.enums.values()) {
        out.set(e.oid, quoteIdent(e.name));
        out.set(e.arrayOid, `${quoteIdent(e.name)}[]`);
      }
      for (const r of catalog.relations.values()) {
        if (r.rowTypeOid !== undefined) out.set(r.rowTypeOid, quoteIdent(r.name));
      }
      break;
    case "regproc":
      for (const [oid, name] of systemProcs) out.set(oid, name);
      break;
    case "regnamespace":
      for (const [name, oid] of catalog.schemas) out.set(oid, quoteIdent(name));
      break;
    default:
      break;
  }
  return out;
}

/** Splits `a.b` / `"A"."b"` into identifiers, folding unquoted ones to lower case. */
function identifiers(text: string): string[] | null {
  const parts: string[] = [];
  const re = /\s*(?:"((?:[^"]|"")*)"|([^."\s]+))\s*(\.|$)/y;
  let m: RegExpExecArray | null;
  while (re.lastIndex < text.length && (m = re.exec(text))) {
    parts.push(m[1] !== undefined ? m[1].replaceAll('""', '"') : m[2]!.toLowerCase());
    if (m[3] === "") break;
  }
  return re.lastIndex >= text.trim().length || parts.length > 0 ? parts : null;
}

function resolveClass(text: string, catalog: Catalog): number {
  const parts = identifiers(text) ?? [];
  const [schema, name] = parts.length === 2 ? parts : [undefined, parts[0]];
  if (name !== undefined && parts.length <= 2) {
    if (schema === undefined || schema === "pg_catalog") {
      const sys = systemRelations.find(([, n]) => n === name);
      if (sys) return sys[0];
    }
    const rel = catalog.findRelation(name, schema);
    if (rel) return rel.oid;
    for (const i of catalog.indexes.values()) {
      const s = catalog.relations.get(i.table)?.schema ?? "public";
      if (i.name === name && (schema ?? "public") === s) return i.oid;
    }
    for (const q of catalog.sequences.values()) {
      if (q.name === name && (schema ?? "public") === q.schema) return q.oid;
    }
  }
  throw new DbError("42P01", `relation "${text}" does not exist`);
}

/** Type names PostgreSQL accepts besides pg_type's and format_type's. */
const typeAliases: Readonly<Record<string, string>> = {
  int: "int4",
  decimal: "numeric",
  float: "float8",
  char: "bpchar",
  timestamp: "timestamp without time zone",
  time: "time without time zone",
};

function resolveTypeName(text: string, catalog: Catalog): number {
  let t = text.trim().toLowerCase().replace(/^pg_catalog\./, "").replace(/\(.*?\)/, "");
  t = t.replace(/\s+/g, " ").trim();
  let array = false;
  if (t.endsWith("[]")) [t, array] = [t.slice(0, -2).trim(), true];
  else if (t.startsWith("_")) [t, array] = [t.slice(1), true];
  t = typeAliases[t] ?? t;
  const base = builtinTypes.find((b) => b.name === t) ??
    builtinTypes.find((b) => outputNames("regtype", catalog).get(b.oid) === t);
  const user = base ? undefined : identifiers(t.replace(/^public\./, "")) ?? [];
  const e = user && user.length === 1 ? catalog.findEnum(user[0]!) : undefined;
  const oid = array ? (base?.arrayOid ?? e?.arrayOid) : (base?.oid ?? e?.oid);
  if (!oid) throw new DbError("42704", `type "${text}" does not exist`);
  return oid;
}

/**
 * The OID a name denotes, as the type's input function resolves it.
 * @throws {DbError} 42P01, 42704, 42883, 3F000 when there is no such object
 */
export function resolveRegName(id: TypeId, text: string, catalog: Catalog): number {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  if (trimmed === "-") return 0;
  switch (id) {
    case "regclass":
      return resolveClass(trimmed, catalog);
    case "regtype":
      return resolveTypeName(trimmed, catalog);
    case "regnamespace": {
      const name = identifiers(trimmed)?.[0] ?? trimmed;
      const oid = catalog.schemas.get(name);
      if (oid === undefined) throw new DbError("3F000", `schema "${text}" does not exist`);
      return oid;
    }
    default: {
      const name = identifiers(trimmed)?.at(-1) ?? trimmed;
      const proc = systemProcs.find(([, n]) => n === name);
      if (!proc) throw new DbError("42883", `function "${text}" does not exist`);
      return proc[0];
    }
  }
}

function constant(value: Value, type: SqlType): BoundExpr {
  return { kind: "const", value, type };
}

/** The text PostgreSQL prints for an OID of a reg* type: its name, `-` for 0, else the number. */
function nameOf(names: ReadonlyMap<number, string>, oid: number): string {
  return names.get(oid) ?? (oid === 0 ? "-" : String(oid));
}

/** `arg` as the name its reg* OID denotes, typed `type`. */
function nameExpr(arg: BoundExpr, names: ReadonlyMap<number, string>, type: SqlType): BoundExpr {
  const text = scalar("text");
  if (arg.kind === "const") {
    return constant(arg.value === null ? null : nameOf(names, Number(arg.value)), type);
  }
  const oid = scalar("oid");
  return {
    kind: "case",
    operand: { kind: "cast", arg, from: arg.type, type: oid },
    whens: [...names, ...(names.has(0) ? [] : [[0, "-"] as const])].map(([k, v]) => ({
      when: constant(k, oid),
      then: constant(v, text),
    })),
    otherwise: { kind: "cast", arg, from: arg.type, type: text },
    type,
  };
}

/** `arg` (text) resolved to an OID at run time: a CASE over every object's names. */
function oidExpr(arg: BoundExpr, to: SqlType, catalog: Catalog): BoundExpr {
  const whens: { when: BoundExpr; then: BoundExpr }[] = [];
  const text = scalar("text");
  for (const [oid, name] of outputNames(to.id, catalog)) {
    const spellings = new Set([name, name.replaceAll('"', "")]);
    if (to.id === "regclass" && !name.includes(".")) spellings.add(`public.${name}`);
    for (const s of spellings) whens.push({ when: constant(s, text), then: constant(oid, to) });
  }
  return {
    kind: "case",
    operand: { kind: "cast", arg, from: arg.type, type: text },
    whens,
    otherwise: constant(null, to),
    type: to,
  };
}

/**
 * Binds a cast to or from a reg* type; undefined when neither side is one.
 * @throws {DbError} 42P01, 42704, 3F000, 42883 for a constant name that denotes nothing
 */
export function bindRegCast(
  arg: BoundExpr,
  to: SqlType,
  catalog: Catalog,
): BoundExpr | undefined {
  if (isRegType(to)) {
    if (arg.kind === "const") {
      const v = arg.value;
      if (v === null) return constant(null, to);
      if (typeof v === "string") return constant(resolveRegName(to.id, v, catalog), to);
      if (typeof v === "number" || typeof v === "bigint") return constant(Number(v), to);
    }
    if (textIds.has(arg.type.id)) return oidExpr(arg, to, catalog);
    if (numberIds.has(arg.type.id) || isRegType(arg.type)) {
      return { kind: "cast", arg, from: arg.type, type: to };
    }
    return undefined;
  }
  if (isRegType(arg.type) && textIds.has(to.id)) {
    return nameExpr(arg, outputNames(arg.type.id, catalog), to);
  }
  return undefined;
}

/**
 * Wraps a query's plan so reg* result columns carry names, as PostgreSQL's
 * output functions print them; other plans are returned as they are.
 */
export function regOutput(
  plan: PlanNode,
  types: readonly SqlType[],
  catalog: Catalog,
): PlanNode {
  if (!types.some(isRegType)) return plan;
  const exprs = types.map((type, index): BoundExpr => {
    const column: BoundExpr = { kind: "column", depth: 0, index, type };
    return isRegType(type) ? nameExpr(column, outputNames(type.id, catalog), type) : column;
  });
  return { kind: "project", input: plan, exprs };
}
