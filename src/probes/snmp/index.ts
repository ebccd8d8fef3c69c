/**
 * SNMP probe (net-snmp): system group and IF-MIB interfaces, v1/v2c/v3.
 *
 * - One net-snmp session per site, reused across polls (keyed by site id + access), closed in close().
 * - system: one GET of sysDescr/sysObjectID/sysUpTime/sysName. It is also read on interface polls,
 *   because rates need sysUpTime to see reboots.
 * - interfaces: all IF-MIB columns walked together with GETBULK (v2c/v3; one request carries every
 *   unfinished column) or GETNEXT (v1, 32-bit counters only).
 * - At most `per_agent_concurrency` requests in flight to one agent (host:port).
 * - Never throws: timeouts → 'timeout'; wrong v3 key (agent's Wrong Digest report), wrong types,
 *   noSuchObject for sysUpTime, malformed responses → 'error'. Reasons never contain secrets.
 */
import { isIPv6 } from 'node:net';
import { performance } from 'node:perf_hooks';
import snmp from 'net-snmp';
import type { Site, SnmpResult, SnmpAccess, ProbeStatus } from '../../core/types.js';
import { systemClock, type Clock } from '../../core/clock.js';
import { silentLogger, type Logger } from '../../core/logger.js';
import { IF_NUMBER, IF_TABLE, IF_X_TABLE, SYSTEM, VENDOR, type IfColumn } from './oids.js';
import { decodeInterfaces, decodeSystem, isExceptionType, T, type ColumnRows, type Vb } from './decode.js';

export interface SnmpProbeOptions {
  timeout_ms: number;
  retries: number;
  max_repetitions: number;
  /** Concurrent requests to one agent (host:port) at most (default 4). */
  per_agent_concurrency?: number;
  /** Safety bound on requests for one walk (default 200). */
  max_walk_requests?: number;
  /**
   * Varbinds asked for in one GETBULK at most (columns × repetitions): keeps answers near
   * one MTU, so they are not IP-fragmented on 3G/4G links (a lost fragment loses the whole answer).
   * Default 56 (about 1.1 KB of IF-MIB).
   */
  max_varbinds_per_request?: number;
  /**
   * Time budget for one poll (ms). No new request starts once it is spent; the poll ends 'timeout'.
   * Default: none (each request is bounded by timeout_ms × (retries+1), a walk by max_walk_requests).
   */
  deadline_ms?: number;
}

export interface SnmpPollWhat { system: boolean; interfaces: boolean }

export interface SnmpProbe {
  poll(site: Site, what: SnmpPollWhat): Promise<SnmpResult>;
  close(): void;
}

/** A failure we turn into a result. `status` decides timeout vs error. */
export class SnmpFailure extends Error {
  override name = 'SnmpFailure';
  constructor(readonly status: ProbeStatus, message: string) { super(message); }
}

/** Counting semaphore; a released slot is handed straight to the next waiter (the cap is never exceeded). */
export class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private readonly limit: number) {}
  get inUse(): number { return this.active; }
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

type NetSnmpSession = ReturnType<typeof snmp.createSession>;

interface SessionEntry {
  key: string;
  session: NetSnmpSession;
  version: '1' | '2c' | '3';
  agent: string;
  /** Last ProcessingError (undecodable packet) seen on this session's socket. */
  lastProcessingError: { at: number; message: string } | null;
  /** Rows seen in the last walk of each table: the next walk asks for just one more (fewer overrun varbinds). */
  lastRows: Map<string, number>;
  secrets: string[];
}

function secretsOf(a: SnmpAccess): string[] {
  if (a.version === '3') return [a.auth?.key, a.priv?.key].filter((s): s is string => !!s);
  return [a.community];
}

/** Remove secrets and long hex digests from a message before it goes into a reason. */
export function scrub(message: string, secrets: string[]): string {
  let m = message;
  for (const s of secrets) if (s) m = m.split(s).join('[redacted]');
  return m.replace(/\b[0-9a-f]{16,}\b/gi, '[hex]').slice(0, 300);
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
  if (name === 'RequestFailedError') return new SnmpFailure('error', `agent returned error: ${msg}`);
  if ((e as { code?: unknown }).code === 'ENOTFOUND' || /ENOTFOUND|EAI_AGAIN/.test(msg)) return new SnmpFailure('error', `host name did not resolve: ${msg}`);
  return new SnmpFailure('error', `${name}: ${msg}`);
}

const subtreeOf = (base: string, oid: string) => oid.startsWith(`${base}.`);

/** Compare dotted OIDs numerically. */
export function compareOids(a: string, b: string): number {
  const x = a.split('.'), y = b.split('.');
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = Number(x[i]) - Number(y[i]);
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

export function createSnmpProbe(opts: SnmpProbeOptions, deps: { clock?: Clock; logger?: Logger } = {}): SnmpProbe {
  const clock = deps.clock ?? systemClock;
  const log = (deps.logger ?? silentLogger()).child({ component: 'probe.snmp' });
  const perAgent = Math.max(1, opts.per_agent_concurrency ?? 4);
  const maxWalkRequests = opts.max_walk_requests ?? 200;
  const varbindBudget = Math.max(1, opts.max_varbinds_per_request ?? 56);
  const sessions = new Map<string, SessionEntry>();
  const agents = new Map<string, Semaphore>();
  const lastOutcome = new Map<string, string>();
  let closed = false;

  function agentLimiter(agent: string): Semaphore {
    let s = agents.get(agent);
    if (!s) { s = new Semaphore(perAgent); agents.set(agent, s); }
    return s;
  }

  function sessionFor(site: Site, access: SnmpAccess): SessionEntry {
    const port = access.port ?? 161;
    const key = `${site.host}|${port}|${JSON.stringify(access)}`;
    const existing = sessions.get(site.id);
    if (existing && existing.key === key) return existing;
    if (existing) { try { existing.session.close(); } catch { /* already closed */ } }
    const common = {
      port,
      timeout: opts.timeout_ms,
      retries: opts.retries,
      transport: isIPv6(site.host) ? ('udp6' as const) : ('udp4' as const),
      backoff: 1,
    };
    let session: NetSnmpSession;
    if (access.version === '3') {
      const level = access.priv ? snmp.SecurityLevel.authPriv : access.auth ? snmp.SecurityLevel.authNoPriv : snmp.SecurityLevel.noAuthNoPriv;
      const user: snmp.User = { name: access.user, level } as snmp.User;
      if (access.auth) {
        (user as unknown as Record<string, unknown>).authProtocol = snmp.AuthProtocols[access.auth.protocol as keyof typeof snmp.AuthProtocols];
        (user as unknown as Record<string, unknown>).authKey = access.auth.key;
      }
      if (access.priv) {
        (user as unknown as Record<string, unknown>).privProtocol = snmp.PrivProtocols[access.priv.protocol as keyof typeof snmp.PrivProtocols];
        (user as unknown as Record<string, unknown>).privKey = access.priv.key;
      }
      session = snmp.createV3Session(site.host, user, { ...common, version: snmp.Version3 } as unknown as snmp.SessionOptionsV3);
    } else {
      session = snmp.createSession(site.host, access.community, {
        ...common,
        version: access.version === '1' ? snmp.Version1 : snmp.Version2c,
      } as snmp.SessionOptions);
    }
    const entry: SessionEntry = {
      key, session, version: access.version, agent: `${site.host}:${port}`, lastProcessingError: null, secrets: secretsOf(access), lastRows: new Map(),
    };
    // Never let an emitter error escape: remember it (an undecodable response shows up as a timeout later).
    session.on('error', (err: unknown) => {
      entry.lastProcessingError = { at: performance.now(), message: String((err as ErrLike)?.message ?? err) };
      log.debug({ site: site.id, err: scrub(entry.lastProcessingError.message, entry.secrets) }, 'snmp session error');
    });
    sessions.set(site.id, entry);
    return entry;
  }

  function request<R>(entry: SessionEntry, fn: (cb: (err: unknown, r?: R) => void) => void): Promise<R> {
    return agentLimiter(entry.agent).run(
      () =>
        new Promise<R>((resolve, reject) => {
          const startedAt = performance.now();
          const done = (err: unknown, r?: R) => {
            if (err) {
              const pe = entry.lastProcessingError && entry.lastProcessingError.at >= startedAt ? entry.lastProcessingError.message : null;
              reject(classifyError(err, { timeout_ms: opts.timeout_ms, retries: opts.retries, secrets: entry.secrets, processingError: pe, version: entry.version }));
            } else resolve(r as R);
          };
          try {
            fn(done);
          } catch (err) {
            done(err);
          }
        }),
    );
  }

  const get = (entry: SessionEntry, oids: string[]) =>
    request<Vb[]>(entry, (cb) => entry.session.get(oids, (err, vbs) => cb(err, vbs as unknown as Vb[])));

  /** Walk several table columns at once. Returns rows per column base OID. */
  async function walkColumns(entry: SessionEntry, bases: string[], repetitions: number, deadline: number): Promise<Map<string, Vb[]>> {
    const state = bases.map((base) => ({ base, next: base, done: false, rows: [] as Vb[] }));
    const v1 = entry.version === '1';
    let requests = 0;
    let reps = Math.max(1, repetitions);
    while (state.some((s) => !s.done)) {
      if (++requests > maxWalkRequests) throw new SnmpFailure('error', `walk stopped after ${maxWalkRequests} requests (table too large or agent loops)`);
      checkDeadline(deadline);
      const active = state.filter((s) => !s.done);
      let perColumn: Vb[][];
      if (v1) {
        try {
          const vbs = await request<Vb[]>(entry, (cb) => entry.session.getNext(active.map((s) => s.next), (err, r) => cb(err, r as unknown as Vb[])));
          perColumn = active.map((_, j) => (vbs[j] ? [vbs[j]!] : []));
        } catch (err) {
          // v1 signals the end of the MIB with noSuchName on the offending varbind.
          if (err instanceof SnmpFailure && /NoSuchName/.test(err.message)) {
            const oid = /NoSuchName: ([0-9.]+)/.exec(err.message)?.[1];
            const hit = active.find((s) => s.next === oid);
            if (hit) hit.done = true;
            else for (const s of active) s.done = true;
            continue;
          }
          throw err;
        }
      } else {
        try {
          const vbs = await request<Vb[][]>(entry, (cb) =>
            entry.session.getBulk(active.map((s) => s.next), 0, reps, (err, r) => cb(err, r as unknown as Vb[][])),
          );
          perColumn = active.map((_, j) => vbs[j] ?? []);
        } catch (err) {
          if (err instanceof SnmpFailure && /TooBig/.test(err.message) && reps > 1) { reps = Math.max(1, Math.floor(reps / 2)); continue; }
          throw err;
        }
      }
      let progressed = false;
      active.forEach((s, j) => {
        for (const vb of perColumn[j]!) {
          if (vb.type === T.EndOfMibView || !subtreeOf(s.base, vb.oid)) { s.done = true; break; }
          if (compareOids(vb.oid, s.next) <= 0) throw new SnmpFailure('error', `agent returned OIDs out of order (${vb.oid} after ${s.next})`);
          s.rows.push(vb);
          s.next = vb.oid;
          progressed = true;
        }
      });
      if (!progressed && state.some((s) => !s.done)) {
        // Every active column gave nothing usable (truncated response): stop rather than loop.
        if (active.every((_, j) => perColumn[j]!.length === 0)) throw new SnmpFailure('error', 'agent returned an empty response to a walk');
      }
    }
    return new Map(state.map((s) => [s.base, s.rows]));
  }

  /**
   * Walk the columns of one table. Repetitions = rows seen last time + 1 (one request finishes a column),
   * columns grouped so that columns × repetitions stays within the varbind budget; groups run in parallel
   * (still capped per agent).
   */
  function checkDeadline(deadline: number): void {
    if (performance.now() > deadline) throw new SnmpFailure('timeout', `poll took longer than its ${opts.deadline_ms} ms budget`);
  }

  async function walkTable(entry: SessionEntry, table: string, bases: string[], deadline: number, rowsHint?: number): Promise<Map<string, Vb[]>> {
    const known = entry.lastRows.get(table) ?? rowsHint;
    const reps = Math.max(1, Math.min(opts.max_repetitions, varbindBudget, known !== undefined ? known + 1 : opts.max_repetitions));
    // GETNEXT (v1) returns one row per column whatever the repetitions: one group.
    const perRequest = entry.version === '1' ? bases.length : Math.max(1, Math.floor(varbindBudget / reps));
    const groups: string[][] = [];
    for (let i = 0; i < bases.length; i += perRequest) groups.push(bases.slice(i, i + perRequest));
    const parts = await Promise.all(groups.map((g) => walkColumns(entry, g, reps, deadline)));
    const all = new Map<string, Vb[]>();
    for (const part of parts) for (const [k, v] of part) all.set(k, v);
    entry.lastRows.set(table, Math.max(0, ...[...all.values()].map((r) => r.length)));
    return all;
  }

  async function wirelessClients(entry: SessionEntry, site: Site, deadline: number): Promise<number | undefined> {
    try {
      const sumColumn = async (oid: string) => {
        const rows = (await walkTable(entry, oid, [oid], deadline)).get(oid) ?? [];
        const nums = rows.filter((r) => r.type === T.Gauge32 || r.type === T.Integer || r.type === T.Counter32).map((r) => r.value as number);
        return nums.length ? nums.reduce((a, b) => a + b, 0) : undefined;
      };
      if (site.vendor === 'mikrotik') {
        const [vb] = await get(entry, [VENDOR.mikrotik_wireless_clients]).catch(() => [] as Vb[]);
        if (vb && !isExceptionType(vb.type) && typeof vb.value === 'number') return vb.value;
        return await sumColumn(VENDOR.mikrotik_ap_client_count);
      }
      if (site.vendor === 'ubiquiti') return await sumColumn(VENDOR.ubiquiti_sta_count);
    } catch {
      // Vendor extras are best effort: the main result stands.
    }
    return undefined;
  }

  async function pollInner(site: Site, access: SnmpAccess, what: SnmpPollWhat, result: SnmpResult, deadline: number): Promise<void> {
    const entry = sessionFor(site, access);
    const problems: string[] = [];
    const wantSystem = what.system || what.interfaces;
    let ifNumber: number | undefined;
    if (wantSystem) {
      // v2c/v3: ifNumber.0 rides along to size the first walk (v1 would fail the whole GET if it were missing).
      const withIfNumber = what.interfaces && entry.version !== '1' && !entry.lastRows.has('if');
      const oids = [SYSTEM.sysDescr, SYSTEM.sysObjectID, SYSTEM.sysUpTime, SYSTEM.sysName, ...(withIfNumber ? [IF_NUMBER] : [])];
      const vbs = await get(entry, oids);
      const sys = decodeSystem(vbs);
      problems.push(...sys.problems);
      if (sys.value) result.system = sys.value;
      const n = vbs.find((v) => v.oid === IF_NUMBER);
      if (n && n.type === T.Integer && typeof n.value === 'number' && n.value >= 0 && n.value < 100_000) ifNumber = n.value;
    }
    // The walk starts only once the agent has answered the GET: a dead agent costs one timeout, not two.
    if (what.interfaces) {
      const bases: string[] = [...Object.values(IF_TABLE), IF_X_TABLE.ifName, IF_X_TABLE.ifHighSpeed];
      if (entry.version !== '1') bases.push(IF_X_TABLE.ifHCInOctets, IF_X_TABLE.ifHCOutOctets);
      checkDeadline(deadline);
      const rows = await walkTable(entry, 'if', bases, deadline, ifNumber);
      const cols: ColumnRows = {};
      for (const [name, oid] of Object.entries({ ...IF_TABLE, ...IF_X_TABLE }) as Array<[IfColumn, string]>) {
        const r = rows.get(oid);
        if (r) cols[name] = r;
      }
      const ifs = decodeInterfaces(cols, entry.version !== '1');
      problems.push(...ifs.problems);
      result.interfaces = ifs.value;
    }
    if (site.vendor === 'mikrotik' || site.vendor === 'ubiquiti') {
      const wc = performance.now() > deadline ? undefined : await wirelessClients(entry, site, deadline);
      if (wc !== undefined) result.wireless_clients = wc;
    }
    if (problems.length) {
      result.status = 'error';
      result.reason = problems.length > 3 ? `${problems.slice(0, 3).join('; ')}; and ${problems.length - 3} more` : problems.join('; ');
    }
  }

  return {
    async poll(site, what) {
      const ts = clock.now();
      const t0 = performance.now();
      const result: SnmpResult = { site: site.id, ts, duration_ms: 0, status: 'ok' };
      try {
        if (closed) throw new SnmpFailure('error', 'SNMP probe is closed');
        if (site.snmp === false) throw new SnmpFailure('error', 'site has no SNMP access configured');
        await pollInner(site, site.snmp, what, result, opts.deadline_ms !== undefined ? t0 + opts.deadline_ms : Infinity);
      } catch (err) {
        const f = classifyError(err, {
          timeout_ms: opts.timeout_ms, retries: opts.retries, secrets: site.snmp === false ? [] : secretsOf(site.snmp),
        });
        result.status = f.status;
        result.reason = f.message;
      }
      result.duration_ms = Math.round((performance.now() - t0) * 10) / 10;
      const outcome = `${result.status}|${result.reason ?? ''}`;
      if (lastOutcome.get(site.id) !== outcome) {
        lastOutcome.set(site.id, outcome);
        const level = result.status === 'ok' ? 'info' : 'warn';
        log[level]({ site: site.id, status: result.status, reason: result.reason, duration_ms: result.duration_ms }, 'snmp status changed');
      }
      return result;
    },
    close() {
      closed = true;
      for (const e of sessions.values()) {
        try { e.session.close(); } catch { /* already closed */ }
      }
      sessions.clear();
    },
  };
}
