/**
 * Test helper: an in-memory engine with two sessions, closed after the test
 * body whatever its outcome.
 * @module
 */
import { type Engine, openEngine } from "../../src/engine/engine.ts";
import type { SqlSession } from "../../src/engine/session.ts";

/** Runs `body` with two sessions of a fresh in-memory engine, then closes them and the engine. */
export async function withTwoSessions(
  body: (a: SqlSession, b: SqlSession, engine: Engine) => Promise<void>,
): Promise<void> {
  const engine = await openEngine({ memory: true });
  const a = engine.openSession();
  const b = engine.openSession();
  try {
    await body(a, b, engine);
  } finally {
    await a.close();
    await b.close();
    await engine.close();
  }
}
