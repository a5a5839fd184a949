/**
 * The client cron (as Redis's clientsCron, about 10 times a second): lets
 * each connection enforce its output soft limit and shrink its query buffer,
 * and keeps the largest input and output buffers of the last seconds for
 * INFO clients (client_recent_max_input_buffer / _output_buffer).
 * @module
 */
import type { KvEngine } from "./engine.ts";

/** Seconds the "recent" maxima cover, as Redis's CLIENTS_PEAK_MEM_USAGE_SLOTS. */
const peakSlots = 8;

interface RecentPeaks {
  readonly input: number[];
  readonly output: number[];
}

const peaksOf = new WeakMap<KvEngine, RecentPeaks>();

function peaks(x: KvEngine): RecentPeaks {
  let p = peaksOf.get(x);
  if (p === undefined) {
    peaksOf.set(
      x,
      p = { input: new Array(peakSlots).fill(0), output: new Array(peakSlots).fill(0) },
    );
  }
  return p;
}

/** One pass of the client cron over every client. */
export function clientsCron(x: KvEngine): void {
  const now = x.clock();
  const slot = Math.floor(now / 1000) % peakSlots;
  const p = peaks(x);
  // The slot of this second starts over once per second (the next slot is cleared ahead).
  const next = (slot + 1) % peakSlots;
  p.input[next] = 0;
  p.output[next] = 0;
  for (const c of [...x.clients.values()]) {
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
