/**
 * `pointwatch report coverage` as a user runs it (the real bin, a settings file, a real influxd):
 * every format, progress on stderr, bad input → exit 2 with a clear message, InfluxDB down → exit 1.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { startInfluxd, type Influxd } from '../../helpers/influxd.js';
import { freeTcpPort } from '../../helpers/ports.js';
import { CLI } from '../../helpers/cli.js';
import { silentLogger } from '../../../src/core/logger.js';
import { settingsWithDefaults, siteWithDefaults } from '../../../src/config/defaults.js';
import { statePoint } from '../../../src/store/points.js';
import { createWriter } from '../../../src/store/writer.js';
import { openDatabase } from '../../../src/store/sqlite.js';
import { migrateAlerting } from '../../../src/alerting/incidents.js';
import { databaseFile } from '../../../src/store/sqlite.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const H = 3_600_000;
// 2026-10-01 .. 2026-10-02 local (UTC+7)
const FROM = Date.UTC(2026, 8, 30, 17);

const SITES = [
  { id: 'ubnd-y-ty', name: 'UBND xã Y Tý', commune: 'Y Tý', group: 'Bát Xát', lat: 22.66, lon: 103.63 },
  { id: 'nvh-y-ty', name: 'Nhà văn hoá Y Tý', commune: 'Y Tý', group: 'Bát Xát', lat: 22.67, lon: 103.64 },
  { id: 'dtt-ta-van', name: 'Điểm truy cập Tả Van', commune: 'Tả Van', group: 'Sa Pa', lat: 22.30, lon: 103.89 },
].map((s) => siteWithDefaults({ ...s, kind: 'info_point', province: 'Lào Cai', host: '192.0.2.50', snmp: false }));

let influxd: Influxd;
let dir: string;
let configFile: string;

function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [...CLI, ...args], { // the sources through tsx (bin/ runs dist/, built by setup)
    cwd: dir, encoding: 'utf8', timeout: 60_000, env: { ...process.env, POINTWATCH_LOG_LEVEL: 'warn', ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  influxd = await startInfluxd();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-report-cli-'));
  fs.writeFileSync(path.join(dir, 'sites.yaml'), YAML.stringify({ sites: SITES }));
  const settingsYaml = {
    inventory: 'sites.yaml', data_dir: path.join(dir, 'data'),
    influx: { url: influxd.url, database: 'pwcli', retention: { raw: '400d', rollup_5m: '400d', rollup_1h: '1825d', resample_for: '12h' } },
  };
  configFile = path.join(dir, 'pointwatch.yaml');
  fs.writeFileSync(configFile, YAML.stringify(settingsYaml));
  const settings = settingsWithDefaults(settingsYaml);
  const writer = await createWriter({ influx: settings.influx, spool: settings.spool, dataDir: path.join(dir, 'data'), logger: silentLogger(), strict: true });
  // two days, every 5 min: ubnd-y-ty always up; nvh-y-ty down 10:00-14:00 local on day 1; Tả Van never checked
  for (let t = FROM; t < FROM + 48 * H; t += 5 * 60_000) {
    const localH = (new Date(t).getUTCHours() + 7) % 24;
    const day1 = t < FROM + 24 * H;
    writer.write([
      statePoint(SITES[0]!, t, 'UP', 300),
      statePoint(SITES[1]!, t, day1 && localH >= 10 && localH < 14 ? 'DOWN' : 'UP', 300),
    ]);
  }
  await writer.flush();
  await writer.close();
}, 60_000);

afterAll(async () => {
  await influxd?.destroy();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('pointwatch report coverage', () => {
  it('prints a table with the coverage figure, progress on stderr', () => {
    const r = cli(['report', 'coverage', '--config', configFile, '--from', '2026-10-01', '--to', '2026-10-02']);
    expect(r.stderr).toMatch(/report: querying \d+\/\d+/);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Communes with at least one point meeting the target: 1 of 2 (coverage 50.0%)');
    expect(r.stdout).toMatch(/nvh-y-ty\s+Nhà văn hoá Y Tý.*\s87\.50\s+at_risk/);
    expect(r.stdout).toMatch(/dtt-ta-van.*UNKNOWN\s+unknown/);
  });

  it('writes CSV with a BOM to --out, grouped by commune', () => {
    const out = path.join(dir, 'coverage.csv');
    const r = cli(['report', 'coverage', '--config', configFile, '--from', '2026-10-01', '--to', '2026-10-02', '--group-by', 'commune', '--format', 'csv', '--out', out, '-q']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const text = fs.readFileSync(out, 'utf8');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    expect(text).toContain('Y Tý,Bát Xát,Lào Cai,2,2,1,93.75');
  });

  it.each([
    { name: 'JSON for one commune', args: ['--commune', 'Y Tý', '--format', 'json'], check: (o: string) => expect(JSON.parse(o).sites).toHaveLength(2) },
    { name: 'HTML for one group, in the default language (vi)', args: ['--group', 'Sa Pa', '--format', 'html'], check: (o: string) => {
      expect(o).toMatch(/^<!doctype html>\n<html lang="vi">[\s\S]*CHƯA RÕ[\s\S]*<\/html>\n$/);
      // the province map: only the group's commune, linked to its report of the same period, legend in vi
      expect([...o.matchAll(/<svg class="map"[\s\S]*?<\/svg>/g)]).toHaveLength(1);
      expect(o).toMatch(/<a href="http:\/\/[^"]*\/coverage\?from=[^"]*commune=T%E1%BA%A3\+Van"><title>Tả Van<\/title>/);
      expect(o).not.toContain('<title>Y Tý</title>');
      expect(o).toContain('hoạt động tốt');
    } },
    { name: 'HTML in English on request', args: ['--group', 'Sa Pa', '--format', 'html', '--lang', 'en'], check: (o: string) => expect(o).toMatch(/^<!doctype html>\n<html lang="en">[\s\S]*UNKNOWN[\s\S]*<\/html>\n$/) },
    { name: '--district (its name before 2025) is read as --group', args: ['--district', 'Sa Pa', '--format', 'json'], check: (o: string) => expect(JSON.parse(o).sites.map((x: { site: string }) => x.site)).toEqual(['dtt-ta-van']) },
    { name: 'one commune by Province/Commune, grouped by group', args: ['--commune', 'Lào Cai/Y Tý', '--group-by', 'group', '--format', 'json'], check: (o: string) => expect(JSON.parse(o).groups.map((g: { name: string; sites: number }) => [g.name, g.sites])).toEqual([['Bát Xát', 2]]) },
  ])('$name', ({ args, check }) => {
    const r = cli(['report', 'coverage', '--config', configFile, '--from', '2026-10-01', '--to', '2026-10-02', '-q', ...args]);
    expect(r.code, r.stderr).toBe(0);
    check(r.stdout);
  });

  it.each([
    { name: '--from after --to', args: ['--from', '2026-10-05', '--to', '2026-10-01'], msg: /--from .* must be before --to/ },
    { name: 'a malformed date', args: ['--from', '2026-13-01', '--to', '2026-10-02'], msg: /--from "2026-13-01": not a date/ },
    { name: 'an unknown commune', args: ['--from', '2026-10-01', '--to', '2026-10-02', '--commune', 'Ta Van'], msg: /--commune "Ta Van": no site .* \(did you mean "Tả Van"\?\)/ },
    { name: 'an unknown format', args: ['--from', '2026-10-01', '--to', '2026-10-02', '--format', 'pdf'], msg: /argument 'pdf' is invalid/ },
    { name: 'a missing --to', args: ['--from', '2026-10-01'], msg: /required option '--to <date>' not specified/ },
  ])('bad input: $name → exit 2', ({ args, msg }) => {
    const r = cli(['report', 'coverage', '--config', configFile, ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(msg);
    expect(r.stdout).toBe('');
  });

  it('takes incidents from the operational SQLite file when pointwatch has run there', () => {
    const file = databaseFile(settingsWithDefaults({ data_dir: path.join(dir, 'data') }));
    const db = openDatabase(file);
    migrateAlerting(db);
    db.prepare(`INSERT INTO alert_incidents (kind, site_id, commune, area_group, province, state, detail, opened_at, cause, resolved_at)
      VALUES ('power-cut-suspected', 'nvh-y-ty', 'Y Tý', 'Bát Xát', 'Lào Cai', 'DOWN', 'no reply', ?, 'power', ?)`).run(FROM + 3 * H, FROM + 7 * H);
    db.close();
    try {
      const r = cli(['report', 'coverage', '--config', configFile, '--from', '2026-10-01', '--to', '2026-10-02', '--format', 'json', '-q']);
      expect(r.code, r.stderr).toBe(0);
      const site = (JSON.parse(r.stdout).sites as Array<{ site: string; incidents: number; main_cause: string; mttr_min: number }>).find((s) => s.site === 'nvh-y-ty')!;
      expect(site).toMatchObject({ incidents: 1, main_cause: 'power', mttr_min: 240 });
    } finally {
      for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
    }
  });

  it('InfluxDB unreachable → exit 1 with the reason', async () => {
    const port = await freeTcpPort();
    const r = cli(['report', 'coverage', '--config', configFile, '--from', '2026-10-01', '--to', '2026-10-02', '-q'], { POINTWATCH_INFLUX_URL: `http://127.0.0.1:${port}` });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/InfluxDB query failed: .*ECONNREFUSED/);
  });
});
