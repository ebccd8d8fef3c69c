/**
 * A polled MikroTik with an LTE modem, served by a REAL snmpsim agent (the recorded RB4011 profile
 * of data/mikrotik7.snmprec plus an mtxrLTEModemTable row for its lte1 interface): the SNMP probe reads
 * the LTE figures into the same fields a push report carries, and they become `lte` points.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSnmpsim, type SnmpsimHandle } from '../../helpers/snmpsim.js';
import { createSnmpProbe } from '../../../src/probes/snmp/index.js';
import { pointsForCheck } from '../../../src/store/points.js';
import type { SiteCheck } from '../../../src/core/types.js';
import { testSite } from './site.js';

const DATA = fileURLToPath(new URL('./data/', import.meta.url));
const LTE_ROWS = [
  // mtxrLTEModemTable, index 2 = ifIndex of lte1: RSSI, RSRQ, RSRP, cell id, SINR
  '1.3.6.1.4.1.14988.1.1.16.1.1.2.2|2|-75',
  '1.3.6.1.4.1.14988.1.1.16.1.1.3.2|2|-13',
  '1.3.6.1.4.1.14988.1.1.16.1.1.4.2|2|-104',
  '1.3.6.1.4.1.14988.1.1.16.1.1.5.2|2|23592961',
  '1.3.6.1.4.1.14988.1.1.16.1.1.7.2|2|3',
];
let sim: SnmpsimHandle;

beforeAll(async () => {
  const base = fs.readFileSync(`${DATA}mikrotik7.snmprec`, 'utf8').trimEnd().split('\n');
  // snmprec lines must be in OID order: the LTE table sorts after the wireless client rows
  const text = `${[...base, ...LTE_ROWS].join('\n')}\n`;
  sim = await startSnmpsim({ files: [{ name: 'mtlte', text }, { name: 'mtplain', from: `${DATA}mikrotik7.snmprec` }] });
});
afterAll(async () => { await sim?.stop(); });

describe('MikroTik LTE over SNMP (MIKROTIK-MIB mtxrLTEModemTable)', () => {
  it('the probe reads RSRP, RSRQ, SINR, RSSI and the cell into the push report\'s fields; a MikroTik without a modem has none', async () => {
    const probe = createSnmpProbe({ timeout_ms: 1500, retries: 0, max_repetitions: 20 });
    const at = (community: string) => ({ version: '2c', community, port: sim.port });
    const site = testSite('mt-lte', at('mtlte'), { vendor: 'mikrotik', uplink: '4g' });
    const r = await probe.poll(site, { system: true, interfaces: true });
    const plain = await probe.poll(testSite('mt-plain', at('mtplain'), { vendor: 'mikrotik' }), { system: true, interfaces: true });
    const generic = await probe.poll(testSite('gen-lte', at('mtlte')), { system: true, interfaces: true });
    probe.close();
    expect(r.status, r.reason).toBe('ok');
    expect(r.wireless_clients).toBe(6);
    expect(r.lte).toEqual({ rssi_dbm: -75, rsrq_db: -13, rsrp_dbm: -104, cell_id: 23592961, enb_id: 92160, sinr_db: 3 });
    expect(plain.status).toBe('ok');
    expect(plain.lte).toBeUndefined();
    expect(generic.lte).toBeUndefined(); // only asked of sites whose vendor is mikrotik
    const check: SiteCheck = { site: site.id, ts: Date.now(), cycle: 1, recheck: false, ping: null, snmp: r, uptime_s: 3600, rebooted: false, rebooted_at: null, interfaces: [], wan: null };
    expect(pointsForCheck(site, check).find((p) => p.measurement === 'lte')?.fields).toEqual({ rsrp_dbm: -104, rsrq_db: -13, sinr_db: 3, rssi_dbm: -75, cell_id: 23592961, enb_id: 92160 });
  }, 30_000);
});
