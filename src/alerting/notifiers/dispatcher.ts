/**
 * The dispatcher: sends one Notice on every channel in parallel and keeps at it.
 *
 * - Each channel runs on its own: a slow or dead channel never holds another (and each send is
 *   bounded by the notifier's timeouts plus a deadline here as a safety net).
 * - `record(notice, results)` is called as each channel finishes (and after each retry), so the
 *   alerting engine can persist delivery results in SQLite.
 * - Failed deliveries that are worth retrying (5xx, timeouts, refused, 429, SMTP 4xx) go back in an
 *   in-memory queue with backoff: firing/escalated notices up to `maxRetries` times, resolved
 *   notices until delivered (a resolved notice is never lost). 4xx answers are recorded, not retried.
 * - A notifier with a `fallback` (Zalo, Telegram or email → SMS) hands its failed contacts to that
 *   notifier at once, one fallback per contact per notice; a notifier that is some other's
 *   fallback is used only as the fallback.
 * - `dispatch` resolves after the first round on every channel; it never rejects. Callers on the
 *   polling path may fire and forget it.
 */
import type { Logger } from '../../core/logger.js';
import { systemClock, type Clock } from '../../core/clock.js';
import { errorMessage } from '../../core/errors.js';
import type { Notice, Recipient } from '../notice.js';
import type { DeliveryResult, Notifier } from './types.js';

export interface DispatcherDeps {
  notifiers: Notifier[];
  record?: (notice: Notice, results: DeliveryResult[]) => void;
  logger: Logger;
  clock?: Clock;
  /** Delay before the n-th re-queued try (the last value repeats). Default 30 s, 1, 2, 5, 10, 15, 30 min. */
  retryDelaysMs?: number[];
  /** Re-queued tries for firing/escalated notices (resolved ones have no limit). Default 12. */
  maxRetries?: number;
  /** Longest one channel's send may take before it is counted as failed (retryable). Default 120 s. */
  sendDeadlineMs?: number;
  /** How often the retry queue is checked with real timers; 0 disables the timer (call runDue). Default 1000 ms. */
  tickMs?: number;
  /** The SMS/Zalo budget (src/alerting/budget.ts): asked before a paid notifier's first send; told what was delivered. */
  budget?: BudgetGate;
}

/**
 * What the dispatcher asks of the budget; a folded send is neither sent nor retried (the digest carries it).
 * `allow` reserves the send's cost (sends run concurrently: a burst must not all fit in the same
 * remainder); after the send, `delivered` records what went out, then `settle` gives the
 * reservation back, so a failure costs nothing. Every paid send asks, a retry as well.
 */
export interface BudgetGate {
  allow(notice: Notice, notifier: Pick<Notifier, 'name' | 'type'>, contacts: readonly Recipient[]): boolean;
  delivered(notice: Notice, results: readonly DeliveryResult[]): void;
  settle(notice: Notice, notifier: Pick<Notifier, 'name'>): void;
}

export interface PendingDelivery {
  notice_id: string;
  event: Notice['event'];
  notifier: string;
  /** Addresses still to deliver on that notifier. */
  addresses: string[];
  /** Re-queued tries made so far. */
  retries: number;
  due_at: number;
}

export interface Dispatcher {
  dispatch(notice: Notice): Promise<void>;
  /** Run every re-queued delivery that is due now. Returns how many were run. */
  runDue(): Promise<number>;
  pending(): PendingDelivery[];
  /** Stop the timer and close notifiers' connections. Pending retries are dropped (they were recorded). */
  close(): Promise<void>;
}

interface Job {
  notice: Notice;
  notifier: Notifier;
  /** Undefined on the first round: all of the notifier's targets. */
  only?: string[];
  contacts: Recipient[];
  recipientsOnly: boolean;
  retries: number;
  due: number;
  /** This job runs the fallback notifier for another one (no further fallback). */
  fallbackFor?: string;
}

const DEFAULT_DELAYS = [30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000];

export function createDispatcher(deps: DispatcherDeps): Dispatcher {
  const clock = deps.clock ?? systemClock;
  const log = deps.logger.child({ component: 'dispatcher' });
  const delays = deps.retryDelaysMs?.length ? deps.retryDelaysMs : DEFAULT_DELAYS;
  const maxRetries = deps.maxRetries ?? 12;
  const deadline = deps.sendDeadlineMs ?? 120_000;
  const byName = new Map(deps.notifiers.map((n) => [n.name, n]));
  for (const n of deps.notifiers) {
    if (n.fallback && !byName.has(n.fallback)) log.warn({ notifier: n.name, fallback: n.fallback }, 'fallback notifier not found');
  }
  const queue: Job[] = [];
  /** Results made up here (deadline, a throwing notifier): they stand for the whole job, not one address. */
  const synthetic = new WeakSet<DeliveryResult>();
  const whole = (r: DeliveryResult) => { synthetic.add(r); return r; };
  /** Per notice: contacts handed to a fallback (in flight, or reached). */
  const fallbackState = new WeakMap<Notice, Map<Recipient, 'pending' | 'done'>>();
  /** Notifiers that only stand in for another (the SMS behind Zalo): not sent to directly. */
  const fallbackOnly = new Set(deps.notifiers.flatMap((n) => (n.fallback && byName.has(n.fallback) ? [n.fallback] : [])));
  const seen = new Set<string>();
  let running = false;
  let closed = false;

  const timer = (deps.tickMs ?? 1000) > 0 ? setInterval(() => void runDue(), deps.tickMs ?? 1000) : null;
  timer?.unref();

  function record(notice: Notice, results: DeliveryResult[]): void {
    if (!results.length) return;
    for (const r of results) {
      const fields = { notice: notice.id, incident: notice.incident_id, event: notice.event, notifier: r.notifier, channel: r.channel, recipient: r.recipient, status: r.status, attempts: r.attempts };
      if (r.ok) log.info(fields, 'notification delivered');
      else log.warn({ ...fields, error: r.error, retryable: r.retryable }, 'notification failed');
    }
    try {
      deps.budget?.delivered(notice, results);
      deps.record?.(notice, results);
    } catch (err) {
      log.error({ notice: notice.id, err: errorMessage(err) }, 'recording delivery results failed');
    }
  }

  async function sendBounded(job: Job, notifier: Notifier): Promise<DeliveryResult[]> {
    let t: NodeJS.Timeout | undefined;
    const timeout = new Promise<'deadline'>((resolve) => { t = setTimeout(() => resolve('deadline'), deadline); });
    try {
      const p = notifier.send(job.notice, job.contacts, { only: job.only, recipientsOnly: job.recipientsOnly });
      const out = await Promise.race([p, timeout]);
      if (out === 'deadline') {
        p.catch(() => undefined);
        return [whole({ channel: notifier.type, notifier: notifier.name, recipient: notifier.name, ok: false, retryable: true, error: `no answer within ${deadline} ms` })];
      }
      return out;
    } catch (err) {
      // A notifier must not throw; if one does, it is a failed delivery, not a crash.
      return [whole({ channel: notifier.type, notifier: notifier.name, recipient: notifier.name, ok: false, retryable: true, error: `notifier threw: ${errorMessage(err)}` })];
    } finally {
      clearTimeout(t);
    }
  }

  function requeue(job: Job, failed: DeliveryResult[]): void {
    const retryable = failed.filter((r) => r.retryable);
    if (!retryable.length || closed) return;
    const resolved = job.notice.event === 'resolved';
    if (!resolved && job.retries >= maxRetries) {
      log.error({ notice: job.notice.id, notifier: job.notifier.name, retries: job.retries }, 'notification given up after retries');
      return;
    }
    const delay = delays[Math.min(job.retries, delays.length - 1)]!;
    const all = retryable.some((r) => synthetic.has(r));
    const contacts = retryable.flatMap((r) => (r.contact ? [r.contact] : []));
    queue.push({
      ...job,
      only: all ? job.only : retryable.map((r) => r.recipient),
      contacts: all || !contacts.length ? job.contacts : contacts,
      retries: job.retries + 1,
      due: clock.now() + delay,
    });
  }

  /** Send through the budget: reserved before, recorded then settled after (never left reserved). */
  async function sendReserved(job: Job, notifier: Notifier): Promise<DeliveryResult[]> {
    let results: DeliveryResult[] = [];
    try {
      results = await sendBounded(job, notifier);
      if (job.fallbackFor) for (const r of results) r.fallback_for = job.fallbackFor;
      record(job.notice, results);
    } finally {
      try { deps.budget?.settle(job.notice, notifier); } catch (err) { log.error({ notice: job.notice.id, err: errorMessage(err) }, 'settling the budget failed'); }
    }
    return results;
  }

  async function run(job: Job): Promise<void> {
    // Every paid send asks (and reserves), a retry too: a retry that no longer fits is folded like a first send.
    if (deps.budget && !job.fallbackFor && !deps.budget.allow(job.notice, job.notifier, job.contacts)) {
      log.info({ notice: job.notice.id, notifier: job.notifier.name, retries: job.retries }, 'notice folded into the digest (budget spent)');
      return;
    }
    const results = await sendReserved(job, job.notifier);
    const failed = results.filter((r) => !r.ok);
    if (!failed.length) return;

    const fb = !job.fallbackFor && job.notifier.fallback ? byName.get(job.notifier.fallback) : undefined;
    if (fb && failed.some((r) => r.contact)) {
      // One fallback per contact per notice, even when two channels fail for the same person.
      let state = fallbackState.get(job.notice);
      if (!state) fallbackState.set(job.notice, (state = new Map()));
      const taken = new Set(failed.filter((r) => r.contact && state!.has(r.contact)).map((r) => r.contact!));
      let contacts = [...new Set(failed.filter((r) => r.contact && !taken.has(r.contact)).map((r) => r.contact!))];
      if (contacts.length && deps.budget && !deps.budget.allow(job.notice, fb, contacts)) {
        // the paid fallback is over budget: folded into the digest, so these contacts count as handled
        for (const c of contacts) { state.set(c, 'done'); taken.add(c); }
        contacts = [];
      }
      for (const c of contacts) state.set(c, 'pending');
      const fbResults = contacts.length
        ? await sendReserved({ ...job, notifier: fb, only: undefined, contacts, recipientsOnly: true, fallbackFor: job.notifier.name }, fb)
        : [];
      const reached = new Set(fbResults.filter((r) => r.ok && r.contact).map((r) => r.contact!));
      for (const c of contacts) if (reached.has(c)) state.set(c, 'done'); else state.delete(c);
      // A contact is done when a fallback reached (or is reaching) them; otherwise retry the primary (which falls back again).
      const stillFailed = failed.filter((r) => !r.contact || !(reached.has(r.contact) || taken.has(r.contact)));
      const fbRetryable = fbResults.some((r) => !r.ok && r.retryable);
      requeue(job, stillFailed.map((r) => {
        const again = r.retryable || (fbRetryable && !!r.contact);
        return synthetic.has(r) ? r : { ...r, retryable: again };
      }));
      return;
    }
    requeue(job, failed);
  }

  async function dispatch(notice: Notice): Promise<void> {
    if (closed) return;
    if (seen.has(notice.id)) {
      log.debug({ notice: notice.id }, 'notice already dispatched');
      return;
    }
    seen.add(notice.id);
    if (seen.size > 50_000) seen.delete(seen.values().next().value as string);
    if (!deps.notifiers.length) log.warn({ notice: notice.id }, 'no notifier configured');
    await Promise.all(deps.notifiers.filter((n) => !fallbackOnly.has(n.name)).map((n) =>
      run({ notice, notifier: n, contacts: notice.recipients, recipientsOnly: false, retries: 0, due: clock.now() })
        .catch((err) => log.error({ notice: notice.id, notifier: n.name, err: errorMessage(err) }, 'dispatch failed'))));
  }

  async function runDue(): Promise<number> {
    if (running || closed) return 0;
    running = true;
    try {
      const now = clock.now();
      const due = queue.filter((j) => j.due <= now);
      for (const j of due) queue.splice(queue.indexOf(j), 1);
      await Promise.all(due.map((j) => run(j).catch((err) => log.error({ notice: j.notice.id, err: errorMessage(err) }, 'retry failed'))));
      return due.length;
    } finally {
      running = false;
    }
  }

  return {
    dispatch,
    runDue,
    pending: () => queue.map((j) => ({
      notice_id: j.notice.id, event: j.notice.event, notifier: j.notifier.name, addresses: j.only ?? [], retries: j.retries, due_at: j.due,
    })),
    async close() {
      closed = true;
      if (timer) clearInterval(timer);
      queue.length = 0;
      await Promise.all(deps.notifiers.map((n) => n.close?.().catch(() => undefined)));
    },
  };
}
