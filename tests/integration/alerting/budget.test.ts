/**
 * The SMS/Zalo budget in the real dispatcher with the real SMS notifier against a local HTTP
 * gateway, and the budget's SQLite tables: past the budget a notice is folded (not sent, not
 * retried, kept for the digest), a new commune-wide outage still goes out, e-mail-like free
 * channels are never held, and the month's spending is what the gateway received.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settingsWithDefaults } from '../../../src/config/defaults.js';
import { ManualClock } from '../../../src/core/clock.js';
import { silentLogger } from '../../../src/core/logger.js';
import { openDatabase, type Db } from '../../../src/store/sqlite.js';
import { createDispatcher } from '../../../src/alerting/notifiers/dispatcher.js';
import { createNotifiers } from '../../../src/alerting/notifiers/registry.js';
import { BudgetStore, budgetCommune, budgetGate, monthOf } from '../../../src/alerting/budget.js';
import { communeWide, firingDown, resolvedPower } from '../../../src/alerting/notifiers/testdata/notices.js';
import { startRecorder, type Recorder } from '../notifiers/http-recorder.js';

describe('SMS budget in the dispatcher', () => {
  let sms: Recorder;
  let hook: Recorder;
  let dir: string;
  let db: Db;
  const clock = new ManualClock(Date.UTC(2026, 10, 22, 1, 0));

  beforeAll(async () => {
    sms = await startRecorder(() => ({ status: 200, json: { id: 'm1' } }));
    hook = await startRecorder(() => ({ status: 204 }));
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-budget-'));
    db = openDatabase(path.join(dir, 'pointwatch.sqlite'));
  });
  afterAll(async () => {
    await sms?.close();
    await hook?.close();
    db?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('sends within the budget, folds past it, always sends a new commune-wide outage', async () => {
    const settings = settingsWithDefaults({ notifiers: [
      { type: 'sms', name: 'sms', method: 'POST', url: `${sms.url}/send`, auth_value: 'sms-key', timeout_ms: 2000 },
      { type: 'webhook', name: 'hook', url: `${hook.url}/h`, secret: 'hook-secret' },
    ] });
    const store = new BudgetStore(db);
    const d = createDispatcher({
      notifiers: createNotifiers(settings.notifiers, { logger: silentLogger(), clock, tz: settings.reports.timezone }),
      logger: silentLogger(), clock, tickMs: 0,
      budget: budgetGate(store, { budget: 3, tz: settings.reports.timezone, clock }),
    });
    const commune = budgetCommune(firingDown.area);
    const month = monthOf(clock.now(), settings.reports.timezone);
    // two phones per notice: the first notice costs 2 of the 3
    await d.dispatch(firingDown);
    expect(sms.requests).toHaveLength(2);
    expect(store.spent(commune, month)).toBe(2);
    // the next would cost 2 more (4 > 3): folded, not sent; the webhook (free) still gets it
    await d.dispatch(resolvedPower);
    expect(sms.requests).toHaveLength(2);
    expect(hook.requests.map((r) => r.headers['x-pointwatch-delivery'])).toEqual([firingDown.id, resolvedPower.id]);
    expect(d.pending()).toEqual([]); // folded is not a failure: nothing to retry
    // a new commune-wide outage goes out past the budget
    await d.dispatch(communeWide);
    expect(sms.requests.length).toBe(2 + communeWide.recipients.filter((r) => r.phone).length);
    expect(store.spent(commune, month)).toBe(sms.requests.length);
    // the folded notice waits for the commune's digest, once
    const digest = store.pendingDigest().get(commune)!;
    expect(digest.map((x) => x.notice.id)).toEqual([resolvedPower.id]);
    store.markDigested(commune, 'digest|2026-11-23');
    expect(store.pendingDigest().get(commune)).toBeUndefined();
    expect(store.monthReport(month)).toEqual([{ commune, spent: sms.requests.length, folded: 1 }]);
    await d.close();
  });
});
