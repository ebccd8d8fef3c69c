/**
 * Smoke test of the benchmark harness (tests/bench/run.ts), run as `npm run bench` runs it:
 * 50 real routers (snmpd) on loopback, a real influxd, 2 cycles of the real pipeline, the peers
 * (snmp_exporter, fping alone) and a small report-speed phase. Asserts the JSON has every key the
 * issue names and that no point was lost. No timing assertions (figures vary with the machine).
 *
 * Plus the harness's pure parts: addresses, the exporter module, the generated rollup points.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { settingsWithDefaults } from '../../../src/config/defaults.js';
import { assertDeclared } from '../../../src/store/points.js';
import { benchSite, siteAddress, viewLines } from '../../bench/fleet.js';
import { exporterConfig } from '../../bench/peers.js';
import { hourPoints } from '../../bench/report.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');

function runBench(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'tests/bench/run.ts', ...args], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024, timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('bench harness: pure parts', () => {
  it.each([
    { name: 'first site', i: 0, want: '127.100.0.1' },
    { name: 'last of the first /24', i: 253, want: '127.100.0.254' },
    { name: 'wraps to the next /24', i: 254, want: '127.100.1.1' },
    { name: 'next /16 after 65,024 sites', i: 65_024, want: '127.101.0.1' },
  ])('siteAddress: $name', ({ i, want }) => {
    expect(siteAddress(i)).toBe(want);
  });

  it('siteAddress gives 50,000 distinct loopback hosts, never .0 or .255', () => {
    const seen = new Set<string>();
    const bad: string[] = [];
    for (let i = 0; i < 50_000; i++) {
      const a = siteAddress(i);
      const last = Number(a.split('.')[3]);
      if (!a.startsWith('127.') || !(last > 0 && last < 255)) bad.push(a);
      seen.add(a);
    }
    expect(bad).toEqual([]);
    expect(seen.size).toBe(50_000);
  });

  it('the routers\' view: the system group and ifIndex 1..n of both interface tables', () => {
    expect(viewLines(0)).toEqual(['view benchview included .1']);
    const v = viewLines(2);
    expect(v).toContain('view benchview included .1.3.6.1.2.1.1');
    expect(v).toContain('view benchview included .1.3.6.1.2.1.2.2.1.1.2 ff:a0');
    expect(v).toContain('view benchview included .1.3.6.1.2.1.31.1.1.1.1.2 ff:d0');
    expect(v.filter((l) => l.endsWith('.3 ff:a0'))).toEqual([]);
  });

  it('the snmp_exporter module reads what pointwatch reads, auth inside the module (0.21)', () => {
    const cfg = YAML.parse(exporterConfig(settingsWithDefaults({})));
    const m = cfg.if_mib;
    expect(m.auth.community).toBeTruthy();
    expect(m.version).toBe(2);
    expect(m.walk).toHaveLength(14);
    expect(m.walk).toContain('1.3.6.1.2.1.31.1.1.1.6'); // ifHCInOctets
    expect(m.get).toContain('1.3.6.1.2.1.1.3.0'); // sysUpTime
    expect(m.timeout).toBe('2000ms');
  });

  it('generated rollup points fit the declared schema', () => {
    const site = benchSite(7, siteAddress(7), 161);
    const pts = Array.from({ length: 200 }, (_, h) => hourPoints(site, 7, h, Date.UTC(2026, 0, 1) + h * 3_600_000, new Set(['site_state', 'ping', 'interface']))).flat();
    expect(pts.length).toBeGreaterThan(400);
    for (const p of pts) expect(() => assertDeclared(p)).not.toThrow();
    const states = pts.filter((p) => p.measurement === 'site_state');
    expect(states).toHaveLength(200);
    for (const s of states) expect(Number(s.fields!.up) + Number(s.fields!.down) + Number(s.fields!.unknown)).toBe(120);
  });
});

describe('bench harness: npm run bench -- --sites 50 --cycles 2 --json', () => {
  it('runs the real pipeline and the peers, prints every key, loses no point', async () => {
    const r = await runBench(['--sites', '50', '--cycles', '2', '--json', '--no-notify', '--report-sites', '5', '--report-days', '70']);
    expect(r.stderr).toContain('cycle 2/2');
    expect(r.code, r.stderr.slice(-3000)).toBe(0);
    const j = JSON.parse(r.stdout);
    for (const k of ['sites', 'cycles', 'cycle_wall_s', 'cpu_s_per_1000_site_polls', 'fping_cpu_s', 'influxd_cpu_s', 'rss_mb_peak', 'points_written', 'points_per_s', 'points_lost']) {
      expect(j, k).toHaveProperty(k);
    }
    expect(j.sites).toBe(50);
    expect(j.cycles).toBe(2);
    expect(j.cycle_wall_s.median).toBeGreaterThan(0);
    expect(j.cycle_wall_s.max).toBeGreaterThanOrEqual(j.cycle_wall_s.median);
    expect(j.cpu_s_per_1000_site_polls).toBeGreaterThan(0);
    expect(j.fping_cpu_s).toBeGreaterThanOrEqual(0);
    expect(j.rss_mb_peak).toBeGreaterThan(0);
    // every site answered: 2 × (ping + snmp + site_state + interfaces) points at least, all in InfluxDB
    expect(j.points_written).toBeGreaterThanOrEqual(50 * 2 * 3);
    expect(j.points_lost).toBe(0);
    expect(j.throughput.per_cycle).toHaveLength(2);
    for (const c of j.throughput.per_cycle) {
      expect(c.snmp_timeouts).toBe(0);
      expect(c.failed).toBe(0);
    }
    // each router shows the machine's ifIndex 1..4 only (the bench's VACM view)
    expect(j.throughput.interfaces_per_site).toBeGreaterThanOrEqual(1);
    expect(j.throughput.interfaces_per_site).toBeLessThanOrEqual(4);
    // peers on the same fleet
    expect(j.peers.snmp_exporter.failed_scrapes).toBe(0);
    expect(j.peers.snmp_exporter.interfaces_seen).toBeGreaterThanOrEqual(1);
    expect(j.peers.snmp_exporter.interfaces_seen).toBeLessThanOrEqual(4);
    expect(j.peers.ratio_snmp_cpu_pointwatch_over_exporter).toBeGreaterThan(0);
    expect(j.peers.net_snmp_bare).toMatchObject({ failed: 0, varbinds_asked: 42 });
    expect(j.peers.net_snmp_bare.cpu_ms_per_device).toBeGreaterThan(0);
    expect(j.peers.ratio_snmp_cpu_pointwatch_over_net_snmp_bare).toBeGreaterThan(0);
    expect(j.peers.fping_alone.replies_pct).toBe(100);
    expect(j.peers.ratio_ping_cpu_pointwatch_over_fping).toBeGreaterThan(0);
    // fping runs under the launcher shells: its CPU is still counted (their children's time)
    expect(j.throughput.fping_cpu_s).toBeGreaterThan(0);
    // report phase: a span this long is read from the daily rollup (edges from the 1-hour one)
    expect(j.report.report_resolution).toBe('rollup_1d');
    expect(j.report.sites_in_report).toBe(5);
    expect(j.report.points_generated).toBeGreaterThan(5 * 70 * 24);
    expect(j.machine.nproc).toBeGreaterThan(0);
  });
});
