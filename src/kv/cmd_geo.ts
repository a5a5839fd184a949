/**
 * Geo commands on sorted sets, as Redis stores them: each member's score is
 * the 52-bit geohash of its position (see geohash.ts). GEOADD, GEOPOS,
 * GEODIST and GEOHASH, and the argument parsing the searches share.
 * @module
 */
import type { KvClient } from "./client.ts";
import type { KvEngine } from "./engine.ts";
import type { ZSet } from "./zset.ts";
import { fromLatin1, latin1, parseFloatStrict } from "./bytes.ts";
import { errors, type Handler, key, opt, typed } from "./cmd_util.ts";
import { zsetHandlers } from "./cmd_zsets.ts";
import {
  distance,
  encode,
  geohashString,
  geoStep,
  latMax,
  latMin,
  lonMax,
  lonMin,
  scoreToPoint,
} from "./geohash.ts";

/** Parses a longitude/latitude pair; replies and returns null when invalid or out of range. */
export function lonLat(c: KvClient, a: Uint8Array, b: Uint8Array): [number, number] | null {
  const lon = parseFloatStrict(a);
  const lat = parseFloatStrict(b);
  if (lon === null || lat === null) return (c.reply.error(errors.notFloat), null);
  if (lon < lonMin || lon > lonMax || lat < latMin || lat > latMax) {
    c.reply.error(`ERR invalid longitude,latitude pair ${lon.toFixed(6)},${lat.toFixed(6)}`);
    return null;
  }
  return [lon, lat];
}

const units: Readonly<Record<string, number>> = { M: 1, KM: 1000, FT: 0.3048, MI: 1609.34 };

/** Metres per unit (M, KM, FT, MI); replies and returns null for another unit. */
export function unitOf(c: KvClient, arg: Uint8Array): number | null {
  const u = units[latin1(arg).toUpperCase()];
  if (u === undefined) c.reply.error("ERR unsupported unit provided. please use M, KM, FT, MI");
  return u ?? null;
}

/** A non-negative number; replies `message` when not a number, `negative` when below 0. */
export function amount(
  c: KvClient,
  arg: Uint8Array,
  message: string,
  negative: string,
): number | null {
  const v = parseFloatStrict(arg);
  if (v === null) return (c.reply.error(message), null);
  if (v < 0) return (c.reply.error(negative), null);
  return v;
}

const geoadd: Handler = (x, c, argv) => {
  let i = 2;
  let nx = false, xx = false;
  const flags: Uint8Array[] = [];
  for (; i < argv.length; i++) {
    const w = opt(argv, i);
    if (w === "NX") nx = true;
    else if (w === "XX") xx = true;
    else if (w !== "CH") break;
    flags.push(argv[i]!);
  }
  if ((argv.length - i) % 3 !== 0 || (nx && xx) || i === argv.length) {
    return c.reply.error(errors.syntax);
  }
  const zargv = [fromLatin1("zadd"), argv[1]!, ...flags];
  for (; i < argv.length; i += 3) {
    const p = lonLat(c, argv[i]!, argv[i + 1]!);
    if (p === null) return;
    zargv.push(fromLatin1(String(encode(p[0], p[1], geoStep).bits)), argv[i + 2]!);
  }
  return zsetHandlers.zadd!(x, c, zargv);
};

/** The sorted set under `k`; undefined when missing, null after a WRONGTYPE reply. */
/**
 * A coordinate pair as Redis replies it: in RESP2 bulk strings of 17 decimals
 * with trailing zeros cut (its "human" long double form), in RESP3 doubles.
 */
export function replyPoint(c: KvClient, lon: number, lat: number): void {
  c.reply.array(2);
  for (const v of [lon, lat]) {
    if (c.reply.resp === 3) c.reply.double(v);
    else c.reply.bulkText(v.toFixed(17).replace(/\.?0+$/, "").replace(/^-0$/, "0"));
  }
}

export function readGeo(x: KvEngine, c: KvClient, k: string): ZSet | undefined | null {
  const e = typed(x, c, k, "zset");
  return e === null ? null : e === undefined ? undefined : e.value as ZSet;
}

const geopos: Handler = (x, c, argv) => {
  const z = readGeo(x, c, key(argv, 1));
  if (z === null) return;
  c.reply.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const score = z?.scores.get(key(argv, i));
    if (score === undefined) {
      c.reply.nullArray();
      continue;
    }
    replyPoint(c, ...scoreToPoint(score));
  }
};

const geodist: Handler = (x, c, argv) => {
  if (argv.length > 5) return c.reply.error(errors.syntax);
  let unit = 1;
  if (argv.length === 5) {
    const u = unitOf(c, argv[4]!);
    if (u === null) return;
    unit = u;
  }
  const z = readGeo(x, c, key(argv, 1));
  if (z === null) return;
  const a = z?.scores.get(key(argv, 2));
  const b = z?.scores.get(key(argv, 3));
  if (a === undefined || b === undefined) return c.reply.nil();
  const [lon1, lat1] = scoreToPoint(a);
  const [lon2, lat2] = scoreToPoint(b);
  c.reply.bulkText((distance(lon1, lat1, lon2, lat2) / unit).toFixed(4));
};

const geohash: Handler = (x, c, argv) => {
  const z = readGeo(x, c, key(argv, 1));
  if (z === null) return;
  c.reply.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const score = z?.scores.get(key(argv, i));
    if (score === undefined) c.reply.nil();
    else c.reply.bulkText(geohashString(score));
  }
};

/** GEOADD, GEOPOS, GEODIST and GEOHASH by lower-case name (searches: cmd_geosearch.ts). */
export const geoHandlers: Record<string, Handler> = { geoadd, geopos, geodist, geohash };
