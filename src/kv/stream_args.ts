/**
 * Argument parsing shared by the stream commands: IDs in their several
 * forms, and the trimming options of XADD and XTRIM (Redis's
 * streamParseAddOrTrimArgsOrReply), with Redis's exact error texts.
 * @module
 */
import type { KvClient } from "./client.ts";
import { latin1, parseInt64 } from "./bytes.ts";
import { errors, opt } from "./cmd_util.ts";
import { idMax, type ParsedId, parseId, type StreamId, type TrimTarget } from "./stream.ts";

/** Redis's stream error texts. */
export const streamErrors = {
  invalidId: "ERR Invalid stream ID specified as stream command argument",
  smallerId: "ERR The ID specified in XADD is equal or smaller than the target stream top item",
  zeroId: "ERR The ID specified in XADD must be greater than 0-0",
  exhausted: "ERR The stream has exhausted the last possible ID, unable to add more items",
  noSuchKey: "ERR no such key",
} as const;

/**
 * A strict ID (`ms` or `ms-seq`, not `-`/`+`); a missing sequence is
 * `missingSeq`. Replies and returns null when invalid.
 */
export function strictIdArg(
  c: KvClient,
  arg: Uint8Array,
  missingSeq = 0n,
  allowAutoSeq = false,
): ParsedId | null {
  const text = latin1(arg);
  const parsed = text.length > 127 ? null : parseId(text, missingSeq, allowAutoSeq);
  if (parsed === null) c.reply.error(streamErrors.invalidId);
  return parsed;
}

/**
 * A range bound of XRANGE/XREVRANGE: `-`, `+`, an ID, or `(ID` (exclusive,
 * moved one step inwards). Replies and returns null when invalid.
 */
export function intervalIdArg(
  c: KvClient,
  arg: Uint8Array,
  isStart: boolean,
): StreamId | null {
  const text = latin1(arg);
  const missingSeq = isStart ? 0n : idMax & ((1n << 64n) - 1n);
  if (text.length > 1 && text[0] === "(") {
    const parsed = text.length > 128 ? null : parseId(text.slice(1), missingSeq);
    if (parsed === null) return (c.reply.error(streamErrors.invalidId), null);
    if (isStart) {
      if (parsed.id === idMax) {
        return (c.reply.error("ERR invalid start ID for the interval"), null);
      }
      return parsed.id + 1n;
    }
    if (parsed.id === 0n) return (c.reply.error("ERR invalid end ID for the interval"), null);
    return parsed.id - 1n;
  }
  if (text === "-") return 0n;
  if (text === "+") return idMax;
  const parsed = strictIdArg(c, arg, missingSeq);
  return parsed === null ? null : parsed.id;
}

/** Parsed XADD/XTRIM arguments. */
export interface AddOrTrimArgs {
  /** The trim, or null for none. */
  readonly target: TrimTarget | null;
  readonly approx: boolean;
  /** Entries a `~` trim may remove at most; 0 for no bound. */
  readonly limit: number;
  readonly noMkStream: boolean;
  /** XADD's ID, null for `*`. */
  readonly id: ParsedId | null;
  /** Index in argv of XADD's ID argument. */
  readonly idAt: number;
}

function fail(c: KvClient, message: string): null {
  c.reply.error(message);
  return null;
}

/** Parses a non-negative integer option value; replies and returns null on error. */
function countValue(c: KvClient, arg: Uint8Array, negative: string): number | null {
  const v = parseInt64(arg);
  if (v === null) return fail(c, errors.notInteger);
  if (v < 0) return fail(c, negative);
  return typeof v === "bigint" ? Number.MAX_SAFE_INTEGER : v;
}

/**
 * Parses `[NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT n]] <* | id>`
 * (XADD) or the trim options alone (XTRIM). Replies and returns null on error.
 */
export function addOrTrimArgs(
  c: KvClient,
  argv: Uint8Array[],
  xadd: boolean,
  nodeMaxEntries: number,
): AddOrTrimArgs | null {
  let target: TrimTarget | null = null;
  let approx = false;
  let limit = -1;
  let noMkStream = false;
  let id: ParsedId | null = null;
  let i = 2;
  for (; i < argv.length; i++) {
    const more = argv.length - 1 - i;
    const word = opt(argv, i);
    if (xadd && word === "*") break;
    if ((word === "MAXLEN" || word === "MINID") && more > 0) {
      if (target !== null) {
        return fail(
          c,
          "ERR syntax error, MAXLEN and MINID options at the same time are not compatible",
        );
      }
      approx = false;
      const next = latin1(argv[i + 1]!);
      if (more >= 2 && (next === "~" || next === "=")) {
        approx = next === "~";
        i++;
      }
      if (word === "MAXLEN") {
        const n = countValue(c, argv[i + 1]!, "ERR The MAXLEN argument must be >= 0.");
        if (n === null) return null;
        target = { kind: "maxlen", maxlen: n };
      } else {
        const parsed = strictIdArg(c, argv[i + 1]!);
        if (parsed === null) return null;
        target = { kind: "minid", minid: parsed.id };
      }
      i++;
    } else if (word === "LIMIT" && more > 0) {
      const n = countValue(c, argv[++i]!, "ERR The LIMIT argument must be >= 0.");
      if (n === null) return null;
      limit = n;
    } else if (xadd && word === "NOMKSTREAM") noMkStream = true;
    else if (xadd) {
      id = strictIdArg(c, argv[i]!, 0n, true);
      if (id === null) return null;
      break;
    } else return fail(c, errors.syntax);
  }
  if (limit > 0 && target === null) {
    return fail(c, "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy");
  }
  if (!xadd && target === null) {
    return fail(c, "ERR syntax error, XTRIM must be called with a trimming strategy");
  }
  if (limit !== -1 && !approx) {
    return fail(c, "ERR syntax error, LIMIT cannot be used without the special ~ option");
  }
  if (limit === -1) {
    limit = 0;
    if (approx) {
      limit = 100 * nodeMaxEntries;
      if (limit <= 0 || limit > 1_000_000) limit = 10_000;
    }
  }
  return { target, approx, limit, noMkStream, id, idAt: i };
}
