/**
 * A `WalParticipant` for the simulation: a running total kept outside pages,
 * changed by WAL records of its own kind and persisted by checkpoints to a
 * snapshot file, as the key-value engine would. Recovery must skip records
 * the snapshot covers and replay the rest exactly once.
 * @module
 */

import type { FileSystem } from "../../src/storage/os/file_system.ts";
import type { RedoRecord, WalParticipant, WalWriter } from "../../src/storage/wal_port.ts";

/** The record kind the ledger owns. */
export const ledgerKind = 32;

interface LedgerState {
  readonly lsn: number;
  readonly seq: number;
  readonly total: number;
}

/** Running total over "operation seq adds amount" records. */
export class Ledger implements WalParticipant {
  readonly kinds = [ledgerKind];
  seq = 0;
  total = 0;
  #restoredLsn = 0;
  /** State after each record since the snapshot, for checkpoints at an LSN. */
  #states: LedgerState[];

  constructor(readonly fs: FileSystem, readonly path: string) {
    if (fs.exists(path)) {
      const file = fs.open(path, {});
      const bytes = new Uint8Array(24);
      file.readSync(bytes, 0);
      file.close();
      const view = new DataView(bytes.buffer);
      this.seq = view.getUint32(0, true);
      this.total = view.getFloat64(8, true);
      this.#restoredLsn = view.getFloat64(16, true);
    }
    this.#states = [{ lsn: this.#restoredLsn, seq: this.seq, total: this.total }];
  }

  /** Logs that operation `seq` adds `amount`. */
  append(wal: WalWriter, seq: number, amount: number): void {
    const payload = new Uint8Array(8);
    new DataView(payload.buffer).setUint32(0, seq, true);
    new DataView(payload.buffer).setUint32(4, amount, true);
    this.#apply(wal.append(ledgerKind, payload), seq, amount);
  }

  redo(record: RedoRecord): void {
    const view = new DataView(record.payload.buffer, record.payload.byteOffset, 8);
    this.#apply(record.lsn, view.getUint32(0, true), view.getUint32(4, true));
  }

  restoredLsn(): number {
    return this.#restoredLsn;
  }

  async checkpoint(lsn: number): Promise<void> {
    let state = this.#states[0]!;
    for (const s of this.#states) if (s.lsn <= lsn) state = s;
    const bytes = new Uint8Array(24);
    const view = new DataView(bytes.buffer);
    view.setUint32(0, state.seq, true);
    view.setFloat64(8, state.total, true);
    view.setFloat64(16, state.lsn, true);
    const temporary = `${this.path}.tmp`;
    const file = this.fs.open(temporary, { create: true });
    try {
      file.writeSync(bytes, 0);
      await file.sync();
    } finally {
      file.close();
    }
    this.fs.rename(temporary, this.path);
    await this.fs.syncDir(this.path.slice(0, this.path.lastIndexOf("/")));
    this.#states = this.#states.filter((s) => s.lsn >= state.lsn);
  }

  #apply(lsn: number, seq: number, amount: number): void {
    this.seq = seq;
    this.total += amount;
    this.#states.push({ lsn, seq, total: this.total });
  }
}
