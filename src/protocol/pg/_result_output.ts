/**
 * The parts of a result's wire output that do not depend on row values: the
 * RowDescription message and the column encoders. Built once per field list,
 * result formats and text options, and reused while all three stay the same
 * objects (a cached plan keeps one field list). Folder-private.
 * @module
 */
import type { TextOptions } from "../../common/value_text.ts";
import type { Field } from "../../engine/session_api.ts";
import { encodeRowDescription } from "./backend_messages.ts";
import { MessageWriter } from "./message_writer.ts";
import { type ColumnEncoder, columnEncoders } from "./value_codec.ts";

/** RowDescription bytes and column encoders of one result shape. */
export interface ResultOutput {
  readonly fields: readonly Field[];
  readonly formats: readonly number[];
  readonly options: TextOptions;
  /** The whole RowDescription message, ready to append. */
  readonly rowDescription: Uint8Array;
  readonly encoders: readonly ColumnEncoder[];
}

/**
 * `kept` when it was built for these fields, formats and options, else a new output.
 * @param formats result format per column (0 text, 1 binary)
 */
export function resultOutput(
  kept: ResultOutput | null | undefined,
  fields: readonly Field[],
  formats: readonly number[],
  options: TextOptions,
): ResultOutput {
  if (
    kept != null && kept.fields === fields && kept.formats === formats && kept.options === options
  ) {
    return kept;
  }
  const description = new MessageWriter(256);
  encodeRowDescription(description, fields, formats);
  return {
    fields,
    formats,
    options,
    rowDescription: description.take(),
    encoders: columnEncoders(fields, formats, options),
  };
}
