/**
 * Hard limits. Configuration may lower a limit, never raise it. Each limit
 * names its unit last and says why it exists.
 * @module
 */

/** Largest page size accepted; pages are addressed with 32-bit offsets inside a frame. */
export const pageBytesMax = 64 * 1024;
/** Smallest page size accepted: the page header plus a useful body must fit. */
export const pageBytesMin = 4 * 1024;
/** Alignment required by O_DIRECT on every file system we support. */
export const directIoAlignBytes = 4096;
/** One wire message (PostgreSQL, MySQL, RESP request); bounds memory per connection. */
export const messageBytesMax = 1024 * 1024 * 1024;
/** Concurrent client connections across all protocols. */
export const connectionsMax = 10_000;
/** One SQL statement's text; bounds lexer and parser work. */
export const statementBytesMax = 16 * 1024 * 1024;
/** Nesting of expressions; bounds recursion in the binder and compiler. */
export const exprDepthMax = 1_000;
/** Rows per batch on the result stream. */
export const batchRowsMax = 1_024;
/**
 * Bytes an UPDATE keeps of the values it overwrote in place (to write them
 * back on rollback); past it, rows get new versions as usual. Bounds the
 * memory of a large in-place UPDATE.
 */
export const inPlaceUndoBytesMax = 4 * 1024 * 1024;
/** One WAL segment file before rolling to the next. */
export const walSegmentBytes = 64 * 1024 * 1024;
/** A single WAL record; larger values are split by their owner. */
export const walRecordBytesMax = 512 * 1024 * 1024;
/** Raft messages in flight per follower. */
export const raftInflightMax = 256;
/** A statement's run time before it is cancelled (0 = no limit is not allowed here). */
export const queryMsMax = 24 * 60 * 60 * 1000;
/** A key or value stored through the RESP protocol (Redis's proto-max-bulk-len). */
export const respBulkBytesMax = 512 * 1024 * 1024;
/** Parsed statement shapes kept by one statement cache; bounds its memory (ASTs of a few KB each). */
export const statementCacheEntriesMax = 4_096;
/** Normalized statement text above which a statement is parsed but not cached (bulk INSERTs). */
export const statementCacheTextBytesMax = 64 * 1024;
/** A Lua script body (EVAL, SCRIPT LOAD, FUNCTION LOAD); Redis has none below proto-max-bulk-len. */
export const scriptBytesMax = 4 * 1024 * 1024;
/** EVAL-cached scripts kept before the oldest is dropped (Redis 7.4 keeps 500). */
export const evalScriptsMax = 500;
/** Bytes of cached script bodies, all origins together: the script cache never grows unbounded. */
export const scriptCacheBytesMax = 64 * 1024 * 1024;
/** A script's run time before it is stopped: nothing else is served while it runs. */
export const scriptRunMsMax = 60_000;
/** A library body's run time in FUNCTION LOAD (Redis's value). */
export const libraryLoadMsMax = 500;
/** Elements of one array value (PostgreSQL's MaxArraySize): bounds array_fill and friends. */
export const arrayElementsMax = 134_217_727;
