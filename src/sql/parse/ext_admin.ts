/**
 * Extension rules for administration statements: GRANT / REVOKE, CREATE /
 * ALTER / DROP USER|ROLE|GROUP, VACUUM / ANALYZE, and the foreign-data
 * statements (CREATE SERVER, CREATE FOREIGN TABLE, CREATE USER MAPPING,
 * IMPORT FOREIGN SCHEMA), which are parsed only.
 * @module
 */

import type { Cursor } from "./_cursor.ts";
import type {
  ExtAlterRole,
  ExtCreateForeignTable,
  ExtCreateRole,
  ExtCreateServer,
  ExtCreateUserMapping,
  ExtDrop,
  ExtDropRole,
  ExtGrant,
  ExtGrantRole,
  ExtImportForeignSchema,
  ExtOption,
  ExtQName,
  ExtRoleOptions,
  ExtTableColumns,
  ExtVacuum,
} from "./ext_ast.ts";
import { parseSet } from "./ext_session.ts";
import { parseGrammar } from "./pg_parser.ts";

const OBJECT_TYPES = [
  ["foreign", "data", "wrapper"],
  ["foreign", "server"],
  ["large", "object"],
  ["table"],
  ["sequence"],
  ["database"],
  ["schema"],
  ["function"],
  ["procedure"],
  ["routine"],
  ["language"],
  ["tablespace"],
  ["type"],
  ["domain"],
];

/** A role specification: a name, PUBLIC, CURRENT_USER, SESSION_USER or CURRENT_ROLE (`GROUP x` allowed). */
function roleSpec(c: Cursor): string {
  c.accept("group");
  return c.name();
}
function roleList(c: Cursor): string[] {
  const out = [roleSpec(c)];
  while (c.acceptPunct(",")) out.push(roleSpec(c));
  return out;
}

/** True when `ON` appears before `TO`/`FROM` at paren depth 0 (a privilege grant). */
function hasOn(c: Cursor): boolean {
  let depth = 0;
  for (let i = c.pos; i < c.tokens.length; i++) {
    const t = c.tokens[i]!;
    if (t.kind === "punct" && t.value === "(") depth++;
    if (t.kind === "punct" && t.value === ")") depth--;
    if (depth === 0 && t.kind === "ident" && (t.value === "to" || t.value === "from")) return false;
    if (depth === 0 && t.kind === "ident" && t.value === "on") return true;
  }
  return false;
}

/** The membership form: `GRANT roles TO grantees` / `REVOKE roles FROM grantees`. */
function grantRole(c: Cursor, grant: boolean, adminOption: boolean): ExtGrantRole {
  const roles = c.nameList();
  if (grant) c.expect("to");
  else c.expect("from");
  const grantees = roleList(c);
  if (grant && c.accept("with", "admin", "option")) adminOption = true;
  if (c.accept("granted", "by")) roleSpec(c);
  const cascade = !grant && c.accept("cascade");
  if (!cascade && !grant) c.accept("restrict");
  c.expectEnd();
  const kind = grant ? "ext.grant_role" : "ext.revoke_role";
  return { kind, roles, grantees, adminOption, cascade };
}

/** `priv [(cols)], ...` or `ALL [PRIVILEGES] [(cols)]`. */
function privilegeList(c: Cursor): ExtGrant["privileges"] {
  const privileges: { name: string; columns: string[] }[] = [];
  do {
    let name = "all";
    if (c.accept("all")) c.accept("privileges");
    else name = c.name();
    privileges.push({
      name: name === "temp" ? "temporary" : name,
      columns: c.isPunct("(") ? c.parenNames() : [],
    });
  } while (c.acceptPunct(","));
  return privileges;
}

/** GRANT / REVOKE of privileges or of role membership. */
export function parseGrant(c: Cursor): ExtGrant | ExtGrantRole {
  const grant = c.next().value === "grant";
  let option = !grant && (c.accept("grant", "option", "for") || c.accept("admin", "option", "for"));
  if (!hasOn(c)) return grantRole(c, grant, option);
  const privileges = privilegeList(c);
  c.expect("on");
  let objectType = "table";
  let allInSchema = false;
  if (c.isWord("all") && c.isWord("in", 2)) {
    c.next();
    objectType = c.next().value.replace(/s$/, "");
    c.expect("in", "schema");
    allInSchema = true;
  } else {
    const words = OBJECT_TYPES.find((ws) => ws.every((w, k) => c.isWord(w, k)));
    if (words !== undefined) {
      c.accept(...words);
      objectType = words.join(" ");
    }
  }
  const objects: ExtQName[] = [];
  do {
    objects.push(c.qname());
    if (c.isPunct("(")) c.pos = c.groupEnd(c.pos); // function signature
  } while (c.acceptPunct(","));
  if (grant) c.expect("to");
  else c.expect("from");
  const grantees = roleList(c);
  if (grant && c.accept("with", "grant", "option")) option = true;
  if (c.accept("granted", "by")) roleSpec(c);
  const cascade = !grant && c.accept("cascade");
  if (!cascade && !grant) c.accept("restrict");
  c.expectEnd();
  return {
    kind: grant ? "ext.grant" : "ext.revoke",
    privileges,
    objectType,
    allInSchema,
    objects,
    grantees,
    grantOption: option,
    cascade,
  };
}

const ROLE_FLAGS = [
  "superuser",
  "createdb",
  "createrole",
  "inherit",
  "login",
  "replication",
  "bypassrls",
];

/** Role options until the end of the statement. */
function roleOptions(c: Cursor, implicitLogin: boolean): ExtRoleOptions {
  const flags: Record<string, boolean> = {};
  const o: { -readonly [K in keyof ExtRoleOptions]: ExtRoleOptions[K] } = { flags };
  if (implicitLogin) flags.login = true;
  c.accept("with");
  while (!c.atEnd) {
    const w = c.next();
    const v = w.value;
    if (w.kind === "ident" && ROLE_FLAGS.includes(v)) flags[v] = true;
    else if (w.kind === "ident" && v.startsWith("no") && ROLE_FLAGS.includes(v.slice(2))) {
      flags[v.slice(2)] = false;
    } else if (v === "connection") {
      c.expect("limit");
      o.connectionLimit = Number(c.value());
    } else if (v === "encrypted" || v === "unencrypted" || v === "password") {
      if (v !== "password") c.expect("password");
      o.password = c.accept("null") ? null : c.string();
    } else if (v === "valid") {
      c.expect("until");
      o.validUntil = c.string();
    } else if (v === "in") {
      if (!c.accept("role")) c.expect("group");
      o.inRole = c.nameList();
    } else if (v === "role" || v === "user") o.role = c.nameList();
    else if (v === "admin") o.admin = c.nameList();
    else if (v === "sysid") c.value();
    else throw c.error(w);
  }
  return o;
}

/** CREATE USER|ROLE|GROUP name [[WITH] options]; the cursor is past CREATE. */
export function parseCreateRole(c: Cursor): ExtCreateRole {
  const isUser = c.next().value === "user";
  const name = c.name();
  return { kind: "ext.create_role", name, options: roleOptions(c, isUser) };
}

/** ALTER USER|ROLE|GROUP name ...; the cursor is past ALTER. */
export function parseAlterRole(c: Cursor): ExtAlterRole {
  c.next();
  const name = c.name();
  const base = { kind: "ext.alter_role", name, renameTo: null, set: null } as const;
  if (c.accept("rename", "to")) {
    const renameTo = c.name();
    c.expectEnd();
    return { ...base, options: { flags: {} }, renameTo };
  }
  if (c.isWord("set")) {
    const set = parseSet(c);
    if (set.kind !== "ext.set") throw c.error(c.tokens[0]);
    return { ...base, options: { flags: {} }, set };
  }
  if (c.accept("reset")) {
    const reset = { kind: "ext.reset", name: c.name() } as const;
    c.expectEnd();
    return { ...base, options: { flags: {} }, set: reset };
  }
  return { ...base, options: roleOptions(c, false) };
}

/** DROP USER|ROLE|GROUP [IF EXISTS] names; the cursor is past DROP. */
export function parseDropRole(c: Cursor): ExtDropRole {
  c.next();
  const ifExists = c.accept("if", "exists");
  const names = c.nameList();
  c.expectEnd();
  return { kind: "ext.drop_role", names, ifExists };
}

const DROP_TYPES = [
  ["materialized", "view"],
  ["foreign", "table"],
  ["foreign", "data", "wrapper"],
  ["view"],
  ["schema"],
  ["extension"],
  ["function"],
  ["procedure"],
  ["server"],
  ["database"],
  ["domain"],
  ["aggregate"],
  ["tablespace"],
  ["publication"],
  ["subscription"],
  ["collation"],
];

/** DROP of the object kinds in `DROP_TYPES`, or null when the grammar owns the statement. */
export function parseDrop(c: Cursor): ExtDrop | null {
  c.pos = 1;
  const words = DROP_TYPES.find((ws) => ws.every((w, k) => c.isWord(w, k)));
  if (words === undefined) return null;
  c.accept(...words);
  const ifExists = c.accept("if", "exists");
  const names: ExtQName[] = [];
  do {
    names.push(c.qname());
    if (c.isPunct("(")) c.pos = c.groupEnd(c.pos); // function signature
  } while (c.acceptPunct(","));
  const cascade = c.accept("cascade");
  if (!cascade) c.accept("restrict");
  c.expectEnd();
  return { kind: "ext.drop", objectType: words.join(" "), names, ifExists, cascade };
}

/** CREATE SERVER; the cursor is past CREATE. */
export function parseCreateServer(c: Cursor): ExtCreateServer {
  c.expect("server");
  const ifNotExists = c.accept("if", "not", "exists");
  const name = c.name();
  const serverType = c.accept("type") ? c.string() : null;
  const version = c.accept("version") ? c.string() : null;
  c.expect("foreign", "data", "wrapper");
  const wrapper = c.name();
  const options = c.fdwOptions();
  c.expectEnd();
  return { kind: "ext.create_server", name, ifNotExists, serverType, version, wrapper, options };
}

/** CREATE FOREIGN TABLE; the cursor is past CREATE. Column OPTIONS are dropped. */
export function parseCreateForeignTable(c: Cursor): ExtCreateForeignTable {
  c.expect("foreign", "table");
  const nameFrom = c.pos;
  c.accept("if", "not", "exists");
  c.qname();
  if (!c.isPunct("(")) throw c.error();
  const close = c.groupEnd(c.pos);
  const parts: string[] = [];
  for (let i = c.pos; i < close; i++) {
    if (c.tokens[i]!.kind === "ident" && c.tokens[i]!.value === "options" && i > c.pos) {
      i = c.groupEnd(i + 1) - 1; // column options
      continue;
    }
    parts.push(c.text(i, i + 1));
  }
  c.pos = close;
  const parsed = parseGrammar(`CREATE TABLE ${tableHead(c, nameFrom)} ${parts.join(" ")}`);
  if (parsed.type !== "create table") throw c.error(c.tokens[0]);
  c.expect("server");
  const server = c.name();
  const options = c.fdwOptions();
  c.expectEnd();
  return { kind: "ext.create_foreign_table", table: parsed, server, options };
}

/** Text of `[IF NOT EXISTS] name` starting at token `from`, up to the column list. */
function tableHead(c: Cursor, from: number): string {
  let i = from;
  while (i < c.tokens.length && !(c.tokens[i]!.kind === "punct" && c.tokens[i]!.value === "(")) i++;
  return c.text(from, i);
}

/** CREATE USER MAPPING; the cursor is past CREATE. */
export function parseCreateUserMapping(c: Cursor): ExtCreateUserMapping {
  c.expect("user", "mapping");
  const ifNotExists = c.accept("if", "not", "exists");
  c.expect("for");
  const user = c.name();
  c.expect("server");
  const server = c.name();
  const options = c.fdwOptions();
  c.expectEnd();
  return { kind: "ext.create_user_mapping", user, server, ifNotExists, options };
}

/** IMPORT FOREIGN SCHEMA. */
export function parseImportForeignSchema(c: Cursor): ExtImportForeignSchema {
  c.expect("import", "foreign", "schema");
  const remoteSchema = c.name();
  let restriction: ExtImportForeignSchema["restriction"] = null;
  if (c.accept("limit", "to")) restriction = { kind: "limit to", tables: c.parenNames() };
  else if (c.accept("except")) restriction = { kind: "except", tables: c.parenNames() };
  c.expect("from", "server");
  const server = c.name();
  c.expect("into");
  const localSchema = c.name();
  const options = c.fdwOptions();
  c.expectEnd();
  return {
    kind: "ext.import_foreign_schema",
    remoteSchema,
    restriction,
    server,
    localSchema,
    options,
  };
}

/** `(name [value], ...)` options of VACUUM, ANALYZE and EXPLAIN. */
export function parenOptions(c: Cursor): ExtOption[] {
  const out: ExtOption[] = [];
  c.expectPunct("(");
  do {
    const name = c.name();
    out.push({ name, value: c.isPunct(",") || c.isPunct(")") ? null : c.value() });
  } while (c.acceptPunct(","));
  c.expectPunct(")");
  return out;
}

/** VACUUM / ANALYZE (ANALYSE) with old-style flags or a parenthesized option list. */
export function parseVacuum(c: Cursor): ExtVacuum {
  const word = c.next().value;
  const kind = word === "vacuum" ? "ext.vacuum" : "ext.analyze";
  let options: ExtOption[] = [];
  if (c.isPunct("(")) options = parenOptions(c);
  else {
    const flags = kind === "ext.vacuum"
      ? ["full", "freeze", "verbose", "analyze", "analyse"]
      : ["verbose"];
    while (
      c.peek() !== undefined && c.peek()!.kind === "ident" && flags.includes(c.peek()!.value)
    ) {
      const v = c.next().value;
      options.push({ name: v === "analyse" ? "analyze" : v, value: null });
    }
  }
  const tables: ExtTableColumns[] = [];
  while (!c.atEnd) {
    const table = c.qname();
    tables.push({ table, columns: c.isPunct("(") ? c.parenNames() : [] });
    if (!c.acceptPunct(",")) break;
  }
  c.expectEnd();
  return { kind, options, tables };
}
