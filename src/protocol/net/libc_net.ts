/**
 * The libc socket and epoll calls the native transport needs, through Deno
 * FFI (Linux x86_64 and aarch64). Every call returns the raw result; a
 * negative result comes with `errno()`. `loadLibcNet` returns null where the
 * calls are unavailable (another OS, no FFI permission, the library fails to
 * load), and the listeners then use `Deno.listen`.
 * @module
 */

const symbols = {
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  setsockopt: { parameters: ["i32", "i32", "i32", "buffer", "u32"], result: "i32" },
  bind: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  listen: { parameters: ["i32", "i32"], result: "i32" },
  accept4: { parameters: ["i32", "buffer", "buffer", "i32"], result: "i32" },
  getsockname: { parameters: ["i32", "buffer", "buffer"], result: "i32" },
  // The byte counts are at most a buffer's length (< 2^31), so the results are
  // read as i32 (no BigInt per call). The size argument stays a usize and is
  // passed as a BigInt: V8's fast call path takes 64-bit integers only that way.
  recv: { parameters: ["i32", "buffer", "usize", "i32"], result: "i32" },
  send: { parameters: ["i32", "buffer", "usize", "i32"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
  /** Used as `fcntl(fd, F_DUPFD_CLOEXEC, 0)` only (the third argument is an int). */
  fcntl: { parameters: ["i32", "i32", "i32"], result: "i32" },
  epoll_create1: { parameters: ["i32"], result: "i32" },
  epoll_ctl: { parameters: ["i32", "i32", "i32", "buffer"], result: "i32" },
  epoll_wait: { parameters: ["i32", "buffer", "i32", "i32"], result: "i32" },
  /** The idle wait: runs on a worker thread so the JS event loop keeps running. */
  epoll_wait_idle: {
    name: "epoll_wait",
    parameters: ["i32", "buffer", "i32", "i32"],
    result: "i32",
    nonblocking: true,
  },
  eventfd: { parameters: ["u32", "i32"], result: "i32" },
  write: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  read: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  __errno_location: { parameters: [], result: "pointer" },
} as const satisfies Deno.ForeignLibraryInterface;

/** The loaded calls. */
export type LibcNet = Deno.DynamicLibrary<typeof symbols>["symbols"];

/** Linux constants (the same on x86_64 and aarch64). */
export const sys = {
  AF_INET: 2,
  SOCK_STREAM: 1,
  SOCK_NONBLOCK: 0x800,
  SOCK_CLOEXEC: 0x80000,
  SOL_SOCKET: 1,
  SO_REUSEADDR: 2,
  IPPROTO_TCP: 6,
  TCP_NODELAY: 1,
  MSG_NOSIGNAL: 0x4000,
  F_DUPFD_CLOEXEC: 1030,
  EPOLL_CLOEXEC: 0x80000,
  EPOLL_CTL_ADD: 1,
  EPOLL_CTL_DEL: 2,
  EPOLL_CTL_MOD: 3,
  EPOLLIN: 0x1,
  EPOLLOUT: 0x4,
  EPOLLERR: 0x8,
  EPOLLHUP: 0x10,
  EPOLLRDHUP: 0x2000,
  EPOLLET: 0x8000_0000,
  EFD_NONBLOCK: 0x800,
  EFD_CLOEXEC: 0x80000,
  EINTR: 4,
  EAGAIN: 11,
  EMFILE: 24,
  ENFILE: 23,
  ENOBUFS: 105,
  ENOMEM: 12,
  ECONNABORTED: 103,
} as const;

/**
 * Size of one `struct epoll_event`: packed (4 + 8 bytes) on x86_64, naturally
 * aligned (4 + 4 padding + 8) on aarch64.
 */
export const epollEventBytes = Deno.build.arch === "x86_64" ? 12 : 16;
/** Offset of the 64-bit `data` field in `struct epoll_event`. */
export const epollDataOffset = Deno.build.arch === "x86_64" ? 4 : 8;

let library: Deno.DynamicLibrary<typeof symbols> | null | undefined;

/**
 * Loads the calls once; null when this platform or process cannot use them
 * (not Linux, not x86_64/aarch64, no FFI permission, or dlopen fails).
 */
export function loadLibcNet(): LibcNet | null {
  if (library !== undefined) return library?.symbols ?? null;
  library = null;
  if (Deno.build.os !== "linux") return null;
  if (Deno.build.arch !== "x86_64" && Deno.build.arch !== "aarch64") return null;
  if (typeof Deno.dlopen !== "function") return null;
  try {
    library = Deno.dlopen("libc.so.6", symbols);
  } catch {
    // No --allow-ffi or --unstable-ffi, or no glibc: the portable path serves.
    library = null;
  }
  return library?.symbols ?? null;
}

const smallSizesMax = 4096;
const smallSizes: bigint[] = [];
let lastSize = 0;
let lastSizeArg = 0n;

/**
 * `n` as the BigInt a `usize` argument takes, without allocating one per call
 * for the usual sizes: small ones (replies) come from a table, and the last
 * large one (the free space of a read buffer) is remembered.
 */
export function sizeArg(n: number): bigint {
  if (n < smallSizesMax) {
    let s = smallSizes[n];
    if (s === undefined) {
      while (smallSizes.length <= n) smallSizes.push(BigInt(smallSizes.length));
      s = smallSizes[n]!;
    }
    return s;
  }
  if (n !== lastSize) {
    lastSize = n;
    lastSizeArg = BigInt(n);
  }
  return lastSizeArg;
}

/** The calling thread's errno after a failed call. */
export function errno(c: LibcNet): number {
  const location = c.__errno_location();
  return location === null ? -1 : new Deno.UnsafePointerView(location).getInt32();
}

/** Encodes an IPv4 `struct sockaddr_in` (16 bytes); null for anything but a dotted quad. */
export function sockaddrIn(hostname: string, port: number): Uint8Array<ArrayBuffer> | null {
  const host = hostname === "localhost" ? "127.0.0.1" : hostname;
  const parts = host.split(".");
  if (parts.length !== 4) return null;
  const octets = parts.map((p) => (/^\d{1,3}$/.test(p) ? Number(p) : 256));
  if (octets.some((o) => o > 255)) return null;
  const out = new Uint8Array(16);
  const view = new DataView(out.buffer);
  view.setUint16(0, sys.AF_INET, true);
  view.setUint16(2, port, false);
  out.set(octets, 4);
  return out;
}

/** Reads `host:port` from a `struct sockaddr_in` (IPv4 only; other families give their number). */
export function sockaddrText(addr: Uint8Array): string {
  const view = new DataView(addr.buffer, addr.byteOffset, addr.byteLength);
  const family = view.getUint16(0, true);
  if (family !== sys.AF_INET) return `family${family}`;
  return `${addr[4]}.${addr[5]}.${addr[6]}.${addr[7]}:${view.getUint16(2, false)}`;
}

/** Reads the port of a `struct sockaddr_in`. */
export function sockaddrPort(addr: Uint8Array): number {
  return new DataView(addr.buffer, addr.byteOffset, addr.byteLength).getUint16(2, false);
}
