/**
 * AST of the statements pgsql-ast-parser's grammar lacks. Every node is
 * readonly and tagged with `kind` ("ext.*"); pgsql-ast-parser's own nodes are
 * tagged with `type`, so `"kind" in stmt` tells the two apart.
 *
 * Names are folded as PostgreSQL folds them (unquoted lower-cased, quoted
 * kept). Embedded expressions, FROM items and column definitions are
 * pgsql-ast-parser nodes, produced by the same grammar as everything else.
 * @module
 */

import type { pg } from "./pg_parser.ts";
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
} from "./ext_ast_admin.ts";

export type * from "./ext_ast_admin.ts";

/**
 * Extra fields set on a pgsql-ast-parser constraint node whose source had a
 * DEFERRABLE / INITIALLY clause (the grammar lacks it); absent means NOT DEFERRABLE.
 */
export interface ConstraintTiming {
  readonly deferrable?: boolean;
  readonly initiallyDeferred?: boolean;
}

/**
 * Extra field set on a select's `for` node (pgsql-ast-parser's ForStatement)
 * for `FOR UPDATE|SHARE OF a, b`: only those relations are locked.
 */
export interface LockingOf {
  readonly of?: readonly { readonly name: string }[];
}

/** A possibly schema-qualified name. */
export interface ExtQName {
  readonly name: string;
  readonly schema?: string;
}

/** A `name value` / `name = value` option; `value` null when only the name was given. */
export interface ExtOption {
  readonly name: string;
  readonly value: string | null;
}

/** Transaction modes of BEGIN, START TRANSACTION and SET TRANSACTION. */
export interface ExtTransactionModes {
  readonly isolationLevel?:
    | "serializable"
    | "repeatable read"
    | "read committed"
    | "read uncommitted";
  readonly readOnly?: boolean;
  readonly deferrable?: boolean;
}

/** BEGIN / START TRANSACTION with optional modes. */
export interface ExtBegin extends ExtTransactionModes {
  readonly kind: "ext.begin";
}
/** SET TRANSACTION (or SET SESSION CHARACTERISTICS AS TRANSACTION when `session`). */
export interface ExtSetTransaction extends ExtTransactionModes {
  readonly kind: "ext.set_transaction";
  readonly session: boolean;
}
/** COMMIT / END / ROLLBACK / ABORT [AND [NO] CHAIN]. */
export interface ExtEndTransaction {
  readonly kind: "ext.commit" | "ext.rollback";
  readonly chain: boolean;
}
/** SAVEPOINT name. */
export interface ExtSavepoint {
  readonly kind: "ext.savepoint" | "ext.release_savepoint" | "ext.rollback_to_savepoint";
  readonly name: string;
}

/**
 * SET [SESSION|LOCAL] name {TO|=} value[, ...] | DEFAULT. Special forms map
 * to their parameter: TIME ZONE → timezone, NAMES → client_encoding,
 * SCHEMA → search_path, ROLE → role, SESSION AUTHORIZATION → session_authorization.
 * `values` holds each list item as text (strings decoded, numbers as written);
 * null means DEFAULT (or TIME ZONE LOCAL).
 */
export interface ExtSet {
  readonly kind: "ext.set";
  readonly name: string;
  readonly local: boolean;
  readonly values: readonly string[] | null;
}
/** SHOW name | ALL (TIME ZONE → timezone, TRANSACTION ISOLATION LEVEL → transaction_isolation). */
export interface ExtShow {
  readonly kind: "ext.show";
  readonly name: string;
}
/** RESET name | ALL. */
export interface ExtReset {
  readonly kind: "ext.reset";
  readonly name: string;
}
/** DISCARD ALL | PLANS | SEQUENCES | TEMP. */
export interface ExtDiscard {
  readonly kind: "ext.discard";
  readonly target: "all" | "plans" | "sequences" | "temp";
}
/** LISTEN / UNLISTEN (channel null for `*`) / NOTIFY. */
export interface ExtListen {
  readonly kind: "ext.listen";
  readonly channel: string;
}
/** UNLISTEN channel | * (null). */
export interface ExtUnlisten {
  readonly kind: "ext.unlisten";
  readonly channel: string | null;
}
/** NOTIFY channel [, 'payload']. */
export interface ExtNotify {
  readonly kind: "ext.notify";
  readonly channel: string;
  readonly payload: string | null;
}

/** PREPARE name [(types)] AS statement. */
export interface ExtPrepare {
  readonly kind: "ext.prepare";
  readonly name: string;
  readonly paramTypes: readonly pg.DataTypeDef[];
  readonly statement: Statement;
}
/** EXECUTE name [(args)]. */
export interface ExtExecute {
  readonly kind: "ext.execute";
  readonly name: string;
  readonly args: readonly pg.Expr[];
}
/** DEALLOCATE [PREPARE] name | ALL (null). */
export interface ExtDeallocate {
  readonly kind: "ext.deallocate";
  readonly name: string | null;
}

/** EXPLAIN [ANALYZE] [VERBOSE] [(options)] statement; options keep their order, lower-cased. */
export interface ExtExplain {
  readonly kind: "ext.explain";
  readonly analyze: boolean;
  readonly verbose: boolean;
  readonly options: readonly ExtOption[];
  readonly statement: Statement;
}

/** One table (and optional columns) of VACUUM / ANALYZE. */
export interface ExtTableColumns {
  readonly table: ExtQName;
  readonly columns: readonly string[];
}
/** VACUUM [FULL] [FREEZE] [VERBOSE] [ANALYZE] [(options)] [tables]; flags also appear in `options`. */
export interface ExtVacuum {
  readonly kind: "ext.vacuum" | "ext.analyze";
  readonly options: readonly ExtOption[];
  readonly tables: readonly ExtTableColumns[];
}

/** Where COPY reads or writes. */
export type ExtCopyTarget =
  | { readonly kind: "stdin" }
  | { readonly kind: "stdout" }
  | { readonly kind: "file"; readonly path: string }
  | { readonly kind: "program"; readonly command: string };

/**
 * COPY. `options` are normalized from both the `WITH (...)` and the old
 * (pre-9.0) syntax: `format` text|csv|binary, `header` "true"|"false"|"match",
 * `delimiter`, `null`, `quote`, `escape`, `encoding`, `freeze`, and
 * `force_quote` / `force_not_null` / `force_null` as comma-joined column
 * lists ("*" for all).
 */
export interface ExtCopy {
  readonly kind: "ext.copy";
  readonly table: ExtQName | null;
  readonly columns: readonly string[] | null;
  readonly query: Statement | null;
  readonly direction: "from" | "to";
  readonly target: ExtCopyTarget;
  readonly options: readonly ExtOption[];
  readonly where: pg.Expr | null;
}

/** CREATE TABLE ... WITH (storage options) / ON COMMIT: the grammar's node plus the stripped clauses. */
export interface ExtCreateTable {
  readonly kind: "ext.create_table";
  readonly table: pg.CreateTableStatement;
  readonly storageOptions: readonly ExtOption[];
  readonly onCommit: "drop" | "delete rows" | "preserve rows" | null;
}

/** CREATE [TEMP|UNLOGGED] TABLE [IF NOT EXISTS] name [(columns)] [WITH (...)] AS query [WITH [NO] DATA]. */
export interface ExtCreateTableAs {
  readonly kind: "ext.create_table_as";
  readonly name: ExtQName;
  readonly ifNotExists: boolean;
  readonly temporary: boolean;
  readonly unlogged: boolean;
  readonly columns: readonly string[] | null;
  readonly storageOptions: readonly ExtOption[];
  readonly onCommit: "drop" | "delete rows" | "preserve rows" | null;
  readonly query: Statement;
  /** Offset of the query's first token in the statement text (set by the parser). */
  readonly queryStart?: number;
  readonly withData: boolean;
}

/** SET CONSTRAINTS ALL | names DEFERRED | IMMEDIATE (names null for ALL). */
export interface ExtSetConstraints {
  readonly kind: "ext.set_constraints";
  readonly names: readonly ExtQName[] | null;
  readonly deferred: boolean;
}

/** LOCK [TABLE] [ONLY] names [IN mode MODE] [NOWAIT]; mode lower-cased, default "access exclusive". */
export interface ExtLock {
  readonly kind: "ext.lock";
  readonly tables: readonly ExtQName[];
  readonly mode: string;
  readonly nowait: boolean;
}

/** CHECKPOINT. */
export interface ExtCheckpoint {
  readonly kind: "ext.checkpoint";
}

/** DELETE FROM table USING from-list [WHERE] [RETURNING]. */
export interface ExtDeleteUsing {
  readonly kind: "ext.delete_using";
  readonly table: pg.QNameAliased;
  readonly using: readonly pg.From[];
  readonly where: pg.Expr | null;
  readonly returning: readonly pg.SelectedColumn[] | null;
}

/** One side of a set operation. */
export type ExtQuery = pg.SelectStatement | ExtSetOperation;
/**
 * `left UNION|INTERSECT|EXCEPT [ALL] right` at statement level, with
 * PostgreSQL's precedence (INTERSECT binds tighter) and the trailing
 * ORDER BY / LIMIT / OFFSET applying to the whole result.
 */
export interface ExtSetOperation {
  readonly kind: "ext.set_operation";
  readonly op: "union" | "intersect" | "except";
  readonly all: boolean;
  readonly left: ExtQuery;
  readonly right: ExtQuery;
  readonly orderBy: readonly pg.OrderByStatement[] | null;
  readonly limit: pg.LimitStatement | null;
}

/** Every statement the extension layer produces. */
export type ExtStatement =
  | ExtBegin
  | ExtSetTransaction
  | ExtEndTransaction
  | ExtSavepoint
  | ExtSet
  | ExtShow
  | ExtReset
  | ExtDiscard
  | ExtListen
  | ExtUnlisten
  | ExtNotify
  | ExtPrepare
  | ExtExecute
  | ExtDeallocate
  | ExtExplain
  | ExtVacuum
  | ExtCopy
  | ExtGrant
  | ExtGrantRole
  | ExtCreateRole
  | ExtAlterRole
  | ExtDropRole
  | ExtDrop
  | ExtCreateServer
  | ExtCreateForeignTable
  | ExtCreateUserMapping
  | ExtImportForeignSchema
  | ExtCreateTable
  | ExtCreateTableAs
  | ExtSetConstraints
  | ExtLock
  | ExtCheckpoint
  | ExtDeleteUsing
  | ExtSetOperation;

/** A parsed statement: a pgsql-ast-parser node or an extension node. */
export type Statement = pg.Statement | ExtStatement;

/**
 * True for extension nodes.
 * @param s a parsed statement
 */
export function isExtStatement(s: Statement): s is ExtStatement {
  return "kind" in s;
}

/** The statement's kind tag: `type` of grammar nodes, `kind` of extension nodes. */
export function statementKind(s: Statement): string {
  return "kind" in s ? s.kind : s.type;
}
