import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseReport } from './report.js';

const data = (f: string) => fs.readFileSync(path.join(import.meta.dirname, 'testdata', f), 'utf8');
const base = { v: 1, uptime_s: 100, interfaces: [{ name: 'wwan0', rx_bytes: '10', tx_bytes: '20' }] };
const body = (over: Record<string, unknown>) => JSON.stringify({ ...base, ...over });

describe('parseReport: real outputs', () => {
  it('the OpenWrt script under busybox (testdata/openwrt-busybox.json): counters as bigint, LTE, data', () => {
    const r = parseReport(data('openwrt-busybox.json'), 'lc-sapa-tavan-vh');
    if (!r.ok) throw new Error(r.message);
    expect(r.report.uptime_s).toBe(1962.56);
    const eth0 = r.report.interfaces.find((i) => i.name === 'eth0')!;
    expect(eth0).toMatchObject({ in_octets: 449652043n, out_octets: 1601235n, in_errors: 0n, oper_up: true, counter_bits: 64, speed_bps: null });
    expect(r.report.interfaces.find((i) => i.name === 'ifb0')!.oper_up).toBe(false);
    expect(r.report.interfaces.find((i) => i.name === 'tw11601a')!.speed_bps).toBe(1e10);
    expect(r.report.wan).toBe('eth0');
    expect(r.report.lte).toEqual({ rsrp_dbm: -97, rsrq_db: -11.5, sinr_db: 7, cell_id: 1715004, operator: 'Viettel', band: 'B3' });
    expect(r.report).toMatchObject({ data_used_bytes: 446253278, quota_exhausted: false });
  });
  it('the RouterOS script (testdata/routeros-lte.json, its exact output): same fields', () => {
    const r = parseReport(data('routeros-lte.json'), 'lc-bacha-nammon-ch');
    if (!r.ok) throw new Error(r.message);
    expect(r.report.interfaces.map((i) => i.name)).toEqual(['ether1', 'lte1', 'bridge', 'wlan1']);
    const lte1 = r.report.interfaces.find((i) => i.name === 'lte1')!;
    expect(lte1.in_octets).toBe(9223372036854770000n); // past 2^53: exact only because counters are strings
    expect(r.report.wan).toBe('lte1');
    expect(r.report.lte).toMatchObject({ rsrp_dbm: -104, rsrq_db: -13, sinr_db: 3, rssi_dbm: -75, cell_id: 23592961, enb_id: 92160, operator: 'Viettel', band: 'B3' });
  });
});

describe('parseReport: every problem is a clear refusal (never a throw)', () => {
  const cases: Array<{ name: string; text: string; site?: string; code: string; message: RegExp; field?: string }> = [
    { name: 'not JSON', text: '{"v":1,', code: 'bad_json', message: /not JSON/ },
    { name: 'empty body', text: '', code: 'bad_json', message: /not JSON/ },
    { name: 'a JSON string', text: '"hello"', code: 'bad_report', message: /\(body\)/ },
    { name: 'unknown version', text: body({ v: 2 }), code: 'bad_report', message: /"v"/, field: 'v' },
    { name: 'unknown field (typo)', text: body({ uptime: 5 }), code: 'bad_report', message: /uptime/ },
    { name: 'negative uptime', text: body({ uptime_s: -1 }), code: 'bad_report', message: /"uptime_s"/, field: 'uptime_s' },
    { name: 'counter with letters', text: body({ interfaces: [{ name: 'a', rx_bytes: '12x', tx_bytes: '0' }] }), code: 'bad_report', message: /interfaces\.0\.rx_bytes/ },
    { name: 'counter above 2^64-1', text: body({ interfaces: [{ name: 'a', rx_bytes: '18446744073709551616', tx_bytes: '0' }] }), code: 'bad_report', message: /above 2\^64-1/ },
    { name: 'counter as an unsafe JSON number', text: body({ interfaces: [{ name: 'a', rx_bytes: 2 ** 60, tx_bytes: 0 }] }), code: 'bad_report', message: /rx_bytes/ },
    { name: 'control character in a name', text: body({ interfaces: [{ name: 'a\u0007b', rx_bytes: '1', tx_bytes: '0' }] }), code: 'bad_report', message: /name/ },
    { name: 'the same interface twice', text: body({ interfaces: [{ name: 'a', rx_bytes: '1', tx_bytes: '0' }, { name: 'a', rx_bytes: '1', tx_bytes: '0' }] }), code: 'bad_report', message: /twice/ },
    { name: 'too many interfaces', text: body({ interfaces: Array.from({ length: 65 }, (_, i) => ({ name: `e${i}`, rx_bytes: '1', tx_bytes: '1' })) }), code: 'bad_report', message: /interfaces/ },
    { name: 'wan not among the interfaces', text: body({ wan: 'ppp0' }), code: 'bad_report', message: /wan "ppp0"/, field: 'wan' },
    { name: 'RSRP out of range (a modem sentinel)', text: body({ lte: { rsrp_dbm: -32768 } }), code: 'bad_report', message: /lte\.rsrp_dbm/ },
    { name: 'another site named in the body', text: body({ site: 'other-site' }), code: 'site_mismatch', message: /names site "other-site" but was sent for "my-site"/, field: 'site' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = parseReport(c.text, c.site ?? 'my-site');
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.code).toBe(c.code);
      expect(r.message).toMatch(c.message);
      if (c.field) expect(r.field).toBe(c.field);
    });
  }
  it('a minimal report: defaults (oper up, 64-bit, no speed), no LTE, no data', () => {
    const r = parseReport(JSON.stringify(base), 'my-site');
    expect(r.ok && r.report).toEqual({ uptime_s: 100, interfaces: [{ index: 1, name: 'wwan0', descr: 'wwan0', admin_up: true, oper_up: true, counter_bits: 64, in_octets: 10n, out_octets: 20n, in_errors: null, out_errors: null, in_discards: null, out_discards: null, speed_bps: null }] });
  });
});
