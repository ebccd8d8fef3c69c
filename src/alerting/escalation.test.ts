import { describe, expect, it } from 'vitest';
import { settingsWithDefaults } from '../config/defaults.js';
import { dueEscalations, escalationSteps, recipientsFor, type EscalationView } from './escalation.js';

const steps = escalationSteps(settingsWithDefaults({})); // district after 30m, province after 2h
const MIN = 60_000;
const base: EscalationView = { notified_at: 0, acknowledged_at: null, resolved_at: null, escalated: [] };

describe('dueEscalations', () => {
  const cases: Array<{ name: string; inc: EscalationView; now: number; want: string[] }> = [
    { name: 'nothing before 30 minutes', inc: base, now: 29 * MIN, want: [] },
    { name: 'district at 30 minutes', inc: base, now: 30 * MIN, want: ['district'] },
    { name: 'district already told', inc: { ...base, escalated: ['district'] }, now: 60 * MIN, want: [] },
    { name: 'both due at once after a long pause (tick missed)', inc: base, now: 3 * 60 * MIN, want: ['district', 'province'] },
    { name: 'province after 2 hours', inc: { ...base, escalated: ['district'] }, now: 120 * MIN, want: ['province'] },
    { name: 'acknowledged: never', inc: { ...base, acknowledged_at: 5 * MIN }, now: 10 * 60 * MIN, want: [] },
    { name: 'resolved: never', inc: { ...base, resolved_at: 5 * MIN }, now: 10 * 60 * MIN, want: [] },
    { name: 'never notified (held, suppressed, folded): never', inc: { ...base, notified_at: null }, now: 10 * 60 * MIN, want: [] },
    { name: 'the clock went backwards: nothing', inc: { ...base, notified_at: 10 * MIN }, now: 0, want: [] },
  ];
  for (const c of cases) it(c.name, () => expect(dueEscalations(c.inc, steps, c.now).map((s) => s.level)).toEqual(c.want));

  it('levels and delays come from settings', () => {
    const s = escalationSteps(settingsWithDefaults({ alerting: { escalation: [{ after: '10m', level: 'province' }] } }));
    expect(s).toEqual([{ level: 'province', after_ms: 10 * MIN }]);
  });
});

describe('recipientsFor', () => {
  const area = { province: 'Lào Cai', district: 'Bát Xát', commune: 'Y Tý' };
  const inventory = {
    areas: [
      { level: 'commune' as const, name: 'Y Tý', contacts: [{ name: 'Cán bộ xã', phone: '0912000111' }, { name: 'Keeper', zalo: '0987' }] },
      { level: 'commune' as const, name: 'A Mú Sung', contacts: [{ name: 'Other commune', phone: '0912000999' }] },
      { level: 'district' as const, name: 'Bát Xát', contacts: [{ name: 'Phòng VH', email: 'pvh@example.vn' }] },
      { level: 'province' as const, name: 'Lào Cai', contacts: [{ name: 'Sở', email: 'so@example.vn' }] },
    ],
  };
  const site = { contacts: [{ name: 'Keeper', zalo: '0987' }, { name: 'Thầy giáo', phone: '0911000222' }] };
  it('commune: the site contacts, then the commune contacts, each once', () => {
    expect(recipientsFor('commune', area, site, inventory).map((r) => `${r.name}/${r.level}`)).toEqual(['Keeper/commune', 'Thầy giáo/commune', 'Cán bộ xã/commune']);
  });
  it('district and province: only that area', () => {
    expect(recipientsFor('district', area, site, inventory).map((r) => r.name)).toEqual(['Phòng VH']);
    expect(recipientsFor('province', area, null, inventory).map((r) => r.name)).toEqual(['Sở']);
  });
  it('an area with no contacts gives nobody (the notifiers still copy their fixed addresses)', () => {
    expect(recipientsFor('district', { ...area, district: 'Mường Khương' }, null, inventory)).toEqual([]);
  });
});
