/**
 * Errors and notices as ErrorResponse / NoticeResponse fields, and the errors
 * that mean the client went away. Folder-private.
 * @module
 */
import { DbError } from "../../common/errors.ts";
import { log } from "../../common/log.ts";
import type { Notice } from "../../engine/session_api.ts";
import type { ErrorFields } from "./backend_messages.ts";

/** Maps an error to ErrorResponse fields; non-DbErrors are bugs and are logged. */
export function errorFields(e: unknown, severity = "ERROR"): ErrorFields {
  if (e instanceof DbError) {
    return {
      severity,
      code: e.sqlstate,
      message: e.message,
      detail: e.detail,
      hint: e.hint,
      position: e.position,
      context: e.context,
    };
  }
  log.error("Internal error in PostgreSQL connection", { error: String(e) });
  return { severity, code: "XX000", message: e instanceof Error ? e.message : String(e) };
}

/** A session notice as NoticeResponse fields. */
export function noticeFields(n: Notice): ErrorFields {
  return { severity: n.severity, code: n.sqlstate, message: n.message };
}

/** True for errors that mean the client went away (nothing to answer). */
export function isDisconnect(e: unknown): boolean {
  return e instanceof Deno.errors.BadResource || e instanceof Deno.errors.ConnectionReset ||
    e instanceof Deno.errors.BrokenPipe || e instanceof Deno.errors.Interrupted ||
    e instanceof Deno.errors.NotConnected || e instanceof Deno.errors.UnexpectedEof;
}
