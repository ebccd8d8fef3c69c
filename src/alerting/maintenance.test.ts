import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { InputError } from '../core/errors.js';
import { migrate, openDatabase } from '../store/sqlite.js';
import {
  compileCron, importPowerCutCsv, inMaintenance, isWindowActive, MAINTENANCE_MIGRATIONS, MaintenanceStore, parseLocalDateTime, windowProblems,
  type MaintenanceWindow,
} from './maintenance.js';
import { site } from './testkit.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const TZ = 'Asia/Ho_Chi_Minh'; // UTC+7, no DST
const local = (y: number, mo: number, d: number, h: number, mi = 0) => Date.UTC(y, mo - 1, d, h - 7, mi);

// Lào Cai keeps its former districts as groups; Điện Biên uses none and also has a 'Y Tý'
const sites = [
  site('yty-1', { commune: 'Y Tý', group: 'Bát Xát' }),
  site('yty-2', { commune: 'Y Tý', group: 'Bát Xát' }),
  site('ams-1', { commune: 'A Mú Sung', group: 'Bát Xát' }),
  site('sp-1', { commune: 'Sa Pả', group: 'Sa Pa' }),
  site('db-yty', { province: 'Điện Biên', commune: 'Y Tý' }),
];

function win(p: Partial<MaintenanceWindow>): MaintenanceWindow {
  return { id: 1, sites: [], communes: [], groups: [], start: 0, end: Number.MAX_SAFE_INTEGER, cron: null, duration_ms: null, reason: '', created_by: 't', created_at: 0, source: 'manual', ...p };
}

describe('isWindowActive', () => {
  const weekdayNights = win({ cron: '0 22 * * 1-5', duration_ms: 8 * 3600_000 }); // 22:00-06:00 local, Mon-Fri starts
  const cases: Array<{ name: string; w: MaintenanceWindow; ts: number; want: boolean }> = [
    { name: 'one-off: inside', w: win({ start: local(2026, 11, 25, 7), end: local(2026, 11, 25, 11, 30) }), ts: local(2026, 11, 25, 9), want: true },
    { name: 'one-off: end is exclusive', w: win({ start: local(2026, 11, 25, 7), end: local(2026, 11, 25, 11, 30) }), ts: local(2026, 11, 25, 11, 30), want: false },
    { name: 'one-off: before', w: win({ start: local(2026, 11, 25, 7), end: local(2026, 11, 25, 11, 30) }), ts: local(2026, 11, 25, 6, 59), want: false },
    { name: 'recurring: Monday 22:00 local, the start minute', w: weekdayNights, ts: local(2026, 11, 23, 22), want: true },
    { name: 'recurring: Tuesday 05:59 local, still the Monday occurrence', w: weekdayNights, ts: local(2026, 11, 24, 5, 59), want: true },
    { name: 'recurring: Tuesday 06:00 local, over', w: weekdayNights, ts: local(2026, 11, 24, 6), want: false },
    { name: 'recurring: Saturday 23:00, no Saturday occurrence', w: weekdayNights, ts: local(2026, 11, 28, 23), want: false },
    { name: 'recurring: Saturday 03:00, the Friday occurrence', w: weekdayNights, ts: local(2026, 11, 28, 3), want: true },
    { name: 'recurring: 21:59 local is before', w: weekdayNights, ts: local(2026, 11, 23, 21, 59), want: false },
    { name: 'recurring: outside the validity span', w: { ...weekdayNights, end: local(2026, 11, 1, 0) }, ts: local(2026, 11, 23, 23), want: false },
    { name: 'recurring: last day of the month (L)', w: win({ cron: '0 8 L * *', duration_ms: 3600_000 }), ts: local(2026, 2, 28, 8, 30), want: true },
    { name: 'recurring: not the last day', w: win({ cron: '0 8 L * *', duration_ms: 3600_000 }), ts: local(2026, 2, 27, 8, 30), want: false },
  ];
  for (const c of cases) it(c.name, () => expect(isWindowActive(c.w, c.ts, TZ)).toBe(c.want));

  it('scope: site, commune (by province + name) or group', () => {
    const ts = local(2026, 11, 25, 9);
    const base = { start: ts - 1, end: ts + 1 };
    const cases: Array<{ name: string; w: Partial<MaintenanceWindow>; site: number; want: boolean }> = [
      { name: 'site id', w: { sites: ['sp-1'] }, site: 3, want: true },
      { name: 'commune key', w: { communes: ['Lao Cai/Y Tý'] }, site: 0, want: true },
      { name: 'commune key: not the same name in another province', w: { communes: ['Lao Cai/Y Tý'] }, site: 4, want: false },
      { name: 'plain commune name: every province (windows stored before keys)', w: { communes: ['Y Tý'] }, site: 4, want: true },
      { name: 'another commune', w: { communes: ['Lao Cai/Y Tý'] }, site: 2, want: false },
      { name: 'group', w: { groups: ['Bát Xát'] }, site: 2, want: true },
      { name: 'group key', w: { groups: ['Lao Cai/Bát Xát'] }, site: 2, want: true },
      { name: 'another group', w: { groups: ['Bát Xát'] }, site: 3, want: false },
      { name: 'a site without a group is in no group', w: { groups: ['Bát Xát'] }, site: 4, want: false },
    ];
    for (const c of cases) expect(inMaintenance([win({ ...base, ...c.w })], sites[c.site]!, ts, TZ), c.name).toBe(c.want);
  });

  it('refuses a bad cron pattern naming the field', () => {
    expect(() => compileCron('0 25 * * *')).toThrow("invalid cron pattern '0 25 * * *': hour: 25 is a invalid expression for hour");
    const known = { sites: new Set(['yty-1']), places: sites };
    expect(windowProblems({ sites: ['nope'], communes: [], groups: [], start: 2, end: 1, cron: '* * *', reason: '', created_by: 'x' }, known)).toEqual([
      'end (1970-01-01T00:00:00.001Z) must be after start (1970-01-01T00:00:00.002Z)',
      "sites: unknown site 'nope'",
      expect.stringMatching(/^cron: invalid cron pattern/),
      'duration: a recurring window needs a duration',
    ]);
  });

  it('names unknown and ambiguous places', () => {
    const known = { sites: new Set<string>(), places: sites };
    const w = { sites: [], start: 1, end: 2, reason: '', created_by: 'x' };
    expect(windowProblems({ ...w, communes: ['Y Tý', 'Lao Cai/Y Tý', 'Mường Hum'], groups: ['Sa Pa', 'Than Uyên'] }, known)).toEqual([
      "communes: 'Y Tý' is a commune in Điện Biên and Lao Cai: write Province/Y Tý",
      "communes: unknown commune 'Mường Hum'",
      "groups: unknown group 'Than Uyên'",
    ]);
  });
});

describe('parseLocalDateTime', () => {
  const cases: Array<[string, number | null]> = [
    ['2026-11-25 07:00', local(2026, 11, 25, 7)],
    ['2026-11-25T07:00', local(2026, 11, 25, 7)],
    ['26/11/2026 13:00', local(2026, 11, 26, 13)],
    ['2026-11-28T06:30+07:00', local(2026, 11, 28, 6, 30)],
    ['2026-11-28T06:30Z', Date.UTC(2026, 10, 28, 6, 30)],
    ['2026-13-01 07:00', null],
    ['31/11/2026 07:00', null],
    ['tomorrow', null],
  ];
  for (const [text, want] of cases) it(text, () => expect(parseLocalDateTime(text, TZ)).toBe(want));
});

describe('importPowerCutCsv', () => {
  const read = (f: string) => fs.readFileSync(path.join(here, 'testdata', f), 'utf8');
  const laoCai = sites.filter((s) => s.province === 'Lao Cai');
  const opts = (file: string) => ({ file, sites: laoCai, tz: TZ, created_by: 'admin' });

  it('reads a published schedule: communes (stored as province + name) and groups, local times, optional reason', () => {
    const w = importPowerCutCsv(read('power-cuts-good.csv'), opts('power-cuts-good.csv'));
    expect(w).toEqual([
      { sites: [], communes: ['Lao Cai/Y Tý'], groups: [], start: local(2026, 11, 25, 7), end: local(2026, 11, 25, 11, 30), reason: 'Thay cột điện đường dây 35kV', created_by: 'admin', source: 'csv:power-cuts-good.csv' },
      { sites: [], communes: [], groups: ['Lao Cai/Bát Xát'], start: local(2026, 11, 26, 13), end: local(2026, 11, 26, 17), reason: 'Bảo dưỡng trạm biến áp', created_by: 'admin', source: 'csv:power-cuts-good.csv' },
      { sites: [], communes: ['Lao Cai/A Mú Sung'], groups: [], start: local(2026, 11, 27, 7), end: local(2026, 11, 27, 9), reason: 'planned power cut', created_by: 'admin', source: 'csv:power-cuts-good.csv' },
      { sites: [], communes: ['Lao Cai/Y Tý'], groups: [], start: local(2026, 11, 28, 6, 30), end: local(2026, 11, 28, 8), reason: 'Sửa chữa, vệ sinh sứ cách điện', created_by: 'admin', source: 'csv:power-cuts-good.csv' },
    ]);
  });

  it('lands a schedule written with pre-merger names on the current commune; a repeated name needs its province or former district', () => {
    const communes = [
      { province: 'Lao Cai', name: 'Y Tý', former_names: [{ name: 'Trịnh Tường', district: 'Bát Xát' }, { name: 'Bản Hồ', district: 'Bát Xát' }] },
      { province: 'Lao Cai', name: 'Sa Pả', former_names: [{ name: 'Bản Hồ', district: 'Sa Pa' }] },
    ];
    const o = { ...opts('old.csv'), sites, communes };
    const csv = (rows: string[]) => ['area,start,end,reason,district', ...rows].join('\n');
    const w = importPowerCutCsv(csv([
      'xã Trịnh Tường,2026-12-01 07:00,2026-12-01 09:00,,',
      'Bản Hồ,2026-12-02 07:00,2026-12-02 09:00,,huyện Sa Pa',
      'Lao Cai/A Mú Sung,2026-12-03 07:00,2026-12-03 09:00,,',
    ]), o);
    expect(w.map((x) => x.communes)).toEqual([['Lao Cai/Y Tý'], ['Lao Cai/Sa Pả'], ['Lao Cai/A Mú Sung']]);
    let err: unknown;
    try { importPowerCutCsv(csv(['Bản Hồ,2026-12-02 07:00,2026-12-02 09:00,,', 'Y Tý,2026-12-02 07:00,2026-12-02 09:00,,']), o); } catch (e) { err = e; }
    expect((err as InputError).problems).toEqual([
      "old.csv:2: column area: former commune 'Bản Hồ' is now part of Lao Cai/Sa Pả, Lao Cai/Y Tý: give its former district to tell them apart",
      "old.csv:3: column area: 'Y Tý' is a commune in 2 provinces (Điện Biên/Y Tý, Lao Cai/Y Tý): write Province/Y Tý",
    ]);
  });

  it('lists every bad row with its line and column, and imports nothing', () => {
    let err: unknown;
    try { importPowerCutCsv(read('power-cuts-broken.csv'), opts('power-cuts-broken.csv')); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).message).toBe('power-cuts-broken.csv: 6 problems');
    expect((err as InputError).problems).toEqual([
      "power-cuts-broken.csv:3: column area: 'Mường Hum' is neither a commune (current or former) nor a group of the inventory",
      "power-cuts-broken.csv:4: column start: '2026-13-01 07:00' is not a date and time (use YYYY-MM-DD HH:MM or DD/MM/YYYY HH:MM, local time)",
      "power-cuts-broken.csv:5: column end: '2026-11-29 09:00' is not after start '2026-11-29 10:00'",
      'power-cuts-broken.csv:6: column area: empty: name a commune or group',
      'power-cuts-broken.csv:7: 2 fields, the header has 4',
      "power-cuts-broken.csv:8: column start: '31/11/2026 07:00' is not a date and time (use YYYY-MM-DD HH:MM or DD/MM/YYYY HH:MM, local time)",
    ]);
  });

  it('names a missing header column', () => {
    expect(() => importPowerCutCsv('area,from,end\nY Tý,2026-11-25 07:00,2026-11-25 09:00\n', opts('s.csv'))).toThrow(InputError);
    try { importPowerCutCsv('area,from,end\n', opts('s.csv')); } catch (e) {
      expect((e as InputError).problems).toEqual([
        "s.csv:1: header: missing column 'start' (expected area,start,end[,reason])",
        "s.csv:1: header: unknown column 'from' (expected area,start,end[,reason][,district])",
      ]);
    }
  });
});

describe('MaintenanceStore', () => {
  it('stores, lists, answers isInMaintenance, deletes', () => {
    const db = openDatabase(':memory:');
    const store = new MaintenanceStore(db, TZ);
    const created = store.createMany([
      { sites: [], communes: ['Lao Cai/Y Tý'], groups: [], start: local(2026, 11, 25, 7), end: local(2026, 11, 25, 11), reason: 'cut', created_by: 'a' },
      { sites: ['sp-1'], communes: [], groups: [], start: 0, end: local(2027, 1, 1, 0), cron: '0 22 * * *', duration_ms: 3600_000, reason: 'nightly', created_by: 'a' },
    ], 123);
    expect(created.map((w) => w.id)).toEqual([1, 2]);
    expect(store.get(2)).toMatchObject({ cron: '0 22 * * *', duration_ms: 3600_000, source: 'manual', created_at: 123 });
    expect(store.isInMaintenance(sites[0]!, local(2026, 11, 25, 8))).toBe(true);
    expect(store.isInMaintenance(sites[3]!, local(2026, 11, 25, 22, 30))).toBe(true);
    expect(store.isInMaintenance(sites[3]!, local(2026, 11, 25, 23, 30))).toBe(false);
    expect(store.delete(1)).toBe(true);
    expect(store.delete(1)).toBe(false);
    expect(store.isInMaintenance(sites[0]!, local(2026, 11, 25, 8))).toBe(false);
    // a second store on the same DB sees the same windows (migrations run once)
    expect(new MaintenanceStore(db, TZ).list().map((w) => w.id)).toEqual([2]);
  });

  it('a database from before the reform: windows on districts become windows on the group of that name', () => {
    const db = openDatabase(':memory:');
    migrate(db, 'alerting-maintenance', MAINTENANCE_MIGRATIONS.slice(0, 1));
    db.prepare(`INSERT INTO alert_maintenance (districts, start_ms, end_ms, reason, created_by, created_at) VALUES (?, ?, ?, 'old', 'a', 0)`)
      .run(JSON.stringify(['Bát Xát']), local(2026, 11, 25, 7), local(2026, 11, 25, 11));
    const store = new MaintenanceStore(db, TZ);
    expect(store.list()[0]).toMatchObject({ communes: [], groups: ['Bát Xát'] });
    expect(store.isInMaintenance(sites[2]!, local(2026, 11, 25, 8))).toBe(true);
    expect(store.isInMaintenance(sites[3]!, local(2026, 11, 25, 8))).toBe(false);
  });
});
