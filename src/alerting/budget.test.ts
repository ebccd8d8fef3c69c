import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../store/sqlite.js';
import { BudgetStore, budgetCommune, budgetGate, decide, isCommuneWide, monthOf, paidCost, type BudgetQuestion } from './budget.js';
import type { Notice } from './notice.js';
import { firingDown } from './notifiers/testdata/notices.js';

describe('decide: the SMS/Zalo budget rule', () => {
  const base: BudgetQuestion = { spent: 0, budget: 10, cost: 1, communeWide: false, event: 'firing' };
  const cases: Array<[name: string, q: Partial<BudgetQuestion>, want: 'send' | 'fold']> = [
    ['no budget (0) never folds', { budget: 0, spent: 10_000 }, 'send'],
    ['well inside the budget', { spent: 3 }, 'send'],
    ['the last message that fits', { spent: 9, cost: 1 }, 'send'],
    ['exactly spent: the next one folds', { spent: 10 }, 'fold'],
    ['would go past the budget with several recipients', { spent: 8, cost: 3 }, 'fold'],
    ['several recipients that still fit', { spent: 7, cost: 3 }, 'send'],
    ['past the budget, a new commune-wide outage still goes out', { spent: 25, communeWide: true, event: 'firing' }, 'send'],
    ['past the budget, a commune-wide outage resolved folds', { spent: 25, communeWide: true, event: 'resolved' }, 'fold'],
    ['past the budget, a commune-wide escalation folds', { spent: 25, communeWide: true, event: 'escalated' }, 'fold'],
    ['past the budget, a site resolved notice folds', { spent: 10, event: 'resolved' }, 'fold'],
    ['a notice with no paid recipient costs nothing', { spent: 10, cost: 0 }, 'send'],
  ];
  for (const [name, q, want] of cases) it(name, () => expect(decide({ ...base, ...q })).toBe(want));
});

describe('budget helpers', () => {
  it('a commune-wide notice is one without a site', () => {
    expect(isCommuneWide({ site: null, event: 'firing' })).toBe(true);
    expect(isCommuneWide({ site: { id: 'a', name: 'a', kind: 'x', commune: 'c', province: 'p' }, event: 'firing' })).toBe(false);
  });
  const months: Array<[string, number, string]> = [
    ['UTC evening of the 30th is already the next month in Vietnam', Date.UTC(2026, 10, 30, 18, 0), '2026-12'],
    ['UTC noon is the same month', Date.UTC(2026, 10, 30, 5, 0), '2026-11'],
  ];
  for (const [name, ts, want] of months) it(`monthOf: ${name}`, () => expect(monthOf(ts, 'Asia/Ho_Chi_Minh')).toBe(want));
  it('paidCost counts the contacts the channel can reach', () => {
    const cs = [{ phone: '0912' }, { zalo: '0913' }, {}];
    expect(paidCost('sms', cs)).toBe(1);
    expect(paidCost('zalo', cs)).toBe(2);
  });
});

/**
 * The gate in a burst: many paid sends asked for at once, before any result is in (the dispatcher
 * runs every channel and every notice concurrently). Whatever the order, the costs and the
 * outcomes, what is reserved never goes past the budget except for a new commune-wide outage, and
 * a failed send gives its reservation back.
 */
describe('budgetGate under a burst of concurrent sends', () => {
  const tz = 'Asia/Ho_Chi_Minh';
  const clock = { now: () => Date.UTC(2026, 10, 22, 3, 0) };
  const phones = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `c${i}`, phone: `09120000${String(i).padStart(2, '0')}`, level: 'commune' as const }));
  const notice = (i: number, cost: number, wide: boolean, event: Notice['event'] = 'firing'): Notice =>
    ({ ...firingDown, id: `n${i}`, event, site: wide ? null : firingDown.site, recipients: phones(cost) });
  const sms = { name: 'sms', type: 'sms' };
  const results = (n: Notice, ok: boolean) => n.recipients.map((r) => ({ ok, channel: 'sms', notifier: 'sms', recipient: r.phone! }));

  it('property: reserved never exceeds the budget (commune-wide firing aside); failures give back; spent never exceeds it either', () => {
    const sendArb = fc.record({
      cost: fc.integer({ min: 0, max: 4 }),
      wide: fc.boolean(),
      event: fc.constantFrom<Notice['event']>('firing', 'firing', 'resolved', 'escalated'),
      ok: fc.boolean(),
    });
    fc.assert(fc.property(fc.integer({ min: 1, max: 12 }), fc.array(sendArb, { minLength: 1, maxLength: 30 }), fc.integer({ min: 0, max: 5 }), (budget, sends, prespent) => {
      const db = openDatabase(':memory:');
      try {
        const store = new BudgetStore(db);
        const gate = budgetGate(store, { budget, tz, clock });
        const commune = budgetCommune(firingDown.area);
        const month = monthOf(clock.now(), tz);
        for (let i = 0; i < Math.min(prespent, budget); i++) store.recordSpend(commune, month, `old${i}`, 'sms', `p${i}`, clock.now());
        const spent0 = store.spent(commune, month);
        // the burst: every send asks before any result is in
        let held = 0;
        const allowed: Array<{ n: Notice; ok: boolean }> = [];
        sends.forEach((s, i) => {
          const n = notice(i, s.cost, s.wide, s.event);
          if (!gate.allow(n, sms, n.recipients)) return;
          held += s.cost;
          allowed.push({ n, ok: s.ok });
          const exception = s.wide && s.event === 'firing';
          if (!exception) expect(spent0 + held).toBeLessThanOrEqual(budget);
        });
        // the results come in; each send is settled
        for (const a of allowed) { gate.delivered(a.n, results(a.n, a.ok)); gate.settle(a.n, sms); }
        const spent = store.spent(commune, month);
        const exceptions = allowed.filter((a) => a.n.site === null && a.n.event === 'firing' && a.ok).reduce((k, a) => k + a.n.recipients.length, 0);
        expect(spent).toBe(spent0 + allowed.filter((a) => a.ok).reduce((k, a) => k + a.n.recipients.length, 0));
        if (!exceptions) expect(spent).toBeLessThanOrEqual(budget);
        // nothing stays reserved, nothing is lost to the failures: the next send is judged on what was spent
        const next = notice(999, 1, false);
        expect(gate.allow(next, sms, next.recipients)).toBe(spent + 1 <= budget);
      } finally {
        db.close();
      }
    }), { numRuns: 300 });
  });

  it('a burst of ten one-phone notices on a budget of 3: three go out, seven fold', () => {
    const db = openDatabase(':memory:');
    const gate = budgetGate(new BudgetStore(db), { budget: 3, tz, clock });
    const asked = Array.from({ length: 10 }, (_, i) => notice(i, 1, false));
    expect(asked.map((n) => gate.allow(n, sms, n.recipients)).filter(Boolean)).toHaveLength(3);
    db.close();
  });

  it('a failed send gives its reservation back; a retry of a delivered recipient is not counted twice', () => {
    const db = openDatabase(':memory:');
    const store = new BudgetStore(db);
    const gate = budgetGate(store, { budget: 2, tz, clock });
    const a = notice(1, 2, false);
    const b = notice(2, 2, false);
    expect(gate.allow(a, sms, a.recipients)).toBe(true);
    expect(gate.allow(b, sms, b.recipients)).toBe(false); // a's 2 are reserved
    gate.delivered(a, results(a, false));
    gate.settle(a, sms);
    const c = notice(3, 2, false);
    expect(gate.allow(c, sms, c.recipients)).toBe(true); // a's failure cost nothing
    gate.delivered(c, [{ ok: true, channel: 'sms', recipient: c.recipients[0]!.phone! }, { ok: false, channel: 'sms', recipient: c.recipients[1]!.phone! }]);
    gate.settle(c, sms);
    expect(store.spent(budgetCommune(c.area), monthOf(clock.now(), tz))).toBe(1);
    const d = notice(4, 1, false);
    expect(gate.allow(d, sms, d.recipients)).toBe(true);
    expect(gate.allow(notice(5, 1, false), sms, phones(1))).toBe(false);
    db.close();
  });
});
