/**
 * Configuration: the key schema, defaults, and resolution from file,
 * environment and flags.
 * @module
 */
export { type Config, type ConfigSources, parseSize, resolveConfig } from "./config.ts";
export { configKeys, describeKind, type KeySpec } from "./schema.ts";
export { parseServerArgs, type ServerArgs, serverUsage } from "./args.ts";
