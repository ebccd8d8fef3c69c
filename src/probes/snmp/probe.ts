/**
 * The SNMP probe over any SnmpClient: sends what plan.ts decides, walks tables (walk.ts decides what
 * answers mean), decodes (decode.ts), adds vendor extras (vendor.ts). Never throws: a failing target
 * is a result with status and reason.
 * - OIDs out of order (a table changing while walked, or snmpd 5.9 mixing up a multi-column GETBULK
 *   through a view) keep the rows read so far, and the column is walked again on its own.
 * - With `deadline_ms`, no request starts once the poll's budget is spent (the poll ends 'timeout').
 */
import { performance } from 'node:perf_hooks';
import { isPolled, type PolledSite, type Site, type SnmpResult, type SnmpAccess, type ProbeStatus } from '../../core/types.js';
import { systemClock, type Clock } from '../../core/clock.js';
import { silentLogger, type Logger } from '../../core/logger.js';
import { IF_NUMBER } from './oids.js';
import { decodeInterfaces, decodeSystem, type Vb } from './decode.js';
import { absorb, columnWalk, cutProblems, type ColumnWalk } from './walk.js';
import { agentErrorStatus, noSuchNameOid, scrub, secretsOf, SnmpFailure, type SnmpClient, type SnmpSession } from './client.js';
import {
  COLUMN_NAME, firstRepetitions, IF_COLUMNS, IF_COLUMNS_V1, isSteady, maxRows, NAME_COLUMNS, newSitePlan, NON_REPEATERS, OCTETS_32,
  planAfterFull, readIfNumber, STEADY_NON_REPEATERS, STEADY_SYSTEM_OIDS, steadyColumns, steadyCombined, SYSTEM_OIDS, systemVarbinds,
  toColumnRows, updateAfterSteady, walkGroups, withNonRepeaters, type IfPlan, type SitePlan,
} from './plan.js';
import { VENDOR_EXTRAS } from './vendor.js';

export interface SnmpPlanOptions {
  timeout_ms: number;
  retries: number;
  max_repetitions: number;
  /** Safety bound on requests for one walk (default 200). */
  max_walk_requests?: number;
  /** Varbinds in one GETBULK at most (columns × repetitions; default 56, ~1.1 KB: answers not IP-fragmented on 3G/4G). */
  max_varbinds_per_request?: number;
  /** Time budget for one poll (ms): no new request once it is spent. Default: none. */
  deadline_ms?: number;
  /** Every n-th interface poll of a site walks the whole table (default 10). */
  full_walk_every?: number;
}

export interface SnmpPollWhat { system: boolean; interfaces: boolean }

export interface SnmpProbe {
  poll(site: Site, what: SnmpPollWhat): Promise<SnmpResult>;
  close(): void;
  /** Sessions and shared sockets (for the bench and `probe --debug`). */
  stats?(): ReturnType<SnmpClient['stats']>;
}

/** The poll's state: the site's session and plan, and the deadline. */
interface Poll { s: SnmpSession; sp: SitePlan; deadline: number; result: SnmpResult; problems: string[] }

export function createProbe(client: SnmpClient, opts: SnmpPlanOptions, deps: { clock?: Clock; logger?: Logger } = {}): SnmpProbe {
  const clock = deps.clock ?? systemClock;
  const log = (deps.logger ?? silentLogger()).child({ component: 'probe.snmp' });
  const maxWalkRequests = opts.max_walk_requests ?? 200;
  const varbindBudget = Math.max(1, opts.max_varbinds_per_request ?? 56);
  const fullWalkEvery = Math.max(1, opts.full_walk_every ?? 10);
  /** Per site: the plan, and the access it was made for (a new host or access starts afresh). */
  const plans = new Map<string, { access: SnmpAccess; host: string; sp: SitePlan }>();
  const lastOutcome = new Map<string, { status: ProbeStatus; reason: string | undefined }>();
  const OK_OUTCOME = Object.freeze({ status: 'ok' as ProbeStatus, reason: undefined });
  let closed = false;

  function planFor(site: PolledSite, access: SnmpAccess): SitePlan {
    const p = plans.get(site.id);
    if (p && p.host === site.host && (p.access === access || JSON.stringify(p.access) === JSON.stringify(access))) { p.access = access; return p.sp; }
    const sp = newSitePlan(access.version);
    plans.set(site.id, { access, host: site.host, sp });
    return sp;
  }

  function checkDeadline(deadline: number): void {
    if (performance.now() > deadline) throw new SnmpFailure('timeout', `poll took longer than its ${opts.deadline_ms} ms budget`);
  }

  /** Walk columns together until each is done (walk.ts `absorb`): GETBULK (v2c/v3) or GETNEXT (v1). */
  async function walkColumns(p: Poll, walks: readonly ColumnWalk[], repetitions: number, doneAt?: number): Promise<void> {
    const v1 = p.s.version === '1';
    let requests = 0;
    let reps = Math.max(1, repetitions);
    for (;;) {
      const active = walks.filter((w) => !w.done);
      if (active.length === 0) return;
      if (++requests > maxWalkRequests) throw new SnmpFailure('error', `walk stopped after ${maxWalkRequests} requests (table too large or agent loops)`);
      checkDeadline(p.deadline);
      const next = active.map((w) => w.next);
      let perColumn: Array<readonly Vb[] | undefined>;
      if (v1) {
        try {
          const vbs = await p.s.getNext(next);
          perColumn = active.map((_, j) => (vbs[j] ? [vbs[j]!] : []));
        } catch (err) {
          // v1 signals the end of the MIB with noSuchName on the offending varbind
          const oid = noSuchNameOid(err);
          if (oid === null) throw err;
          const hit = active.find((w) => w.next === oid);
          for (const w of hit ? [hit] : active) { w.done = true; w.endSeen = true; }
          continue;
        }
      } else {
        try {
          perColumn = (await p.s.getBulk(next, 0, reps)) as Vb[][];
        } catch (err) {
          if (agentErrorStatus(err) === 'TooBig' && reps > 1) { reps = Math.max(1, Math.floor(reps / 2)); continue; }
          throw err;
        }
      }
      let progressed = false;
      for (let j = 0; j < active.length; j++) if (absorb(active[j]!, perColumn[j] ?? [], doneAt)) progressed = true;
      // every active column gave nothing usable (a truncated answer): stop rather than loop
      if (!progressed && active.every((_, j) => (perColumn[j]?.length ?? 0) === 0)) throw new SnmpFailure('error', 'agent returned an empty response to a walk');
    }
  }

  /** The columns of one table, in groups within the varbind budget, groups in parallel (capped per agent by the client). */
  async function walkTable(p: Poll, walks: readonly ColumnWalk[], size: { reps: number; doneAt?: number }): Promise<void> {
    const open = walks.filter((w) => !w.done);
    if (open.length === 0) return;
    const reps = Math.max(1, Math.min(opts.max_repetitions, varbindBudget, size.reps));
    await Promise.all(walkGroups(open, p.s.version === '1', reps, varbindBudget).map((g) => walkColumns(p, g, reps, size.doneAt)));
  }

  function takeSystem(p: Poll, vbs: Vb[]): void {
    const sys = decodeSystem(vbs);
    p.problems.push(...sys.problems);
    if (sys.value) p.result.system = sys.value;
  }

  /**
   * ONE GETBULK: the system scalars and ifNumber.0 as non-repeaters, then `reps` rows of each column.
   * null when it does not fit the budget, or the agent refused one (from then on: GET + walk).
   * `system` (steady polls): the cached strings, only sysUpTime is asked.
   */
  async function bulkWithSystem(
    p: Poll, bases: readonly string[], reps: number, doneAt?: number, system: IfPlan['system'] = null,
  ): Promise<{ walks: ColumnWalk[]; ifNumber: number | undefined } | null> {
    const steady = system !== null;
    const sysOids = steady ? STEADY_SYSTEM_OIDS : SYSTEM_OIDS;
    const nonRep = sysOids.length + 1;
    if (p.sp.noCombinedBulk || reps < 1 || reps > opts.max_repetitions || nonRep + bases.length * reps > varbindBudget) return null;
    let vbs: Array<Vb | Vb[]>;
    try {
      vbs = await p.s.getBulk(withNonRepeaters(bases, steady), nonRep, reps);
    } catch (err) {
      if (agentErrorStatus(err) === null) throw err;
      p.sp.noCombinedBulk = true;
      log.debug({ site: p.result.site, err: (err as Error).message }, 'snmp agent refused a GETBULK with non-repeaters; GET + walk from now on');
      return null;
    }
    takeSystem(p, systemVarbinds(vbs, sysOids));
    if (system && p.result.system) Object.assign(p.result.system, system);
    const walks = bases.map(columnWalk);
    for (let j = 0; j < walks.length; j++) absorb(walks[j]!, (vbs[nonRep + j] as Vb[] | undefined) ?? [], doneAt);
    return { walks, ifNumber: readIfNumber(vbs[sysOids.length] as Vb | undefined) };
  }

  /** GET of the system group + ifNumber.0 (a v1 agent without ifNumber.0 fails the whole GET: then the group alone). */
  async function getSystem(p: Poll): Promise<number | undefined> {
    let sys: Vb[];
    if (p.s.version === '1' && p.sp.noIfNumber) sys = await p.s.get(SYSTEM_OIDS);
    else {
      try {
        sys = await p.s.get(NON_REPEATERS);
      } catch (err) {
        if (!(p.s.version === '1' && noSuchNameOid(err) === IF_NUMBER)) throw err;
        p.sp.noIfNumber = true;
        sys = await p.s.get(SYSTEM_OIDS);
      }
    }
    takeSystem(p, sys);
    return readIfNumber(sys[SYSTEM_OIDS.length]);
  }

  /** A steady poll: the rows of the last full walk size ONE GETBULK (columns that do not fit: in parallel). */
  async function steadyPoll(p: Poll, plan: IfPlan): Promise<{ walks: ColumnWalk[]; resized: boolean }> {
    const bases = plan.columns;
    const n = plan.rows;
    const withSystem = steadyCombined(plan, p.sp, varbindBudget, opts.max_repetitions);
    const rest = withSystem > 0 ? bases.slice(withSystem).map(columnWalk) : [];
    const [got] = await Promise.all([
      withSystem > 0 ? bulkWithSystem(p, withSystem === bases.length ? bases : bases.slice(0, withSystem), n, n, plan.system ?? undefined) : null,
      rest.length > 0 ? walkTable(p, rest, { reps: n, doneAt: n }) : undefined,
    ]);
    const walks = got ? [...got.walks, ...rest] : bases.map(columnWalk);
    const ifNumber = got ? got.ifNumber : await getSystem(p);
    checkDeadline(p.deadline);
    if (ifNumber === plan.ifNumber) {
      await walkTable(p, walks, { reps: n, doneAt: n });
      return { walks, resized: false };
    }
    // the table changed: finish every column to its end now and read the names afresh
    for (const w of walks) if (w.rows.length >= n && !w.endSeen && !w.cut) w.done = false;
    for (const c of NAME_COLUMNS) if (plan.present.includes(c)) walks.push(columnWalk(c));
    await walkTable(p, walks, { reps: Math.max(1, (ifNumber ?? n) - n) + 1 });
    const resized = ifNumber !== undefined && walks.every((w) => w.endSeen && !w.cut);
    if (resized) plan.ifNumber = ifNumber;
    else plan.stable = false;
    return { walks, resized };
  }

  /** A full walk: v2c/v3 one combined GETBULK then the rest sized by ifNumber.0; v1 a GET then GETNEXT. */
  async function fullPoll(p: Poll, plan: IfPlan | null): Promise<{ walks: ColumnWalk[]; ifNumber: number | undefined }> {
    const v1 = p.s.version === '1';
    const firstReps = firstRepetitions(plan, varbindBudget, opts.max_repetitions);
    const got = v1 ? null : await bulkWithSystem(p, IF_COLUMNS, firstReps);
    const walks = got?.walks ?? (v1 ? IF_COLUMNS_V1 : IF_COLUMNS).map(columnWalk);
    const ifNumber = got ? got.ifNumber : await getSystem(p);
    // only once the agent has answered: a dead agent costs one timeout, not two
    const expected = Math.max(plan?.rows ?? -1, ifNumber ?? -1);
    checkDeadline(p.deadline);
    await walkTable(p, walks, { reps: expected < 0 ? opts.max_repetitions : Math.max(1, expected + 1 - (got ? firstReps : 0)) });
    return { walks, ifNumber };
  }

  async function pollInterfaces(p: Poll): Promise<void> {
    const v1 = p.s.version === '1';
    const plan = p.sp.ifPlan;
    const steady = isSteady(plan, fullWalkEvery);
    let walks: ColumnWalk[];
    let ifNumber: number | undefined;
    let resized = false;
    if (steady) {
      ({ walks, resized } = await steadyPoll(p, plan));
      plan.sinceFull++;
    } else {
      ({ walks, ifNumber } = await fullPoll(p, plan));
    }
    const wasCut = walks.some((w) => w.cut);
    if (wasCut) {
      // OIDs out of order: walk each such column again on its own; keep whichever attempt read more
      const rows = maxRows(walks);
      await Promise.all(walks.map(async (w, j) => {
        if (!w.cut) return;
        const again = columnWalk(w.base);
        await walkTable(p, [again], { reps: rows + 1 });
        if (!again.cut || again.rows.length > w.rows.length) walks[j] = again;
      }));
    }
    const cachedNames = steady ? plan.names : undefined;
    let ifs = decodeInterfaces(toColumnRows(walks, cachedNames), !v1);
    if (steady && plan.hc && ifs.value.some((i) => i.counter_bits === 32)) {
      // a row without HC counters (a new interface?): read the 32-bit octets after all
      const extra = OCTETS_32.map(columnWalk);
      await walkTable(p, extra, { reps: maxRows(walks) + 1 });
      walks.push(...extra);
      ifs = decodeInterfaces(toColumnRows(walks, cachedNames), true);
      plan.hc = false;
      plan.columns = steadyColumns(false, plan.present);
    }
    const cut = cutProblems(walks, COLUMN_NAME);
    p.problems.push(...cut, ...ifs.problems);
    p.result.interfaces = ifs.value;
    if (wasCut) log.debug({ site: p.result.site, columns: cut.length }, 'snmp walk cut by out-of-order OIDs; columns re-walked');
    const uptime = p.result.system?.uptime_ticks ?? -1;
    if (steady) updateAfterSteady(plan, { walks, resized, wasCut, uptime });
    else {
      const sys = p.result.system;
      p.sp.ifPlan = planAfterFull({
        v1, walks, ifNumber, ifs: ifs.value, wasCut, uptime,
        system: sys ? { sys_name: sys.sys_name, sys_descr: sys.sys_descr, sys_object_id: sys.sys_object_id } : null,
      });
    }
  }

  async function vendorExtras(p: Poll, site: Site): Promise<void> {
    const extras = VENDOR_EXTRAS[site.vendor ?? 'generic'];
    if (extras.length === 0 || performance.now() > p.deadline) return;
    const ask = {
      get: (oids: readonly string[]) => p.s.get(oids),
      walkColumn: async (oid: string) => {
        const w = columnWalk(oid);
        const known = p.sp.lastRows?.get(oid);
        await walkTable(p, [w], { reps: known !== undefined ? known + 1 : opts.max_repetitions });
        (p.sp.lastRows ??= new Map()).set(oid, w.rows.length);
        return w.rows;
      },
    };
    for (const extra of extras) {
      try { await extra(ask, p.result); } catch { /* best effort: the main result stands */ }
    }
  }

  async function pollInner(p: Poll, site: Site, what: SnmpPollWhat): Promise<void> {
    if (what.interfaces) await pollInterfaces(p);
    else if (what.system) takeSystem(p, await p.s.get(SYSTEM_OIDS));
    await vendorExtras(p, site);
    if (p.problems.length) {
      p.result.status = 'error';
      p.result.reason = p.problems.length > 3 ? `${p.problems.slice(0, 3).join('; ')}; and ${p.problems.length - 3} more` : p.problems.join('; ');
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
        const s = client.open({ site: site.id, host: site.host, access: site.snmp });
        const p: Poll = { s, sp: planFor(site, site.snmp), deadline: opts.deadline_ms !== undefined ? t0 + opts.deadline_ms : Infinity, result, problems: [] };
        await pollInner(p, site, what);
      } catch (err) {
        const f = err instanceof SnmpFailure ? err : new SnmpFailure('error', scrub(String((err as Error)?.message ?? err), site.snmp === false ? [] : secretsOf(site.snmp)));
        result.status = f.status;
        result.reason = f.message;
      }
      result.duration_ms = Math.round((performance.now() - t0) * 10) / 10;
      const last = lastOutcome.get(site.id);
      if (!last || last.status !== result.status || last.reason !== result.reason) {
        lastOutcome.set(site.id, result.status === 'ok' && result.reason === undefined ? OK_OUTCOME : { status: result.status, reason: result.reason });
        log[result.status === 'ok' ? 'info' : 'warn']({ site: site.id, status: result.status, reason: result.reason, duration_ms: result.duration_ms }, 'snmp status changed');
      }
      return result;
    },
    close() {
      closed = true;
      plans.clear();
      client.close();
    },
    stats: () => client.stats(),
  };
}
