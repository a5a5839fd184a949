/**
 * Extension rules for enum types, which the grammar lacks:
 * CREATE TYPE name AS ENUM ('a', ...) and ALTER TYPE name ADD VALUE /
 * RENAME VALUE (`CreateEnum`, `AlterEnum`). DROP TYPE is the grammar's.
 * @module
 */

import type { Statement as GrammarStatement } from "pgsql-ast-parser";
import { DbError } from "../../common/errors.ts";
import type { Cursor } from "./_cursor.ts";
import type { ExtQName, Statement } from "./ext_ast.ts";

/** A parsed CREATE TYPE ... AS ENUM. */
export interface CreateEnum {
  readonly type: "create enum";
  readonly name: ExtQName;
  readonly labels: readonly string[];
}

/** What ALTER TYPE does to an enum. */
export type AlterEnumAction =
  | {
    readonly kind: "add";
    readonly label: string;
    readonly ifNotExists: boolean;
    /** Where the new label goes relative to `neighbour`; absent: at the end. */
    readonly place?: { readonly before: boolean; readonly neighbour: string };
  }
  | { readonly kind: "rename"; readonly from: string; readonly to: string };

/** A parsed ALTER TYPE on an enum. */
export interface AlterEnum {
  readonly type: "alter enum type";
  readonly name: ExtQName;
  readonly action: AlterEnumAction;
}

/** PostgreSQL's NAMEDATALEN - 1: the longest enum label. */
const MAX_LABEL_BYTES = 63;

function label(c: Cursor): string {
  const s = c.string();
  if (new TextEncoder().encode(s).length > MAX_LABEL_BYTES) {
    const err = new DbError("22023", `invalid enum label "${s}"`);
    err.detail = "Labels must be 63 bytes or less.";
    throw err;
  }
  return s;
}

/**
 * CREATE TYPE name AS ENUM ('label', ...), or null for other CREATE TYPE forms.
 * @param c cursor past CREATE, at TYPE
 * @throws {DbError} 42601, 22023 for a label over 63 bytes
 */
export function parseCreateEnum(c: Cursor): Statement | null {
  const start = c.pos;
  c.expect("type");
  const name = c.qname();
  if (!c.accept("as", "enum")) {
    c.pos = start;
    return null;
  }
  c.expectPunct("(");
  const labels: string[] = [];
  if (!c.isPunct(")")) {
    do labels.push(label(c)); while (c.acceptPunct(","));
  }
  c.expectPunct(")");
  c.expectEnd();
  const node: CreateEnum = { type: "create enum", name, labels };
  return node as unknown as GrammarStatement;
}

/**
 * ALTER TYPE name ADD VALUE [IF NOT EXISTS] 'v' [BEFORE | AFTER 'w'] and
 * ALTER TYPE name RENAME VALUE 'a' TO 'b'.
 * @param c cursor at ALTER
 * @throws {DbError} 42601, 0A000 for other ALTER TYPE forms
 */
export function parseAlterEnum(c: Cursor): Statement {
  c.pos = 1;
  c.expect("type");
  const name = c.qname();
  let action: AlterEnumAction;
  if (c.accept("add", "value")) {
    const ifNotExists = c.accept("if", "not", "exists");
    const l = label(c);
    const before = c.isWord("before");
    if (before || c.isWord("after")) {
      c.pos++;
      action = { kind: "add", label: l, ifNotExists, place: { before, neighbour: c.string() } };
    } else action = { kind: "add", label: l, ifNotExists };
  } else if (c.accept("rename", "value")) {
    const from = c.string();
    c.expect("to");
    action = { kind: "rename", from, to: label(c) };
  } else {
    if (c.atEnd) throw c.error();
    throw new DbError("0A000", "ALTER TYPE supports only ADD VALUE and RENAME VALUE");
  }
  c.expectEnd();
  const node: AlterEnum = { type: "alter enum type", name, action };
  return node as unknown as GrammarStatement;
}
