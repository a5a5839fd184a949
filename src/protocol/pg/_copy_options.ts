/**
 * COPY options of the text and CSV formats (DELIMITER, NULL, QUOTE, ESCAPE)
 * resolved against PostgreSQL's defaults. Folder-private.
 * @module
 */
import { DbError } from "../../common/errors.ts";
import type { CopySpec } from "../../engine/session_api.ts";

/** Resolved COPY options with PostgreSQL's defaults filled in. */
export interface CopyOptions {
  readonly csv: boolean;
  readonly delimiter: string;
  readonly nullText: string;
  readonly quote: string;
  readonly escape: string;
}

/**
 * The options of `spec` with defaults filled in.
 * @throws {DbError} 0A000 for the binary format, 22023 for a delimiter that is not one character
 */
export function resolveCopyOptions(spec: CopySpec): CopyOptions {
  if (spec.format === "binary") {
    throw new DbError("0A000", "COPY in binary format is not supported; use text or csv");
  }
  const csv = spec.format === "csv";
  const delimiter = spec.delimiter ?? (csv ? "," : "\t");
  const quote = spec.quote ?? '"';
  if (delimiter.length !== 1) {
    throw new DbError("22023", "COPY delimiter must be a single one-byte character");
  }
  return {
    csv,
    delimiter,
    nullText: spec.null ?? (csv ? "" : "\\N"),
    quote,
    escape: spec.escape ?? quote,
  };
}
