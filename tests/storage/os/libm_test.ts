import assert from "node:assert/strict";
import { libmCbrt } from "../../../src/storage/os/libm.ts";

Deno.test("libmCbrt() gives glibc's cube roots (as PostgreSQL's cbrt)", () => {
  // glibc's cbrt is not correctly rounded; Math.cbrt(27) is exactly 3.
  assert.equal(libmCbrt(27), 3.0000000000000004);
  assert.equal(libmCbrt(2), 1.2599210498948734);
  assert.equal(libmCbrt(-8), -2);
  assert.ok(Object.is(libmCbrt(-0), -0));
  assert.ok(Number.isNaN(libmCbrt(NaN)));
});
