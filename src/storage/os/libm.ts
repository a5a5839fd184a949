/**
 * Math functions whose results must match the C library's bit for bit.
 *
 * PostgreSQL computes `cbrt` with libm's `cbrt()`, and glibc's version is not
 * correctly rounded (`cbrt(27)` is 3.0000000000000004 there), while the
 * JavaScript engine's `Math.cbrt` is. To give PostgreSQL's answers ThunderDB
 * calls the same libm function through FFI when FFI is permitted; without
 * it (no `--allow-ffi`, or no `--unstable-ffi`) it falls back to `Math.cbrt`,
 * which differs from glibc by at most one unit in the last place.
 * These are pure functions of their argument; they live here because this
 * folder is the one FFI seam.
 * @module
 */

const symbols = {
  cbrt: { parameters: ["f64"], result: "f64" },
} as const satisfies Deno.ForeignLibraryInterface;

type Libm = Deno.DynamicLibrary<typeof symbols>["symbols"];

/** The loaded library, null when it cannot be loaded, undefined before the first call. */
let library: Libm | null | undefined;

function libm(): Libm | null {
  if (library !== undefined) return library;
  library = null;
  if (typeof Deno.dlopen !== "function") return null;
  if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") return null;
  try {
    library = Deno.dlopen("libm.so.6", symbols).symbols;
  } catch (error) {
    // No glibc libm (another C library or OS): Math.cbrt is the documented fallback.
    if (!(error instanceof Error)) throw error;
  }
  return library;
}

/**
 * The cube root as the C library computes it (PostgreSQL's `cbrt`).
 * @param x the argument
 * @returns libm's `cbrt(x)`, or `Math.cbrt(x)` when libm cannot be called
 * @example libmCbrt(8) // 2
 */
export function libmCbrt(x: number): number {
  const lib = libm();
  return lib === null ? Math.cbrt(x) : lib.cbrt(x);
}
