/**
 * The process's OOM-killer score adjustment (Linux `/proc/self/oom_score_adj`),
 * which Redis's oom-score-adj setting manages.
 * @module
 */

/** Reads and writes the process's oom_score_adj; both throw when the OS refuses. */
export interface OomScoreFile {
  read(): number;
  write(score: number): void;
}

const path = "/proc/self/oom_score_adj";

/** This process's `/proc/self/oom_score_adj` (Linux only: elsewhere both calls throw). */
export const procOomScoreFile: OomScoreFile = {
  read(): number {
    const text = Deno.readTextFileSync(path).trim();
    const n = Number(text);
    if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(n)) {
      throw new Error(`Unexpected oom_score_adj ${JSON.stringify(text)}`);
    }
    return n;
  },
  write(score: number): void {
    Deno.writeTextFileSync(path, `${score}\n`, { create: false });
  },
};
