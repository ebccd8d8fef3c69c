import { describe, expect, it } from 'vitest';
import { settingsWithDefaults } from '../config/defaults.js';
import type { AreaContacts } from '../config/schema.js';
import { dueEscalations, escalationGaps, escalationSteps, recipientsFor, type EscalationView } from './escalation.js';
import { site as siteOf } from './testkit.js';

const steps = escalationSteps(settingsWithDefaults({})); // commune first, province after 1h
const withGroup = escalationSteps(settingsWithDefaults({ alerting: { escalation: [{ after: '30m', level: 'group' }, { after: '2h', level: 'province' }] } }));
const MIN = 60_000;
const base: EscalationView = { notified_at: 0, acknowledged_at: null, resolved_at: null, escalated: [] };

describe('dueEscalations', () => {
  const cases: Array<{ name: string; inc: EscalationView; steps?: typeof steps; now: number; want: string[] }> = [
    { name: 'default: nothing before 1 hour', inc: base, now: 59 * MIN, want: [] },
    { name: 'default: commune -> province at 1 hour (no district since 2025)', inc: base, now: 60 * MIN, want: ['province'] },
    { name: 'default: province already told', inc: { ...base, escalated: ['province'] }, now: 5 * 60 * MIN, want: [] },
    { name: 'a province with groups: group at 30 minutes', inc: base, steps: withGroup, now: 30 * MIN, want: ['group'] },
    { name: 'group already told', inc: { ...base, escalated: ['group'] }, steps: withGroup, now: 60 * MIN, want: [] },
    { name: 'both due at once after a long pause (tick missed)', inc: base, steps: withGroup, now: 3 * 60 * MIN, want: ['group', 'province'] },
    { name: 'acknowledged: never', inc: { ...base, acknowledged_at: 5 * MIN }, now: 10 * 60 * MIN, want: [] },
    { name: 'resolved: never', inc: { ...base, resolved_at: 5 * MIN }, now: 10 * 60 * MIN, want: [] },
    { name: 'never notified (held, suppressed, folded): never', inc: { ...base, notified_at: null }, now: 10 * 60 * MIN, want: [] },
    { name: 'the clock went backwards: nothing', inc: { ...base, notified_at: 10 * MIN }, now: 0, want: [] },
  ];
  for (const c of cases) it(c.name, () => expect(dueEscalations(c.inc, c.steps ?? steps, c.now).map((s) => s.level)).toEqual(c.want));

  it('levels and delays come from settings; level district (settings from before 2025) is read as group', () => {
    const s = escalationSteps(settingsWithDefaults({ alerting: { escalation: [{ after: '10m', level: 'province' }] } }));
    expect(s).toEqual([{ level: 'province', after_ms: 10 * MIN }]);
    expect(escalationSteps(settingsWithDefaults({ alerting: { escalation: [{ after: '30m', level: 'district' }] } }))).toEqual([{ level: 'group', after_ms: 30 * MIN }]);
  });
});

describe('recipientsFor', () => {
  const area = { province: 'Lào Cai', group: 'Bát Xát', commune: 'Y Tý' };
  const inventory = {
    areas: [
      { level: 'commune' as const, name: 'Y Tý', province: 'Lào Cai', contacts: [{ name: 'Cán bộ xã', phone: '0912000111' }, { name: 'Keeper', zalo: '0987' }] },
      { level: 'commune' as const, name: 'Điện Biên/Y Tý', contacts: [{ name: 'Y Tý of another province', phone: '0912000888' }] },
      { level: 'commune' as const, name: 'A Mú Sung', contacts: [{ name: 'Other commune', phone: '0912000999' }] },
      { level: 'group' as const, name: 'Bát Xát', contacts: [{ name: 'Cụm Bát Xát', email: 'cum@example.vn' }] },
      { level: 'province' as const, name: 'Lào Cai', contacts: [{ name: 'Sở', email: 'so@example.vn' }] },
    ],
  };
  const site = { contacts: [{ name: 'Keeper', zalo: '0987' }, { name: 'Thầy giáo', phone: '0911000222' }] };
  it('commune: the site contacts, then that commune of that province, each once', () => {
    expect(recipientsFor('commune', area, site, inventory).map((r) => `${r.name}/${r.level}`)).toEqual(['Keeper/commune', 'Thầy giáo/commune', 'Cán bộ xã/commune']);
    expect(recipientsFor('commune', { province: 'Điện Biên', commune: 'Y Tý' }, null, inventory).map((r) => r.name)).toEqual(['Y Tý of another province']);
  });
  it('group and province: only that area', () => {
    expect(recipientsFor('group', area, site, inventory).map((r) => r.name)).toEqual(['Cụm Bát Xát']);
    expect(recipientsFor('province', area, null, inventory).map((r) => r.name)).toEqual(['Sở']);
  });
  it('a site without a group, or an area with no contacts, gives nobody (the notifiers still copy their fixed addresses)', () => {
    expect(recipientsFor('group', { province: 'Lào Cai', commune: 'Y Tý' }, null, inventory)).toEqual([]);
    expect(recipientsFor('province', { ...area, province: 'Điện Biên' }, null, inventory)).toEqual([]);
  });
});

describe('escalationGaps (check-config warnings)', () => {
  const sites = [
    siteOf('a1', { province: 'Khánh Hòa', commune: 'Bác Ái', contacts: [{ name: 'Keeper', phone: '0912000111' }] }),
    siteOf('a2', { province: 'Khánh Hòa', commune: 'Bác Ái' }),
    siteOf('b1', { province: 'Khánh Hòa', commune: 'Cam Lâm', contacts: [{ name: 'Keeper B', phone: '0912000222' }] }),
    siteOf('c1', { province: 'Bắc Ninh', commune: 'Kép', group: 'Cụm Bắc', contacts: [{ name: 'Keeper C', phone: '0912000333' }] }),
  ];
  const areas: AreaContacts[] = [
    { level: 'province', name: 'Khánh Hòa', contacts: [{ name: 'Sở KH', email: 'so@example.vn' }] },
  ];
  const gaps = (escalation: unknown, a = areas) => escalationGaps(settingsWithDefaults({ alerting: { escalation } }), { sites, areas: a })
    .map((g) => `${g.level}@${g.after ?? 'first'} ${g.area} (${g.sites})`);

  it('the commune level: a commune where some site has no contact and the commune none; every level with sites and nobody', () => {
    expect(gaps([{ after: '1h', level: 'province' }])).toEqual(['commune@first Khánh Hòa/Bác Ái (2)', 'province@1h Bắc Ninh (1)']);
  });
  it('commune contacts cover every site of the commune', () => {
    const a: AreaContacts[] = [...areas, { level: 'commune', name: 'Bác Ái', contacts: [{ name: 'UBND xã', phone: '0912000444' }] }, { level: 'province', name: 'Bắc Ninh', contacts: [{ name: 'Sở BN', email: 'bn@example.vn' }] }];
    expect(gaps([{ after: '1h', level: 'province' }], a)).toEqual([]);
  });
  it('a group level: groups without contacts, and each province\'s sites without a group', () => {
    expect(gaps([{ after: '30m', level: 'group' }], [...areas, { level: 'commune', name: 'Bác Ái', contacts: [{ name: 'UBND xã' }] }])).toEqual([
      'group@30m Khánh Hòa (sites without a group) (3)', 'group@30m Bắc Ninh/Cụm Bắc (1)',
    ]);
  });
});
