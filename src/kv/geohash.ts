/**
 * Redis's geohash arithmetic: 52-bit interleaved scores (26 steps of
 * latitude and longitude), cell decoding, neighbour cells, the cells a
 * radius or box search scans, and distances on Redis's spherical earth.
 * Pure functions; `cmd_geo.ts` puts them on sorted sets.
 * @module
 */

/** Redis's earth radius in metres. */
export const earthRadius = 6372797.560856;
const mercatorMax = 20037726.37;
/** Longitude and latitude limits of a stored point (Web Mercator). */
export const lonMin = -180;
export const lonMax = 180;
export const latMin = -85.05112878;
export const latMax = 85.05112878;
/** Bits per coordinate in a stored score. */
export const geoStep = 26;

/**
 * A geohash cell: interleaved bits (latitude in even bits, at most 52 bits,
 * exact in a double) at `step` bits per coordinate.
 */
export interface Cell {
  readonly bits: number;
  readonly step: number;
}

/** A cell's extent in degrees. */
export interface Area {
  readonly lonMin: number;
  readonly lonMax: number;
  readonly latMin: number;
  readonly latMax: number;
}

/** What a search covers: a circle (radius) or a box (width x height), in metres. */
export type Shape =
  | { readonly kind: "radius"; readonly lon: number; readonly lat: number; readonly radius: number }
  | {
    readonly kind: "box";
    readonly lon: number;
    readonly lat: number;
    readonly width: number;
    readonly height: number;
  };

const even = 0x5555555555555555n;
const odd = 0xaaaaaaaaaaaaaaaan;

const two32 = 2 ** 32;

/** Spreads the low 16 bits of `v` to the even bits of a 32-bit word. */
function spread16(v: number): number {
  v &= 0xffff;
  v = (v | (v << 8)) & 0x00ff00ff;
  v = (v | (v << 4)) & 0x0f0f0f0f;
  v = (v | (v << 2)) & 0x33333333;
  return ((v | (v << 1)) & 0x55555555) >>> 0;
}

/** Gathers the even bits of a 32-bit word into 16 bits. */
function squash32(v: number): number {
  v &= 0x55555555;
  v = (v | (v >>> 1)) & 0x33333333;
  v = (v | (v >>> 2)) & 0x0f0f0f0f;
  v = (v | (v >>> 4)) & 0x00ff00ff;
  return (v | (v >>> 8)) & 0xffff;
}

/** Spreads a value of up to 26 bits to the even bits of a 52-bit number. */
function spread(v: number): number {
  return spread16(v) + spread16(Math.floor(v / 65536)) * two32;
}

/** The even bits of a number of up to 53 bits, gathered. */
function squash(v: number): number {
  return squash32(v % two32) + squash32(Math.floor(v / two32)) * 65536;
}

/** Encodes a point at `step` bits per coordinate within the given latitude range. */
export function encode(
  lon: number,
  lat: number,
  step: number,
  latLo = latMin,
  latHi = latMax,
): Cell {
  const latOffset = Math.trunc(((lat - latLo) / (latHi - latLo)) * 2 ** step);
  const lonOffset = Math.trunc(((lon - lonMin) / (lonMax - lonMin)) * 2 ** step);
  return { bits: spread(latOffset) + spread(lonOffset) * 2, step };
}

/** The extent of a cell. */
export function decode(cell: Cell, latLo = latMin, latHi = latMax): Area {
  const lat = squash(cell.bits);
  const lon = squash(Math.floor(cell.bits / 2));
  const n = 2 ** cell.step;
  return {
    latMin: latLo + (lat / n) * (latHi - latLo),
    latMax: latLo + ((lat + 1) / n) * (latHi - latLo),
    lonMin: lonMin + (lon / n) * (lonMax - lonMin),
    lonMax: lonMin + ((lon + 1) / n) * (lonMax - lonMin),
  };
}

/** The centre of a cell, clamped to the valid range, as [lon, lat]. */
export function cellCentre(cell: Cell): [number, number] {
  const a = decode(cell);
  const lon = Math.min(lonMax, Math.max(lonMin, (a.lonMin + a.lonMax) / 2));
  const lat = Math.min(latMax, Math.max(latMin, (a.latMin + a.latMax) / 2));
  return [lon, lat];
}

/** A stored score as [lon, lat]. */
export function scoreToPoint(score: number): [number, number] {
  return cellCentre({ bits: score, step: geoStep });
}

function move(cell: Cell, d: number, lonAxis: boolean): Cell {
  if (d === 0) return cell;
  const width = BigInt(64 - cell.step * 2);
  const mask64 = (1n << 64n) - 1n;
  const axis = lonAxis ? odd : even;
  const other = lonAxis ? even : odd;
  const bits = BigInt(cell.bits);
  let a = bits & axis;
  const b = bits & other;
  const zz = other >> width;
  if (d > 0) a = a + (zz + 1n);
  else a = ((a | zz) - (zz + 1n)) & mask64;
  a &= axis >> width;
  return { bits: Number(a | b), step: cell.step };
}

/** Neighbour cells in Redis's scan order after the centre: N, S, E, W, NE, NW, SE, SW. */
function neighbours(c: Cell): Cell[] {
  const at = (dx: number, dy: number) => move(move(c, dx, true), dy, false);
  return [at(0, 1), at(0, -1), at(1, 0), at(-1, 0), at(1, 1), at(-1, 1), at(1, -1), at(-1, -1)];
}

function estimateSteps(rangeMetres: number, lat: number): number {
  if (rangeMetres === 0) return 26;
  let step = 1;
  while (rangeMetres < mercatorMax) {
    rangeMetres *= 2;
    step++;
  }
  step -= 2;
  if (lat > 66 || lat < -66) {
    step--;
    if (lat > 80 || lat < -80) step--;
  }
  return Math.min(26, Math.max(1, step));
}

const degToRad = Math.PI / 180;
const rad = (d: number) => d * degToRad;
const deg = (r: number) => r / degToRad;

/** The bounding box of a shape as [lonMin, latMin, lonMax, latMax]. */
function boundingBox(s: Shape): [number, number, number, number] {
  const height = s.kind === "radius" ? s.radius : s.height / 2;
  const width = s.kind === "radius" ? s.radius : s.width / 2;
  const latDelta = deg(height / earthRadius);
  const lonTop = deg(width / earthRadius / Math.cos(rad(s.lat + latDelta)));
  const lonBottom = deg(width / earthRadius / Math.cos(rad(s.lat - latDelta)));
  const south = s.lat < 0;
  const lonDelta = south ? lonBottom : lonTop;
  return [s.lon - lonDelta, s.lat - latDelta, s.lon + lonDelta, s.lat + latDelta];
}

/**
 * The cells a search scans, in order (centre first, then neighbours), with
 * Redis's step estimate, its one-step widening near cell edges and the
 * neighbours it drops as useless; null entries are skipped cells.
 */
export function searchCells(s: Shape): (Cell | null)[] {
  const [minLon, minLat, maxLon, maxLat] = boundingBox(s);
  const radius = s.kind === "radius" ? s.radius : Math.hypot(s.width / 2, s.height / 2);
  let steps = estimateSteps(radius, s.lat);
  let centre = encode(s.lon, s.lat, steps);
  let around = neighbours(centre);
  const [n, so, e, w] = around.map((c) => decode(c));
  if (n!.latMax < maxLat || so!.latMin > minLat || e!.lonMax < maxLon || w!.lonMin > minLon) {
    if (steps > 1) {
      steps--;
      centre = encode(s.lon, s.lat, steps);
      around = neighbours(centre);
    }
  }
  const cells: (Cell | null)[] = [centre, ...around];
  if (steps >= 2) {
    const area = decode(centre);
    const drop = (...idx: number[]) => idx.forEach((i) => (cells[i] = null));
    if (area.latMin < minLat) drop(2, 7, 8);
    if (area.latMax > maxLat) drop(1, 5, 6);
    if (area.lonMin < minLon) drop(4, 8, 6);
    if (area.lonMax > maxLon) drop(3, 7, 5);
  }
  return cells;
}

/** The score range [min, max) of the points inside a cell. */
export function cellScores(c: Cell): [number, number] {
  const scale = 2 ** (geoStep * 2 - c.step * 2);
  return [c.bits * scale, (c.bits + 1) * scale];
}

/** Great-circle distance in metres (Redis's haversine). */
export function distance(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const v = Math.sin((rad(lon2) - rad(lon1)) / 2);
  if (v === 0) return earthRadius * Math.abs(rad(lat2) - rad(lat1));
  const la1 = rad(lat1), la2 = rad(lat2);
  const u = Math.sin((la2 - la1) / 2);
  return 2 * earthRadius * Math.asin(Math.sqrt(u * u + Math.cos(la1) * Math.cos(la2) * v * v));
}

/** The distance from the shape's centre when the point is inside the shape, else null. */
export function distanceIfInside(s: Shape, lon: number, lat: number): number | null {
  if (s.kind === "radius") {
    const d = distance(s.lon, s.lat, lon, lat);
    return d > s.radius ? null : d;
  }
  if (earthRadius * Math.abs(rad(lat) - rad(s.lat)) > s.height / 2) return null;
  if (distance(lon, lat, s.lon, lat) > s.width / 2) return null;
  return distance(s.lon, s.lat, lon, lat);
}

const base32 = "0123456789bcdefghjkmnpqrstuvwxyz";

/** The standard 11-character geohash of a stored score (latitude range ±90). */
export function geohashString(score: number): string {
  const [lon, lat] = scoreToPoint(score);
  const bits = encode(lon, lat, geoStep, -90, 90).bits;
  let out = "";
  for (let i = 0; i < 11; i++) {
    const idx = i === 10 ? 0 : Math.floor(bits / 2 ** (52 - (i + 1) * 5)) % 32;
    out += base32[idx]!;
  }
  return out;
}
