/**
 * Casts to a domain (`x::posint`): the value is cast to the domain's base
 * type and must pass the domain's NOT NULL and CHECK constraints (VALUE read
 * as the cast value), else 23502 / 23514 as in PostgreSQL. The result is of
 * the base type (a domain is no type of its own here).
 * @module
 */
import type { CreateColumnDef, DataTypeDef, Expr } from "pgsql-ast-parser";
import { type as scalar } from "../../common/types.ts";
import type { BoundExpr } from "../../exec/plan.ts";
import { libraryPrefix } from "../../exec/builtins_library.ts";
import type { Catalog } from "../catalog/catalog.ts";
import { parseSql } from "../parse/parse_sql.ts";
import { catalogOf } from "../pg_catalog/functions.ts";
import { bindBoolean, bindCast, type BindEnv } from "./bind_expr.ts";
import { resolveType } from "./sql_types.ts";

/** The domain `to` names, as a column `value` of it: base type and constraints. */
function domainOf(
  catalog: Catalog,
  to: DataTypeDef,
): { name: string; def: CreateColumnDef } | undefined {
  if (to.kind === "array" || catalog.domains.size === 0) return undefined;
  const schema = to.schema ?? "public";
  const dom = [...catalog.domains.values()].find((d) => d.name === to.name && d.schema === schema);
  if (!dom) return undefined;
  // As a column's domain is read (catalog/ddl_domain.ts): VALUE becomes the column.
  const body = dom.body.replace(/\bvalue\b/gi, '"value"');
  const ast = parseSql(`CREATE TABLE "d" ("value" ${body})`)[0]?.ast;
  const def = ast && !("kind" in ast) && ast.type === "create table"
    ? ast.columns.find((c): c is CreateColumnDef => c.kind === "column")
    : undefined;
  return def ? { name: dom.name, def } : undefined;
}

/** `e` with every reference to the column `value` replaced by `by`. */
function substituteValue(e: unknown, by: Expr): unknown {
  if (Array.isArray(e)) return e.map((x) => substituteValue(x, by));
  if (typeof e !== "object" || e === null) return e;
  const o = e as Record<string, unknown>;
  if (o.type === "ref" && o.name === "value" && o.table === undefined) return by;
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, substituteValue(v, by)]));
}

/**
 * Binds `operand::to` when `to` names a domain; undefined otherwise.
 * @throws {DbError} as the base-type cast does
 */
export function bindDomainCast(
  operand: Expr,
  to: DataTypeDef,
  env: BindEnv,
): BoundExpr | undefined {
  const catalog = catalogOf(env.ctx);
  const domain = catalog && domainOf(catalog, to);
  if (!domain) return undefined;
  const base = domain.def.dataType;
  const asBase: Expr = { type: "cast", operand, to: base };
  let out = bindCast(operand, resolveType(base, catalog), env);
  const constraints = domain.def.constraints ?? [];
  const notNull = constraints.some((c) => c.type === "not null");
  const checks = constraints.filter((c) => c.type === "check");
  const text = scalar("text");
  const call = (ok: BoundExpr, name: string): BoundExpr => ({
    kind: "call",
    fn: `${libraryPrefix}__domain_check`,
    args: [
      out,
      ok,
      { kind: "const", value: domain.name, type: text },
      { kind: "const", value: name, type: text },
      { kind: "const", value: notNull, type: scalar("bool") },
    ],
    type: out.type,
  });
  if (checks.length === 0) {
    return notNull ? call({ kind: "const", value: true, type: scalar("bool") }, "") : out;
  }
  for (const c of checks) {
    if (c.type !== "check") continue;
    const ok = bindBoolean(substituteValue(c.expr, asBase) as Expr, env, "CHECK");
    out = call(ok, c.constraintName?.name ?? `${domain.name}_check`);
  }
  return out;
}
