/**
 * The engine's durable commit log: one JSON line per committed transaction
 * (row inserts and deletes, the catalog when DDL changed it, sequence
 * positions), appended and fdatasync'ed before the commit is acknowledged.
 * On open the log is replayed; on close it is compacted into a snapshot.
 * A torn last line (crash mid-append) is ignored.
 * @module
 */
import { CorruptError } from "../common/errors.ts";
import type { DiskFile, FileSystem } from "../storage/os/file_system.ts";
import { decodeValue, encodeValue } from "./value_json.ts";

/** One committed transaction as logged. */
export interface CommitRecord {
  readonly ops: readonly (
    | { readonly op: "ins"; readonly rel: number; readonly id: number; readonly values: unknown[] }
    | { readonly op: "del"; readonly rel: number; readonly id: number }
    | { readonly op: "trunc"; readonly rel: number }
  )[];
  readonly catalog?: unknown;
  readonly sequences?: Record<string, [bigint, boolean]>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Append-only commit log in `<dir>/commit.log`. */
export class CommitLog {
  #file: DiskFile;
  #size: number;
  #pending: Promise<void> | null = null;
  #dirty = false;
  constructor(readonly fs: FileSystem, readonly dir: string, readonly sync: boolean) {
    fs.mkdir(dir);
    this.#file = fs.open(`${dir}/commit.log`, { create: true });
    this.#size = this.#file.size();
  }

  /**
   * Reads every complete record.
   * @throws {CorruptError} XX001 when a complete line does not parse
   */
  read(): CommitRecord[] {
    const bytes = new Uint8Array(this.#size);
    let at = 0;
    while (at < this.#size) {
      const n = this.#file.readSync(bytes.subarray(at), at);
      if (n === 0) break;
      at += n;
    }
    const text = decoder.decode(bytes.subarray(0, at));
    const lines = text.split("\n");
    const complete = text.endsWith("\n") ? lines.slice(0, -1) : lines.slice(0, -1);
    const out: CommitRecord[] = [];
    let good = 0;
    for (const line of complete) {
      try {
        out.push(decodeValue(JSON.parse(line)) as CommitRecord);
      } catch (e) {
        throw new CorruptError(
          `Commit log ${this.dir}/commit.log has a bad record at byte ${good}`,
          e,
        );
      }
      good += encoder.encode(line).length + 1;
    }
    if (good < this.#size) {
      this.#file.truncateSync(good);
      this.#size = good;
    }
    return out;
  }

  /** Appends a record and waits until it is durable (group commit: one fdatasync serves many). */
  async append(record: CommitRecord): Promise<void> {
    const bytes = encoder.encode(JSON.stringify(encodeValue(record)) + "\n");
    this.#file.writeSync(bytes, this.#size);
    this.#size += bytes.length;
    if (!this.sync) return;
    this.#dirty = true;
    while (this.#dirty) {
      if (this.#pending) {
        await this.#pending;
        continue;
      }
      this.#dirty = false;
      this.#pending = this.#file.sync().finally(() => (this.#pending = null));
      await this.#pending;
    }
  }

  /** Replaces the log with `records` (a snapshot), atomically via rename. */
  async rewrite(records: readonly CommitRecord[]): Promise<void> {
    const tmp = `${this.dir}/commit.log.tmp`;
    if (this.fs.exists(tmp)) this.fs.remove(tmp);
    const f = this.fs.open(tmp, { create: true });
    let at = 0;
    for (const r of records) {
      const bytes = encoder.encode(JSON.stringify(encodeValue(r)) + "\n");
      f.writeSync(bytes, at);
      at += bytes.length;
    }
    await f.sync();
    f.close();
    this.#file.close();
    this.fs.rename(tmp, `${this.dir}/commit.log`);
    await this.fs.syncDir(this.dir);
    this.#file = this.fs.open(`${this.dir}/commit.log`, { create: true });
    this.#size = at;
  }

  /** Closes the file. */
  close(): void {
    this.#file.close();
  }
}
