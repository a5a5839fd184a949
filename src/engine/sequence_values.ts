/**
 * Sequence arithmetic of `nextval`: the next value from a position (with
 * CYCLE and the 2200H limit error) and the position saved ahead of the values
 * handed out, so a restart after a crash resumes past them.
 * @module
 */
import { DbError } from "../common/errors.ts";
import type { SequenceDef } from "../sql/catalog/catalog.ts";
import type { SequencePosition } from "./page_catalog.ts";

/** Sequence values handed out between saves of the positions. */
const sequenceLogAhead = 32n;

/**
 * The value `nextval` returns at position `position` (undefined: never used).
 * @throws {DbError} 2200H when the sequence is exhausted and does not cycle
 */
export function nextSequenceValue(
  def: SequenceDef,
  position: SequencePosition | undefined,
): bigint {
  const st = position ?? { value: def.start, called: false };
  let next = st.called ? st.value + def.increment : st.value;
  if (next > def.max || next < def.min) {
    if (!def.cycle) {
      throw new DbError(
        "2200H",
        `nextval: reached ${
          def.increment > 0n ? "maximum" : "minimum"
        } value of sequence "${def.name}" (${def.increment > 0n ? def.max : def.min})`,
      );
    }
    next = def.increment > 0n ? def.min : def.max;
  }
  return next;
}

/** The position to save after handing out `next`: `sequenceLogAhead` values on, within bounds. */
export function loggedAhead(def: SequenceDef, next: bigint): bigint {
  let ahead = next + def.increment * sequenceLogAhead;
  if (ahead > def.max || ahead < def.min) ahead = next;
  return ahead;
}
