/**
 * The one adapter for the `smol-toml` package: TOML text in, plain data out.
 * @module
 */
import { parse, TomlError } from "smol-toml";
import { ConfigError } from "../errors.ts";

/**
 * Parses TOML text into nested plain objects.
 * @throws {ConfigError} F0000 naming the file and the TOML syntax problem
 */
export function parseToml(text: string, source: string): Record<string, unknown> {
  try {
    return parse(text) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof TomlError) {
      throw new ConfigError(`Cannot parse ${source}: ${error.message.split("\n")[0]}`);
    }
    throw error;
  }
}
