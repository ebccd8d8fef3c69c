/**
 * Hands a cycle's checks on AS THEY BECOME READY, in small batches, instead of once at the end of
 * the cycle: a dead site's check goes to alerting as soon as its pings are in, not after the
 * slowest SNMP agent of the fleet.
 *
 * Two rules keep alerting correct:
 * - **Ancestors first.** A site's check is held until every ancestor (parent, grandparent...) is
 *   *cleared* for this cycle: its ping answered (this check cannot make it "down for its
 *   children"), or its own first check has been handed on. So a village point behind a dead
 *   commune router is judged UNREACHABLE, never DOWN on its own, even when its fping batch
 *   finishes first.
 * - **Order per site.** A site's checks leave in the order they were pushed (the first check
 *   before its re-check).
 *
 * `onCheck` calls never overlap (each waits for the previous one). Checks pushed within
 * `lingerMs` of each other leave in one batch; an urgent check (`isUrgent`: one that may open or
 * resolve an alert) brings the batch forward to `urgentMs`, so big batches never delay a DOWN, and
 * so do `maxBatch` held checks (a burst of answers is not held for the whole linger: checks held
 * that long outlive the young generation). If
 * `onCheck` fails, later batches are not handed on and `drain()` rejects with that error.
 */
import type { SiteCheck } from '../core/types.js';

export interface EmitterOptions {
  onCheck: (checks: SiteCheck[]) => void | Promise<void>;
  /** Ancestors of each site among the sites this poller owns (sites without any may be absent). */
  ancestors: ReadonlyMap<string, readonly string[]>;
  /** Batch checks pushed within this many ms (default 0: the next turn of the event loop). */
  lingerMs?: number;
  /** An urgent check leaves within this many ms (default: lingerMs). */
  urgentMs?: number;
  /** This many checks held bring the batch forward to urgentMs too (a burst leaves in batches of about this size). */
  maxBatch?: number;
  isUrgent?: (check: SiteCheck) => boolean;
}

export class CheckEmitter {
  private held: SiteCheck[] = [];
  private readonly cleared = new Set<string>();
  private chain: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  /** performance.now() when the timer fires. */
  private dueAt = 0;
  private released = false;
  private failure: { err: unknown } | null = null;
  /** Held checks that are urgent (judged once, when pushed): a ping answer clearing a site does not rescan the held ones. */
  private urgentHeld = 0;
  /** Batches handed on so far. */
  batches = 0;

  constructor(private readonly o: EmitterOptions) {}

  push(check: SiteCheck): void {
    this.held.push(check);
    const urgent = this.o.isUrgent?.(check) === true;
    if (urgent) this.urgentHeld++;
    const full = this.o.maxBatch !== undefined && this.held.length >= this.o.maxBatch;
    this.schedule(full || urgent ? this.o.urgentMs : undefined);
  }

  /** This site no longer holds its descendants back (its ping answered, or its check left). */
  clear(site: string): void {
    if (this.cleared.has(site)) return;
    this.cleared.add(site);
    if (this.held.length) this.schedule(this.urgentHeld > 0 ? this.o.urgentMs : undefined);
  }

  /** Every check pushed so far and every later one leaves as soon as possible; resolves when all are handed on. */
  async drain(): Promise<void> {
    this.released = true;
    if (this.timer) { clearTimeout(this.timer); this.timer = null; }
    this.flush();
    await this.chain;
    if (this.failure) throw this.failure.err;
  }

  private schedule(within?: number): void {
    const delay = this.released ? 0 : Math.min(within ?? Infinity, this.o.lingerMs ?? 0);
    const due = performance.now() + delay;
    if (this.timer) {
      if (due >= this.dueAt) return;
      clearTimeout(this.timer);
    }
    this.dueAt = due;
    this.timer = setTimeout(() => { this.timer = null; this.flush(); }, delay);
  }

  private ready(c: SiteCheck, blockedSites: Set<string>): boolean {
    if (blockedSites.has(c.site)) return false;
    if (this.released) return true;
    const anc = this.o.ancestors.get(c.site);
    return anc === undefined || anc.every((a) => this.cleared.has(a));
  }

  /** Move every ready check into one batch (repeating: a parent leaving may free its children). */
  private flush(): void {
    const batch: SiteCheck[] = [];
    let progressed = true;
    while (progressed && this.held.length) {
      progressed = false;
      const blocked = new Set<string>();
      const rest: SiteCheck[] = [];
      for (const c of this.held) {
        if (this.ready(c, blocked)) {
          batch.push(c);
          if (!c.recheck && !this.cleared.has(c.site)) { this.cleared.add(c.site); progressed = true; }
        } else {
          blocked.add(c.site);
          rest.push(c);
        }
      }
      this.held = rest;
    }
    if (batch.length === 0) return;
    const isUrgent = this.o.isUrgent;
    let urgent = 0;
    if (isUrgent && this.urgentHeld > 0) for (const c of this.held) if (isUrgent(c)) urgent++;
    this.urgentHeld = urgent;
    this.batches++;
    this.chain = this.chain.then(async () => {
      if (this.failure) return;
      try {
        await this.o.onCheck(batch);
      } catch (err) {
        this.failure = { err };
      }
    });
  }
}
