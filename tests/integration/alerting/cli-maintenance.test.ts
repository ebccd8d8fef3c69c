/**
 * `pointwatch maintenance ...` through the real CLI entry, on the example config, with the
 * database in a temp data_dir: import a schedule (good and broken), add, list, delete, and the
 * windows read back by the store the engine uses.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MaintenanceStore } from '../../../src/alerting/maintenance.js';
import { databaseFile } from '../../../src/store/sqlite.js';
import { settingsWithDefaults } from '../../../src/config/defaults.js';
import { openDatabase } from '../../../src/store/sqlite.js';
import { runCli } from '../../helpers/cli.js';

const FIXTURES = path.resolve(import.meta.dirname, '../../../src/alerting/testdata');

describe('pointwatch maintenance', () => {
  let dir: string;
  const env = () => ({ POINTWATCH_DATA_DIR: dir });
  beforeAll(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-alerting-cli-')); });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('imports a published power-cut schedule, all rows', () => {
    const r = runCli(['maintenance', 'import', path.join(FIXTURES, 'power-cuts-good.csv'), '--by', 'lan'], { env: env() });
    expect(r.stderr).toBe('imported 4 windows from power-cuts-good.csv\n');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('1\tcommune:Lào Cai/Y Tý\t2026-11-25 07:00 .. 2026-11-25 11:30\tThay cột điện đường dây 35kV\t(csv:power-cuts-good.csv, by lan)');
  });

  it('refuses a broken schedule whole, naming every line and column (exit 2)', () => {
    const r = runCli(['maintenance', 'import', path.join(FIXTURES, 'power-cuts-broken.csv')], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      "power-cuts-broken.csv:3: column area: 'Mường Hum' is neither a commune (current or former) nor a group of the inventory",
      "power-cuts-broken.csv:4: column start: '2026-13-01 07:00' is not a date and time (use YYYY-MM-DD HH:MM or DD/MM/YYYY HH:MM, local time)",
      "power-cuts-broken.csv:5: column end: '2026-11-29 09:00' is not after start '2026-11-29 10:00'",
      'power-cuts-broken.csv:6: column area: empty: name a commune or group',
      'power-cuts-broken.csv:7: 2 fields, the header has 4',
      "power-cuts-broken.csv:8: column start: '31/11/2026 07:00' is not a date and time (use YYYY-MM-DD HH:MM or DD/MM/YYYY HH:MM, local time)",
    ]);
  });

  it('adds a recurring window, refuses a bad one, lists, deletes', () => {
    const bad = runCli(['maintenance', 'add', '--sites', 'nope', '--cron', '0 25 * * *', '--reason', 'x'], { env: env() });
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toEqual([
      "--sites: unknown site 'nope'",
      "--cron: invalid cron pattern '0 25 * * *': hour: 25 is a invalid expression for hour",
      '--duration: a recurring window needs a duration',
    ]);
    const ok = runCli(['maintenance', 'add', '--communes', 'Y Tý', '--cron', '0 22 * * *', '--duration', '8h', '--start', '2026-11-01 00:00', '--reason', 'tắt đêm', '--by', 'lan'], { env: env() });
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toBe('5\tcommune:Lào Cai/Y Tý\tevery "0 22 * * *" for 480 min, 2026-11-01 00:00 .. no end\ttắt đêm\t(manual, by lan)\n');
    expect(runCli(['maintenance', 'delete', '2'], { env: env() }).stdout).toBe('deleted window 2\n');
    const again = runCli(['maintenance', 'delete', '2'], { env: env() });
    expect([again.code, again.stderr]).toEqual([2, 'maintenance delete: no window 2\n']);
    const listed = runCli(['maintenance', 'list', '--json'], { env: env() });
    expect((JSON.parse(listed.stdout) as Array<{ id: number }>).map((w) => w.id)).toEqual([5, 1, 3, 4]); // by start time

    // the engine's store reads the same windows: Y Tý at 23:00 local is in the nightly window
    const db = openDatabase(databaseFile(settingsWithDefaults({ data_dir: dir })));
    try {
      const store = new MaintenanceStore(db, 'Asia/Ho_Chi_Minh');
      const yty = { id: 'x', province: 'Lào Cai', commune: 'Y Tý', group: 'Bát Xát' };
      expect(store.isInMaintenance(yty, Date.UTC(2026, 11, 3, 16, 0))).toBe(true);
      expect(store.isInMaintenance(yty, Date.UTC(2026, 11, 3, 12, 0))).toBe(false);
    } finally {
      db.close();
    }
  });
});
