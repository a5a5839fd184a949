/**
 * The one place the SQL planner turns text into statements. It splits a
 * query string into statements, recognises the extension statements that
 * pgsql-ast-parser does not know (savepoints, EXPLAIN, LISTEN/NOTIFY, ...)
 * and parses the rest with pgsql-ast-parser. When the SQL frontend in
 * `sql/parse/` lands, this file is the only one that changes.
 * @module
 */
import { parse, type Statement } from "pgsql-ast-parser";
import { DbError } from "../common/errors.ts";
import { statementBytesMax } from "../common/limits.ts";
import type {
  ExtCopy,
  ExtCreateTableAs,
  ExtDeleteUsing,
  ExtDrop,
  ExtSetOperation,
} from "./parse/ext_ast.ts";
import { parseSql as parseFrontend } from "./parse/parse_sql.ts";
import { frontendSetOperation, splitSetOperation } from "./parser_set_ops.ts";
import { posixZone } from "../common/datetime.ts";
import { parseInterval } from "../common/interval.ts";

/** A statement that pgsql-ast-parser does not cover, tagged by `kind`. */
export type ExtensionStatement =
  | { readonly kind: "savepoint"; readonly name: string }
  | { readonly kind: "release"; readonly name: string }
  | { readonly kind: "rollback_to"; readonly name: string }
  | { readonly kind: "explain"; readonly analyze: boolean; readonly statement: ParsedStatement }
  | { readonly kind: "listen"; readonly channel: string }
  | { readonly kind: "unlisten"; readonly channel: string }
  | { readonly kind: "notify"; readonly channel: string; readonly payload: string }
  | { readonly kind: "reset"; readonly name: string }
  | { readonly kind: "set"; readonly name: string; readonly value: string }
  | { readonly kind: "analyze"; readonly table: string | null }
  | {
    /** EXECUTE name [(args)]: `args` is `SELECT <args>`, evaluated before the run. */
    readonly kind: "execute";
    readonly name: string;
    readonly args: ParsedStatement | null;
  }
  | { readonly kind: "copy"; readonly copy: ExtCopy }
  | { readonly kind: "create_table_as"; readonly create: ExtCreateTableAs }
  | {
    readonly kind: "vacuum";
    /** False for a plain ANALYZE. */
    readonly vacuum: boolean;
    readonly analyze: boolean;
    readonly tables: readonly { readonly name: string; readonly schema?: string }[];
  }
  | {
    /** A statement-level UNION / INTERSECT / EXCEPT tree with its ORDER BY / LIMIT. */
    readonly kind: "set_operation";
    readonly query: ExtSetOperation;
    /** True when the nodes' `_location`s are offsets into this statement's text. */
    readonly located: boolean;
  }
  | { readonly kind: "empty" };

/** One statement of a query string. */
export interface ParsedStatement {
  /** The statement's own text. */
  readonly text: string;
  /** Offset of `text` in the whole query string (for error positions). */
  readonly offset: number;
  readonly ast: Statement | ExtensionStatement;
}

/** True when the AST is one of ours rather than pgsql-ast-parser's. */
export function isExtension(ast: Statement | ExtensionStatement): ast is ExtensionStatement {
  return "kind" in ast && typeof (ast as { kind?: unknown }).kind === "string" &&
    !("type" in ast);
}

/**
 * Splits `sql` at top-level semicolons, keeping quotes, comments and dollar quotes intact.
 * @returns pieces with their offsets; blank pieces are dropped
 */
export function splitStatements(sql: string): { text: string; offset: number }[] {
  const out: { text: string; offset: number }[] = [];
  let start = 0;
  let i = 0;
  const push = (end: number) => {
    const text = sql.slice(start, end);
    if (text.replace(/--[^\n]*/g, "").replace(/\/\*[\s\S]*?\*\//g, "").trim() !== "") {
      out.push({ text, offset: start });
    }
  };
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === "'" || c === '"') {
      i++;
      while (i < sql.length && sql[i] !== c) i++;
      i++;
    } else if (c === "-" && sql[i + 1] === "-") {
      while (i < sql.length && sql[i] !== "\n") i++;
    } else if (c === "/" && sql[i + 1] === "*") {
      const end = sql.indexOf("*/", i + 2);
      i = end < 0 ? sql.length : end + 2;
    } else if (c === "$") {
      const m = /^\$[A-Za-z_]*\$/.exec(sql.slice(i, i + 64));
      if (m && !/^\$\d/.test(sql.slice(i, i + 2))) {
        const end = sql.indexOf(m[0], i + m[0].length);
        i = end < 0 ? sql.length : end + m[0].length;
      } else i++;
    } else if (c === ";") {
      push(i);
      start = i + 1;
      i++;
    } else i++;
  }
  push(sql.length);
  return out;
}

const ident = String.raw`("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)`;

function unquote(name: string): string {
  return name.startsWith('"') ? name.slice(1, -1).replaceAll('""', '"') : name.toLowerCase();
}

function parseExtension(text: string, offset: number): ExtensionStatement | null {
  const t = text.replace(/^\s*(--[^\n]*\n\s*)*/, "").trim();
  let m: RegExpExecArray | null;
  if ((m = new RegExp(`^savepoint\\s+${ident}$`, "i").exec(t))) {
    return { kind: "savepoint", name: unquote(m[1]!) };
  }
  if ((m = new RegExp(`^release\\s+(?:savepoint\\s+)?${ident}$`, "i").exec(t))) {
    return { kind: "release", name: unquote(m[1]!) };
  }
  if (
    (m = new RegExp(
      `^rollback\\s+(?:work\\s+|transaction\\s+)?to\\s+(?:savepoint\\s+)?${ident}$`,
      "i",
    )
      .exec(t))
  ) return { kind: "rollback_to", name: unquote(m[1]!) };
  if ((m = new RegExp(`^execute\\s+${ident}\\s*(?:\\(([\\s\\S]*)\\))?\\s*;?$`, "i").exec(t))) {
    const args = m[2]?.trim() ? m[2] : null;
    const at = args === null ? 0 : offset + text.indexOf(args) - "SELECT ".length;
    return {
      kind: "execute",
      name: unquote(m[1]!),
      args: args === null ? null : parseOne(`SELECT ${args}`, at),
    };
  }
  if ((m = /^explain\s+(\(\s*analyze[^)]*\)\s*|analyze\s+)?([\s\S]*)$/i.exec(t))) {
    const inner = text.indexOf(m[2]!);
    return {
      kind: "explain",
      analyze: m[1] !== undefined,
      statement: parseOne(m[2]!, offset + inner),
    };
  }
  if ((m = new RegExp(`^listen\\s+${ident}$`, "i").exec(t))) {
    return { kind: "listen", channel: unquote(m[1]!) };
  }
  if ((m = new RegExp(`^unlisten\\s+(\\*|${ident.slice(1, -1)})$`, "i").exec(t))) {
    return { kind: "unlisten", channel: m[1] === "*" ? "*" : unquote(m[1]!) };
  }
  if ((m = new RegExp(`^notify\\s+${ident}(?:\\s*,\\s*'((?:[^']|'')*)')?$`, "i").exec(t))) {
    return { kind: "notify", channel: unquote(m[1]!), payload: (m[2] ?? "").replaceAll("''", "'") };
  }
  if ((m = new RegExp(`^reset\\s+(all|${ident.slice(1, -1)})$`, "i").exec(t))) {
    return { kind: "reset", name: m[1]!.toLowerCase() };
  }
  if ((m = /^analyze(?:\s+([A-Za-z_][A-Za-z0-9_.]*))?$/i.exec(t))) {
    return { kind: "analyze", table: m[1]?.toLowerCase() ?? null };
  }
  if (
    (m =
      /^set\s+(?:session\s+characteristics\s+as\s+)?transaction\s+isolation\s+level\s+(read\s+committed|repeatable\s+read|serializable|read\s+uncommitted)/i
        .exec(t))
  ) {
    return {
      kind: "set",
      name: "transaction_isolation",
      value: m[1]!.toLowerCase().replace(/\s+/, " "),
    };
  }
  if ((m = /^set\s+(?:session\s+|local\s+)?time\s+zone\s+(.+?)\s*;?\s*$/i.exec(t))) {
    return setTimeZone(m[1]!);
  }
  if (
    (m = /^set\s+(?:session\s+|local\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*(?:=|\s+to\s+|\s+)\s*(.+)$/i
      .exec(t))
  ) {
    if (!/^(transaction|session\s+characteristics)$/i.test(m[1]!)) {
      // SET x TO DEFAULT is RESET x.
      if (/^default$/i.test(m[2]!.trim())) return { kind: "reset", name: m[1]!.toLowerCase() };
      return { kind: "set", name: m[1]!.toLowerCase(), value: m[2]!.replace(/^'(.*)'$/s, "$1") };
    }
  }
  return frontendSetOperation(text) ?? splitSetOperation(text, offset);
}

/**
 * `SET TIME ZONE LOCAL | DEFAULT | 'zone' | number | INTERVAL '...'`: a number
 * or interval is an offset east of UTC, kept as PostgreSQL shows it (`<-05>+05`).
 */
function setTimeZone(arg: string): ExtensionStatement {
  if (/^(local|default)$/i.test(arg)) return { kind: "reset", name: "timezone" };
  const iv = /^interval\s+'([^']*)'/i.exec(arg);
  if (iv) {
    const micros = parseInterval(iv[1]!).micros;
    return { kind: "set", name: "timezone", value: posixZone(Number(micros / 1_000_000n)) };
  }
  if (/^[+-]?\d+(\.\d+)?$/.test(arg)) {
    return { kind: "set", name: "timezone", value: posixZone(Math.round(Number(arg) * 3600)) };
  }
  return { kind: "set", name: "timezone", value: arg.replace(/^'(.*)'$/s, "$1") };
}

/**
 * The grammar knows `WITH LOCAL | CASCADED CHECK OPTION` on CREATE VIEW; a
 * bare `WITH CHECK OPTION` means CASCADED. The option ends the statement, so
 * the offsets of everything before it stay.
 */
function bareCheckOption(head: string, text: string): string {
  if (!/^create\s+(or\s+replace\s+)?((temp|temporary)\s+)?(recursive\s+)?view\b/i.test(head)) {
    return text;
  }
  return text.replace(/\bwith\s+check\s+option(\s*;?\s*)$/i, "WITH CASCADED CHECK OPTION$1");
}

/**
 * The jsonb path operators: the grammar knows them but binds them looser than
 * `||`, `IN` and `LIKE`; the frontend groups them as PostgreSQL does.
 */
const JSON_PATH_OPERATOR = /#>|@\?/;

/**
 * Parses one statement's text.
 * @throws {DbError} 42601 with `position` (1-based, in the whole query string)
 */
export function parseOne(text: string, offset: number): ParsedStatement {
  const head = text.replace(/^\s*((--[^\n]*\n|\/\*[\s\S]*?\*\/)\s*)*/, "");
  if (/^copy\b/i.test(head)) return { text, offset, ast: viaFrontend(text, offset) };
  // Enum types (CREATE/ALTER/DROP TYPE) are the frontend's, not the grammar's.
  if (/^(create|alter|drop)\s+type\b/i.test(head)) {
    return { text, offset, ast: viaFrontend(text, offset) };
  }
  // END and ABORT are PostgreSQL's spellings of COMMIT and ROLLBACK.
  const end = /^(end|abort)(\s+(work|transaction))?\s*$/i.exec(head);
  if (end) {
    const ast = parse(end[1]!.toLowerCase() === "end" ? "COMMIT" : "ROLLBACK")[0]!;
    return { text, offset, ast };
  }
  const ext = parseExtension(text, offset);
  if (ext) return { text, offset, ast: ext };
  if (JSON_PATH_OPERATOR.test(head)) {
    try {
      return { text, offset, ast: viaFrontend(text, offset) };
    } catch {
      // Not the frontend's form: the grammar's route below parses it or reports the error.
    }
  }
  try {
    const asts = parse(bareCheckOption(head, text), { locationTracking: true });
    if (asts.length === 0) return { text, offset, ast: { kind: "empty" } };
    return { text, offset, ast: asts[0]! };
  } catch (e) {
    // The SQL frontend covers what the grammar lacks: storage options, VACUUM, and
    // expressions such as COLLATE, IS DISTINCT FROM, E'' strings, window frames.
    try {
      return { text, offset, ast: viaFrontend(text, offset) };
    } catch (e2) {
      // Report the grammar's own error below, unless the frontend knows the form
      // and rejects it for another reason (unsupported, unknown name, ...).
      if (e2 instanceof DbError && e2.sqlstate !== "42601") throw e2;
    }
    throw syntaxError(e, text, offset);
  }
}

/**
 * Parses a statement with the SQL frontend (`sql/parse/`) and maps the
 * result onto this port's statements.
 * @throws {DbError} 42601 when the frontend rejects it or yields an unmapped form
 */
function viaFrontend(text: string, offset: number): Statement | ExtensionStatement {
  let ast;
  try {
    ast = parseFrontend(text, { locations: true })[0]?.ast;
  } catch (e) {
    if (e instanceof DbError && e.position !== undefined) e.position += offset;
    throw e;
  }
  if (ast && !("kind" in ast)) return ast;
  if (ast && "kind" in ast) {
    switch (ast.kind) {
      case "ext.copy":
        return { kind: "copy", copy: ast };
      case "ext.create_table":
        if (ast.onCommit === "drop" || ast.onCommit === "delete rows") {
          throw new DbError("0A000", `ON COMMIT ${ast.onCommit.toUpperCase()} is not supported`);
        }
        return ast.table;
      case "ext.create_table_as":
        if (ast.onCommit === "drop" || ast.onCommit === "delete rows") {
          throw new DbError("0A000", `ON COMMIT ${ast.onCommit.toUpperCase()} is not supported`);
        }
        return { kind: "create_table_as", create: ast };
      case "ext.drop":
        if (ast.objectType === "view") return dropView(ast);
        if (ast.objectType === "materialized view") return dropView(ast, true);
        if (ast.objectType === "domain") {
          const drop = {
            type: "drop domain",
            names: ast.names,
            ifExists: ast.ifExists,
            cascade: ast.cascade,
          };
          return drop as unknown as Statement;
        }
        break;
      case "ext.create_role":
      case "ext.alter_role":
      case "ext.drop_role":
        // Role DDL runs as catalog DDL (ddl_runner.ts), like CREATE DOMAIN.
        return { type: ast.kind.slice(4).replace("_", " "), role: ast } as unknown as Statement;
      case "ext.delete_using":
        return deleteUsing(ast);
      case "ext.vacuum":
      case "ext.analyze":
        return {
          kind: "vacuum",
          vacuum: ast.kind === "ext.vacuum",
          analyze: ast.kind === "ext.analyze" || ast.options.some((o) => o.name === "analyze"),
          tables: ast.tables.map((t) => t.table),
        };
    }
  }
  throw new DbError("42601", `syntax error at or near "${text.trim().split(/\s+/)[0] ?? ""}"`);
}

/** DELETE ... USING: the grammar's DELETE node carrying the USING list (read by `planDelete`). */
function deleteUsing(ast: ExtDeleteUsing): Statement {
  return {
    type: "delete",
    from: ast.table,
    ...(ast.where === null ? {} : { where: ast.where }),
    ...(ast.returning === null ? {} : { returning: [...ast.returning] }),
    using: ast.using,
  } as Statement;
}

/** A DROP of views: the grammar's DROP node marked with `view: true` (see `isDropView`). */
function dropView(ast: ExtDrop, matview = false): Statement {
  const node = {
    type: "drop table" as const,
    names: ast.names.map((n) => (n.schema === undefined ? { name: n.name } : n)),
    ifExists: ast.ifExists,
    ...(ast.cascade ? { cascade: "cascade" as const } : {}),
    view: true,
    ...(matview ? { matview: true } : {}),
  };
  return node;
}

/** True for a `DROP VIEW` statement (a grammar DROP node marked by this port). */
export function isDropView(stmt: Statement): boolean {
  return stmt.type === "drop table" && (stmt as { view?: unknown }).view === true &&
    (stmt as { matview?: unknown }).matview !== true;
}

/** True for a `DROP MATERIALIZED VIEW` statement (marked like `DROP VIEW`). */
export function isDropMatview(stmt: Statement): boolean {
  return stmt.type === "drop table" && (stmt as { matview?: unknown }).matview === true;
}

function syntaxError(e: unknown, text: string, offset: number): DbError {
  const message = e instanceof Error ? e.message : String(e);
  const m = /line (\d+) col (\d+)/.exec(message);
  let position = offset + 1;
  if (m) {
    const lines = text.split("\n");
    let at = 0;
    for (let l = 0; l < Number(m[1]) - 1; l++) at += (lines[l]?.length ?? 0) + 1;
    position = offset + at + Number(m[2]);
  }
  const token = /Unexpected \w+ token: "([^"]*)"/.exec(message)?.[1];
  const err = new DbError(
    "42601",
    token === undefined ? "syntax error at end of input" : `syntax error at or near "${token}"`,
  );
  err.position = position;
  return err;
}

/**
 * Parses a query string of one or more statements.
 * @throws {DbError} 42601 on bad syntax, 54000 when the text is too long
 */
export function parseSql(sql: string): ParsedStatement[] {
  if (sql.length > statementBytesMax) {
    throw new DbError("54000", `Statement of ${sql.length} bytes exceeds ${statementBytesMax}`);
  }
  return splitStatements(sql).map((p) => parseOne(p.text, p.offset));
}
