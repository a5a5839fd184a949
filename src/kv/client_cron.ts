/**
 * The client cron (as Redis's clientsCron, about 10 times a second): lets
 * each connection enforce its output soft limit and shrink its query buffer,
 * and keeps the largest input and output buffers of the last seconds for
 * INFO clients (client_recent_max_input_buffer / _output_buffer).
 * @module
 */
import type { KvClient } from "./client.ts";
import type { KvEngine } from "./engine.ts";

/** Seconds the "recent" maxima cover, as Redis's CLIENTS_PEAK_MEM_USAGE_SLOTS. */
const peakSlots = 8;

/** Clients a pass visits at least (all of them when fewer), as Redis's CLIENTS_CRON_MIN_ITERATIONS. */
const passClientsMin = 50;
/** Passes per second: each pass visits a tenth of the clients, so each is seen once a second. */
const passesPerSecond = 10;

interface RecentPeaks {
  readonly input: number[];
  readonly output: number[];
  /** Where the next pass continues (a live iterator of the clients map). */
  cursor: IterableIterator<KvClient> | null;
}

const peaksOf = new WeakMap<KvEngine, RecentPeaks>();

function peaks(x: KvEngine): RecentPeaks {
  let p = peaksOf.get(x);
  if (p === undefined) {
    p = { input: new Array(peakSlots).fill(0), output: new Array(peakSlots).fill(0), cursor: null };
    peaksOf.set(x, p);
  }
  return p;
}

/**
 * One pass of the client cron: visits the next tenth of the clients (at
 * least 50, all of them when fewer), so each is seen about once a second.
 */
export function clientsCron(x: KvEngine): void {
  const now = x.clock();
  const slot = Math.floor(now / 1000) % peakSlots;
  const p = peaks(x);
  // The slot of this second starts over once per second (the next slot is cleared ahead).
  const ahead = (slot + 1) % peakSlots;
  p.input[ahead] = 0;
  p.output[ahead] = 0;
  const visits = Math.max(passClientsMin, Math.ceil(x.clients.size / passesPerSecond));
  for (let i = 0; i < visits && i < x.clients.size; i++) {
    let next = p.cursor?.next();
    if (next === undefined || next.done === true) {
      p.cursor = x.clients.values();
      next = p.cursor.next();
      if (next.done === true) break;
    }
    const c = next.value;
    const t = c.transport;
    t.cron?.(now, Math.max(0, now - c.lastInteractionMs));
    if (c.closed) continue;
    const b = t.buffers?.();
    if (b === undefined) continue;
    const input = b.qbuf + b.qbufFree;
    if (input > p.input[slot]!) p.input[slot] = input;
    if (b.omem > p.output[slot]!) p.output[slot] = b.omem;
  }
}

/** The largest query buffer and pending output of any client in the last seconds (INFO clients). */
export function recentMaxBuffers(x: KvEngine): { input: number; output: number } {
  const p = peaks(x);
  return { input: Math.max(...p.input), output: Math.max(...p.output) };
}
