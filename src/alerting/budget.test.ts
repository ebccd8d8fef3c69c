import { describe, expect, it } from 'vitest';
import { decide, isCommuneWide, monthOf, paidCost, type BudgetQuestion } from './budget.js';

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
