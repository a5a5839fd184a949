/**
 * System-information functions that need the catalog (`pg_get_indexdef`,
 * `pg_get_constraintdef`, `pg_get_viewdef`, `pg_get_serial_sequence`, ...)
 * or are constants for ThunderDB (`current_schema`, privileges, empty
 * catalogs). They are bound when the query is planned: a call with constant
 * arguments folds to its value; otherwise it becomes a CASE over the
 * catalog's objects (plans are cached per catalog version, so this is exact).
 * @module
 */
import { arrayOf, type SqlType, type as scalar, type Value } from "../../common/types.ts";
import type { BoundExpr } from "../../exec/plan.ts";
import type { Catalog, IndexDef } from "../catalog/catalog.ts";
import { databaseName, ownerName, ownerOid } from "./virtual.ts";
import { colDescription, objDescription } from "./descriptions.ts";
import {
  allConstraints,
  constraintDefinition,
  indexDefinition,
  indexKeyText,
  quoteIdent,
} from "./defs.ts";
import { builtinTypes, typeOidOf } from "./type_table.ts";
import { resolveRegName } from "./reg_types.ts";

const text = scalar("text");
const bool = scalar("bool");
const oid = scalar("oid");

function constant(value: Value, type: SqlType): BoundExpr {
  return { kind: "const", value, type };
}

/** `CASE arg WHEN key THEN value ... ELSE otherwise END`, folded when `arg` is constant. */
function lookup(
  arg: BoundExpr | undefined,
  table: ReadonlyMap<number, Value>,
  type: SqlType,
  otherwise: Value = null,
): BoundExpr {
  if (!arg) return constant(otherwise, type);
  if (arg.kind === "const") {
    const key = arg.value === null ? NaN : Number(arg.value);
    return constant(table.get(key) ?? otherwise, type);
  }
  if (table.size === 0) return constant(otherwise, type);
  const keyType = arg.type.id === "unknown" ? oid : arg.type;
  return {
    kind: "case",
    operand: arg,
    whens: [...table].map(([k, v]) => ({
      when: constant(keyType.id === "int8" ? BigInt(k) : k, keyType),
      then: constant(v, type),
    })),
    otherwise: constant(otherwise, type),
    type,
  };
}

/** Casts an OID-valued argument to oid. */
export function toOid(arg: BoundExpr | undefined): BoundExpr {
  if (!arg) return constant(null, oid);
  if (arg.kind === "const") {
    return constant(arg.value === null ? null : Number(arg.value), oid);
  }
  return { kind: "cast", arg, from: arg.type, type: oid };
}

function indexDefs(catalog: Catalog, pretty: boolean): Map<number, Value> {
  return new Map(
    [...catalog.indexes.values()].map((i) => [i.oid, indexDefinition(catalog, i, pretty)]),
  );
}

/**
 * `pg_get_indexdef(oid [, column, pretty])`: the CREATE INDEX statement, or
 * with a column number other than 0 that key's text (empty past the last key).
 */
function indexDef(a: readonly BoundExpr[], catalog: Catalog): BoundExpr {
  const column = a[1];
  const nice = pretty(a, 2);
  if (!column || (column.kind === "const" && Number(column.value) === 0)) {
    return lookup(a[0], indexDefs(catalog, nice), text);
  }
  const keyTexts = (idx: IndexDef) => {
    const rel = catalog.relations.get(idx.table);
    const keys = new Map<number, Value>([[0, indexDefinition(catalog, idx, nice)]]);
    if (rel) idx.columns.forEach((_, k) => keys.set(k + 1, indexKeyText(rel, idx, k, nice)));
    return keys;
  };
  const arg = a[0];
  if (!arg) return constant(null, text);
  if (arg.kind === "const") {
    const idx = catalog.indexes.get(Number(arg.value));
    return idx ? lookup(column, keyTexts(idx), text, "") : constant(null, text);
  }
  const keyType = arg.type.id === "unknown" ? oid : arg.type;
  return {
    kind: "case",
    operand: arg,
    whens: [...catalog.indexes.values()].map((idx) => ({
      when: constant(keyType.id === "int8" ? BigInt(idx.oid) : idx.oid, keyType),
      then: lookup(column, keyTexts(idx), text, ""),
    })),
    otherwise: constant(null, text),
    type: text,
  };
}

/** True when the optional `pretty` argument at `at` is the constant true. */
function pretty(args: readonly BoundExpr[], at: number): boolean {
  const a = args[at];
  return a?.kind === "const" && (a.value === true || a.value === "t" || a.value === "true");
}

function constraintDefs(catalog: Catalog): Map<number, Value> {
  return new Map(
    allConstraints(catalog).map(({ rel, con, oid }) => [
      oid,
      constraintDefinition(catalog, rel, con),
    ]),
  );
}

function viewDefs(catalog: Catalog): Map<number, Value> {
  const out = new Map<number, Value>();
  for (const r of catalog.relations.values()) {
    if (r.kind === "view" && r.viewSql) out.set(r.oid, ` ${r.viewSql.trim()};`);
    if (r.matview) out.set(r.oid, ` ${r.matview.sql.trim()};`);
  }
  return out;
}

/** pg_get_viewdef's view: an OID, or (its text overload) the view's name, resolved now. */
function viewArgument(arg: BoundExpr | undefined, catalog: Catalog): BoundExpr | undefined {
  const name = constText(arg);
  return name === null ? arg : constant(resolveRegName("regclass", name, catalog), oid);
}

function constText(e: BoundExpr | undefined): string | null {
  return e?.kind === "const" && typeof e.value === "string" ? e.value : null;
}

function serialSequence(catalog: Catalog, args: readonly BoundExpr[]): BoundExpr {
  const table = constText(args[0]);
  const column = constText(args[1]);
  if (table === null || column === null) return constant(null, text);
  const [schema, name] = table.includes(".") ? table.split(".", 2) : [undefined, table];
  const rel = catalog.findRelation(name!.replaceAll('"', ""), schema);
  const def = rel?.columns.find((c) => c.name === column)?.defaultSql ?? "";
  const m = /nextval\('([^']+)'/.exec(def);
  if (!m) return constant(null, text);
  const seq = m[1]!.replace(/::regclass$/, "");
  return constant(seq.includes(".") ? seq : `${rel!.schema}.${seq}`, text);
}

function sizePretty(arg: BoundExpr | undefined): BoundExpr {
  if (arg?.kind !== "const" || arg.value === null) return constant(null, text);
  let n = Number(arg.value);
  for (const unit of ["bytes", "kB", "MB", "GB", "TB"]) {
    if (Math.abs(n) < 10 * 1024 || unit === "TB") return constant(`${Math.round(n)} ${unit}`, text);
    n /= 1024;
  }
  return constant(null, text);
}

/** Binds a call; undefined declines (the call then binds as an ordinary built-in). */
/** `array_position(const_array, x)`: a lookup when the array is a constant. */
function arrayPosition(args: readonly BoundExpr[]): BoundExpr | undefined {
  const arr = args[0];
  if (arr?.kind !== "const" || !Array.isArray(arr.value) || !args[1]) return undefined;
  const int4 = scalar("int4");
  const x = args[1];
  if (x.kind === "const") {
    const at = arr.value.findIndex((v) => v === x.value);
    return constant(at < 0 ? null : at + 1, int4);
  }
  const elem = arr.type.elem ?? text;
  const seen = new Set<Value>();
  const whens = arr.value.flatMap((v, i) => {
    if (seen.has(v)) return [];
    seen.add(v);
    return [{ when: constant(v, elem), then: constant(i + 1, int4) }];
  });
  return { kind: "case", operand: x, whens, otherwise: constant(null, int4), type: int4 };
}

type Binder = (args: readonly BoundExpr[], catalog: Catalog) => BoundExpr | undefined;

/** format_type for enum OIDs (the built-in function knows only built-in types). */
function formatEnumType(a: readonly BoundExpr[], c: Catalog): BoundExpr | undefined {
  if (!a[0]) return undefined;
  const names = new Map<number, Value>();
  const shown = (schema: string, n: string) =>
    schema === "public" ? quoteIdent(n) : `${quoteIdent(schema)}.${quoteIdent(n)}`;
  for (const e of c.enums.values()) {
    names.set(e.oid, shown(e.schema, e.name));
    names.set(e.arrayOid, `${shown(e.schema, e.name)}[]`);
  }
  // Tables' row types.
  for (const rel of c.relations.values()) {
    if (rel.rowTypeOid !== undefined) names.set(rel.rowTypeOid, shown(rel.schema, rel.name));
  }
  if (names.size === 0) return undefined;
  const builtin: BoundExpr = { kind: "call", fn: "format_type", args: a, type: text };
  if (a[0].kind === "const") {
    const name = names.get(Number(a[0].value));
    return name === undefined ? undefined : constant(name, text);
  }
  const keyType = a[0].type.id === "unknown" ? oid : a[0].type;
  return {
    kind: "case",
    operand: a[0],
    whens: [...names].map(([k, v]) => ({
      when: constant(keyType.id === "int8" ? BigInt(k) : k, keyType),
      then: constant(v, text),
    })),
    otherwise: builtin,
    type: text,
  };
}

/**
 * `pg_typeof(x)`: the regtype of x's type, known when the query is planned;
 * undefined (the library's text form) for a type without an OID here.
 */
function typeOfArgument(arg: BoundExpr | undefined): BoundExpr | undefined {
  const t = arg?.type;
  if (!t) return undefined;
  const regtype = scalar("regtype");
  if (t.id === "record" && t.composite) return constant(t.composite.oid, regtype);
  const base = t.id === "array" ? t.elem : t;
  if (!base || base.id === "array" || base.id === "record" && t.id === "array") return undefined;
  const known = base.id === "enum"
    ? base.enumType !== undefined
    : builtinTypes.some((b) => b.id === base.id);
  return known ? constant(typeOidOf(t), regtype) : undefined;
}

const binders: Record<string, Binder> = {
  pg_typeof: (a) => typeOfArgument(a[0]),
  format_type: formatEnumType,
  pg_get_userbyid: (a) =>
    lookup(a[0], new Map([[ownerOid, ownerName], [6171, "pg_database_owner"]]), scalar("name")),
  array_position: (a) => arrayPosition(a),
  quote_ident: (a) => {
    const v = constText(a[0]);
    return v === null ? undefined : constant(quoteIdent(v), text);
  },
  pg_get_indexdef: (a, c) => indexDef(a, c),
  pg_get_constraintdef: (a, c) => lookup(a[0], constraintDefs(c), text),
  pg_get_viewdef: (a, c) => lookup(viewArgument(a[0], c), viewDefs(c), text),
  // adbin/conbin/indpred hold SQL text already.
  pg_get_expr: (a) =>
    a[0] ? { kind: "cast", arg: a[0], from: a[0].type, type: text } : constant(null, text),
  pg_get_serial_sequence: (a, c) => serialSequence(c, a),
  pg_encoding_to_char: (a) => lookup(a[0], new Map([[6, "UTF8"], [0, "SQL_ASCII"]]), text, ""),
  // A table that is not partitioned is its own only ancestor.
  pg_partition_ancestors: (a) => toOid(a[0]),
  pg_relation_is_publishable: () => constant(false, bool),
  // Everything lives in pg_catalog or public, both on the search path.
  pg_function_is_visible: () => constant(true, bool),
  pg_type_is_visible: () => constant(true, bool),
  pg_collation_is_visible: () => constant(true, bool),
  pg_conversion_is_visible: () => constant(true, bool),
  pg_opclass_is_visible: () => constant(true, bool),
  pg_ts_config_is_visible: () => constant(true, bool),
  pg_ts_dict_is_visible: () => constant(true, bool),
  pg_ts_parser_is_visible: () => constant(true, bool),
  pg_ts_template_is_visible: () => constant(true, bool),
  pg_tablespace_location: () => constant("", text),
  getdatabaseencoding: () => constant("UTF8", scalar("name")),
  // pg_proc lists no functions, so these only need to bind.
  pg_get_function_result: () => constant(null, text),
  pg_get_function_arguments: () => constant(null, text),
  pg_get_function_identity_arguments: () => constant(null, text),
  pg_char_to_encoding: (a) => {
    const v = constText(a[0]);
    return v === null ? undefined : constant(v.toUpperCase() === "UTF8" ? 6 : -1, scalar("int4"));
  },
  pg_get_triggerdef: () => constant(null, text),
  pg_get_ruledef: () => constant(null, text),
  pg_get_statisticsobjdef_columns: () => constant(null, text),
  obj_description: (a, c) => objDescription(a, c),
  col_description: (a, c) => colDescription(a, c),
  pg_database_size: () => constant(0n, scalar("int8")),
  shobj_description: () => constant(null, text),
  current_schema: () => constant("public", scalar("name")),
  current_database: () => constant(databaseName, scalar("name")),
  current_schemas: (a) =>
    constant(
      a[0]?.kind === "const" && a[0].value === false ? ["public"] : ["pg_catalog", "public"],
      arrayOf(scalar("name")),
    ),
  has_schema_privilege: () => constant(true, bool),
  has_database_privilege: () => constant(true, bool),
  has_column_privilege: () => constant(true, bool),
  has_sequence_privilege: () => constant(true, bool),
  pg_has_role: () => constant(true, bool),
  pg_relation_size: (_a, _c) => constant(0n, scalar("int8")),
  pg_total_relation_size: () => constant(0n, scalar("int8")),
  pg_table_size: () => constant(0n, scalar("int8")),
  pg_indexes_size: () => constant(0n, scalar("int8")),
  pg_size_pretty: (a) => sizePretty(a[0]),
  array_upper: (a) => ({
    kind: "call",
    fn: "array_length",
    args: [...a],
    type: scalar("int4"),
  }),
};

/** True when `name` is a function bound here. */
export function isCatalogFunction(name: string): boolean {
  return Object.hasOwn(binders, name);
}

/**
 * Records that the plan being made was built from an argument's value (the
 * planner's `PlanFlags`): catalog functions and reg* casts resolve names at plan
 * time, so a parameter in a literal's place would not mean the same.
 */
export function markValueDependent(ctx: object): void {
  if ("flags" in ctx && typeof ctx.flags === "object" && ctx.flags !== null) {
    (ctx.flags as { valueDependent: boolean }).valueDependent = true;
  }
}

/** Reads the catalog a planner context carries, if any. */
export function catalogOf(ctx: object): Catalog | undefined {
  return "catalog" in ctx ? ctx.catalog as Catalog : undefined;
}

/**
 * Binds a catalog function call; undefined when `name` is not one or the
 * planner context has no catalog.
 */
export function bindCatalogFunction(
  name: string,
  args: readonly BoundExpr[],
  ctx: object,
): BoundExpr | undefined {
  const binder = binders[name];
  const catalog = catalogOf(ctx);
  if (!binder || !catalog) return undefined;
  // pg_typeof reads only the argument's type, never its value.
  if (name !== "pg_typeof" && args.some((a) => a.kind !== "const")) markValueDependent(ctx);
  return binder(args, catalog);
}
