/**
 * oom-score-adj (Redis 7.0): while enabled, the server sets its own
 * OOM-killer score adjustment to the first oom-score-adj-values entry (the
 * primary's; ThunderDB has no replica role or child processes), relative to
 * the score it had when first enabled, or absolute; disabled again, it puts
 * that score back.
 * @module
 */
import type { KvEngine } from "./engine.ts";
import { type OomScoreFile, procOomScoreFile } from "../storage/os/oom_score_file.ts";

/** oom-score-adj's values ("yes" is "relative"). */
export const oomScoreModes = ["no", "yes", "relative", "absolute"] as const;
/** An oom-score-adj value. */
export type OomScoreMode = typeof oomScoreModes[number];

/** What the engine changed: whether it adjusted the score, and the score from before. */
interface Adjustment {
  adjusted: boolean;
  base: number;
  file: OomScoreFile;
}

const adjustments = new WeakMap<KvEngine, Adjustment>();

function adjustmentOf(x: KvEngine): Adjustment {
  let a = adjustments.get(x);
  if (a === undefined) adjustments.set(x, a = { adjusted: false, base: 0, file: procOomScoreFile });
  return a;
}

/** Replaces the score file (tests use an in-memory one). */
export function setOomScoreFile(x: KvEngine, file: OomScoreFile): void {
  adjustmentOf(x).file = file;
}

/**
 * Applies oom-score-adj and oom-score-adj-values as configured: sets the
 * score (clamped to -1000..1000), or restores the one from before when
 * disabled. Returns false when the score could not be read or written.
 */
export function applyOomScore(x: KvEngine): boolean {
  const a = adjustmentOf(x);
  const mode = x.config.oomScoreAdj;
  let score: number;
  try {
    if (mode !== "no") {
      if (!a.adjusted) {
        a.base = a.file.read();
        a.adjusted = true;
      }
      score = x.config.oomScoreAdjValues[0] + (mode === "absolute" ? 0 : a.base);
      score = Math.max(-1000, Math.min(1000, score));
    } else if (a.adjusted) {
      a.adjusted = false;
      score = a.base;
    } else return true;
    a.file.write(score);
    return true;
  } catch {
    // As Redis: the setting is refused (and rolled back); the cause is the OS's refusal.
    return false;
  }
}

/** Parses oom-score-adj-values ("0 200 800"); a reason when invalid. */
export function parseOomScoreValues(text: string): [number, number, number] | string {
  const words = text.split(" ").filter((w) => w !== "");
  if (words.length !== 3) return "wrong number of arguments";
  const values = words.map(Number);
  if (words.some((w, i) => !/^-?\d+$/.test(w) || Math.abs(values[i]!) > 2000)) {
    return "Invalid oom-score-adj-values, elements must be between -2000 and 2000.";
  }
  return [values[0]!, values[1]!, values[2]!];
}
