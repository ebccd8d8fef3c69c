import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { InfluxDB } from 'influx';
import { siteWithDefaults } from '../config/defaults.js';
import type { SiteCheck } from '../core/types.js';
import { influxSchemas } from './client.js';
import { toBody, toLine, toLines } from './line-protocol.js';
import { eventPoint, pointsForCheck, statePoint, type Point } from './points.js';

/** The request node-influx's own writePoints sends for `points`, received by a loopback HTTP server (public API only). */
async function nodeInfluxText(points: Point[]): Promise<{ body: string; query: Record<string, string> }> {
  let sent: { body: string; query: Record<string, string> } | undefined;
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => { body += c; });
    req.on('end', () => { sent = { body, query: Object.fromEntries(new URL(req.url!, 'http://x').searchParams) }; res.writeHead(204); res.end(); });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const client = new InfluxDB({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, database: 'pw', schema: influxSchemas('pw') });
    await client.writePoints(points, { precision: 'ms', retentionPolicy: 'raw' });
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
  return sent!;
}

// Names as the inventory has them: spaces, diacritics, and the characters line protocol escapes.
const site = siteWithDefaults({
  id: 'tl-01', name: 'Nhà văn hoá', kind: 'cultural_house', province: 'Phú Thọ', group: 'Thanh Sơn, cụm',
  commune: 'Tân Lập=xã', host: '192.0.2.10', snmp: { version: '2c', community: 'public' }, uplink: '4g',
});
const TS = Date.UTC(2026, 10, 20, 8, 0, 0, 123);
const check: SiteCheck = {
  site: 'tl-01', ts: TS, cycle: 1, recheck: false,
  ping: { site: 'tl-01', ts: TS, status: 'ok', sent: 5, received: 4, loss_pct: 20, rtt_min_ms: 10.5, rtt_avg_ms: 12, rtt_max_ms: 15.25, jitter_ms: 1.25 },
  snmp: { site: 'tl-01', ts: TS, duration_ms: 42.5, status: 'ok', wireless_clients: 7 },
  uptime_s: 3600.5, rebooted: false, rebooted_at: null,
  interfaces: [
    { name: 'ether1 WAN', index: 1, oper_up: true, admin_up: true, speed_bps: 1e8, in_bps: 123456.789, out_bps: 1e21, in_errors_ps: 0, out_errors_ps: 0.5, in_discards_ps: null, out_discards_ps: null },
    { name: 'wlan1', index: 2, oper_up: false, admin_up: true, speed_bps: null, in_bps: null, out_bps: null, in_errors_ps: null, out_errors_ps: null, in_discards_ps: null, out_discards_ps: null },
  ],
  wan: { name: 'ether1 WAN', chosen_by: 'inventory' },
};

describe('line protocol', () => {
  it('is byte for byte what node-influx writePoints sends, for every kind of point', async () => {
    const points: Point[] = [
      ...pointsForCheck(site, check, (ts) => (ts % 2 ? 'in' : 'out')),
      statePoint(site, TS, 'DEGRADED', 60, () => 'in'),
      statePoint(site, TS + 1, 'DOWN', 30),
      eventPoint(site, TS, 'transition', { text: 'loss 60% "lossy"\\ on\n4G, now', from_state: 'UP', to_state: 'DEGRADED' }),
      eventPoint({ province: 'Phú Thọ', group: 'Thanh Sơn' }, TS, 'incident_open', { text: 'commune outage', incident_id: 42, value: -3.5 }),
    ];
    const ref = await nodeInfluxText(points);
    expect(toLines(points)).toBe(ref.body);
    expect(ref.query).toMatchObject({ precision: 'ms', rp: 'raw' });
    // the escaping really happened (a space, comma, equals sign in tags; quotes and a backslash in a string)
    expect(toLines(points)).toContain('group=Thanh\\ Sơn\\,\\ cụm');
    expect(toLines(points)).toContain('commune=Tân\\ Lập\\=xã');
    expect(toLines(points)).toContain('text="loss 60% \\"lossy\\"\\\\ on');
  });

  it('points of one site share one tags object per variant, and a shared object is frozen', () => {
    const a = pointsForCheck(site, check);
    const b = pointsForCheck(site, { ...check, ts: TS + 60_000 });
    expect(b[0]!.tags).toBe(a[0]!.tags); // ping
    expect(b[1]!.tags).toBe(a[0]!.tags); // snmp: the same site tags
    expect(b[2]!.tags).toBe(a[2]!.tags); // interface ether1 WAN
    expect(b[3]!.tags).not.toBe(a[2]!.tags); // another interface, another object
    expect(Object.isFrozen(a[2]!.tags)).toBe(true);
    expect(() => { (a[0]!.tags as Record<string, string>).site = 'x'; }).toThrow(TypeError);
    // a tags object's text is made once, and stays right for the next point that uses it
    expect(toLine(b[2]!)).toBe(toLine(a[2]!).replace(` ${TS}`, ` ${TS + 60_000}`));
  });

  it('numbers are written as node-influx writes them (digits written directly, or String(v) for fractions)', async () => {
    const float = fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.integer({ min: -1e6, max: 1e6 }),
      fc.constantFrom(0, -0, 1e21, -1e21, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), Number.MAX_SAFE_INTEGER, 5e-324, 0.1, 123456.789),
    );
    const int = fc.oneof(fc.integer(), fc.constantFrom(0, -0, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 10, 99, 100));
    const ts = fc.integer({ min: 1, max: 2 ** 52 });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(float, int, ts), { minLength: 1, maxLength: 20 }), async (rows) => {
        const points: Point[] = rows.map(([f, i, t]) => ({
          measurement: 'ping', tags: pointsForCheck(site, check)[0]!.tags, fields: { rtt_avg_ms: f, sent: i, loss_pct: -f }, timestamp: t,
        }));
        expect(toLines(points)).toBe((await nodeInfluxText(points)).body);
      }),
      { numRuns: 200 },
    );
  });

  it('a batch bigger than the reused buffer comes out whole, and the next batch is not mixed with it', async () => {
    const points: Point[] = [];
    for (let k = 0; k < 5000; k++) points.push(...pointsForCheck(site, { ...check, ts: TS + k * 1000 }));
    const big = toBody(points);
    expect(big.length).toBeGreaterThan(1024 * 1024);
    expect(big.toString('utf8')).toBe((await nodeInfluxText(points)).body);
    const small = points.slice(0, 3);
    expect(toBody(small).toString('utf8')).toBe((await nodeInfluxText(small)).body);
    expect(big.toString('utf8')).toBe((await nodeInfluxText(points)).body); // a batch's bytes are its own
  });

  it('a point of an undeclared measurement is refused by name', () => {
    expect(() => toLine({ measurement: 'nope' as never, tags: {}, fields: { x: 1 }, timestamp: TS })).toThrow(/undeclared measurement "nope"/);
    // nothing of the refused batch is left in the buffer for the next one
    expect(() => toBody([statePoint(site, TS, 'UP', 30), { measurement: 'nope' as never, tags: {}, fields: { x: 1 }, timestamp: TS }])).toThrow(/nope/);
    expect(toLines([statePoint(site, TS, 'UP', 30)])).toMatch(/^site_state,/);
  });
});
