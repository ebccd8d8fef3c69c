import { describe, expect, it } from 'vitest';
import { openDatabase } from '../store/sqlite.js';
import { migrateAlerting } from '../alerting/incidents.js';
import { incidentsFromDb } from './incidents.js';

describe('incidentsFromDb', () => {
  const db = openDatabase(':memory:');
  migrateAlerting(db);
  const ins = db.prepare(`INSERT INTO alert_incidents (kind, site_id, commune, area_group, province, state, detail, opened_at, cause, resolved_at)
    VALUES (?, ?, 'Y Tý', 'Bát Xát', 'Lào Cai', 'DOWN', 'no reply for 2 checks', ?, ?, ?)`);
  ins.run('site-down', 'a', 1000, 'power', 2000); // before the period
  ins.run('site-down', 'a', 4000, 'link', 6000); // inside
  ins.run('power-cut-suspected', 'b', 2500, null, 5500); // overlaps the start, cause not known yet
  ins.run('high-loss', 'c', 9000, 'link', null); // open, overlaps the end
  ins.run('site-down', null, 4000, 'unknown', 5000); // a commune-level incident: no site
  ins.run('site-down', 'd', 20_000, 'power', 21_000); // after
  it.each([
    { name: 'only site incidents overlapping the period, with their kind', from: 3000, to: 10_000, want: [
      { site: 'b', kind: 'power-cut-suspected', cause: 'unknown', opened: 2500, resolved: 5500 },
      { site: 'a', kind: 'site-down', cause: 'link', opened: 4000, resolved: 6000 },
      { site: 'c', kind: 'high-loss', cause: 'link', opened: 9000, resolved: null },
    ] },
    { name: 'nothing in an empty stretch', from: 12_000, to: 19_000, want: [{ site: 'c', kind: 'high-loss', cause: 'link', opened: 9000, resolved: null }] },
  ])('$name', async ({ from, to, want }) => {
    expect(await incidentsFromDb(db)(from, to)).toEqual(want);
  });
});
