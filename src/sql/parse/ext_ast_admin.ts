/**
 * Extension AST nodes of the administration statements: privileges, roles,
 * DROP of objects the grammar lacks, and the foreign-data statements.
 * Re-exported by `ext_ast.ts`; the same conventions apply.
 * @module
 */

import type { pg } from "./pg_parser.ts";
import type { ExtOption, ExtQName, ExtReset, ExtSet } from "./ext_ast.ts";

/** GRANT/REVOKE privileges ON objects TO/FROM roles. */
export interface ExtGrant {
  readonly kind: "ext.grant" | "ext.revoke";
  /** Lower-cased privilege names; "all" for ALL [PRIVILEGES]. */
  readonly privileges: readonly { readonly name: string; readonly columns: readonly string[] }[];
  /** table, sequence, database, schema, function, procedure, routine, foreign data wrapper, foreign server, language, tablespace, type, domain. */
  readonly objectType: string;
  /** True for `ON ALL TABLES IN SCHEMA s` (objects then names schemas). */
  readonly allInSchema: boolean;
  readonly objects: readonly ExtQName[];
  /** Role names; "public" for PUBLIC. */
  readonly grantees: readonly string[];
  /** WITH GRANT OPTION on GRANT, GRANT OPTION FOR on REVOKE. */
  readonly grantOption: boolean;
  readonly cascade: boolean;
}
/** GRANT/REVOKE role membership. */
export interface ExtGrantRole {
  readonly kind: "ext.grant_role" | "ext.revoke_role";
  readonly roles: readonly string[];
  readonly grantees: readonly string[];
  readonly adminOption: boolean;
  readonly cascade: boolean;
}

/**
 * Role options, lower-cased without the NO prefix: superuser, createdb,
 * createrole, inherit, login, replication, bypassrls (booleans);
 * connectionLimit; password (null for PASSWORD NULL); encrypted;
 * validUntil; inRole / role / admin (member lists).
 */
export interface ExtRoleOptions {
  readonly flags: Readonly<Record<string, boolean>>;
  readonly connectionLimit?: number;
  readonly password?: string | null;
  readonly validUntil?: string;
  readonly inRole?: readonly string[];
  readonly role?: readonly string[];
  readonly admin?: readonly string[];
}
/** CREATE USER|ROLE|GROUP; USER implies LOGIN (set in `options.flags.login` unless given). */
export interface ExtCreateRole {
  readonly kind: "ext.create_role";
  readonly name: string;
  readonly options: ExtRoleOptions;
}
/** ALTER USER|ROLE name [WITH] options | RENAME TO | SET/RESET parameter. */
export interface ExtAlterRole {
  readonly kind: "ext.alter_role";
  readonly name: string;
  readonly options: ExtRoleOptions;
  readonly renameTo: string | null;
  readonly set: ExtSet | ExtReset | null;
}
/** DROP USER|ROLE|GROUP [IF EXISTS] names. */
export interface ExtDropRole {
  readonly kind: "ext.drop_role";
  readonly names: readonly string[];
  readonly ifExists: boolean;
}

/** DROP of an object kind the grammar lacks (view, schema, extension, function, server ...). */
export interface ExtDrop {
  readonly kind: "ext.drop";
  /** Lower-cased, words joined by one space: "view", "materialized view", "foreign table" ... */
  readonly objectType: string;
  readonly names: readonly ExtQName[];
  readonly ifExists: boolean;
  readonly cascade: boolean;
}

/** CREATE SERVER (parsed only). */
export interface ExtCreateServer {
  readonly kind: "ext.create_server";
  readonly name: string;
  readonly ifNotExists: boolean;
  readonly serverType: string | null;
  readonly version: string | null;
  readonly wrapper: string;
  readonly options: readonly ExtOption[];
}
/** CREATE FOREIGN TABLE (parsed only); `table` holds the column definitions. */
export interface ExtCreateForeignTable {
  readonly kind: "ext.create_foreign_table";
  readonly table: pg.CreateTableStatement;
  readonly server: string;
  readonly options: readonly ExtOption[];
}
/** CREATE USER MAPPING (parsed only); `user` is a role name, "current_user" or "public". */
export interface ExtCreateUserMapping {
  readonly kind: "ext.create_user_mapping";
  readonly user: string;
  readonly server: string;
  readonly ifNotExists: boolean;
  readonly options: readonly ExtOption[];
}
/** IMPORT FOREIGN SCHEMA (parsed only). */
export interface ExtImportForeignSchema {
  readonly kind: "ext.import_foreign_schema";
  readonly remoteSchema: string;
  readonly restriction:
    | { readonly kind: "limit to" | "except"; readonly tables: readonly string[] }
    | null;
  readonly server: string;
  readonly localSchema: string;
  readonly options: readonly ExtOption[];
}
