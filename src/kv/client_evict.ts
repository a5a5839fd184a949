/**
 * Client eviction, as Redis 7.0's maxmemory-clients: once the buffers of all
 * clients together (`KvEngine.clientsMemory`) pass the limit, the clients
 * using the most are closed, largest first, until the total is back under
 * it. Clients with CLIENT NO-EVICT on are never chosen (their memory still
 * counts, as in Redis).
 * @module
 */
import { log } from "../common/log.ts";
import { clientEvictionLimit } from "./client_limits.ts";
import type { KvEngine } from "./engine.ts";

/** Evicts clients while their memory is over maxmemory-clients (no-op without a limit). */
export function evictClients(x: KvEngine): void {
  const limit = clientEvictionLimit(x.config.maxmemoryClients, x.config.maxmemory);
  if (limit === 0 || x.clientsMemory <= limit) return;
  const candidates = [...x.clients.values()]
    .filter((c) => !c.noEvict && !c.closed && c.memory > 0)
    .sort((a, b) => b.memory - a.memory);
  for (const c of candidates) {
    if (x.clientsMemory <= limit) return;
    if (c.closed || c.transport.shutdown === undefined) continue;
    log.info("Evicting client", { id: c.id, addr: c.addr, name: c.name, memory: c.memory });
    x.stats.evictedClients++;
    c.transport.shutdown();
  }
  if (x.clientsMemory > limit) {
    log.warn("Over client maxmemory after evicting all evictable clients", {
      memory: x.clientsMemory,
      limit,
    });
  }
}
