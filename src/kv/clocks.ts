/**
 * The engine's clocks, read once or twice per command: the wall clock
 * (`Date.now()` semantics: whole milliseconds since the epoch) and the
 * monotonic timer command durations are measured with. Where FFI can load
 * libc (Linux on x86_64 or aarch64, with FFI allowed), both are one
 * `clock_gettime` call into a reused buffer, which costs about half of
 * `performance.now()` (a runtime op) and less than `Date.now()` (a call into
 * the engine's C++); elsewhere they are those two.
 * @module
 */

const clockRealtime = 0;
const clockMonotonic = 1;
const symbols = {
  clock_gettime: { parameters: ["i32", "buffer"], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;

type ClockLib = Deno.DynamicLibrary<typeof symbols>["symbols"];

/** The loaded library, null when it cannot be loaded, undefined before the first call. */
let library: ClockLib | null | undefined;

function libc(): ClockLib | null {
  if (library !== undefined) return library;
  library = null;
  if (Deno.build.os !== "linux") return null;
  if (Deno.build.arch !== "x86_64" && Deno.build.arch !== "aarch64") return null;
  if (typeof Deno.dlopen !== "function") return null;
  if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") return null;
  try {
    library = Deno.dlopen("libc.so.6", symbols).symbols;
  } catch (error) {
    // No glibc (another C library): the runtime's clocks serve.
    if (!(error instanceof Error)) throw error;
  }
  return library;
}

/** A `struct timespec`: two 64-bit little-endian fields on both architectures, read as words. */
function timespec(): { bytes: Uint8Array; words: Uint32Array } {
  const bytes = new Uint8Array(16);
  return { bytes, words: new Uint32Array(bytes.buffer) };
}

/**
 * The monotonic timer: milliseconds with sub-millisecond precision from an
 * arbitrary origin (only differences mean anything).
 * @example const timer = monotonicTimer(); const t0 = timer(); const ms = timer() - t0;
 */
export function monotonicTimer(): () => number {
  const lib = libc();
  if (lib === null) return () => performance.now();
  const { bytes, words } = timespec();
  return () => {
    lib.clock_gettime(clockMonotonic, bytes);
    return (words[0]! + words[1]! * 4294967296) * 1000 + words[2]! / 1e6;
  };
}

/**
 * The wall clock in whole milliseconds since the epoch, as `Date.now()`.
 * @example const clock = wallClock(); clock() // 1795589901025
 */
export function wallClock(): () => number {
  const lib = libc();
  if (lib === null) return Date.now;
  const { bytes, words } = timespec();
  return () => {
    lib.clock_gettime(clockRealtime, bytes);
    return (words[0]! + words[1]! * 4294967296) * 1000 + Math.floor(words[2]! / 1e6);
  };
}

/**
 * The wall clock in milliseconds since the epoch with sub-millisecond
 * precision (see `CommandClock`).
 * @example const exact = exactWallClock(); exact() // 1795589901025.4321
 */
export function exactWallClock(): () => number {
  const lib = libc();
  if (lib === null) return () => performance.timeOrigin + performance.now();
  const { bytes, words } = timespec();
  return () => {
    lib.clock_gettime(clockRealtime, bytes);
    return (words[0]! + words[1]! * 4294967296) * 1000 + words[2]! / 1e6;
  };
}

/** Longest gap between the timer reads around an offset's wall read (ms); longer: no offset. */
const offsetReadMsMax = 0.05;

/**
 * The wall time of the engine's commands. Outside a listener turn each
 * command reads the wall clock. Inside one (`beginTurn`), given an exact
 * wall clock, the turn's first command reads the wall clock between two
 * timer reads and keeps the difference; later commands of the turn derive
 * their wall time from the timer reading they take anyway: one clock read
 * per command instead of two. A turn is short, so the derived time stays
 * within the bracketing gap of the wall clock; a bracket stretched by a
 * pause (preemption, GC) leaves that turn on the wall clock. (An offset
 * kept across turns drifts, and a derived time trailing the wall clock by a
 * millisecond shows in Redis's own tests, GETEX PXAT then PTTL, as a TTL
 * one millisecond too long.)
 */
export class CommandClock {
  /** 0: read the wall clock; 1: a turn, offset not read yet; 2: a turn with `#offset`. */
  #state = 0;
  #offset = 0;

  constructor(
    readonly wall: () => number,
    readonly timer: () => number,
    readonly exact: (() => number) | null,
  ) {}

  /** A listener turn starts: derive wall times (when there is an exact wall clock). */
  beginTurn(): void {
    this.#state = this.exact === null ? 0 : 1;
  }

  /** The turn ended: read the wall clock again. */
  endTurn(): void {
    this.#state = 0;
  }

  /**
   * The wall time in whole milliseconds of a command whose timer reading is
   * `timerMs` (`fresh`: read just now).
   */
  wallAt(timerMs: number, fresh: boolean): number {
    if (this.#state === 2) return Math.floor(timerMs + this.#offset);
    if (this.#state === 0) return this.wall();
    const t = fresh ? timerMs : this.timer();
    const wall = this.exact!();
    this.#state = this.timer() - t < offsetReadMsMax ? 2 : 0;
    this.#offset = wall - t;
    return Math.floor(wall);
  }
}
