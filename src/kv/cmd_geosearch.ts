/**
 * Geo searches: GEORADIUS, GEORADIUSBYMEMBER (and their _RO forms),
 * GEOSEARCH and GEOSEARCHSTORE, with Redis's option rules, cell scan order
 * (so unsorted results come out as in Redis), COUNT [ANY], ASC/DESC and
 * STORE/STOREDIST.
 * @module
 */
import type { KvClient } from "./client.ts";
import type { KvEngine } from "./engine.ts";
import { ZSet } from "./zset.ts";
import { latin1, parseInt64 } from "./bytes.ts";
import { errors, type Handler, key, opt } from "./cmd_util.ts";
import { amount, lonLat, readGeo, replyPoint, unitOf } from "./cmd_geo.ts";
import { notifyFlags as ev } from "./notify.ts";
import {
  type Cell,
  cellScores,
  distanceIfInside,
  scoreToPoint,
  searchCells,
  type Shape,
} from "./geohash.ts";

/** How a search command was called. */
interface Variant {
  /** GEORADIUS: centre from lon lat; GEORADIUSBYMEMBER: from a member; GEOSEARCH: by options. */
  readonly from: "lonlat" | "member" | "search";
  /** STORE/STOREDIST accepted (GEORADIUS and GEORADIUSBYMEMBER without _RO). */
  readonly store: boolean;
  /** GEOSEARCHSTORE: destination first, STOREDIST as a flag. */
  readonly searchStore: boolean;
}

interface Options {
  centre: [number, number] | null;
  radius: number | null;
  box: [number, number] | null;
  unit: number;
  withDist: boolean;
  withHash: boolean;
  withCoord: boolean;
  any: boolean;
  sort: "none" | "asc" | "desc";
  count: number;
  storeKey: string | null;
  storeDist: boolean;
  /** FROMMEMBER was given with a missing source key: decided after parsing. */
  fromMember: boolean;
}

interface Found {
  readonly member: string;
  readonly score: number;
  readonly dist: number;
  readonly lon: number;
  readonly lat: number;
}

/** The centre of a member; replies and returns null when it is not in the set. */
function memberPoint(c: KvClient, z: ZSet, member: string): [number, number] | null {
  const s = z.scores.get(member);
  if (s === undefined) return (c.reply.error("ERR could not decode requested zset member"), null);
  return scoreToPoint(s);
}

function radiusArgs(c: KvClient, o: Options, a: Uint8Array, u: Uint8Array): boolean {
  const r = amount(c, a, "ERR need numeric radius", "ERR radius cannot be negative");
  if (r === null) return false;
  const unit = unitOf(c, u);
  if (unit === null) return false;
  [o.radius, o.unit] = [r, unit];
  return true;
}

/** Parses the trailing options from `at`; replies and returns false on error. */
function parseOptions(
  c: KvClient,
  argv: Uint8Array[],
  at: number,
  v: Variant,
  z: ZSet | undefined,
  o: Options,
): boolean {
  const n = argv.length;
  for (let i = at; i < n; i++) {
    const w = opt(argv, i);
    const search = v.from === "search";
    if (w === "WITHDIST") o.withDist = true;
    else if (w === "WITHHASH") o.withHash = true;
    else if (w === "WITHCOORD") o.withCoord = true;
    else if (w === "ANY") o.any = true;
    else if (w === "ASC") o.sort = "asc";
    else if (w === "DESC") o.sort = "desc";
    else if (w === "COUNT" && i + 1 < n) {
      const cnt = parseInt64(argv[++i]!);
      if (cnt === null) return (c.reply.error(errors.notInteger), false);
      if (cnt <= 0) return (c.reply.error("ERR COUNT must be > 0"), false);
      o.count = Number(cnt);
    } else if ((w === "STORE" || w === "STOREDIST") && i + 1 < n && v.store && !search) {
      o.storeKey = key(argv, ++i);
      o.storeDist = w === "STOREDIST";
    } else if (w === "STOREDIST" && v.searchStore) o.storeDist = true;
    else if (w === "FROMMEMBER" && i + 1 < n && search && o.centre === null && !o.fromMember) {
      o.fromMember = true;
      i++;
      if (z === undefined) continue;
      const p = memberPoint(c, z, key(argv, i));
      if (p === null) return false;
      o.centre = p;
    } else if (w === "FROMLONLAT" && i + 2 < n && search && !o.fromMember && o.centre === null) {
      const p = lonLat(c, argv[i + 1]!, argv[i + 2]!);
      if (p === null) return false;
      o.centre = p;
      i += 2;
    } else if (w === "BYRADIUS" && i + 2 < n && search && o.box === null) {
      if (!radiusArgs(c, o, argv[i + 1]!, argv[i + 2]!)) return false;
      i += 2;
    } else if (w === "BYBOX" && i + 3 < n && search && o.radius === null) {
      const neg = "ERR height or width cannot be negative";
      const width = amount(c, argv[i + 1]!, "ERR need numeric width", neg);
      if (width === null) return false;
      const height = amount(c, argv[i + 2]!, "ERR need numeric height", neg);
      if (height === null) return false;
      const unit = unitOf(c, argv[i + 3]!);
      if (unit === null) return false;
      [o.box, o.unit] = [[width, height], unit];
      i += 3;
    } else return (c.reply.error(errors.syntax), false);
  }
  return true;
}

/** Checks option combinations after parsing, as Redis does; replies and returns false. */
function validate(c: KvClient, name: string, v: Variant, o: Options): boolean {
  if (o.storeKey !== null && (o.withDist || o.withHash || o.withCoord)) {
    const what = v.searchStore ? "GEOSEARCHSTORE" : "STORE option in GEORADIUS";
    c.reply.error(`ERR ${what} is not compatible with WITHDIST, WITHHASH and WITHCOORD options`);
    return false;
  }
  if (v.from === "search" && o.centre === null && !o.fromMember) {
    c.reply.error(`ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for ${name}`);
    return false;
  }
  if (v.from === "search" && o.radius === null && o.box === null) {
    c.reply.error(`ERR exactly one of BYRADIUS and BYBOX can be specified for ${name}`);
    return false;
  }
  if (o.any && o.count === 0) {
    c.reply.error("ERR the ANY argument requires COUNT argument");
    return false;
  }
  return true;
}

/** Members inside the shape, cell by cell in Redis's order, stopping at `limit` (0 = all). */
function collect(z: ZSet, shape: Shape, limit: number): Found[] {
  const out: Found[] = [];
  const cells = searchCells(shape);
  let last: Cell | null = null;
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i]!;
    if (cell === null) continue;
    // Huge radiuses make neighbours coincide: a cell equal to the one just scanned is skipped.
    if (last !== null && i > 0 && cell.bits === last.bits && cell.step === last.step) continue;
    if (limit > 0 && out.length >= limit) break;
    const [min, max] = cellScores(cell);
    const from = z.firstInScore({ value: min, exclusive: false });
    const to = z.lastInScore({ value: max, exclusive: true });
    for (const e of z.rangeByRank(from, to)) {
      const [lon, lat] = scoreToPoint(e.score);
      const dist = distanceIfInside(shape, lon, lat);
      if (dist === null) continue;
      out.push({ member: e.member, score: e.score, dist, lon, lat });
      if (limit > 0 && out.length >= limit) break;
    }
    if (i > 0) last = cell;
  }
  return out;
}

function replyFound(c: KvClient, found: readonly Found[], o: Options): void {
  const extra = (o.withDist ? 1 : 0) + (o.withHash ? 1 : 0) + (o.withCoord ? 1 : 0);
  c.reply.array(found.length);
  for (const f of found) {
    if (extra > 0) c.reply.array(extra + 1);
    c.reply.bulkLatin1(f.member);
    if (o.withDist) c.reply.bulkText((f.dist / o.unit).toFixed(4));
    if (o.withHash) c.reply.integer(f.score);
    if (o.withCoord) replyPoint(c, f.lon, f.lat);
  }
}

function store(x: KvEngine, c: KvClient, found: readonly Found[], o: Options, event: string): void {
  const dst = o.storeKey!;
  if (found.length === 0) {
    if (x.deleteKey(c.db, dst)) x.notify(ev.generic, "del", c.db, dst);
    return c.reply.integer(0);
  }
  const z = new ZSet();
  for (const f of found) z.add(f.member, o.storeDist ? f.dist / o.unit : f.score);
  x.setValue(c.db, dst, "zset", z);
  x.notify(ev.zset, event, c.db, dst);
  c.reply.integer(found.length);
}

const search = (v: Variant): Handler => (x, c, argv) => {
  const name = latin1(argv[0]!);
  const srcAt = v.searchStore ? 2 : 1;
  const z = readGeo(x, c, key(argv, srcAt));
  if (z === null) return;
  const o: Options = {
    centre: null,
    radius: null,
    box: null,
    unit: 1,
    withDist: false,
    withHash: false,
    withCoord: false,
    any: false,
    sort: "none",
    count: 0,
    storeKey: v.searchStore ? key(argv, 1) : null,
    storeDist: false,
    fromMember: false,
  };
  let at = srcAt + 1;
  if (v.from === "lonlat") {
    const p = lonLat(c, argv[2]!, argv[3]!);
    if (p === null || !radiusArgs(c, o, argv[4]!, argv[5]!)) return;
    [o.centre, at] = [p, 6];
  } else if (v.from === "member") {
    if (z !== undefined) {
      const p = memberPoint(c, z, key(argv, 2));
      if (p === null || !radiusArgs(c, o, argv[3]!, argv[4]!)) return;
      o.centre = p;
    }
    at = 5;
  }
  if (!parseOptions(c, argv, at, v, z, o) || !validate(c, name.toUpperCase(), v, o)) return;
  if (z === undefined) {
    if (o.storeKey === null) return c.reply.array(0);
    if (x.deleteKey(c.db, o.storeKey)) x.notify(ev.generic, "del", c.db, o.storeKey);
    return c.reply.integer(0);
  }
  const [lon, lat] = o.centre!;
  const shape: Shape = o.box === null
    ? { kind: "radius", lon, lat, radius: o.radius! * o.unit }
    : { kind: "box", lon, lat, width: o.box[0] * o.unit, height: o.box[1] * o.unit };
  if (o.count !== 0 && o.sort === "none" && !o.any) o.sort = "asc";
  let found = collect(z, shape, o.any ? o.count : 0);
  if (o.sort !== "none") {
    const sign = o.sort === "asc" ? 1 : -1;
    found.sort((a, b) => sign * (a.dist - b.dist));
  }
  if (o.count !== 0) found = found.slice(0, o.count);
  if (o.storeKey !== null) {
    return store(x, c, found, o, v.from === "search" ? "geosearchstore" : "georadiusstore");
  }
  replyFound(c, found, o);
};

/** The geo searches by lower-case name. */
export const geoSearchHandlers: Record<string, Handler> = {
  georadius: search({ from: "lonlat", store: true, searchStore: false }),
  georadius_ro: search({ from: "lonlat", store: false, searchStore: false }),
  georadiusbymember: search({ from: "member", store: true, searchStore: false }),
  georadiusbymember_ro: search({ from: "member", store: false, searchStore: false }),
  geosearch: search({ from: "search", store: false, searchStore: false }),
  geosearchstore: search({ from: "search", store: false, searchStore: true }),
};
