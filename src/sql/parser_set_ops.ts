/**
 * Statement-level set operations for the parser port: a top-level INTERSECT
 * or EXCEPT split into its sides, or the whole set operation parsed by the
 * SQL frontend (which folds precedence and a trailing ORDER BY / LIMIT).
 * @module
 */
import { DbError } from "../common/errors.ts";
import type { ExtQuery, ExtSetOperation } from "./parse/ext_ast.ts";
import { parseSql as parseFrontend } from "./parse/parse_sql.ts";
import {
  type ExtensionStatement,
  isExtension,
  type ParsedStatement,
  parseOne,
} from "./parser_port.ts";

/** A top-level INTERSECT / EXCEPT split into its two queries (each parsed by `parseOne`). */
export function splitSetOperation(text: string, offset: number): ExtensionStatement | null {
  // Only queries split (a CREATE VIEW ... INTERSECT is left to the grammar's error).
  if (!/^\s*(\(|select\b|values\b|with\b)/i.test(stripComments(text))) return null;
  // Scan for a top-level INTERSECT / EXCEPT (outside parentheses and quotes).
  let depth = 0;
  let found: { at: number; len: number; op: "intersect" | "except"; all: boolean } | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "'") {
      i = text.indexOf("'", i + 1);
      if (i < 0) return null;
    } else if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (depth === 0 && /[iIeE]/.test(c) && (i === 0 || /\s|\)/.test(text[i - 1]!))) {
      const m = /^(intersect|except)(\s+all|\s+distinct)?\s/i.exec(text.slice(i));
      if (m) {
        found = {
          at: i,
          len: m[0].length,
          op: m[1]!.toLowerCase() as "intersect" | "except",
          all: /all/i.test(m[2] ?? ""),
        };
      }
    }
  }
  if (!found) return null;
  const leftText = text.slice(0, found.at);
  const rightText = text.slice(found.at + found.len);
  const query: ExtSetOperation = {
    kind: "ext.set_operation",
    op: found.op,
    all: found.all,
    left: asQuery(parseOne(stripParens(leftText), offset)),
    right: asQuery(parseOne(stripParens(rightText), offset + found.at + found.len)),
    orderBy: null,
    limit: null,
  };
  return { kind: "set_operation", query, located: false };
}

function asQuery(s: ParsedStatement): ExtQuery {
  const ast = s.ast;
  if (isExtension(ast)) {
    if (ast.kind === "set_operation") return ast.query;
    throw new DbError("42601", "syntax error in set operation");
  }
  return ast as ExtQuery;
}

const SET_WORD = /\b(union|intersect|except)\b/i;

/**
 * A statement-level set operation parsed by the SQL frontend, which folds
 * INTERSECT's precedence and applies a trailing ORDER BY / LIMIT to the whole.
 */
export function frontendSetOperation(text: string): ExtensionStatement | null {
  if (!SET_WORD.test(text)) return null;
  let ast;
  try {
    ast = parseFrontend(text, { locations: true })[0]?.ast;
  } catch {
    return null; // the grammar reports the error
  }
  return ast && "kind" in ast && ast.kind === "ext.set_operation"
    ? { kind: "set_operation", query: ast, located: true }
    : null;
}

function stripComments(text: string): string {
  return text.replace(/^\s*((--[^\n]*\n|\/\*[\s\S]*?\*\/)\s*)*/, "");
}

function stripParens(text: string): string {
  const t = text.trim();
  return t.startsWith("(") && t.endsWith(")") ? t.slice(1, -1) : t;
}
