/**
 * `pointwatch report send --dry-run` through the real CLI: what would go to whom, read from the
 * operational SQLite file that `pointwatch run` left (a DOWN site), without sending anything or
 * changing that file; bad input is a clear error (exit 2).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { openDatabase } from '../../../src/store/sqlite.js';
import { IncidentRepository } from '../../../src/alerting/incidents.js';
import { initialSiteState } from '../../../src/alerting/reducer.js';
import { runCli } from '../../helpers/cli.js';
import { freeTcpPort } from '../../helpers/ports.js';

const vn = (y: number, m: number, d: number, h = 0, mi = 0) => Date.UTC(y, m - 1, d, h - 7, mi);
let dir: string;
let config: string;
let dbFile: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-report-send-'));
  const site = (id: string, commune: string, contacts: unknown[] = []) => ({ id, name: `Điểm ${id}`, kind: 'info_point', province: 'Tỉnh Thử', group: 'Huyện A', commune, host: '192.0.2.9', snmp: false, contacts });
  fs.writeFileSync(path.join(dir, 'sites.yaml'), stringify({
    sites: [site('a1', 'Xã An', [{ name: 'Chị Lan', email: 'lan@an.example.org' }]), site('a2', 'Xã An'), site('b1', 'Xã Bình', [{ name: 'Tom', email: 'tom@binh.example.org', lang: 'en' }])],
    areas: [{ level: 'province', name: 'Tỉnh Thử', contacts: [{ name: 'Sở', email: 'so@tinh.example.org' }] }],
  }));
  config = path.join(dir, 'pointwatch.yaml');
  fs.writeFileSync(config, stringify({
    inventory: 'sites.yaml', data_dir: path.join(dir, 'data'), runbooks_dir: path.resolve('config/runbooks'),
    // nothing listens here: the coverage-based reports are skipped with a warning, the list still shows
    influx: { url: `http://127.0.0.1:${await freeTcpPort()}`, timeout_ms: 500 },
    notifiers: [{ type: 'email', name: 'mail', host: '127.0.0.1', port: await freeTcpPort(), from: 'pw@example.org' }],
    scheduled_reports: { enabled: true },
  }));
  dbFile = path.join(dir, 'data', 'pointwatch.sqlite');
  const db = openDatabase(dbFile);
  const repo = new IncidentRepository(db, { now: () => vn(2026, 12, 1), sleep: async () => undefined }, 'Asia/Ho_Chi_Minh');
  repo.saveSiteStates([
    { ...initialSiteState('a1', vn(2026, 11, 30, 22)), state: 'DOWN', since: vn(2026, 11, 30, 22) },
    { ...initialSiteState('b1', vn(2026, 11, 30, 22)), state: 'DOWN', since: vn(2026, 12, 1, 5) },
  ], vn(2026, 12, 1, 6));
  db.close();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('pointwatch report send --dry-run', () => {
  it('lists what would go to whom, in each recipient\'s language, and changes nothing', () => {
    const before = fs.readFileSync(dbFile);
    const r = runCli(['report', 'send', '--dry-run', '--at', '2026-12-01T07:01', '--config', config], { timeoutMs: 90_000 });
    expect(r.code, r.stderr).toBe(0);
    process.stdout.write(`report send --dry-run:\n${r.stdout}`);
    const lines = r.stdout.trim().split('\n').map((l) => l.split('\t'));
    const still = lines.filter((l) => l[1] === 'still_down');
    expect(still.map((l) => [l[0], l[2], l[4], l[5]])).toEqual([
      ['would send', '2026-12-01', 'email:lan@an.example.org', 'vi'],
      ['would send', '2026-12-01', 'email:tom@binh.example.org', 'en'],
    ]);
    expect(still[0]![6]).toBe('Các điểm Wi-Fi vẫn mất kết nối tại Xã An (01/12/2026)');
    expect(still[1]![6]).toBe('Wi-Fi points still down in Xã Bình (01/12/2026)');
    expect(r.stderr).toMatch(/coverage for a scheduled report failed/); // monthly: the store is down here
    expect(fs.readFileSync(dbFile).equals(before)).toBe(true);
    const db = openDatabase(dbFile);
    expect(db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'report_sends'").get()).toBeUndefined();
    db.close();
  });

  it('--at without --dry-run, and a bad time, are refused with a clear message (exit 2)', () => {
    const a = runCli(['report', 'send', '--at', '2026-12-01T07:01', '--config', config]);
    expect(a.code).toBe(2);
    expect(a.stderr).toContain('--at: only with --dry-run');
    const b = runCli(['report', 'send', '--dry-run', '--at', 'yesterday', '--config', config]);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/"yesterday": not a date/);
  });
});
