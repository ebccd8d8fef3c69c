import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/clock.js';
import { silentLogger } from '../../core/logger.js';
import type { Notice, Recipient } from '../notice.js';
import { createDispatcher } from './dispatcher.js';
import { openDatabase } from '../../store/sqlite.js';
import { BudgetStore, budgetCommune, budgetGate, monthOf } from '../budget.js';
import type { DeliveryResult, Notifier, SendOptions } from './types.js';
import { firingDown, resolvedPower } from './testdata/notices.js';

type Outcome = { ok: boolean; retryable?: boolean } | 'throw' | 'hang';

/** A recording fake: answers from a script per call, remembers what it was asked. */
function fake(name: string, script: Outcome[], opts: { fallback?: string; addresses?: string[] } = {}) {
  const calls: Array<{ notice: string; recipients: string[]; opts?: SendOptions }> = [];
  const n: Notifier & { calls: typeof calls } = {
    name,
    type: 'webhook',
    fallback: opts.fallback,
    calls,
    async send(notice: Notice, recipients: Recipient[], o?: SendOptions): Promise<DeliveryResult[]> {
      calls.push({ notice: notice.id, recipients: recipients.map((r) => r.name), opts: o });
      const out = script[Math.min(calls.length - 1, script.length - 1)]!;
      if (out === 'throw') throw new Error('bug in notifier');
      if (out === 'hang') await new Promise(() => undefined);
      const addrs = (opts.addresses ?? [name]).filter((a) => !o?.only || o.only.includes(a));
      const res = (out as { ok: boolean; retryable?: boolean });
      return addrs.map((a, i) => ({
        channel: 'webhook' as const, notifier: name, recipient: a, ok: res.ok, retryable: res.ok ? undefined : res.retryable ?? true,
        contact: recipients[i],
      }));
    },
  };
  return n;
}

function setup(notifiers: Notifier[], extra: Partial<Parameters<typeof createDispatcher>[0]> = {}) {
  const clock = new ManualClock(Date.UTC(2026, 10, 22, 1, 0));
  const records: DeliveryResult[][] = [];
  const d = createDispatcher({ notifiers, logger: silentLogger(), clock, tickMs: 0, record: (_n, r) => records.push(r), retryDelaysMs: [1000, 5000], ...extra });
  return { d, clock, records, flat: () => records.flat() };
}

describe('dispatcher', () => {
  it('sends on every channel and records each', async () => {
    const a = fake('a', [{ ok: true }]);
    const b = fake('b', [{ ok: true }]);
    const { d, flat } = setup([a, b]);
    await d.dispatch(firingDown);
    expect(flat().map((r) => [r.notifier, r.ok])).toEqual([['a', true], ['b', true]]);
    expect(d.pending()).toEqual([]);
  });

  it('the same notice id is sent once per process', async () => {
    const a = fake('a', [{ ok: true }]);
    const { d } = setup([a]);
    await d.dispatch(firingDown);
    await d.dispatch({ ...firingDown });
    expect(a.calls).toHaveLength(1);
  });

  it('a retryable failure is re-queued with backoff and only the failed addresses are retried', async () => {
    const a = fake('a', [{ ok: false, retryable: true }, { ok: true }], { addresses: ['x', 'y'] });
    const { d, clock, flat } = setup([a]);
    await d.dispatch(firingDown);
    expect(d.pending()).toEqual([{ notice_id: firingDown.id, event: 'firing', notifier: 'a', addresses: ['x', 'y'], retries: 1, due_at: clock.now() + 1000 }]);
    expect(await d.runDue()).toBe(0);
    clock.advance(1000);
    expect(await d.runDue()).toBe(1);
    expect(a.calls[1]!.opts?.only).toEqual(['x', 'y']);
    expect(flat().filter((r) => r.ok).map((r) => r.recipient)).toEqual(['x', 'y']);
    expect(d.pending()).toEqual([]);
  });

  it('a non-retryable failure (4xx) is recorded and not re-queued', async () => {
    const a = fake('a', [{ ok: false, retryable: false }]);
    const { d, flat } = setup([a]);
    await d.dispatch(firingDown);
    expect(flat()).toHaveLength(1);
    expect(d.pending()).toEqual([]);
  });

  it('a firing notice is given up after maxRetries; a resolved one is retried until delivered', async () => {
    const a = fake('a', [{ ok: false, retryable: true }]);
    const { d, clock } = setup([a], { maxRetries: 2 });
    await d.dispatch(firingDown);
    for (let i = 0; i < 5; i++) { clock.advance(10_000); await d.runDue(); }
    expect(a.calls).toHaveLength(3); // first try + 2 retries

    const b = fake('b', [{ ok: false, retryable: true }, { ok: false, retryable: true }, { ok: false, retryable: true }, { ok: false, retryable: true }, { ok: true }]);
    const s = setup([b], { maxRetries: 2 });
    await s.d.dispatch(resolvedPower);
    for (let i = 0; i < 6; i++) { s.clock.advance(10_000); await s.d.runDue(); }
    expect(b.calls).toHaveLength(5);
    expect(s.flat().at(-1)).toMatchObject({ ok: true });
    expect(s.d.pending()).toEqual([]);
  });

  it('backoff follows the schedule and repeats its last step', async () => {
    const a = fake('a', [{ ok: false, retryable: true }]);
    const { d, clock } = setup([a], { retryDelaysMs: [1000, 5000] });
    await d.dispatch(resolvedPower);
    const t0 = clock.now();
    expect(d.pending()[0]!.due_at - t0).toBe(1000);
    clock.advance(1000); await d.runDue();
    expect(d.pending()[0]!.due_at - clock.now()).toBe(5000);
    clock.advance(5000); await d.runDue();
    expect(d.pending()[0]!.due_at - clock.now()).toBe(5000);
  });

  it('a notifier that throws is a failed, retryable delivery, not a crash', async () => {
    const a = fake('a', ['throw', { ok: true }]);
    const b = fake('b', [{ ok: true }]);
    const { d, clock, flat } = setup([a, b]);
    await d.dispatch(firingDown);
    expect(flat().find((r) => r.notifier === 'a')).toMatchObject({ ok: false, retryable: true, error: 'notifier threw: bug in notifier' });
    expect(flat().find((r) => r.notifier === 'b')).toMatchObject({ ok: true });
    clock.advance(1000);
    await d.runDue();
    expect(a.calls[1]!.opts?.only).toBeUndefined(); // the whole job again, not a made-up address
    expect(flat().filter((r) => r.notifier === 'a' && r.ok)).toHaveLength(1);
  });

  it('a hanging channel hits the deadline without holding the other one', async () => {
    const hang = fake('hang', ['hang']);
    const fast = fake('fast', [{ ok: true }]);
    const records: Array<{ at: number; r: DeliveryResult[] }> = [];
    const t0 = Date.now();
    const d = createDispatcher({ notifiers: [hang, fast], logger: silentLogger(), tickMs: 0, sendDeadlineMs: 400, record: (_n, r) => records.push({ at: Date.now() - t0, r }) });
    await d.dispatch(firingDown);
    // The fast channel is recorded first, while the other still hangs until the deadline.
    expect(records[0]!.r[0]).toMatchObject({ notifier: 'fast', ok: true });
    expect(records[1]!.at).toBeGreaterThanOrEqual(390);
    expect(records[1]!.r[0]).toMatchObject({ notifier: 'hang', ok: false, retryable: true, error: 'no answer within 400 ms' });
    expect(d.pending().map((p) => p.notifier)).toEqual(['hang']);
    await d.close();
  });

  it('fallback: failed contacts go to the fallback notifier, which is not sent to directly', async () => {
    const zalo = fake('zalo', [{ ok: false, retryable: false }], { fallback: 'sms', addresses: ['84912345678', '84987654321'] });
    const sms = fake('sms', [{ ok: true }], { addresses: ['84912345678', '84987654321'] });
    const { d, flat } = setup([zalo, sms]);
    await d.dispatch(firingDown);
    expect(sms.calls).toHaveLength(1);
    expect(sms.calls[0]!.opts?.recipientsOnly).toBe(true);
    expect(sms.calls[0]!.recipients).toEqual(['Lò Văn Minh', 'Anna Nguyen']);
    expect(flat().filter((r) => r.notifier === 'sms').every((r) => r.fallback_for === 'zalo' && r.ok)).toBe(true);
    expect(d.pending()).toEqual([]);
  });

  it('a record callback that throws does not stop delivery', async () => {
    const a = fake('a', [{ ok: true }]);
    const d = createDispatcher({ notifiers: [a], logger: silentLogger(), tickMs: 0, record: () => { throw new Error('db locked'); } });
    await expect(d.dispatch(firingDown)).resolves.toBeUndefined();
    expect(a.calls).toHaveLength(1);
  });
});

describe('dispatcher fallback from several channels', () => {
  it('a contact two channels failed to reach gets ONE fallback message', async () => {
    const tg = fake('tg', [{ ok: false, retryable: false }], { fallback: 'sms', addresses: ['1001', '1002'] });
    const zalo = fake('zalo', [{ ok: false, retryable: false }], { fallback: 'sms', addresses: ['84912345678', '84987654321'] });
    const sms = fake('sms', [{ ok: true }], { addresses: ['84912345678', '84987654321'] });
    const { d, flat } = setup([tg, zalo, sms]);
    await d.dispatch(firingDown);
    const reachedBySms = sms.calls.flatMap((c) => c.recipients);
    expect(reachedBySms.sort()).toEqual(['Anna Nguyen', 'Lò Văn Minh']);
    expect(flat().filter((r) => r.notifier === 'sms' && r.ok)).toHaveLength(2);
    expect(d.pending()).toEqual([]);
  });
  it('when the fallback fails, the contact is handed over again on the retry', async () => {
    const tg = fake('tg', [{ ok: false, retryable: true }], { fallback: 'sms', addresses: ['1001'] });
    const sms = fake('sms', [{ ok: false, retryable: true }, { ok: true }], { addresses: ['84912345678'] });
    const { d, clock, flat } = setup([tg, sms]);
    await d.dispatch(resolvedPower);
    expect(d.pending().map((p) => p.notifier)).toEqual(['tg']);
    clock.advance(1000);
    await d.runDue();
    expect(sms.calls).toHaveLength(2);
    expect(flat().filter((r) => r.notifier === 'sms').map((r) => r.ok)).toEqual([false, true]);
  });
});

describe('dispatcher and the SMS/Zalo budget in a burst', () => {
  /** A paid channel that answers after a delay (so a burst is in flight at once), per phone. */
  function slowSms(failFirst = 0) {
    let calls = 0;
    const sent: string[] = [];
    const n: Notifier = {
      name: 'sms', type: 'sms',
      async send(notice, recipients) {
        const fail = calls++ < failFirst;
        await new Promise((r) => setTimeout(r, 20));
        return recipients.filter((r) => r.phone).map((r) => {
          if (!fail) sent.push(`${notice.id}:${r.phone}`);
          return { channel: 'sms' as const, notifier: 'sms', recipient: r.phone!, ok: !fail, retryable: false, contact: r };
        });
      },
    };
    return { n, sent };
  }
  const burst = (k: number): Notice[] => Array.from({ length: k }, (_, i) => ({
    ...firingDown, id: `burst-${i}`, recipients: [{ name: `p${i}`, phone: `09120001${String(i).padStart(2, '0')}`, level: 'commune' as const }],
  }));

  it('twenty notices dispatched at once on a budget of 5: five go out, fifteen fold, nothing stays reserved', async () => {
    const db = openDatabase(':memory:');
    const store = new BudgetStore(db);
    const clock = new ManualClock(Date.UTC(2026, 10, 22, 1, 0));
    const gate = budgetGate(store, { budget: 5, tz: 'Asia/Ho_Chi_Minh', clock });
    const { n, sent } = slowSms();
    const d = createDispatcher({ notifiers: [n], logger: silentLogger(), clock, tickMs: 0, budget: gate });
    await Promise.all(burst(20).map((x) => d.dispatch(x)));
    const commune = budgetCommune(firingDown.area);
    const month = monthOf(clock.now(), 'Asia/Ho_Chi_Minh');
    expect(sent).toHaveLength(5);
    expect(store.spent(commune, month)).toBe(5);
    expect(store.pendingDigest().get(commune)).toHaveLength(15);
    expect(gate.reserved(commune, month)).toBe(0);
    await d.close();
    db.close();
  });

  it('failed sends in a burst give their reservations back: the next notices use them', async () => {
    const db = openDatabase(':memory:');
    const store = new BudgetStore(db);
    const clock = new ManualClock(Date.UTC(2026, 10, 22, 1, 0));
    const gate = budgetGate(store, { budget: 3, tz: 'Asia/Ho_Chi_Minh', clock });
    const { n, sent } = slowSms(3); // the first three sends fail (4xx: not retried)
    const d = createDispatcher({ notifiers: [n], logger: silentLogger(), clock, tickMs: 0, budget: gate });
    const [first, second] = [burst(6).slice(0, 3), burst(6).slice(3)];
    await Promise.all(first.map((x) => d.dispatch(x)));
    expect(sent).toHaveLength(0);
    await Promise.all(second.map((x) => d.dispatch(x)));
    expect(sent).toHaveLength(3);
    expect(store.spent(budgetCommune(firingDown.area), monthOf(clock.now(), 'Asia/Ho_Chi_Minh'))).toBe(3);
    await d.close();
    db.close();
  });

  it('a retry asks the budget again: when others took what was left meanwhile, it folds instead of passing it', async () => {
    const db = openDatabase(':memory:');
    const store = new BudgetStore(db);
    const clock = new ManualClock(Date.UTC(2026, 10, 22, 1, 0));
    const gate = budgetGate(store, { budget: 1, tz: 'Asia/Ho_Chi_Minh', clock });
    let calls = 0;
    const sent: string[] = [];
    const n: Notifier = {
      name: 'sms', type: 'sms',
      async send(notice, recipients) {
        const fail = calls++ === 0; // the first send times out (retryable)
        if (!fail) sent.push(notice.id);
        return recipients.map((r) => ({ channel: 'sms' as const, notifier: 'sms', recipient: r.phone!, ok: !fail, retryable: true, contact: r }));
      },
    };
    const d = createDispatcher({ notifiers: [n], logger: silentLogger(), clock, tickMs: 0, budget: gate, retryDelaysMs: [1000] });
    const [a, b] = burst(2);
    await d.dispatch(a!); // failed: its reservation is given back, a retry is queued
    await d.dispatch(b!); // takes the one message left
    clock.advance(1000);
    await d.runDue();
    expect(sent).toEqual([b!.id]);
    expect(store.pendingDigest().get(budgetCommune(firingDown.area))!.map((x) => x.notice.id)).toEqual([a!.id]);
    await d.close();
    db.close();
  });
});
