import { describe, expect, it } from 'vitest';
import { systemClock } from '../core/clock.js';
import { migrate, openDatabase } from '../store/sqlite.js';
import { ALERTING_MIGRATIONS, IncidentRepository } from './incidents.js';

const TZ = 'Asia/Ho_Chi_Minh';

describe('IncidentRepository: places', () => {
  it('an incident keeps its group when it has one and none when the site has none', () => {
    const repo = new IncidentRepository(openDatabase(':memory:'), systemClock, TZ);
    const a = repo.openIncident({ kind: 'site-down', site_id: 'a', province: 'Lào Cai', group: 'Bát Xát', commune: 'Y Tý', state: 'DOWN', detail: 'x', opened_at: 1 });
    const b = repo.openIncident({ kind: 'site-down', site_id: 'b', province: 'Khánh Hòa', commune: 'Bác Ái', state: 'DOWN', detail: 'x', opened_at: 1 });
    expect(repo.getIncident(a.id)).toMatchObject({ province: 'Lào Cai', group: 'Bát Xát', commune: 'Y Tý' });
    expect(repo.getIncident(b.id)).not.toHaveProperty('group');
    expect(repo.getIncident(b.id)).not.toHaveProperty('area_group');
  });

  it('a database from before the reform: its open incident is found again once the inventory drops the district (no second incident)', () => {
    const db = openDatabase(':memory:');
    migrate(db, 'alerting', ALERTING_MIGRATIONS.slice(0, 1));
    db.prepare(`INSERT INTO alert_incidents (kind, site_id, commune, district, province, state, detail, opened_at)
      VALUES ('site-down', 'yty-1', 'Y Tý', 'Bát Xát', 'Lào Cai', 'DOWN', 'no reply', 1000)`).run();
    const repo = new IncidentRepository(db, systemClock, TZ);
    const open = repo.findOpen('site-down', 'yty-1', { province: 'Lào Cai', commune: 'Y Tý' });
    expect(open).toMatchObject({ id: 1, group: 'Bát Xát' });
    const again = repo.openIncident({ kind: 'site-down', site_id: 'yty-1', province: 'Lào Cai', commune: 'Y Tý', state: 'DOWN', detail: 'x', opened_at: 2000 });
    expect(again.id).toBe(1);
    expect(repo.openIncidents()).toHaveLength(1);
  });
});
