/**
 * SNMP probe (net-snmp): system group and IF-MIB interfaces, v1/v2c/v3.
 *
 * - One net-snmp session per site and poll. Sessions do not own sockets: they share a small pool of
 *   UDP sockets (udp-pool.ts; answers are routed by the agent's address:port), so one process can
 *   poll tens of thousands of agents. A v1/v2c session holds nothing a later poll needs (what the
 *   poller learnt about the site is in its SessionEntry): it serves a poll, and once no poll of the
 *   site is in flight it goes to an idle list and is re-targeted (host, port, community, version)
 *   for the next poll of any site, so a fleet keeps about as many sessions as polls run at once
 *   (~1.5 KB less held per site between polls than a session per site, and no Session, engine,
 *   bound handlers and facade made per poll: ~5 % of the poller's CPU). A v3 session (the agent's
 *   engine ID, boots and time, learnt by discovery) and any session with a socket of its own
 *   (`udp_sockets: 0`) are kept for their site until close().
 * - Interfaces, first poll (and every `full_walk_every`-th, and after the table changed): every IF-MIB
 *   column walked to its end. v2c/v3: the first request is one GETBULK carrying the system scalars and
 *   ifNumber.0 as non-repeaters (sysUpTime is how reboots are seen) and the first rows of all columns;
 *   the rest is walked in GETBULKs sized by ifNumber. v1: a GET of the system group and ifNumber.0,
 *   then GETNEXT (32-bit counters only). Agents that answer such a GETBULK with an error get GET + walk.
 * - Interfaces, steady state (after a full walk that saw every column's end, while ifNumber.0 stays
 *   the same): v2c/v3 ONE GETBULK, sysUpTime.0 and ifNumber.0 as non-repeaters, as many repetitions
 *   per column as the full walk found rows, no 32-bit octet columns when every row had HC counters
 *   (a row without them reads them at once), and no name columns (ifDescr, ifName) or system strings
 *   (sysDescr, sysObjectID, sysName): those come from the last full walk, and a reboot, a changed
 *   ifNumber.0 or the next full walk (`full_walk_every`) reads them afresh. Bigger tables: the columns that do not fit go
 *   in parallel GETBULKs. v1: the GET, then one GETNEXT per row (none just to see the ends).
 *   When ifNumber.0 changes the columns are walked to their ends at once, and that size is used next.
 * - system only: one GET of sysDescr/sysObjectID/sysUpTime/sysName.
 * - At most `per_agent_concurrency` requests in flight to one agent (host:port).
 * - Never throws: timeouts → 'timeout'; wrong v3 key (agent's Wrong Digest report), wrong types,
 *   noSuchObject for sysUpTime, malformed responses → 'error'. Reasons never contain secrets.
 *   OIDs out of order (a table changing while it is walked, or snmpd 5.9 mixing up a multi-column
 *   GETBULK through a view) keep the rows read so far and the column is walked again on its own:
 *   'ok' when no row is missing, else 'error' naming the column and the missing rows.
 */
import { isIPv6 } from 'node:net';
import { performance } from 'node:perf_hooks';
import snmp from 'net-snmp';
import { decodeMikrotikLte, MTXR_LTE_ENTRY } from './vendor-lte.js';
import { isPolled, type PolledSite, type Site, type SnmpResult, type SnmpAccess, type ProbeStatus } from '../../core/types.js';
import { systemClock, type Clock } from '../../core/clock.js';
import { silentLogger, type Logger } from '../../core/logger.js';
import { IF_NUMBER, IF_TABLE, IF_X_TABLE, SYSTEM, VENDOR, type IfColumn } from './oids.js';
import { decodeInterfaces, decodeSystem, isExceptionType, T, text, type ColumnRows, type Vb } from './decode.js';
import { absorb, columnWalk, cutProblems, type ColumnWalk } from './walk.js';
import { routeAddress, UdpPool, type UdpPoolStats } from './udp-pool.js';
import { installOidCache } from './oid-codec.js';

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
  /**
   * UDP sockets per address family shared by all sessions (default 32). 0 = one socket per session
   * (net-snmp's own behaviour: one ephemeral port and file descriptor per site).
   */
  udp_sockets?: number;
  /**
   * Every n-th interface poll of a site walks the whole table (default 10): re-checks that ifNumber
   * matches the table and whether the 32-bit octet columns are needed. The polls between take one GETBULK.
   */
  full_walk_every?: number;
}

export interface SnmpProbeStats {
  /** Sites with a session entry (what the probe learnt about each: table plan, quirks). */
  sessions: number;
  /** net-snmp sessions open now: v3 and private-socket ones, and per-poll ones of polls in flight. */
  open_sessions: number;
  /** v1/v2c sessions between polls, kept to be re-targeted for the next poll of any site (bounded). */
  idle_sessions: number;
  /** net-snmp sessions made so far (the rest of the polls re-targeted an idle one). */
  sessions_made: number;
  pool?: UdpPoolStats;
}

export interface SnmpPollWhat { system: boolean; interfaces: boolean }

export interface SnmpProbe {
  poll(site: Site, what: SnmpPollWhat): Promise<SnmpResult>;
  close(): void;
  /** Sessions and shared sockets (for the bench and `probe --debug`). */
  stats?(): SnmpProbeStats;
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

type NetSnmpSession = ReturnType<typeof snmp.createSession>;
/** The Session fields a request reads its target from (net-snmp 3.x): what re-targeting sets. */
interface RetargetableSession { target: string; port: number; community: string; version: number; reqs: Record<string, unknown> }

/**
 * Idle per-poll sessions kept per address family: about the polls in flight at once (the poller's
 * concurrency, 200 by default); past it a session is dropped as before.
 */
const MAX_IDLE_SESSIONS = 512;

/** A request of this session is still registered (answer or timeout not yet in). */
function hasRequests(s: NetSnmpSession): boolean {
  for (const _ in (s as unknown as RetargetableSession).reqs) return true;
  return false;
}

/** What the last full walk taught about a site's interface table (see pollInterfaces). */
interface IfPlan {
  /** ifNumber.0 at the last full walk (-1: unknown): while it stays the same, the table is taken to be unchanged. */
  ifNumber: number;
  /** The last full walk saw the end of every column (no cut): steady polls may stop at `rows` rows. */
  stable: boolean;
  /** Every row had HC counters: steady polls skip ifInOctets/ifOutOctets. */
  hc: boolean;
  /** Columns that had rows in the last full walk (an agent without ifXTable: none of its columns); a shared list. */
  present: readonly string[];
  /** What a steady poll asks for: the present columns, without the 32-bit octets when `hc`. */
  columns: readonly string[];
  /** sysUpTime at the last poll: when it goes back (a reboot, maybe a new firmware) the next poll is a full walk. */
  uptime: number;
  /** Polls since the last full walk. */
  sinceFull: number;
  /** Most rows any column had in the last full walk: the size of the steady polls. */
  rows: number;
  /**
   * The static columns (ifDescr, ifName) and system strings (sysDescr, sysObjectID, sysName) read by
   * the last full walk: steady polls do not ask for them again (a fifth of the varbinds, most of the
   * bytes). A reboot, a changed ifNumber.0 or the next full walk reads them afresh.
   */
  names: CachedNames;
  system: { sys_name: string; sys_descr: string; sys_object_id: string } | null;
}

/**
 * Name columns kept between full walks, compact (50,000 sites keep one each): per column a flat
 * [ifIndex, type, value, …] list; the varbinds are rebuilt for each steady poll.
 */
type CachedNames = Array<{ base: string; name: IfColumn; cells: unknown[] }>;

interface SessionEntry {
  /** The site's id (logs). */
  site: string;
  /** The access object and host the session was made for (a cheap identity check on the next poll). */
  access: SnmpAccess;
  host: string;
  /** null between polls when the session is per poll (see the header). */
  session: NetSnmpSession | null;
  /** Polls of this site in flight: a per-poll session is closed when the last one ends. */
  inUse: number;
  /** The session is opened per poll (see the header). */
  perPoll: boolean;
  version: '1' | '2c' | '3';
  agent: string;
  /** Last ProcessingError (undecodable packet) seen on this session's socket. */
  lastProcessingError: { at: number; message: string } | null;
  /** Rows seen in the last walk of each vendor column: the next walk asks for just one more. */
  lastRows: Map<string, number> | null;
  ifPlan: IfPlan | null;
  /** v1 agent without ifNumber.0 (a GET with it fails as a whole): GET the system group alone. */
  noIfNumber: boolean;
  /** The session's socket closed under it: replace the session on the next poll. */
  closed: boolean;
  /** The agent answered a GETBULK with the system scalars as non-repeaters with an error: GET + walk from then on. */
  noCombinedBulk: boolean;
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

/** Compare dotted OIDs numerically (see walk.ts). */
export { compareOids } from './walk.js';

/** The local engine ID given to v1/v2c sessions (net-snmp's own format: enterprise 0x00B983, then zeros). */
const COMMUNITY_ENGINE_ID = Buffer.from(`8000b98380${'00'.repeat(12)}`, 'hex');

/** Non-repeaters of a combined GETBULK: the GETNEXT of each of these gives sysDescr.0 … ifNumber.0. */
const SYSTEM_OIDS: readonly string[] = [SYSTEM.sysDescr, SYSTEM.sysObjectID, SYSTEM.sysUpTime, SYSTEM.sysName];
const NON_REPEATERS: readonly string[] = [...SYSTEM_OIDS, IF_NUMBER];
const NON_REPEATERS_NEXT: readonly string[] = NON_REPEATERS.map((oid) => oid.slice(0, -2));
/** Non-repeaters of a steady GETBULK: sysUpTime.0 (reboots) and ifNumber.0 (a changed table); the other scalars do not change. */
const STEADY_SYSTEM_OIDS: readonly string[] = [SYSTEM.sysUpTime];
const STEADY_NON_REPEATERS: readonly string[] = [...STEADY_SYSTEM_OIDS, IF_NUMBER];
const STEADY_NON_REPEATERS_NEXT: readonly string[] = STEADY_NON_REPEATERS.map((oid) => oid.slice(0, -2));

/** IF-MIB columns read: v1 (no Counter64), v2c/v3, and v2c/v3 once the agent has shown HC counters on every row. */
const IF_COLUMNS_V1: readonly string[] = [...Object.values(IF_TABLE), IF_X_TABLE.ifName, IF_X_TABLE.ifHighSpeed];
const IF_COLUMNS: readonly string[] = [...IF_COLUMNS_V1, IF_X_TABLE.ifHCInOctets, IF_X_TABLE.ifHCOutOctets];
const OCTETS_32: readonly string[] = [IF_TABLE.ifInOctets, IF_TABLE.ifOutOctets];
const IF_COLUMNS_HC: readonly string[] = IF_COLUMNS.filter((c) => !OCTETS_32.includes(c));
/** Columns that name an interface: read by full walks only (see IfPlan.names). */
const NAME_COLUMNS: readonly string[] = [IF_TABLE.ifDescr, IF_X_TABLE.ifName];
const COLUMN_NAME: Record<string, IfColumn> = Object.fromEntries(
  (Object.entries({ ...IF_TABLE, ...IF_X_TABLE }) as Array<[IfColumn, string]>).map(([name, oid]) => [oid, name]),
);

/** The OIDs of a GETBULK with the non-repeaters first, built once per column list. */
const requestOids = new WeakMap<readonly string[], readonly string[]>();
const steadyRequestOids = new WeakMap<readonly string[], readonly string[]>();
function withNonRepeaters(bases: readonly string[], steady: boolean): readonly string[] {
  const cache = steady ? steadyRequestOids : requestOids;
  let oids = cache.get(bases);
  if (!oids) { oids = [...(steady ? STEADY_NON_REPEATERS_NEXT : NON_REPEATERS_NEXT), ...bases]; cache.set(bases, oids); }
  return oids;
}

/** The walked columns by name; `names` (a steady poll's cached name columns) fill the ones not walked. */
function toColumnRows(walks: readonly ColumnWalk[], names?: CachedNames): ColumnRows {
  const cols: ColumnRows = {};
  if (names) {
    for (const c of names) {
      const rows: Vb[] = [];
      for (let i = 0; i < c.cells.length; i += 3) rows.push({ oid: `${c.base}.${c.cells[i] as number}`, type: c.cells[i + 1] as number, value: c.cells[i + 2] });
      cols[c.name] = rows;
    }
  }
  for (const w of walks) {
    const name = COLUMN_NAME[w.base];
    if (name) cols[name] = w.rows;
  }
  return cols;
}

/**
 * One shared array per distinct column list (a few per fleet): plans of thousands of sites hold the
 * same arrays, and request OIDs are cached by them.
 */
const columnLists = new Map<string, readonly string[]>();
function shared(cols: readonly string[]): readonly string[] {
  const key = cols.join(' ');
  let list = columnLists.get(key);
  if (!list) { list = cols; columnLists.set(key, list); }
  return list;
}
/** The columns a steady poll asks for: the present ones, without the 32-bit octets when every row had HC counters. */
const steadyColumns = (hc: boolean, present: readonly string[]) =>
  shared((hc ? IF_COLUMNS_HC : IF_COLUMNS).filter((c) => present.includes(c) && !NAME_COLUMNS.includes(c)));

/** ifNumber.0 when the agent gave a plausible one. */
function readIfNumber(vb: Vb | undefined): number | undefined {
  return vb && vb.oid === IF_NUMBER && vb.type === T.Integer && typeof vb.value === 'number' && vb.value >= 0 && vb.value < 100_000 ? vb.value : undefined;
}

/** A poll may report `system` from these varbinds: GET answers as they are, GETNEXT answers that went past the object as noSuchObject. */
function systemVarbinds(vbs: ReadonlyArray<Vb | Vb[] | undefined>, expected: readonly string[]): Vb[] {
  const out: Vb[] = [];
  for (let i = 0; i < expected.length; i++) {
    const vb = vbs[i];
    if (!vb || Array.isArray(vb)) continue;
    out.push(vb.oid === expected[i] ? vb : { oid: expected[i]!, type: T.NoSuchObject, value: null });
  }
  return out;
}

export function createSnmpProbe(opts: SnmpProbeOptions, deps: { clock?: Clock; logger?: Logger } = {}): SnmpProbe {
  const clock = deps.clock ?? systemClock;
  const log = (deps.logger ?? silentLogger()).child({ component: 'probe.snmp' });
  // every poll reads and writes the same few dozen OIDs: remembered, not re-encoded (oid-codec.ts)
  installOidCache();
  const perAgent = Math.max(1, opts.per_agent_concurrency ?? 4);
  const maxWalkRequests = opts.max_walk_requests ?? 200;
  const varbindBudget = Math.max(1, opts.max_varbinds_per_request ?? 56);
  const fullWalkEvery = Math.max(1, opts.full_walk_every ?? 10);
  const pool = (opts.udp_sockets ?? 32) > 0
    ? new UdpPool({ socketsPerFamily: opts.udp_sockets ?? 32, onSocketError: (err) => log.warn({ err: err.message }, 'snmp shared socket failed; replaced') })
    : null;
  const sessions = new Map<string, SessionEntry>();
  const agents = new Map<string, Semaphore>();
  const lastOutcome = new Map<string, { status: ProbeStatus; reason: string | undefined }>();
  /** Which site's entry a session serves now (a recycled session serves another site next). */
  const owner = new WeakMap<NetSnmpSession, SessionEntry>();
  /** v1/v2c per-poll sessions between polls, ready to be re-targeted (see release). */
  const idleSessions: Record<'udp4' | 'udp6', NetSnmpSession[]> = { udp4: [], udp6: [] };
  let sessionsMade = 0;
  /** Most sites' last outcome: one object for all of them. */
  const OK_OUTCOME = Object.freeze({ status: 'ok' as ProbeStatus, reason: undefined });
  let closed = false;

  function agentLimiter(agent: string): Semaphore {
    let s = agents.get(agent);
    if (!s) { s = new Semaphore(perAgent); agents.set(agent, s); }
    return s;
  }

  function sessionFor(site: PolledSite, access: SnmpAccess): SessionEntry {
    const entry = entryFor(site, access);
    if (!entry.session) entry.session = openSession(entry, site, access);
    return entry;
  }

  function entryFor(site: PolledSite, access: SnmpAccess): SessionEntry {
    const existing = sessions.get(site.id);
    // The same access object and host as last time (the inventory is loaded once): no key to rebuild.
    if (existing && !existing.closed && existing.access === access && existing.host === site.host) return existing;
    const port = access.port ?? 161;
    // Another object (a reloaded inventory): the same session when host and access are the same.
    if (existing && !existing.closed && existing.host === site.host && JSON.stringify(existing.access) === JSON.stringify(access)) {
      existing.access = access;
      return existing;
    }
    if (existing?.session) { try { existing.session.close(); } catch { /* already closed */ } }
    const entry: SessionEntry = {
      site: site.id, access, host: site.host, session: null, inUse: 0,
      // per poll: v1/v2c on the shared pool; kept: v3 (discovered engine state), and targets that need a socket of their own
      perPoll: pool !== null && access.version !== '3' && routeAddress(isIPv6(site.host) ? 'udp6' : 'udp4', site.host) !== null, version: access.version, agent: [site.host, port].join(':'), lastProcessingError: null,
      secrets: secretsOf(access), lastRows: null, ifPlan: null, noCombinedBulk: false, closed: false, noIfNumber: false,
    };
    sessions.set(site.id, entry);
    return entry;
  }


  function openSession(entry: SessionEntry, site: PolledSite, access: SnmpAccess): NetSnmpSession {
    const transport = isIPv6(site.host) ? ('udp6' as const) : ('udp4' as const);
    if (entry.perPoll && access.version !== '3') {
      // a v1/v2c session another site finished with: re-targeted, not made anew
      const idle = idleSessions[transport].pop();
      if (idle) {
        const t = idle as unknown as RetargetableSession;
        t.target = site.host;
        t.port = access.port ?? 161;
        t.community = access.community;
        t.version = access.version === '1' ? snmp.Version1 : snmp.Version2c;
        owner.set(idle, entry);
        return idle;
      }
    }
    const common = {
      port: access.port ?? 161,
      timeout: opts.timeout_ms,
      retries: opts.retries,
      transport,
      backoff: 1,
      ...(pool ? { dgramModule: pool.dgramModule } : {}),
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
        // A v1/v2c session never uses its own engine ID (only v3 traps do): one shared ID spares a
        // random one (crypto) and a Buffer per session.
        engineID: COMMUNITY_ENGINE_ID,
      } as unknown as snmp.SessionOptions);
    }
    sessionsMade++;
    owner.set(session, entry);
    // Never let an emitter error escape: remember it for the site the session serves now (an
    // undecodable response shows up as a timeout later).
    session.on('error', (err: unknown) => {
      const e = owner.get(session);
      if (!e) return;
      e.lastProcessingError = { at: performance.now(), message: String((err as ErrLike)?.message ?? err) };
      log.debug({ site: e.site, err: scrub(e.lastProcessingError.message, e.secrets) }, 'snmp session error');
    });
    // Its socket went away (a shared socket failed and was replaced): the next poll starts afresh.
    // (A per-poll session closed or recycled by release() is no longer the entry's: that is ours.)
    session.on('close', () => {
      const e = owner.get(session);
      if (e && e.session === session) e.closed = true;
    });
    return session;
  }

  /**
   * A poll of the entry's site ended: the last one out gives a per-poll session back. With nothing in
   * flight it goes to the idle list for the next site's poll (its facade recycled: routes and recent
   * request ids dropped); past the list's bound the pool detaches its facade quietly (a close would
   * make net-snmp look for requests to cancel).
   */
  function release(entry: SessionEntry): void {
    entry.inUse--;
    if (entry.inUse > 0 || !entry.session || !entry.perPoll) return;
    const s = entry.session;
    entry.session = null;
    owner.delete(s);
    const dgram = (s as unknown as { dgram?: unknown }).dgram;
    const idle = idleSessions[isIPv6(entry.host) ? 'udp6' : 'udp4'];
    if (entry.version !== '3' && idle.length < MAX_IDLE_SESSIONS && !hasRequests(s) && pool?.recycle(dgram)) {
      idle.push(s);
      return;
    }
    if (pool?.release(dgram)) return;
    try { s.close(); } catch { /* its socket is gone already */ }
  }

  /** An agent's limiter lives while requests to it run or wait (not one per site for the whole run). */
  function dropIdle(agent: string, limiter: Semaphore): void {
    if (limiter.idle && agents.get(agent) === limiter) agents.delete(agent);
  }

  function request<R>(entry: SessionEntry, fn: (cb: (err: unknown, r?: R) => void) => void): Promise<R> {
    const limiter = agentLimiter(entry.agent);
    const run = limiter.run(
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
    run.then(() => dropIdle(entry.agent, limiter), () => dropIdle(entry.agent, limiter));
    return run;
  }

  const get = (entry: SessionEntry, oids: readonly string[]) =>
    request<Vb[]>(entry, (cb) => entry.session!.get(oids as string[], (err, vbs) => cb(err, vbs as unknown as Vb[])));

  const getBulk = (entry: SessionEntry, oids: readonly string[], nonRepeaters: number, reps: number) =>
    request<Array<Vb | Vb[]>>(entry, (cb) =>
      entry.session!.getBulk(oids as string[], nonRepeaters, reps, (err, r) => cb(err, r as unknown as Array<Vb | Vb[]>)),
    );

  function checkDeadline(deadline: number): void {
    if (performance.now() > deadline) throw new SnmpFailure('timeout', `poll took longer than its ${opts.deadline_ms} ms budget`);
  }

  /** Walk columns together until each is done (see walk.ts `absorb`): GETBULK (v2c/v3) or GETNEXT (v1). */
  async function walkColumns(entry: SessionEntry, walks: readonly ColumnWalk[], repetitions: number, deadline: number, doneAt?: number): Promise<void> {
    const v1 = entry.version === '1';
    let requests = 0;
    let reps = Math.max(1, repetitions);
    for (;;) {
      const active = walks.filter((w) => !w.done);
      if (active.length === 0) return;
      if (++requests > maxWalkRequests) throw new SnmpFailure('error', `walk stopped after ${maxWalkRequests} requests (table too large or agent loops)`);
      checkDeadline(deadline);
      const next = active.map((w) => w.next);
      let perColumn: Array<readonly Vb[] | undefined>;
      if (v1) {
        try {
          const vbs = await get1(entry, next);
          perColumn = active.map((_, j) => (vbs[j] ? [vbs[j]!] : []));
        } catch (err) {
          // v1 signals the end of the MIB with noSuchName on the offending varbind.
          if (err instanceof SnmpFailure && /NoSuchName/.test(err.message)) {
            const oid = /NoSuchName: ([0-9.]+)/.exec(err.message)?.[1];
            const hit = active.find((w) => w.next === oid);
            for (const w of hit ? [hit] : active) { w.done = true; w.endSeen = true; }
            continue;
          }
          throw err;
        }
      } else {
        try {
          perColumn = (await getBulk(entry, next, 0, reps)) as Vb[][];
        } catch (err) {
          if (err instanceof SnmpFailure && /TooBig/.test(err.message) && reps > 1) { reps = Math.max(1, Math.floor(reps / 2)); continue; }
          throw err;
        }
      }
      let progressed = false;
      for (let j = 0; j < active.length; j++) if (absorb(active[j]!, perColumn[j] ?? [], doneAt)) progressed = true;
      // Every active column gave nothing usable (truncated response): stop rather than loop.
      if (!progressed && active.every((_, j) => (perColumn[j]?.length ?? 0) === 0)) throw new SnmpFailure('error', 'agent returned an empty response to a walk');
    }
  }

  const get1 = (entry: SessionEntry, oids: string[]) =>
    request<Vb[]>(entry, (cb) => entry.session!.getNext(oids, (err, r) => cb(err, r as unknown as Vb[])));

  /**
   * Walk the columns of one table: columns × repetitions within the varbind budget per request, groups
   * in parallel (still capped per agent). v1's GETNEXT returns one row per column whatever the repetitions: one group.
   */
  async function walkTable(entry: SessionEntry, walks: readonly ColumnWalk[], deadline: number, size: { reps: number; doneAt?: number }): Promise<void> {
    const open = walks.filter((w) => !w.done);
    if (open.length === 0) return;
    const reps = Math.max(1, Math.min(opts.max_repetitions, varbindBudget, size.reps));
    const perRequest = entry.version === '1' ? open.length : Math.max(1, Math.floor(varbindBudget / reps));
    const groups: ColumnWalk[][] = [];
    for (let i = 0; i < open.length; i += perRequest) groups.push(open.slice(i, i + perRequest));
    await Promise.all(groups.map((g) => walkColumns(entry, g, reps, deadline, size.doneAt)));
  }

  /** A vendor column walked to its end, sized by the rows it had last time. */
  async function walkVendorColumn(entry: SessionEntry, oid: string, deadline: number): Promise<Vb[]> {
    const w = columnWalk(oid);
    const known = entry.lastRows?.get(oid);
    await walkTable(entry, [w], deadline, { reps: known !== undefined ? known + 1 : opts.max_repetitions });
    (entry.lastRows ??= new Map()).set(oid, w.rows.length);
    return w.rows;
  }

  async function wirelessClients(entry: SessionEntry, site: Site, deadline: number): Promise<number | undefined> {
    try {
      const sumColumn = async (oid: string) => {
        const rows = await walkVendorColumn(entry, oid, deadline);
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

  function takeSystem(vbs: Vb[], result: SnmpResult, problems: string[]): void {
    const sys = decodeSystem(vbs);
    problems.push(...sys.problems);
    if (sys.value) result.system = sys.value;
  }

  /**
   * ONE GETBULK: the system scalars and ifNumber.0 as non-repeaters, then `reps` rows of each column
   * (absorbed into fresh column walks; `doneAt` as in walk.ts). null when it was not sent (it does not
   * fit the varbind budget, or this agent refused one before) or the agent answered it with an error
   * status (TooBig, or the genErr/noCreation some agents give to non-repeaters with views): the caller
   * then uses GET + walk, and does so from then on for this session.
   */
  async function bulkWithSystem(
    entry: SessionEntry, bases: readonly string[], reps: number, result: SnmpResult, problems: string[], doneAt?: number,
    system: IfPlan['system'] = null,
  ): Promise<{ walks: ColumnWalk[]; ifNumber: number | undefined } | null> {
    const steady = system !== null;
    const sysOids = steady ? STEADY_SYSTEM_OIDS : SYSTEM_OIDS;
    const nonRep = sysOids.length + 1;
    if (entry.noCombinedBulk || reps < 1 || reps > opts.max_repetitions || nonRep + bases.length * reps > varbindBudget) return null;
    let vbs: Array<Vb | Vb[]>;
    try {
      vbs = await getBulk(entry, withNonRepeaters(bases, steady), nonRep, reps);
    } catch (err) {
      if (err instanceof SnmpFailure && err.message.startsWith('agent returned error')) {
        entry.noCombinedBulk = true;
        log.debug({ agent: entry.agent, err: err.message }, 'snmp agent refused a GETBULK with non-repeaters; GET + walk from now on');
        return null;
      }
      throw err;
    }
    takeSystem(systemVarbinds(vbs, sysOids), result, problems);
    if (system && result.system) Object.assign(result.system, system);
    const walks = bases.map(columnWalk);
    for (let j = 0; j < walks.length; j++) absorb(walks[j]!, (vbs[nonRep + j] as Vb[] | undefined) ?? [], doneAt);
    return { walks, ifNumber: readIfNumber(vbs[sysOids.length] as Vb | undefined) };
  }

  /**
   * GET of the system group + ifNumber.0. v1 fails the whole GET with noSuchName when one object is
   * missing: an agent without ifNumber.0 is asked for the system group alone from then on.
   */
  async function getSystem(entry: SessionEntry, result: SnmpResult, problems: string[]): Promise<number | undefined> {
    let sys: Vb[];
    if (entry.version === '1' && entry.noIfNumber) sys = await get(entry, SYSTEM_OIDS);
    else {
      try {
        sys = await get(entry, NON_REPEATERS);
      } catch (err) {
        if (!(entry.version === '1' && err instanceof SnmpFailure && err.message.includes(`NoSuchName: ${IF_NUMBER}`))) throw err;
        entry.noIfNumber = true;
        sys = await get(entry, SYSTEM_OIDS);
      }
    }
    takeSystem(sys, result, problems);
    return readIfNumber(sys[SYSTEM_OIDS.length]);
  }

  /**
   * The steady-state poll of a v2c/v3 agent whose last full walk saw the end of every column: the
   * rows it found then (R) size the request, and a column holding R rows is complete (no request just
   * to see its end) as long as ifNumber.0 has not changed. R rows of every column within the budget:
   * ONE GETBULK (bulkWithSystem); more rows: that GETBULK with the columns that fit, and the others in
   * parallel. No ifIn/OutOctets when every row had HC counters.
   */
  async function steadyPoll(
    entry: SessionEntry, plan: IfPlan, result: SnmpResult, problems: string[], deadline: number,
  ): Promise<{ walks: ColumnWalk[]; resized: boolean }> {
    const bases = plan.columns;
    const n = plan.rows;
    // As many columns as fit beside the non-repeaters go with them; the others (bigger routers) in
    // GETBULKs of their own, sent at the same time.
    const withSystem = Math.min(bases.length, Math.floor((varbindBudget - STEADY_NON_REPEATERS.length) / n));
    const combined = entry.version !== '1' && withSystem >= 1 && n <= opts.max_repetitions && !entry.noCombinedBulk;
    const rest = combined ? bases.slice(withSystem).map(columnWalk) : [];
    const [got] = await Promise.all([
      combined ? bulkWithSystem(entry, withSystem === bases.length ? bases : bases.slice(0, withSystem), n, result, problems, n, plan.system ?? undefined) : null,
      rest.length > 0 ? walkTable(entry, rest, deadline, { reps: n, doneAt: n }) : undefined,
    ]);
    const walks = got ? [...got.walks, ...rest] : bases.map(columnWalk);
    const ifNumber = got ? got.ifNumber : await getSystem(entry, result, problems);
    checkDeadline(deadline);
    if (ifNumber === plan.ifNumber) {
      await walkTable(entry, walks, deadline, { reps: n, doneAt: n });
      return { walks, resized: false };
    }
    // The table changed: finish every column to its end now, and read the name columns afresh. When
    // every end is seen (no agent trouble) this poll has measured the new table, and the next polls
    // take its size; else a full walk next time.
    for (const w of walks) if (w.rows.length >= n && !w.endSeen && !w.cut) w.done = false;
    for (const c of NAME_COLUMNS) if (plan.present.includes(c)) walks.push(columnWalk(c));
    await walkTable(entry, walks, deadline, { reps: Math.max(1, (ifNumber ?? n) - n) + 1 });
    const resized = ifNumber !== undefined && walks.every((w) => w.endSeen && !w.cut);
    if (resized) plan.ifNumber = ifNumber;
    else plan.stable = false;
    return { walks, resized };
  }

  /**
   * First poll, every `full_walk_every`-th poll, or a table that changed: every column walked to its
   * end. v2c/v3: the first request is ONE GETBULK with the system scalars as non-repeaters and as many
   * rows as fit (or the rows seen last time + 1), then the columns are finished, sized by ifNumber.0;
   * v1: a GET of the system group (+ ifNumber.0), then GETNEXT. Either way the walk goes on only once the agent has
   * answered the first request: a dead agent costs one timeout, not two. Repetitions: one more than the
   * rows expected, from ifNumber or the last walk, whichever is larger (agents with views show fewer
   * rows than ifNumber).
   */
  async function fullPoll(entry: SessionEntry, plan: IfPlan | null, result: SnmpResult, problems: string[], deadline: number): Promise<{ walks: ColumnWalk[]; ifNumber: number | undefined }> {
    const v1 = entry.version === '1';
    const known = plan?.rows ?? -1;
    const firstReps = Math.min(known >= 0 ? known + 1 : Infinity, Math.floor((varbindBudget - NON_REPEATERS.length) / IF_COLUMNS.length), opts.max_repetitions);
    const got = v1 ? null : await bulkWithSystem(entry, IF_COLUMNS, firstReps, result, problems);
    const walks = got?.walks ?? (v1 ? IF_COLUMNS_V1 : IF_COLUMNS).map(columnWalk);
    const ifNumber = got ? got.ifNumber : await getSystem(entry, result, problems);
    const expected = Math.max(known, ifNumber ?? -1);
    checkDeadline(deadline);
    await walkTable(entry, walks, deadline, { reps: expected < 0 ? opts.max_repetitions : Math.max(1, expected + 1 - (got ? firstReps : 0)) });
    return { walks, ifNumber };
  }

  async function pollInterfaces(entry: SessionEntry, result: SnmpResult, problems: string[], deadline: number): Promise<void> {
    const v1 = entry.version === '1';
    const plan = entry.ifPlan;
    const steady = plan !== null && plan.stable && plan.rows > 0 && plan.sinceFull + 1 < fullWalkEvery;
    let walks: ColumnWalk[];
    let ifNumber: number | undefined;
    let resized = false;
    if (steady) {
      ({ walks, resized } = await steadyPoll(entry, plan, result, problems, deadline));
      plan.sinceFull++;
    } else {
      ({ walks, ifNumber } = await fullPoll(entry, plan, result, problems, deadline));
    }
    const full = !steady;
    let rows = 0;
    for (const w of walks) if (w.rows.length > rows) rows = w.rows.length;
    const wasCut = walks.some((w) => w.cut);
    if (wasCut) {
      // OIDs out of order: walk each of those columns again on its own (snmpd 5.9 mixes up columns in
      // some multi-column GETBULKs); keep whichever attempt read more.
      await Promise.all(walks.map(async (w, j) => {
        if (!w.cut) return;
        const again = columnWalk(w.base);
        await walkTable(entry, [again], deadline, { reps: rows + 1 });
        if (!again.cut || again.rows.length > w.rows.length) walks![j] = again;
      }));
    }
    const cachedNames = full ? undefined : plan!.names;
    let ifs = decodeInterfaces(toColumnRows(walks, cachedNames), !v1);
    if (!full && plan!.hc && ifs.value.some((i) => i.counter_bits === 32)) {
      // A row without HC counters (a new interface?): read the 32-bit octets after all.
      const extra = OCTETS_32.map(columnWalk);
      await walkTable(entry, extra, deadline, { reps: rows + 1 });
      walks.push(...extra);
      ifs = decodeInterfaces(toColumnRows(walks, cachedNames), true);
      plan!.hc = false;
      plan!.columns = steadyColumns(false, plan!.present);
    }
    const cut = cutProblems(walks, COLUMN_NAME);
    problems.push(...cut, ...ifs.problems);
    result.interfaces = ifs.value;
    if (wasCut) log.debug({ site: result.site, columns: cut.length }, 'snmp walk cut by out-of-order OIDs; columns re-walked');

    rows = 0;
    for (const w of walks) if (w.rows.length > rows) rows = w.rows.length;
    const uptime = result.system?.uptime_ticks ?? -1;
    if (full) {
      const hc = !v1 && ifs.value.length > 0 && ifs.value.every((i) => i.counter_bits === 64);
      const present = shared(walks.filter((w) => w.rows.length > 0).map((w) => w.base));
      entry.ifPlan = {
        ifNumber: ifNumber ?? -1,
        // (v1: only with ifNumber.0, which tells a steady poll that the table did not change)
        stable: (!v1 || ifNumber !== undefined) && !wasCut && walks.every((w) => w.endSeen),
        hc,
        present,
        columns: steadyColumns(hc, present),
        sinceFull: 0,
        rows,
        uptime,
        names: nameRows(walks),
        system: result.system ? { sys_name: result.system.sys_name, sys_descr: result.system.sys_descr, sys_object_id: result.system.sys_object_id } : null,
      };
    } else {
      if (wasCut || (!resized && rows > plan!.rows) || uptime < plan!.uptime) plan!.stable = false;
      plan!.rows = resized ? rows : Math.max(rows, plan!.rows);
      plan!.uptime = uptime;
      if (resized) plan!.names = nameRows(walks);
    }
  }

  /**
   * The name columns of a walk, kept for the steady polls after it: values as strings, never the
   * Buffers net-snmp gave (slices that would keep every site's whole response packet alive), and
   * without the OID strings (rebuilt from the column and ifIndex).
   */
  function nameRows(walks: readonly ColumnWalk[]): CachedNames {
    const out: CachedNames = [];
    for (const w of walks) {
      if (!NAME_COLUMNS.includes(w.base)) continue;
      const cells: unknown[] = [];
      const prefix = w.base.length + 1;
      for (const vb of w.rows) {
        const idx = vb.oid.length > prefix && vb.oid.charCodeAt(prefix - 1) === 46 ? Number(vb.oid.slice(prefix)) : NaN;
        if (!Number.isInteger(idx)) continue; // not a row decodeInterfaces would read
        cells.push(idx, vb.type, Buffer.isBuffer(vb.value) ? text(vb.value) : vb.value);
      }
      // copies of exact size: the arrays pushed to keep room to grow, and a plan lives for the whole run
      out.push({ base: w.base, name: COLUMN_NAME[w.base]!, cells: cells.slice() });
    }
    return out.slice();
  }

  async function pollInner(entry: SessionEntry, site: Site, what: SnmpPollWhat, result: SnmpResult, deadline: number): Promise<void> {
    const problems: string[] = [];
    if (what.interfaces) await pollInterfaces(entry, result, problems, deadline);
    else if (what.system) takeSystem(await get(entry, SYSTEM_OIDS), result, problems);
    if (site.vendor === 'mikrotik' || site.vendor === 'ubiquiti') {
      const wc = performance.now() > deadline ? undefined : await wirelessClients(entry, site, deadline);
      if (wc !== undefined) result.wireless_clients = wc;
    }
    if (site.vendor === 'mikrotik' && performance.now() < deadline) {
      // best effort, like the wireless clients: the main result stands without it
      const lte = decodeMikrotikLte(await walkVendorColumn(entry, MTXR_LTE_ENTRY, deadline).catch(() => []));
      if (lte) result.lte = lte;
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
        if (!isPolled(site)) throw new SnmpFailure('error', 'site has no host (push-only)');
        const entry = sessionFor(site, site.snmp);
        entry.inUse++;
        try {
          await pollInner(entry, site, what, result, opts.deadline_ms !== undefined ? t0 + opts.deadline_ms : Infinity);
        } finally {
          release(entry);
        }
      } catch (err) {
        const f = classifyError(err, {
          timeout_ms: opts.timeout_ms, retries: opts.retries, secrets: site.snmp === false ? [] : secretsOf(site.snmp),
        });
        result.status = f.status;
        result.reason = f.message;
      }
      result.duration_ms = Math.round((performance.now() - t0) * 10) / 10;
      const last = lastOutcome.get(site.id);
      if (!last || last.status !== result.status || last.reason !== result.reason) {
        lastOutcome.set(site.id, result.status === 'ok' && result.reason === undefined ? OK_OUTCOME : { status: result.status, reason: result.reason });
        const level = result.status === 'ok' ? 'info' : 'warn';
        log[level]({ site: site.id, status: result.status, reason: result.reason, duration_ms: result.duration_ms }, 'snmp status changed');
      }
      return result;
    },
    close() {
      closed = true;
      for (const e of sessions.values()) {
        if (!e.session) continue;
        const s = e.session;
        e.session = null;
        try { s.close(); } catch { /* already closed */ }
      }
      sessions.clear();
      for (const list of Object.values(idleSessions)) {
        for (const s of list.splice(0)) { try { s.close(); } catch { /* already closed */ } }
      }
      pool?.close();
    },
    stats() {
      let open = 0;
      for (const e of sessions.values()) if (e.session) open++;
      return {
        sessions: sessions.size, open_sessions: open, idle_sessions: idleSessions.udp4.length + idleSessions.udp6.length,
        sessions_made: sessionsMade, ...(pool ? { pool: pool.stats() } : {}),
      };
    },
  };
}
