import { describe, expect, it } from 'vitest';
import { siteWithDefaults } from '../../config/defaults.js';
import type { Site } from '../../core/types.js';
import { T } from './decode.js';
import { SnmpFailure } from './client.js';
import { createFakeClient, FakeAgent, type FakeRequest } from './fake-client.js';
import { IF_NUMBER, IF_TABLE, IF_X_TABLE, SYSTEM, VENDOR } from './oids.js';
import { MTXR_LTE_ENTRY } from './vendor-lte.js';
import { firstRepetitions, isSteady, newSitePlan, steadyCombined, walkGroups, type IfPlan } from './plan.js';
import { createProbe, type SnmpPlanOptions } from './probe.js';

const OPTS: SnmpPlanOptions = { timeout_ms: 2000, retries: 2, max_repetitions: 20 };
const BOTH = { system: true, interfaces: true };

function site(id: string, over: Partial<Site> = {}): Site {
  return siteWithDefaults({ id, name: id, kind: 'cultural_house', province: 'P', district: 'D', commune: 'C', host: '192.0.2.1', snmp: { version: '2c', community: 'public' }, uplink: '4g', ...over });
}

/** A probe over the fake client with one captured agent per site. */
function rig(agents: Record<string, FakeAgent>, o: { versions?: Record<string, '1' | '2c' | '3'>; opts?: Partial<SnmpPlanOptions>; fail?: (s: string, r: FakeRequest) => SnmpFailure | null } = {}) {
  const client = createFakeClient({ agents, versions: o.versions, fail: o.fail });
  const probe = createProbe(client, { ...OPTS, ...o.opts });
  /** The requests of the next poll only. */
  const poll = async (s: Site, what = BOTH) => {
    const from = client.requests.length;
    const r = await probe.poll(s, what);
    return { r, reqs: client.requests.slice(from) };
  };
  return { client, probe, poll };
}

const summary = (reqs: FakeRequest[]) => reqs.map((q) => `${q.pdu}${q.pdu === 'getBulk' ? `(${q.nonRepeaters},${q.repetitions})x${q.oids.length}` : `x${q.oids.length}`}`);

describe('poll plan over captured agents (fake client, no snmpd)', () => {
  it('snmpd v2c: the first poll is a full walk (one combined GETBULK + one to finish the columns), then ONE GETBULK per poll', async () => {
    const { poll } = rig({ a: FakeAgent.fromCapture('snmpd-v2c') });
    const first = await poll(site('a'));
    expect(first.r.status, first.r.reason).toBe('ok');
    expect(first.r.interfaces!.map((i) => i.name)).toEqual(['lo', 'ifb0', 'ifb1', 'eth0', expect.any(String)]);
    expect(first.r.interfaces!.every((i) => i.counter_bits === 64)).toBe(true);
    expect(first.r.system!.sys_name).toBe('village-router');
    // 56 varbinds at most: 5 non-repeaters + 14 columns × 3 rows, then the 14 columns × 3 more (rows 4-5 and their ends)
    expect(summary(first.reqs)).toEqual(['getBulk(5,3)x19', 'getBulk(0,3)x14']);

    const steady = await poll(site('a'));
    expect(steady.r.status, steady.r.reason).toBe('ok');
    // sysUpTime + ifNumber, then 10 columns × 5 rows: no ifDescr/ifName, no 32-bit octets (every row had HC counters)
    expect(summary(steady.reqs)).toEqual(['getBulk(2,5)x12']);
    const asked = steady.reqs[0]!.oids;
    for (const c of [IF_TABLE.ifDescr, IF_X_TABLE.ifName, IF_TABLE.ifInOctets, IF_TABLE.ifOutOctets]) expect(asked).not.toContain(c);
    // the names and system strings come from the last full walk: the result is the same
    expect(steady.r.interfaces!.map((i) => i.name)).toEqual(first.r.interfaces!.map((i) => i.name));
    expect(steady.r.system).toEqual(first.r.system);
  });

  it('every full_walk_every-th poll walks the whole table again', async () => {
    const { poll } = rig({ a: FakeAgent.fromCapture('snmpd-v2c') }, { opts: { full_walk_every: 3 } });
    const kinds: string[] = [];
    for (let i = 0; i < 7; i++) kinds.push((await poll(site('a'))).reqs[0]!.nonRepeaters === 5 ? 'full' : 'steady');
    expect(kinds).toEqual(['full', 'steady', 'steady', 'full', 'steady', 'steady', 'full']);
  });

  it('a reboot (sysUpTime went back) makes the next poll a full walk', async () => {
    const agent = FakeAgent.fromCapture('snmpd-v2c');
    const { poll } = rig({ a: agent });
    await poll(site('a'));
    agent.set(SYSTEM.sysUpTime, T.TimeTicks, 5000);
    expect((await poll(site('a'))).reqs[0]!.nonRepeaters).toBe(2);
    agent.set(SYSTEM.sysUpTime, T.TimeTicks, 10);
    expect((await poll(site('a'))).reqs[0]!.nonRepeaters).toBe(2); // this steady poll sees the reboot
    expect((await poll(site('a'))).reqs[0]!.nonRepeaters).toBe(5); // so the next one is a full walk
  });

  it('an interface gone (ifNumber.0 changed) is seen by the steady poll itself, which measures the new table', async () => {
    const agent = FakeAgent.fromCapture('snmpd-v2c');
    const { poll } = rig({ a: agent });
    const first = await poll(site('a'));
    agent.dropInterface(3);
    const changed = await poll(site('a'));
    expect(changed.r.status, changed.r.reason).toBe('ok');
    expect(changed.r.interfaces!.map((i) => i.index)).toEqual(first.r.interfaces!.map((i) => i.index).filter((i) => i !== 3));
    expect(changed.r.interfaces!.map((i) => i.name)).not.toContain('ifb1');
    const after = await poll(site('a'));
    expect(summary(after.reqs)).toEqual(['getBulk(2,4)x12']); // sized to the 4 rows left
    expect(after.r.interfaces).toHaveLength(4);
  });

  it('snmpd v1: GET of the system group + ifNumber.0, then GETNEXT (32-bit counters only); steady polls stop at the known rows', async () => {
    const { poll } = rig({ a: FakeAgent.fromCapture('snmpd-v1') }, { versions: { a: '1' } });
    const first = await poll(site('a', { snmp: { version: '1', community: 'public' } }));
    expect(first.r.status, first.r.reason).toBe('ok');
    expect(first.r.interfaces!.every((i) => i.counter_bits === 32)).toBe(true);
    expect(first.reqs[0]).toMatchObject({ pdu: 'get', oids: [SYSTEM.sysDescr, SYSTEM.sysObjectID, SYSTEM.sysUpTime, SYSTEM.sysName, IF_NUMBER] });
    expect(first.reqs.slice(1).every((q) => q.pdu === 'getNext')).toBe(true);
    const steady = await poll(site('a', { snmp: { version: '1', community: 'public' } }));
    expect(steady.r.status, steady.r.reason).toBe('ok');
    // one GET, then one GETNEXT per row (5), none just to see the ends
    expect(summary(steady.reqs)).toEqual(['getx5', ...Array(5).fill('getNextx10')]);
  });

  it('snmpsim Windows XP (no ifXTable): the columns it lacks are not asked again', async () => {
    const { poll } = rig({ a: FakeAgent.fromCapture('snmpsim-winxp-v2c') });
    const first = await poll(site('a'));
    expect(first.r.status, first.r.reason).toBe('ok');
    expect(first.r.interfaces).toHaveLength(3);
    const steady = await poll(site('a'));
    expect(steady.reqs).toHaveLength(1);
    for (const c of Object.values(IF_X_TABLE)) expect(steady.reqs[0]!.oids).not.toContain(c);
  });

  it('wrong types from an agent are an error naming what is wrong, not a guess', async () => {
    const { poll } = rig({ a: FakeAgent.fromCapture('snmpsim-badtypes-v2c') });
    const { r } = await poll(site('a'));
    expect(r.status).toBe('error');
    expect(r.reason).toMatch(/ifHCInOctets/);
  });

  it('a dead agent is one timeout (the walk never starts), and a failure is data, not an exception', async () => {
    const { poll } = rig({});
    const { r, reqs } = await poll(site('gone'));
    expect(r).toMatchObject({ status: 'timeout', reason: expect.stringMatching(/no response/) });
    expect(reqs).toHaveLength(1);
  });

  it('an agent that refuses a GETBULK with non-repeaters gets GET + walk from then on', async () => {
    const refuse = (_s: string, q: FakeRequest) => (q.pdu === 'getBulk' && (q.nonRepeaters ?? 0) > 0 ? new SnmpFailure('error', 'agent returned error: GenErr: 1.3.6.1.2.1.1.1') : null);
    const { poll } = rig({ a: FakeAgent.fromCapture('snmpd-v2c') }, { fail: refuse });
    const first = await poll(site('a'));
    expect(first.r.status, first.r.reason).toBe('ok');
    expect(summary(first.reqs).slice(0, 2)).toEqual(['getBulk(5,3)x19', 'getx5']);
    const steady = await poll(site('a'));
    expect(steady.r.status, steady.r.reason).toBe('ok');
    expect(steady.reqs.some((q) => (q.nonRepeaters ?? 0) > 0)).toBe(false);
  });

  it('vendor extras: MikroTik reads mtxrWlRtabEntryCount.0; without it, the sum of mtxrWlApClientCount', async () => {
    const withScalar = FakeAgent.fromCapture('snmpd-v2c');
    withScalar.set(VENDOR.mikrotik_wireless_clients, T.Gauge32, 7);
    const withColumn = FakeAgent.fromCapture('snmpd-v2c');
    withColumn.set(`${VENDOR.mikrotik_ap_client_count}.1`, T.Gauge32, 3);
    withColumn.set(`${VENDOR.mikrotik_ap_client_count}.2`, T.Gauge32, 6);
    const ubnt = FakeAgent.fromCapture('snmpd-v2c');
    ubnt.set(`${VENDOR.ubiquiti_sta_count}.1`, T.Gauge32, 12);
    const { poll } = rig({ s: withScalar, c: withColumn, u: ubnt, n: FakeAgent.fromCapture('snmpd-v2c') });
    expect((await poll(site('s', { vendor: 'mikrotik' }))).r.wireless_clients).toBe(7);
    expect((await poll(site('c', { vendor: 'mikrotik' }))).r.wireless_clients).toBe(9);
    expect((await poll(site('u', { vendor: 'ubiquiti' }))).r.wireless_clients).toBe(12);
    const none = await poll(site('n', { vendor: 'mikrotik' }));
    expect(none.r.status).toBe('ok');
    expect(none.r.wireless_clients).toBeUndefined();
    expect(none.r.lte).toBeUndefined();
  });

  it('vendor extras: a MikroTik\'s LTE modem (mtxrLTEModemTable) gives the lte figures a push report would', async () => {
    const agent = FakeAgent.fromCapture('snmpd-v2c');
    agent.set(`${MTXR_LTE_ENTRY}.4.5`, T.Integer, -97); // RSRP of the modem at ifIndex 5
    agent.set(`${MTXR_LTE_ENTRY}.7.5`, T.Integer, 12); // SINR
    const { poll } = rig({ m: agent });
    const { r } = await poll(site('m', { vendor: 'mikrotik' }));
    expect(r.status, r.reason).toBe('ok');
    expect(r.lte).toMatchObject({ rsrp_dbm: -97, sinr_db: 12 });
  });
});

describe('plan decisions (pure)', () => {
  const plan = (over: Partial<IfPlan> = {}): IfPlan => ({
    ifNumber: 5, stable: true, hc: true, present: [], columns: Array(10).fill('c'), uptime: 100, sinceFull: 0, rows: 5, names: [], system: null, ...over,
  });
  const steadyCases: Array<[string, IfPlan | null, boolean]> = [
    ['no plan yet', null, false],
    ['stable, 1 poll since the full walk', plan({ sinceFull: 1 }), true],
    ['the 10th poll', plan({ sinceFull: 9 }), false],
    ['not stable (a cut or an end not seen)', plan({ stable: false }), false],
    ['no rows', plan({ rows: 0 }), false],
  ];
  for (const [name, p, want] of steadyCases) it(`isSteady: ${name}`, () => expect(isSteady(p, 10)).toBe(want));

  it('firstRepetitions: rows known + 1, within the varbind budget and max_repetitions', () => {
    expect(firstRepetitions(null, 56, 20)).toBe(3); // (56 - 5) / 14 columns
    expect(firstRepetitions(plan({ rows: 1 }), 56, 20)).toBe(2);
    expect(firstRepetitions(null, 1000, 20)).toBe(20);
  });

  it('steadyCombined: columns that fit beside the 2 non-repeaters; none for v1 or an agent that refused', () => {
    const sp = newSitePlan('2c');
    expect(steadyCombined(plan(), sp, 56, 20)).toBe(10);
    expect(steadyCombined(plan({ rows: 8 }), sp, 56, 20)).toBe(6); // (56-2)/8
    expect(steadyCombined(plan({ rows: 30 }), sp, 56, 20)).toBe(0); // more rows than max_repetitions
    expect(steadyCombined(plan(), newSitePlan('1'), 56, 20)).toBe(0);
    expect(steadyCombined(plan(), { ...sp, noCombinedBulk: true }, 56, 20)).toBe(0);
  });

  it('walkGroups: columns × repetitions within the budget per request; v1 all in one', () => {
    const cols = Array.from({ length: 14 }, (_, i) => i);
    expect(walkGroups(cols, false, 3, 56).map((g) => g.length)).toEqual([14]);
    expect(walkGroups(cols, false, 8, 56).map((g) => g.length)).toEqual([7, 7]);
    expect(walkGroups(cols, false, 20, 56).map((g) => g.length)).toEqual([2, 2, 2, 2, 2, 2, 2]);
    expect(walkGroups(cols, true, 20, 56).map((g) => g.length)).toEqual([14]);
  });
});
