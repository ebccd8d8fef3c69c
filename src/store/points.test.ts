import { describe, expect, it } from 'vitest';
import { siteWithDefaults } from '../config/defaults.js';
import type { SiteCheck } from '../core/types.js';
import { assertDeclared, eventPoint, pointsForCheck, siteTags, statePoint, SchemaViolation, UNKNOWN_TAG, type Point } from './points.js';
import { SITE_STATES } from './schema.js';

const site = siteWithDefaults({
  id: 'tl-01', name: 'Tân Lập cultural house', kind: 'cultural_house', province: 'Phú Thọ', group: 'Thanh Sơn',
  commune: 'Tân Lập', host: '192.0.2.10', snmp: { version: '2c', community: 'public' }, uplink: '4g',
});
const TS = Date.UTC(2026, 10, 20, 8, 0, 0, 123);

function check(over: Partial<SiteCheck> = {}): SiteCheck {
  return {
    site: 'tl-01', ts: TS, cycle: 1, recheck: false,
    ping: { site: 'tl-01', ts: TS + 5, status: 'ok', sent: 5, received: 4, loss_pct: 20, rtt_min_ms: 10.5, rtt_avg_ms: 12, rtt_max_ms: 15, jitter_ms: 1.25 },
    snmp: { site: 'tl-01', ts: TS + 7, duration_ms: 42, status: 'ok', wireless_clients: 7 },
    uptime_s: 3600, rebooted: false, rebooted_at: null,
    interfaces: [
      { name: 'ether1', index: 1, oper_up: true, admin_up: true, speed_bps: 1e8, in_bps: 1000, out_bps: 2000, in_errors_ps: 0, out_errors_ps: 0, in_discards_ps: null, out_discards_ps: null },
      { name: 'wlan1', index: 2, oper_up: false, admin_up: true, speed_bps: null, in_bps: null, out_bps: null, in_errors_ps: null, out_errors_ps: null, in_discards_ps: null, out_discards_ps: null, note: 'first-sample' },
    ],
    wan: { name: 'ether1', chosen_by: 'inventory' },
    ...over,
  };
}

const byName = (pts: Point[], m: string) => pts.filter((p) => p.measurement === m);

describe('pointsForCheck', () => {
  const cases: { name: string; check: SiteCheck; expect: (pts: Point[]) => void }[] = [
    {
      name: 'full check: ping + snmp + 2 interfaces, all stamped at check start',
      check: check(),
      expect: (pts) => {
        expect(pts.map((p) => p.measurement)).toEqual(['ping', 'snmp', 'interface', 'interface']);
        for (const p of pts) expect(p.timestamp).toBe(TS);
        expect(byName(pts, 'ping')[0]!.fields).toEqual({ up: 1, sent: 5, received: 4, loss_pct: 20, rtt_min_ms: 10.5, rtt_avg_ms: 12, rtt_max_ms: 15, jitter_ms: 1.25 });
        expect(byName(pts, 'ping')[0]!.tags).toEqual({ site: 'tl-01', commune: 'Tân Lập', group: 'Thanh Sơn', province: 'Phú Thọ', kind: 'cultural_house', uplink: '4g' });
        expect(byName(pts, 'snmp')[0]!.fields).toEqual({ reachable: 1, uptime_s: 3600, rebooted: 0, poll_ms: 42, wireless_clients: 7 });
        const [wan, wlan] = byName(pts, 'interface');
        expect(wan!.tags).toMatchObject({ ifname: 'ether1', wan: 'true' });
        expect(wan!.fields).toEqual({ oper_up: 1, in_bps: 1000, out_bps: 2000, speed_bps: 1e8, in_errors_ps: 0, out_errors_ps: 0 });
        expect(wlan!.tags).toMatchObject({ ifname: 'wlan1', wan: 'false' });
        expect(wlan!.fields).toEqual({ oper_up: 0 }); // nulls omitted
      },
    },
    {
      name: 'site down: ping all lost (up=0, rtt omitted), snmp timeout (reachable=0), no interfaces',
      check: check({
        ping: { site: 'tl-01', ts: TS, status: 'timeout', sent: 5, received: 0, loss_pct: 100, rtt_min_ms: null, rtt_avg_ms: null, rtt_max_ms: null, jitter_ms: null },
        snmp: { site: 'tl-01', ts: TS, duration_ms: 6000, status: 'timeout' },
        uptime_s: null, interfaces: [], wan: null,
      }),
      expect: (pts) => {
        expect(pts.map((p) => p.measurement)).toEqual(['ping', 'snmp']);
        expect(pts[0]!.fields).toEqual({ up: 0, sent: 5, received: 0, loss_pct: 100 });
        expect(pts[1]!.fields).toEqual({ reachable: 0, rebooted: 0, poll_ms: 6000 });
      },
    },
    {
      name: 'fping could not run (status error): no ping point, it is not an observation of the site',
      check: check({ ping: { site: 'tl-01', ts: TS, status: 'error', reason: 'fping: not found', sent: 0, received: 0, loss_pct: 100, rtt_min_ms: null, rtt_avg_ms: null, rtt_max_ms: null, jitter_ms: null }, snmp: null, interfaces: [] }),
      expect: (pts) => expect(pts).toEqual([]),
    },
    {
      name: 'reboot seen: rebooted=1; NaN rates are omitted, not written',
      check: check({ rebooted: true, uptime_s: 12, interfaces: [{ name: 'ether1', index: 1, oper_up: true, admin_up: true, speed_bps: Number.NaN, in_bps: Number.POSITIVE_INFINITY, out_bps: null, in_errors_ps: null, out_errors_ps: null, in_discards_ps: null, out_discards_ps: null, note: 'reboot' }] }),
      expect: (pts) => {
        expect(byName(pts, 'snmp')[0]!.fields).toMatchObject({ rebooted: 1, uptime_s: 12 });
        expect(byName(pts, 'interface')[0]!.fields).toEqual({ oper_up: 1 });
      },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const pts = pointsForCheck(site, c.check);
      c.expect(pts);
      for (const p of pts) assertDeclared(p);
    });
  }

  it('a site without uplink gets the tag value "unknown" (tag values cannot be empty)', () => {
    const s = siteWithDefaults({ ...site, uplink: undefined });
    delete (s as { uplink?: string }).uplink;
    expect(pointsForCheck(s, check())[0]!.tags.uplink).toBe(UNKNOWN_TAG);
  });
});

describe('statePoint', () => {
  for (const state of SITE_STATES) {
    it(`${state}: exactly one of up/down/unreachable/unknown/maintenance is 1`, () => {
      const p = statePoint(site, TS, state, 30);
      assertDeclared(p);
      const f = p.fields as Record<string, number>;
      expect(f.up! + f.down! + f.unreachable! + f.unknown! + f.maintenance!).toBe(1);
      expect(f.checked_s).toBe(30);
      expect(p.fields.state).toBe(state);
    });
  }
  it('DEGRADED counts as up (the point was usable)', () => {
    expect(statePoint(site, TS, 'DEGRADED', 30).fields).toMatchObject({ up: 1, state_code: 3 });
  });
});

describe('the svc tag (service hours, when the composition root passes a tagger)', () => {
  const seen: number[] = [];
  const svc = (ts: number) => { seen.push(ts); return ts === TS ? 'in x' : 'out x'; };
  it('site_state and ping carry it, computed from the check timestamp; snmp and interface do not', () => {
    const st = statePoint(site, TS + 1, 'UP', 30, svc);
    assertDeclared(st);
    expect(st.tags.svc).toBe('out x');
    const pts = pointsForCheck(site, check(), svc);
    for (const p of pts) assertDeclared(p);
    expect(byName(pts, 'ping')[0]!.tags.svc).toBe('in x');
    expect(pts.filter((p) => p.measurement !== 'ping').every((p) => !('svc' in p.tags))).toBe(true);
    expect(seen).toEqual([TS + 1, TS]);
  });
  it('without a tagger there is no svc tag (the report falls back to the 1-hour rollup for such data)', () => {
    expect('svc' in statePoint(site, TS, 'UP', 30).tags).toBe(false);
    expect('svc' in byName(pointsForCheck(site, check()), 'ping')[0]!.tags).toBe(false);
  });
});

describe('siteTags', () => {
  it('two tiers: no group tag at all when the site has no group (a tag value is never empty)', () => {
    const plain = siteWithDefaults({ id: 'ba-01', name: 'NVH', kind: 'cultural_house', province: 'Khánh Hòa', commune: 'Bác Ái', host: '192.0.2.1', snmp: false });
    expect(siteTags(plain)).toEqual({ site: 'ba-01', commune: 'Bác Ái', province: 'Khánh Hòa', kind: 'cultural_house', uplink: 'unknown' });
    for (const p of [...pointsForCheck(plain, check({ site: 'ba-01' })), statePoint(plain, TS, 'UP', 30)]) {
      assertDeclared(p);
      expect(Object.values(p.tags)).not.toContain('');
      expect(p.tags).not.toHaveProperty('group');
      expect(p.tags).not.toHaveProperty('district');
    }
  });
  it('an inventory from before the reform (district:) writes the group tag, never district', () => {
    const old = siteWithDefaults({ id: 'x', name: 'X', kind: 'other', province: 'Lào Cai', district: 'Bát Xát', commune: 'Y Tý', host: '192.0.2.1', snmp: false });
    expect(siteTags(old)).toMatchObject({ group: 'Bát Xát' });
    expect(siteTags(old)).not.toHaveProperty('district');
  });
});

describe('eventPoint', () => {
  it('site transition carries site tags + type', () => {
    const p = eventPoint(site, TS, 'transition', { from_state: 'UP', to_state: 'DOWN', text: 'no reply', value: undefined });
    assertDeclared(p);
    expect(p.tags).toMatchObject({ site: 'tl-01', type: 'transition' });
    expect(p.fields).toEqual({ from_state: 'UP', to_state: 'DOWN', text: 'no reply' });
  });
  it('area event only has the area tags; empty fields get text=type', () => {
    const p = eventPoint({ province: 'Phú Thọ', group: 'Thanh Sơn', commune: 'Tân Lập' }, TS, 'incident_open');
    assertDeclared(p);
    expect(p.tags).toEqual({ province: 'Phú Thọ', group: 'Thanh Sơn', commune: 'Tân Lập', type: 'incident_open' });
    expect(eventPoint({ province: 'Phú Thọ', commune: 'Tân Lập' }, TS, 'incident_open').tags).toEqual({ province: 'Phú Thọ', commune: 'Tân Lập', type: 'incident_open' });
    expect(p.fields).toEqual({ text: 'incident_open' });
  });
});

describe('assertDeclared', () => {
  const ok = (): Point => statePoint(site, TS, 'UP', 30);
  const cases: { name: string; point: Point; message: RegExp }[] = [
    { name: 'undeclared measurement', point: { ...ok(), measurement: 'pings' as never }, message: /undeclared measurement/ },
    { name: 'undeclared tag (high-cardinality host)', point: { ...ok(), tags: { ...ok().tags, host: '192.0.2.1' } }, message: /undeclared tag 'host'/ },
    { name: 'undeclared field', point: { ...ok(), fields: { ...ok().fields, upp: 1 } }, message: /undeclared field 'upp'/ },
    { name: 'float into an integer field', point: { ...ok(), fields: { ...ok().fields, up: 0.5 } }, message: /field 'up' must be integer/ },
    { name: 'number into a string field', point: { ...ok(), fields: { ...ok().fields, state: 1 as never } }, message: /field 'state' must be string/ },
    { name: 'NaN into a float field', point: { ...ok(), fields: { ...ok().fields, checked_s: Number.NaN } }, message: /field 'checked_s' must be float/ },
    { name: 'empty tag value', point: { ...ok(), tags: { ...ok().tags, commune: '' } }, message: /tag 'commune' must be a non-empty string/ },
    { name: 'no fields', point: { ...ok(), fields: {} }, message: /no fields/ },
    { name: 'a Date timestamp (the writer takes epoch ms numbers only)', point: { ...ok(), timestamp: new Date(TS) as never }, message: /epoch milliseconds/ },
  ];
  for (const c of cases) {
    it(`rejects: ${c.name}`, () => {
      expect(() => assertDeclared(c.point)).toThrow(SchemaViolation);
      expect(() => assertDeclared(c.point)).toThrow(c.message);
    });
  }
  it('accepts a declared point', () => expect(() => assertDeclared(ok())).not.toThrow());
});
