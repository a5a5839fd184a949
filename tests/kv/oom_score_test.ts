/**
 * oom-score-adj: CONFIG SET sets the process's OOM score relative to the one
 * it had or absolute, puts it back when disabled, leaves it alone while
 * disabled, and rolls the settings back when the OS refuses the score. The
 * score file is an in-memory one that refuses scores below a minimum, as
 * Linux refuses an unprivileged process.
 */
import assert from "node:assert/strict";
import { err, Harness } from "./_harness.ts";
import { setOomScoreFile } from "../../src/kv/oom_score.ts";
import type { OomScoreFile } from "../../src/storage/os/oom_score_file.ts";

class MemOomScore implements OomScoreFile {
  constructor(public score: number, readonly min: number) {}
  read(): number {
    return this.score;
  }
  write(score: number): void {
    if (score < this.min) throw new Error("EACCES");
    this.score = score;
  }
}

function setup(score: number, min: number) {
  const h = new Harness();
  const file = new MemOomScore(score, min);
  setOomScoreFile(h.engine, file);
  return { c: h.client(), file };
}

Deno.test("oom-score-adj: relative, absolute, restored when disabled, untouched while off", () => {
  const { c, file } = setup(22, 0);
  assert.deepEqual(c.run("CONFIG", "GET", "oom-score-adj*"), [
    "oom-score-adj",
    "no",
    "oom-score-adj-values",
    "0 200 800",
  ]);
  assert.equal(c.run("CONFIG", "SET", "oom-score-adj-values", "9 9 9"), "OK");
  assert.equal(file.score, 22, "no change while disabled");
  assert.equal(c.run("CONFIG", "SET", "oom-score-adj", "yes"), "OK");
  assert.equal(file.score, 31);
  c.run("CONFIG", "SET", "oom-score-adj", "absolute");
  assert.equal(file.score, 9);
  c.run("CONFIG", "SET", "oom-score-adj-values", "2000 0 0");
  assert.equal(file.score, 1000, "clamped to 1000");
  c.run("CONFIG", "SET", "oom-score-adj", "no");
  assert.equal(file.score, 22);
  assert.deepEqual(
    c.run("CONFIG", "SET", "oom-score-adj-values", "2001 0 0"),
    err(
      "ERR CONFIG SET failed (possibly related to argument 'oom-score-adj-values') - Invalid oom-score-adj-values, elements must be between -2000 and 2000.",
    ),
  );
  assert.deepEqual(
    c.run("CONFIG", "SET", "oom-score-adj", "maybe"),
    err(
      "ERR CONFIG SET failed (possibly related to argument 'oom-score-adj') - argument(s) must be one of the following: no, yes, relative, absolute",
    ),
  );
});

Deno.test("oom-score-adj: a score the OS refuses rolls the settings and the score back", () => {
  const { c, file } = setup(0, 0);
  c.run("CONFIG", "SET", "oom-score-adj-values", "-1000 -1000 -1000");
  assert.match(
    String((c.run("CONFIG", "SET", "oom-score-adj", "yes") as { error: string }).error),
    /Failed to set current oom_score_adj/,
  );
  assert.deepEqual(c.run("CONFIG", "GET", "oom-score-adj"), ["oom-score-adj", "no"]);
  assert.equal(file.score, 0);
  c.run("CONFIG", "SET", "oom-score-adj-values", "5 100 100", "oom-score-adj", "yes");
  assert.equal(file.score, 5);
  assert.match(
    String((c.run("CONFIG", "SET", "oom-score-adj-values", "-9 0 0") as { error: string }).error),
    /Failed to apply oom-score-adj-values/,
  );
  assert.deepEqual(c.run("CONFIG", "GET", "oom-score-adj-values"), [
    "oom-score-adj-values",
    "5 100 100",
  ]);
  assert.equal(file.score, 5);
});
