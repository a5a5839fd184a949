/**
 * Typed errors carrying a PostgreSQL SQLSTATE code. Every expected failure in
 * ThunderDB (bad SQL, conflicts, limits, I/O, corruption) is a `DbError`
 * subclass, so each wire protocol can map it to its own error packet.
 * @module
 */

/** A five-character PostgreSQL SQLSTATE code, e.g. "42P01". */
export type SqlState = string;

/** Base class of every expected failure. */
export class DbError extends Error {
  /** Optional extra fields that protocols can forward (PostgreSQL ErrorResponse fields). */
  detail?: string;
  hint?: string;
  /** 1-based character position in the statement, for syntax errors. */
  position?: number;
  /**
   * Where the error happened, PostgreSQL's CONTEXT line (the ErrorResponse `W`
   * field), e.g. `COPY t, line 3, column b: "abc"`.
   */
  context?: string;
  constructor(readonly sqlstate: SqlState, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = new.target.name;
  }
}

/** Bad SQL text or an unsupported construct (42xxx). */
export class SyntaxError42 extends DbError {}
/** A limit from `limits.ts` was exceeded (54000 and friends). */
export class LimitError extends DbError {}
/** An I/O failure from the OS seam (58030). */
export class IoError extends DbError {
  constructor(message: string, cause?: unknown) {
    super("58030", message, cause);
  }
}
/** Bytes read from disk or network failed validation (XX001). */
export class CorruptError extends DbError {
  constructor(message: string, cause?: unknown) {
    super("XX001", message, cause);
  }
}
/** A configuration value is invalid (F0000). */
export class ConfigError extends DbError {
  constructor(message: string) {
    super("F0000", message);
  }
}
/** Serialization failure or deadlock (40001 / 40P01). */
export class TxnConflictError extends DbError {}

/** A broken invariant: a bug, never bad input (XX000). */
export class AssertionError extends DbError {
  constructor(message: string) {
    super("XX000", message);
  }
}

/**
 * Throws `AssertionError` when `condition` is false.
 * @param condition the invariant
 * @param message what broke, with the values involved
 * @throws {AssertionError} XX000
 */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionError(message);
}

/**
 * Marks a `switch` over a `kind`-tagged union as exhaustive.
 * @throws {AssertionError} XX000 when reached at run time
 */
export function assertNever(value: never, what = "value"): never {
  throw new AssertionError(`Unexpected ${what}: ${JSON.stringify(value)}`);
}
