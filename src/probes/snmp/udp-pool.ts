/**
 * A small pool of real UDP sockets shared by many net-snmp sessions.
 *
 * net-snmp's Session opens one UDP socket per session (`options.dgramModule.createSocket(transport)`),
 * and every socket binds an ephemeral port: Linux has about 28,000 of them, and each socket costs a
 * file descriptor and kernel + libuv memory. 50,000 sites cannot be polled that way by one process.
 *
 * `pool.dgramModule` is what a Session takes as `dgramModule`: its `createSocket()` returns a light
 * facade with the surface net-snmp uses (`send`, `on('message'|'close'|'error')`, `ref/unref`,
 * `close`, `bind`). On its first send the facade attaches to one of the pool's sockets, and a
 * datagram arriving on that socket is routed by the sender's `address:port` to the facade(s) that
 * sent to that address:port:
 *   - one facade for that remote (the usual case: one session per site): it gets the datagram;
 *   - several (sites sharing host:port, e.g. different communities): it goes to each; net-snmp drops
 *     answers whose request id is not its own. The pool spreads such facades over different sockets
 *     first, so this only happens with more sessions per remote than sockets.
 *   - none (an agent answering from another address): the request id is read from the datagram and
 *     it goes to the facade that recently sent that id; otherwise it is dropped and counted.
 * Targets that are not IP literals (host names: dgram.send resolves them), IPv6 with a zone, and
 * IPv4-mapped IPv6 keep a socket of their own (a plain dgram socket, as net-snmp would make).
 * Closing a facade never closes a shared socket; `pool.close()` closes them all.
 */
import dgram from 'node:dgram';
import dns from 'node:dns';
import { isIP, isIPv4, isIPv6 } from 'node:net';

export interface UdpPoolOptions {
  /** Shared sockets per address family (default 32). */
  socketsPerFamily?: number;
  /** SO_RCVBUF asked for each shared socket (default 4 MiB; the kernel caps it at net.core.rmem_max). */
  recvBufferBytes?: number;
  /** Called on a socket-level error of a shared socket (the socket is replaced). */
  onSocketError?: (err: Error) => void;
}

export interface UdpPoolStats {
  /** Shared sockets open now. */
  sockets: number;
  /** Facades (sessions) open now, and how many of them hold a private socket. */
  facades: number;
  privateSockets: number;
  /** Datagrams delivered through the routing table, via the request-id fallback, and dropped (no session). */
  routed: number;
  routedById: number;
  dropped: number;
}

type Family = 'udp4' | 'udp6';
type SendCallback = (error: Error | null, bytes: number) => void;

/** The part of dgram.Socket net-snmp's Session uses. */
export interface SessionSocket {
  on(event: 'message', listener: (msg: Buffer, rinfo: dgram.RemoteInfo) => void): this;
  on(event: 'close', listener: () => void): this;
  on(event: 'error', listener: (err: Error) => void): this;
  send(buf: Buffer, offset: number, length: number, port: number, address: string, cb?: SendCallback): void;
  bind(port?: number, address?: string): this;
  ref(): this;
  unref(): this;
  close(): void;
}

/**
 * The request id (v1/v2c: PDU request-id; v3: msgID) of an SNMP message, read from the raw bytes
 * without decoding the rest. null when the bytes are not a message we can read. `start`/`end`: the
 * message's bytes within `buf` (default: all of it), so a send need not slice its buffer.
 * (Runs for every request sent: a cursor at module level, no closures made per call.)
 */
export function peekRequestId(buf: Uint8Array, start = 0, end = buf.length): number | null {
  cur = start;
  lim = Math.min(end, buf.length);
  if (buf[cur++] !== 0x30 || berLength(buf) < 0) return null;
  const version = berInt(buf);
  if (version === 0 || version === 1) {
    if (cur >= lim || buf[cur++] !== 0x04) return null;
    const n = berLength(buf);
    if (n < 0) return null;
    cur += n;
    const tag = cur < lim ? buf[cur++] : undefined;
    if (tag === undefined || tag < 0xa0 || tag > 0xa8 || berLength(buf) < 0) return null;
    return berInt(buf);
  }
  if (version === 3) {
    if (cur >= lim || buf[cur++] !== 0x30 || berLength(buf) < 0) return null;
    return berInt(buf);
  }
  return null;
}

/** peekRequestId's cursor and limit. */
let cur = 0;
let lim = 0;

/** A BER length at the cursor; moves it. -1 when malformed. */
function berLength(buf: Uint8Array): number {
  if (cur >= lim) return -1;
  const first = buf[cur++]!;
  if (first < 0x80) return first;
  const n = first & 0x7f;
  if (n === 0 || n > 3 || cur + n > lim) return -1;
  let v = 0;
  for (let i = 0; i < n; i++) v = v * 256 + buf[cur++]!;
  return v;
}

/** A BER INTEGER at the cursor; moves it. null when it is not one. */
function berInt(buf: Uint8Array): number | null {
  if (cur >= lim || buf[cur++] !== 0x02) return null;
  const n = berLength(buf);
  if (n < 1 || n > 5 || cur + n > lim) return null;
  let v = buf[cur]! & 0x80 ? -1 : 0;
  for (let i = 0; i < n; i++) v = v * 256 + buf[cur++]!;
  return v;
}

/**
 * Shared sockets only send to IP literals (routeAddress): the address is its own lookup, answered at
 * once, instead of dgram's default dns.lookup, which answers an IP literal on the next tick (a
 * round through the event loop for every request sent). Anything else still goes to dns.lookup.
 */
function literalLookup(address: string, family: unknown, cb: (err: Error | null, address: string, family: number) => void): void {
  const f = isIP(address);
  if (f !== 0) cb(null, address, f);
  else dns.lookup(address, family as number, cb as never);
}

/** How many recent request ids a facade remembers for the fallback route. */
const RECENT_IDS = 8;

/** The facade(s) that sent to one remote port of an address; other ports of the same address chain on. */
interface Route { port: number; to: Facade | Facade[]; next: Route | null }

class SharedSocket {
  readonly socket: dgram.Socket;
  /**
   * remote address (as the kernel reports a sender) → port → the facade(s) that sent there. Keyed by
   * the address string node gives us, so a datagram is routed without building a key string.
   */
  private readonly routes = new Map<string, Route>();
  readonly facades = new Set<Facade>();
  closed = false;

  constructor(readonly pool: UdpPool, readonly family: Family, recvBufferBytes: number) {
    this.socket = dgram.createSocket({ type: family, lookup: literalLookup });
    this.socket.on('message', (msg, rinfo) => this.deliver(msg, rinfo));
    this.socket.on('error', (err) => this.pool.socketFailed(this, err));
    this.socket.on('close', () => this.pool.socketFailed(this, null));
    this.socket.bind(0, () => {
      try { this.socket.setRecvBufferSize(recvBufferBytes); } catch { /* capped or refused: keep the default */ }
    });
    // Requests in flight keep the process alive through net-snmp's timers, not through the socket.
    this.socket.unref();
  }

  private route(address: string, port: number): Route | null {
    for (let r = this.routes.get(address) ?? null; r; r = r.next) if (r.port === port) return r;
    return null;
  }

  hasRoute(address: string, port: number): boolean { return this.route(address, port) !== null; }

  addRoute(address: string, port: number, f: Facade): void {
    const cur = this.route(address, port);
    if (!cur) this.routes.set(address, { port, to: f, next: this.routes.get(address) ?? null });
    else if (Array.isArray(cur.to)) { if (!cur.to.includes(f)) cur.to.push(f); }
    else if (cur.to !== f) cur.to = [cur.to, f];
  }

  removeRoute(address: string, port: number, f: Facade): void {
    const cur = this.route(address, port);
    if (!cur) return;
    if (Array.isArray(cur.to)) {
      const rest = cur.to.filter((x) => x !== f);
      if (rest.length > 0) { cur.to = rest.length === 1 ? rest[0]! : rest; return; }
    } else if (cur.to !== f) return;
    // unlink this port's route
    let head = this.routes.get(address) ?? null;
    if (head === cur) head = cur.next;
    else for (let r = head; r; r = r.next) if (r.next === cur) { r.next = cur.next; break; }
    if (head) this.routes.set(address, head);
    else this.routes.delete(address);
  }

  clearRoutes(): void { this.routes.clear(); }

  private deliver(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const to = this.route(rinfo.address, rinfo.port)?.to;
    if (to) {
      this.pool.counters.routed++;
      if (Array.isArray(to)) for (const f of [...to]) f.message(msg, rinfo);
      else to.message(msg, rinfo);
      return;
    }
    // An agent that answers from another address: find the facade by the request id it sent.
    const id = peekRequestId(msg);
    if (id !== null) {
      for (const f of this.facades) {
        if (f.sentRecently(id)) {
          this.pool.counters.routedById++;
          f.message(msg, rinfo);
          return;
        }
      }
    }
    this.pool.counters.dropped++;
  }
}

type MessageListener = (msg: Buffer, rinfo: dgram.RemoteInfo) => void;
type ErrorListener = (err: Error) => void;
type CloseListener = () => void;

/**
 * What a session holds instead of a socket. Not an EventEmitter: a session registers one listener
 * per event, so the listeners are fields (an emitter's listener table is a dictionary-mode object,
 * and a poller keeps one facade per site). A second listener for an event is called after the first.
 */
class Facade implements SessionSocket {
  private shared: SharedSocket | null = null;
  private own: dgram.Socket | null = null;
  /** The remotes this facade routes from (address as the kernel reports it, port); a session has one. */
  private remotes: Array<{ address: string; port: number }> | null = null;
  /** The last target sent to, and its route address (null: it needs a private socket): a session always sends to the same one. */
  private lastTarget: { address: string; port: number; route: string | null } | null = null;
  /** Request ids sent lately (ring of RECENT_IDS, made on the first send). */
  private recent: number[] | null = null;
  private recentAt = 0;
  private closed = false;
  private refed = false;
  private onMessage: MessageListener | null = null;
  private onError: ErrorListener | null = null;
  private onClose: CloseListener | null = null;

  constructor(private readonly pool: UdpPool, readonly family: Family) {}

  on(event: 'message', listener: MessageListener): this;
  on(event: 'close', listener: CloseListener): this;
  on(event: 'error', listener: ErrorListener): this;
  on(event: string, listener: (...args: never[]) => void): this {
    const chain = <F extends (...a: never[]) => void>(prev: F | null, next: F): F =>
      (prev ? ((...a: Parameters<F>) => { prev(...a); next(...a); }) as F : next);
    if (event === 'message') this.onMessage = chain(this.onMessage, listener as MessageListener);
    else if (event === 'error') this.onError = chain(this.onError, listener as ErrorListener);
    else if (event === 'close') this.onClose = chain(this.onClose, listener as CloseListener);
    else throw new Error(`udp pool facade: unsupported event ${JSON.stringify(event)}`);
    return this;
  }

  /** A datagram for this facade's session. */
  message(msg: Buffer, rinfo: dgram.RemoteInfo): void { this.onMessage?.(msg, rinfo); }

  private emitError(err: Error): void {
    // as an EventEmitter would: an error nobody listens to is thrown
    if (!this.onError) throw err;
    this.onError(err);
  }

  private emitClose(): void { this.onClose?.(); }

  sentRecently(id: number): boolean { return this.recent !== null && this.recent.includes(id); }

  send(buf: Buffer, offset: number, length: number, port: number, address: string, cb?: SendCallback): void {
    if (this.closed) {
      const err = new Error('Not running');
      if (cb) process.nextTick(cb, err, 0);
      return;
    }
    if (!this.own) {
      let t = this.lastTarget;
      if (t === null || t.address !== address || t.port !== port) t = this.lastTarget = { address, port, route: routeAddress(this.family, address) };
      const route = t.route;
      if (route === null) this.ownSocket();
      else {
        if (!this.shared) this.shared = this.pool.attach(this, route, port);
        if (!this.remotes?.some((r) => r.address === route && r.port === port)) {
          const r = { address: route, port };
          if (this.remotes) this.remotes.push(r); else this.remotes = [r];
          this.shared.addRoute(route, port, this);
        }
        const id = peekRequestId(buf, offset, offset + length);
        if (id !== null) {
          const recent = (this.recent ??= new Array<number>(RECENT_IDS).fill(-1));
          recent[this.recentAt] = id;
          this.recentAt = (this.recentAt + 1) % RECENT_IDS;
        }
        this.shared.socket.send(buf, offset, length, port, address, cb);
        return;
      }
    }
    this.own!.send(buf, offset, length, port, address, cb);
  }

  /** A private socket: what net-snmp would have made (host names, zoned or mapped IPv6). */
  private ownSocket(): void {
    this.detach();
    const s = dgram.createSocket(this.family);
    s.on('message', (m, r) => this.message(m, r));
    s.on('error', (e) => this.emitError(e));
    s.on('close', () => { if (!this.closed) { this.closed = true; this.pool.forget(this); this.emitClose(); } });
    if (this.refed) s.ref(); else s.unref();
    this.own = s;
    this.pool.counters.privateSockets++;
  }

  private detach(): void {
    if (this.shared && this.remotes) for (const r of this.remotes) this.shared.removeRoute(r.address, r.port, this);
    this.shared?.facades.delete(this);
    this.shared = null;
    this.remotes = null;
  }

  /** The shared socket went away: behave as if our own socket had closed (net-snmp fails pending requests). */
  lostSocket(): void {
    if (this.closed) return;
    this.shared = null;
    this.remotes = null;
    this.closed = true;
    this.pool.forget(this);
    this.emitClose();
  }

  bind(): this {
    // net-snmp binds only when sourceAddress/sourcePort are set: give those sessions a private socket.
    if (!this.own) this.ownSocket();
    return this;
  }

  ref(): this { this.refed = true; this.own?.ref(); return this; }
  unref(): this { this.refed = false; this.own?.unref(); return this; }

  close(): void {
    if (this.closed) throw Object.assign(new Error('Not running'), { code: 'ERR_SOCKET_DGRAM_NOT_RUNNING' });
    if (this.own) {
      this.own.close();
      this.pool.counters.privateSockets--;
      return; // 'close' follows from the socket
    }
    this.closed = true;
    this.detach();
    this.pool.forget(this);
    process.nextTick(() => this.emitClose());
  }
}

/** The target's address as the kernel reports a sender, or null when the target cannot be routed that way. */
export function routeAddress(family: Family, address: string): string | null {
  if (family === 'udp4') return isIPv4(address) ? address : null;
  if (!isIPv6(address) || address.includes('%') || address.includes('.')) return null;
  // The kernel reports the compressed, lower-case form: normalise ours the same way.
  return new URL(`http://[${address}]/`).hostname.slice(1, -1);
}

/** address:port as the kernel reports a sender, or null when the target cannot be routed that way. */
export function routeKey(family: Family, address: string, port: number): string | null {
  const a = routeAddress(family, address);
  return a === null ? null : `${a}:${port}`;
}

export class UdpPool {
  private readonly size: number;
  private readonly recvBufferBytes: number;
  private readonly sockets: Record<Family, SharedSocket[]> = { udp4: [], udp6: [] };
  private readonly next: Record<Family, number> = { udp4: 0, udp6: 0 };
  private readonly facades = new Set<Facade>();
  private closed = false;
  readonly counters = { routed: 0, routedById: 0, dropped: 0, privateSockets: 0 };

  /** Pass as net-snmp's `dgramModule` session option. */
  readonly dgramModule: { createSocket(type: Family): SessionSocket };

  constructor(private readonly opts: UdpPoolOptions = {}) {
    this.size = Math.max(1, opts.socketsPerFamily ?? 32);
    this.recvBufferBytes = opts.recvBufferBytes ?? 4 * 1024 * 1024;
    this.dgramModule = {
      createSocket: (type: Family) => {
        const f = new Facade(this, type === 'udp6' ? 'udp6' : 'udp4');
        this.facades.add(f);
        return f;
      },
    };
  }

  /**
   * Choose a shared socket for a facade about to send to `key`: the next one in turn that carries no
   * other facade for the same remote (so answers need no fan-out), else simply the next one.
   */
  attach(f: Facade, address: string, port: number): SharedSocket {
    if (this.closed) throw new Error('UDP pool is closed');
    const list = this.sockets[f.family];
    while (list.length < this.size) list.push(new SharedSocket(this, f.family, this.recvBufferBytes));
    const start = this.next[f.family];
    let chosen = list[start % list.length]!;
    for (let i = 0; i < list.length; i++) {
      const s = list[(start + i) % list.length]!;
      if (!s.hasRoute(address, port)) { chosen = s; break; }
    }
    this.next[f.family] = (start + 1) % list.length;
    chosen.facades.add(f);
    return chosen;
  }

  forget(f: Facade): void { this.facades.delete(f); }

  /** A shared socket failed or closed under us: its facades see a close; a new socket takes its place. */
  socketFailed(s: SharedSocket, err: Error | null): void {
    if (s.closed) return;
    s.closed = true;
    if (err) this.opts.onSocketError?.(err);
    const list = this.sockets[s.family];
    const i = list.indexOf(s);
    if (i >= 0) list.splice(i, 1);
    if (err) { try { s.socket.close(); } catch { /* already closed */ } }
    for (const f of [...s.facades]) f.lostSocket();
    s.facades.clear();
    s.clearRoutes();
  }

  stats(): UdpPoolStats {
    return {
      sockets: this.sockets.udp4.length + this.sockets.udp6.length,
      facades: this.facades.size,
      privateSockets: this.counters.privateSockets,
      routed: this.counters.routed,
      routedById: this.counters.routedById,
      dropped: this.counters.dropped,
    };
  }

  /** Close every shared socket (sessions still open see a close and fail their pending requests). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const fam of ['udp4', 'udp6'] as const) {
      for (const s of [...this.sockets[fam]]) {
        s.closed = true;
        try { s.socket.close(); } catch { /* already closed */ }
        for (const f of [...s.facades]) f.lostSocket();
      }
      this.sockets[fam] = [];
    }
  }
}
