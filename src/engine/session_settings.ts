/**
 * Session settings: the defaults a session starts from (what SHOW reports
 * before any SET) and the checks SET applies to a value.
 * @module
 */
import { DbError } from "../common/errors.ts";
import { zoneOffsetSeconds } from "../common/datetime.ts";

/** @throws {DbError} 22023 when `zone` names no time zone, as PostgreSQL's SET TimeZone does */
export function checkTimeZone(zone: string): void {
  try {
    zoneOffsetSeconds(0n, zone);
  } catch (e) {
    throw new DbError("22023", `invalid value for parameter "TimeZone": "${zone}"`, e);
  }
}

/** Settings a session starts with (lower-case names), before startup parameters and SET. */
export const defaultSettings: Record<string, string> = {
  server_version: "15.0",
  server_version_num: "150000",
  server_encoding: "UTF8",
  client_encoding: "UTF8",
  datestyle: "ISO, MDY",
  timezone: "UTC",
  intervalstyle: "postgres",
  integer_datetimes: "on",
  standard_conforming_strings: "on",
  is_superuser: "on",
  application_name: "",
  search_path: '"$user", public',
  default_transaction_isolation: "read committed",
  transaction_isolation: "read committed",
  statement_timeout: "0",
  extra_float_digits: "1",
  max_identifier_length: "63",
  work_mem: "4MB",
  maintenance_work_mem: "64MB",
  lock_timeout: "0",
  idle_in_transaction_session_timeout: "0",
  client_min_messages: "notice",
  bytea_output: "hex",
  synchronous_commit: "on",
  row_security: "on",
  default_transaction_read_only: "off",
  transaction_read_only: "off",
  lc_messages: "C",
  lc_monetary: "C",
  lc_numeric: "C",
  lc_time: "C",
};
