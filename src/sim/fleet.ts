/**
 * The fleet simulator: N simulated village routers, each a net-snmp agent on its own UDP
 * endpoint, with faults on demand (function calls in-process; HTTP control port for the CLI),
 * and the inventory (`sites.yaml`) of the fleet it serves.
 *
 * Addresses: healthy sites answer on 127.20.x.y (all of 127/8 is loopback, and ping answers).
 * Where we are root, sites that start with a network fault (down, flapping, lossy), plus any in
 * `netnsSites`, live in a network namespace (netns.ts) where the fault is real for ICMP and SNMP.
 * Without root every fault is SNMP-level only, and `fleet.netns` says so.
 */
import { writeFile } from 'node:fs/promises';
import http from 'node:http';
import YAML from 'yaml';
import type { Clock } from '../core/clock.js';
import { systemClock } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Inventory } from '../config/schema.js';
import type { PolledSite as Site } from '../core/types.js';
import { SimAgent, type SimCredentials } from './agent.js';
import { assignFaults, formatFault, parseFault, type FaultItem } from './faults.js';
import { RouterModel, routerSpec, isFlapDown, type Fault } from './model.js';
import { createSimNetns, isRoot, reapStaleNamespaces, type SimNetns } from './netns.js';

export const DEFAULT_CREDS: SimCredentials = {
  community: 'simpublic',
  v3: { user: 'simv3', auth_key: 'simauthkey123', priv_key: 'simprivkey123' },
};

export interface FleetOptions {
  sites: number;
  /** First UDP port; site i uses basePort + i. */
  basePort: number;
  /** Second octet of the loopback block (127.<block>.x.y), default 20. */
  loopbackBlock?: number;
  faults?: FaultItem[];
  /** 'auto' (default): a namespace for network-faulty sites when root; 'off': SNMP-level faults only. */
  netns?: 'auto' | 'off';
  /** Extra site ids to place in the namespace (so network faults can be switched on at runtime). */
  netnsSites?: string[];
  clock?: Clock;
  creds?: SimCredentials;
  logger?: Logger;
  /** Id prefix, default "sim". Site ids are `<prefix>-0001` ... */
  prefix?: string;
}

export interface SimSiteState {
  id: string;
  host: string;
  port: number;
  uplink: string;
  hc: boolean;
  v3: boolean;
  fault: string;
  /** Where the fault is real: 'network' (namespace iptables: ICMP + SNMP) or 'snmp' (agent only). */
  fault_on: 'network' | 'snmp' | null;
  reboots: number;
  requests: number;
  dropped: number;
}

export interface Fleet {
  readonly sites: Site[];
  readonly inventory: Inventory;
  readonly netns: { active: boolean; name?: string; reason?: string };
  router(id: string): { model: RouterModel; agent: SimAgent };
  setFault(id: string, fault: Fault | null): Promise<SimSiteState>;
  state(): SimSiteState[];
  writeInventory(path: string): Promise<void>;
  /** Start the HTTP control API on 127.0.0.1:`port` (0 = any); resolves to the bound port. */
  listenControl(port: number): Promise<number>;
  close(): Promise<void>;
}

// post-2025 provinces (two tiers: province → commune, no district)
const PROVINCES = ['Tuyen Quang', 'Lao Cai', 'Dien Bien', 'Son La'];
const KINDS = ['cultural_house', 'info_point', 'commune_office', 'school', 'other'] as const;
const NET_FAULTS = new Set(['down', 'flapping', 'lossy']);

/** Province / commune of site i: 4 sites per commune, communes dealt round the provinces. */
export function placeOf(i: number): { province: string; commune: string } {
  const commune = Math.floor(i / 4);
  return { province: PROVINCES[commune % PROVINCES.length]!, commune: `Xa ${commune + 1}` };
}

export function loopbackHost(block: number, i: number): string {
  return `127.${block}.${Math.floor(i / 250)}.${(i % 250) + 1}`;
}

export async function createFleet(opts: FleetOptions): Promise<Fleet> {
  const clock = opts.clock ?? systemClock;
  const creds = opts.creds ?? DEFAULT_CREDS;
  const block = opts.loopbackBlock ?? 20;
  const prefix = opts.prefix ?? 'sim';
  const log = opts.logger?.child({ component: 'sim' });
  if (opts.sites < 1 || opts.sites > 60_000) throw new Error(`sim: --sites must be 1..60000 (got ${opts.sites})`);
  if (opts.basePort < 1024 || opts.basePort + opts.sites > 65_535) {
    throw new Error(`sim: ports ${opts.basePort}..${opts.basePort + opts.sites - 1} are out of range 1024..65535`);
  }
  const ids = Array.from({ length: opts.sites }, (_, i) => `${prefix}-${String(i + 1).padStart(4, '0')}`);
  const initial = assignFaults(opts.faults ?? [], ids);

  // ---- namespace for network-faulty sites
  let ns: SimNetns | null = null;
  let nsInfo: Fleet['netns'] = { active: false };
  const nsIds = new Set<string>(opts.netnsSites ?? []);
  for (const [id, f] of initial) if (NET_FAULTS.has(f.kind)) nsIds.add(id);
  if (opts.netns === 'off') {
    nsInfo = { active: false, reason: 'disabled (--no-netns): faults are SNMP-level only' };
  } else if (!isRoot()) {
    nsInfo = { active: false, reason: 'not root: faults are SNMP-level only (ping to every site answers)' };
  } else if (nsIds.size > 0) {
    await reapStaleNamespaces().catch(() => []);
    ns = await createSimNetns(ids.flatMap((id, i) => (nsIds.has(id) ? [{ id, port: opts.basePort + i }] : [])));
    nsInfo = { active: true, name: ns.name };
  } else {
    nsInfo = { active: false, reason: 'no network-faulty site' };
  }
  if (!nsInfo.active && nsInfo.reason) log?.warn({ reason: nsInfo.reason }, 'sim: no namespace');

  // ---- routers and agents
  const routers = new Map<string, { model: RouterModel; agent: SimAgent; i: number }>();
  const sites: Site[] = [];
  const flapTimers = new Map<string, NodeJS.Timeout>();
  const now = clock.now();
  // agents bind 100 at a time (2,000 agents start in a few seconds instead of one by one)
  const started: Array<SimAgent | undefined> = new Array(ids.length);
  const models = ids.map((id, i) => {
    const inNs = ns?.hosts.get(id);
    const spec = routerSpec(i, { id, port: opts.basePort + i, host: inNs ?? loopbackHost(block, i) });
    const model = new RouterModel(spec, now);
    model.faultsOnNetwork = Boolean(inNs);
    return model;
  });
  try {
    for (let from = 0; from < ids.length; from += 100) {
      const batch = models.slice(from, from + 100);
      const res = await Promise.allSettled(
        batch.map((m) => SimAgent.start(m, { addresses: [m.faultsOnNetwork ? ns!.rootAddr : m.spec.host], clock, creds })),
      );
      res.forEach((r, k) => { if (r.status === 'fulfilled') started[from + k] = r.value; });
      const failed = res.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    }
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      const model = models[i]!;
      const spec = model.spec;
      const { port, host } = spec;
      routers.set(id, { model, agent: started[i]!, i });
      const place = placeOf(i);
      sites.push({
        id,
        name: `Simulated point ${i + 1}`,
        kind: KINDS[i % KINDS.length]!,
        ...place,
        host,
        snmp: spec.v3
          ? { version: '3', user: creds.v3.user, auth: { protocol: 'sha', key: creds.v3.auth_key }, priv: { protocol: 'aes', key: creds.v3.priv_key }, port }
          : { version: '2c', community: creds.community, port },
        uplink: spec.uplink,
        vendor: spec.vendor,
        contacts: [],
        tags: ['simulated', spec.hc ? 'hc' : '32bit', ...(spec.v3 ? ['v3'] : [])],
        // the commune office is the parent of the other sites of its commune
        ...(i % 4 !== 0 ? { parent: ids[i - (i % 4)]! } : {}),
      });
    }
  } catch (err) {
    await Promise.all(started.filter((a): a is SimAgent => a !== undefined).map((a) => a.close()));
    await ns?.close();
    throw err;
  }

  const setFault = async (id: string, fault: Fault | null): Promise<SimSiteState> => {
    const r = routers.get(id);
    if (!r) throw new Error(`sim: unknown site "${id}"`);
    const t = flapTimers.get(id);
    if (t) clearInterval(t);
    flapTimers.delete(id);
    r.model.setFault(fault, clock.now());
    if (ns && r.model.faultsOnNetwork) {
      if (fault?.kind === 'down') await ns.setFault(id, { kind: 'down' });
      else if (fault?.kind === 'lossy') await ns.setFault(id, { kind: 'lossy', p: fault.p });
      else if (fault?.kind === 'flapping') {
        const since = clock.now();
        const apply = async () => {
          const down = isFlapDown(fault.period_s, clock.now() - since);
          await ns!.setFault(id, down ? { kind: 'down' } : null).catch((e: unknown) => log?.error({ site: id, err: errorMessage(e) }, 'sim: flap rule failed'));
        };
        await apply();
        const timer = setInterval(() => void apply(), Math.max(250, (fault.period_s * 1000) / 4));
        timer.unref();
        flapTimers.set(id, timer);
      } else await ns.setFault(id, null);
    }
    log?.info({ site: id, fault: formatFault(fault) }, 'sim: fault set');
    return stateOf(id);
  };

  const stateOf = (id: string): SimSiteState => {
    const r = routers.get(id)!;
    const f = r.model.fault;
    return {
      id,
      host: r.model.spec.host,
      port: r.model.spec.port,
      uplink: r.model.spec.uplink,
      hc: r.model.spec.hc,
      v3: r.model.spec.v3,
      fault: formatFault(f),
      fault_on: !f ? null : r.model.faultsOnNetwork && f.kind !== 'slow' && NET_FAULTS.has(f.kind) ? 'network' : 'snmp',
      reboots: r.model.reboots,
      requests: r.agent.stats.requests,
      dropped: r.agent.stats.dropped,
    };
  };

  for (const [id, f] of initial) await setFault(id, f);

  const inventory: Inventory = { sites, areas: [] };
  let server: http.Server | null = null;

  const fleet: Fleet = {
    sites,
    inventory,
    netns: nsInfo,
    router(id) {
      const r = routers.get(id);
      if (!r) throw new Error(`sim: unknown site "${id}"`);
      return { model: r.model, agent: r.agent };
    },
    setFault,
    state: () => ids.map(stateOf),
    async writeInventory(path) {
      const header =
        `# Inventory of a simulated fleet (pointwatch simulate), ${sites.length} sites.\n` +
        `# Do not edit: it is rewritten on every start.\n`;
      await writeFile(path, header + YAML.stringify(inventory), 'utf8');
    },
    listenControl(port) {
      server = http.createServer((req, res) => void control(req, res));
      return new Promise((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(port, '127.0.0.1', () => resolve((server!.address() as { port: number }).port));
      });
    },
    async close() {
      for (const t of flapTimers.values()) clearInterval(t);
      flapTimers.clear();
      if (server) await new Promise<void>((r) => server!.close(() => r()));
      await Promise.all([...routers.values()].map((r) => r.agent.close()));
      await ns?.close();
    },
  };

  /**
   * Control API (127.0.0.1 only):
   *   GET  /sites                    → [SimSiteState]
   *   POST /sites/ID/fault?set=SPEC  → SimSiteState  (SPEC as in --faults, e.g. down, slow:4000, reboot; "none" clears)
   */
  async function control(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const send = (code: number, body: unknown) => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    try {
      if (req.method === 'GET' && url.pathname === '/sites') return send(200, fleet.state());
      const m = /^\/sites\/([a-z0-9-]+)\/fault$/.exec(url.pathname);
      if (req.method === 'POST' && m) {
        const id = m[1]!;
        if (!routers.has(id)) return send(404, { error: `unknown site "${id}"` });
        const spec = url.searchParams.get('set') ?? 'none';
        const fault = spec === 'none' ? null : parseFault(spec, 'set');
        return send(200, await setFault(id, fault));
      }
      send(404, { error: 'not found' });
    } catch (err) {
      send(400, { error: errorMessage(err) });
    }
  }

  return fleet;
}
