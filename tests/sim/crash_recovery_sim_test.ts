import assert from "node:assert/strict";
import { runSimulation } from "./_workload.ts";

// Thousands of crash/recover cycles over the page store on the simulated disk.
// A failure names the seed and cycle; `deno task sim --seed=N --cycles=M` replays it.
const seeds = 32;
const cyclesPerSeed = 100;

Deno.test(`page store survives ${seeds * cyclesPerSeed} seeded crash/recover cycles`, async () => {
  const base = Number(Deno.env.get("THUNDER_SIM_SEED") ?? "1");
  let cycles = 0;
  let acknowledged = 0;
  let torn = 0;
  let faults = 0;
  let lost = 0;
  for (let seed = base; seed < base + seeds; seed++) {
    const stats = await runSimulation(seed, cyclesPerSeed);
    cycles += stats.cycles;
    acknowledged += stats.acknowledged;
    torn += stats.tornWrites;
    faults += stats.injectedFaults;
    lost += stats.lostUnacknowledged;
  }
  assert.equal(cycles, seeds * cyclesPerSeed);
  // The workload must actually exercise what it claims to.
  assert.ok(acknowledged > seeds * cyclesPerSeed * 5, `${acknowledged} acknowledged operations`);
  assert.ok(torn > seeds, `${torn} torn writes`);
  assert.ok(faults > seeds, `${faults} injected faults`);
  assert.ok(lost > 0, "some unacknowledged operations were lost in crashes");
});
