/**
 * In-memory implementations of the API's narrow interfaces (src/api/deps.ts), a small fleet in
 * two groups (former districts kept as the optional level), and users of every role, on a REAL SQLite file. `reset()` restores the
 * incidents and maintenance windows so table-driven cases do not see each other's writes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { settingsWithDefaults, siteWithDefaults } from '../../../src/config/defaults.js';
import type { Inventory, Site } from '../../../src/config/schema.js';
import { ManualClock } from '../../../src/core/clock.js';
import { InputError } from '../../../src/core/errors.js';
import { silentLogger } from '../../../src/core/logger.js';
import { openDatabase, type Db } from '../../../src/store/sqlite.js';
import type {
  ApiDeps, IncidentOutcome, CoverageParams, CoverageReport, HistoryKind, Incident, IncidentRepo, LatestMeasurements, LiveState,
  MaintenanceInput, MaintenanceWindow, MetricSample, RunbookStepRecord, Series,
} from '../../../src/api/deps.js';
import { buildServer } from '../../../src/api/server.js';
import { AuthStore } from '../../../src/api/auth/store.js';
import { runbookSource } from '../../../src/api/adapters.js';
import { loadRunbooks } from '../../../src/runbooks/load.js';
import type { Role, ScopeEntry } from '../../../src/api/auth/scope.js';

export const NOW = Date.UTC(2026, 10, 20, 3, 0); // 10:00 in Vietnam
const MIN = 60_000;
const H = 60 * MIN;

/** Values that must never appear in any response. */
export const SECRETS = ['community-SECRET-a1', 'community-SECRET-c1', 'authkey-SECRET-b1', 'privkey-SECRET-b1'];

export const PROVINCE = 'Tỉnh Thử';
/** Groups: the province keeps its former districts as the optional level between province and commune. */
export const D1 = 'Huyện Một';
export const D2 = 'Huyện Hai';
export const CA = 'Xã An';
export const CB = 'Xã Bình';
export const CC = 'Xã Cát';

function site(id: string, name: string, group: string, commune: string, extra: Partial<Site> = {}): Site {
  return siteWithDefaults({ id, name, kind: 'cultural_house', province: PROVINCE, group, commune, host: '192.0.2.1', snmp: false, uplink: '4g', ...extra });
}

export function fleet(): Inventory {
  return {
    sites: [
      site('a1', 'Nhà văn hóa thôn 1', D1, CA, { snmp: { version: '2c', community: SECRETS[0]! }, contacts: [{ name: 'Chị Lan', phone: '0912 345 678' }] }),
      site('a2', 'Điểm thông tin xã An', D1, CA),
      site('a3', 'Trường tiểu học An', D1, CA, { kind: 'school' }),
      site('b1', 'UBND xã Bình', D1, CB, { kind: 'commune_office', snmp: { version: '3', user: 'pw', auth: { protocol: 'sha', key: SECRETS[2]! }, priv: { protocol: 'aes', key: SECRETS[3]! } } }),
      site('b2', 'Nhà văn hóa thôn 2 <b>', D1, CB, { parent: 'b1' }),
      site('c1', 'Nhà văn hóa Cát', D2, CC, { snmp: { version: '1', community: SECRETS[1]! } }),
      site('c2', 'Điểm thông tin Cát', D2, CC),
    ],
    areas: [],
  };
}

export function liveStates(): Map<string, LiveState> {
  return new Map<string, LiveState>([
    ['a1', { state: 'DOWN', since: NOW - 2 * H, detail: 'no ping reply: 5 sent, 0 received, 2 checks' }],
    ['a2', { state: 'UP', since: NOW - 30 * H, detail: '' }],
    ['a3', { state: 'DEGRADED', since: NOW - 20 * MIN, detail: 'loss_pct 42 > 20 for 3 checks' }],
    ['b1', { state: 'UP', since: NOW - 5 * H, detail: '' }],
    ['b2', { state: 'MAINTENANCE', since: NOW - H, detail: 'in a maintenance window' }],
    ['c1', { state: 'DOWN', since: NOW - 3 * H, detail: 'no reply' }],
    ['c2', { state: 'UNREACHABLE', since: NOW - 3 * H, detail: 'parent c1 DOWN' }],
  ]);
}

function incidents(): Incident[] {
  const base = {
    cause: null, resolved_at: null, acknowledged_at: null, acknowledged_by: null, ack_note: null, affected: [] as string[], province: PROVINCE,
    notified_at: null, hold_until: null, merged_into: null, duration_s: null, resolve_detail: null, escalated: [] as Incident['escalated'],
  };
  return [
    { ...base, id: 1, kind: 'site-down', site_id: 'a1', commune: CA, group: D1, state: 'DOWN', detail: 'no ping reply: 5 sent, 0 received, 2 checks', opened_at: NOW - 2 * H },
    { ...base, id: 2, kind: 'site-down', site_id: 'c1', commune: CC, group: D2, state: 'DOWN', detail: 'no reply', opened_at: NOW - 3 * H, affected: ['c2'] },
    { ...base, id: 3, kind: 'high-loss', site_id: 'b1', commune: CB, group: D1, state: 'DEGRADED', detail: 'loss_pct 30 > 20 for 3 checks', opened_at: NOW - 30 * H, resolved_at: NOW - 28 * H, cause: 'link' },
    { ...base, id: 4, kind: 'power-cut-suspected', site_id: null, commune: CC, group: D2, state: 'DOWN', detail: '2 of 2 sites down within 3m', opened_at: NOW - 3 * H },
  ];
}

function windows(): MaintenanceWindow[] {
  return [
    { id: 1, sites: [], communes: [CA], groups: [], start: NOW - H, end: NOW + H, reason: 'planned power cut (EVN)', created_by: 'admin', created_at: NOW - 2 * H, cron: null, duration_ms: null, source: 'manual' },
    { id: 2, sites: [], communes: [], groups: [D2], start: NOW + 24 * H, end: NOW + 26 * H, reason: 'fibre works', created_by: 'admin', created_at: NOW - 2 * H, cron: null, duration_ms: null, source: 'csv:evn.csv' },
  ];
}

export class MemoryIncidents implements IncidentRepo {
  items = incidents();
  stepLog = new Map<number, RunbookStepRecord[]>();
  win = windows();
  private nextWin = 100;
  reset(): void {
    this.items = incidents();
    this.stepLog.clear();
    this.outcomes.clear();
    this.win = windows();
  }
  listIncidents(opts: { includeResolved: boolean }): Incident[] {
    return this.items.filter((i) => opts.includeResolved || i.resolved_at === null).map((i) => ({ ...i }));
  }
  getIncident(id: number): Incident | null {
    const i = this.items.find((x) => x.id === id);
    return i ? { ...i } : null;
  }
  acknowledge(id: number, by: string, note: string | null, at: number): void {
    const i = this.items.find((x) => x.id === id)!;
    Object.assign(i, { acknowledged_by: by, ack_note: note, acknowledged_at: at });
  }
  recordStep(id: number, rec: RunbookStepRecord): void {
    const list = this.stepLog.get(id) ?? [];
    list.push(rec);
    this.stepLog.set(id, list);
  }
  steps(id: number): RunbookStepRecord[] {
    const latest = new Map<number, RunbookStepRecord>();
    for (const r of this.stepLog.get(id) ?? []) latest.set(r.step, r);
    return [...latest.values()].sort((a, b) => a.step - b.step);
  }
  stepHistory(id: number): RunbookStepRecord[] {
    return [...(this.stepLog.get(id) ?? [])];
  }
  outcomes = new Map<number, IncidentOutcome>();
  recordOutcome(id: number, o: IncidentOutcome): void {
    this.outcomes.set(id, o);
  }
  outcome(id: number): IncidentOutcome | null {
    return this.outcomes.get(id) ?? null;
  }
  listMaintenance(): MaintenanceWindow[] {
    return this.win.map((w) => ({ ...w }));
  }
  createMaintenance(input: MaintenanceInput, at: number): MaintenanceWindow {
    const w: MaintenanceWindow = { cron: null, duration_ms: null, source: 'manual', ...input, id: this.nextWin++, created_at: at };
    this.win.push(w);
    return w;
  }
  deleteMaintenance(id: number): boolean {
    const n = this.win.length;
    this.win = this.win.filter((w) => w.id !== id);
    return this.win.length < n;
  }
}

/** A history reader whose store can be "taken down". Deterministic series from the clock. */
export class MemoryHistory {
  down = false;
  calls = 0;
  constructor(private readonly stepMs = 5 * MIN) {}
  async ping(): Promise<boolean> {
    if (this.down) throw new Error('connect ECONNREFUSED 127.0.0.1:8086');
    return true;
  }
  async siteHistory(siteId: string, from: number, to: number, what: HistoryKind): Promise<Series> {
    this.calls++;
    if (this.down) throw new Error('connect ECONNREFUSED 127.0.0.1:8086');
    const step = Math.max(this.stepMs, Math.floor((to - from) / 500));
    const points: Series['points'] = [];
    for (let t = from - (from % step) + step, k = 0; t < to; t += step, k++) {
      const down = siteId === 'a1' && t > NOW - 2 * H;
      if (what === 'ping') points.push({ t, values: down ? { loss_pct: 100, rtt_avg_ms: null, rtt_max_ms: null, jitter_ms: null } : { loss_pct: k % 7 === 0 ? 20 : 0, rtt_avg_ms: 40 + (k % 13) * 3, rtt_max_ms: 90, jitter_ms: 4 } });
      else if (what === 'bandwidth') points.push({ t, values: down ? { in_bps: null, out_bps: null } : { in_bps: 2e6 + (k % 24) * 2e5, out_bps: 5e5 + (k % 10) * 1e5 } });
      else if (what === 'state') points.push({ t, values: { state_code: down ? 5 : 0 } });
    }
    // No LTE figures and no push reports in this fleet (every site is polled): the real reader is tested on a real influxd.
    const fields = what === 'ping' ? ['loss_pct', 'rtt_avg_ms', 'rtt_max_ms', 'jitter_ms'] : what === 'bandwidth' ? ['in_bps', 'out_bps'] : what === 'state' ? ['state_code'] : [];
    return { what, from, to, fields, points };
  }
}

/** The REAL runbooks of the repository (config/runbooks/<lang>/<kind>.md), through the adapter. */
export const RUNBOOK_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../config/runbooks');

export interface Fixture {
  app: FastifyInstance;
  deps: ApiDeps;
  db: Db;
  dir: string;
  clock: ManualClock;
  history: MemoryHistory;
  incidents: MemoryIncidents;
  auth: AuthStore;
  inventory: { current: Inventory; next: Inventory | InputError };
  /** A Bearer token for each user (name → token). */
  tokens: Record<string, string>;
  coverageCalls: CoverageParams[];
  close(): Promise<void>;
}

export const USERS: Array<{ name: string; role: Role; scope: ScopeEntry[]; password: string }> = [
  { name: 'admin', role: 'admin', scope: [], password: 'admin-pass-1' },
  { name: 'op', role: 'operator', scope: [{ level: 'commune', name: CA }], password: 'op-pass-123' },
  { name: 'trainee', role: 'trainee', scope: [{ level: 'commune', name: CA }], password: 'trainee-pass-1' },
  { name: 'reviewer', role: 'reviewer', scope: [{ level: 'group', name: D1 }], password: 'reviewer-pass-1' },
  { name: 'op2', role: 'operator', scope: [{ level: 'commune', name: CC }], password: 'op2-pass-123' },
];

/** A bigger fleet: `n` sites in communes of 5, every state represented (size tests, screenshots). */
export function bigFleet(n: number): { inventory: Inventory; states: Map<string, LiveState> } {
  const order = ['UP', 'UP', 'UP', 'DEGRADED', 'UP', 'DOWN', 'UP', 'UNREACHABLE', 'MAINTENANCE', 'UNKNOWN'] as const;
  const communes = ['Xã An', 'Xã Bình', 'Xã Cát', 'Xã Đông', 'Xã Hòa', 'Xã Lâm', 'Xã Minh', 'Xã Phú', 'Xã Sơn', 'Xã Tân'];
  const sites: Site[] = [];
  const states = new Map<string, LiveState>();
  for (let i = 0; i < n; i++) {
    const c = communes[Math.floor(i / 5) % communes.length]!;
    const id = `s${String(i + 1).padStart(3, '0')}`;
    sites.push(site(id, `Nhà văn hóa thôn ${i + 1} – ${c}`, i < n / 2 ? D1 : D2, c, { snmp: { version: '2c', community: `community-SECRET-${id}` } }));
    const st = order[i % order.length]!;
    states.set(id, { state: st, since: NOW - (i + 1) * 37 * MIN, detail: st === 'UP' ? '' : st === 'DOWN' ? 'no reply to 5 pings for 2 checks' : st === 'DEGRADED' ? 'loss_pct 32 > 20 for 3 checks' : st === 'UNREACHABLE' ? 'parent down' : '' });
  }
  return { inventory: { sites, areas: [] }, states };
}

export interface FixtureOptions {
  settings?: unknown;
  passwords?: boolean;
  fleet?: { inventory: Inventory; states: Map<string, LiveState> };
  /** Replace some deps with real implementations (the base deps are built first). */
  deps?: (base: ApiDeps) => Partial<ApiDeps>;
}

export async function makeFixture(opts: FixtureOptions = {}): Promise<Fixture> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pwapi-'));
  const db = openDatabase(path.join(dir, 'pointwatch.db'));
  const clock = new ManualClock(NOW);
  const history = new MemoryHistory();
  const incidentsRepo = new MemoryIncidents();
  const inventory = { current: opts.fleet?.inventory ?? fleet(), next: fleet() as Inventory | InputError };
  const states = opts.fleet?.states ?? liveStates();
  const coverageCalls: CoverageParams[] = [];
  const settings = settingsWithDefaults({ data_dir: dir, ...(opts.settings as object | undefined) });
  const metrics: MetricSample[] = [
    { name: 'pointwatch_cycle_duration_seconds', help: 'Duration of the last poll cycle', type: 'gauge', labels: { probe: 'ping' }, value: 1.25 },
    { name: 'pointwatch_spool_depth_points', help: 'Points waiting in the spool', type: 'gauge', value: 0 },
    { name: 'pointwatch_notifications_sent_total', help: 'Notifications delivered', type: 'counter', labels: { channel: 'email' }, value: 7 },
  ];
  const latest = (id: string): LatestMeasurements | null =>
    id === 'a2' ? { ts: NOW - 30_000, loss_pct: 0, rtt_avg_ms: 43.2, jitter_ms: 3.1, uptime_s: 5 * 86400, last_reboot: null, wan: { name: 'lte1', in_bps: 2.5e6, out_bps: 6e5, oper_up: true, speed_bps: 5e7 }, wireless_clients: 4 } : null;

  const deps: ApiDeps = {
    settings,
    inventory: () => inventory.current,
    reloadInventory: async () => {
      if (inventory.next instanceof InputError) throw inventory.next;
      inventory.current = inventory.next;
      return inventory.current;
    },
    live: { states: () => states, latest },
    history,
    incidents: incidentsRepo,
    runbooks: runbookSource(loadRunbooks(RUNBOOK_DIR)),
    coverage: async (p: CoverageParams): Promise<CoverageReport> => {
      coverageCalls.push(p);
      if (history.down) throw new Error('connect ECONNREFUSED');
      const sites = inventory.current.sites.filter((s) => p.sites.includes(s.id));
      const key = (s: Site) => (p.group_by === 'site' ? s.name : p.group_by === 'commune' ? s.commune : s.group ?? '');
      const names = [...new Set(sites.map(key))];
      return {
        from: p.from, to: p.to, group_by: p.group_by, target_pct: settings.reports.target_pct,
        rows: names.map((n, i) => ({ name: n, availability_pct: i === 0 ? 91.5 : 99.2, down_min: i === 0 ? 1224 : 115, incidents: i + 1, class: i === 0 ? 'at_risk' : 'live', main_cause: i === 0 ? 'power' : null })),
        summary: { sites: sites.length, sites_meeting_target: names.length - 1, resolution: 'rollup_1h' },
        incidents: incidentsRepo.items.filter((i) => i.site_id !== null && p.sites.includes(i.site_id)).map((i) => {
          const o = incidentsRepo.outcome(i.id);
          return {
            id: i.id, site: i.site_id!, name: sites.find((x) => x.id === i.site_id)?.name ?? i.site_id!, commune: i.commune, kind: i.kind, cause: i.cause ?? 'unknown',
            opened: i.opened_at, resolved: i.resolved_at, outcome: o ? { cause_found: o.cause_found, actions: o.actions, parts: o.parts, by: o.by } : null,
          };
        }),
      };
    },
    metrics: () => metrics,
    db,
    sessionSecret: 'test-session-secret-0123456789abcdef',
    clock,
    logger: silentLogger(),
  };
  Object.assign(deps, opts.deps?.(deps) ?? {});
  const app = await buildServer(deps);
  const auth = new AuthStore(db, () => clock.now());
  const tokens: Record<string, string> = {};
  for (const u of USERS) {
    const p = await auth.addUser(u.name, u.role, u.scope, opts.passwords ? u.password : null);
    tokens[u.name] = auth.createToken(p.id, 'test').token;
  }
  return {
    app, deps, db, dir, clock, history, incidents: incidentsRepo, auth, inventory, tokens, coverageCalls,
    async close() {
      await app.close();
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
