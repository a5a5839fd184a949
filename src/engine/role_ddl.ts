/**
 * Role DDL (CREATE / ALTER / DROP USER and ROLE) on the engine side: runs the
 * catalog edit with passwords hashed by the security layer, and answers who
 * may log in with which password for the wire protocols (PostgreSQL's SCRAM
 * lookup, Redis AUTH).
 * @module
 */
import type { Statement } from "pgsql-ast-parser";
import type { Catalog, CatalogEditor } from "../sql/catalog/catalog.ts";
import { alterRole, createRole, dropRole, type RolePorts } from "../sql/catalog/ddl_role.ts";
import type { DdlEffects } from "../sql/catalog/ddl.ts";
import type { ExtAlterRole, ExtCreateRole, ExtDropRole } from "../sql/parse/ext_ast_admin.ts";
import { ownerName } from "../sql/pg_catalog/virtual.ts";
import { createScramVerifier, parseScramVerifier } from "../security/scram.ts";
import { isMd5Verifier } from "../security/md5_auth.ts";
import { verifyCleartextPassword } from "../security/password.ts";

const ports: RolePorts = {
  hashPassword: (_role, password) =>
    parseScramVerifier(password) !== undefined || isMd5Verifier(password)
      ? password
      : createScramVerifier(password),
  builtinRoles: new Set([ownerName]),
};

/**
 * Applies a role statement to a catalog edit.
 * @returns the command tag, or null when `stmt` is no role statement
 * @throws {DbError} 42710, 42704, 42939
 */
export function roleDdl(ed: CatalogEditor, stmt: Statement, fx: DdlEffects): string | null {
  const node = stmt as unknown as { type: string; role: unknown };
  switch (node.type) {
    case "create role":
      createRole(ed, node.role as ExtCreateRole, ports);
      return "CREATE ROLE";
    case "alter role":
      alterRole(ed, node.role as ExtAlterRole, ports);
      return "ALTER ROLE";
    case "drop role":
      fx.notices.push(...dropRole(ed, node.role as ExtDropRole, ports));
      return "DROP ROLE";
    default:
      return null;
  }
}

/**
 * The stored verifier of a role that may log in, from the committed catalog.
 * @returns undefined for an unknown role, one without LOGIN or without a password
 */
export function loginVerifier(catalog: Catalog, user: string): string | undefined {
  const role = catalog.roles.get(user);
  if (role === undefined || !role.login || role.password === null) return undefined;
  return role.password;
}

/** Whether `password` is the password of a role of `catalog` that may log in. */
export function checkRolePassword(catalog: Catalog, user: string, password: string): boolean {
  const verifier = loginVerifier(catalog, user);
  return verifier !== undefined && verifyCleartextPassword(verifier, user, password);
}
