/**
 * Roles: CREATE USER / ROLE, ALTER USER / ROLE, DROP USER / ROLE as catalog
 * edits. Roles live in the catalog, so they are transactional and durable like
 * tables. Passwords are kept as verifiers (SCRAM-SHA-256 or md5, as
 * PostgreSQL's `rolpassword`); this layer gets the hashing as a port, since
 * the security layer sits above it.
 * @module
 */
import { DbError } from "../../common/errors.ts";
import type { CatalogEditor } from "./catalog.ts";
import type { ExtAlterRole, ExtCreateRole, ExtDropRole } from "../parse/ext_ast_admin.ts";

/** A role of the catalog (pg_authid's row). */
export interface RoleDef {
  readonly oid: number;
  readonly name: string;
  readonly superuser: boolean;
  readonly login: boolean;
  readonly createdb: boolean;
  readonly createrole: boolean;
  /** Stored verifier (`SCRAM-SHA-256$...` or `md5...`), null for none. */
  readonly password: string | null;
  /**
   * The role's Redis ACL rules (`on >... ~* +@all`) as ACL GETUSER lists
   * them, set by ACL SETUSER; absent until then.
   */
  readonly redisRules?: string;
}

/** What role DDL needs from above: password hashing and the names it may not take. */
export interface RolePorts {
  /** Turns a cleartext password into a verifier (a verifier given as is stays). */
  readonly hashPassword: (role: string, password: string) => string;
  /** Roles that exist outside the catalog (the configured bootstrap superuser). */
  readonly builtinRoles: ReadonlySet<string>;
}

function reservedCheck(name: string): void {
  if (name === "public" || name === "none") {
    throw new DbError("42939", `role name "${name}" is reserved`);
  }
  if (name.startsWith("pg_")) {
    const err = new DbError("42939", `role name "${name}" is reserved`);
    err.detail = `Role names starting with "pg_" are reserved.`;
    throw err;
  }
}

function missing(name: string): DbError {
  return new DbError("42704", `role "${name}" does not exist`);
}

function withOptions(
  base: RoleDef,
  o: ExtCreateRole["options"],
  ports: RolePorts,
): RoleDef {
  const f = o.flags;
  return {
    ...base,
    superuser: f.superuser ?? base.superuser,
    login: f.login ?? base.login,
    createdb: f.createdb ?? base.createdb,
    createrole: f.createrole ?? base.createrole,
    password: o.password === undefined
      ? base.password
      : o.password === null || o.password === ""
      ? null
      : ports.hashPassword(base.name, o.password),
  };
}

/**
 * CREATE ROLE / USER.
 * @throws {DbError} 42710 when the role exists, 42939 for a reserved name
 */
export function createRole(ed: CatalogEditor, stmt: ExtCreateRole, ports: RolePorts): void {
  reservedCheck(stmt.name);
  if (ed.roles.has(stmt.name) || ports.builtinRoles.has(stmt.name)) {
    throw new DbError("42710", `role "${stmt.name}" already exists`);
  }
  const base: RoleDef = {
    oid: ed.oid(),
    name: stmt.name,
    superuser: false,
    login: false,
    createdb: false,
    createrole: false,
    password: null,
  };
  ed.roles.set(stmt.name, withOptions(base, stmt.options, ports));
}

/**
 * ALTER ROLE / USER: options and RENAME TO (SET / RESET of settings are accepted and kept nowhere).
 * @throws {DbError} 42704 when the role is missing, 42710 when the new name is taken
 */
export function alterRole(ed: CatalogEditor, stmt: ExtAlterRole, ports: RolePorts): void {
  const role = ed.roles.get(stmt.name);
  if (role === undefined) {
    if (ports.builtinRoles.has(stmt.name)) {
      throw new DbError("0A000", `role "${stmt.name}" is configured, not altered by SQL`);
    }
    throw missing(stmt.name);
  }
  if (stmt.renameTo !== null) {
    reservedCheck(stmt.renameTo);
    if (ed.roles.has(stmt.renameTo) || ports.builtinRoles.has(stmt.renameTo)) {
      throw new DbError("42710", `role "${stmt.renameTo}" already exists`);
    }
    ed.roles.delete(stmt.name);
    // As PostgreSQL: an MD5 verifier is salted with the name, so a rename clears it.
    const password = role.password?.startsWith("md5") ? null : role.password;
    ed.roles.set(stmt.renameTo, { ...role, name: stmt.renameTo, password });
    return;
  }
  if (stmt.set !== null) return;
  ed.roles.set(stmt.name, withOptions(role, stmt.options, ports));
}

/**
 * DROP ROLE / USER.
 * @returns notices for missing roles under IF EXISTS
 * @throws {DbError} 42704 when a role is missing (without IF EXISTS)
 */
export function dropRole(ed: CatalogEditor, stmt: ExtDropRole, ports: RolePorts): string[] {
  const notices: string[] = [];
  for (const name of stmt.names) {
    if (ports.builtinRoles.has(name)) {
      throw new DbError("55006", `current user cannot be dropped`);
    }
    if (!ed.roles.delete(name)) {
      if (!stmt.ifExists) throw missing(name);
      notices.push(`role "${name}" does not exist, skipping`);
    }
  }
  return notices;
}

/** Sets (or clears, with null) a role's Redis ACL rules. */
export function setRedisRules(ed: CatalogEditor, name: string, rules: string | null): void {
  const role = ed.roles.get(name);
  if (role === undefined) throw missing(name);
  const { redisRules: _old, ...rest } = role;
  ed.roles.set(name, rules === null ? rest : { ...rest, redisRules: rules });
}
