/**
 * The settings a connection reports with ParameterStatus: all of them after
 * authentication, then the ones that changed before each ReadyForQuery that
 * follows a statement able to change them. Folder-private.
 * @module
 */
import type { TextOptions } from "../../common/value_text.ts";
import type { Session, StatementResult } from "../../engine/session_api.ts";
import { encodeNoticeResponse, encodeParameterStatus } from "./backend_messages.ts";
import { noticeFields } from "./_error_fields.ts";
import type { MessageWriter } from "./message_writer.ts";

/** Parameters reported with ParameterStatus, and their defaults. */
const reported: readonly (readonly [string, string])[] = [
  ["server_encoding", "UTF8"],
  ["client_encoding", "UTF8"],
  ["DateStyle", "ISO, MDY"],
  ["IntervalStyle", "postgres"],
  ["integer_datetimes", "on"],
  ["standard_conforming_strings", "on"],
  ["TimeZone", "UTC"],
  ["application_name", ""],
  ["is_superuser", "on"],
  ["session_authorization", ""],
];

/** Commands after which reported settings may have changed. */
const settingCommands = new Set(["SET", "RESET", "DISCARD", "COMMIT", "ROLLBACK", "SET ROLE"]);

/** What a connection last reported of its session's settings. */
export class ReportedSettings {
  readonly #writer: MessageWriter;
  /** The StartupMessage's parameters: the fallback of settings the session lacks. */
  startup = new Map<string, string>();
  /** Text output options that follow the reported TimeZone. */
  textOptions: TextOptions = {};
  #sent = new Map<string, string>();
  #dirty = false;
  /** The session's settingsVersion when the reported settings were last sent. */
  #seen = -1;

  constructor(writer: MessageWriter) {
    this.#writer = writer;
  }

  #setting(session: Session | null, name: string, fallback: string): string {
    const v = session?.getSetting(name) ?? session?.getSetting(name.toLowerCase());
    if (v !== undefined) return v;
    if (name === "session_authorization") return this.startup.get("user") ?? fallback;
    return this.startup.get(name) ?? fallback;
  }

  /** Sends ParameterStatus for reported settings that changed (all when `all`). */
  send(session: Session | null, all: boolean): void {
    for (const [name, fallback] of reported) {
      const v = this.#setting(session, name, fallback);
      if (!all && this.#sent.get(name) === v) continue;
      this.#sent.set(name, v);
      encodeParameterStatus(this.#writer, name, v);
    }
    this.textOptions = { timeZone: this.#sent.get("TimeZone") ?? "UTC" };
    this.#dirty = false;
    this.#seen = session?.settingsVersion ?? -1;
  }

  /** Sends a result's notices and notes whether its command may have changed settings. */
  noteResult(r: StatementResult): void {
    for (const n of r.notices ?? []) encodeNoticeResponse(this.#writer, noticeFields(n));
    // SELECT too: set_config() changes settings.
    if (settingCommands.has(r.command) || r.command === "SELECT") this.#dirty = true;
  }

  /** Before ReadyForQuery: sends the settings that changed since they were last sent. */
  beforeReady(session: Session): void {
    if (!this.#dirty) return;
    const version = session.settingsVersion;
    if (version === undefined || version !== this.#seen) this.send(session, false);
    else this.#dirty = false;
  }
}
