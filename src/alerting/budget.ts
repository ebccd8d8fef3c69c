/**
 * The SMS/Zalo budget per commune and calendar month (settings.budget). Paid channels only:
 * e-mail, Telegram and webhooks are never held back.
 *
 *   decide(): pure — given what was spent, the budget and the notice, send it or fold it.
 *   BudgetStore: the month's spending and the folded notices in SQLite (the daily digest reads
 *   them; the coverage report lists the spending).
 */
import type { Db } from '../store/sqlite.js';
import { migrate } from '../store/sqlite.js';
import type { Notice } from './notice.js';
import { communeKey } from '../inventory/places.js';

export type BudgetDecision = 'send' | 'fold';

export interface BudgetQuestion {
  /** Messages already sent on paid channels to this commune this month. */
  spent: number;
  /** The monthly budget; 0 = no limit. */
  budget: number;
  /** Messages this notice would cost (one per paid recipient). */
  cost: number;
  /** A new commune-wide outage (a firing commune-level incident): always goes out. */
  communeWide: boolean;
  event: Notice['event'];
}

/**
 * Send while the notice fits in what is left; past the budget, fold it into the digest.
 * A new commune-wide outage always goes out (it is the one message nobody may miss); its
 * resolved notice, like any other, goes out only within the budget.
 */
export function decide(q: BudgetQuestion): BudgetDecision {
  if (q.budget <= 0) return 'send';
  if (q.communeWide && q.event === 'firing') return 'send';
  return q.spent + q.cost <= q.budget ? 'send' : 'fold';
}

/** A commune-level incident firing (no single site: the whole commune went dark). */
export function isCommuneWide(n: Pick<Notice, 'site' | 'event'>): boolean {
  return n.site === null;
}

/** `2026-11` in the report time zone. */
export function monthOf(ts: number, tz: string): string {
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit' }).formatToParts(new Date(ts)).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}`;
}

export const PAID_CHANNELS: ReadonlySet<string> = new Set(['sms', 'zalo']);

const MIGRATIONS = [
  `CREATE TABLE budget_spend (
     commune TEXT NOT NULL, month TEXT NOT NULL, notice_id TEXT NOT NULL, channel TEXT NOT NULL, recipient TEXT NOT NULL, at INTEGER NOT NULL,
     PRIMARY KEY (notice_id, channel, recipient));
   CREATE INDEX budget_spend_month ON budget_spend (commune, month);
   CREATE TABLE budget_folded (
     commune TEXT NOT NULL, month TEXT NOT NULL, notice_id TEXT NOT NULL, notifier TEXT NOT NULL, notice TEXT NOT NULL, at INTEGER NOT NULL,
     digest_key TEXT, PRIMARY KEY (notice_id, notifier));
   CREATE INDEX budget_folded_open ON budget_folded (commune, digest_key);`,
];

export interface FoldedNotice {
  commune: string;
  notice: Notice;
  at: number;
}

export class BudgetStore {
  constructor(private readonly db: Db) {
    migrate(db, 'budget', MIGRATIONS);
  }

  spent(commune: string, month: string): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM budget_spend WHERE commune = ? AND month = ?').get(commune, month) as { n: number }).n;
  }

  /** One row per delivered paid message (a retry of the same recipient is not counted twice). */
  recordSpend(commune: string, month: string, noticeId: string, channel: string, recipient: string, at: number): void {
    this.db.prepare('INSERT OR IGNORE INTO budget_spend (commune, month, notice_id, channel, recipient, at) VALUES (?, ?, ?, ?, ?, ?)').run(commune, month, noticeId, channel, recipient, at);
  }

  fold(commune: string, month: string, notifier: string, notice: Notice, at: number): void {
    this.db.prepare('INSERT OR IGNORE INTO budget_folded (commune, month, notice_id, notifier, notice, at) VALUES (?, ?, ?, ?, ?, ?)').run(commune, month, notice.id, notifier, JSON.stringify(notice), at);
  }

  /** Folded notices not yet in a digest, per commune (one entry per notice, whatever the notifiers). */
  pendingDigest(): Map<string, FoldedNotice[]> {
    const rows = this.db.prepare('SELECT commune, notice_id, MIN(at) AS at, notice FROM budget_folded WHERE digest_key IS NULL GROUP BY commune, notice_id ORDER BY at').all() as Array<{ commune: string; at: number; notice: string }>;
    const out = new Map<string, FoldedNotice[]>();
    for (const r of rows) {
      const list = out.get(r.commune) ?? [];
      list.push({ commune: r.commune, notice: JSON.parse(r.notice) as Notice, at: r.at });
      out.set(r.commune, list);
    }
    return out;
  }

  /** The folded notices up to `upTo` (what the digest showed) are handed over; later ones wait for the next digest. */
  markDigested(commune: string, digestKey: string, upTo = Number.MAX_SAFE_INTEGER): void {
    this.db.prepare('UPDATE budget_folded SET digest_key = ? WHERE commune = ? AND digest_key IS NULL AND at <= ?').run(digestKey, commune, upTo);
  }

  /** Spending per commune for a month (the coverage report's budget section). */
  monthReport(month: string): Array<{ commune: string; spent: number; folded: number }> {
    const spent = this.db.prepare('SELECT commune, COUNT(*) AS n FROM budget_spend WHERE month = ? GROUP BY commune').all(month) as Array<{ commune: string; n: number }>;
    const folded = this.db.prepare('SELECT commune, COUNT(DISTINCT notice_id) AS n FROM budget_folded WHERE month = ? GROUP BY commune').all(month) as Array<{ commune: string; n: number }>;
    const m = new Map<string, { commune: string; spent: number; folded: number }>();
    for (const r of spent) m.set(r.commune, { commune: r.commune, spent: r.n, folded: 0 });
    for (const r of folded) m.set(r.commune, { ...(m.get(r.commune) ?? { commune: r.commune, spent: 0 }), folded: r.n });
    return [...m.values()].sort((a, b) => a.commune.localeCompare(b.commune, 'vi'));
  }
}

/** The commune a budget is kept for: the inventory's commune key (two communes of one name are two budgets). */
export function budgetCommune(area: { province: string; commune: string }): string {
  return communeKey(area);
}

/** Messages a paid notifier would send for these contacts (one per contact it can reach). */
export function paidCost(type: string, contacts: ReadonlyArray<{ phone?: string; zalo?: string }>): number {
  return contacts.filter((c) => (type === 'zalo' ? c.zalo || c.phone : c.phone)).length;
}

/**
 * The dispatcher's BudgetGate over a BudgetStore.
 *
 * Sends run concurrently (every channel, every notice at once), so "spent" alone (delivered
 * messages) would let a burst through before any of it is recorded. `allow` therefore RESERVES the
 * notice's cost, and judges each send on spent + reserved; `delivered` records what went out and
 * `settle` then gives the send's reservation back, so a failed message costs nothing and a delivered
 * one is counted once (as spent). The reservations live in memory, like the dispatcher's queue: a
 * restart starts with none. A new commune-wide outage is reserved too (it will be spent), but is
 * never refused (decide()).
 */
export function budgetGate(store: BudgetStore, opts: { budget: number; tz: string; clock: { now(): number } }) {
  /** Units reserved per commune|month, and the reservations of each (notice, notifier) in the order made. */
  const held = new Map<string, number>();
  const open = new Map<string, Array<{ at: string; units: number }>>();
  const jobKey = (notice: Pick<Notice, 'id'>, notifier: string) => `${notice.id}\u0000${notifier}`;
  return {
    allow(notice: Notice, notifier: { name: string; type: string }, contacts: ReadonlyArray<{ phone?: string; zalo?: string }>): boolean {
      if (!PAID_CHANNELS.has(notifier.type) || opts.budget <= 0) return true;
      const now = opts.clock.now();
      const commune = budgetCommune(notice.area);
      const month = monthOf(now, opts.tz);
      const at = `${commune}|${month}`;
      const cost = paidCost(notifier.type, contacts);
      const d = decide({ spent: store.spent(commune, month) + (held.get(at) ?? 0), budget: opts.budget, cost, communeWide: isCommuneWide(notice), event: notice.event });
      if (d === 'fold') {
        store.fold(commune, month, notifier.name, notice, now);
        return false;
      }
      // one entry per admitted send, even of cost 0: each settle() then matches its own allow()
      held.set(at, (held.get(at) ?? 0) + cost);
      const k = jobKey(notice, notifier.name);
      open.set(k, [...(open.get(k) ?? []), { at, units: cost }]);
      return true;
    },
    delivered(notice: Notice, results: ReadonlyArray<{ ok: boolean; channel: string; recipient: string }>): void {
      const now = opts.clock.now();
      for (const r of results) {
        if (r.ok && PAID_CHANNELS.has(r.channel)) store.recordSpend(budgetCommune(notice.area), monthOf(now, opts.tz), notice.id, r.channel, r.recipient, now);
      }
    },
    /**
     * The send `allow` admitted is over (its results went to `delivered` first): its reservation
     * is given back, the oldest of that notice and notifier. No-op when nothing was reserved.
     */
    settle(notice: Pick<Notice, 'id'>, notifier: { name: string }): void {
      const k = jobKey(notice, notifier.name);
      const list = open.get(k);
      const r = list?.shift();
      if (!r) return;
      if (!list!.length) open.delete(k);
      const left = (held.get(r.at) ?? 0) - r.units;
      if (left > 0) held.set(r.at, left);
      else held.delete(r.at);
    },
    /** Messages reserved and not yet settled, for a commune and month (for tests and diagnostics). */
    reserved(commune: string, month: string): number {
      return held.get(`${commune}|${month}`) ?? 0;
    },
  };
}
