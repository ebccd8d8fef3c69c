/**
 * Wall time of a one-year coverage report for N sites (not part of the test suite: a figure).
 *
 *   npx tsx tests/integration/reports/year-bench.ts [--sites 1000] [--days 365] [--no-ping] [--no-interface]
 *
 * Starts a private influxd, creates the schema (ensureSchema), writes a year of 1-hour rollup points
 * directly as line protocol into `rollup_1h` (what the CQs would have made from 120 checks an hour:
 * site_state sums, ping means, WAN interface means; site_state and ping with the `svc` tag the
 * poller stamps), makes the daily rollup from them (backfillRollups, target 1d), then times
 * runCoverageReport over the year (twice: cold and warm) and prints one JSON line.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startInfluxd } from '../../../src/store/local-influxd.js';
import { settingsWithDefaults, siteWithDefaults } from '../../../src/config/defaults.js';
import { createLogger, silentLogger } from '../../../src/core/logger.js';
import { createInflux } from '../../../src/store/client.js';
import { ensureSchema } from '../../../src/store/retention.js';
import { RP, STATE_CODE } from '../../../src/store/schema.js';
import { runCoverageReport } from '../../../src/reports/run.js';
import { createServiceTagger } from '../../../src/reports/service-tag.js';
import { backfillRollups } from '../../../src/store/backfill.js';

const arg = (name: string, def: number) => { const i = process.argv.indexOf(name); return i > 0 ? Number(process.argv[i + 1]) : def; };
const SITES = arg('--sites', 1000);
const DAYS = arg('--days', 365);
const PING = !process.argv.includes('--no-ping');
const IFACE = !process.argv.includes('--no-interface');
const H = 3_600_000;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-report-year-'));
const influxd = await startInfluxd({ dir });
try {
  const settings = settingsWithDefaults({ influx: { url: influxd.url, database: 'pwyear', timeout_ms: 120_000 } });
  const client = createInflux(settings.influx);
  await ensureSchema(client, settings.influx, silentLogger(), { cqEvery: '1h' });
  const sites = Array.from({ length: SITES }, (_, i) => siteWithDefaults({
    id: `s${String(i).padStart(4, '0')}`, name: `Site ${i}`, kind: 'info_point', province: 'P1',
    group: `d${Math.floor(i / 100)}`, commune: `c${Math.floor(i / 10)}`, host: '192.0.2.1', snmp: false, uplink: '4g',
  }));
  const end = Math.floor(Date.now() / H) * H - 24 * H;
  const start = end - DAYS * 24 * H;
  const tags = sites.map((s) => `commune=${s.commune},group=${s.group},kind=${s.kind},province=${s.province},site=${s.id},uplink=4g`);

  const t0 = performance.now();
  let lines: string[] = [];
  let points = 0;
  let inFlight: Promise<void>[] = [];
  const send = async (body: string) => {
    for (let attempt = 0; ; attempt++) {
      const res = await fetch(`${influxd.url}/write?db=pwyear&rp=${RP.rollup_1h}&precision=s`, { method: 'POST', body });
      if (res.status === 204) return;
      // a busy influxd answers 500 {"error":"timeout"} but usually stores the batch: rewriting is harmless
      if (attempt >= 5) throw new Error(`write: ${res.status} ${await res.text()}`);
      await new Promise((r) => setTimeout(r, 2000));
    }
  };
  const tagger = createServiceTagger(settings.reports.service_hours, settings.reports.timezone);
  for (let h = 0; h < DAYS * 24; h++) {
    const ts = (start + h * H) / 1000;
    const svc = `,svc=${tagger(start + h * H).replace(/[ ,=]/g, (c) => `\\${c}`)}`;
    for (let i = 0; i < SITES; i++) {
      const r = ((i * 7919 + h * 104_729) % 1000) / 1000;
      const down = r < 0.015 ? 120 : 0;
      const unknown = r >= 0.015 && r < 0.02 ? 120 : 0;
      const up = 120 - down - unknown;
      lines.push(`site_state,${tags[i]}${svc} up=${up}i,down=${down}i,unreachable=0i,unknown=${unknown}i,maintenance=0i,checked_s=3600,state_code=${down ? STATE_CODE.DOWN : STATE_CODE.UP}i ${ts}`);
      if (PING && up) lines.push(`ping,${tags[i]}${svc} up=1,loss_pct=${(r * 10).toFixed(2)},rtt_avg_ms=${(20 + 60 * r).toFixed(1)},rtt_max_ms=99,rtt_min_ms=10,jitter_ms=2,sent=600i,received=590i ${ts}`);
      if (IFACE && up) lines.push(`interface,${tags[i]},ifname=ether1,wan=true in_bps=${Math.round(2e6 * r)},out_bps=${Math.round(4e5 * r)},oper_up=1,speed_bps=1e8 ${ts}`);
    }
    if (lines.length >= 50_000) {
      points += lines.length;
      inFlight.push(send(lines.join('\n')));
      lines = [];
      if (inFlight.length >= 1) { await Promise.all(inFlight); inFlight = []; }
    }
  }
  if (lines.length) { points += lines.length; inFlight.push(send(lines.join('\n'))); }
  await Promise.all(inFlight);
  const writeS = (performance.now() - t0) / 1000;
  process.stderr.write(`wrote ${points} points in ${writeS.toFixed(1)} s\n`);
  const tb = performance.now();
  const daily = await backfillRollups(client, settings.influx, { from: start, to: end }, { targets: ['1d'] });
  const dailyS = (performance.now() - tb) / 1000;
  process.stderr.write(`daily rollup: ${daily.written} points in ${dailyS.toFixed(1)} s\n`);

  const runs: number[] = [];
  let resolution = '';
  let statements = 0;
  for (let k = 0; k < 2; k++) {
    const t1 = performance.now();
    const rep = await runCoverageReport({ from: start, to: end, resolution: DAYS > 62 ? 'auto' : 'rollup_1h' }, {
      settings, inventory: { sites, areas: [] }, influx: client, logger: createLogger({ level: 'info' }),
      onProgress: (d, t) => { statements = t; if (d === t) process.stderr.write(`report run ${k + 1}: ${t} query batches\n`); },
    });
    runs.push(Math.round((performance.now() - t1)) / 1000);
    resolution = String(rep.resolution);
    if (rep.sites.filter((s) => s.availability_pct !== null).length !== SITES) throw new Error('a site has no availability');
  }
  process.stdout.write(`${JSON.stringify({ sites: SITES, days: DAYS, ping: PING, interface: IFACE, points, write_s: Math.round(writeS * 10) / 10, daily_rollup_s: Math.round(dailyS * 10) / 10, report_s: runs, resolution, query_batches: statements, cpus: os.cpus().length, load: os.loadavg().map((x) => Math.round(x * 10) / 10) })}\n`);
} finally {
  await influxd.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
