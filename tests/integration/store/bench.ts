/**
 * Store figures (not a test): `npx tsx tests/integration/store/bench.ts`
 * Prints: writer throughput into a real influxd, spool append throughput and bytes per point,
 * replay rate, and the spool capacity that follows for 7 days of a 1,000-site fleet.
 */
import fs from 'node:fs';
import { siteWithDefaults, settingsWithDefaults } from '../../../src/config/defaults.js';
import { silentLogger } from '../../../src/core/logger.js';
import type { Site, SiteCheck } from '../../../src/core/types.js';
import { pointsForCheck, statePoint, type Point } from '../../../src/store/points.js';
import { encodeRecord } from '../../../src/store/spool-record.js';
import { Spool } from '../../../src/store/spool.js';
import { createWriter } from '../../../src/store/writer.js';
import { backfillRollups } from '../../../src/store/backfill.js';
import { startInfluxd } from '../../helpers/influxd.js';
import { rng, tmpDir, waitFor } from './util.js';

const SITES = 1000;
const r = rng(42);
// groups: the province keeps its former districts as the optional level
const groups = ['Bát Xát', 'Sa Pa', 'Bảo Thắng', 'Văn Bàn', 'Mường Khương'];
const sites: Site[] = Array.from({ length: SITES }, (_, i) =>
  siteWithDefaults({
    id: `lc-${String(i).padStart(4, '0')}-nha-van-hoa`, name: `Nhà văn hoá ${i}`, kind: i % 3 ? 'cultural_house' : 'info_point',
    province: 'Lào Cai', group: groups[i % 5], commune: `Xã Vùng Cao ${i % 80}`, host: '127.0.0.1', snmp: { version: '2c', community: 'x' },
    uplink: (['fibre', '4g', '3g'] as const)[i % 3],
  }),
);

/** One 60-second cycle of the fleet: 2 ping checks (30 s) with state points, 1 SNMP poll with 2 interfaces. */
function cycle(t: number): Point[] {
  const out: Point[] = [];
  for (const site of sites) {
    for (const k of [0, 30_000]) {
      const ts = t + k + Math.floor(r() * 1000);
      const rtt = 10 + r() * 80;
      const lost = Math.floor(r() * 1.3);
      const check: SiteCheck = {
        site: site.id, ts, cycle: 1, recheck: false,
        ping: { site: site.id, ts, status: 'ok', sent: 5, received: 5 - lost, loss_pct: lost * 20, rtt_min_ms: rtt - r() * 5, rtt_avg_ms: rtt, rtt_max_ms: rtt + r() * 30, jitter_ms: r() * 4 },
        snmp: k === 0 ? { site: site.id, ts, duration_ms: 20 + r() * 100, status: 'ok', wireless_clients: Math.floor(r() * 30) } : null,
        uptime_s: k === 0 ? 86_400 + t / 1000 : null, rebooted: false, rebooted_at: null,
        interfaces: k === 0 ? [
          { name: 'ether1', index: 1, oper_up: true, admin_up: true, speed_bps: 1e8, in_bps: r() * 2e7, out_bps: r() * 4e6, in_errors_ps: 0, out_errors_ps: 0, in_discards_ps: 0, out_discards_ps: 0 },
          { name: 'wlan1', index: 2, oper_up: true, admin_up: true, speed_bps: 1.44e8, in_bps: r() * 4e6, out_bps: r() * 2e7, in_errors_ps: r() < 0.9 ? 0 : r(), out_errors_ps: 0, in_discards_ps: 0, out_discards_ps: 0 },
        ] : [],
        wan: { name: 'ether1', chosen_by: 'inventory' },
      };
      out.push(...pointsForCheck(site, check), statePoint(site, ts, lost > 2 ? 'DEGRADED' : 'UP', 30));
    }
  }
  return out;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

const influxd = await startInfluxd();
const dirs: string[] = [];
try {
  const base = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 6 * 3_600_000;
  const cycles = Array.from({ length: 20 }, (_, i) => cycle(base + i * 60_000));
  const all = cycles.flat();
  const perDay = (all.length / 20) * 1440; // points per day for the fleet
  console.log(`fleet: ${SITES} sites, ${fmt(all.length / 20)} points per minute, ${fmt(perDay)} per day`);

  // 1. writer throughput into influxd (batch_size 5000, the default)
  {
    const s = settingsWithDefaults({ influx: { url: influxd.url, database: 'bench' } });
    const dataDir = tmpDir('bench-w');
    dirs.push(dataDir);
    const w = await createWriter({ influx: s.influx, spool: s.spool, dataDir, logger: silentLogger() });
    w.write(cycles[0]!); // warm-up + ensureSchema
    await w.flush();
    const t0 = performance.now();
    for (const c of cycles.slice(1)) w.write(c);
    await w.flush();
    const sec = (performance.now() - t0) / 1000;
    const st = w.stats();
    console.log(`writer → influxd: ${fmt((all.length - cycles[0]!.length) / sec)} points/s (${fmt(all.length - cycles[0]!.length)} points, batches of ${st.batch_points.max}, write latency avg ${st.write_latency_ms.avg} ms max ${st.write_latency_ms.max} ms)`);
    await w.close();

    // Rollup cost: the CQ select over these 20 minutes of raw data (both targets, all measurements).
    const t1 = performance.now();
    const res = await backfillRollups(w.client, s.influx, { from: base, to: base + 20 * 60_000 });
    const rsec = (performance.now() - t1) / 1000;
    const rate = all.length / rsec;
    const windowPoints = (perDay / 24) * 12; // resample_for 12h
    console.log(`rollup select (5m + 1h, all measurements): ${fmt(rate)} raw points/s (${fmt(res.written)} rollup points in ${rsec.toFixed(1)} s) → recomputing a 12 h window (resample_for) of ${SITES} sites, both targets ≈ ${(windowPoints / rate).toFixed(0)} s of influxd time`);
  }

  // 2. spool append throughput and bytes per point, at two record sizes
  let bytesPerPoint = 0;
  for (const batch of [170, 5000]) {
    const dir = tmpDir('bench-s');
    dirs.push(dir);
    const spool = Spool.open({ dir, maxBytes: 8 * 1024 ** 3, warnRatio: 0.9, logger: silentLogger() });
    const t0 = performance.now();
    let n = 0;
    for (let i = 0; i + batch <= all.length; i += batch) {
      spool.append(all.slice(i, i + batch));
      n += batch;
    }
    const sec = (performance.now() - t0) / 1000;
    const st = spool.stats();
    const bpp = st.bytes / n;
    if (batch === 170) bytesPerPoint = bpp;
    console.log(`spool append, ${batch} points per record (fsync each): ${fmt(n / sec)} points/s, ${fmt(st.records / sec)} records/s, ${bpp.toFixed(1)} bytes/point`);
    spool.close();
  }
  const lineBytes = all.slice(0, 5000).reduce((a, p) => a + p.measurement.length + JSON.stringify(p.tags).length + JSON.stringify(p.fields).length + 14, 0) / 5000;
  console.log(`(for comparison, ~${lineBytes.toFixed(0)} bytes/point as uncompressed line protocol)`);

  // 3. replay rate: a spool of 20 minutes of fleet points replayed into influxd, no rate limit
  {
    const s = settingsWithDefaults({ influx: { url: influxd.url, database: 'bench_replay' }, spool: { replay_points_per_s: 10_000_000 } });
    const dataDir = tmpDir('bench-r');
    dirs.push(dataDir);
    const spool = Spool.open({ dir: `${dataDir}/spool`, maxBytes: 8 * 1024 ** 3, warnRatio: 0.9, logger: silentLogger() });
    for (let i = 0; i < all.length; i += 170) spool.append(all.slice(i, i + 170)); // records as an outage writes them (1 s of fleet)
    spool.close();
    const t0 = performance.now();
    const w = await createWriter({ influx: s.influx, spool: s.spool, dataDir, logger: silentLogger(), backfillLate: false });
    await waitFor('replay', () => w.stats().spool.points === 0, 300_000, 20);
    const sec = (performance.now() - t0) / 1000;
    console.log(`replay spool → influxd (unthrottled): ${fmt(w.stats().replayed / sec)} points/s (${fmt(w.stats().replayed)} points in ${sec.toFixed(1)} s; default throttle 50,000/s)`);
    await w.close();
  }

  // 4. opening a big spool after a restart (header walk + checksum scan of the last segment)
  {
    const dir = tmpDir('bench-open');
    dirs.push(dir);
    const rec = encodeRecord(all.slice(0, 170));
    const seg = Buffer.concat(Array.from({ length: Math.floor((64 * 1024 * 1024) / rec.length) }, () => rec));
    for (let i = 1; i <= 8; i++) fs.writeFileSync(`${dir}/seg-${String(i).padStart(12, '0')}.pws`, seg);
    const t0 = performance.now();
    const spool = Spool.open({ dir, maxBytes: 8 * 1024 ** 3, warnRatio: 0.9, logger: silentLogger() });
    const ms = performance.now() - t0;
    console.log(`open a ${((seg.length * 8) / 1024 ** 3).toFixed(2)} GiB spool (8 segments, ${fmt(spool.stats().points)} points): ${ms.toFixed(0)} ms`);
    spool.close();
  }

  const week = perDay * 7;
  console.log(`7 days of ${SITES} sites = ${fmt(week)} points × ${bytesPerPoint.toFixed(1)} bytes = ${(week * bytesPerPoint / 1024 ** 3).toFixed(2)} GiB of spool (default bound 4 GiB)`);
} finally {
  await influxd.destroy();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
}
