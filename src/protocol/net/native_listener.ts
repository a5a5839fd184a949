/**
 * The native transport: a listening socket and its connections in one epoll
 * set, served by one loop on the event-loop thread. A loop turn asks
 * `epoll_wait` with timeout 0 (a cheap synchronous FFI call); only when
 * nothing is ready (or after a run of busy turns, so timers and other I/O get
 * their turn) does it wait on a worker thread (a non-blocking FFI call that
 * returns a promise), which leaves the JS event loop free. Every ready socket
 * is read, its requests run and its replies written with plain syscalls.
 * While a connection works on something the runtime finishes (a commit's
 * fsync on a thread, a timer), every wait is a worker-thread one: a finished
 * thread call does not wake a wait on the event-loop thread (measured: the
 * runtime's own epoll sets do not report it), so it would be seen only when
 * that wait times out.
 * @module
 */
import { connectionsMax } from "../../common/limits.ts";
import { setImmediate } from "node:timers";
import { log } from "../../common/log.ts";
import {
  epollDataOffset,
  epollEventBytes,
  errno,
  type LibcNet,
  loadLibcNet,
  sockaddrIn,
  sockaddrPort,
  sockaddrText,
  sys,
} from "./libc_net.ts";
import { type ChannelOwner, NativeChannel } from "./native_channel.ts";
import type { StreamListener, StreamListenOptions } from "./transport.ts";

const eventsMax = 256;
/**
 * Longest wait on the event-loop thread. The runtime's own I/O wakes it at
 * once (see `findRuntimePollers`); JS timers can be late by up to this much
 * while the listener is busy.
 */
const shortWaitMs = 1;
/** Longest run of busy loop turns without a full event-loop turn (timers may be this late). */
const yieldEveryMs = 1;
/** Empty short waits in a row before the loop parks on a worker thread. */
const shortWaitsMax = 50;
const listenerId = 0;
const wakeId = 1;
const runtimeId = 0xffff_ffff;
const acceptsPerTurn = 64;
/** Pause after the process ran out of descriptors, so a full table does not spin the loop. */
const acceptPauseMs = 100;

/** Throws a Deno error naming the failed call. */
function fail(c: LibcNet, call: string): never {
  const e = errno(c);
  if (e === 98) throw new Deno.errors.AddrInUse(`${call}: address in use`);
  if (e === 99) throw new Deno.errors.AddrNotAvailable(`${call}: address not available`);
  if (e === 13) throw new Deno.errors.PermissionDenied(`${call}: permission denied`);
  throw new Error(`${call} failed: errno ${e}`);
}

class NativeLoop implements ChannelOwner {
  readonly channels = new Map<number, NativeChannel>();
  #nextId = 2;
  #closed = false;
  #runtimeFds: number[] = [];
  #nestedFds: number[] = [];
  #canNest = false;
  /** Connections that work on something else than reading (see `ByteChannel.setWorking`). */
  workingCount = 0;
  gathering = false;
  readonly #gathered: NativeChannel[] = [];
  #acceptTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #event = new Uint8Array(epollEventBytes);
  readonly #eventView = new DataView(this.#event.buffer);
  readonly #busy = new Uint8Array(eventsMax * epollEventBytes);
  readonly #idle = new Uint8Array(eventsMax * epollEventBytes);
  readonly #busyView = new DataView(this.#busy.buffer);
  readonly #idleView = new DataView(this.#idle.buffer);
  /** Events of `serveNow`, which runs while a turn's events are being served. */
  readonly #nested = new Uint8Array(eventsMax * epollEventBytes);
  readonly #nestedView = new DataView(this.#nested.buffer);
  #nesting = false;
  readonly #addr = new Uint8Array(16);
  readonly #addrLen = new Uint32Array(1);
  readonly #one = new Int32Array([1]);
  done: Promise<void> = Promise.resolve();

  constructor(
    readonly c: LibcNet,
    readonly options: StreamListenOptions,
    /** -1 once it stopped accepting. */
    public listenFd: number,
    readonly epollFd: number,
    readonly wakeFd: number,
  ) {}

  get label(): string {
    return this.options.label;
  }

  /** Adds, changes or removes (`events` null) a descriptor in the epoll set. */
  ctl(op: number, fd: number, id: number, events: number): boolean {
    this.#eventView.setUint32(0, events, true);
    this.#eventView.setUint32(epollDataOffset, id, true);
    this.#eventView.setUint32(epollDataOffset + 4, 0, true);
    return this.c.epoll_ctl(this.epollFd, op, fd, this.#event) === 0;
  }

  watch(channel: NativeChannel, events: number): void {
    if (!this.ctl(sys.EPOLL_CTL_MOD, channel.fd, channel.id, events)) channel.fail();
  }

  /**
   * Forgets a channel about to close, and removes its socket from the epoll
   * set first: `close` alone does not while another process still holds the
   * socket (a child between fork and exec), and the closed socket would then
   * keep reporting its readiness under a forgotten id.
   */
  forget(channel: NativeChannel): void {
    this.channels.delete(channel.id);
    this.ctl(sys.EPOLL_CTL_DEL, channel.fd, channel.id, 0);
  }

  working(delta: 1 | -1): void {
    this.workingCount += delta;
  }

  gathered(channel: NativeChannel): void {
    this.#gathered.push(channel);
  }

  /** Sends the replies gathered while a turn's events were served. */
  #sendGathered(): void {
    const list = this.#gathered;
    for (let i = 0; i < list.length; i++) list[i]!.sendGathered();
    list.length = 0;
  }

  /**
   * The loop. Three kinds of wait: a poll (timeout 0) right after work; a
   * short wait on this thread while clients are active; and a wait on a
   * worker thread, which leaves this thread to the runtime. The worker wait
   * is used when the runtime has I/O of its own to handle (a short wait ended
   * by a nested runtime poller), while a connection works on something the
   * runtime must finish, and when the listener has been idle for a while
   * (the last two without the nested pollers, so runtime I/O does not wake it).
   */
  async run(): Promise<void> {
    let emptyWaits = 0;
    let runtimeBusy = false;
    let yielded = performance.now();
    while (!this.#closed) {
      let n: number;
      let events = this.#busy;
      const parked = emptyWaits > shortWaitsMax || this.#nestedFds.length === 0 ||
        this.workingCount > 0;
      if (parked && emptyWaits > 0 && this.#nestedFds.length > 0) this.#unnest();
      if (emptyWaits > 0 && (parked || runtimeBusy)) {
        events = this.#idle;
        n = await this.c.epoll_wait_idle(this.epollFd, events, eventsMax, -1);
      } else {
        n = this.c.epoll_wait(this.epollFd, events, eventsMax, emptyWaits === 0 ? 0 : shortWaitMs);
      }
      // A failed wait is EINTR (the worker thread's errno is not readable here): wait again.
      const served = n > 0 && !this.#closed ? this.#dispatch(events, n) : 0;
      runtimeBusy = n > served;
      if (served > 0) {
        emptyWaits = 0;
        if (this.#nestedFds.length === 0 && this.#canNest && this.workingCount === 0) this.#nest();
      } else {
        emptyWaits++;
      }
      // Promise callbacks run between loop turns. A full event-loop turn
      // (timers, the runtime's I/O) costs microseconds, so busy turns take it
      // only when the runtime has work, or once per `yieldEveryMs`.
      const now = performance.now();
      if (served === 0 || runtimeBusy || now - yielded >= yieldEveryMs) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        yielded = performance.now();
      } else {
        await undefined;
      }
    }
  }

  /**
   * Finds the JS runtime's epoll sets (in /proc/self/fd). Nested in this set,
   * edge-triggered, they end a short wait on the event-loop thread as soon as
   * the runtime has I/O or a finished background operation to handle.
   *
   * Each is nested through a duplicate descriptor this loop owns until it
   * closes. The original numbers belong to others (other workers' runtimes in
   * the same process): a closed one's number is reused, often for a socket
   * this loop accepts next, and removing "the runtime's poller" by that number
   * removed the socket's registration (its input and hang-up never reported).
   */
  findRuntimePollers(): void {
    let entries: Deno.DirEntry[];
    try {
      entries = [...Deno.readDirSync("/proc/self/fd")];
    } catch {
      return; // No /proc: only the worker-thread wait is used.
    }
    for (const entry of entries) {
      const fd = Number(entry.name);
      if (!Number.isInteger(fd) || loopEpollFds.has(fd) || !isEpoll(fd)) continue;
      const copy = this.c.fcntl(fd, sys.F_DUPFD_CLOEXEC, 0);
      if (copy < 0) continue;
      // The number may have been closed and reused between the look and the copy.
      if (isEpoll(copy)) this.#runtimeFds.push(copy);
      else this.c.close(copy);
    }
    this.#canNest = this.#runtimeFds.length > 0;
  }

  #nest(): void {
    for (const fd of this.#runtimeFds) {
      if (this.ctl(sys.EPOLL_CTL_ADD, fd, runtimeId, sys.EPOLLIN | sys.EPOLLET)) {
        this.#nestedFds.push(fd);
      }
    }
    if (this.#nestedFds.length === 0) this.#canNest = false;
  }

  #unnest(): void {
    for (const fd of this.#nestedFds) this.ctl(sys.EPOLL_CTL_DEL, fd, runtimeId, 0);
    this.#nestedFds = [];
  }

  /** Serves the reported events; returns how many were this listener's own. */
  #dispatch(events: Uint8Array, n: number): number {
    const view = events === this.#busy ? this.#busyView : this.#idleView;
    this.gathering = this.options.gatherReplies === true;
    const onTurn = this.options.onTurn;
    onTurn?.(true);
    try {
      return this.#serveEvents(view, n);
    } finally {
      this.gathering = false;
      onTurn?.(false);
      this.#sendGathered();
    }
  }

  #serveEvents(view: DataView, n: number): number {
    let own = 0;
    for (let i = 0; i < n; i++) {
      const base = i * epollEventBytes;
      const flags = view.getUint32(base, true);
      const id = view.getUint32(base + epollDataOffset, true);
      if (id === runtimeId) continue;
      own++;
      if (id === listenerId) this.#accept();
      else if (id !== wakeId) this.#serve(id, flags);
    }
    return own;
  }

  /**
   * One loop turn from inside a request that runs long (a busy script, see
   * `StreamListener.serveNow`): polls without waiting and serves what is
   * ready, with replies sent at once, no `onTurn` calls, and connections
   * whose handler is executing left alone.
   */
  serveNow(): void {
    if (this.#closed || this.#nesting) return;
    this.#nesting = true;
    const gathering = this.gathering;
    this.gathering = false;
    try {
      const n = this.c.epoll_wait(this.epollFd, this.#nested, eventsMax, 0);
      if (n > 0) this.#serveEvents(this.#nestedView, n);
    } finally {
      this.gathering = gathering;
      this.#nesting = false;
    }
  }

  #serve(id: number, flags: number): void {
    const channel = this.channels.get(id);
    if (channel === undefined) return;
    // Inside serveNow: the connection that runs the long request is served after it.
    if (this.#nesting && channel.handler?.executing === true) return;
    try {
      if (!channel.writing) channel.readable();
      else if ((flags & (sys.EPOLLOUT | sys.EPOLLERR | sys.EPOLLHUP)) !== 0) channel.writable();
    } catch (e) {
      // A failure in one connection's protocol code ends that connection only.
      log.warn(`${this.label} connection failed`, { error: String(e) });
      channel.fail();
    }
  }

  #accept(): void {
    const c = this.c;
    if (this.listenFd < 0) return;
    for (let i = 0; i < acceptsPerTurn; i++) {
      this.#addrLen[0] = this.#addr.length;
      const fd = c.accept4(
        this.listenFd,
        this.#addr,
        new Uint8Array(this.#addrLen.buffer),
        sys.SOCK_NONBLOCK | sys.SOCK_CLOEXEC,
      );
      if (fd < 0) {
        const e = errno(c);
        if (e === sys.EINTR || e === sys.ECONNABORTED) continue;
        if (e !== sys.EAGAIN) this.#pauseAccepting(e);
        return;
      }
      if (this.channels.size >= connectionsMax) {
        c.close(fd);
        continue;
      }
      const remote = sockaddrText(this.#addr);
      c.setsockopt(fd, sys.IPPROTO_TCP, sys.TCP_NODELAY, new Uint8Array(this.#one.buffer), 4);
      this.#addrLen[0] = this.#addr.length;
      const local = c.getsockname(fd, this.#addr, new Uint8Array(this.#addrLen.buffer)) === 0
        ? sockaddrText(this.#addr)
        : "";
      const channel = new NativeChannel(this, this.#nextId++, fd);
      if (this.#nextId > 0xffff_ffff) this.#nextId = 2;
      if (!this.ctl(sys.EPOLL_CTL_ADD, fd, channel.id, sys.EPOLLIN | sys.EPOLLRDHUP)) {
        c.close(fd);
        continue;
      }
      this.channels.set(channel.id, channel);
      channel.handler = this.options.onConnection(channel, remote, local);
    }
  }

  /** Out of descriptors or memory: stops accepting for a moment (the backlog waits). */
  #pauseAccepting(e: number): void {
    log.warn(`${this.label} accept failed`, { errno: e });
    if (!this.ctl(sys.EPOLL_CTL_DEL, this.listenFd, listenerId, 0)) return;
    this.#acceptTimer = setTimeout(() => {
      this.#acceptTimer = undefined;
      if (!this.#closed && this.listenFd >= 0) {
        this.ctl(sys.EPOLL_CTL_ADD, this.listenFd, listenerId, sys.EPOLLIN);
      }
    }, acceptPauseMs);
  }

  /** Closes the listening socket (out of the epoll set first); connections stay. */
  stopAccepting(): void {
    if (this.listenFd < 0) return;
    clearTimeout(this.#acceptTimer);
    this.ctl(sys.EPOLL_CTL_DEL, this.listenFd, listenerId, 0);
    this.c.close(this.listenFd);
    this.listenFd = -1;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#acceptTimer);
    // Wakes the idle wait on its worker thread.
    this.c.write(this.wakeFd, new Uint8Array(new BigUint64Array([1n]).buffer), 8n);
    await this.done;
    this.stopAccepting();
    for (const channel of [...this.channels.values()]) {
      channel.handler?.shutdown();
      channel.close();
    }
    this.c.close(this.wakeFd);
    loopEpollFds.delete(this.epollFd);
    this.c.close(this.epollFd);
    for (const fd of this.#runtimeFds) this.c.close(fd);
    this.#runtimeFds = [];
    this.#nestedFds = [];
  }
}

/**
 * The epoll sets of this isolate's loops: not runtime pollers, so another
 * loop does not nest them (it would wake for every event of this one).
 */
const loopEpollFds = new Set<number>();

/** True when descriptor `fd` is an epoll set. */
function isEpoll(fd: number): boolean {
  try {
    return Deno.readLinkSync(`/proc/self/fd/${fd}`) === "anon_inode:[eventpoll]";
  } catch {
    return false; // Closed meanwhile.
  }
}

/** Opens the listening socket; returns its descriptor and the bound port. */
function openListenSocket(c: LibcNet, addr: Uint8Array<ArrayBuffer>): [number, number] {
  const fd = c.socket(sys.AF_INET, sys.SOCK_STREAM | sys.SOCK_NONBLOCK | sys.SOCK_CLOEXEC, 0);
  if (fd < 0) fail(c, "socket");
  try {
    const one = new Uint8Array(new Int32Array([1]).buffer);
    if (c.setsockopt(fd, sys.SOL_SOCKET, sys.SO_REUSEADDR, one, 4) !== 0) fail(c, "setsockopt");
    if (c.bind(fd, addr, addr.length) !== 0) fail(c, "bind");
    if (c.listen(fd, 511) !== 0) fail(c, "listen");
    const bound = new Uint8Array(16);
    const len = new Uint32Array([16]);
    if (c.getsockname(fd, bound, new Uint8Array(len.buffer)) !== 0) fail(c, "getsockname");
    return [fd, sockaddrPort(bound)];
  } catch (e) {
    c.close(fd);
    throw e;
  }
}

/**
 * Listens with the native transport; null when it is not available here
 * (FFI not loadable, not Linux, or a hostname that is not an IPv4 address).
 * @throws {Deno.errors.AddrInUse} when the port is taken
 */
export function listenNative(options: StreamListenOptions): StreamListener | null {
  const c = loadLibcNet();
  const addr = sockaddrIn(options.hostname, options.port);
  if (c === null || addr === null) return null;
  const [listenFd, port] = openListenSocket(c, addr);
  const epollFd = c.epoll_create1(sys.EPOLL_CLOEXEC);
  const wakeFd = epollFd < 0 ? -1 : c.eventfd(0, sys.EFD_NONBLOCK | sys.EFD_CLOEXEC);
  if (epollFd < 0 || wakeFd < 0) {
    c.close(listenFd);
    if (epollFd >= 0) c.close(epollFd);
    fail(c, "epoll_create1/eventfd");
  }
  const loop = new NativeLoop(c, options, listenFd, epollFd, wakeFd);
  loopEpollFds.add(epollFd);
  loop.ctl(sys.EPOLL_CTL_ADD, listenFd, listenerId, sys.EPOLLIN);
  loop.ctl(sys.EPOLL_CTL_ADD, wakeFd, wakeId, sys.EPOLLIN);
  loop.findRuntimePollers();
  loop.done = loop.run().catch((e) => {
    log.error(`${options.label} native transport failed`, { error: String(e) });
  });
  return {
    port,
    kind: "native",
    get connections() {
      return loop.channels.size;
    },
    get working() {
      return loop.workingCount;
    },
    stopAccepting: () => loop.stopAccepting(),
    close: () => loop.close(),
    serveNow: () => loop.serveNow(),
  };
}
