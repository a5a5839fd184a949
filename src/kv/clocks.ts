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
