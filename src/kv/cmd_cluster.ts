/**
 * The cluster-mode connection commands READONLY, READWRITE and ASKING,
 * answered as a Redis started with cluster-enabled no does (CLUSTER itself
 * is in cmd_misc.ts).
 * @module
 */
import type { Handler } from "./cmd_util.ts";

/** Redis's answer to cluster commands when cluster mode is off. */
export const clusterDisabled = "ERR This instance has cluster support disabled";

const noCluster: Handler = (_x, c) => c.reply.error(clusterDisabled);

/** READONLY, READWRITE and ASKING by lower-case name. */
export const clusterHandlers: Record<string, Handler> = {
  readonly: noCluster,
  readwrite: noCluster,
  asking: noCluster,
};
