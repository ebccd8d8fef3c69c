/**
 * The production SnmpClient: net-snmp sessions through its public API.
 *
 * - One session per site, kept between polls (v3: the agent's engine ID, boots and time learnt by
 *   discovery), remade when the site's host or access changes or its socket went away.
 * - Sessions share a small pool of UDP sockets (udp-pool.ts, given as net-snmp's `dgramModule`
 *   option); `udp_sockets: 0` gives each session a socket of its own, as net-snmp would.
 * - At most `per_agent_concurrency` requests in flight to one host:port.
 * - net-snmp's errors become SnmpFailure with a reason a person can act on, never with a secret.
 */
import { isIPv6 } from 'node:net';
import { performance } from 'node:perf_hooks';
import snmp from 'net-snmp';
import type { SnmpAccess } from '../../core/types.js';
import { silentLogger, type Logger } from '../../core/logger.js';
import type { Vb } from './decode.js';
import { AGENT_ERROR, scrub, secretsOf, SnmpFailure, type SnmpClient, type SnmpSession, type SnmpTarget } from './client.js';
import { UdpPool } from './udp-pool.js';

export interface NetSnmpClientOptions {
  timeout_ms: number;
  retries: number;
  /** Concurrent requests to one agent (host:port) at most (default 4). */
  per_agent_concurrency?: number;
  /** UDP sockets per address family shared by all sessions (default 32); 0 = one socket per session. */
  udp_sockets?: number;
}

/** Counting semaphore; a released slot is handed straight to the next waiter (the cap is never exceeded). */
export class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private readonly limit: number) {}
  get inUse(): number { return this.active; }
  /** Nothing running and nobody waiting. */
  get idle(): boolean { return this.active === 0 && this.waiting.length === 0; }
  async run<R>(fn: () => Promise<R>): Promise<R> {
    if (this.active < this.limit) this.active++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
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

/** The local engine ID of v1/v2c sessions (net-snmp's format, enterprise 0x00B983): one shared Buffer, no random one each. */
const COMMUNITY_ENGINE_ID = Buffer.from(`8000b98380${'00'.repeat(12)}`, 'hex');

type NetSnmpSession = ReturnType<typeof snmp.createSession>;

interface Entry {
  site: string;
  access: SnmpAccess;
  host: string;
  session: NetSnmpSession;
  version: '1' | '2c' | '3';
  agent: string;
  secrets: string[];
  /** The session's socket closed under it (a shared socket failed): remade on the next poll. */
  closed: boolean;
  /** Last undecodable packet on this session's socket: a timeout after it is reported as a malformed answer. */
  lastProcessingError: { at: number; message: string } | null;
  /** What open() hands out for this entry (made once). */
  handle: SnmpSession | null;
}

export function createNetSnmpClient(opts: NetSnmpClientOptions, deps: { logger?: Logger } = {}): SnmpClient {
  const log = (deps.logger ?? silentLogger()).child({ component: 'probe.snmp' });
  const perAgent = Math.max(1, opts.per_agent_concurrency ?? 4);
  const pool = (opts.udp_sockets ?? 32) > 0
    ? new UdpPool({ socketsPerFamily: opts.udp_sockets ?? 32, onSocketError: (err) => log.warn({ err: err.message }, 'snmp shared socket failed; replaced') })
    : null;
  const entries = new Map<string, Entry>();
  const agents = new Map<string, Semaphore>();
  let sessionsMade = 0;
  let closed = false;

  function entryFor(t: SnmpTarget): Entry {
    const existing = entries.get(t.site);
    if (existing && !existing.closed && existing.host === t.host
      && (existing.access === t.access || JSON.stringify(existing.access) === JSON.stringify(t.access))) {
      existing.access = t.access;
      return existing;
    }
    if (existing && !existing.closed) { try { existing.session.close(); } catch { /* already closed */ } }
    const entry: Entry = {
      site: t.site, access: t.access, host: t.host, session: null as unknown as NetSnmpSession, version: t.access.version,
      agent: `${t.host}:${t.access.port ?? 161}`, secrets: secretsOf(t.access), closed: false, lastProcessingError: null, handle: null,
    };
    entry.session = openSession(entry);
    entries.set(t.site, entry);
    return entry;
  }

  function openSession(entry: Entry): NetSnmpSession {
    const access = entry.access;
    const common = {
      port: access.port ?? 161, timeout: opts.timeout_ms, retries: opts.retries, transport: isIPv6(entry.host) ? 'udp6' : 'udp4', backoff: 1,
      ...(pool ? { dgramModule: pool.dgramModule } : {}),
    };
    let session: NetSnmpSession;
    if (access.version === '3') {
      const level = access.priv ? snmp.SecurityLevel.authPriv : access.auth ? snmp.SecurityLevel.authNoPriv : snmp.SecurityLevel.noAuthNoPriv;
      const user: Record<string, unknown> = { name: access.user, level };
      if (access.auth) { user.authProtocol = snmp.AuthProtocols[access.auth.protocol as keyof typeof snmp.AuthProtocols]; user.authKey = access.auth.key; }
      if (access.priv) { user.privProtocol = snmp.PrivProtocols[access.priv.protocol as keyof typeof snmp.PrivProtocols]; user.privKey = access.priv.key; }
      session = snmp.createV3Session(entry.host, user as unknown as snmp.User, { ...common, version: snmp.Version3 } as unknown as snmp.SessionOptionsV3);
    } else {
      session = snmp.createSession(entry.host, access.community, {
        ...common, version: access.version === '1' ? snmp.Version1 : snmp.Version2c, engineID: COMMUNITY_ENGINE_ID,
      } as unknown as snmp.SessionOptions);
    }
    sessionsMade++;
    // an emitter error never escapes: kept for the site (an undecodable answer shows up as a timeout later)
    session.on('error', (err: unknown) => {
      entry.lastProcessingError = { at: performance.now(), message: String((err as ErrLike)?.message ?? err) };
      log.debug({ site: entry.site, err: scrub(entry.lastProcessingError.message, entry.secrets) }, 'snmp session error');
    });
    session.on('close', () => { if (entry.session === session) entry.closed = true; });
    return session;
  }

  /** An agent's limiter lives while requests to it run or wait (not one per site for the whole run). */
  function limiterFor(agent: string): Semaphore {
    let s = agents.get(agent);
    if (!s) { s = new Semaphore(perAgent); agents.set(agent, s); }
    return s;
  }

  function request<R>(entry: Entry, fn: (s: NetSnmpSession, cb: (err: unknown, r?: R) => void) => void): Promise<R> {
    const limiter = limiterFor(entry.agent);
    const run = limiter.run(() => new Promise<R>((resolve, reject) => {
      const startedAt = performance.now();
      const done = (err: unknown, r?: R) => {
        if (!err) { resolve(r as R); return; }
        const pe = entry.lastProcessingError && entry.lastProcessingError.at >= startedAt ? entry.lastProcessingError.message : null;
        reject(classifyError(err, { timeout_ms: opts.timeout_ms, retries: opts.retries, secrets: entry.secrets, processingError: pe, version: entry.version }));
      };
      try { fn(entry.session, done); } catch (err) { done(err); }
    }));
    const drop = () => { if (limiter.idle && agents.get(entry.agent) === limiter) agents.delete(entry.agent); };
    run.then(drop, drop);
    return run;
  }

  return {
    open(target) {
      if (closed) throw new SnmpFailure('error', 'SNMP probe is closed');
      const entry = entryFor(target);
      return (entry.handle ??= {
        version: entry.version,
        get: (oids) => request<Vb[]>(entry, (s, cb) => s.get(oids as string[], (err, vbs) => cb(err, vbs as unknown as Vb[]))),
        getNext: (oids) => request<Vb[]>(entry, (s, cb) => s.getNext(oids as string[], (err, vbs) => cb(err, vbs as unknown as Vb[]))),
        getBulk: (oids, nonRepeaters, reps) => request<Array<Vb | Vb[]>>(entry, (s, cb) =>
          s.getBulk(oids as string[], nonRepeaters, reps, (err, r) => cb(err, r as unknown as Array<Vb | Vb[]>))),
      });
    },
    close() {
      closed = true;
      for (const e of entries.values()) { if (!e.closed) { try { e.session.close(); } catch { /* already closed */ } } }
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
