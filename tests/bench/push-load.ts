/**
 * The load generator of the push bench (tests/bench/push.ts), in its own process so its CPU is
 * not counted as the service's: N routers, each posting a signed report every interval_s seconds
 * (spread evenly), a new TCP connection per report as a router would open one.
 * Input on argv[2]: a JSON file { url, interval_s, seconds, sites: [{ id, key }] }.
 * Output: one JSON line { sent, status: { code: count }, latency_ms_p50, latency_ms_p99 }.
 */
import fs from 'node:fs';
import http from 'node:http';
import { sign } from '../../src/push/signature.js';

interface Plan { url: string; interval_s: number; seconds: number; sites: Array<{ id: string; key: string }> }
const plan = JSON.parse(fs.readFileSync(process.argv[2]!, 'utf8')) as Plan;
const u = new URL(plan.url);
const status: Record<string, number> = {};
const lat: number[] = [];
let sent = 0;
let inFlight = 0;

function body(i: number, round: number): string {
  const up = 100_000 + round * plan.interval_s + (i % 1000);
  const rx = String(1_000_000_000 + round * 3_000_000 + i);
  return JSON.stringify({
    v: 1, uptime_s: up,
    interfaces: [
      { name: 'wwan0', rx_bytes: rx, tx_bytes: String(200_000_000 + round * 500_000), rx_errors: '0', tx_errors: '0', rx_drops: '0', tx_drops: '0', oper_up: true },
      { name: 'br-lan', rx_bytes: String(300_000_000 + round * 400_000), tx_bytes: rx, rx_errors: '0', tx_errors: '0', rx_drops: '0', tx_drops: '0', oper_up: true, speed_bps: 1e9 },
      { name: 'wlan0', rx_bytes: String(100_000 + round), tx_bytes: String(200_000 + round), oper_up: true },
    ],
    wan: 'wwan0',
    lte: { rsrp_dbm: -95 - (i % 20), rsrq_db: -10, sinr_db: 8, cell_id: 23592961, operator: 'Viettel', band: 'B3' },
    data: { used_bytes: String(3_500_000 + (i % 100)) },
  });
}

function post(site: { id: string; key: string }, text: string, ts: number): Promise<void> {
  const t0 = performance.now();
  inFlight++;
  return new Promise((resolve) => {
    const req = http.request({
      host: u.hostname, port: u.port, path: `/api/v1/push/${site.id}`, method: 'POST', agent: false,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'x-pointwatch-timestamp': String(ts), 'x-pointwatch-signature': sign(site.key, String(ts), text) },
    }, (res) => {
      res.resume();
      res.on('end', () => {
        status[res.statusCode!] = (status[res.statusCode!] ?? 0) + 1;
        lat.push(performance.now() - t0);
        inFlight--;
        resolve();
      });
    });
    req.on('error', () => { status.error = (status.error ?? 0) + 1; inFlight--; resolve(); });
    req.end(text);
  });
}

const n = plan.sites.length;
const start = Date.now();
const gapMs = (plan.interval_s * 1000) / n;
const pending: Array<Promise<void>> = [];
// site i reports at start + i·gap + round·interval: evenly spread, as routers booted at random times
for (let k = 0; ; k++) {
  const round = Math.floor(k / n);
  const i = k % n;
  const at = start + round * plan.interval_s * 1000 + i * gapMs;
  if (at - start >= plan.seconds * 1000) break;
  const wait = at - Date.now();
  if (wait > 1) await new Promise((r) => setTimeout(r, wait));
  const ts = Math.floor(Date.now() / 1000);
  pending.push(post(plan.sites[i]!, body(i, round), ts));
  sent++;
  if (pending.length > 2000) await Promise.all(pending.splice(0, 1000));
}
await Promise.all(pending);
lat.sort((a, b) => a - b);
const q = (p: number) => Math.round(lat[Math.min(lat.length - 1, Math.floor(lat.length * p))]! * 10) / 10;
process.stdout.write(`${JSON.stringify({ sent, status, latency_ms_p50: q(0.5), latency_ms_p99: q(0.99), max_in_flight_end: inFlight })}\n`);
