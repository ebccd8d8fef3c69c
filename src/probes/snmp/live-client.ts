/**
 * The production SnmpClient.
 *
 * - One session per site, kept between polls, remade when the site's host or access changes or its
 *   socket went away. v1/v2c: our own session (community.ts, ber.ts); v3: net-snmp's, through its
 *   public API (USM, discovery, keys, the agent's engine state).
 * - Sessions share a small pool of UDP sockets (udp-pool.ts; net-snmp takes it as its `dgramModule`
 *   option); `udp_sockets: 0` gives each session a socket of its own.
 * - At most `per_agent_concurrency` requests in flight to one host:port.
 * - Errors (net-snmp's, or shaped like them) become SnmpFailure with a reason a person can act on, never with a secret.
 */
import { isIPv6 } from 'node:net';
import { performance } from 'node:perf_hooks';
import snmp from 'net-snmp';
import type { SnmpAccess } from '../../core/types.js';
import { silentLogger, type Logger } from '../../core/logger.js';
import { Limiter } from '../../core/limiter.js';
import type { Vb } from './decode.js';
import { AGENT_ERROR, scrub, secretsOf, SnmpFailure, type SnmpClient, type SnmpSession, type SnmpTarget } from './client.js';
import { UdpPool } from './udp-pool.js';
import dgram from 'node:dgram';
import { CommunitySession, type PendingRegistry, type SessionOwner } from './community.js';

export interface LiveClientOptions {
  timeout_ms: number;
  retries: number;
  /** Concurrent requests to one agent (host:port) at most (default 4). */
  per_agent_concurrency?: number;
  /** UDP sockets per address family shared by all sessions (default 32); 0 = one socket per session. */
  udp_sockets?: number;
}

interface ErrLike { name?: string; message?: string; code?: number; status?: number }

/** Map a net-snmp error to status + a reason a person can act on. */
export function classifyError(
  err: unknown,
  ctx: { timeout_ms: number; retries: number; secrets: string[]; processingError?: string | null; version?: '1' | '2c' | '3' },
): SnmpFailure {
  if (err instanceof SnmpFailure) return err;
  const e = (err ?? {}) as ErrLike;
  const name = e.name ?? 'Error';
  const msg = scrub(String(e.message ?? err), ctx.secrets);
  if (name === 'RequestTimedOutError') {
    if (ctx.processingError) return new SnmpFailure('error', `malformed response from agent: ${scrub(ctx.processingError, ctx.secrets)}`);
    const hint = ctx.version === '3' ? 'agent down, unreachable, or wrong v3 privacy key' : 'agent down, unreachable, or wrong community';
    return new SnmpFailure('timeout', `no response within ${ctx.timeout_ms} ms × ${ctx.retries + 1} tries (${hint})`);
  }
  if (name === 'ResponseInvalidError') {
    if (e.code === snmp.ResponseInvalidCode.EAuthFailure) {
      if (/^Authentication digest/.test(String(e.message))) return new SnmpFailure('error', 'SNMPv3 authentication failed: response digest mismatch (wrong auth key?)');
      return new SnmpFailure('error', `SNMPv3 authentication failed: ${msg}`);
    }
    if (e.code === snmp.ResponseInvalidCode.ECouldNotDecrypt) return new SnmpFailure('error', 'SNMPv3 could not decrypt the response (wrong privacy key?)');
    return new SnmpFailure('error', `invalid response: ${msg}`);
  }
  if (name === 'RequestFailedError') return new SnmpFailure('error', `${AGENT_ERROR}${msg}`);
  if ((e as { code?: unknown }).code === 'ENOTFOUND' || /ENOTFOUND|EAI_AGAIN/.test(msg)) return new SnmpFailure('error', `host name did not resolve: ${msg}`);
  return new SnmpFailure('error', `${name}: ${msg}`);
}

type NetSnmpSession = ReturnType<typeof snmp.createV3Session>;

/** The requests of one site's session, whichever kind (net-snmp's errors, or shaped like them). */
interface Asker {
  get(oids: readonly string[]): Promise<Vb[]>;
  getNext(oids: readonly string[]): Promise<Vb[]>;
  getBulk(oids: readonly string[], nonRepeaters: number, reps: number): Promise<Array<Vb | Vb[]>>;
  close(): void;
}

/** An SNMPv3 site: net-snmp's session (USM, discovery, engine state), through its public API. */
class V3Asker implements Asker {
  constructor(private readonly s: NetSnmpSession) {}
  get(oids: readonly string[]): Promise<Vb[]> {
    return new Promise((resolve, reject) => this.s.get(oids as string[], (err, vbs) => (err ? reject(err) : resolve(vbs as unknown as Vb[]))));
  }
  getNext(oids: readonly string[]): Promise<Vb[]> {
    return new Promise((resolve, reject) => this.s.getNext(oids as string[], (err, vbs) => (err ? reject(err) : resolve(vbs as unknown as Vb[]))));
  }
  getBulk(oids: readonly string[], nonRepeaters: number, reps: number): Promise<Array<Vb | Vb[]>> {
    return new Promise((resolve, reject) => this.s.getBulk(oids as string[], nonRepeaters, reps, (err, r) => (err ? reject(err) : resolve(r as unknown as Array<Vb | Vb[]>))));
  }
  close(): void { this.s.close(); }
}

/** What the client keeps per site; it is also the session the probe asks through (no closures per site). */
class Entry implements SnmpSession, SessionOwner {
  asker!: Asker;
  readonly version: '1' | '2c' | '3';
  readonly agent: string;
  readonly secrets: string[];
  /** The session's socket closed under it (a shared socket failed): remade on the next poll. */
  closed = false;
  /** Last undecodable packet on this session's socket: a timeout after it is reported as a malformed answer. */
  lastProcessingError: { at: number; message: string } | null = null;

  constructor(private readonly core: Core, readonly site: string, public access: SnmpAccess, readonly host: string) {
    this.version = access.version;
    this.agent = `${host}:${access.port ?? 161}`;
    this.secrets = secretsOf(access);
  }

  get(oids: readonly string[]): Promise<Vb[]> { return this.core.request(this, () => this.asker.get(oids)); }
  getNext(oids: readonly string[]): Promise<Vb[]> { return this.core.request(this, () => this.asker.getNext(oids)); }
  getBulk(oids: readonly string[], nonRepeaters: number, reps: number): Promise<Array<Vb | Vb[]>> {
    return this.core.request(this, () => this.asker.getBulk(oids, nonRepeaters, reps));
  }

  processingError(message: string): void { this.core.processingError(this, message); }
  socketClosed(): void { if (this.core.current(this)) this.closed = true; }
}

/** What entries call back into. */
interface Core {
  request<R>(entry: Entry, send: () => Promise<R>): Promise<R>;
  processingError(entry: Entry, message: string): void;
  current(entry: Entry): boolean;
}

export function createLiveClient(opts: LiveClientOptions, deps: { logger?: Logger } = {}): SnmpClient {
  const log = (deps.logger ?? silentLogger()).child({ component: 'probe.snmp' });
  const perAgent = Math.max(1, opts.per_agent_concurrency ?? 4);
  const pool = (opts.udp_sockets ?? 32) > 0
    ? new UdpPool({ socketsPerFamily: opts.udp_sockets ?? 32, onSocketError: (err) => log.warn({ err: err.message }, 'snmp shared socket failed; replaced') })
    : null;
  const entries = new Map<string, Entry>();
  const agents = new Map<string, Limiter>();
  const pending: PendingRegistry = new Map();
  /** One Buffer per distinct community (sites share them). */
  const communities = new Map<string, Buffer>();
  const timing = { timeout_ms: opts.timeout_ms, retries: opts.retries };
  let sessionsMade = 0;
  let closed = false;

  /** An agent's limiter lives while requests to it run or wait (not one per site for the whole run). */
  function limiterFor(agent: string): Limiter {
    let s = agents.get(agent);
    if (!s) { s = new Limiter(perAgent); agents.set(agent, s); }
    return s;
  }

  const core: Core = {
    request<R>(entry: Entry, send: () => Promise<R>): Promise<R> {
      const limiter = limiterFor(entry.agent);
      const run = limiter.run(async () => {
        const startedAt = performance.now();
        try {
          return await send();
        } catch (err) {
          const pe = entry.lastProcessingError && entry.lastProcessingError.at >= startedAt ? entry.lastProcessingError.message : null;
          throw classifyError(err, { timeout_ms: opts.timeout_ms, retries: opts.retries, secrets: entry.secrets, processingError: pe, version: entry.version });
        }
      });
      const drop = () => { if (limiter.idle && agents.get(entry.agent) === limiter) agents.delete(entry.agent); };
      run.then(drop, drop);
      return run;
    },
    processingError(entry, message) {
      entry.lastProcessingError = { at: performance.now(), message };
      log.debug({ site: entry.site, err: scrub(message, entry.secrets) }, 'snmp session error');
    },
    current: (entry) => entries.get(entry.site) === entry,
  };

  function entryFor(t: SnmpTarget): Entry {
    const existing = entries.get(t.site);
    if (existing && !existing.closed && existing.host === t.host
      && (existing.access === t.access || JSON.stringify(existing.access) === JSON.stringify(t.access))) {
      existing.access = t.access;
      return existing;
    }
    if (existing && !existing.closed) { try { existing.asker.close(); } catch { /* already closed */ } }
    const entry = new Entry(core, t.site, t.access, t.host);
    entry.asker = entry.version === '3' ? openV3(entry) : openCommunity(entry);
    sessionsMade++;
    entries.set(t.site, entry);
    return entry;
  }

  function openCommunity(entry: Entry): Asker {
    const access = entry.access as Extract<SnmpAccess, { community: string }>;
    const family = isIPv6(entry.host) ? 'udp6' : 'udp4';
    const socket = pool ? pool.dgramModule.createSocket(family) : dgram.createSocket(family).unref();
    let community = communities.get(access.community);
    if (!community) { community = Buffer.from(access.community, 'utf8'); communities.set(access.community, community); }
    return new CommunitySession({ host: entry.host, port: access.port ?? 161, version: access.version as '1' | '2c', community }, timing, socket, pending, entry);
  }

  function openV3(entry: Entry): Asker {
    const access = entry.access as Extract<SnmpAccess, { version: '3' }>;
    const level = access.priv ? snmp.SecurityLevel.authPriv : access.auth ? snmp.SecurityLevel.authNoPriv : snmp.SecurityLevel.noAuthNoPriv;
    const user: Record<string, unknown> = { name: access.user, level };
    if (access.auth) { user.authProtocol = snmp.AuthProtocols[access.auth.protocol as keyof typeof snmp.AuthProtocols]; user.authKey = access.auth.key; }
    if (access.priv) { user.privProtocol = snmp.PrivProtocols[access.priv.protocol as keyof typeof snmp.PrivProtocols]; user.privKey = access.priv.key; }
    const session: NetSnmpSession = snmp.createV3Session(entry.host, user as unknown as snmp.User, {
      port: access.port ?? 161, timeout: opts.timeout_ms, retries: opts.retries, transport: isIPv6(entry.host) ? 'udp6' : 'udp4', backoff: 1,
      version: snmp.Version3, ...(pool ? { dgramModule: pool.dgramModule } : {}),
    } as unknown as snmp.SessionOptionsV3);
    // an emitter error never escapes: kept for the site (an undecodable answer shows up as a timeout later)
    session.on('error', (err: unknown) => entry.processingError(String((err as ErrLike)?.message ?? err)));
    session.on('close', () => entry.socketClosed());
    return new V3Asker(session);
  }

  return {
    open(target) {
      if (closed) throw new SnmpFailure('error', 'SNMP probe is closed');
      return entryFor(target);
    },
    close() {
      closed = true;
      for (const e of entries.values()) { if (!e.closed) { try { e.asker.close(); } catch { /* already closed */ } } }
      entries.clear();
      pool?.close();
    },
    stats() {
      let open = 0;
      for (const e of entries.values()) if (!e.closed) open++;
      return { sessions: entries.size, open_sessions: open, sessions_made: sessionsMade, ...(pool ? { pool: pool.stats() } : {}) };
    },
  };
}
