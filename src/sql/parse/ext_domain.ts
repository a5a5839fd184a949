/**
 * Extension rule for CREATE DOMAIN, which the grammar lacks. The body (base
 * type, DEFAULT, NOT NULL, CHECK with VALUE) is checked by parsing it as a
 * column definition and kept as text (`CreateDomain`).
 * @module
 */

import type { Statement as GrammarStatement } from "pgsql-ast-parser";
import type { Cursor } from "./_cursor.ts";
import type { ExtQName, Statement } from "./ext_ast.ts";
import type { Inner } from "./ext_query.ts";

/** A parsed CREATE DOMAIN. */
export interface CreateDomain {
  readonly type: "create domain";
  readonly name: ExtQName;
  /** Text after [AS]: the base type and the domain's constraints. */
  readonly body: string;
}

/**
 * CREATE DOMAIN name [AS] type [DEFAULT expr] [[CONSTRAINT n] NOT NULL | NULL | CHECK (expr)]...
 * @param c cursor past CREATE
 * @throws {DbError} 42601
 */
export function parseCreateDomain(c: Cursor, inner: Inner): Statement {
  c.expect("domain");
  const name = c.qname();
  c.accept("as");
  if (c.atEnd) throw c.error();
  const body = c.text(c.pos);
  const check = inner.text(`CREATE TABLE "d" ("value" ${body})`);
  if ("kind" in check || check.type !== "create table") throw c.error(c.tokens[0]);
  const node: CreateDomain = { type: "create domain", name, body };
  return node as unknown as GrammarStatement;
}
