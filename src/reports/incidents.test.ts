import { describe, expect, it } from 'vitest';
import { migrate, openDatabase } from '../store/sqlite.js';
import { ALERTING_MIGRATIONS, migrateAlerting } from '../alerting/incidents.js';
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
  // incident 2 (site a, 4000-6000) got an outcome, written twice: the latest is the one shown
  const out = db.prepare(`INSERT INTO incident_outcomes (incident_id, cause_found, actions, parts, written_by, via, written_at) VALUES (2, ?, ?, ?, ?, 'link', ?)`);
  out.run('chưa rõ', 'khởi động lại', null, 'Minh (signed link)', 6500);
  out.run('Mất điện lưới', 'Bật lại aptomat', 'Ắc quy UPS', 'Minh (signed link)', 7000);
  const OUTCOME = { cause_found: 'Mất điện lưới', actions: 'Bật lại aptomat', parts: 'Ắc quy UPS', by: 'Minh (signed link)' };
  it.each([
    { name: 'only site incidents overlapping the period, with their kind, id and latest outcome', from: 3000, to: 10_000, want: [
      { id: 3, site: 'b', kind: 'power-cut-suspected', cause: 'unknown', opened: 2500, resolved: 5500, outcome: null },
      { id: 2, site: 'a', kind: 'site-down', cause: 'link', opened: 4000, resolved: 6000, outcome: OUTCOME },
      { id: 4, site: 'c', kind: 'high-loss', cause: 'link', opened: 9000, resolved: null, outcome: null },
    ] },
    { name: 'nothing in an empty stretch', from: 12_000, to: 19_000, want: [{ id: 4, site: 'c', kind: 'high-loss', cause: 'link', opened: 9000, resolved: null, outcome: null }] },
  ])('$name', async ({ from, to, want }) => {
    expect(await incidentsFromDb(db)(from, to)).toEqual(want);
  });

  it('a database from before outcomes existed still reports its incidents', async () => {
    const old = openDatabase(':memory:');
    migrate(old, 'alerting', ALERTING_MIGRATIONS);
    old.prepare(`INSERT INTO alert_incidents (kind, site_id, commune, area_group, province, state, detail, opened_at, cause, resolved_at)
      VALUES ('site-down', 'a', 'Y Tý', 'Bát Xát', 'Lào Cai', 'DOWN', 'x', 4000, 'power', 6000)`).run();
    expect(await incidentsFromDb(old)(3000, 10_000)).toEqual([{ id: 1, site: 'a', kind: 'site-down', cause: 'power', opened: 4000, resolved: 6000, outcome: null }]);
  });
});
