/**
 * Redis 7 functions: libraries loaded with FUNCTION LOAD (a `#!lua name=lib`
 * first line, then code calling `redis.register_function`), kept in their
 * own Lua VM apart from EVAL's script cache, so SCRIPT FLUSH leaves them and
 * FUNCTION FLUSH leaves scripts. DUMP/RESTORE use a payload of ThunderDB's
 * own (the library sources with a checksum).
 * @module
 */
import type { KvEngine } from "./engine.ts";
import { scriptBytesMax } from "../common/limits.ts";
import { type RegisteredFunction, ScriptVm } from "./script_vm.ts";

/** One loaded library. */
export interface Library {
  readonly name: string;
  readonly code: Uint8Array;
  readonly functions: readonly RegisteredFunction[];
}

/** A function with its library, as FCALL finds it. */
export interface FoundFunction {
  readonly library: Library;
  readonly fn: RegisteredFunction;
}

const namePattern = /^[A-Za-z0-9_]+$/;

/** Splits a shebang line into words, honouring double quotes as Redis's sdssplitargs does. */
function shebangWords(line: string): string[] {
  const words: string[] = [];
  for (const m of line.matchAll(/(?:[^\s"]+|"[^"]*")+/g)) words.push(m[0].replace(/"/g, ""));
  return words;
}

/**
 * Reads a library's `#!<engine> name=<name>` line.
 * @returns the library name and the body with that line blanked, or an error text
 */
export function parseLibraryHeader(code: Uint8Array): { name: string; body: Uint8Array } | string {
  if (code[0] !== 0x23 || code[1] !== 0x21) return "ERR Missing library metadata";
  let end = code.indexOf(0x0a);
  if (end < 0) end = code.length;
  const line = new TextDecoder().decode(code.subarray(2, end));
  // The engine is what directly follows "#!" ("" in "#! name=x").
  const engine = /^\S*/.exec(line)![0];
  const words = ["", ...shebangWords(line.slice(engine.length))];
  if (engine.toLowerCase() !== "lua") return `ERR Engine '${engine}' not found`;
  let name: string | null = null;
  for (const w of words.slice(1)) {
    if (!w.startsWith("name=")) return `ERR Invalid metadata value given: ${w}`;
    if (name !== null) return "ERR Invalid metadata value, name argument was given multiple times";
    name = w.slice(5);
  }
  if (name === null) return "ERR Library name was not given";
  if (!namePattern.test(name)) {
    return "ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character long";
  }
  return { name, body: code.subarray(end) };
}

/** An engine's function libraries. */
export class FunctionStore {
  #vm: ScriptVm | null = null;
  readonly #libraries = new Map<string, Library>();
  readonly #functions = new Map<string, FoundFunction>();

  /** The functions' VM, created on first use. */
  get vm(): ScriptVm {
    return this.#vm ??= new ScriptVm();
  }

  get libraries(): ReadonlyMap<string, Library> {
    return this.#libraries;
  }

  /** Registered functions across libraries. */
  get functionCount(): number {
    return this.#functions.size;
  }

  /** The function named `name`, ignoring case (as FCALL does). */
  find(name: string): FoundFunction | undefined {
    return this.#functions.get(name.toLowerCase());
  }

  /**
   * FUNCTION LOAD: compiles and runs `code`, then installs its library.
   * @returns the library name, or an error reply text
   */
  load(code: Uint8Array, replace: boolean, timer: () => number): string | { error: string } {
    if (code.length > scriptBytesMax) {
      return {
        error: `ERR Library of ${code.length} bytes exceeds the limit of ${scriptBytesMax}`,
      };
    }
    const header = parseLibraryHeader(code);
    if (typeof header === "string") return { error: header };
    const old = this.#libraries.get(header.name);
    if (old !== undefined && !replace) {
      return { error: `ERR Library '${header.name}' already exists` };
    }
    const functions = this.vm.loadLibrary(header.body, timer);
    if (typeof functions === "string") return { error: functions };
    const clash = functions.find((f) => {
      const other = this.#functions.get(f.name.toLowerCase());
      return other !== undefined && other.library.name !== header.name;
    });
    if (functions.length === 0 || clash !== undefined) {
      for (const f of functions) this.vm.release(f.ref);
      return {
        error: clash === undefined
          ? "ERR No functions registered"
          : `ERR Function ${clash.name} already exists`,
      };
    }
    if (old !== undefined) this.delete(old.name);
    const library: Library = { name: header.name, code: code.slice(), functions };
    this.#libraries.set(library.name, library);
    for (const fn of functions) this.#functions.set(fn.name.toLowerCase(), { library, fn });
    return library.name;
  }

  /** FUNCTION DELETE; false when there is no such library. */
  delete(name: string): boolean {
    const library = this.#libraries.get(name);
    if (library === undefined) return false;
    for (const fn of library.functions) {
      this.#functions.delete(fn.name.toLowerCase());
      this.vm.release(fn.ref);
    }
    this.#libraries.delete(name);
    return true;
  }

  /** FUNCTION FLUSH: drops every library and the VM. */
  flush(): void {
    this.#libraries.clear();
    this.#functions.clear();
    this.#vm?.close();
    this.#vm = null;
  }

  /** Lua memory of the functions' VM (bytes). */
  memoryBytes(): number {
    return this.#vm === null ? 0 : this.#vm.memoryBytes();
  }
}

const stores = new WeakMap<KvEngine, FunctionStore>();

/** The function libraries of engine `x`. */
export function functionStoreOf(x: KvEngine): FunctionStore {
  let s = stores.get(x);
  if (s === undefined) stores.set(x, s = new FunctionStore());
  return s;
}

const payloadMagic = new TextEncoder().encode("TDBFN1");

function fnv1a(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193) >>> 0;
  return h;
}

/** FUNCTION DUMP's payload: magic, then each library's code (u32 length, bytes), then a checksum. */
export function dumpLibraries(store: FunctionStore): Uint8Array {
  const codes = [...store.libraries.values()].map((l) => l.code);
  const size = payloadMagic.length + codes.reduce((n, c) => n + 4 + c.length, 0) + 4;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out.set(payloadMagic);
  let pos = payloadMagic.length;
  for (const c of codes) {
    view.setUint32(pos, c.length, true);
    out.set(c, pos + 4);
    pos += 4 + c.length;
  }
  view.setUint32(pos, fnv1a(out.subarray(0, pos)), true);
  return out;
}

/** The library codes of a FUNCTION DUMP payload, or null when it is not one. */
export function readDump(payload: Uint8Array): Uint8Array[] | null {
  if (payload.length < payloadMagic.length + 4) return null;
  if (payloadMagic.some((b, i) => payload[i] !== b)) return null;
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const end = payload.length - 4;
  if (view.getUint32(end, true) !== fnv1a(payload.subarray(0, end))) return null;
  const codes: Uint8Array[] = [];
  for (let pos = payloadMagic.length; pos < end;) {
    if (pos + 4 > end) return null;
    const n = view.getUint32(pos, true);
    if (pos + 4 + n > end) return null;
    codes.push(payload.slice(pos + 4, pos + 4 + n));
    pos += 4 + n;
  }
  return codes;
}
