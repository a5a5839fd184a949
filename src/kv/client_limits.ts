/**
 * Redis's client-output-buffer-limit: per client class, a hard limit on the
 * replies a client has pending (not yet accepted by its socket) and a soft
 * limit it may stay over only for some seconds. CONFIG GET/SET text in
 * Redis's format ("normal 0 0 0 slave 268435456 67108864 60 pubsub ...").
 * @module
 */

/** Limits of one client class; 0 = none. */
export interface OutputBufferLimit {
  readonly hard: number;
  readonly soft: number;
  readonly softSeconds: number;
}

/** Limits by class (replica is accepted and reported: there are no replicas here). */
export interface OutputBufferLimits {
  readonly normal: OutputBufferLimit;
  readonly replica: OutputBufferLimit;
  readonly pubsub: OutputBufferLimit;
}

/** Redis 7.0's defaults. */
export const defaultOutputBufferLimits: OutputBufferLimits = {
  normal: { hard: 0, soft: 0, softSeconds: 0 },
  replica: { hard: 256 * 1024 * 1024, soft: 64 * 1024 * 1024, softSeconds: 60 },
  pubsub: { hard: 32 * 1024 * 1024, soft: 8 * 1024 * 1024, softSeconds: 60 },
};

function className(name: string): keyof OutputBufferLimits | null {
  switch (name.toLowerCase()) {
    case "normal":
      return "normal";
    case "slave":
    case "replica":
      return "replica";
    case "pubsub":
      return "pubsub";
    default:
      return null;
  }
}

/**
 * Applies a CONFIG SET value (`<class> <hard> <soft> <soft_seconds>`
 * repeated) to `current`: the classes named change, the others stay.
 * Returns the new limits, or the reason in Redis's words.
 */
export function parseOutputBufferLimits(
  current: OutputBufferLimits,
  value: string,
): OutputBufferLimits | string {
  const words = value.split(/\s+/).filter((w) => w !== "");
  if (words.length % 4 !== 0) return "Wrong number of arguments in buffer limit configuration.";
  const next = { ...current };
  for (let i = 0; i < words.length; i += 4) {
    const cls = className(words[i]!);
    if (cls === null) return "Invalid client class specified in buffer limit configuration.";
    const [hard, soft, softSeconds] = words.slice(i + 1, i + 4).map(parseMemory);
    if (hard == null || soft == null || softSeconds == null) {
      return "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
    }
    next[cls] = { hard, soft, softSeconds };
  }
  return next;
}

/** The CONFIG GET text. */
export function formatOutputBufferLimits(limits: OutputBufferLimits): string {
  const one = (l: OutputBufferLimit) => `${l.hard} ${l.soft} ${l.softSeconds}`;
  return `normal ${one(limits.normal)} slave ${one(limits.replica)} pubsub ${one(limits.pubsub)}`;
}

/**
 * The smallest non-zero limit of the classes a client may be in (normal,
 * pubsub): pending output at or below it needs no closer check.
 */
export function outputCheckBytes(limits: OutputBufferLimits): number {
  let min = Infinity;
  for (const l of [limits.normal, limits.pubsub]) {
    if (l.hard > 0) min = Math.min(min, l.hard);
    if (l.soft > 0) min = Math.min(min, l.soft);
  }
  return min;
}

/** Redis's maxmemory-clients: bytes, or a percentage of maxmemory; 0 = no client eviction. */
export interface MaxmemoryClients {
  readonly percent: boolean;
  readonly value: number;
}

/** Parses a CONFIG SET value ("3mb", "4096", "7%"): the setting, or the reason in Redis's words. */
export function parseMaxmemoryClients(value: string): MaxmemoryClients | string {
  if (value.endsWith("%")) {
    if (!/^\d+%$/.test(value)) return "argument must be a memory or percent value";
    const pct = Number(value.slice(0, -1));
    if (pct > 100) return "percentage argument must be less or equal to 100";
    return { percent: true, value: pct };
  }
  const n = parseMemory(value);
  return n === null ? "argument must be a memory or percent value" : { percent: false, value: n };
}

/** The CONFIG GET text. */
export function formatMaxmemoryClients(m: MaxmemoryClients): string {
  return m.percent ? `${m.value}%` : String(m.value);
}

/** Bytes the clients may use together before the largest are evicted; 0 = no limit. */
export function clientEvictionLimit(m: MaxmemoryClients, maxmemory: number): number {
  return m.percent ? Math.floor(maxmemory * m.value / 100) : m.value;
}

/** Parses "100mb", "1gb", "4096" into bytes; null when invalid. */
export function parseMemory(text: string): number | null {
  const m = /^(\d+)(b|k|kb|m|mb|g|gb)?$/i.exec(text.trim());
  if (m === null) return null;
  const unit = (m[2] ?? "b").toLowerCase();
  const mult: Record<string, number> = {
    b: 1,
    k: 1000,
    kb: 1024,
    m: 1_000_000,
    mb: 1024 * 1024,
    g: 1_000_000_000,
    gb: 1024 * 1024 * 1024,
  };
  return Number(m[1]) * mult[unit]!;
}
