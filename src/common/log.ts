/**
 * Structured logging: one JSON object per line on stderr, or plain text when
 * `THUNDERDB_LOG_FORMAT=text`. Only the shell (server, cli) decides the level.
 * @module
 */

export type LogLevel = "debug" | "info" | "warn" | "error";
const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

let threshold: LogLevel = "info";
let format: "json" | "text" = "text";
let sink: (line: string) => void = (line) => console.error(line);

/** Sets the minimum level and format. */
export function configureLog(options: { level?: LogLevel; format?: "json" | "text" }): void {
  if (options.level) threshold = options.level;
  if (options.format) format = options.format;
}

/** Replaces the output sink (tests capture logs this way). */
export function setLogSink(next: (line: string) => void): void {
  sink = next;
}

function emit(level: LogLevel, message: string, fields: Record<string, unknown>): void {
  if (order[level] < order[threshold]) return;
  if (format === "json") {
    sink(JSON.stringify({ time: new Date().toISOString(), level, message, ...fields }, replacer));
  } else {
    const extra = Object.keys(fields).length ? " " + JSON.stringify(fields, replacer) : "";
    sink(`${level.toUpperCase().padEnd(5)} ${message}${extra}`);
  }
}

function replacer(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}

/** The logger. */
export const log = {
  debug: (message: string, fields: Record<string, unknown> = {}) => emit("debug", message, fields),
  info: (message: string, fields: Record<string, unknown> = {}) => emit("info", message, fields),
  warn: (message: string, fields: Record<string, unknown> = {}) => emit("warn", message, fields),
  error: (message: string, fields: Record<string, unknown> = {}) => emit("error", message, fields),
};
