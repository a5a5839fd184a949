/**
 * Per-connection state the key-value engine keeps: selected database,
 * protocol version, authentication, MULTI queue, WATCHed keys, subscriptions
 * and blocking state. The protocol layer owns the socket and gives the engine
 * a `ClientTransport` to act on it.
 * @module
 */
import type { Reply } from "./reply.ts";
import type { AclUser } from "./acl_user.ts";
import type { TrackingState } from "./tracking.ts";

/** What the engine may ask of the connection that owns a client. */
export interface ClientTransport {
  /** Switches the reply framing (HELLO 2|3). */
  setProtocol(resp: 2 | 3): void;
  /** Closes the connection once pending replies are written (QUIT, CLIENT KILL). */
  closeAfterReply(): void;
  /** Writes buffered replies soon (pub/sub messages, unblocked clients). */
  flushSoon(): void;
  /** Closes the connection now, dropping pending replies (client eviction, CLIENT KILL). */
  shutdown?(): void;
  /** The connection's buffers (CLIENT LIST); absent when unknown. */
  buffers?(): ClientBuffers;
  /**
   * Periodic upkeep (the engine's client cron, about 10 times a second):
   * enforces the output soft limit without traffic and shrinks an idle or
   * oversized query buffer. `idleMs` is the time since the last command.
   */
  cron?(nowMs: number, idleMs: number): void;
}

/** A connection's buffers, in bytes, as CLIENT LIST reports them. */
export interface ClientBuffers {
  /** Received bytes not yet run as commands. */
  readonly qbuf: number;
  /** Free space of the query buffer. */
  readonly qbufFree: number;
  /** Replies not yet handed to the socket. */
  readonly obl: number;
  /** Parts of the replies handed to the socket but not accepted yet (0 or 1). */
  readonly oll: number;
  /** Pending reply bytes (obl and what the socket has not accepted). */
  readonly omem: number;
}

/** A blocked client's wait (BLPOP and friends). */
export interface BlockState {
  /** Database-qualified keys the client waits on. */
  readonly keys: readonly string[];
  /** The command to retry when a key becomes ready. */
  readonly argv: Uint8Array[];
  /** Absolute deadline in ms, 0 for none. */
  readonly deadline: number;
  /** What a timeout (or CLIENT UNBLOCK ... TIMEOUT) replies ("zero": WAIT's 0 replicas). */
  readonly timeoutReply: "nil" | "nullArray" | "zero";
  /** Resolves the connection's wait. */
  readonly resolve: () => void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** One client connection. */
export class KvClient {
  /** Selected database. */
  db = 0;
  name = "";
  /** The user the client is authenticated as (CLIENT LIST `user=`, ACL WHOAMI). */
  user = "default";
  /** The ACL entry of `user`; null for the default user. */
  aclUser: AclUser | null = null;
  /** CLIENT TRACKING settings, null when tracking is off. */
  tracking: TrackingState | null = null;
  authenticated: boolean;
  /** Queued commands while in MULTI, null otherwise. */
  multi: Uint8Array[][] | null = null;
  /** A queued command failed to queue: EXEC answers EXECABORT. */
  multiError = false;
  /** A WATCHed key changed: EXEC answers a null array. */
  dirtyCas = false;
  /** Database-qualified WATCHed keys. */
  readonly watched = new Set<string>();
  readonly channels = new Set<string>();
  readonly patterns = new Set<string>();
  /** Shard channels (SSUBSCRIBE). */
  readonly shardChannels = new Set<string>();
  blocked: BlockState | null = null;
  /** Resolves when a blocking command is served or times out. */
  blockedWait: Promise<void> | null = null;
  /** Negotiated protocol version. */
  resp: 2 | 3 = 2;
  noEvict = false;
  /**
   * Bytes of this client's buffers counted in the engine's `clientsMemory`
   * (its query buffer and pending replies), kept by the connection.
   */
  memory = 0;
  /** In MONITOR mode: receives the commands every client runs. */
  monitor = false;
  /** CLIENT REPLY: "skip" mutes the next command only. */
  replyMode: "on" | "off" | "skip" = "on";
  lastCommand = "NULL";
  lastInteractionMs: number;
  readonly createdMs: number;
  /** Set once the connection is closed or killed. */
  closed = false;
  /** The client scripts run their commands on (SORT orders sets for it). */
  fromScript = false;
  /** A script this client ran called a read-only command (CLIENT TRACKING then tracks the script's keys). */
  scriptRead = false;

  constructor(
    readonly id: number,
    public reply: Reply,
    readonly transport: ClientTransport,
    readonly addr: string,
    readonly laddr: string,
    nowMs: number,
    needsAuth: boolean,
  ) {
    this.authenticated = !needsAuth;
    this.createdMs = nowMs;
    this.lastInteractionMs = nowMs;
  }

  /** Subscriptions of every kind: non-zero puts a RESP2 client in pub/sub context. */
  get subscriptionCount(): number {
    return this.channels.size + this.patterns.size + this.shardChannels.size;
  }
}
