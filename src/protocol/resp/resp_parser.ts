/**
 * RESP request parser: multibulk (`*N\r\n$len\r\n...`) and inline commands,
 * straight from the connection's byte buffer. Arguments are views into that
 * buffer (no copies, no per-byte string building); a partial command leaves
 * the buffer untouched so the caller can read more and parse again.
 * @module
 */

/** A malformed request; the connection answers `-ERR Protocol error: ...` and closes. */
export class RespProtocolError extends Error {
  constructor(readonly detail: string) {
    super(`Protocol error: ${detail}`);
    this.name = "RespProtocolError";
  }
}

/** Limits the parser enforces. */
export interface ParserLimits {
  /** Largest bulk argument (proto-max-bulk-len). */
  protoMaxBulkLen: number;
  /** Unauthenticated clients may only send small requests, as in Redis. */
  authenticated: boolean;
}

/** Longest inline request or length line without a newline (Redis's PROTO_INLINE_MAX_SIZE). */
export const inlineBytesMax = 64 * 1024;
const multibulkCountMax = 2147483647;
/** Commands of up to this many arguments get their argument array allocated at full size. */
const argvPresizeMax = 64;

/** Result of one parse step. */
export interface ParseResult {
  /** The command's arguments (empty for a blank or zero-length request). */
  readonly argv: Uint8Array[];
  /** Offset just past the request. */
  readonly next: number;
}

function findCr(buf: Uint8Array, from: number, end: number): number {
  // Length lines are a few digits: a plain scan beats the builtin call there.
  const near = Math.min(end, from + 16);
  for (let j = from; j < near; j++) if (buf[j] === 13) return j;
  if (near === end) return -1;
  const i = buf.indexOf(13, near);
  return i < 0 || i >= end ? -1 : i;
}

/** Parses a decimal integer in buf[from, to); returns NaN when invalid. */
function parseLength(buf: Uint8Array, from: number, to: number): number {
  if (from >= to || to - from > 18) return NaN;
  let i = from;
  let negative = false;
  if (buf[i] === 45) {
    negative = true;
    i++;
    if (i === to) return NaN;
  }
  let v = 0;
  for (; i < to; i++) {
    const c = buf[i]!;
    if (c < 48 || c > 57) return NaN;
    v = v * 10 + (c - 48);
  }
  return negative ? -v : v;
}

/** Where a parse step ended, in an object the caller reuses (no result object per request). */
export interface ParseCursor {
  /** Offset just past the parsed request (set when one was parsed). */
  next: number;
  /** For a partial bulk, the request's known minimum size (set only then). */
  need: number;
}

/**
 * Parses one request starting at `start`. Returns null when more bytes are
 * needed; for a partial bulk, `hint.need` gets the request's known minimum size.
 * @throws {RespProtocolError} on malformed input
 */
export function parseRequest(
  buf: Uint8Array,
  start: number,
  end: number,
  limits: ParserLimits,
  hint?: { need: number },
): ParseResult | null {
  const cursor = { next: 0, need: 0 };
  const argv = parseArgv(buf, start, end, limits, cursor);
  if (hint !== undefined && cursor.need !== 0) hint.need = cursor.need;
  return argv === null ? null : { argv, next: cursor.next };
}

/**
 * `parseRequest` for the connection's loop: returns the arguments (empty for
 * a blank request) or null when more bytes are needed, and reports the end
 * in `cursor`.
 * @throws {RespProtocolError} on malformed input
 */
export function parseArgv(
  buf: Uint8Array,
  start: number,
  end: number,
  limits: ParserLimits,
  cursor: ParseCursor,
): Uint8Array[] | null {
  if (start >= end) return null;
  if (buf[start] !== 42) return parseInline(buf, start, end, cursor);
  const cr = findCr(buf, start + 1, end);
  if (cr < 0) {
    if (end - start > inlineBytesMax) throw new RespProtocolError("too big mbulk count string");
    return null;
  }
  if (cr + 1 >= end) return null;
  const count = parseLength(buf, start + 1, cr);
  if (Number.isNaN(count) || count > multibulkCountMax) {
    throw new RespProtocolError("invalid multibulk length");
  }
  if (!limits.authenticated && count > 10) {
    throw new RespProtocolError("unauthenticated multibulk length");
  }
  let p = cr + 2;
  if (count <= 0) {
    cursor.next = p;
    return [];
  }
  // Sized up front for the usual short commands (no backing-store growth per push).
  const argv: Uint8Array[] = count <= argvPresizeMax ? new Array(count) : [];
  for (let i = 0; i < count; i++) {
    if (p >= end) return null;
    if (buf[p] !== 36) {
      throw new RespProtocolError(`expected '$', got '${String.fromCharCode(buf[p]!)}'`);
    }
    const lcr = findCr(buf, p + 1, end);
    if (lcr < 0) {
      if (end - p > inlineBytesMax) throw new RespProtocolError("too big bulk count string");
      return null;
    }
    const len = parseLength(buf, p + 1, lcr);
    if (Number.isNaN(len) || len < 0 || len > limits.protoMaxBulkLen) {
      throw new RespProtocolError("invalid bulk length");
    }
    if (!limits.authenticated && len > 16384) {
      throw new RespProtocolError("unauthenticated bulk length");
    }
    const dataStart = lcr + 2;
    if (dataStart + len + 2 > end) {
      // Tell the caller how much the request needs, so a large bulk is read
      // into a buffer grown once instead of doubling repeatedly.
      cursor.need = dataStart + len + 2 - start;
      return null;
    }
    argv[i] = buf.subarray(dataStart, dataStart + len);
    p = dataStart + len + 2;
  }
  cursor.next = p;
  return argv;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

const escapes: Record<number, number> = { 110: 10, 114: 13, 116: 9, 98: 8, 97: 7 };

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12;
}

/** Splits an inline line into arguments like Redis's sdssplitargs (quotes and escapes). */
export function splitInline(line: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let i = 0;
  const n = line.length;
  while (true) {
    while (i < n && isSpace(line[i]!)) i++;
    if (i >= n) return out;
    const arg: number[] = [];
    let inDouble = false, inSingle = false, done = false;
    while (!done) {
      const c = line[i];
      if (inDouble) {
        if (c === undefined) throw new RespProtocolError("unbalanced quotes in request");
        if (
          c === 92 && line[i + 1] === 120 && hexValue(line[i + 2] ?? 0) >= 0 &&
          hexValue(line[i + 3] ?? 0) >= 0
        ) {
          arg.push(hexValue(line[i + 2]!) * 16 + hexValue(line[i + 3]!));
          i += 3;
        } else if (c === 92 && i + 1 < n) {
          i++;
          arg.push(escapes[line[i]!] ?? line[i]!);
        } else if (c === 34) {
          if (i + 1 < n && !isSpace(line[i + 1]!)) {
            throw new RespProtocolError("unbalanced quotes in request");
          }
          done = true;
        } else arg.push(c);
      } else if (inSingle) {
        if (c === undefined) throw new RespProtocolError("unbalanced quotes in request");
        if (c === 92 && line[i + 1] === 39) {
          i++;
          arg.push(39);
        } else if (c === 39) {
          if (i + 1 < n && !isSpace(line[i + 1]!)) {
            throw new RespProtocolError("unbalanced quotes in request");
          }
          done = true;
        } else arg.push(c);
      } else {
        if (c === undefined || isSpace(c)) done = true;
        else if (c === 34) inDouble = true;
        else if (c === 39) inSingle = true;
        else arg.push(c);
      }
      if (i < n) i++;
    }
    out.push(Uint8Array.from(arg));
  }
}

function parseInline(
  buf: Uint8Array,
  start: number,
  end: number,
  cursor: ParseCursor,
): Uint8Array[] | null {
  const nl = buf.indexOf(10, start);
  if (nl < 0 || nl >= end) {
    if (end - start > inlineBytesMax) throw new RespProtocolError("too big inline request");
    return null;
  }
  let lineEnd = nl;
  if (lineEnd > start && buf[lineEnd - 1] === 13) lineEnd--;
  const argv = splitInline(buf.subarray(start, lineEnd));
  cursor.next = nl + 1;
  return argv;
}
