/**
 * `parseSql`: the SQL frontend's parser. It lexes once, splits the text into
 * statements and parses each one, first dispatching on the leading keywords
 * to the extension layer's own rules, then handing everything else to the
 * pgsql-ast-parser grammar after the expression-level rewrites of
 * `rewrite.ts`.
 *
 * Statements the extension layer always owns (never the grammar's nodes):
 * BEGIN / START TRANSACTION / COMMIT / END / ROLLBACK / ABORT (`ext.begin`,
 * `ext.commit`, `ext.rollback`), SAVEPOINT / RELEASE / ROLLBACK TO, SET
 * (all forms, incl. SET TRANSACTION), SHOW, RESET, DISCARD, LISTEN /
 * UNLISTEN / NOTIFY, PREPARE / EXECUTE / DEALLOCATE, EXPLAIN, VACUUM /
 * ANALYZE, COPY, GRANT / REVOKE, CREATE / ALTER / DROP USER|ROLE|GROUP, the
 * foreign-data statements, top-level UNION / INTERSECT / EXCEPT
 * (`ext.set_operation`), DELETE ... USING, CREATE TABLE ... WITH (...) /
 * ON COMMIT / AS query, SET CONSTRAINTS, LOCK and CHECKPOINT.
 * @module
 */

import { DbError, LimitError } from "../../common/errors.ts";
import { statementBytesMax } from "../../common/limits.ts";
import { Cursor } from "./_cursor.ts";
import { lex, syntaxError, type Token } from "./lexer.ts";
import { splitStatements } from "./normalize.ts";
import { GrammarError, parseGrammar } from "./pg_parser.ts";
import { rewriteForGrammar, sourceOffset } from "./rewrite.ts";
import type { Statement } from "./ext_ast.ts";
import { parseCreateTable } from "./ext_create_table.ts";
import { parseAlterTableUsing } from "./ext_alter_table.ts";
import { parseComment } from "./ext_comment.ts";
import { parseCreateMatview } from "./ext_matview.ts";
import {
  nestedSetOperations,
  parseCreateViewSetOperation,
  parseInsertSetOperation,
  putBack,
} from "./ext_set_sources.ts";
import { parseCreateDomain } from "./ext_domain.ts";
import { parseAlterEnum, parseCreateEnum } from "./ext_enum.ts";
import {
  parseCheckpoint,
  parseDeallocate,
  parseDiscard,
  parseListen,
  parseLock,
  parseReset,
  parseSet,
  parseShow,
  parseTransaction,
} from "./ext_session.ts";
import {
  parseAlterRole,
  parseCreateForeignTable,
  parseCreateRole,
  parseCreateServer,
  parseCreateUserMapping,
  parseDrop,
  parseDropRole,
  parseGrant,
  parseImportForeignSchema,
  parseVacuum,
} from "./ext_admin.ts";
import {
  findTop,
  hasTopSetOperation,
  type Inner,
  parseCopy,
  parseDeleteUsing,
  parseExecute,
  parseExplain,
  parsePrepare,
  parseSetOperation,
} from "./ext_query.ts";

/** How `parseSql` parses. */
export interface ParseOptions {
  /**
   * Give grammar nodes `_location` spans (offsets into the parsed string), as
   * pgsql-ast-parser's `locationTracking` does; the planner reads literals'
   * exact text through them. Off by default (cached ASTs stay lean).
   */
  readonly locations?: boolean;
}

/** One parsed statement with its source span. */
export interface ParsedStatement {
  readonly ast: Statement;
  /** The statement's source text, without the terminating semicolon. */
  readonly text: string;
  /** 0-based offset of `text` in the parsed string. */
  readonly start: number;
}

/**
 * Parses a string of one or more statements.
 * @param sql SQL text; statements separated by semicolons
 * @returns the statements in order (empty statements are skipped)
 * @throws {DbError} 42601 syntax error with `position` (1-based) set; 0A000 for an unsupported form
 * @throws {LimitError} 54000 when the text exceeds `statementBytesMax`
 * @example parseSql("SAVEPOINT a; SELECT 1")[0].ast // { kind: "ext.savepoint", name: "a" }
 */
export function parseSql(sql: string, options: ParseOptions = {}): ParsedStatement[] {
  checkLength(sql);
  const slices = splitStatements(lex(sql));
  return slices.map((s) => ({
    ast: parseTokens(sql, s.tokens, options),
    text: sql.slice(s.start, s.end),
    start: s.start,
  }));
}

/**
 * Fails when `sql` is longer than `statementBytesMax` (counted in UTF-16 units,
 * a lower bound of its UTF-8 size).
 * @throws {LimitError} 54000
 */
export function checkLength(sql: string): void {
  if (sql.length > statementBytesMax) {
    throw new LimitError(
      "54000",
      `Statement of ${sql.length} characters exceeds ${statementBytesMax}`,
    );
  }
}

/**
 * Parses one statement given as tokens of `sql`.
 * @param sql the text the tokens came from
 * @param tokens the statement's tokens (no semicolons)
 * @throws {DbError} 42601 / 0A000
 */
export function parseTokens(
  sql: string,
  tokens: readonly Token[],
  options: ParseOptions = {},
): Statement {
  if (tokens.length === 0) throw syntaxError("syntax error at end of input", sql.length);
  const inner: Inner = {
    tokens: (t) => parseTokens(sql, t, options),
    text: (s) => parseSynthetic(s, tokens[0]!.start),
  };
  const c = new Cursor(sql, tokens);
  const own = parseExtension(c, inner);
  if (own) return own;
  const nested = nestedSetOperations(new Cursor(sql, tokens), inner);
  if (nested === null) return parseWithGrammar(sql, tokens, options);
  const first = tokens[0]!.start;
  const last = tokens[tokens.length - 1]!.end;
  const swapped = lex(nested.sql).filter((t) => t.start >= first && t.end <= last);
  return putBack(parseTokens(nested.sql, swapped, options), nested.trees);
}

/** Parses text the extension layer built; its errors point at the statement start. */
function parseSynthetic(text: string, at: number): Statement {
  try {
    return parseTokens(text, lex(text));
  } catch (e) {
    if (!(e instanceof DbError)) throw e;
    const err = new DbError(e.sqlstate, e.message);
    err.position = at + 1;
    throw err;
  }
}

/** Runs the extension rule for the statement, or returns null for the grammar path. */
function parseExtension(c: Cursor, inner: Inner): Statement | null {
  const first = c.tokens[0]!;
  if (first.kind !== "ident" && !c.isPunct("(")) return null;
  switch (first.value) {
    case "begin":
    case "start":
    case "commit":
    case "end":
    case "rollback":
    case "abort":
    case "savepoint":
    case "release":
      return parseTransaction(c);
    case "set":
      return parseSet(c);
    case "show":
      return parseShow(c);
    case "reset":
      return parseReset(c);
    case "discard":
      return parseDiscard(c);
    case "listen":
    case "unlisten":
    case "notify":
      return parseListen(c);
    case "deallocate":
      return parseDeallocate(c);
    case "lock":
      return parseLock(c);
    case "checkpoint":
      return parseCheckpoint(c);
    case "prepare":
      return parsePrepare(c, inner);
    case "execute":
      return parseExecute(c, inner);
    case "explain":
      return parseExplain(c, inner);
    case "vacuum":
    case "analyze":
    case "analyse":
      return parseVacuum(c);
    case "copy":
      return parseCopy(c, inner);
    case "grant":
    case "revoke":
      return parseGrant(c);
    case "import":
      return parseImportForeignSchema(c);
    case "create":
      return parseCreate(c, inner);
    case "comment":
      return parseComment(c);
    case "alter":
    case "drop":
      if (first.value === "alter" && c.isWord("type", 1)) return parseAlterEnum(c);
      if (!c.isWord("user", 1) && !c.isWord("role", 1) && !c.isWord("group", 1)) {
        return first.value === "drop" ? parseDrop(c) : parseAlterTableUsing(c, inner);
      }
      c.pos = 1;
      return first.value === "alter" ? parseAlterRole(c) : parseDropRole(c);
    case "insert":
      return parseInsertSetOperation(c, inner);
    case "delete": {
      const using = findTop(c.tokens, 2, (t) => t.kind === "ident" && t.value === "using");
      return using < 0 ? null : parseDeleteUsing(c, using, inner);
    }
    default:
      return hasTopSetOperation(c.tokens) ? parseSetOperation(c, inner) : null;
  }
}

const TABLE_PREFIXES = new Set(["temp", "temporary", "unlogged", "global", "local"]);
const VIEW_PREFIXES = new Set(["or", "replace", "temp", "temporary", "recursive"]);

function parseCreate(c: Cursor, inner: Inner): Statement | null {
  c.pos = 1;
  if (c.isWord("user") && c.isWord("mapping", 1)) return parseCreateUserMapping(c);
  if (c.isWord("user") || c.isWord("role") || c.isWord("group")) return parseCreateRole(c);
  if (c.isWord("server")) return parseCreateServer(c);
  if (c.isWord("foreign") && c.isWord("table", 1)) return parseCreateForeignTable(c);
  if (c.isWord("materialized")) return parseCreateMatview(c, inner);
  if (c.isWord("domain")) return parseCreateDomain(c, inner);
  if (c.isWord("type")) return parseCreateEnum(c);
  const view = c.tokens.findIndex((t) => t.kind === "ident" && t.value === "view");
  if (view >= 1 && c.tokens.slice(1, view).every((t) => VIEW_PREFIXES.has(t.value))) {
    return parseCreateViewSetOperation(c, view, inner);
  }
  const table = c.tokens.findIndex((t) => t.kind === "ident" && t.value === "table");
  const between = c.tokens.slice(1, table).map((t) => t.value);
  if (table >= 1 && between.every((w) => TABLE_PREFIXES.has(w))) {
    return parseCreateTable(c, table, inner);
  }
  return null;
}

/** Rewrites, parses with the grammar and maps grammar errors back to source tokens. */
function parseWithGrammar(
  sql: string,
  tokens: readonly Token[],
  options: ParseOptions,
): Statement {
  const rewritten = rewriteForGrammar(sql, tokens);
  try {
    return parseGrammar(rewritten.text, { ...rewritten, locations: options.locations ?? false });
  } catch (e) {
    if (!(e instanceof GrammarError)) throw e;
    if (e.sqlstate !== "42601") {
      const err = new DbError(e.sqlstate, e.message);
      err.position = tokens[0]!.start + 1;
      throw err;
    }
    if (e.offset === null) {
      throw syntaxError("syntax error at end of input", tokens[tokens.length - 1]!.end);
    }
    const source = sourceOffset(rewritten, e.offset);
    let at = tokens[0]!;
    // An unknown first word is where PostgreSQL stops, whatever the grammar read into it.
    if (at.kind !== "punct" && !GRAMMAR_FIRST_WORDS.has(at.value)) throw syntaxAt(sql, at);
    for (const t of tokens) {
      if (t.start > source) break;
      at = t;
    }
    throw syntaxAt(sql, at);
  }
}

function syntaxAt(sql: string, at: Token): DbError {
  return syntaxError(`syntax error at or near "${sql.slice(at.start, at.end)}"`, at.start);
}

/** First words of the statements left to the grammar. */
const GRAMMAR_FIRST_WORDS = new Set([
  "select",
  "insert",
  "update",
  "delete",
  "with",
  "values",
  "table",
  "create",
  "alter",
  "drop",
  "truncate",
  "comment",
  "refresh",
  "do",
  "raise",
]);
