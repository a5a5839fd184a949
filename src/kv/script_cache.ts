/**
 * Each engine's script state: its Lua VM (made on first use) and the cache
 * of compiled scripts by SHA-1. The cache is bounded: scripts that came in
 * through EVAL are evicted oldest first past `evalScriptsMax` (as Redis 7.4
 * does), and the total of cached bodies is capped by `scriptCacheBytesMax`.
 * @module
 */
import type { KvEngine } from "./engine.ts";
import { ScriptVm } from "./script_vm.ts";
import { sha1Hex } from "./sha1.ts";
import { evalScriptsMax, scriptBytesMax, scriptCacheBytesMax } from "../common/limits.ts";

/** One cached script. */
interface Cached {
  readonly ref: number;
  readonly bytes: number;
  /** Came in through EVAL (evictable), not SCRIPT LOAD. */
  readonly fromEval: boolean;
  readonly flags: ScriptFlags;
}

/** What a `#!lua` first line declared; all false without one. */
export interface ScriptFlags {
  readonly shebang: boolean;
  readonly noWrites: boolean;
  readonly allowOom: boolean;
}

const noFlags: ScriptFlags = { shebang: false, noWrites: false, allowOom: false };

/** A loaded script: its name, compiled function and whether it may write. */
export interface LoadedScript {
  readonly sha: string;
  readonly ref: number;
  readonly flags: ScriptFlags;
}

/**
 * Reads a `#!lua flags=...` first line (Redis 7): the body without it (its
 * newline kept, so line numbers hold) and the flags, or an error text.
 */
export function parseShebang(body: Uint8Array): { body: Uint8Array; flags: ScriptFlags } | string {
  if (body[0] !== 0x23 || body[1] !== 0x21) return { body, flags: noFlags };
  let end = body.indexOf(0x0a);
  if (end < 0) end = body.length;
  const words = new TextDecoder().decode(body.subarray(2, end)).trim().split(/\s+/);
  if (words[0] !== "lua") return `ERR Unexpected engine in script shebang: ${words[0] ?? ""}`;
  let noWrites = false;
  let allowOom = false;
  for (const w of words.slice(1)) {
    if (!w.startsWith("flags=")) return `ERR Unknown lua shebang option: ${w}`;
    for (const flag of w.slice(6).split(",").filter((f) => f !== "")) {
      if (flag === "no-writes") noWrites = true;
      else if (flag === "allow-oom") allowOom = true;
      else if (
        !["allow-oom", "allow-stale", "no-cluster", "allow-cross-slot-keys"].includes(flag)
      ) {
        return `ERR Unexpected flag in script shebang: ${flag}`;
      }
    }
  }
  return { body: body.subarray(end), flags: { shebang: true, noWrites, allowOom } };
}

/** An engine's scripting state. */
export class ScriptCache {
  #vm: ScriptVm | null = null;
  readonly #scripts = new Map<string, Cached>();
  #bytes = 0;
  #evalCount = 0;

  /** The VM, created on first use. */
  get vm(): ScriptVm {
    return this.#vm ??= new ScriptVm();
  }

  /** Cached scripts (INFO number_of_cached_scripts). */
  get size(): number {
    return this.#scripts.size;
  }

  /** Lua memory in bytes, 0 before the VM exists (INFO used_memory_lua). */
  memoryBytes(): number {
    return this.#vm === null ? 0 : this.#vm.memoryBytes();
  }

  has(sha: string): boolean {
    return this.#scripts.has(sha);
  }

  /** The compiled function's registry ref for `sha`, or undefined. */
  get(sha: string): LoadedScript | undefined {
    const s = this.#scripts.get(sha);
    return s === undefined ? undefined : { sha, ref: s.ref, flags: s.flags };
  }

  /**
   * Compiles and caches `body` (a no-op when cached).
   * @returns the SHA-1 and ref, or an error reply text
   */
  load(body: Uint8Array, fromEval: boolean): LoadedScript | string {
    const sha = sha1Hex(body);
    const known = this.#scripts.get(sha);
    if (known !== undefined) return { sha, ref: known.ref, flags: known.flags };
    if (body.length > scriptBytesMax) {
      return `ERR Script of ${body.length} bytes exceeds the limit of ${scriptBytesMax}`;
    }
    this.#evict(fromEval, body.length);
    if (this.#bytes + body.length > scriptCacheBytesMax) {
      return `ERR Script cache is full (${this.#bytes} bytes); use SCRIPT FLUSH`;
    }
    const parsed = parseShebang(body);
    if (typeof parsed === "string") return parsed;
    const ref = this.vm.compile(parsed.body, "@user_script");
    if (typeof ref === "string") return `ERR Error compiling script (new function): ${ref}`;
    this.#scripts.set(sha, { ref, bytes: body.length, fromEval, flags: parsed.flags });
    this.#bytes += body.length;
    if (fromEval) this.#evalCount++;
    return { sha, ref, flags: parsed.flags };
  }

  /** Makes room for one more script by dropping the oldest EVAL-cached ones. */
  #evict(fromEval: boolean, bytes: number): void {
    for (const [sha, s] of this.#scripts) {
      const overCount = fromEval && this.#evalCount >= evalScriptsMax;
      const overBytes = this.#bytes + bytes > scriptCacheBytesMax;
      if (!overCount && !overBytes) return;
      if (!s.fromEval) continue;
      this.#scripts.delete(sha);
      this.#vm?.release(s.ref);
      this.#bytes -= s.bytes;
      this.#evalCount--;
    }
  }

  /** SCRIPT FLUSH: drops every script and the VM itself (a fresh one comes on next use). */
  flush(): void {
    this.#scripts.clear();
    this.#bytes = 0;
    this.#evalCount = 0;
    this.#vm?.close();
    this.#vm = null;
  }
}

const caches = new WeakMap<KvEngine, ScriptCache>();

/** The scripting state of engine `x`. */
export function scriptCacheOf(x: KvEngine): ScriptCache {
  let c = caches.get(x);
  if (c === undefined) caches.set(x, c = new ScriptCache());
  return c;
}
