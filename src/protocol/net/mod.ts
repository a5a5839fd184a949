/**
 * Socket transports for the wire-protocol listeners: the native epoll loop
 * over libc (Linux) and the portable `Deno.listen` one, behind one seam
 * (`transport.ts`).
 * @module
 */
import { log } from "../../common/log.ts";
import { listenDeno } from "./deno_listener.ts";
import { listenNative } from "./native_listener.ts";
import type { StreamListener, StreamListenOptions, TransportChoice } from "./transport.ts";

export type {
  ByteChannel,
  ConnectionHandler,
  StreamListener,
  StreamListenOptions,
  TransportChoice,
} from "./transport.ts";
export { isDisconnect } from "./deno_listener.ts";
export { listenNative } from "./native_listener.ts";

/**
 * Listens with the chosen transport. "auto" and "native" use the native one
 * where it loads (Linux, FFI allowed, IPv4 address) and fall back to
 * `Deno.listen` otherwise ("native" logs the fallback).
 * @throws {Deno.errors.AddrInUse} when the port is taken
 */
export function listenStream(
  options: StreamListenOptions,
  choice: TransportChoice,
): StreamListener {
  if (choice !== "deno") {
    const native = listenNative(options);
    if (native !== null) return native;
    if (choice === "native") {
      log.warn(`${options.label}: native transport unavailable here, using Deno.listen`);
    }
  }
  return listenDeno(options);
}
